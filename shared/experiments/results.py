"""Experiment results: the hourly job computes every running experiment's results from the
warehouse and stores the run, and the API answers a stored run.

`recompute_all(now)` is the job: one moments query serves every running experiment of every
organization (queries/experiment_moments.sql, the experiments passed as parameter arrays),
the engine (shared.experiments.stats) analyses them all in one vectorised call per distinct
settings, and the rows land in reachops.experiment_results under the run's hour (`run_at`,
`now` floored to the hour). The MERGE key holds the hour, so a rerun within an hour replaces
that hour's rows: same hour, same rows.

`latest(principal, experiment_id, at)` answers the latest run at or before `at` (default now);
with none, every figure is null and `reason` says why (a 200, not an error).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from shared.auth import Principal
from shared.experiments import stats
from shared.experiments.models import Experiment, Metric, RatioPart
from shared.experiments.result_models import (
    COMPARISON_FIGURES,
    ExperimentResults,
    RecomputeSummary,
)
from shared.experiments.result_reply import no_results, results_reply
from shared.experiments.service import ExperimentService
from shared.ports import DocumentStore, Warehouse

RESULTS_TABLE = "experiment_results"
RESULT_KEYS = ("org_id", "experiment_id", "run_at", "metric_id", "variant_id")
MOMENTS_SQL = "queries/experiment_moments.sql"
RESULTS_AT_SQL = "queries/experiment_results_at.sql"
PRE_PERIOD = timedelta(days=14)
"""CUPED's covariate window before each visitor's first exposure (the moments SQL's 14 days)."""
NO_RUN = "no results computed yet: the hourly job has not run for this experiment at that time"


def run_hour(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _source(part: RatioPart) -> str:
    return f"goal:{part.goal_id}" if part.goal_id else f"event:{part.event_type}"


def metric_parts(metric: Metric) -> tuple[str, str, str, str]:
    """(main source, main aggregate, denominator source, aggregate) as the moments SQL reads
    them ('' for none): binomial converts on a goal, mean sums an event type's values."""
    if metric.kind == "binomial":
        return f"goal:{metric.goal_id}", "any", "", ""
    if metric.kind == "mean":
        return f"event:{metric.event_type}", "value", "", ""
    numerator, denominator = metric.numerator, metric.denominator
    assert numerator is not None
    assert denominator is not None
    return _source(numerator), numerator.aggregate, _source(denominator), denominator.aggregate


def moments_params(running: Sequence[tuple[str, Experiment]], now: datetime) -> dict[str, Any]:
    """The moments SQL's parameter arrays, one entry per variant (v_*) and per metric (m_*)."""
    variants = [
        (org_id, e, variant, index)
        for org_id, e in running
        for index, variant in enumerate(e.variants)
    ]
    metrics = [
        (org_id, e, metric, metric_parts(metric)) for org_id, e in running for metric in e.metrics
    ]
    starts = [e.started_at or e.created_at for _, e in running]
    return {
        "since_date": (min(starts) - PRE_PERIOD).date(),
        "v_org_ids": [org for org, _, _, _ in variants],
        "v_experiment_ids": [e.experiment_id for _, e, _, _ in variants],
        "v_site_ids": [e.site_id for _, e, _, _ in variants],
        "v_variant_ids": [v.variant_id for _, _, v, _ in variants],
        "v_variant_indexes": [index for _, _, _, index in variants],
        "v_started_ats": [e.started_at or e.created_at for _, e, _, _ in variants],
        "v_end_ats": [min(e.stopped_at or now, now) for _, e, _, _ in variants],
        "m_org_ids": [org for org, _, _, _ in metrics],
        "m_experiment_ids": [e.experiment_id for _, e, _, _ in metrics],
        "m_metric_ids": [m.metric_id for _, _, m, _ in metrics],
        "m_kinds": [m.kind for _, _, m, _ in metrics],
        "m_main_sources": [p[0] for _, _, _, p in metrics],
        "m_main_aggregates": [p[1] for _, _, _, p in metrics],
        "m_denominator_sources": [p[2] for _, _, _, p in metrics],
        "m_denominator_aggregates": [p[3] for _, _, _, p in metrics],
        "m_currencies": [m.currency or "" for _, _, m, _ in metrics],
    }


def _number(value: Any) -> Any:
    """NaN (the engine's "not computed") and pandas' missing values are null."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def display_mean(row: Mapping[Any, Any]) -> float | None:
    """A variant's metric: main_sum / users (a rate or value per visitor), or for a ratio
    main_sum / denominator_sum; null when it divides by nothing."""
    divisor = row["denominator_sum"] if row["metric_kind"] == "ratio" else row["users"]
    return None if not divisor else float(row["main_sum"]) / float(divisor)


class ExperimentResultsService:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        experiments: ExperimentService,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._experiments = experiments
        self._now = now

    def recompute_all(self, now: datetime | None = None) -> RecomputeSummary:
        """Every organization's running experiments, stored under this hour's run."""
        at = now or self._now()
        run_at = run_hour(at)
        running = [
            (org.id, experiment)
            for org in self._store.query("orgs")
            for experiment in self._experiments.running(org.id)
        ]
        if not running:
            return RecomputeSummary(run_at=run_at, experiments=0, rows=0)
        moments = pd.DataFrame(self._warehouse.run(MOMENTS_SQL, moments_params(running, at)))
        rows = stored_rows(running, moments, run_at=run_at, computed_at=at)
        self._warehouse.merge_rows(RESULTS_TABLE, rows, RESULT_KEYS, update_existing=True)
        return RecomputeSummary(run_at=run_at, experiments=len(running), rows=len(rows))

    def latest(
        self, principal: Principal, experiment_id: str, at: datetime | None = None
    ) -> ExperimentResults:
        experiment = self._experiments.get_for_results(principal, experiment_id)
        until = at or self._now()
        rows = self._warehouse.run(
            RESULTS_AT_SQL,
            {
                "org_id": principal.org_id,
                "experiment_id": experiment_id,
                "at": until,
                "since_date": (experiment.started_at or experiment.created_at).date(),
            },
        )
        if not rows:
            return no_results(experiment, NO_RUN)
        return results_reply(experiment, rows)


def stored_rows(
    running: Sequence[tuple[str, Experiment]],
    moments: pd.DataFrame,
    *,
    run_at: datetime,
    computed_at: datetime,
) -> list[dict[str, Any]]:
    """The engine over the moments, one call per distinct settings, as result rows. Frames are
    keyed (org_id, experiment_id), so two organizations never share an experiment."""
    by_key = {(org, e.experiment_id): e for org, e in running}
    groups: dict[str, list[tuple[str, str]]] = {}
    for key, experiment in by_key.items():
        groups.setdefault(experiment.settings.model_dump_json(), []).append(key)
    roles = {(*k, m.metric_id): m.role for k, e in by_key.items() for m in e.metrics}
    moments = moments.assign(
        metric_role=[
            roles[k]
            for k in zip(
                moments["org_id"], moments["experiment_id"], moments["metric_id"], strict=True
            )
        ]
    )
    rows: list[dict[str, Any]] = []
    for keys in groups.values():
        experiments = {key: by_key[key] for key in keys}
        analysis = stats.AnalysisSettings(**experiments[keys[0]].settings.analysis_fields())
        frame = moments[
            pd.Series(list(zip(moments["org_id"], moments["experiment_id"], strict=True)))
            .isin(keys)
            .to_numpy()
        ]
        compared = stats.analyze(frame, analysis)
        srm = stats.srm_p_values(_srm_frame(frame, experiments), analysis)
        verdicts = stats.verdicts(compared, _metrics_frame(experiments), analysis, srm)
        analysed = Analysed(compared, srm, verdicts, run_at, computed_at)
        rows.extend(_rows(frame, experiments, analysed))
    return rows


@dataclass(frozen=True)
class Analysed:
    """One settings group's engine frames and the run they are stored under."""

    compared: pd.DataFrame
    srm: pd.DataFrame
    verdicts: pd.DataFrame
    run_at: datetime
    computed_at: datetime


def _srm_frame(frame: pd.DataFrame, experiments: dict[tuple[str, str], Experiment]) -> pd.DataFrame:
    """Users per variant (the same on every metric's rows) beside the variant's weight."""
    first = frame.drop_duplicates(["org_id", "experiment_id", "variant_id"])
    weights = {(*k, v.variant_id): v.weight for k, e in experiments.items() for v in e.variants}
    keys = zip(first["org_id"], first["experiment_id"], first["variant_id"], strict=True)
    return first[["org_id", "experiment_id", "variant_id", "users"]].assign(
        weight=[weights[k] for k in keys]
    )


def _metrics_frame(experiments: dict[tuple[str, str], Experiment]) -> pd.DataFrame:
    """One row per (experiment, metric): what the verdicts need to know of it."""
    return pd.DataFrame(
        [
            {
                "org_id": org_id,
                "experiment_id": experiment_id,
                "metric_id": m.metric_id,
                "role": m.role,
                "direction": m.direction,
                "mde": e.mde,
            }
            for (org_id, experiment_id), e in experiments.items()
            for m in e.metrics
        ]
    )


def _rows(
    frame: pd.DataFrame, experiments: dict[tuple[str, str], Experiment], analysed: Analysed
) -> list[dict[str, Any]]:
    figures = {
        (r["org_id"], r["experiment_id"], r["metric_id"], r["variant_id"]): r
        for r in analysed.compared.to_dict("records")
    }
    srm_of = {(r["org_id"], r["experiment_id"]): r for r in analysed.srm.to_dict("records")}
    verdict_of = {
        (r["org_id"], r["experiment_id"], r["metric_id"]): r
        for r in analysed.verdicts.to_dict("records")
    }
    rows = []
    for moment in frame.to_dict("records"):
        key = (moment["org_id"], moment["experiment_id"])
        experiment = experiments[key]
        metric = next(m for m in experiment.metrics if m.metric_id == moment["metric_id"])
        total_weight = math.fsum(v.weight for v in experiment.variants)
        weight = next(v.weight for v in experiment.variants if v.variant_id == moment["variant_id"])
        figure = figures.get((*key, metric.metric_id, moment["variant_id"]), {})
        test = srm_of[key]
        verdict = verdict_of[(*key, metric.metric_id)]
        rows.append(
            {
                "org_id": key[0],
                "experiment_id": key[1],
                "run_at": analysed.run_at,
                "metric_id": metric.metric_id,
                "variant_id": moment["variant_id"],
                "variant_index": int(moment["variant_index"]),
                "computed_at": analysed.computed_at,
                "role": metric.role,
                "kind": metric.kind,
                "currency": metric.currency,
                "users": int(moment["users"]),
                "multiple_exposures": int(moment["multiple_exposures"]),
                "expected_share": weight / total_weight,
                "mean": display_mean(moment),
                "srm_p_value": _number(test["srm_p_value"]),
                "srm_flagged": bool(test["srm_flagged"]),
                **{name: _number(figure.get(name)) for name in COMPARISON_FIGURES},
                "reason": _number(figure.get("reason")),
                "verdict_code": str(verdict["verdict_code"]),
                "verdict_text": str(verdict["verdict"]),
                "verdict_details_json": json.dumps(_details(verdict), sort_keys=True, default=str),
            }
        )
    return rows


VERDICT_DETAILS = (
    "verdict_variant_id",
    "lift",
    "p_value_adjusted",
    "users",
    "additional_users",
    "srm_p_value",
)
"""The numbers behind a verdict, as the engine's verdicts() names them."""


def _details(verdict: Mapping[Any, Any]) -> dict[str, Any]:
    return {name: _number(verdict.get(name)) for name in VERDICT_DETAILS}
