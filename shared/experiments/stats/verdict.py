"""Plain verdicts per (experiment, metric), with the numbers behind them.

In order, the first that holds:
* `untrustworthy`: the experiment's sample ratio mismatch check is flagged (srm.py); no other
  figure of it should be acted on;
* `no_data`: no comparison of the metric could be computed (the first reason is given);
* `guardrail_harmed`: a guardrail moved significantly in its bad direction ("stop: ...");
  a guardrail that did not is `inconclusive` ("no harm detected");
* `variant_wins`: a variant is significantly better (adjusted p) - the best such lift is named;
* `control_wins`: every computed variant is significantly worse;
* `inconclusive`: otherwise, with the visitors still needed for the experiment's MDE: the
  comparison needing the most sets it (power.users_needed from the lift's current variance).
Metrics are taken as "higher is better"; guardrails say their bad direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shared.experiments.stats.analyze import experiment_keys
from shared.experiments.stats.power import POWER, users_needed
from shared.experiments.stats.settings import DEFAULTS, AnalysisSettings, BoolArray, ObjectArray

VERDICT_CODES = (
    "variant_wins",
    "control_wins",
    "inconclusive",
    "guardrail_harmed",
    "untrustworthy",
    "no_data",
)


def _rows(results: pd.DataFrame, metrics: pd.DataFrame, settings: AnalysisSettings) -> pd.DataFrame:
    keys = [*experiment_keys(metrics), "metric_id"]
    frame = results.drop(columns=["metric_role"], errors="ignore").merge(
        metrics[[*keys, "role", "direction", "mde"]], on=keys, how="inner"
    )
    lift = frame["lift"].to_numpy(dtype=float, na_value=np.nan)
    significant = frame["significant"].fillna(False).to_numpy(dtype=bool)
    direction = frame["direction"].to_numpy(dtype=object)
    users = frame.groupby(keys)["variant_users"].transform("sum") + frame["control_users"]
    unit_variance = frame["lift_stddev"].to_numpy(dtype=float, na_value=np.nan) ** 2 * users
    mde = frame["mde"].to_numpy(dtype=float, na_value=np.nan)
    return frame.assign(
        _ok=frame["reason"].isna(),
        _better=significant & (lift > 0),
        _worse=significant & (lift < 0),
        _harm=significant
        & (
            ((direction == "increase_is_bad") & (lift > 0))
            | ((direction == "decrease_is_bad") & (lift < 0))
        ),
        _users=users,
        _needed=users_needed(unit_variance, mde, settings.alpha, POWER, settings.two_sided),
        _name=frame["variant_name"] if "variant_name" in frame else frame["variant_id"],
    )


def _named(
    rows: pd.DataFrame, keys: list[str], mask: str, by: str, ascending: bool
) -> pd.DataFrame:
    """The one row per metric a verdict names: the extreme `by` among rows where `mask`."""
    picked = rows.loc[rows[mask]].sort_values(by, ascending=ascending, kind="stable")
    return picked.drop_duplicates(keys)[[*keys, *NAMED]]


NAMED = ("variant_id", "_name", "lift", "p_value_adjusted")


def _attach_named(out: pd.DataFrame, rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The variant each verdict names, with its lift and adjusted p: the best winner, the
    worst harm, the least bad loser, or the comparison needing the most users."""
    named = {
        "variant_wins": _named(rows, keys, "_better", "lift", ascending=False),
        "guardrail_harmed": _named(rows, keys, "_harm", "_harm_size", ascending=False),
        "control_wins": _named(rows, keys, "_worse", "lift", ascending=False),
        "inconclusive": _named(rows, keys, "_ok", "_needed", ascending=False),
    }
    out = out.assign(**dict.fromkeys(NAMED, None))
    for verdict, picked in named.items():
        mask = out["verdict_code"].to_numpy() == verdict
        lookup = out.loc[mask, keys].merge(picked, on=keys, how="left")
        for column in NAMED:
            out.loc[mask, column] = lookup[column].to_numpy(dtype=object)
    return out.assign(
        lift=pd.to_numeric(out["lift"]), p_value_adjusted=pd.to_numeric(out["p_value_adjusted"])
    )


def verdicts(
    results: pd.DataFrame,
    metrics: pd.DataFrame,
    settings: AnalysisSettings = DEFAULTS,
    srm: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`results`: analyze()'s frame (optionally with `variant_name`); `metrics`: one row per
    (experiment, metric) with role, direction (guardrails) and the experiment's mde (and
    optionally `metric_name`); `srm`: srm_p_values()'s frame. One row per row of `metrics`."""
    keys = [*experiment_keys(metrics), "metric_id"]
    rows = _rows(results, metrics, settings)
    rows["_harm_size"] = rows["lift"].abs()
    grouped = rows.groupby(keys).agg(
        _computed=("_ok", "sum"),
        _any_better=("_better", "any"),
        _worse_count=("_worse", "sum"),
        _any_harm=("_harm", "any"),
        _needed=("_needed", "max"),
        users=("_users", "first"),
        _first_reason=("reason", "first"),
    )
    out = metrics.merge(grouped.reset_index(), on=keys, how="left")
    if srm is not None:
        out = out.merge(srm, on=experiment_keys(metrics), how="left")
    else:
        out = out.assign(srm_p_value=np.nan, srm_flagged=False)
    computed = out["_computed"].fillna(0).to_numpy() > 0
    guardrail = out["role"].to_numpy(dtype=object) == "guardrail"
    code = np.select(
        [
            out["srm_flagged"].fillna(False).to_numpy(dtype=bool),
            ~computed,
            guardrail & out["_any_harm"].fillna(False).to_numpy(dtype=bool),
            guardrail,
            out["_any_better"].fillna(False).to_numpy(dtype=bool),
            computed
            & (out["_worse_count"].fillna(0).to_numpy() == out["_computed"].fillna(0).to_numpy()),
        ],
        [
            "untrustworthy",
            "no_data",
            "guardrail_harmed",
            "inconclusive",
            "variant_wins",
            "control_wins",
        ],
        default="inconclusive",
    )
    out["verdict_code"] = code
    out = _attach_named(out, rows, keys)
    needed = out["_needed"].to_numpy(dtype=float, na_value=np.nan)
    users = out["users"].to_numpy(dtype=float, na_value=np.nan)
    additional = np.where(np.isnan(needed), np.nan, np.maximum(np.ceil(needed - users), 0))
    out["additional_users"] = pd.array(
        np.where(code == "inconclusive", additional, np.nan), dtype="Int64"
    )
    out["verdict"] = _texts(out, code, guardrail)
    out["users"] = out["users"].astype("Int64")
    return out[
        [
            *keys,
            "role",
            "verdict_code",
            "verdict",
            "variant_id",
            "lift",
            "p_value_adjusted",
            "users",
            "additional_users",
            "srm_p_value",
        ]
    ].rename(columns={"variant_id": "verdict_variant_id"})


TEMPLATES = {
    "untrustworthy": "untrustworthy: the traffic split does not match the weights "
    "(SRM p = {srm_p_value:.2g})",
    "no_data": "no data on {metric}{reason}",
    "guardrail_harmed": "stop: guardrail metric {metric} harmed by variant {variant} ({lift:+.1%})",
    "guardrail_ok": "no harm detected on guardrail metric {metric}",
    "variant_wins": "variant {variant} wins on {metric} ({lift:+.1%}, adjusted p = {p:.2g})",
    "control_wins": "control wins on {metric}: every variant is worse "
    "(best: {variant}, {lift:+.1%})",
    "need_more": "inconclusive on {metric}, need about {additional:,} more visitors "
    "to detect a {mde:.0%} lift",
    "no_effect": "inconclusive on {metric}: no lift of {mde:.0%} or more detected",
    "inconclusive": "inconclusive on {metric}",
}
"""The sentence per verdict; every figure in it is also a column of the verdict row."""


def _texts(out: pd.DataFrame, code: ObjectArray, guardrail: BoolArray) -> list[str]:
    additional = out["additional_users"].fillna(-1).to_numpy(dtype=np.int64)
    inconclusive = code == "inconclusive"
    template = np.select(
        [
            inconclusive & guardrail,
            inconclusive & (additional > 0),
            inconclusive & (additional == 0),
        ],
        ["guardrail_ok", "need_more", "no_effect"],
        default=code,
    )
    reason = out["_first_reason"]
    fields = pd.DataFrame(
        {
            "template": template,
            "metric": (out["metric_name"] if "metric_name" in out else out["metric_id"]).astype(
                str
            ),
            "variant": out["_name"],
            "lift": out["lift"],
            "p": out["p_value_adjusted"],
            "additional": additional,
            "mde": out["mde"],
            "reason": np.where(reason.notna(), ": " + reason.fillna("").astype(str), ""),
            "srm_p_value": out["srm_p_value"],
        }
    )
    records = fields.to_dict("records")
    return [
        TEMPLATES[str(row["template"])].format(**{str(k): v for k, v in row.items()})
        for row in records
    ]
