"""Writing scores: rows of reachops.customer_scores for one type and period, and the run's
document (orgs/{org}/score_runs/{type}_{period}) with its diagnostics. Both are keyed by the
period, so a rerun replaces what the earlier run of the period wrote."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.model_base import to_document
from shared.ports import DocumentStore, Warehouse
from shared.scores.models import ScoreRun, ScoreType, expires_at

TABLE = "customer_scores"
KEYS = ("org_id", "score_type", "period_start", "period", "person_id")


@dataclass(frozen=True)
class PersonScore:
    person_id: str
    value: float
    breakdown: Mapping[str, Any]
    currency: str | None = None


def runs_collection(org_id: str) -> str:
    return f"orgs/{org_id}/score_runs"


def store_run(
    store: DocumentStore,
    warehouse: Warehouse,
    org_id: str,
    score_type: ScoreType,
    *,
    period: tuple[str, date],
    computed_at: datetime,
    scores: Sequence[PersonScore],
    diagnostics: Mapping[str, Any],
) -> ScoreRun:
    """MERGE the period's scores (replacing a rerun's), then record the run."""
    key, start = period
    until = expires_at(score_type, start)
    rows = [
        {
            "org_id": org_id,
            "person_id": s.person_id,
            "score_type": score_type,
            "period": key,
            "period_start": start,
            "value": float(s.value),
            "currency": s.currency,
            "breakdown_json": json.dumps(s.breakdown, sort_keys=True, default=str),
            "computed_at": computed_at,
            "expires_at": until,
        }
        for s in scores
    ]
    if rows:
        warehouse.merge_rows(TABLE, rows, KEYS, update_existing=True)
    run = ScoreRun(
        score_type=score_type,
        period=key,
        computed_at=computed_at,
        persons_scored=len(rows),
        diagnostics=dict(diagnostics),
    )
    store.set(f"{runs_collection(org_id)}/{score_type}_{key}", to_document(run))
    return run
