"""The daily attribution job: resolve new and unresolved sessions, then recompute the data-driven
credit of the recent conversion days. Both steps are idempotent (a MERGE on the session key, a
replace of the org's days), so a retried or repeated run ends where one clean run ends, and a
manual resolution is never read, so never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared.allocations.models import AllocationBook
from shared.allocations.service import allocations_collection
from shared.attribution.markov import RemovalEffects, removal_effects
from shared.attribution.paths import DEFAULT_LOOKBACK_DAYS
from shared.attribution.resolution import (
    Catalog,
    CreatorCampaign,
    PaidCampaign,
    Resolution,
    resolve,
)
from shared.campaigns.service import campaigns_collection
from shared.ports import DocumentStore, Warehouse

TABLE = "session_resolutions"
KEYS = ("org_id", "site_id", "session_id", "started_at")  # started_at: the partition column
EFFECTS_TABLE = "attribution_removal_effects"
PENDING_SQL = "queries/attribution_sessions_pending.sql"
PAID_SQL = "queries/attribution_paid_campaigns.sql"
TRANSITIONS_SQL = "queries/attribution_transitions.sql"
DATA_DRIVEN_SQL = "queries/attribution_data_driven.sql"
RESOLVE_DAYS = 90
"""How far back the job looks for sessions to resolve (and retries unresolved ones)."""
CREDIT_DAYS = 30
"""The conversion days whose data-driven credit each run replaces (today included)."""
LANDING_FIELDS = (
    "visitor_id",
    "started_at",
    "landing_url",
    "landing_referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_id",
    "fbclid",
    "gclid",
    "ttclid",
)


@dataclass(frozen=True)
class OrgRun:
    org_id: str
    sessions_resolved: int
    sessions_unresolved: int
    effects: RemovalEffects


def resolution_row(
    org_id: str, landing: Mapping[str, Any], found: Resolution, now: datetime, manual: bool
) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "site_id": landing["site_id"],
        "session_id": landing["session_id"],
        **{name: landing.get(name) for name in LANDING_FIELDS},
        "channel": found.channel,
        "campaign_id": found.campaign_id,
        "allocation_id": found.allocation_id,
        "paid_campaign_id": found.paid_campaign_id,
        "method": found.method,
        "unresolved_reason": found.unresolved_reason,
        "resolved_at": now,
        "manual": manual,
    }


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


class AttributionJob:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._clock = clock

    def run_all(self) -> list[OrgRun]:
        return [self.run(org.id) for org in self._store.query("orgs")]

    def run(self, org_id: str) -> OrgRun:
        now = self._clock()
        resolved, unresolved = self.resolve_sessions(org_id, now)
        today = now.date()
        effects = self.data_driven(org_id, today - timedelta(days=CREDIT_DAYS - 1), today, now)
        return OrgRun(org_id, resolved, unresolved, effects)

    def catalog(self, org_id: str) -> Catalog:
        """The org's ReachOps campaigns (with their live allocations) and synced Meta campaigns."""
        books = {
            doc.id: AllocationBook.model_validate(doc.data)
            for doc in self._store.query(allocations_collection(org_id))
        }
        creator = []
        for doc in self._store.query(campaigns_collection(org_id)):
            tracking = doc.data.get("tracking_config") or {}
            book = books.get(doc.id)
            creator.append(
                CreatorCampaign(
                    campaign_id=doc.id,
                    name=str(doc.data.get("name") or ""),
                    link_pattern=tracking.get("tracking_link_pattern"),
                    allocation_ids=tuple(a.allocation_id for a in book.live()) if book else (),
                )
            )
        paid = [
            PaidCampaign(
                str(row["paid_campaign_id"]), row.get("name"), row.get("reachops_campaign_id")
            )
            for row in self._warehouse.run(PAID_SQL, {"org_id": org_id})
        ]
        return Catalog(tuple(creator), tuple(paid))

    def resolve_sessions(self, org_id: str, now: datetime) -> tuple[int, int]:
        """(sessions resolved to a campaign, sessions left unresolved) of this run."""
        since = now - timedelta(days=RESOLVE_DAYS)
        landings = self._warehouse.run(PENDING_SQL, {"org_id": org_id, "since_at": since})
        if not landings:
            return 0, 0
        catalog = self.catalog(org_id)
        rows = [resolution_row(org_id, x, resolve(x, catalog), now, False) for x in landings]
        self._warehouse.merge_rows(TABLE, rows, KEYS, update_existing=True)
        found = sum(1 for r in rows if r["campaign_id"] or r["paid_campaign_id"])
        return found, len(rows) - found

    def transitions(
        self, org_id: str, start: date, end: date, lookback_days: int
    ) -> dict[tuple[str, str], float]:
        params = {
            "org_id": org_id,
            "lookback_days": lookback_days,
            "from_at": day_start(start),
            "until_at": day_start(end + timedelta(days=1)),
            "since_at": day_start(start - timedelta(days=lookback_days)),
        }
        return {
            (str(r["from_state"]), str(r["to_state"])): float(r["transitions"])
            for r in self._warehouse.run(TRANSITIONS_SQL, params)
        }

    def data_driven(self, org_id: str, start: date, end: date, now: datetime) -> RemovalEffects:
        """Replace the org's removal effects, then its data-driven credit of days start..end."""
        effects = removal_effects(self.transitions(org_id, start, end, DEFAULT_LOOKBACK_DAYS))
        self._warehouse.delete_rows(EFFECTS_TABLE, "org_id", org_id)
        rows = [
            {
                "org_id": org_id,
                "channel": channel,
                "removal_effect": effect,
                "share": effects.shares[channel],
                "from_date": start,
                "to_date": end,
                "computed_at": now,
            }
            for channel, effect in sorted(effects.effects.items())
        ]
        if rows:
            self._warehouse.merge_rows(
                EFFECTS_TABLE, rows, ("org_id", "channel"), update_existing=True
            )
        params = {"org_id": org_id, "from_date": start, "to_date": end, "computed_at": now}
        self._warehouse.run(DATA_DRIVEN_SQL, params)
        return effects
