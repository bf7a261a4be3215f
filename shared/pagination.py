"""Keyset pagination with opaque cursors: the last item's sort values, base64-encoded JSON."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from shared.errors import ValidationFailed
from shared.ports import Direction, Document, DocumentStore, FilterOp

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(values: Sequence[Any]) -> str:
    tagged = [{"t": v.isoformat()} if isinstance(v, datetime) else {"v": v} for v in values]
    return base64.urlsafe_b64encode(json.dumps(tagged).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    invalid = ValidationFailed("cursor is not one this API issued", field="query.cursor")
    try:
        tagged = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError) as exc:
        raise invalid from exc
    if not isinstance(tagged, list) or not tagged:
        raise invalid
    values = []
    for item in tagged:
        if not isinstance(item, dict) or len(item) != 1 or not {"t", "v"} >= item.keys():
            raise invalid
        try:
            values.append(datetime.fromisoformat(item["t"]) if "t" in item else item["v"])
        except (TypeError, ValueError) as exc:
            raise invalid from exc
    return values


def fetch_page(
    store: DocumentStore,
    collection: str,
    *,
    order_by: Sequence[tuple[str, Direction]],
    cursor: str | None,
    limit: int,
    where: Sequence[tuple[str, FilterOp, Any]] = (),
) -> tuple[list[Document], str | None]:
    """One page plus the cursor of the next one (None on the last page)."""
    start_after = decode_cursor(cursor) if cursor else None
    if start_after is not None and len(start_after) != len(order_by):
        raise ValidationFailed("cursor is not one this API issued", field="query.cursor")
    documents = store.query(
        collection, where=where, order_by=order_by, start_after=start_after, limit=limit + 1
    )
    page = documents[:limit]
    if len(documents) <= limit:
        return page, None
    return page, encode_cursor([page[-1].data[field] for field, _ in order_by])
