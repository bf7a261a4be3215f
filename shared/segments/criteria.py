"""Segment criteria: the JSON a segment's rules are written in, parsed into a small tree.

    {"all": [node, ...]} | {"any": [node, ...]} | {"not": node}
    {"field": "last_seen_at", "op": ">=", "value": "2026-01-01T00:00:00Z"}
    {"field": "days_since_last_seen", "op": "<", "value": 30}
    {"event": "purchase", "within_days": 90, "channel": "web", "count": {">=": 2}}
    {"event": "purchase", "sum_value": {">": 100}, "currency": "EUR"}

Parsing is strict (unknown keys, fields, events and operators are errors) and bounded (depth
and node count), and every error names its path from `criteria`, e.g. `criteria.all.1.field`,
so the API answers a 422 a person can act on. Nothing here builds SQL (shared/segments/
compiler.py does, from this tree), so the tree is the one thing both the SQL and the tests'
reference evaluation read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast, get_args

from shared.errors import ValidationFailed
from shared.model_base import MAX_COUNT
from shared.tracking.events import to_micros

Op = Literal["=", "!=", "<", "<=", ">", ">="]
OPS: tuple[str, ...] = get_args(Op)
TIMESTAMP_FIELDS = ("created_at", "updated_at", "first_seen_at", "last_seen_at")
"""reachops.people's own timestamps, and the first and last journey event of the person."""
DAYS_FIELDS = {
    "days_since_created": "created_at",
    "days_since_first_seen": "first_seen_at",
    "days_since_last_seen": "last_seen_at",
}
"""Whole days (floor) from a timestamp to the evaluation time: `days_since_last_seen < 30`."""
EVENTS = ("form_submit", "feedback", "purchase", "page_view", "social_engage", "lead_capture")
CHANNELS = ("web", "social", "email", "sms")
MAX_DEPTH = 6
MAX_NODES = 100
MAX_WINDOW_DAYS = 3650
MAX_DAYS = 36500


@dataclass(frozen=True)
class FieldRule:
    field: str
    op: Op
    value: datetime | int  # a timestamp field takes a timestamp, a days_since_* field days


@dataclass(frozen=True)
class EventRule:
    """Journey events of the person that match, counted or their value summed (in micros of
    `currency`), within the last `within_days` days when given."""

    event: str
    within_days: int | None
    channel: str | None
    measure: Literal["count", "sum_value"]
    op: Op
    amount: int
    currency: str | None


@dataclass(frozen=True)
class Group:
    kind: Literal["all", "any"]
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = FieldRule | EventRule | Group | Not


def parse_criteria(raw: object, path: str = "criteria") -> Node:
    """The tree of a criteria document; ValidationFailed names the first bad path."""
    counter = [0]
    return _node(raw, path, 1, counter)


def _fail(path: str, reason: str) -> ValidationFailed:
    return ValidationFailed(f"{path}: {reason}", field=path)


def _node(raw: object, path: str, depth: int, counter: list[int]) -> Node:
    if depth > MAX_DEPTH:
        raise _fail(path, f"criteria nest at most {MAX_DEPTH} levels deep")
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _fail(path, f"criteria have at most {MAX_NODES} nodes")
    if not isinstance(raw, dict) or not raw:
        raise _fail(path, "must be an object: all, any, not, a field rule or an event rule")
    keys = set(raw)
    for kind in ("all", "any"):
        if kind in keys:
            _only(raw, {kind}, path)
            items = raw[kind]
            if not isinstance(items, list) or not items:
                raise _fail(f"{path}.{kind}", "must be a non-empty list")
            return Group(
                kind=kind,
                items=tuple(
                    _node(item, f"{path}.{kind}.{i}", depth + 1, counter)
                    for i, item in enumerate(items)
                ),
            )
    if "not" in keys:
        _only(raw, {"not"}, path)
        return Not(item=_node(raw["not"], f"{path}.not", depth + 1, counter))
    if "field" in keys:
        return _field_rule(raw, path)
    if "event" in keys:
        return _event_rule(raw, path)
    unknown = sorted(keys)[0]
    raise _fail(f"{path}.{unknown}", "is not all, any, not, field or event")


def _only(raw: Mapping[str, Any], allowed: set[str], path: str) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise _fail(f"{path}.{extra[0]}", "is not allowed here")


def _op(raw: object, path: str) -> Op:
    if not isinstance(raw, str) or raw not in OPS:
        raise _fail(path, f"must be one of {', '.join(OPS)}")
    return cast(Op, raw)


def _whole(raw: object, path: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise _fail(path, f"must be a whole number from {low} to {high}")
    return raw


def _field_rule(raw: Mapping[str, Any], path: str) -> FieldRule:
    _only(raw, {"field", "op", "value"}, path)
    field = raw["field"]
    if field not in TIMESTAMP_FIELDS and field not in DAYS_FIELDS:
        known = ", ".join((*TIMESTAMP_FIELDS, *DAYS_FIELDS))
        raise _fail(f"{path}.field", f"is not a person field (one of {known})")
    op = _op(raw.get("op"), f"{path}.op")
    value = raw.get("value")
    if field in DAYS_FIELDS:
        return FieldRule(field, op, _whole(value, f"{path}.value", 0, MAX_DAYS))
    if not isinstance(value, str):
        raise _fail(f"{path}.value", "must be an ISO 8601 timestamp with a time zone")
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"{path}.value", "must be an ISO 8601 timestamp with a time zone") from exc
    if at.tzinfo is None:
        raise _fail(f"{path}.value", "must name its time zone (e.g. Z or +01:00)")
    return FieldRule(field, op, at)


def _event_rule(raw: Mapping[str, Any], path: str) -> EventRule:
    _only(raw, {"event", "within_days", "channel", "count", "sum_value", "currency"}, path)
    event = raw["event"]
    if event not in EVENTS:
        raise _fail(f"{path}.event", f"is not a journey event (one of {', '.join(EVENTS)})")
    within = raw.get("within_days")
    if within is not None:
        within = _whole(within, f"{path}.within_days", 1, MAX_WINDOW_DAYS)
    channel = raw.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise _fail(f"{path}.channel", f"must be one of {', '.join(CHANNELS)}")
    measures = [m for m in ("count", "sum_value") if m in raw]
    if len(measures) != 1:
        raise _fail(path, "an event rule has exactly one of count or sum_value")
    measure = cast(Literal["count", "sum_value"], measures[0])
    compare = raw[measure]
    where = f"{path}.{measure}"
    if not isinstance(compare, dict) or len(compare) != 1:
        raise _fail(where, 'must be one comparison, e.g. {">=": 2}')
    ((op_raw, operand),) = compare.items()
    op = _op(op_raw, where)
    currency = raw.get("currency")
    if measure == "count":
        if currency is not None:
            raise _fail(f"{path}.currency", "only a sum_value rule names a currency")
        return EventRule(
            event,
            within,
            channel,
            measure,
            op,
            _whole(operand, f"{where}.{op}", 0, MAX_COUNT),
            None,
        )
    if not isinstance(currency, str):
        raise _fail(f"{path}.currency", "a sum_value rule names its ISO 4217 currency")
    if isinstance(operand, bool) or not isinstance(operand, int | float | str):
        raise _fail(f"{where}.{op}", "must be an amount in currency units")
    try:
        micros = to_micros(operand, currency)
    except ValueError as exc:
        name, _, reason = str(exc).partition(": ")
        bad = f"{path}.currency" if name == "currency" else f"{where}.{op}"
        raise _fail(bad, reason) from exc
    return EventRule(event, within, channel, measure, op, micros, currency)
