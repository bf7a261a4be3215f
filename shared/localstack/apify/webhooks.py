"""Ad-hoc webhooks: how a run start's `webhooks` parameter is read, the payload each event
sends (Apify's default {userId, createdAt, eventType, eventData, resource} or the rendered
payloadTemplate), and delivery. A non-2xx answer is retried a few times with short backoff
(the real service retries for about 32 hours); the duplicate_webhooks fault sends each
delivery twice with one dispatch id, as Apify's at-least-once delivery may."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from shared.localstack.apify.common import LOCAL_USER_ID, ApiError, iso, new_id
from shared.localstack.apify.runs import Run

logger = logging.getLogger(__name__)
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")


def decode_webhooks(encoded: str | None) -> list[dict[str, Any]]:
    """The `webhooks` query parameter: base64 of a JSON array of {eventTypes, requestUrl,
    payloadTemplate?, headersTemplate?}."""
    if not encoded:
        return []
    try:
        webhooks = json.loads(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise ApiError(400, "invalid-parameter", "webhooks must be base64-encoded JSON") from exc
    if not isinstance(webhooks, list):
        raise ApiError(400, "invalid-parameter", "webhooks must be a JSON array")
    out = []
    for webhook in webhooks:
        if not isinstance(webhook, dict):
            raise ApiError(400, "invalid-parameter", "each webhook must be an object")
        events, url = webhook.get("eventTypes"), webhook.get("requestUrl")
        if (
            not isinstance(events, list)
            or not events
            or not all(isinstance(e, str) for e in events)
        ):
            raise ApiError(400, "invalid-parameter", "webhook eventTypes must be a non-empty array")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise ApiError(400, "invalid-parameter", "webhook requestUrl must be an http(s) URL")
        out.append({**webhook, "id": new_id()})
    return out


def render_template(template: str, variables: Mapping[str, Any]) -> str:
    """A payload or headers template: each {{path}} becomes the JSON of that variable."""

    def value(match: re.Match[str]) -> str:
        node: Any = variables
        for part in match.group(1).split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        return json.dumps(node)

    return _VARIABLE.sub(value, template)


@dataclass
class Delivery:
    dispatch: dict[str, Any]  # the run's record of it, updated as attempts are made
    body: bytes
    headers: dict[str, str]
    copies: int


def deliveries(
    run: Run, event_type: str, resource: dict[str, Any], now: datetime, duplicate: bool
) -> list[Delivery]:
    """The deliveries `event_type` causes for `run` (call holding the server's lock: each is
    recorded on the run as a dispatch)."""
    out = []
    for webhook in run.webhooks:
        if event_type not in webhook["eventTypes"]:
            continue
        variables = {
            "userId": LOCAL_USER_ID,
            "createdAt": iso(now),
            "eventType": event_type,
            "eventData": {"actorId": run.spec.id, "actorRunId": run.id},
            "resource": resource,
        }
        template = webhook.get("payloadTemplate")
        body = render_template(template, variables) if template else json.dumps(variables)
        headers = {"Content-Type": "application/json"}
        if webhook.get("headersTemplate"):
            try:
                extra = json.loads(render_template(webhook["headersTemplate"], variables))
                headers.update({str(k): str(v) for k, v in dict(extra).items()})
            except (ValueError, TypeError):
                logger.warning("ignoring a headersTemplate that is not a JSON object")
        dispatch = {
            "id": new_id(),
            "eventType": event_type,
            "requestUrl": webhook["requestUrl"],
            "status": "ACTIVE",
            "attempts": 0,
            "deliveries": 0,
            "lastStatusCode": None,
        }
        run.dispatches.append(dispatch)
        headers["X-Apify-Webhook"] = webhook["id"]
        headers["X-Apify-Webhook-Dispatch-Id"] = dispatch["id"]
        out.append(Delivery(dispatch, body.encode(), headers, 2 if duplicate else 1))
    return out


class Courier:
    """Sends deliveries from background threads, retrying non-2xx answers."""

    def __init__(self, lock: threading.Condition, retry_delays: Iterable[float]) -> None:
        self._lock = lock
        self._retry_delays = tuple(retry_delays)
        self._http = httpx.Client(timeout=30)

    def send(self, jobs: list[Delivery]) -> None:
        for job in jobs:
            threading.Thread(target=self._deliver, args=(job,), daemon=True).start()

    def close(self) -> None:
        self._http.close()

    def _attempt(self, job: Delivery) -> bool:
        dispatch = job.dispatch
        try:
            answer = self._http.post(dispatch["requestUrl"], content=job.body, headers=job.headers)
            code: int | None = answer.status_code
        except httpx.HTTPError as exc:
            logger.info("webhook %s: %s", dispatch["requestUrl"], exc)
            code = None
        ok = code is not None and 200 <= code < 300
        with self._lock:
            dispatch["attempts"] += 1
            dispatch["lastStatusCode"] = code
            if ok:
                dispatch["deliveries"] += 1
                dispatch["status"] = "SUCCEEDED"
        return ok

    def _deliver(self, job: Delivery) -> None:
        for _ in range(job.copies):
            delivered = False
            for delay in (0.0, *self._retry_delays):
                time.sleep(delay)
                if self._attempt(job):
                    delivered = True
                    break
            if not delivered:
                with self._lock:
                    job.dispatch["status"] = "FAILED"
                logger.warning("webhook to %s failed for good", job.dispatch["requestUrl"])
