"""HTTP entry point for Apify's run webhooks: verify the signature, confirm the report with
Apify's API, hand it on over Pub/Sub, answer at once."""

from __future__ import annotations

import flask
import functions_framework
from pydantic import ValidationError

from shared.bootstrap import services
from shared.errors import ReachOpsError, ValidationFailed
from shared.scraping.webhook import (
    RETRY_AFTER_SECONDS,
    WebhookPayload,
    WebhookQuery,
    confirmed_event,
    verify,
)


@functions_framework.http
def apify_webhook(request: flask.Request) -> flask.Response:
    try:
        query = WebhookQuery.model_validate(request.args.to_dict())
        verify(
            services().settings.apify_webhook_secret, query.org, query.job, query.sig, query.claim
        )
        try:
            payload = WebhookPayload.model_validate_json(request.get_data())
        except ValidationError as exc:
            raise ValidationFailed.from_pydantic(exc) from exc
        services().bus.publish(confirmed_event(services().scraper(), query, payload))
    except ValidationError as exc:
        error: ReachOpsError = ValidationFailed.from_pydantic(exc, prefix="query.")
        return flask.make_response(flask.jsonify(error.to_body()), error.status)
    except ReachOpsError as error:
        reply = flask.make_response(flask.jsonify(error.to_body()), error.status)
        if error.status == 503:
            reply.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return reply
    return flask.jsonify({"accepted": True})
