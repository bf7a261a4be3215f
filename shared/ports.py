"""The outside world as small Protocols; domain services are handed these, never adapters."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from shared.events import DomainEvent

Direction = Literal["asc", "desc"]
FilterOp = Literal["==", "<", "<=", ">", ">=", "in"]


@dataclass(frozen=True)
class Document:
    id: str
    data: dict[str, Any]


class DocumentStore(Protocol):
    """Firestore-shaped operational state; paths alternate collection/document."""

    def get(self, path: str) -> dict[str, Any] | None: ...

    def create(self, path: str, data: Mapping[str, Any]) -> bool:
        """Write only if absent; False when the document already exists."""
        ...

    def set(self, path: str, data: Mapping[str, Any]) -> None: ...

    def delete(self, path: str) -> None: ...

    def delete_tree(self, path: str) -> None:
        """Delete a document and every subcollection below it."""
        ...

    def update_atomically(
        self, path: str, change: Callable[[dict[str, Any] | None], dict[str, Any]]
    ) -> dict[str, Any]:
        """Read, change and write one document in a transaction (retried on contention).

        `change` gets the current data (None when absent) and returns the full new data; it may
        raise to abort with nothing written.
        """
        ...

    def query(
        self,
        collection: str,
        *,
        where: Sequence[tuple[str, FilterOp, Any]] = (),
        order_by: Sequence[tuple[str, Direction]] = (),
        start_after: Sequence[Any] | None = None,
        limit: int | None = None,
    ) -> list[Document]: ...


class Warehouse(Protocol):
    """BigQuery-dialect SQL files from bigquery_sql/, run with named @parameters."""

    def apply_schema(self) -> None: ...

    def run(
        self, sql_file: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...


class EventBus(Protocol):
    def publish(self, event: DomainEvent) -> None: ...


class TaskQueue(Protocol):
    """Paced outbound work; `task_id` deduplicates (a named task is enqueued once)."""

    def enqueue(
        self,
        queue: str,
        payload: Mapping[str, Any],
        *,
        task_id: str | None = None,
        delay_seconds: float = 0,
    ) -> None: ...
