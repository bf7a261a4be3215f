"""Budget pacing of a campaign flight: is spend on track to land on the budget?

A flight runs from `start` to `end`, both days included. Spend to date covers the COMPLETE days
before `today` (today's figures are still moving), so on day d of the flight:

    elapsed_days   = days from start to yesterday (0 on the first day; the whole flight after it)
    remaining_days = flight_days - elapsed_days (today included)
    spend_share    = spend_to_date / budget
    elapsed_share  = elapsed_days / flight_days
    pacing_pct     = spend_share / elapsed_share   (a fraction: 1.0 = exactly on pace)
    run_rate       = mean daily spend over the last `run_rate_days` complete days that have a
                     figure in the daily series; without any, spend_to_date / elapsed_days
    projected_end  = spend_to_date + run_rate * remaining_days
    daily_needed   = (budget - spend_to_date) / remaining_days, rounded up to a whole micro;
                     0 once the budget is spent

over_pacing when pacing_pct > 1.1, under_pacing when pacing_pct < 0.9 (PacingSettings). Money is
integer micros throughout. When the flight has no budget, has not started (or today is its
first day, so no day is complete), or its dates are reversed, the result says so and carries no
figures it cannot compute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

PacingStatus = Literal["ok", "ended", "not_started", "no_budget", "invalid_flight"]


@dataclass(frozen=True)
class PacingSettings:
    over_pacing_above: float = 1.1
    under_pacing_below: float = 0.9
    run_rate_days: int = 7
    """Complete days (the most recent ones) whose mean spend is the current daily run-rate."""


DEFAULT_PACING = PacingSettings()


@dataclass(frozen=True)
class Flight:
    budget_micros: int | None
    start: date
    end: date


@dataclass(frozen=True)
class Pacing:
    status: PacingStatus
    reason: str | None
    flight_days: int
    elapsed_days: int
    remaining_days: int
    spend_to_date_micros: int
    budget_micros: int | None = None
    spend_share: float | None = None
    elapsed_share: float | None = None
    pacing_pct: float | None = None
    run_rate_micros: int | None = None
    run_rate_basis: str | None = None
    """"last N days" (N = days of the series used) or "flight average"."""
    projected_end_spend_micros: int | None = None
    projected_share: float | None = None
    daily_needed_micros: int | None = None
    over_pacing: bool = False
    under_pacing: bool = False


def pace(
    flight: Flight,
    today: date,
    spend_to_date_micros: int,
    daily_spend_micros: Mapping[date, int | None] | None = None,
    settings: PacingSettings = DEFAULT_PACING,
) -> Pacing:
    """Pacing of `flight` as of `today`; daily_spend_micros (optional) gives the run-rate."""
    if flight.end < flight.start:
        return Pacing(
            "invalid_flight",
            "the flight ends before it starts",
            flight_days=0,
            elapsed_days=0,
            remaining_days=0,
            spend_to_date_micros=spend_to_date_micros,
            budget_micros=flight.budget_micros,
        )
    flight_days = (flight.end - flight.start).days + 1
    elapsed = min(max((today - flight.start).days, 0), flight_days)
    base = Pacing(
        status="ok",
        reason=None,
        flight_days=flight_days,
        elapsed_days=elapsed,
        remaining_days=flight_days - elapsed,
        spend_to_date_micros=spend_to_date_micros,
        budget_micros=flight.budget_micros,
    )
    if flight.budget_micros is None or flight.budget_micros <= 0:
        return replace(base, status="no_budget", reason="the flight has no budget to pace against")
    if elapsed == 0:
        when = "today" if today == flight.start else f"on {flight.start}"
        return replace(
            base, status="not_started", reason=f"the flight starts {when}: no complete day yet"
        )
    budget = flight.budget_micros
    remaining = flight_days - elapsed
    spend_share = spend_to_date_micros / budget
    elapsed_share = elapsed / flight_days
    pacing_pct = spend_share / elapsed_share
    run_rate, basis = _run_rate(flight, elapsed, spend_to_date_micros, daily_spend_micros, settings)
    projected = spend_to_date_micros + round(run_rate * remaining)
    left = max(budget - spend_to_date_micros, 0)
    ended = remaining == 0
    return replace(
        base,
        status="ended" if ended else "ok",
        reason="the flight is over: the figures are final" if ended else None,
        spend_share=spend_share,
        elapsed_share=elapsed_share,
        pacing_pct=pacing_pct,
        run_rate_micros=round(run_rate),
        run_rate_basis=basis,
        projected_end_spend_micros=projected,
        projected_share=projected / budget,
        daily_needed_micros=None if ended else -(-left // remaining),
        over_pacing=pacing_pct > settings.over_pacing_above,
        under_pacing=pacing_pct < settings.under_pacing_below,
    )


def _run_rate(
    flight: Flight,
    elapsed: int,
    spend_to_date_micros: int,
    daily: Mapping[date, int | None] | None,
    settings: PacingSettings,
) -> tuple[float, str]:
    last_complete = flight.start + timedelta(days=elapsed - 1)
    first = max(flight.start, last_complete - timedelta(days=settings.run_rate_days - 1))
    window = [
        spend
        for day, spend in (daily or {}).items()
        if first <= day <= last_complete and spend is not None
    ]
    if window:
        return sum(window) / len(window), f"last {len(window)} days"
    return spend_to_date_micros / elapsed, "flight average"
