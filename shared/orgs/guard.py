"""The one choke point that keeps a deleted organization deleted: the document store and the
warehouse every function is handed refuse writes for an organization with a tombstone.

Late work of any kind (a redelivered Pub/Sub event, a queued Cloud Task, a scheduled pass, an
OAuth callback) writes through these, so none of it can recreate what the purge removed; the
refusal is `OrgDeleted` (a 410, a NotFound), which event handlers acknowledge and task targets
drop instead of retrying. Deletes and reads pass through: the purge deletes, and a read
recreates nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shared.orgs.deletion import DELETED_ORGS, Tombstones
from shared.ports import Direction, Document, DocumentStore, FilterOp, RowAppender, Warehouse

ORGS = "orgs"


def owning_org(path: str, data: Mapping[str, Any] | None) -> str | None:
    """The organization a write belongs to: `orgs/{org}/...`, or a top-level record's `org_id`
    (API keys, OAuth states). Tombstones themselves belong to no one."""
    collection, _, rest = path.partition("/")
    if collection == ORGS:
        return rest.partition("/")[0] or None
    if collection == DELETED_ORGS or data is None:
        return None
    org_id = data.get("org_id")
    return org_id if isinstance(org_id, str) else None


class TombstoneGuardedStore:
    def __init__(self, inner: DocumentStore, tombstones: Tombstones) -> None:
        self._inner = inner
        self._tombstones = tombstones

    def _check(self, path: str, data: Mapping[str, Any] | None) -> None:
        org_id = owning_org(path, data)
        if org_id is not None:
            self._tombstones.refuse_if_deleted(org_id)

    def get(self, path: str) -> dict[str, Any] | None:
        return self._inner.get(path)

    def get_many(self, paths: Sequence[str]) -> dict[str, dict[str, Any]]:
        return self._inner.get_many(paths)

    def create(self, path: str, data: Mapping[str, Any]) -> bool:
        self._check(path, data)
        return self._inner.create(path, data)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self._check(path, data)
        self._inner.set(path, data)

    def delete(self, path: str) -> None:
        self._inner.delete(path)

    def delete_tree(self, path: str) -> int:
        return self._inner.delete_tree(path)

    def write_atomically(
        self, sets: Mapping[str, Mapping[str, Any]], deletes: Sequence[str] = ()
    ) -> None:
        for path, data in sets.items():
            self._check(path, data)
        self._inner.write_atomically(sets, deletes)

    def update_atomically(
        self, path: str, change: Callable[[dict[str, Any] | None], dict[str, Any]]
    ) -> dict[str, Any]:
        self._check(path, None)

        def guarded(current: dict[str, Any] | None) -> dict[str, Any]:
            updated = change(current)
            self._check(path, updated)
            return updated

        return self._inner.update_atomically(path, guarded)

    def query(
        self,
        collection: str,
        *,
        where: Sequence[tuple[str, FilterOp, Any]] = (),
        order_by: Sequence[tuple[str, Direction]] = (),
        start_after: Sequence[Any] | None = None,
        limit: int | None = None,
    ) -> list[Document]:
        return self._inner.query(
            collection, where=where, order_by=order_by, start_after=start_after, limit=limit
        )


class TombstoneGuardedWarehouse:
    """Rows and rollups for a deleted organization are refused (a SQL file run with an
    `org_id` parameter is one organization's work, a rollup's MERGE included)."""

    def __init__(self, inner: Warehouse, tombstones: Tombstones) -> None:
        self._inner = inner
        self._tombstones = tombstones

    def apply_schema(self) -> None:
        self._inner.apply_schema()

    def run(self, sql_file: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        org_id = (params or {}).get("org_id")
        if isinstance(org_id, str):
            self._tombstones.refuse_if_deleted(org_id)
        return self._inner.run(sql_file, params)

    def run_statement(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        org_id = (params or {}).get("org_id")
        if isinstance(org_id, str):
            self._tombstones.refuse_if_deleted(org_id)
        return self._inner.run_statement(sql, params)

    def merge_rows(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
        *,
        update_existing: bool,
    ) -> None:
        for org_id in {row.get("org_id") for row in rows}:
            if isinstance(org_id, str):
                self._tombstones.refuse_if_deleted(org_id)
        self._inner.merge_rows(table, rows, keys, update_existing=update_existing)

    def tables_with_column(self, column: str) -> list[str]:
        return self._inner.tables_with_column(column)

    def delete_rows(self, table: str, column: str, value: str, *, org_id: str | None = None) -> int:
        return self._inner.delete_rows(table, column, value, org_id=org_id)


class TombstoneGuardedAppender:
    """Appended rows obey the warehouse's rule: none for an organization with a tombstone."""

    def __init__(self, inner: RowAppender, tombstones: Tombstones) -> None:
        self._inner = inner
        self._tombstones = tombstones

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for org_id in {row.get("org_id") for row in rows}:
            if isinstance(org_id, str):
                self._tombstones.refuse_if_deleted(org_id)
        self._inner.append(rows)
