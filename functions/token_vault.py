"""HTTP entry point for the token-vault Cloud Tasks queue: exchange an OAuth code, or check a
System User token, and vault the token (the only function that may create token secrets; it is
not public). Every outcome is recorded for the waiting caller; a malformed task is dropped."""

from __future__ import annotations

import logging

import flask
import functions_framework
from pydantic import ValidationError

from shared.adaccounts.handoff import HandoffEnvelope
from shared.bootstrap import services

logger = logging.getLogger(__name__)


@functions_framework.http
def token_vault(request: flask.Request) -> flask.Response:
    try:
        envelope = HandoffEnvelope.model_validate_json(request.get_data())
    except ValidationError as exc:  # pydantic never echoes a SecretStr's value
        logger.error("dropping a malformed token hand-off: %d errors", exc.error_count())
        return flask.jsonify({"dropped": "malformed task"})
    outcome = services().token_vaulting.run(envelope.task)
    return flask.jsonify({"status": outcome.status})
