"""Base classes and field types that every API model shares."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]

INT64_MAX = 2**63 - 1
"""The largest integer Firestore and BigQuery INT64 hold; no number the API takes exceeds it."""
MAX_MONEY = 10**15
"""The largest amount of money the API takes, in minor units or micros (a billion currency
units in micros): far below INT64_MAX, so that sums of many amounts in rollups still fit."""
MAX_COUNT = 10**12
"""The largest count the API takes (followers, views, a page size): more than any platform has,
and small enough that sums over many rows stay inside INT64."""

MinorUnits = Annotated[int, Field(ge=0, le=MAX_MONEY)]
"""An amount of money, zero allowed, in the minor units (or micros) its field names."""
PositiveMinorUnits = Annotated[int, Field(gt=0, le=MAX_MONEY)]
"""An amount of money that must be positive (budgets, spend limits)."""
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PageLimit = Annotated[int, Field(ge=1, le=MAX_COUNT)]
"""A page size as asked for; the service then caps it at the configured maximum."""


class ApiModel(BaseModel):
    """A request body or query: unknown fields are errors and types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class QueryModel(BaseModel):
    """Query-string parameters arrive as text, so numbers are parsed; unknown names are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def not_null(*fields: str) -> Any:
    """For a partial update (PATCH): the named fields may be left out but not sent as null,
    because the stored record requires them. Use as `_required = not_null("name", ...)`."""

    def check(value: Any) -> Any:
        if value is None:
            raise ValueError("is required and cannot be null; leave it out to keep it")
        return value

    return field_validator(*fields)(check)


def to_document(model: BaseModel) -> dict[str, Any]:
    """A model as Firestore data: datetimes stay timestamps; dates become ISO text (Firestore
    has no date type, and ISO dates sort as text); enums become their values."""
    return _storable(model.model_dump())  # type: ignore[no-any-return]


def _storable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value
