"""Request bodies read within a bound (shared/http/body.py): a declared length over the bound
is refused unread, a declared length is read whole, and a body with no declared length
(chunked) is still refused once it passes the bound."""

from __future__ import annotations

import io

import flask
import pytest
from werkzeug.test import EnvironBuilder

from shared.errors import PayloadTooLarge
from shared.http.body import read_body

BOUND = 1000


class Untouchable(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("a body declared too large was read")


def request(
    body: bytes, *, declared: bool = True, stream: io.BytesIO | None = None
) -> flask.Request:
    environ = EnvironBuilder(method="POST", data=body).get_environ()
    environ["wsgi.input"] = stream or io.BytesIO(body)
    if not declared:
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True  # how a server passes a chunked body on
    return flask.Request(environ)


@pytest.mark.parametrize("size", [0, 1, BOUND - 1, BOUND])
@pytest.mark.parametrize("declared", [True, False])
def test_a_body_within_the_bound_is_read_whole(size: int, declared: bool) -> None:
    body = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    assert read_body(request(body, declared=declared), BOUND) == body


def test_a_declared_length_over_the_bound_is_refused_before_reading() -> None:
    body = b"x" * (BOUND + 1)
    with pytest.raises(PayloadTooLarge, match=f"upload exceeds {BOUND} bytes"):
        read_body(request(body, stream=Untouchable(body)), BOUND, "upload")


def test_a_chunked_body_over_the_bound_is_refused() -> None:
    with pytest.raises(PayloadTooLarge, match=f"body exceeds {BOUND} bytes"):
        read_body(request(b"x" * (BOUND * 3), declared=False), BOUND)
