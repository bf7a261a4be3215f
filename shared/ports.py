"""The outside world as small Protocols; domain services are handed these, never adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from shared.events import DomainEvent

Direction = Literal["asc", "desc"]
FilterOp = Literal["==", "<", "<=", ">", ">=", "in", "array_contains"]


@dataclass(frozen=True)
class Document:
    id: str
    data: dict[str, Any]


class DocumentStore(Protocol):
    """Firestore-shaped operational state; paths alternate collection/document."""

    def get(self, path: str) -> dict[str, Any] | None: ...

    def get_many(self, paths: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The documents that exist among `paths`, by path."""
        ...

    def create(self, path: str, data: Mapping[str, Any]) -> bool:
        """Write only if absent; False when the document already exists."""
        ...

    def set(self, path: str, data: Mapping[str, Any]) -> None: ...

    def delete(self, path: str) -> None: ...

    def delete_tree(self, path: str) -> None:
        """Delete a document and every subcollection below it."""
        ...

    def write_atomically(
        self, sets: Mapping[str, Mapping[str, Any]], deletes: Sequence[str] = ()
    ) -> None:
        """Set and delete several documents as one all-or-nothing batch."""
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

    def merge_rows(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
        *,
        update_existing: bool,
    ) -> None:
        """Write rows to reachops.<table> keyed by `keys`: a row whose key exists is skipped
        (append-only tables) or replaces the old one (`update_existing`). Replays are no-ops."""
        ...


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


@dataclass(frozen=True)
class ActorRun:
    """An Apify actor run as ReachOps needs it (status values are Apify's own)."""

    run_id: str
    actor_id: str
    status: str
    dataset_id: str | None
    started_at: datetime | None
    finished_at: datetime | None
    usage_total_usd: float | None
    charged_event_counts: dict[str, int] | None
    pricing_model: str | None


class ScraperError(Exception):
    """Apify refused or could not be reached, after the client's own retries."""


class Scraper(Protocol):
    """Apify: start actor runs that report back through a webhook, and read their results."""

    def start_run(
        self, actor_id: str, run_input: Mapping[str, Any], webhook_url: str
    ) -> ActorRun: ...

    def get_run(self, run_id: str) -> ActorRun: ...

    def dataset_items(self, dataset_id: str) -> Iterator[dict[str, Any]]:
        """Every item of the dataset, paged through transparently."""
        ...

    def event_prices_usd(self, actor_id: str) -> dict[str, float]:
        """The actor's current pay-per-event prices (event name -> USD per event); empty when
        the actor is not priced per event."""
        ...
