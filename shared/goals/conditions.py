"""What a goal's condition may test, checked when the goal is written, so that the SQL that
evaluates every goal (bigquery_sql/views/goal_conversions.sql) only ever sees values it can run.

Regexes are RE2, the engine BigQuery's REGEXP_CONTAINS and DuckDB's regexp_matches both use:
a pattern is compiled here with the same library (google-re2), so one that BigQuery would refuse
(a backreference, a lookahead, a bad repetition) is a 422 at write time, never a failing view.
RE2 runs in linear time, so no pattern backtracks catastrophically; what can still hurt is a
pattern that compiles to a huge program (nested counted repetitions), which is bounded here.
"""

from __future__ import annotations

import re
from typing import Literal

import re2

from shared.tracking.events import CAMPAIGN_PARAMETERS

Operator = Literal["equals", "contains", "regex", "greater_than"]
TEXT_FIELDS = (
    "url",
    "referrer",
    *(name for name in CAMPAIGN_PARAMETERS if name.startswith("utm_")),
    "event_name",
    "order_id",
    "currency",
)
"""The event columns a text condition may test (track_events column names)."""
VALUE_FIELD = "value"
"""The event's value, compared in currency units (greater_than only)."""
PROPERTY_PREFIX = "properties."
MAX_PROPERTY_KEY = 100
"""The longest property key an event may carry (shared/tracking/events.py), so the longest a
condition can name."""
MAX_CONDITIONS = 10
MAX_TEXT = 500
"""The longest text an event field holds that a condition compares (UTM values, properties);
URLs are longer, and `contains`/`regex` still reach all of them."""
MAX_PATTERN = 300
MAX_PROGRAM_SIZE = 5_000
"""RE2's compiled program size (its measure of a pattern's cost). A Unicode class (`\\pL`) is
about 1,200 (`\\pL{3}` 3,600); large counted repetitions of alternatives exceed it."""
_RE2_MEMORY = 1 << 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def property_key(field: str) -> str | None:
    """The key of a `properties.<key>` field, or None for an event column."""
    return field.removeprefix(PROPERTY_PREFIX) if field.startswith(PROPERTY_PREFIX) else None


def check_field(field: str) -> str:
    """The field as sent, or ValueError saying which fields exist."""
    key = property_key(field)
    if key is None:
        if field in TEXT_FIELDS or field == VALUE_FIELD:
            return field
        listed = ", ".join((*TEXT_FIELDS, VALUE_FIELD))
        raise ValueError(f"must be one of {listed} or properties.<key>")
    if not key or len(key) > MAX_PROPERTY_KEY or _CONTROL.search(key):
        raise ValueError(
            f"a property key is 1 to {MAX_PROPERTY_KEY} characters, without control characters"
        )
    return field


def check_operator(field: str, operator: Operator) -> None:
    """greater_than compares numbers: the event's value or a numeric property; the value is a
    number only, so it takes no text operator."""
    if operator == "greater_than" and field in TEXT_FIELDS:
        raise ValueError(f"greater_than applies to value or a numeric property, not {field}")
    if field == VALUE_FIELD and operator != "greater_than":
        raise ValueError("the event's value is compared with greater_than only")


def check_pattern(pattern: str) -> str:
    """The pattern when RE2 compiles it into a small enough program; ValueError otherwise."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"a regex is at most {MAX_PATTERN} characters")
    options = re2.Options()
    options.max_mem = _RE2_MEMORY
    options.log_errors = False
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as exc:
        raise ValueError(f"is not a valid RE2 regular expression: {_reason(exc)}") from exc
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise ValueError(
            f"the regex is too complex (RE2 program size {compiled.programsize}, "
            f"at most {MAX_PROGRAM_SIZE}); simplify nested or counted repetitions"
        )
    return pattern


def _reason(exc: re2.error) -> str:
    detail = exc.args[0] if exc.args else exc
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
