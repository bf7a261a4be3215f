"""A goal's conditions are checked when it is written, so the view that evaluates every goal
only sees values it can run: RE2 patterns BigQuery accepts, known fields, property keys an
event can carry, numbers where a comparison needs one, and one operand column per operator."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import duckdb
import pytest
import re2
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.adapters.duckdb_warehouse import to_duckdb
from shared.errors import ValidationFailed
from shared.goals.conditions import MAX_CONDITIONS, MAX_PATTERN, MAX_PROPERTY_KEY, check_pattern
from shared.goals.mirror import condition_columns
from shared.goals.models import Condition, FixedValue, GoalCreate, GoalEventType, GoalUpdate
from shared.goals.service import stored_value
from shared.tracking.events import CONVERSIONS

SQL_FILES = Path(__file__).resolve().parents[2] / "bigquery_sql"


def goal(**overrides: Any) -> dict[str, Any]:
    return {"name": "Checkout", "event_type": "purchase", **overrides}


@pytest.mark.parametrize(
    "pattern",
    [
        "(unclosed",
        r"(\w+)\1",  # backreference: RE2 has none, nor has BigQuery
        "(?=lookahead)",
        "(?<=behind)x",
        "a{1001}",
        "((a{50}){50}){50}",  # a nested repetition RE2 refuses outright
        "(abc|def){1000}",  # compiles to a program too large
        "x" * (MAX_PATTERN + 1),
    ],
)
def test_a_regex_re2_refuses_or_that_is_too_costly_is_rejected_naming_its_condition(
    pattern: str,
) -> None:
    body = goal(conditions=[{"field": "url", "operator": "contains", "value": "/"}] * 2)
    body["conditions"][1] = {"field": "url", "operator": "regex", "value": pattern}
    with pytest.raises(ValidationError) as caught:
        GoalCreate.model_validate(body)
    failed = ValidationFailed.from_pydantic(caught.value)
    assert failed.field == "conditions.1.value"
    assert failed.status == 422


@pytest.mark.parametrize("pattern", [r"^/thank-?you", "(?i)checkout", r"\pL+", r"order=\d{3,}"])
def test_a_pattern_re2_compiles_is_kept_verbatim(pattern: str) -> None:
    assert check_pattern(pattern) == pattern
    created = GoalCreate.model_validate(
        goal(conditions=[{"field": "url", "operator": "regex", "value": pattern}])
    )
    assert created.conditions[0].value == pattern


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"field": "path", "operator": "equals", "value": "x"}, "conditions.0.field"),
        ({"field": "properties.", "operator": "equals", "value": "x"}, "conditions.0.field"),
        (
            {
                "field": "properties." + "k" * (MAX_PROPERTY_KEY + 1),
                "operator": "equals",
                "value": "x",
            },
            "conditions.0.field",
        ),
        ({"field": "properties.a\nb", "operator": "equals", "value": "x"}, "conditions.0.field"),
        ({"field": "url", "operator": "greater_than", "value": 3}, "conditions.0.value"),
        ({"field": "value", "operator": "equals", "value": "10"}, "conditions.0.value"),
        ({"field": "value", "operator": "greater_than", "value": "10"}, "conditions.0.value"),
        ({"field": "url", "operator": "contains", "value": 5}, "conditions.0.value"),
        ({"field": "url", "operator": "contains", "value": ""}, "conditions.0.value"),
        ({"field": "url", "operator": "like", "value": "x"}, "conditions.0.operator"),
    ],
)
def test_a_condition_that_cannot_be_evaluated_names_its_field(
    condition: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        GoalCreate.model_validate(goal(conditions=[condition]))
    assert ValidationFailed.from_pydantic(caught.value).field == field


@given(key=st.text(min_size=1, max_size=MAX_PROPERTY_KEY).filter(lambda k: k.isprintable()))
def test_any_printable_property_key_an_event_can_carry_can_be_tested(key: str) -> None:
    condition = Condition(field=f"properties.{key}", operator="equals", value="pro")
    assert condition_columns(condition)["property_key"] == key


def test_greater_than_takes_the_value_or_a_numeric_property() -> None:
    on_value = Condition(field="value", operator="greater_than", value=99.99)
    on_property = Condition(field="properties.items", operator="greater_than", value=2)
    assert condition_columns(on_value)["number_value"] == 99_990_000  # micros, exactly
    assert condition_columns(on_property)["number_value"] == 2
    assert condition_columns(on_property)["field"] == "property"


def test_each_operator_fills_only_its_own_operand_column() -> None:
    regex = condition_columns(Condition(field="url", operator="regex", value="(b)"))
    equals = condition_columns(Condition(field="url", operator="equals", value="(unclosed"))
    assert (regex["pattern"], regex["text_value"]) == ("(b)", None)
    assert (equals["pattern"], equals["text_value"]) == (None, "(unclosed")


def test_a_goal_has_at_most_ten_conditions() -> None:
    many = [{"field": "url", "operator": "contains", "value": "/"}] * (MAX_CONDITIONS + 1)
    with pytest.raises(ValidationError) as caught:
        GoalCreate.model_validate(goal(conditions=many))
    assert ValidationFailed.from_pydantic(caught.value).field == "conditions"


def test_a_custom_goal_names_its_event_and_no_other_goal_does() -> None:
    with pytest.raises(ValidationError):
        GoalCreate.model_validate(goal(event_type="custom"))
    with pytest.raises(ValidationError):
        GoalCreate.model_validate(goal(event_name="signup"))
    assert GoalCreate.model_validate(goal(event_type="custom", event_name="signup"))


def test_goals_count_the_conversion_types_and_page_views() -> None:
    assert set(get_args(GoalEventType)) == CONVERSIONS | {"page_view"}
    with pytest.raises(ValidationError):
        GoalCreate.model_validate(goal(event_type="experiment_viewed"))


def test_a_fixed_value_is_stored_in_micros_and_a_bad_currency_names_its_field() -> None:
    fixed = stored_value(FixedValue(type="fixed", amount="25.50", currency="EUR"))
    assert (fixed.value_micros, fixed.currency) == (25_500_000, "EUR")
    with pytest.raises(ValidationFailed) as caught:
        stored_value(FixedValue(type="fixed", amount="1", currency="XXQ"))
    assert caught.value.field == "value.currency"
    with pytest.raises(ValidationFailed) as caught:
        stored_value(FixedValue(type="fixed", amount="0.0000001", currency="EUR"))
    assert caught.value.field == "value.amount"


def test_a_patch_may_not_null_what_a_goal_requires() -> None:
    with pytest.raises(ValidationError):
        GoalUpdate.model_validate({"conditions": None})
    assert GoalUpdate.model_validate({"site_id": None}).model_fields_set == {"site_id"}


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [
        ("(?i)/THANK-?you$", "https://shop.example/thank-you"),
        (r"^https://[^/]+/checkout", "https://shop.example/checkout/done"),
        (r"\pL+-\d{2,}", "größe-42"),
        ("a.c", "a\nc"),  # `.` does not match a newline in RE2, on every engine
        ("^$", ""),
    ],
)
def test_the_local_warehouse_runs_the_views_regex_as_re2_does(pattern: str, subject: str) -> None:
    """REGEXP_CONTAINS (BigQuery, RE2) is transpiled to DuckDB's regexp_matches, also RE2 and
    also a partial match: the local warehouse answers what the validating library answers."""
    (statement,) = to_duckdb((SQL_FILES / "views" / "goal_conversions.sql").read_text())
    assert "REGEXP_MATCHES(subject, pattern)" in statement
    (query,) = to_duckdb("SELECT REGEXP_CONTAINS(@subject, @pattern) AS hit")
    found = duckdb.connect().execute(query, {"subject": subject, "pattern": pattern}).fetchone()
    assert found is not None
    assert found[0] == (re2.search(check_pattern(pattern), subject) is not None)
