"""HTTP entry point for Meta's OAuth redirect: verify the state, exchange the code, vault the
token, record the ad accounts. Answers JSON (a frontend may redirect on from here)."""

from __future__ import annotations

import flask
import functions_framework
from pydantic import BaseModel, ValidationError

from shared.bootstrap import services
from shared.errors import ReachOpsError, ValidationFailed
from shared.ports import AdsError


class CallbackQuery(BaseModel):
    code: str
    state: str


@functions_framework.http
def meta_oauth_callback(request: flask.Request) -> flask.Response:
    if "error" in request.args:
        body = {
            "error": {
                "code": "oauth_denied",
                "message": request.args.get("error_description") or request.args["error"],
                "field": "query.error",
            }
        }
        return flask.make_response(flask.jsonify(body), 400)
    try:
        query = CallbackQuery.model_validate(request.args.to_dict())
        accounts = services().ad_accounts.complete(query.code, query.state)
    except ValidationError as exc:
        error: ReachOpsError = ValidationFailed.from_pydantic(exc, prefix="query.")
        return flask.make_response(flask.jsonify(error.to_body()), error.status)
    except ReachOpsError as error:
        return flask.make_response(flask.jsonify(error.to_body()), error.status)
    except AdsError as exc:  # Meta's message names its code, never the token
        body = {"error": {"code": "meta_refused", "message": str(exc), "field": "query.code"}}
        return flask.make_response(flask.jsonify(body), 502)
    return flask.jsonify({"connected": [a.model_dump(mode="json") for a in accounts]})
