"""HTTP entry point for the browser's side of Meta's OAuth: `/start` binds a state to this
browser (a cookie) and sends it on to Meta's dialog; `/` takes Meta's redirect back, checks the
state and the cookie, and hands the code to the token_vault function, answering its outcome.
Public, and holds no secret."""

from __future__ import annotations

import flask
import functions_framework
from pydantic import BaseModel, SecretStr, ValidationError

from shared.adaccounts.handoff import Outcome
from shared.adaccounts.oauth import STATE_LIFETIME, cookie_name, state_digest
from shared.bootstrap import services
from shared.errors import ReachOpsError, ValidationFailed


class StartQuery(BaseModel):
    state: str


class CallbackQuery(BaseModel):
    code: SecretStr
    state: str


@functions_framework.http
def meta_oauth_callback(request: flask.Request) -> flask.Response:
    callback_url = services().settings.meta_oauth_redirect_uri
    cookie = cookie_name(callback_url)
    try:
        if request.path.rstrip("/").endswith("/start"):
            state = StartQuery.model_validate(request.args.to_dict()).state
            reply = flask.make_response("", 302)
            reply.headers["Location"] = services().token_handoff.start(state)
            reply.set_cookie(
                cookie,
                state_digest(state),
                max_age=int(STATE_LIFETIME.total_seconds()),
                path="/",
                secure=callback_url.startswith("https://"),
                httponly=True,
                samesite="Lax",
            )
            return reply
        if "error" in request.args:
            message = request.args.get("error_description") or request.args["error"]
            body = {"error": {"code": "oauth_denied", "message": message, "field": "query.error"}}
            return flask.make_response(flask.jsonify(body), 400)
        query = CallbackQuery.model_validate(request.args.to_dict())
        outcome = services().token_handoff.oauth_callback(
            query.code, query.state, request.cookies.get(cookie)
        )
    except ValidationError as exc:
        error: ReachOpsError = ValidationFailed.from_pydantic(exc, prefix="query.")
        return flask.make_response(flask.jsonify(error.to_body()), error.status)
    except ReachOpsError as error:
        return flask.make_response(flask.jsonify(error.to_body()), error.status)
    reply = flask.make_response(flask.jsonify(answer(outcome)), outcome.http_status or 200)
    reply.delete_cookie(cookie, path="/", secure=callback_url.startswith("https://"))
    return reply


def answer(outcome: Outcome) -> dict[str, object]:
    if outcome.status == "connected":
        return {"connected": outcome.accounts}
    if outcome.error is not None:
        return outcome.error
    return {"status": "pending", "message": "still connecting; list /v1/ad-accounts shortly"}
