"""What attribution adds to a creator allocation's metrics: its tracking-link sessions, the
conversions credited to it (reachops.attributed_conversions_daily, model last_click), their
value, CTR (tracking-link sessions over post views) and cost per acquisition (fee over
conversions). Unknown is null with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.ports import Warehouse

SQL = "queries/allocation_conversions.sql"
MODEL = "last_click"
"""The attribution model whose credit allocation metrics count (the attribution API's default)."""
ACQUISITIONS = ("purchase", "lead_form_submission")
"""The conversion types an allocation's conversions and cost per acquisition count."""


@dataclass(frozen=True)
class ConversionFigures:
    tracking_sessions: int = 0
    conversions: float = 0.0
    conversion_value_micros: float | None = None
    ctr: float | None = None
    cost_per_acquisition_minor: float | None = None
    unknown: dict[str, str] = field(default_factory=dict)


def allocation_rows(
    warehouse: Warehouse, org_id: str, campaign_id: str, model: str = MODEL
) -> dict[str, list[dict[str, Any]]]:
    """allocation_id -> its rows (one per conversion currency) of the campaign."""
    params = {
        "org_id": org_id,
        "campaign_id": campaign_id,
        "model": model,
        "event_types": list(ACQUISITIONS),
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for row in warehouse.run(SQL, params):
        found.setdefault(str(row["allocation_id"]), []).append(row)
    return found


def conversion_figures(
    rows: Sequence[Mapping[str, Any]], views: int | None, fee_minor: int, currency: str
) -> ConversionFigures:
    """The figures of one allocation from its rows; the value counts only conversions in the
    allocation's currency (a value in another currency is never converted or summed)."""
    sessions = max((int(r["tracking_sessions"] or 0) for r in rows), default=0)
    conversions = float(sum(float(r["conversions"] or 0) for r in rows))
    values = [
        r["value_micros"]
        for r in rows
        if r["currency"] == currency and r["value_micros"] is not None
    ]
    unknown: dict[str, str] = {}
    value = float(sum(values)) if values else None
    if value is None:
        unknown["conversion_value_micros"] = f"no conversion with a value in {currency}"
    if views:
        ctr: float | None = sessions / views
    else:
        ctr = None
        unknown["ctr"] = "the creator's posts report no views" if views is None else "no views yet"
    if conversions > 0:
        cpa: float | None = fee_minor / conversions
    else:
        cpa = None
        unknown["cost_per_acquisition_minor"] = "no conversion is credited to this allocation yet"
    return ConversionFigures(sessions, round(conversions, 9), value, ctr, cpa, unknown)
