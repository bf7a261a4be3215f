"""Caller identities on the local stack, so an IAM mistake shows up before production.

In production every function but the public webhooks is a private Cloud Run service: a caller
needs roles/run.invoker on it and an OIDC token for it. terraform grants that role (iam.tf,
`invokers`) from shared/topology.yaml: the gateway calls the API functions, the Pub/Sub push
identity calls every function that subscribes to a topic, the Cloud Tasks identity calls each
queue's target, the Cloud Scheduler identity calls each schedule's target, and anyone may call
a webhook function. `invokers` derives the same table from the same file.

Each function runs as its own service account (`function_account`, terraform's
`function_accounts`). While the host serves a request, `serving_function` names the function,
so what its code sends (a task to the dispatcher) carries that function's identity; code
outside any function (the CLI, a test driving services in-process) acts as the operator, who
holds every role, as a project owner running the CLI does in production.

Locally a service account's identity token is an HMAC-signed (itsdangerous) claim of its email
and the audience (the function it was minted for) under the stack's key. The Pub/Sub emulator
cannot attach a token to a push (it has no `oidcToken` support), so the push endpoint carries
one in its query (`IDENTITY_PARAM`), which the check takes off before the function sees the
request. Such a token is written once into the subscription, so unlike Google's ID tokens it
does not expire; the key is made afresh by every `stack.up`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from shared.topology import Topology

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# terraform/iam.tf's account ids of the callers (google_service_account.<x>.account_id).
GATEWAY = "reachops-gateway"
PUBSUB_PUSH = "reachops-pubsub-push"
TASKS_INVOKER = "reachops-tasks-invoker"
SCHEDULER = "reachops-scheduler"
PUBLIC = "allUsers"
OPERATOR = "reachops-operator"
IDENTITY_PARAM = "__local_identity"
_SALT = "reachops-local-identity"


def service_account_email(account_id: str, project_id: str) -> str:
    return f"{account_id}@{project_id}.iam.gserviceaccount.com"


def function_account(function_name: str) -> str:
    """terraform/locals.tf's `function_accounts`: `fn-<name, dashed>`, at most 30 characters."""
    return f"fn-{function_name.replace('_', '-')}"[:30].removesuffix("-")


serving_function: ContextVar[str | None] = ContextVar("serving_function", default=None)
"""The function whose request this thread is serving on the local host, if any."""


def caller_account() -> str:
    """Who the code running now acts as: the function being served, else the operator."""
    function_name = serving_function.get()
    return OPERATOR if function_name is None else function_account(function_name)


def invokers(topology: Topology) -> dict[str, frozenset[str]]:
    """Function -> the account ids granted roles/run.invoker on it (or PUBLIC), as terraform's
    `invokers` and `public_invoker` grant them."""
    granted: dict[str, set[str]] = {name: set() for name in topology.functions}
    for name, spec in topology.functions.items():
        if spec.trigger == "api":
            granted[name].add(GATEWAY)
        if spec.trigger == "webhook":
            granted[name].add(PUBLIC)
    for function_name, _ in topology.subscriptions():
        granted[function_name].add(PUBSUB_PUSH)
    for queue in topology.queues.values():
        granted[queue.target_function].add(TASKS_INVOKER)
    for schedule in topology.schedules.values():
        granted[schedule.target_function].add(SCHEDULER)
    return {name: frozenset(accounts) for name, accounts in granted.items()}


class LocalIdentities:
    """Mints and checks the local identity tokens under one key."""

    def __init__(self, key: str, project_id: str) -> None:
        if not key:
            raise ValueError("the local identity key is empty; every call would be refused")
        self._serializer = URLSafeSerializer(key, salt=_SALT)
        self._project_id = project_id

    def token(self, account_id: str, audience: str) -> str:
        email = service_account_email(account_id, self._project_id)
        return self._serializer.dumps({"email": email, "aud": audience})

    def headers(self, account_id: str, audience: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(account_id, audience)}"}

    def push_endpoint(self, url: str, function_name: str) -> str:
        """The function's URL as a push subscription calls it, carrying the push identity."""
        query = urlencode({IDENTITY_PARAM: self.token(PUBSUB_PUSH, function_name)})
        return f"{url}?{query}"

    def account_of(self, token: str, audience: str) -> str | None:
        """The account id the token was minted for, if it is valid for `audience`."""
        try:
            claims = self._serializer.loads(token)
        except BadSignature:
            return None
        suffix = f"@{self._project_id}.iam.gserviceaccount.com"
        email = str(claims.get("email", "")) if isinstance(claims, dict) else ""
        if claims.get("aud") != audience or not email.endswith(suffix):
            return None
        return email.removesuffix(suffix)


class RequireInvoker:
    """Cloud Run's invoker check in front of one function: 401 without a valid token for it,
    403 for an identity that holds no roles/run.invoker on it."""

    def __init__(
        self,
        app: WSGIApplication,
        function_name: str,
        allowed: Iterable[str],
        identities: LocalIdentities,
    ) -> None:
        self._app = app
        self._function = function_name
        self._allowed = frozenset(allowed)
        self._identities = identities

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        pushed = [value for key, value in query if key == IDENTITY_PARAM]
        if pushed:
            environ["QUERY_STRING"] = urlencode([(k, v) for k, v in query if k != IDENTITY_PARAM])
        if PUBLIC in self._allowed:
            return self._serve(environ, start_response)
        header = str(environ.get("HTTP_AUTHORIZATION", ""))
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        token = token or (pushed[0] if pushed else None)
        account = self._identities.account_of(token, self._function) if token else None
        if account is None:
            return refuse(401, "no valid identity token for this function", start_response)
        if account not in self._allowed:
            why = f"{account} does not hold roles/run.invoker on {self._function}"
            return refuse(403, why, start_response)
        return self._serve(environ, start_response)

    def _serve(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        serving = serving_function.set(self._function)
        try:
            return self._app(environ, start_response)
        finally:
            serving_function.reset(serving)


def guarded(
    apps: Mapping[str, WSGIApplication], topology: Topology, identities: LocalIdentities
) -> dict[str, WSGIApplication]:
    """Each function's app behind the invoker check terraform's grants imply."""
    allowed = invokers(topology)
    return {
        name: RequireInvoker(app, name, allowed[name], identities) for name, app in apps.items()
    }


def refuse(status: int, message: str, start_response: StartResponse) -> list[bytes]:
    code, reason = (
        ("unauthenticated", "Unauthorized") if status == 401 else ("forbidden", "Forbidden")
    )
    body = json.dumps({"error": {"code": code, "message": message, "field": None}}).encode()
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
