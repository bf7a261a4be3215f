"""Base classes and field types that every API model shares."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]


class ApiModel(BaseModel):
    """A request body or query: unknown fields are errors and types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class QueryModel(BaseModel):
    """Query-string parameters arrive as text, so numbers are parsed; unknown names are errors."""

    model_config = ConfigDict(extra="forbid")


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
