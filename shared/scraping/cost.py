"""What an Apify run cost, and where the figure came from.

Pay-per-event actors bill their charged events at the actor's event prices; other actors bill
platform usage, which the run reports as usageTotalUsd. Money is integer micro-dollars.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from shared.ports import ActorRun

MICROS_PER_USD = 1_000_000
CostSource = Literal["charged_events", "usage_total_usd", "unreported"]


@dataclass(frozen=True)
class RunCost:
    usd_micros: int | None
    source: CostSource


def run_cost(run: ActorRun, event_prices_usd: Mapping[str, float]) -> RunCost:
    if run.pricing_model == "PAY_PER_EVENT" and run.charged_event_counts is not None:
        unpriced = set(run.charged_event_counts) - set(event_prices_usd)
        if not unpriced:
            usd = sum(
                count * event_prices_usd[event] for event, count in run.charged_event_counts.items()
            )
            return RunCost(round(usd * MICROS_PER_USD), "charged_events")
    if run.usage_total_usd is not None:
        return RunCost(round(run.usage_total_usd * MICROS_PER_USD), "usage_total_usd")
    return RunCost(None, "unreported")
