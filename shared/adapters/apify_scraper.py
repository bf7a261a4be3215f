"""Scraper on Apify, through apify-client 3.x.

The caller builds the client, so retries are settings of the client, not of this adapter:

    ApifyClient(
        token=settings.apify_token,
        api_url="https://api.apify.com",   # or the local stand-in, e.g. "http://127.0.0.1:8091"
        max_retries=4,                     # retries (not attempts) of 429, 5xx, transport errors
        min_delay_between_retries=timedelta(milliseconds=500),  # doubles each retry, plus jitter
    )

`api_url` is the server root; the client appends `/v2` unless the URL already ends with it.
An error the client still gets after its retries (e.g. `apify_client.errors.RateLimitError`,
`ServerError`, `InvalidRequestError`) propagates for the caller to map; a run or actor the API
does not know raises `shared.errors.NotFound`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import impit
from apify_client import ApifyClient
from apify_client._models import PayPerEventActorPricingInfo
from apify_client.errors import ApifyClientError

from shared.adapters.apify_comments import parse_comments
from shared.adapters.apify_items import parse_results
from shared.adapters.redaction import redact
from shared.errors import NotFound
from shared.ports import ActorRun, RequestedProfile, RunPricing, ScraperError
from shared.scraping.results import CommentResults, ScrapeResults

if TYPE_CHECKING:
    from apify_client._models import (
        FlatPricePerMonthActorPricingInfo,
        FreeActorPricingInfo,
        PricePerDatasetItemActorPricingInfo,
        Run,
    )
    from apify_client._typeddicts import WebhookRepresentationDict

DEFAULT_PAGE_SIZE = 1000
APIFY_FAILED = (ApifyClientError, impit.HTTPError)
"""Apify refused (an API error) or could not be reached (the client's transport, impit, raises
its own errors once its retries are spent)."""


class ApifyScraper:
    def __init__(
        self,
        client: ApifyClient,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        memory_mbytes: int | None = None,
        run_timeout: timedelta | None = None,
        max_total_charge_usd: Decimal | None = None,
    ) -> None:
        """`memory_mbytes`, `run_timeout` and `max_total_charge_usd` (the spending cap of a
        pay-per-event run) apply to every run started; None keeps the actor's defaults."""
        self._client = client
        self._page_size = page_size
        self._memory_mbytes = memory_mbytes
        self._run_timeout = run_timeout
        self._max_total_charge_usd = max_total_charge_usd
        self._actor_ids: dict[str, str] = {}

    def start_run(self, actor_id: str, run_input: Mapping[str, Any], webhook_url: str) -> ActorRun:
        """Start without waiting; Apify POSTs its default webhook payload to `webhook_url` when
        the run ends, whichever way it ends. The returned `actor_id` is Apify's id of the actor
        (the run's actId), as `get_run` reports it too, not the `user/name` passed in."""
        webhook: WebhookRepresentationDict = {
            "event_types": [
                "ACTOR.RUN.SUCCEEDED",
                "ACTOR.RUN.FAILED",
                "ACTOR.RUN.TIMED_OUT",
                "ACTOR.RUN.ABORTED",
            ],
            "request_url": webhook_url,
        }
        try:
            run = self._client.actor(actor_id).start(
                run_input=dict(run_input),
                webhooks=[webhook],
                memory_mbytes=self._memory_mbytes,
                run_timeout=self._run_timeout,
                max_total_charge_usd=self._max_total_charge_usd,
            )
        except APIFY_FAILED as exc:  # its text may quote a URL; never chain the original
            raise _scraper_error(f"{actor_id}: {exc}", exc) from None
        return _actor_run(run)

    def get_run(self, run_id: str) -> ActorRun:
        try:
            run = self._client.run(run_id).get()
        except APIFY_FAILED as exc:
            raise _scraper_error(f"run {run_id}: {exc}", exc) from None
        if run is None:
            raise NotFound(f"Apify run {run_id} not found")
        return _actor_run(run)

    def dataset_items(self, dataset_id: str) -> Iterator[dict[str, Any]]:
        """Every item as the actor stored it (malformed ones included), `page_size` per
        request; `results` is what the domain reads."""
        yield from self._client.dataset(dataset_id).iterate_items(chunk_size=self._page_size)

    def results(
        self, dataset_id: str, actor_id: str, requested: Sequence[RequestedProfile]
    ) -> ScrapeResults:
        """The dataset parsed per the actor's item format (shared/adapters/apify_items.py)."""
        return parse_results(actor_id, self.dataset_items(dataset_id), requested)

    def comment_results(
        self,
        dataset_id: str,
        actor_id: str,
        requested: Sequence[RequestedProfile],
        per_post: int | None,
    ) -> CommentResults:
        """The comments dataset parsed per the actor's format (adapters/apify_comments.py)."""
        return parse_comments(actor_id, self.dataset_items(dataset_id), requested, per_post)

    def actor_id(self, actor: str) -> str:
        """Apify's id of `user/name`, looked up once per actor: an actor keeps its id."""
        if actor not in self._actor_ids:
            found = self._client.actor(actor).get()
            if found is None:
                raise NotFound(f"Apify actor {actor} not found")
            self._actor_ids[actor] = found.id
        return self._actor_ids[actor]


def _actor_run(run: Run) -> ActorRun:
    counts = run.charged_event_counts
    return ActorRun(
        run_id=run.id,
        actor_id=run.act_id,
        status=str(run.status),
        dataset_id=run.default_dataset_id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        usage_total_usd=run.usage_total_usd,
        charged_event_counts=dict(counts) if counts is not None else None,
        pricing=_run_pricing(run.pricing_info),
    )


def _run_pricing(
    info: PayPerEventActorPricingInfo
    | PricePerDatasetItemActorPricingInfo
    | FlatPricePerMonthActorPricingInfo
    | FreeActorPricingInfo
    | None,
) -> RunPricing | None:
    """The run's own pricing record as plain values; per-event prices only for flat-priced
    events (a tiered price depends on the account's plan, which the run does not say)."""
    if info is None:
        return None
    if not isinstance(info, PayPerEventActorPricingInfo):
        return RunPricing(model=info.pricing_model, event_prices_usd={})
    events = info.pricing_per_event.actor_charge_events or {}
    return RunPricing(
        model=info.pricing_model,
        event_prices_usd={
            name: event.event_price_usd
            for name, event in events.items()
            if event.event_price_usd is not None
        },
        tiered_events=frozenset(
            name for name, event in events.items() if event.event_price_usd is None
        ),
    )


def _scraper_error(message: str, exc: Exception) -> ScraperError:
    """The port's error for an SDK failure: redacted text, Apify's error type and status."""
    return ScraperError(
        redact(message),
        error_type=getattr(exc, "type", None),
        status=getattr(exc, "status_code", None),
    )
