"""The outside world as small Protocols; domain services are handed these, never adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from shared.events import DomainEvent
from shared.scraping.results import CommentResults, ScrapeResults

Direction = Literal["asc", "desc"]
FilterOp = Literal["==", "<", "<=", ">", ">=", "in", "array_contains"]


@dataclass(frozen=True)
class Document:
    id: str
    data: dict[str, Any]


WRITE_BATCH_LIMIT = 500
"""Firestore's most writes in one batch or transaction (`write_atomically`)."""


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

    def delete_tree(self, path: str) -> int:
        """Delete a document and every subcollection below it; returns how many it deleted."""
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

    def run_statement(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """BigQuery-dialect SQL built in code (a sqlglot tree, user values only as @params,
        e.g. shared/segments/compiler.py), run as `run` runs a file; the last statement's rows."""
        ...

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

    def tables_with_column(self, column: str) -> list[str]:
        """The dataset's tables (not views) that have `column`, by name."""
        ...

    def delete_rows(self, table: str, column: str, value: str, *, org_id: str | None = None) -> int:
        """Delete every row of reachops.<table> whose `column` equals `value` (and, when given,
        whose org_id is `org_id`: one person's rows, never another tenant's); returns how many
        were deleted (0 on a repeat)."""
        ...


class RowAppender(Protocol):
    """Appends rows to one warehouse table without a MERGE (production's tracking events: the
    BigQuery Storage Write API, shared/adapters/bigquery_write.py; locally DuckDB's appender,
    shared/adapters/duckdb_appender.py). A row may land twice (a client's resend); readers see
    each event once through reachops.track_events_unique."""

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None: ...


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
class RunPricing:
    """The pricing record an Apify run was started under (the run's own `pricingInfo`, which
    stays as it was when the actor's prices change later)."""

    model: str  # Apify's pricingModel: PAY_PER_EVENT, PRICE_PER_DATASET_ITEM, FLAT_PRICE_...
    event_prices_usd: Mapping[str, float]  # flat-priced events only; USD per event
    tiered_events: frozenset[str] = frozenset()  # priced by the account's plan tier, not here


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
    pricing: RunPricing | None = None


class ScraperError(Exception):
    """Apify refused or could not be reached, after the client's own retries. The SDK's own
    exception is never chained (its text may quote a URL); what a caller may act on is kept:
    Apify's error `type` (e.g. "invalid-input", "rate-limit-exceeded") and the HTTP status,
    both None when Apify could not be reached."""

    def __init__(
        self, message: str, *, error_type: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.status = status


@dataclass(frozen=True)
class RequestedProfile:
    """A profile a run was asked for, as ReachOps names it; in a post-refresh run, one known
    post of it too (`post_url`). The scraper maps what the run returns back to these."""

    username: str
    post_url: str | None = None


class Scraper(Protocol):
    """Apify: start actor runs that report back through a webhook, and read their results."""

    def start_run(
        self, actor_id: str, run_input: Mapping[str, Any], webhook_url: str
    ) -> ActorRun: ...

    def get_run(self, run_id: str) -> ActorRun: ...

    def results(
        self, dataset_id: str, actor_id: str, requested: Sequence[RequestedProfile]
    ) -> ScrapeResults:
        """The run's dataset (every page of it) as posts and profile numbers, each mapped to
        the requested profile it came from; what the run did not return is in `failures`."""
        ...

    def comment_results(
        self,
        dataset_id: str,
        actor_id: str,
        requested: Sequence[RequestedProfile],
        per_post: int | None,
    ) -> CommentResults:
        """A comments run's dataset as comments, each mapped to the requested post (by URL)
        it belongs to, at most `per_post` per post."""
        ...

    def actor_id(self, actor: str) -> str:
        """Apify's id of the actor named `user/name` (what a run reports as its actId)."""
        ...


@dataclass(frozen=True)
class AdsUsage:
    """Meta's rate-limit headers on one response, as the highest percentage used (0-100) and
    the wait Meta announces, if any."""

    percent_used: float
    regain_access_seconds: float


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_at: datetime | None


@dataclass(frozen=True)
class TokenInfo:
    """What Meta's `debug_token` says of an access token (never the token itself)."""

    token_type: str  # USER, SYSTEM_USER, PAGE, APP
    is_valid: bool
    app_id: str | None
    expires_at: datetime | None  # None: never expires (Meta's expires_at 0)
    scopes: tuple[str, ...]


class AdsError(Exception):
    """Meta refused or failed a call; the message carries Meta's code, subcode and text."""


class AdsThrottled(AdsError):
    """Meta throttled the call (codes 4, 17, 613, 80000, 80004); wait before the next one."""

    def __init__(self, message: str, wait_seconds: float) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class AdsAuthError(AdsError):
    """The token is expired, revoked or lacks permission (code 190 and friends)."""


class AdsUnavailable(AdsError):
    """Meta failed (5xx, codes 1 and 2, transient errors) after the SDK's own retries."""


class AdsTooMuchData(AdsError):
    """Meta asks for less data per call (code 100, subcode 1487534): ask for a smaller object
    set or smaller pages, never the same call again."""


class AdsRequestFailed(AdsError):
    """Any other Graph error (an unknown code): worth a few retries, never an endless loop."""


@dataclass(frozen=True)
class ReportProgress:
    """An async report run as Meta last described it."""

    status: str  # async_status: Job Not Started, Job Started, Job Running, Job Completed, ...
    percent: int  # async_percent_completion, 0-100
    error: str | None = None  # Meta's error of a failed run (code, subcode, message)


class AdsPlatform(Protocol):
    """The Meta Marketing API (Graph API) as ReachOps uses it, through facebook-business."""

    def exchange_code(self, code: str, redirect_uri: str) -> IssuedToken:
        """OAuth callback: short-lived code -> long-lived user token."""
        ...

    def ad_accounts(self, token: str) -> list[dict[str, Any]]:
        """The ad accounts the token can read: id, name, currency, timezone_name, business."""
        ...

    def children(
        self, token: str, object_id: str, level: str, *, since: date, until: date
    ) -> list[str]:
        """The ids at `level` (campaign, adset or ad) under `object_id` that have insights
        between `since` and `until`, whatever their effective status (archived and deleted
        included, which the /campaigns and /adsets edges leave out)."""
        ...

    def start_report(
        self,
        token: str,
        object_id: str,
        *,
        level: str,
        since: date,
        until: date,
        attribution_windows: Sequence[str],
    ) -> str:
        """Start an asynchronous insights report (daily rows of objects of every effective
        status); returns the report run id."""
        ...

    def report_status(self, token: str, report_id: str) -> ReportProgress:
        """Where the report run is, e.g. ReportProgress("Job Completed", 100)."""
        ...

    def report_rows(self, token: str, report_id: str) -> list[dict[str, Any]]:
        """Every row of a completed report, paged through (in smaller pages when Meta asks
        for less data per call)."""
        ...

    def last_usage(self) -> AdsUsage:
        """Usage read from the most recent response's headers (failed ones too)."""
        ...

    @property
    def api_version(self) -> str:
        """The Graph API version every call uses (the one the pinned SDK targets)."""
        ...

    def debug_token(self, token: str) -> TokenInfo:
        """Meta's own view of a token: its type, validity and expiry."""
        ...

    def objects(self, token: str, account_object_id: str, level: str) -> list[dict[str, Any]]:
        """Every campaign, ad set or ad (`level`) of an account with its current settings:
        status, effective_status, objective, budgets, bid_strategy, creative."""
        ...

    def breakdown_rows(
        self,
        token: str,
        account_object_id: str,
        *,
        level: str,
        breakdowns: Sequence[str],
        since: date,
        until: date,
        attribution_windows: Sequence[str],
    ) -> Iterator[dict[str, Any]]:
        """Daily insight rows at `level` split by `breakdowns` (e.g. age and gender)."""
        ...

    def range_rows(
        self, token: str, account_object_id: str, *, level: str, since: date, until: date
    ) -> Iterator[dict[str, Any]]:
        """One insight row per object at `level` over the whole of since..until
        (time_increment all_days), whose reach and frequency Meta de-duplicated over the
        range: daily reach cannot be added up into it."""
        ...

    def lead(self, token: str, lead_id: str) -> dict[str, Any]:
        """One Lead Ads lead (GET /{leadgen_id}): id, created_time, ad_id, adset_id,
        campaign_id, form_id, field_data, is_organic, platform. NotFound for a deleted lead,
        AdsAuthError when the token may not retrieve it."""
        ...


class TokenVault(Protocol):
    """Where platform access tokens live, encrypted; the API never returns them."""

    def store(self, name: str, token: str) -> str:
        """Keep `token` under `name`; returns the reference to load it by."""
        ...

    def load(self, reference: str) -> str: ...

    def delete(self, reference: str) -> None:
        """Destroy the token (every version of it); deleting a missing one is a no-op."""
        ...


SentimentLabel = Literal["positive", "negative", "neutral", "mixed"]


@dataclass(frozen=True)
class SentimentResult:
    """What an engine made of one text. A text the engine refused is `failed` with the engine's
    reason and no score (never a neutral one); every result names its engine and model."""

    engine: str  # "anthropic" or "vader"
    model: str
    status: Literal["scored", "failed"]
    score: float | None  # -1 (negative) .. 1 (positive)
    label: SentimentLabel | None
    keywords: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    toxicity: float | None = None  # 0..1, None when the engine does not report it
    reason: str | None = None


class SentimentUnavailable(Exception):
    """The engine could not be reached or failed after the SDK's own retries: try later."""


class SentimentSpendExhausted(SentimentUnavailable):
    """The engine's account is out of credit or over its spend limit: no retry helps until a
    person acts, so the work pauses (and one alert says why)."""


class SentimentEngine(Protocol):
    """Scores one text now (Anthropic's Messages API, or VADER offline)."""

    @property
    def engine(self) -> str: ...

    @property
    def model(self) -> str: ...

    def score(self, text: str) -> SentimentResult: ...


class SentimentBatches(Protocol):
    """Anthropic's Message Batches API: half the price, results within 24 hours."""

    def submit(self, texts: Mapping[str, str]) -> str:
        """Start one batch of texts by custom id (`^[A-Za-z0-9_-]{1,64}$`); returns its id."""
        ...

    def ended(self, batch_id: str) -> bool:
        """Whether the batch's processing_status is `ended` (its results are ready)."""
        ...

    def results(self, batch_id: str) -> dict[str, SentimentResult | None]:
        """Each custom id's result; None for a line that errored transiently, was canceled or
        expired (worth another batch), a failed result for a request the engine refused."""
        ...
