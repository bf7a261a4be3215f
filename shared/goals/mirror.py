"""A goal as the warehouse rows the view goal_conversions reads (bigquery_sql/schema/
conversion_goals.sql and goal_conditions.sql). Firestore holds the truth; these are rewritten
on every change, so the SQL evaluates goals as data: one view, no SQL text per goal.

Each revision's conditions are their own rows (key: org, goal, revision, position), written
before the goal row that names the revision, so the view never pairs a goal with half of a
new list; a replayed write is a no-op (append-only conditions, the goal row replaced).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.goals.conditions import VALUE_FIELD, property_key
from shared.goals.models import Condition, ConversionGoal
from shared.tracking.events import MICROS

GOALS_TABLE = "conversion_goals"
GOALS_KEY = ("org_id", "goal_id")
CONDITIONS_TABLE = "goal_conditions"
CONDITIONS_KEY = ("org_id", "goal_id", "revision", "position")


def goal_row(org_id: str, goal: ConversionGoal, deleted_at: datetime | None) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "goal_id": goal.goal_id,
        "revision": goal.revision,
        "name": goal.name,
        "site_id": goal.site_id,
        "event_type": goal.event_type,
        "event_name": goal.event_name,
        "value_rule": goal.value.type,
        "fixed_value_micros": goal.value.value_micros,
        "fixed_currency": goal.value.currency,
        "created_at": goal.created_at,
        "updated_at": goal.updated_at,
        "deleted_at": deleted_at,
    }


def condition_rows(org_id: str, goal: ConversionGoal) -> list[dict[str, Any]]:
    return [
        {
            "org_id": org_id,
            "goal_id": goal.goal_id,
            "revision": goal.revision,
            "position": position,
            "created_at": goal.updated_at,
            **condition_columns(condition),
        }
        for position, condition in enumerate(goal.conditions)
    ]


def condition_columns(condition: Condition) -> dict[str, Any]:
    """One operand column per operator, the others NULL: the view never hands an `equals`
    text to REGEXP_CONTAINS, whatever order the engine evaluates its CASE in. A threshold on
    the event's value is stored in micros (exactly, from the decimal), as value_micros is."""
    key = property_key(condition.field)
    operand = condition.value
    number: float | None = None
    if condition.operator == "greater_than" and not isinstance(operand, str):
        scale = MICROS if condition.field == VALUE_FIELD else 1
        number = float(Decimal(str(operand)) * scale)
    text = operand if isinstance(operand, str) else None
    return {
        "field": "property" if key is not None else condition.field,
        "property_key": key,
        "operator": condition.operator,
        "text_value": text if condition.operator in ("equals", "contains") else None,
        "pattern": text if condition.operator == "regex" else None,
        "number_value": number,
    }
