"""DocumentStore on Firestore (the emulator locally: the client honours FIRESTORE_EMULATOR_HOST)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.ports import Direction, Document, FilterOp

_DIRECTIONS = {"asc": firestore.Query.ASCENDING, "desc": firestore.Query.DESCENDING}


class FirestoreStore:
    def __init__(self, client: firestore.Client) -> None:
        self._client = client

    def get(self, path: str) -> dict[str, Any] | None:
        snapshot = self._client.document(path).get()
        return snapshot.to_dict() if snapshot.exists else None

    def get_many(self, paths: Sequence[str]) -> dict[str, dict[str, Any]]:
        references = [self._client.document(path) for path in paths]
        found: dict[str, dict[str, Any]] = {}
        for snapshot in self._client.get_all(references):
            data = snapshot.to_dict()
            if snapshot.exists and data is not None:
                found[snapshot.reference.path] = data
        return found

    def create(self, path: str, data: Mapping[str, Any]) -> bool:
        try:
            self._client.document(path).create(dict(data))
        except AlreadyExists:
            return False
        return True

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self._client.document(path).set(dict(data))

    def delete(self, path: str) -> None:
        self._client.document(path).delete()

    def delete_tree(self, path: str) -> int:
        return int(self._client.recursive_delete(self._client.document(path)))

    def write_atomically(
        self, sets: Mapping[str, Mapping[str, Any]], deletes: Sequence[str] = ()
    ) -> None:
        batch = self._client.batch()
        for path, data in sets.items():
            batch.set(self._client.document(path), dict(data))
        for path in deletes:
            batch.delete(self._client.document(path))
        batch.commit()

    def update_atomically(
        self, path: str, change: Callable[[dict[str, Any] | None], dict[str, Any]]
    ) -> dict[str, Any]:
        reference = self._client.document(path)

        @firestore.transactional
        def read_change_write(transaction: firestore.Transaction) -> dict[str, Any]:
            snapshot = reference.get(transaction=transaction)
            updated = change(snapshot.to_dict() if snapshot.exists else None)
            transaction.set(reference, updated)
            return updated

        result: dict[str, Any] = read_change_write(self._client.transaction())
        return result

    def query(
        self,
        collection: str,
        *,
        where: Sequence[tuple[str, FilterOp, Any]] = (),
        order_by: Sequence[tuple[str, Direction]] = (),
        start_after: Sequence[Any] | None = None,
        limit: int | None = None,
    ) -> list[Document]:
        query: Any = self._client.collection(collection)
        for field, op, value in where:
            query = query.where(filter=FieldFilter(field, op, value))
        for field, direction in order_by:
            query = query.order_by(field, direction=_DIRECTIONS[direction])
        if start_after is not None:
            fields = [field for field, _ in order_by]
            query = query.start_after(dict(zip(fields, start_after, strict=True)))
        if limit is not None:
            query = query.limit(limit)
        return [Document(snapshot.id, snapshot.to_dict()) for snapshot in query.stream()]
