"""The attribution models over touch paths, vectorised with pandas/numpy.

The same models at their default parameters are SQL views (bigquery_sql/views/attribution_paths.sql,
attributed_conversions_daily.sql); this module computes them for any look-back and half-life a
request asks for, from the candidate touches of reachops.attribution_touches (90 days). An
integration test checks that both give the same figures at the defaults.

A path is one conversion's touches, oldest first. Each model gives each touch a credit; a
conversion's credits sum to 1 in every model:
- last_click / first_click: all to the last / first touch;
- linear: 1/n each;
- time_decay: proportional to 0.5 ** (days before the conversion / half-life);
- position_based: 40 % first, 40 % last, 20 % shared by the middle (1 touch 100 %, 2 touches 50/50);
- data_driven: proportional to the removal effect of the touch's channel (markov.py), equal
  shares when none of the path's channels has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

Model = Literal[
    "last_click", "first_click", "linear", "time_decay", "position_based", "data_driven"
]
MODELS: tuple[Model, ...] = get_args(Model)
SQL_MODELS: tuple[Model, ...] = MODELS[:-1]
DEFAULT_MODEL: Model = "last_click"
DEFAULT_LOOKBACK_DAYS = 30
MAX_LOOKBACK_DAYS = 90
"""reachops.attribution_touches keeps the touches of the 90 days before each conversion."""
DEFAULT_HALF_LIFE_DAYS = 7.0
MIN_HALF_LIFE_DAYS = 0.5
MAX_HALF_LIFE_DAYS = 90.0
ENDS_SHARE = 0.4
"""position_based: the first and the last touch each; the middle shares the rest."""

PATH_COLUMNS = (
    "org_id",
    "conversion_id",
    "event_type",
    "occurred_at",
    "value_micros",
    "currency",
    "site_id",
    "session_id",
    "started_at",
    "channel",
    "campaign_id",
    "allocation_id",
    "paid_campaign_id",
    "days_before",
)
Floats = npt.NDArray[np.float64]


def windowed_paths(touches: pd.DataFrame, lookback_days: int) -> pd.DataFrame:
    """The touches inside the look-back, ranked per conversion (touch_rank from 1, touch_count);
    a conversion left with none gets one 'direct' touch with no campaign (as the SQL view)."""
    frame = touches.loc[:, [*PATH_COLUMNS, "touch_kind"]]
    inside = (frame["touch_kind"] != "session") | (frame["days_before"] < lookback_days)
    kept = frame[inside]
    lost = frame.loc[~frame["conversion_id"].isin(kept["conversion_id"])].drop_duplicates(
        "conversion_id"
    )
    lost = lost.assign(
        site_id=None,
        session_id=None,
        started_at=None,
        channel="direct",
        campaign_id=None,
        allocation_id=None,
        paid_campaign_id=None,
        days_before=np.nan,
    )
    paths = pd.concat([kept, lost], ignore_index=True).drop(columns="touch_kind")
    paths = paths.sort_values(
        ["conversion_id", "started_at", "site_id", "session_id"],
        na_position="first",
        kind="stable",
    ).reset_index(drop=True)
    group = paths.groupby("conversion_id", sort=False)
    paths["touch_rank"] = group.cumcount() + 1
    paths["touch_count"] = group["conversion_id"].transform("size")
    return paths


def credits(
    paths: pd.DataFrame,
    model: Model,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    effects: Mapping[str, float] | None = None,
) -> Floats:
    """Each touch's credit under `model` (paths as `windowed_paths` returns them)."""
    rank = paths["touch_rank"].to_numpy(np.int64)
    count = paths["touch_count"].to_numpy(np.int64)
    if model == "last_click":
        return np.asarray(rank == count, dtype=np.float64)
    if model == "first_click":
        return np.asarray(rank == 1, dtype=np.float64)
    if model == "linear":
        return np.asarray(1.0 / count, dtype=np.float64)
    if model == "position_based":
        middle = (1.0 - 2 * ENDS_SHARE) / np.maximum(count - 2, 1)
        ends = np.where((rank == 1) | (rank == count), ENDS_SHARE, middle)
        return np.asarray(np.where(count == 1, 1.0, np.where(count == 2, 0.5, ends)), np.float64)
    if model == "time_decay":
        days = paths["days_before"].to_numpy(np.float64)
        weight = np.where(np.isnan(days), 1.0, np.power(0.5, days / half_life_days))
    else:
        by_channel = pd.Series(effects or {}, dtype=np.float64)
        weight = paths["channel"].map(by_channel).fillna(0.0).to_numpy(np.float64)
        weight = np.where(paths["session_id"].isna(), 1.0, weight)
    return _normalised(paths["conversion_id"], weight, count)


def _normalised(conversion: pd.Series, weight: Floats, count: npt.NDArray[np.int64]) -> Floats:
    total = pd.Series(weight).groupby(conversion.to_numpy()).transform("sum").to_numpy()
    return np.where(total > 0, weight / np.where(total > 0, total, 1.0), 1.0 / count)


GROUPS = {
    "campaign": ["campaign_id"],
    "channel": ["channel"],
    "allocation": ["campaign_id", "allocation_id"],
}
By = Literal["campaign", "channel", "allocation"]


def credited(paths: pd.DataFrame, credit: Floats, by: By) -> pd.DataFrame:
    """Conversions (sum of credit) and credited value per `by` target and currency."""
    frame = paths.assign(
        conversions=credit,
        value_micros=credit * paths["value_micros"].astype(np.float64),
    )
    return summed(frame[frame["conversions"] > 0], by)


def summed(frame: pd.DataFrame, by: By) -> pd.DataFrame:
    """Credited rows (conversions, value_micros) summed per `by` target and currency; the value
    stays null where no row had one."""
    grouped = frame.groupby([*GROUPS[by], "currency"], dropna=False, sort=True)
    return pd.DataFrame(
        {
            "conversions": grouped["conversions"].sum(),
            "value_micros": grouped["value_micros"].sum(min_count=1),
        }
    ).reset_index()
