"""Where an insight sync's state lives: one small document per run, one per unit below it.

A huge account's sync splits into thousands of units (one per campaign, ad set or ad); each is
its own document (`orgs/{org}/ad_syncs/{sync}/units/{level}-{object}`), written when it
changes, so the run's document holds only its range, status and times and never nears
Firestore's 1 MiB limit. A step loads the open units only.

A step runs under a lease (`{sync}/leases/step`: owner and expiry, taken in a transaction):
Cloud Tasks delivers at least once, and two deliveries of one step running side by side would
both see a unit PENDING and start two Meta reports for it. The second delivery finds the
lease held and answers "in progress" (StepInProgress, a retryable 503) without calling Meta; a
lease outlives its holder only until it expires (the step function's timeout, after which the
holder is surely gone), and is then taken over.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.adaccounts.models import SyncStatus
from shared.adaccounts.sync_units import OPEN_STATUSES, SyncUnit, UnitStatus
from shared.errors import Unavailable
from shared.ports import WRITE_BATCH_LIMIT, DocumentStore


class StepInProgress(Unavailable):
    """Another delivery of this sync's step holds its lease; Cloud Tasks retries this one."""

    def __init__(self, sync_id: str, until: datetime) -> None:
        super().__init__(f"sync {sync_id}: a step is in progress (lease held until {until})")


class SyncRun(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sync_id: str
    org_id: str
    account_id: str
    since: date
    until: date
    units: list[SyncUnit] = Field(
        default_factory=list,
        exclude=True,
        description="the units loaded for this step (the open ones); each is its own document",
    )
    status: SyncStatus = SyncStatus.RUNNING
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = None
    reauth_since: datetime | None = None


def sync_path(org_id: str, sync_id: str) -> str:
    return f"orgs/{org_id}/ad_syncs/{sync_id}"


def units_path(org_id: str, sync_id: str) -> str:
    return f"{sync_path(org_id, sync_id)}/units"


def lease_path(org_id: str, sync_id: str) -> str:
    return f"{sync_path(org_id, sync_id)}/leases/step"


class SyncRuns:
    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    def load(self, org_id: str, sync_id: str) -> SyncRun | None:
        """The run with its open units (the finished ones stay in their documents)."""
        data = self._store.get(sync_path(org_id, sync_id))
        if data is None:
            return None
        run = SyncRun.model_validate(data)
        open_units = self._store.query(
            units_path(org_id, sync_id),
            where=[("status", "in", [status.value for status in OPEN_STATUSES])],
        )
        run.units = [SyncUnit.model_validate(document.data) for document in open_units]
        return run

    def failed_units(self, run: SyncRun) -> list[SyncUnit]:
        failed = self._store.query(
            units_path(run.org_id, run.sync_id), where=[("status", "==", UnitStatus.FAILED.value)]
        )
        return [SyncUnit.model_validate(document.data) for document in failed]

    def save(self, run: SyncRun) -> None:
        """The run's own document: its range, status and times, never its units."""
        self._store.set(sync_path(run.org_id, run.sync_id), run.model_dump(mode="json"))

    def save_units(self, run: SyncRun, units: list[SyncUnit]) -> None:
        collection = units_path(run.org_id, run.sync_id)
        for at in range(0, len(units), WRITE_BATCH_LIMIT):
            self._store.write_atomically(
                {
                    f"{collection}/{unit.unit_id}": unit.model_dump(mode="json")
                    for unit in units[at : at + WRITE_BATCH_LIMIT]
                }
            )

    def take_lease(
        self, org_id: str, sync_id: str, owner: str, now: datetime, duration: timedelta
    ) -> None:
        """Hold the run's step lease for `duration`, or raise StepInProgress if another owner
        holds an unexpired one (nothing is written then)."""

        def take(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is not None and data["owner"] != owner and data["expires_at"] > now:
                raise StepInProgress(sync_id, data["expires_at"])
            return {"owner": owner, "expires_at": now + duration, "taken_at": now}

        self._store.update_atomically(lease_path(org_id, sync_id), take)

    def release_lease(self, org_id: str, sync_id: str, owner: str) -> None:
        """Give the lease back at once (expired now), unless another owner has taken it over."""

        def release(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is None or data["owner"] != owner:
                raise _NotHeld
            return {**data, "expires_at": data["taken_at"]}

        try:
            self._store.update_atomically(lease_path(org_id, sync_id), release)
        except _NotHeld:
            return


class _NotHeld(Exception):
    """The lease was taken over after it expired: it is not this owner's to release."""
