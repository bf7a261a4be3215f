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

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from apify_client import ApifyClient
from apify_client.errors import ApifyClientError

from shared.errors import NotFound
from shared.ports import ActorRun, ScraperError

if TYPE_CHECKING:
    from apify_client._models import Run
    from apify_client._typeddicts import WebhookRepresentationDict

DEFAULT_PAGE_SIZE = 1000


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
        except ApifyClientError as exc:
            raise ScraperError(f"{actor_id}: {exc}") from exc
        return _actor_run(run)

    def get_run(self, run_id: str) -> ActorRun:
        run = self._client.run(run_id).get()
        if run is None:
            raise NotFound(f"Apify run {run_id} not found")
        return _actor_run(run)

    def dataset_items(self, dataset_id: str) -> Iterator[dict[str, Any]]:
        """Every item as the actor stored it (malformed ones included: validating is the
        caller's job), `page_size` per request."""
        yield from self._client.dataset(dataset_id).iterate_items(chunk_size=self._page_size)

    def event_prices_usd(self, actor_id: str) -> dict[str, float]:
        """Flat per-event prices of the pricing record in force now. Tier-priced events are
        left out: their price depends on the account's plan, which the API does not say."""
        actor = self._client.actor(actor_id).get()
        if actor is None:
            raise NotFound(f"Apify actor {actor_id} not found")
        now = datetime.now(UTC)
        in_force = [info for info in actor.pricing_infos or [] if info.started_at <= now]
        current = max(in_force, key=lambda info: info.started_at, default=None)
        if current is None or current.pricing_model != "PAY_PER_EVENT":
            return {}
        events = current.pricing_per_event.actor_charge_events or {}
        return {
            name: float(event.event_price_usd)
            for name, event in events.items()
            if event.event_price_usd is not None
        }


def _actor_run(run: Run) -> ActorRun:
    pricing = run.pricing_info
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
        pricing_model=pricing.pricing_model if pricing is not None else None,
    )
