"""How every demo section reads a reply: the status it expects, or an error naming the
request, so a demo step that goes wrong stops with what was asked and what came back."""

from __future__ import annotations

from typing import Any

import httpx


def expect_status(response: httpx.Response, *statuses: int) -> httpx.Response:
    """The reply itself (a PDF, a CSV), or a RuntimeError naming the request when its status
    is not one of `statuses`."""
    if response.status_code not in statuses:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}, expected {statuses}: {response.text[:2000]}"
        )
    return response


def expect(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """The reply's JSON body ({} when it has none), as expect_status checks it."""
    body: dict[str, Any] = expect_status(response, *statuses).json() if response.content else {}
    return body
