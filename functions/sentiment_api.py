"""HTTP entry point: sentiment of feedback, form responses and comments (each result names the
engine and model that produced it), stats, trends, and scoring now or in bulk."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.http.api import Call, HttpApi, Reply
from shared.sentiment.models import (
    AnalyzeRequest,
    BulkAnalyzeRequest,
    SentimentListQuery,
    SentimentRangeQuery,
    SentimentTrendQuery,
)


def list_sentiment(call: Call) -> Reply:
    return Reply(200, services().sentiment.list(call.principal, call.query(SentimentListQuery)))


def sentiment_stats(call: Call) -> Reply:
    query = call.query(SentimentRangeQuery)
    return Reply(200, services().sentiment.stats(call.principal, query))


def sentiment_trends(call: Call) -> Reply:
    query = call.query(SentimentTrendQuery)
    return Reply(200, services().sentiment.trends(call.principal, query))


def analyze_sentiment(call: Call) -> Reply:
    request = call.body(AnalyzeRequest)
    return Reply(200, services().sentiment.analyze(call.principal, request))


def bulk_analyze_sentiment(call: Call) -> Reply:
    call.body(BulkAnalyzeRequest)
    return Reply(202, services().sentiment_batch_job.request(call.principal))


api = HttpApi(
    "sentiment_api",
    {
        "listSentiment": list_sentiment,
        "getSentimentStats": sentiment_stats,
        "getSentimentTrends": sentiment_trends,
        "analyzeSentiment": analyze_sentiment,
        "bulkAnalyzeSentiment": bulk_analyze_sentiment,
    },
)


@functions_framework.http
def sentiment_api(request: flask.Request) -> flask.Response:
    return api(request)
