"""Handing a Meta credential from a public function to the token vault, which is not public.

The OAuth callback and the API answer the internet; neither holds the Meta app secret's
OAuth use nor any right to create secrets. They hand what they were given (an OAuth code with
its state, or a System User token) to the `token_vault` Cloud Tasks target, which exchanges
and vaults it, and wait a little for the outcome it records in `token_handoffs/{id}`. That
document names the accounts connected or the error, never the code or the token; the task
that carries them is deleted by Cloud Tasks once delivered.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr

from shared.adaccounts.oauth import same_digest, state_nonce
from shared.adaccounts.service import OAUTH_STATES
from shared.adaccounts.tokens import SystemUserConnect
from shared.auth import Permission, Principal
from shared.errors import Conflict, ReachOpsError, Unauthenticated
from shared.ports import DocumentStore, TaskQueue

VAULT_QUEUE = "token-vault"
HANDOFFS = "token_handoffs"
PENDING, CONNECTED, FAILED = "pending", "connected", "failed"


class CodeHandoff(BaseModel):
    """An OAuth code, with the state that came back with it (the vault verifies the state's
    signature and re-checks its key and organization before it spends the code)."""

    kind: Literal["oauth_code"] = "oauth_code"
    handoff_id: str
    state: str
    code: SecretStr


class SystemUserHandoff(BaseModel):
    """A System User token an organization's admin pasted into the API."""

    kind: Literal["system_user"] = "system_user"
    handoff_id: str
    org_id: str
    key_id: str
    access_token: SecretStr


HandoffTask = Annotated[CodeHandoff | SystemUserHandoff, Field(discriminator="kind")]


class HandoffEnvelope(BaseModel):
    """The Cloud Task body the vault function validates."""

    task: HandoffTask


class Outcome(BaseModel):
    status: Literal["pending", "connected", "failed"]
    accounts: list[dict[str, Any]] = Field(default_factory=list)
    http_status: int | None = None
    error: dict[str, Any] | None = None


def handoff_path(handoff_id: str) -> str:
    return f"{HANDOFFS}/{handoff_id}"


class TokenHandoff:
    def __init__(
        self,
        *,
        store: DocumentStore,
        tasks: TaskQueue,
        wait_seconds: float = 25.0,
        poll_seconds: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`wait_seconds` is how long a caller waits for the vault's outcome before it answers
        202 (the function's own timeout is longer)."""
        self._store = store
        self._tasks = tasks
        self._wait = wait_seconds
        self._poll = poll_seconds
        self._sleep = sleep

    def hand_over(self, task: CodeHandoff | SystemUserHandoff, org_id: str | None) -> Outcome:
        """Record the hand-off as pending, enqueue it (named by its id, so once), and wait."""
        self._store.set(
            handoff_path(task.handoff_id),
            {"status": PENDING, "kind": task.kind, "org_id": org_id, "at": datetime.now(UTC)},
        )
        body = HandoffEnvelope(task=task).model_dump(mode="json")
        secret = task.code if isinstance(task, CodeHandoff) else task.access_token
        field = "code" if isinstance(task, CodeHandoff) else "access_token"
        body["task"][field] = secret.get_secret_value()
        self._tasks.enqueue(VAULT_QUEUE, body, task_id=task.handoff_id)
        return self.await_outcome(task.handoff_id)

    def await_outcome(self, handoff_id: str) -> Outcome:
        deadline = time.monotonic() + self._wait
        while True:
            outcome = self.outcome(handoff_id)
            if outcome.status != PENDING or time.monotonic() >= deadline:
                return outcome
            self._sleep(self._poll)

    def outcome(self, handoff_id: str) -> Outcome:
        data = self._store.get(handoff_path(handoff_id)) or {"status": PENDING}
        return Outcome.model_validate({k: v for k, v in data.items() if k in Outcome.model_fields})

    def system_user(self, principal: Principal, request: SystemUserConnect) -> Outcome:
        """POST /v1/ad-accounts/system-user: the caller's role is checked here, the token
        there."""
        principal.require(Permission.MANAGE_SETTINGS)
        task = SystemUserHandoff(
            handoff_id=secrets.token_hex(16),
            org_id=principal.org_id,
            key_id=principal.key_id,
            access_token=request.access_token,
        )
        return self.hand_over(task, principal.org_id)

    def start(self, state_text: str) -> str:
        """GET .../meta_oauth_callback/start: the Meta dialog URL a live, unused state of ours
        was issued for (the browser is sent there, carrying the cookie `start` sets)."""
        return str(self._issued(state_text)["dialog_url"])

    def oauth_callback(self, code: SecretStr, state_text: str, cookie: str | None) -> Outcome:
        """Meta's redirect: the state must be a live one of ours, come back to the browser
        that started it (the cookie), and is spent here, once; the code goes to the vault."""
        issued = self._issued(state_text)
        if not same_digest(cookie, state_text):
            raise Unauthenticated(
                "this browser did not start the connection; open the authorize URL again",
                field="cookie",
            )
        nonce = state_nonce(state_text)

        def spend(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is None or data.get("used"):
                raise Conflict("this OAuth state was already used", field="query.state")
            return {**data, "used": True}

        self._store.update_atomically(f"{OAUTH_STATES}/{nonce}", spend)
        task = CodeHandoff(handoff_id=nonce, state=state_text, code=code)
        return self.hand_over(task, str(issued["org_id"]))

    def _issued(self, state_text: str) -> dict[str, Any]:
        record = self._store.get(f"{OAUTH_STATES}/{state_nonce(state_text)}")
        if record is None or not same_digest(record.get("digest"), state_text):
            raise Unauthenticated("the OAuth state is not one ReachOps issued", field="query.state")
        if record.get("used"):
            raise Conflict("this OAuth state was already used", field="query.state")
        if record["expires_at"] < datetime.now(UTC):
            raise Unauthenticated("the OAuth state has expired; connect again", field="query.state")
        return record

    def connected(self, handoff_id: str, accounts: list[dict[str, Any]]) -> Outcome:
        return self._record(handoff_id, Outcome(status=CONNECTED, accounts=accounts))

    def failed(self, handoff_id: str, error: ReachOpsError) -> Outcome:
        outcome = Outcome(status=FAILED, http_status=error.status, error=error.to_body())
        return self._record(handoff_id, outcome)

    def _record(self, handoff_id: str, outcome: Outcome) -> Outcome:
        path = handoff_path(handoff_id)
        self._store.set(path, {**(self._store.get(path) or {}), **outcome.model_dump()})
        return outcome
