"""HTTP entry point: Meta's Lead Ads webhook (public; Meta signs each call). GET answers the
subscription handshake; POST checks the signature over the raw body, then queues each lead."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.conversions.meta_leads import SIGNATURE_HEADER
from shared.http.body import read_body
from shared.http.public import PublicApi, PublicCall
from shared.http.routing import json_reply

MAX_BODY_BYTES = 1024 * 1024


def verify(call: PublicCall) -> flask.Response:
    args = call.request.args
    challenge = services().lead_webhook.handshake(
        args.get("hub.mode"), args.get("hub.verify_token"), args.get("hub.challenge")
    )
    return flask.Response(challenge, status=200, mimetype="text/plain")


def receive(call: PublicCall) -> flask.Response:
    raw = read_body(call.request, MAX_BODY_BYTES)
    receipt = services().lead_webhook.receive(raw, call.request.headers.get(SIGNATURE_HEADER))
    return json_reply(200, receipt.model_dump(mode="json"))


api = PublicApi(
    "meta_leads_webhook", {"verifyMetaLeadsWebhook": verify, "receiveMetaLeads": receive}
)


@functions_framework.http
def meta_leads_webhook(request: flask.Request) -> flask.Response:
    return api(request)
