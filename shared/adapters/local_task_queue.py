"""TaskQueue for the local stack: hands tasks to the stack's dispatcher over HTTP, presenting
`identity(queue)` (the caller's local identity token for that queue, as the Cloud Tasks client
presents its service account's credentials)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from shared.adapters.task_names import task_name
from shared.errors import Unavailable


class LocalTaskQueue:
    def __init__(
        self,
        dispatcher_url: str,
        client: httpx.Client | None = None,
        identity: Callable[[str], Mapping[str, str]] = lambda queue: {},
    ) -> None:
        self._dispatcher_url = dispatcher_url.rstrip("/")
        self._client = client or httpx.Client(timeout=10)
        self._identity = identity

    def enqueue(
        self,
        queue: str,
        payload: Mapping[str, Any],
        *,
        task_id: str | None = None,
        delay_seconds: float = 0,
    ) -> None:
        name = task_name(queue, payload, task_id)
        body = {"payload": dict(payload), "task_id": name, "delay_seconds": delay_seconds}
        try:
            response = self._client.post(
                f"{self._dispatcher_url}/{queue}", json=body, headers=dict(self._identity(queue))
            )
        except httpx.HTTPError as exc:
            raise Unavailable(f"local task dispatcher unreachable: {exc}") from exc
        if response.status_code not in (200, 201, 409):
            raise Unavailable(f"local task dispatcher refused the task: {response.text}")
