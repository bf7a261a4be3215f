"""Hypothesis strategies for valid segment criteria documents (the API's JSON), shared by the
compiler's unit tests and the SQL-against-pandas integration test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from shared.segments.criteria import (
    CHANNELS,
    DAYS_FIELDS,
    EVENTS,
    MAX_DEPTH,
    OPS,
    TIMESTAMP_FIELDS,
)

AS_OF = datetime(2026, 6, 1, 12, tzinfo=UTC)

ops = st.sampled_from(OPS)
timestamps = st.integers(min_value=-400, max_value=10).map(
    lambda days: (AS_OF + timedelta(days=days, hours=3)).isoformat()
)
timestamp_rules = st.fixed_dictionaries(
    {"field": st.sampled_from(TIMESTAMP_FIELDS), "op": ops, "value": timestamps}
)
days_rules = st.fixed_dictionaries(
    {
        "field": st.sampled_from(sorted(DAYS_FIELDS)),
        "op": ops,
        "value": st.integers(min_value=0, max_value=400),
    }
)
_event_base = {
    "event": st.sampled_from(EVENTS),
}
_event_optional = {
    "within_days": st.integers(min_value=1, max_value=400),
    "channel": st.sampled_from(CHANNELS),
}
count_rules = st.fixed_dictionaries(
    {**_event_base, "count": st.dictionaries(ops, st.integers(0, 6), min_size=1, max_size=1)},
    optional=_event_optional,
)
sum_rules = st.fixed_dictionaries(
    {
        **_event_base,
        "sum_value": st.dictionaries(
            ops, st.integers(0, 400).map(lambda n: f"{n}.50"), min_size=1, max_size=1
        ),
        "currency": st.sampled_from(["EUR", "USD"]),
    },
    optional=_event_optional,
)
leaves = st.one_of(timestamp_rules, days_rules, count_rules, sum_rules)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.fixed_dictionaries({"all": st.lists(children, min_size=1, max_size=4)}),
        st.fixed_dictionaries({"any": st.lists(children, min_size=1, max_size=4)}),
        st.fixed_dictionaries({"not": children}),
    )


criteria: st.SearchStrategy[dict[str, Any]] = st.recursive(leaves, _extend, max_leaves=12)


def depth(node: Any) -> int:
    if isinstance(node, dict) and "not" in node:
        return 1 + depth(node["not"])
    if isinstance(node, dict) and ("all" in node or "any" in node):
        return 1 + max(depth(item) for item in node.get("all") or node["any"])
    return 1


valid_criteria = criteria.filter(lambda tree: depth(tree) <= MAX_DEPTH)
