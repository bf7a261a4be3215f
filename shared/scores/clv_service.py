"""Customer lifetime value per person from their purchases (reachops.journey_events' purchase
rows with a person), with shared.insights.clv: BG/NBD for the purchases to come and P(alive),
Gamma-Gamma for what each is worth, discounted month by month.

Time is in weeks (recency and T in weeks since the first purchase, as in Fader, Hardie and Lee
2005); a day with purchases is one transaction; money in currency units inside the models
(micros would put the optimiser's start far from the optimum) and micros in the result. One
currency per run: the one most of the purchases carry; purchases in others are left out and
counted in the diagnostics. The run also fits the model on all but the last HOLDOUT_DAYS and
compares its predicted repeat purchases with the actual ones of that holdout period. A fit that
cannot be made stores no score, and the run's diagnostics give the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from shared.insights.clv import (
    WEEKS_PER_MONTH,
    calibration_holdout,
    customer_lifetime_value,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    holdout_check,
    monthly_rate,
    probability_alive,
)
from shared.ports import DocumentStore, Warehouse
from shared.scores.models import ScoreRun, period_of
from shared.scores.records import PersonScore, store_run

SQL = "queries/scores_purchase_days.sql"
LOOKBACK_DAYS = 730
HOLDOUT_DAYS = 91
HORIZON_MONTHS = 12
ANNUAL_DISCOUNT_RATE = 0.10
MICROS = 1_000_000
WEEK = pd.Timedelta(weeks=1)


@dataclass(frozen=True)
class ClvOutcome:
    """Per-person model inputs and outputs (empty when a fit failed) and the diagnostics."""

    currency: str | None
    people: pd.DataFrame
    diagnostics: dict[str, Any]


class ClvService:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._clock = clock

    def compute(self, org_id: str, at: datetime) -> ClvOutcome:
        today = at.date()
        rows = self._warehouse.run(
            SQL,
            {
                "org_id": org_id,
                "since_date": today - timedelta(days=LOOKBACK_DAYS - 1),
                "until_date": today,
            },
        )
        valued = [r for r in rows if r["currency"] is not None and (r["value_micros"] or 0) > 0]
        settings = {
            "time_unit": "weeks",
            "lookback_days": LOOKBACK_DAYS,
            "horizon_months": HORIZON_MONTHS,
            "annual_discount_rate": ANNUAL_DISCOUNT_RATE,
            "holdout_days": HOLDOUT_DAYS,
        }
        if not valued:
            reason = "no purchase with a positive value and a person in the look-back window"
            return ClvOutcome(None, pd.DataFrame(), {**settings, "reason": reason})
        frame = pd.DataFrame(valued)
        currency = str(frame["currency"].value_counts().sort_index().idxmax())
        chosen = frame[frame["currency"] == currency].copy()
        chosen["value"] = chosen["value_micros"].astype(np.float64) / MICROS
        diagnostics: dict[str, Any] = {
            **settings,
            "currency": currency,
            "purchase_days": len(chosen),
            "purchase_days_other_currencies": len(frame) - len(chosen),
            "purchase_days_without_a_positive_value": len(rows) - len(valued),
        }
        diagnostics["holdout"] = self._holdout(chosen, today)
        data = calibration_holdout(
            chosen,
            customer="person_id",
            when="day",
            calibration_end=str(today),
            observation_end=str(today),
            value="value",
            period=WEEK,
        )
        x, t_x, t = data["frequency_cal"], data["recency_cal"], data["T_cal"]
        bgnbd = fit_bgnbd(x, t_x, t)
        spend = fit_gamma_gamma(x, data["monetary_value_cal"])
        diagnostics.update(bgnbd=dict(vars(bgnbd)), gamma_gamma=dict(vars(spend)))
        if bgnbd.reason is not None or spend.reason is not None:
            diagnostics["reason"] = bgnbd.reason or spend.reason
            return ClvOutcome(currency, pd.DataFrame(), diagnostics)
        people = pd.DataFrame(
            {
                "person_id": data.index.astype(str),
                "frequency": x.to_numpy(),
                "recency_weeks": t_x.to_numpy(),
                "T_weeks": t.to_numpy(),
                "monetary_value": data["monetary_value_cal"].to_numpy(),
            }
        )
        people["p_alive"] = probability_alive(bgnbd, x, t_x, t)
        weeks = HORIZON_MONTHS * WEEKS_PER_MONTH
        people["expected_purchases"] = expected_purchases(bgnbd, weeks, x, t_x, t)
        people["clv"] = customer_lifetime_value(
            bgnbd,
            spend,
            frequency=x,
            recency=t_x,
            T=t,
            monetary_value=data["monetary_value_cal"],
            months=HORIZON_MONTHS,
            monthly_discount_rate=monthly_rate(ANNUAL_DISCOUNT_RATE),
            units_per_month=WEEKS_PER_MONTH,
        )
        return ClvOutcome(currency, people, diagnostics)

    def calculate(self, org_id: str, at: datetime | None = None) -> ScoreRun:
        now = at or self._clock()
        outcome = self.compute(org_id, now)
        scores = [
            PersonScore(
                person_id=str(row["person_id"]),
                value=round(float(row["clv"]) * MICROS),
                currency=outcome.currency,
                breakdown={
                    "frequency": float(row["frequency"]),
                    "recency_weeks": float(row["recency_weeks"]),
                    "T_weeks": float(row["T_weeks"]),
                    "monetary_value_micros": round(float(row["monetary_value"]) * MICROS),
                    "p_alive": float(row["p_alive"]),
                    "expected_purchases": float(row["expected_purchases"]),
                    "horizon_months": HORIZON_MONTHS,
                    "annual_discount_rate": ANNUAL_DISCOUNT_RATE,
                },
            )
            for row in outcome.people.to_dict("records")
        ]
        return store_run(
            self._store,
            self._warehouse,
            org_id,
            "clv",
            period=period_of("clv", now),
            computed_at=now,
            scores=scores,
            diagnostics=outcome.diagnostics,
        )

    @staticmethod
    def _holdout(chosen: pd.DataFrame, today: date) -> dict[str, Any]:
        """Fit on the days before the holdout period, predict its repeat purchases."""
        calibration_end = today - timedelta(days=HOLDOUT_DAYS)
        if chosen["day"].min() > calibration_end:
            return {"reason": "no purchase before the holdout period"}
        split = calibration_holdout(
            chosen,
            customer="person_id",
            when="day",
            calibration_end=str(calibration_end),
            observation_end=str(today),
            period=WEEK,
        )
        fit = fit_bgnbd(split["frequency_cal"], split["recency_cal"], split["T_cal"])
        if fit.reason is not None:
            return {"reason": fit.reason}
        check = holdout_check(
            fit,
            frequency_cal=split["frequency_cal"],
            recency_cal=split["recency_cal"],
            T_cal=split["T_cal"],
            frequency_holdout=split["frequency_holdout"],
            duration_holdout=float(split["duration_holdout"].iloc[0]),
        )
        return {
            "calibration_end": calibration_end,
            "log_likelihood": fit.log_likelihood,
            "customers": check.customers,
            "predicted_total": check.predicted_total,
            "actual_total": check.actual_total,
            "groups": [vars(g) for g in check.groups],
        }
