"""A request's body, read within a bound.

A declared Content-Length over the bound is refused before anything is read, and a declared
length is read as exactly that many bytes: reading `bound + 1` instead makes the WSGI stream
allocate and zero a buffer of the bound (256 KiB for a one-event beacon) on every request,
which on the tracking intake cost more than everything else it does. A body with no declared
length (chunked) is read up to `bound + 1`, so one too large is still seen as too large.
It is read through werkzeug's stream, never the server's `wsgi.input` directly: functions-
framework drains that stream after every request, and the drain fails (a 500) on a body that
was read behind its back.
"""

from __future__ import annotations

import flask

from shared.errors import PayloadTooLarge


def read_body(request: flask.Request, max_bytes: int, what: str = "body") -> bytes:
    """The raw body, or PayloadTooLarge (413) naming `what` and the bound."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise PayloadTooLarge(f"{what} exceeds {max_bytes} bytes")
    raw = request.stream.read(max_bytes + 1 if length is None else length)
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"{what} exceeds {max_bytes} bytes")
    return raw
