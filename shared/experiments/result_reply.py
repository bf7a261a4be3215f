"""Stored result rows (reachops.experiment_results, one run) as the API's reply, and the reply
for an experiment with no run: every figure null, the reason given."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from shared.experiments.models import Experiment
from shared.experiments.result_models import (
    COMPARISON_FIGURES,
    ExperimentResults,
    MetricResult,
    SrmCheck,
    SrmVariant,
    VariantResult,
    Verdict,
)


def results_reply(experiment: Experiment, rows: Sequence[dict[str, Any]]) -> ExperimentResults:
    first = rows[0]
    variant_rows = {r["variant_id"]: r for r in rows}
    all_users = sum(int(r["users"]) for r in variant_rows.values())
    srm = SrmCheck(
        p_value=first["srm_p_value"],
        flagged=bool(first["srm_flagged"]),
        threshold=experiment.settings.srm_threshold,
        multiple_exposures=sum(int(r["multiple_exposures"]) for r in variant_rows.values()),
        variants=[
            SrmVariant(
                variant_id=r["variant_id"],
                users=int(r["users"]),
                expected_share=float(r["expected_share"]),
                observed_share=int(r["users"]) / all_users if all_users else None,
            )
            for r in sorted(variant_rows.values(), key=lambda r: int(r["variant_index"]))
        ],
    )
    metrics: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        metrics.setdefault(row["metric_id"], []).append(row)
    return ExperimentResults(
        experiment_id=experiment.experiment_id,
        name=experiment.name,
        status=experiment.status,
        run_at=first["run_at"],
        computed_at=first["computed_at"],
        trustworthy=not srm.flagged and all_users > 0,
        reason=None if all_users else "no visitor has been exposed to the experiment yet",
        srm=srm,
        metrics=[_metric_result(group) for group in metrics.values()],
    )


def _metric_result(rows: list[dict[str, Any]]) -> MetricResult:
    first = rows[0]
    return MetricResult(
        metric_id=first["metric_id"],
        role=first["role"],
        kind=first["kind"],
        currency=first["currency"],
        verdict=Verdict(
            code=first["verdict_code"],
            text=first["verdict_text"],
            details=json.loads(first["verdict_details_json"] or "{}"),
        ),
        variants=[
            VariantResult(
                variant_id=r["variant_id"],
                variant_index=int(r["variant_index"]),
                users=int(r["users"]),
                mean=r["mean"],
                reason=r["reason"],
                **{name: r[name] for name in COMPARISON_FIGURES},
            )
            for r in sorted(rows, key=lambda r: int(r["variant_index"]))
        ],
    )


def no_results(experiment: Experiment, reason: str) -> ExperimentResults:
    """Every figure null, the experiment's metrics and variants listed, and why."""
    total = math.fsum(v.weight for v in experiment.variants)
    empty = dict.fromkeys(COMPARISON_FIGURES)
    return ExperimentResults(
        experiment_id=experiment.experiment_id,
        name=experiment.name,
        status=experiment.status,
        run_at=None,
        computed_at=None,
        trustworthy=False,
        reason=reason,
        srm=SrmCheck(
            p_value=None,
            flagged=False,
            threshold=experiment.settings.srm_threshold,
            multiple_exposures=None,
            variants=[
                SrmVariant(
                    variant_id=v.variant_id,
                    users=None,
                    expected_share=v.weight / total,
                    observed_share=None,
                )
                for v in experiment.variants
            ],
        ),
        metrics=[
            MetricResult(
                metric_id=m.metric_id,
                role=m.role,
                kind=m.kind,
                currency=m.currency,
                verdict=Verdict(code="no_data", text=reason, details={}),
                variants=[
                    VariantResult(
                        variant_id=v.variant_id,
                        variant_index=index,
                        users=None,
                        mean=None,
                        reason=reason,
                        **empty,
                    )
                    for index, v in enumerate(experiment.variants)
                ],
            )
            for m in experiment.metrics
        ],
    )
