"""Attribution for people: credited conversions by model, the models side by side, one
conversion's journey, and a person's manual resolution of a session.

At the default look-back and half-life the figures are the analysts' view
(reachops.attributed_conversions_daily); other parameters are computed for the request from the
candidate touches (paths.py), data-driven from a Markov chain counted for that look-back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from shared.allocations.service import AllocationService
from shared.attribution.job import KEYS, TABLE, AttributionJob, day_start, resolution_row
from shared.attribution.markov import removal_effects
from shared.attribution.models import (
    Attribution,
    AttributionComparison,
    AttributionQuery,
    CompareQuery,
    CreditRow,
    ManualResolution,
    SessionResolution,
)
from shared.attribution.paths import (
    DEFAULT_HALF_LIFE_DAYS,
    MODELS,
    By,
    Model,
    credited,
    credits,
    summed,
    windowed_paths,
)
from shared.attribution.resolution import Resolution, landing_channel
from shared.auth import Permission, Principal
from shared.campaigns.service import CampaignService
from shared.errors import NotFound
from shared.ports import Warehouse

REPORT_SQL = "queries/attribution_report.sql"
TOUCHES_SQL = "queries/attribution_touch_rows.sql"
SESSION_SQL = "queries/attribution_session.sql"
CONVERSION_TOUCHES_SQL = "queries/attribution_conversion_touches.sql"
PAID_SQL = "queries/attribution_paid_campaigns.sql"
EFFECTS_SQL = "queries/attribution_removal_effects.sql"
MANUAL_LOOKBACK_DAYS = 400
"""How old a session a person may still resolve by hand."""
NO_DATA_DRIVEN = (
    "data-driven credit of these days is not computed yet: the daily attribution_resolve job "
    "writes it (reachops.attribution_credits)"
)


class AttributionService:
    def __init__(
        self,
        warehouse: Warehouse,
        job: AttributionJob,
        campaigns: CampaignService,
        allocations: AllocationService,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._warehouse = warehouse
        self._job = job
        self._campaigns = campaigns
        self._allocations = allocations
        self._clock = clock

    def attribution(self, principal: Principal, query: AttributionQuery) -> Attribution:
        principal.require(Permission.READ)
        return self._models(principal.org_id, query, (query.model,))[0]

    def compare(self, principal: Principal, query: CompareQuery) -> AttributionComparison:
        principal.require(Permission.READ)
        models = self._models(principal.org_id, query, MODELS)
        return AttributionComparison(by=query.by, from_=query.from_, to=query.to, models=models)

    def _models(
        self, org_id: str, query: CompareQuery, models: Sequence[Model]
    ) -> list[Attribution]:
        if query.defaults():
            frames = self._from_view(org_id, query)
            source = "view"
        else:
            frames = self._computed(org_id, query, models)
            source = "engine"
        answers = []
        for model in models:
            frame = frames.get(model, pd.DataFrame())
            rows = _rows(frame, query.by)
            note = (
                NO_DATA_DRIVEN if model == "data_driven" and not rows and source == "view" else None
            )
            answers.append(
                Attribution(
                    model=model,
                    by=query.by,
                    from_=query.from_,
                    to=query.to,
                    lookback_days=query.lookback_days,
                    half_life_days=query.half_life_days,
                    computed_by=source,
                    rows=rows,
                    total_conversions=round(sum(r.conversions for r in rows), 9),
                    note=note,
                )
            )
        return answers

    def _from_view(self, org_id: str, query: CompareQuery) -> dict[str, pd.DataFrame]:
        params = {
            "org_id": org_id,
            "from_date": query.from_,
            "to_date": query.to,
            "event_type": query.event_type,
        }
        frame = pd.DataFrame(self._warehouse.run(REPORT_SQL, params))
        if frame.empty:
            return {}
        return {
            str(model): summed(group, query.by)
            for model, group in frame.groupby("model", sort=False)
        }

    def _computed(
        self, org_id: str, query: CompareQuery, models: Sequence[Model]
    ) -> dict[str, pd.DataFrame]:
        params = {
            "org_id": org_id,
            "from_at": day_start(query.from_),
            "until_at": day_start(query.to + timedelta(days=1)),
            "event_type": query.event_type,
        }
        touches = pd.DataFrame(self._warehouse.run(TOUCHES_SQL, params))
        if touches.empty:
            return {}
        paths = windowed_paths(touches, query.lookback_days)
        effects = None
        if "data_driven" in models:
            counts = self._job.transitions(org_id, query.from_, query.to, query.lookback_days)
            effects = removal_effects(counts).effects
        return {
            model: credited(paths, credits(paths, model, query.half_life_days, effects), query.by)
            for model in models
        }

    def journey(self, org_id: str, conversion_id: str, occurred_at: datetime) -> dict[str, Any]:
        """A conversion's touch path (default look-back) and each touch's credit per model
        (data-driven from the removal effects the job stored last)."""
        params = {"org_id": org_id, "conversion_id": conversion_id, "occurred_at": occurred_at}
        touches = pd.DataFrame(self._warehouse.run(CONVERSION_TOUCHES_SQL, params))
        if touches.empty:
            return {"touches": [], "note": "no touch path: the conversion is not in the views"}
        effects = {
            str(r["channel"]): float(r["removal_effect"])
            for r in self._warehouse.run(EFFECTS_SQL, {"org_id": org_id})
        }
        by_model = {m: credits(touches, m, DEFAULT_HALF_LIFE_DAYS, effects) for m in MODELS}
        listed = []
        for i, touch in enumerate(touches.to_dict("records")):
            listed.append(
                {
                    key: _plain(touch.get(key))
                    for key in (
                        "touch_rank",
                        "site_id",
                        "session_id",
                        "started_at",
                        "channel",
                        "campaign_id",
                        "allocation_id",
                        "paid_campaign_id",
                        "days_before",
                    )
                }
                | {"credit": {m: round(float(by_model[m][i]), 9) for m in MODELS}}
            )
        note = None if effects else "data_driven: no removal effects stored yet (equal shares)"
        return {"touches": listed, "note": note}

    def resolve_manually(
        self, principal: Principal, request: ManualResolution
    ) -> SessionResolution:
        """A person's resolution of one of the org's sessions to its campaign, allocation or
        Meta campaign (each checked to be the org's); the job never overwrites it."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        org_id = principal.org_id
        if request.campaign_id is not None:
            self._campaigns.get(principal, request.campaign_id)
            if request.allocation_id is not None:
                self._allocations.get(principal, request.campaign_id, request.allocation_id)
        if request.paid_campaign_id is not None:
            paid = {
                str(r["paid_campaign_id"])
                for r in self._warehouse.run(PAID_SQL, {"org_id": org_id})
            }
            if request.paid_campaign_id not in paid:
                raise NotFound(
                    f"paid campaign {request.paid_campaign_id} is not a synced campaign of this "
                    "organization",
                    field="paid_campaign_id",
                )
        now = self._clock()
        params = {
            "org_id": org_id,
            "site_id": request.site_id,
            "session_id": request.session_id,
            "since_at": now - timedelta(days=MANUAL_LOOKBACK_DAYS),
        }
        landing = next(iter(self._warehouse.run(SESSION_SQL, params)), None)
        if landing is None:
            raise NotFound(
                f"session {request.session_id} has no page view on site {request.site_id}",
                field="session_id",
            )
        creator = request.campaign_id is not None
        channel = landing_channel(landing, creator)
        if not creator and channel not in ("paid_social", "paid_search"):
            channel = "paid_social"  # a Meta campaign's session
        found = Resolution(
            channel, request.campaign_id, request.allocation_id, request.paid_campaign_id, "manual"
        )
        row = resolution_row(org_id, landing, found, now, manual=True)
        self._warehouse.merge_rows(TABLE, [row], KEYS, update_existing=True)
        return SessionResolution.model_validate(row)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().isoformat()
    if isinstance(value, datetime):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def _rows(frame: pd.DataFrame, by: By) -> list[CreditRow]:
    if frame.empty:
        return []
    rows = []
    for record in frame.to_dict("records"):
        clean = {k: _plain(v) for k, v in record.items()}
        rows.append(
            CreditRow(
                campaign_id=clean.get("campaign_id"),
                allocation_id=clean.get("allocation_id"),
                channel=clean.get("channel"),
                currency=clean.get("currency"),
                conversions=round(float(clean["conversions"]), 9),
                value_micros=None
                if clean["value_micros"] is None
                else round(float(clean["value_micros"]), 3),
            )
        )
    return rows
