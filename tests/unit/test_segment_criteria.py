"""Segment criteria: any valid tree parses and compiles to one statement that BigQuery's
grammar and DuckDB (through the project's transpiler, raising on anything unsupported) both
accept, with every user value a parameter; bad criteria are refused naming their path; the RFM
grid names every cell once."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlglot
from hypothesis import given, settings

from shared.adapters.duckdb_warehouse import to_duckdb
from shared.errors import ValidationFailed
from shared.segments.compiler import compile_counts, compile_members
from shared.segments.criteria import MAX_DEPTH, MAX_NODES, parse_criteria
from shared.segments.members import write_script
from shared.segments.rfm import SCORES, compile_rfm, rfm_names, rfm_segment_name
from shared.segments.service import check_definition
from tests.unit.segment_criteria import AS_OF, valid_criteria


def user_values(tree: Any) -> list[str]:
    """The operands a person typed (timestamps, amounts, currencies)."""
    if isinstance(tree, dict):
        found = []
        for key, value in tree.items():
            if key in ("value", "currency") and isinstance(value, str):
                found.append(value)
            found.extend(user_values(value))
        return found
    if isinstance(tree, list):
        return [v for item in tree for v in user_values(item)]
    return []


@settings(max_examples=60, deadline=None)
@given(valid_criteria, valid_criteria)
def test_any_criteria_compile_to_sql_both_engines_parse(first: Any, second: Any) -> None:
    segments = [("a", parse_criteria(first)), ("b", parse_criteria(second))]
    for compiled in (
        compile_members("org-1", segments, AS_OF),
        compile_counts("org-1", segments, AS_OF),
    ):
        assert len(sqlglot.parse(compiled.sql, read="bigquery")) == 1
        assert len(to_duckdb(compiled.sql)) == 1
        for value in user_values([first, second]):
            assert value not in compiled.sql
        assert "org-1" not in compiled.sql
    script = write_script("org-1", ["a", "b"], compile_members("org-1", segments, AS_OF), AS_OF)
    assert len(to_duckdb(script.sql)) == 3


@settings(max_examples=100, deadline=None)
@given(valid_criteria)
def test_parsing_is_stable_through_json(tree: Any) -> None:
    assert parse_criteria(json.loads(json.dumps(tree))) == parse_criteria(tree)


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        (
            {"all": [{"event": "purchase", "count": {">=": 1}}, {"field": "age"}]},
            "criteria.all.1.field",
        ),
        ({"any": [{"field": "last_seen_at", "op": "~", "value": 1}]}, "criteria.any.0.op"),
        ({"all": [{"event": "refund", "count": {">": 0}}]}, "criteria.all.0.event"),
        ({"event": "purchase", "count": {">": 0}, "currency": "EUR"}, "criteria.currency"),
        ({"event": "purchase", "sum_value": {">": 10}}, "criteria.currency"),
        ({"event": "purchase", "sum_value": {">": 10}, "currency": "eur"}, "criteria.currency"),
        (
            {"event": "purchase", "sum_value": {">": "1.2345678"}, "currency": "EUR"},
            "criteria.sum_value.>",
        ),
        ({"event": "purchase", "count": {">": 1, "<": 5}}, "criteria.count"),
        ({"event": "purchase", "count": {">": -1}}, "criteria.count.>"),
        ({"event": "purchase", "count": {">": True}}, "criteria.count.>"),
        ({"event": "purchase"}, "criteria"),
        ({"event": "purchase", "count": {">": 1}, "within_days": 0}, "criteria.within_days"),
        ({"event": "purchase", "count": {">": 1}, "channel": "fax"}, "criteria.channel"),
        ({"field": "created_at", "op": ">", "value": "2026-01-01"}, "criteria.value"),
        ({"field": "created_at", "op": ">", "value": "yesterday"}, "criteria.value"),
        ({"field": "days_since_created", "op": ">", "value": 1.5}, "criteria.value"),
        ({"all": []}, "criteria.all"),
        ({"all": [{}]}, "criteria.all.0"),
        ({"all": [], "any": []}, "criteria.any"),
        ({"not": [1]}, "criteria.not"),
        ({"or": [1]}, "criteria.or"),
        ([], "criteria"),
        ({"field": "created_at", "op": ">", "value": "2026-01-01T00:00:00Z", "x": 1}, "criteria.x"),
    ],
)
def test_bad_criteria_name_their_path(criteria: Any, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_criteria(criteria)
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")


def test_criteria_are_bounded_in_depth_and_size() -> None:
    leaf: dict[str, Any] = {"event": "purchase", "count": {">": 0}}
    deep: dict[str, Any] = leaf
    for _ in range(MAX_DEPTH):
        deep = {"not": deep}
    with pytest.raises(ValidationFailed) as caught:
        parse_criteria(deep)
    assert caught.value.field == "criteria" + ".not" * MAX_DEPTH
    with pytest.raises(ValidationFailed) as caught:
        parse_criteria({"any": [leaf] * MAX_NODES})
    assert caught.value.field == f"criteria.any.{MAX_NODES - 1}"
    assert parse_criteria({"any": [leaf] * (MAX_NODES - 1)})


def test_a_segment_kind_takes_its_own_definition() -> None:
    rule = {"event": "purchase", "count": {">": 0}}
    with pytest.raises(ValidationFailed, match="criteria"):
        check_definition("rules", None, None)
    with pytest.raises(ValidationFailed, match="rfm"):
        check_definition("rules", rule, {"currency": "EUR"})
    with pytest.raises(ValidationFailed, match="criteria"):
        check_definition("rfm", rule, {"currency": "EUR"})
    assert check_definition("rfm", None, {"currency": "EUR"}) is None


def test_the_rfm_grid_names_every_cell_once() -> None:
    assert rfm_names() == (
        "Champions",
        "Loyal",
        "Potential loyalists",
        "New",
        "Need attention",
        "At risk",
        "Hibernating",
        "Lost",
    )
    grid = {(r, f): rfm_segment_name(r, f) for r in SCORES for f in SCORES}
    assert grid[5, 5] == "Champions"
    assert grid[1, 1] == "Lost"
    assert grid[5, 1] == "New"
    assert grid[1, 5] == "At risk"
    assert grid[3, 3] == "Need attention"
    assert set(grid.values()) == set(rfm_names())


def test_rfm_sql_runs_on_both_grammars_with_values_as_parameters() -> None:
    compiled = compile_rfm("org-1", "EUR", AS_OF, AS_OF, only="Champions")
    assert "EUR" not in compiled.sql
    assert "org-1" not in compiled.sql
    assert len(to_duckdb(compiled.sql)) == 1
    assert compiled.params["only"] == "Champions"
