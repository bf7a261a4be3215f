"""Cache keys and what is scored: the same text (surrounding whitespace aside) is one cache
entry per model, a form response is scored on its answers' text, and figures over nothing
scored are null with a reason."""

from __future__ import annotations

import json
from datetime import date

from shared.sentiment.cache import cache_key, content_hash
from shared.sentiment.models import MAX_TEXT, SentimentFigures, source_text
from shared.sentiment.stats import figures, periods, week_start


def test_the_same_text_is_one_entry_per_model() -> None:
    assert content_hash("Great shoes") == content_hash("  Great shoes\n")
    digest = content_hash("Great shoes")
    assert cache_key("claude-haiku-4-5", digest) == cache_key("claude-haiku-4-5", digest)
    assert cache_key("claude-haiku-4-5", digest) != cache_key("vaderSentiment-3.3.2", digest)
    assert cache_key("m", content_hash("Great shoes!")) != cache_key("m", digest)


def test_a_form_response_is_scored_on_its_answers() -> None:
    row = {"text": None, "fields_json": json.dumps({"why": "Too slow", "score": 3, "more": " "})}
    assert source_text(row) == "Too slow"
    assert source_text({"text": "x" * (MAX_TEXT + 5), "fields_json": None}) == "x" * MAX_TEXT
    assert source_text({"text": None, "fields_json": "not json"}) == ""


def test_figures_over_nothing_scored_are_null_with_a_reason() -> None:
    empty = figures([{"results": 1, "failed": 1}], SentimentFigures)
    assert empty.mean_score is None
    assert empty.positive_share is None
    assert empty.reason == "no scored texts in the period"


def test_weeks_add_days_up_and_carry_the_change() -> None:
    rows = [
        {
            "day": date(2026, 11, 2),
            "source_type": "feedback",
            "results": 2,
            "scored": 2,
            "score_sum": 1.0,
            "positive": 1,
        },
        {
            "day": date(2026, 11, 9),
            "source_type": "feedback",
            "results": 1,
            "scored": 1,
            "score_sum": -0.5,
            "negative": 1,
        },
    ]
    weeks = periods(rows, week_start)
    assert [w.period_start for w in weeks] == [date(2026, 11, 2), date(2026, 11, 9)]
    assert weeks[0].mean_score == 0.5
    assert weeks[0].mean_score_change is None
    assert weeks[1].mean_score_change == -1.0
