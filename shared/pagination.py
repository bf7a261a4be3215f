"""Keyset pagination with opaque, signed cursors.

A cursor carries the last item's sort values (tagged JSON) signed with HMAC (itsdangerous)
under a salt that names the query it belongs to: the collection (so the organization), the
filters and the order. A cursor from another organization or another query, a truncated one
and a forged one all fail the signature and are a 400 on `query.cursor`; the store never sees
values the API did not issue. The key is `Settings.cursor_secret` (a Secret Manager secret in
production, a fixed development key locally).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel

from shared.config import get_settings
from shared.errors import BadRequest
from shared.ports import Direction, Document, DocumentStore, FilterOp

T = TypeVar("T")
CURSOR_FIELD = "query.cursor"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def cursor_scope(
    collection: str,
    where: Sequence[tuple[str, FilterOp, Any]],
    order_by: Sequence[tuple[str, Direction]],
) -> str:
    """What a cursor is bound to: the collection (which names the organization) and the query."""
    return json.dumps(
        [collection, [list(w) for w in where], [list(o) for o in order_by]], default=str
    )


def _serializer(scope: str) -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().cursor_secret, salt=f"reachops.cursor {scope}")


def encode_cursor(values: Sequence[Any], scope: str) -> str:
    tagged = [{"t": v.isoformat()} if isinstance(v, datetime) else {"v": v} for v in values]
    return _serializer(scope).dumps(tagged)


def decode_cursor(cursor: str, scope: str) -> list[Any]:
    invalid = BadRequest("cursor is not one this API issued for this query", field=CURSOR_FIELD)
    try:
        tagged = _serializer(scope).loads(cursor)
    except (BadSignature, UnicodeError) as exc:
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
    scope = cursor_scope(collection, where, order_by)
    start_after = decode_cursor(cursor, scope) if cursor else None
    if start_after is not None and len(start_after) != len(order_by):
        raise BadRequest("cursor is not one this API issued for this query", field=CURSOR_FIELD)
    documents = store.query(
        collection, where=where, order_by=order_by, start_after=start_after, limit=limit + 1
    )
    page = documents[:limit]
    if len(documents) <= limit:
        return page, None
    return page, encode_cursor([page[-1].data[field] for field, _ in order_by], scope)
