"""From a transaction log to the model's inputs, and the check that a fit predicts a period it
has not seen: the calibration/holdout split of Fader, Hardie and Lee (2005, section 4), and
predicted against actual repeat purchases in the holdout, overall and by calibration frequency
(their figure 4, with the top group open-ended).

Purchases on the same day by the same customer count as one transaction (their values summed),
as in the CDNOW analyses: a basket split over two orders within the day is one purchase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from shared.insights.bgnbd import BgNbdFit, expected_purchases
from shared.insights.inputs import ArrayLike, as_array, customer_arrays, horizon, same_length

DEFAULT_PERIOD = pd.Timedelta(days=7)
"""The time unit of recency, T and the holdout duration: weeks, as in the paper."""

TOP_GROUP = 7
"""Calibration frequencies of 7 and more form one group, as in the paper's figure 4."""


def _column(transactions: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in transactions.columns:
        raise ValueError(f"{role}: column {name!r} is not in the transactions")
    return transactions[name]


def _day(name: str, moment: datetime | str, dates: pd.Series) -> pd.Timestamp:
    """`moment`'s day in the time zone of the transactions (days are cut there), so a bound
    without a zone means the transactions' zone."""
    stamp = pd.Timestamp(moment)
    zone = dates.dt.tz
    if zone is None and stamp.tzinfo is not None:
        raise ValueError(f"{name}: has a time zone, the transaction dates have none")
    if zone is not None:
        stamp = stamp.tz_localize(zone) if stamp.tzinfo is None else stamp.tz_convert(zone)
    return stamp.floor("D")


def calibration_holdout(
    transactions: pd.DataFrame,
    *,
    customer: str,
    when: str,
    calibration_end: datetime | str,
    observation_end: datetime | str,
    value: str | None = None,
    period: pd.Timedelta = DEFAULT_PERIOD,
) -> pd.DataFrame:
    """One row per customer whose first purchase falls on or before `calibration_end`, indexed
    by customer: frequency_cal, recency_cal, T_cal (in `period`s), monetary_value_cal (mean value
    of the repeat days, 0 without repeats; only when `value` names a column), frequency_holdout
    (purchase days after calibration_end up to observation_end) and duration_holdout."""
    if period <= pd.Timedelta(0):
        raise ValueError("period: must be a positive length of time")
    ids = _column(transactions, customer, "customer")
    try:
        dates = pd.to_datetime(_column(transactions, when, "when")).dt.floor("D")
    except (TypeError, ValueError) as error:
        raise ValueError(f"when: column {when!r} has entries that are not dates") from error
    cal_end = _day("calibration_end", calibration_end, dates)
    obs_end = _day("observation_end", observation_end, dates)
    if obs_end < cal_end:
        raise ValueError("observation_end: must not be before calibration_end")
    amounts: pd.Series | float = 0.0
    if value is not None:
        try:
            amounts = pd.to_numeric(_column(transactions, value, "value"))
        except (TypeError, ValueError) as error:
            raise ValueError(f"value: column {value!r} has entries that are not numbers") from error
        if not np.all(np.isfinite(amounts)):
            raise ValueError(f"value: column {value!r} has missing or non-finite amounts")
    rows = pd.DataFrame({"customer": ids, "day": dates, "value": amounts})
    if rows["day"].isna().any():
        raise ValueError(f"when: column {when!r} has missing dates")
    days = rows.groupby(["customer", "day"], as_index=False, sort=True)["value"].sum()
    cal = days[days["day"] <= cal_end]
    hold = days[(days["day"] > cal_end) & (days["day"] <= obs_end)]
    grouped = cal.groupby("customer", sort=True)
    first = grouped["day"].min()
    out = pd.DataFrame(index=first.index)
    out["frequency_cal"] = (grouped["day"].count() - 1).astype(np.float64)
    unit = period.total_seconds()
    out["recency_cal"] = (grouped["day"].max() - first).dt.total_seconds() / unit
    out["T_cal"] = (cal_end - first).dt.total_seconds() / unit
    if value is not None:
        first_value = grouped["value"].first()
        repeat_total = grouped["value"].sum() - first_value
        mean = repeat_total / out["frequency_cal"].where(out["frequency_cal"] > 0)
        out["monetary_value_cal"] = mean.fillna(0.0)
    holdout_days = hold.groupby("customer")["day"].count()
    out["frequency_holdout"] = holdout_days.reindex(out.index, fill_value=0).astype(np.float64)
    out["duration_holdout"] = (obs_end - cal_end).total_seconds() / unit
    return out


@dataclass(frozen=True)
class FrequencyGroup:
    """Customers with one calibration frequency ("7+" for the top group)."""

    frequency: str
    customers: int
    predicted_mean: float
    actual_mean: float


@dataclass(frozen=True)
class HoldoutCheck:
    """Predicted against actual repeat purchases in the holdout period."""

    customers: int
    duration: float
    predicted_total: float
    actual_total: int
    groups: tuple[FrequencyGroup, ...]


def holdout_check(
    fit: BgNbdFit,
    *,
    frequency_cal: ArrayLike,
    recency_cal: ArrayLike,
    T_cal: ArrayLike,  # noqa: N803 - the paper's name
    frequency_holdout: ArrayLike,
    duration_holdout: float,
) -> HoldoutCheck:
    """Expected purchases over `duration_holdout` for each customer, summed and grouped by
    calibration frequency, next to what they actually bought."""
    x, t_x, t = customer_arrays(frequency_cal, recency_cal, T_cal)
    actual = as_array("frequency_holdout", frequency_holdout)
    same_length(frequency_cal=x, frequency_holdout=actual)
    duration = horizon("duration_holdout", duration_holdout)
    predicted = expected_purchases(fit, duration, x, t_x, t)
    capped = np.minimum(x, TOP_GROUP).astype(int)
    groups = []
    for k in np.unique(capped):
        members = capped == k
        label = f"{TOP_GROUP}+" if k == TOP_GROUP else str(k)
        groups.append(
            FrequencyGroup(
                frequency=label,
                customers=int(np.count_nonzero(members)),
                predicted_mean=float(np.mean(predicted[members])),
                actual_mean=float(np.mean(actual[members])),
            )
        )
    return HoldoutCheck(
        customers=len(x),
        duration=duration,
        predicted_total=float(np.sum(predicted)),
        actual_total=int(np.sum(actual)),
        groups=tuple(groups),
    )
