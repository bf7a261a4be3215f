"""Strict JSON for request bodies: what Python's parser accepts but the stores, the other
parsers or the reply cannot carry is a 4xx naming the field, never a 500 or a corrupt record.

Python's `json` takes NaN, Infinity and -Infinity (not JSON), turns 1e400 into infinity, parses
integers of any size (Firestore and BigQuery hold INT64; past 4,300 digits it raises) and
recurses until the interpreter's limit. Each of these is refused here, before a model sees the
body: the parser marks such a number, and the walk that follows names where it was.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from shared.errors import InvalidJson, ValidationFailed
from shared.model_base import INT64_MAX

MAX_DEPTH = 32
"""Deepest nesting of objects and arrays a body may have; no API model comes close."""
_INT64_DIGITS = len(str(INT64_MAX))


@dataclass(frozen=True)
class _Unstorable:
    """A number the parser read but no store can hold; `reason` says why."""

    reason: str


def parse_json(raw: bytes) -> Any:
    """The body as Python data, or InvalidJson (400) / ValidationFailed (422) naming the field."""
    try:
        value = json.loads(raw, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError as exc:
        raise InvalidJson(
            f"request body nests deeper than {MAX_DEPTH} levels", field="body"
        ) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidJson(f"request body is not valid JSON: {exc}", field="body") from exc
    _check(value, "", 0)
    return value


def _constant(name: str) -> _Unstorable:
    return _Unstorable(f"{name} is not a JSON number")


def _float(text: str) -> float | _Unstorable:
    number = float(text)
    return number if math.isfinite(number) else _Unstorable(f"{text} is too large for a number")


def _int(text: str) -> int | _Unstorable:
    number = int(text) if len(text.lstrip("-")) <= _INT64_DIGITS else None
    if number is None or not -INT64_MAX - 1 <= number <= INT64_MAX:
        return _Unstorable("is outside the 64-bit integer range")
    return number


_WALKED = (dict, list, _Unstorable)


def _check(value: Any, path: str, depth: int) -> None:
    """Walks containers and marked numbers only: a plain string, number or null (most of a
    body) needs no call of its own, nor a path built for it."""
    where = path or "body"
    if isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            raise InvalidJson(f"request body nests deeper than {MAX_DEPTH} levels", field=where)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, _WALKED):
                _check(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, _Unstorable):
        raise ValidationFailed(
            f"{where}: {value.reason}",
            field=where,
            details=[{"field": where, "message": value.reason}],
        )
