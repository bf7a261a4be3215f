"""What runs cost, as the API reports it: each actor's pricingInfos history, the record in
force when a run starts (kept with the run, so a later price change leaves past runs alone),
and a finished run's usageTotalUsd, usage / usageUsd and chargedEventCounts.

Three billing models, as in Apify's Store:
- pay per usage (no pricing record): the user pays the platform usage, so the run reports
  `usage` (quantities) and `usageUsd` (their cost), and usageTotalUsd is their sum;
- price per dataset item: usageTotalUsd is the results times pricePerUnitUsd; the developer
  pays the platform usage, so there is no usage breakdown;
- pay per event: chargedEventCounts (one actor-start, one result per item) times the event
  prices; no usage breakdown either.
All prices here are illustrative, not Apify's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.localstack.apify.actors import ActorSpec
from shared.localstack.apify.common import iso

# Pay-per-usage unit prices (illustrative) and what one run of the stand-in consumes.
USD_PER_COMPUTE_UNIT = 0.4
USD_PER_DATASET_WRITE = 0.0002
COMPUTE_UNITS_PER_RUN = 0.01
# clockworks/tiktok-scraper's pay-per-event prices: (days since the server started, prices).
EVENT_PRICE_HISTORY: tuple[tuple[int, dict[str, float]], ...] = (
    (-90, {"actor-start": 0.005, "result": 0.004}),
    (21, {"actor-start": 0.005, "result": 0.0045}),  # announced, not yet in force
)


def _record(epoch: datetime, days: int, **fields: Any) -> dict[str, Any]:
    moment = iso(epoch + timedelta(days=days))
    created = iso(epoch + timedelta(days=min(days, 0) - 14))
    record = {"apifyMarginPercentage": 0.2, "createdAt": created, "startedAt": moment, **fields}
    if days > 0:
        record["notifiedAboutFutureChangeAt"] = created
        record["reasonForChange"] = "Price change announced in advance (sample)."
    return record


def _event(name: str, price: float) -> dict[str, Any]:
    return {
        "eventTitle": name.replace("-", " ").capitalize(),
        "eventDescription": (
            "Charged once when the run starts."
            if name == "actor-start"
            else "Charged for each item pushed to the dataset."
        ),
        "eventPriceUsd": price,
        "isPrimaryEvent": name == "result",
        "isOneTimeEvent": name == "actor-start",
    }


def pricing_infos(spec: ActorSpec, epoch: datetime) -> list[dict[str, Any]]:
    """The actor's pricing records, past and announced, dated from `epoch`."""
    if spec.pricing == "per_item":
        return [
            _record(
                epoch,
                -200,
                pricingModel="PRICE_PER_DATASET_ITEM",
                unitName=spec.unit_name,
                pricePerUnitUsd=spec.price_per_unit_usd,
            )
        ]
    if spec.pricing != "per_event":
        return []
    history = [
        _record(
            epoch,
            -400,
            pricingModel="PRICE_PER_DATASET_ITEM",
            unitName="result",
            pricePerUnitUsd=0.005,
        )
    ]
    for days, prices in EVENT_PRICE_HISTORY:
        events = {name: _event(name, price) for name, price in prices.items()}
        history.append(
            _record(
                epoch,
                days,
                pricingModel="PAY_PER_EVENT",
                pricingPerEvent={"actorChargeEvents": events},
            )
        )
    return history


def current_pricing(infos: list[dict[str, Any]], now: datetime) -> dict[str, Any] | None:
    """The record in force at `now`: the latest one that has started."""
    started = [i for i in infos if datetime.fromisoformat(i["startedAt"]) <= now]
    return max(started, key=lambda i: i["startedAt"], default=None)


def _event_prices(pricing_info: Mapping[str, Any]) -> dict[str, float]:
    events = pricing_info["pricingPerEvent"]["actorChargeEvents"]
    return {name: float(event["eventPriceUsd"]) for name, event in events.items()}


def capped(
    items: list[Any], options: Mapping[str, Any], info: Mapping[str, Any] | None
) -> list[Any]:
    """maxItems caps every run; maxTotalChargeUsd caps a pay-per-event run's results."""
    if options.get("maxItems") is not None:
        items = items[: options["maxItems"]]
    budget = options.get("maxTotalChargeUsd")
    if budget is not None and info is not None and info["pricingModel"] == "PAY_PER_EVENT":
        prices = _event_prices(info)
        affordable = (budget - prices.get("actor-start", 0.0)) / prices["result"]
        items = items[: max(int(affordable + 1e-9), 0)]
    return items


@dataclass(frozen=True)
class RunCost:
    usage_total_usd: float
    billing_model: str  # platformUsageBillingModel: who pays the platform usage
    usage: dict[str, float] | None = None
    usage_usd: dict[str, float] | None = None
    charged_event_counts: dict[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        """The run object's cost fields."""
        data: dict[str, Any] = {
            "usageTotalUsd": self.usage_total_usd,
            "platformUsageBillingModel": self.billing_model,
        }
        if self.usage is not None:
            data["usage"] = self.usage
        if self.usage_usd is not None:
            data["usageUsd"] = self.usage_usd
        if self.charged_event_counts is not None:
            data["chargedEventCounts"] = self.charged_event_counts
        return data


def charges(info: Mapping[str, Any] | None, item_count: int) -> RunCost:
    """The cost of a run that pushed `item_count` items under pricing record `info`."""
    if info is not None and info["pricingModel"] == "PAY_PER_EVENT":
        counts = {"actor-start": 1, "result": item_count}
        prices = _event_prices(info)
        total = sum(prices[k] * n for k, n in counts.items())
        return RunCost(round(total, 6), "DEVELOPER", charged_event_counts=counts)
    if info is not None and info["pricingModel"] == "PRICE_PER_DATASET_ITEM":
        return RunCost(round(float(info["pricePerUnitUsd"]) * item_count, 6), "DEVELOPER")
    usage = {"ACTOR_COMPUTE_UNITS": COMPUTE_UNITS_PER_RUN, "DATASET_WRITES": item_count}
    usage_usd = {
        "ACTOR_COMPUTE_UNITS": round(COMPUTE_UNITS_PER_RUN * USD_PER_COMPUTE_UNIT, 6),
        "DATASET_WRITES": round(item_count * USD_PER_DATASET_WRITE, 6),
    }
    return RunCost(round(sum(usage_usd.values()), 6), "USER", usage, usage_usd)
