"""Deleting an organization: the tombstone `deleted_orgs/{org}` that records the request and the
purge's progress, and the check every writer makes so nothing recreates the organization.

The tombstone is written when the owner asks (with every key revoked in the same batch) and is
kept after the purge: it is what tells a late event handler that the organization is gone, and
it holds the report (counts and times per step). Organization ids are random and never reused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from shared.errors import NotFound
from shared.ports import DocumentStore

DELETED_ORGS = "deleted_orgs"

RECHECK_AFTER = timedelta(seconds=60)
"""How long a writer trusts "this organization is not deleted" before reading the tombstone
again; the purge waits at least this long (plus the longest function timeout) after a request,
so no writer that missed the tombstone is still running when the tree goes."""


def tombstone_path(org_id: str) -> str:
    return f"{DELETED_ORGS}/{org_id}"


class PurgeStep(StrEnum):
    """The purge's steps, in the order it takes them (keys first: nothing can call in)."""

    KEYS = "keys"
    TOKENS = "tokens"
    OAUTH_STATES = "oauth_states"
    FIRESTORE = "firestore"
    WAREHOUSE = "warehouse"


class DeletionStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


class StepReport(BaseModel):
    finished_at: datetime
    deleted: dict[str, int] = Field(description="what the step deleted, counted by kind/table")


class OrgDeletion(BaseModel):
    """The tombstone, which is also the deletion's report."""

    org_id: str
    status: DeletionStatus = DeletionStatus.PENDING
    requested_at: datetime
    requested_by: str = Field(description="id of the (now revoked) key that asked")
    keys_revoked: int
    steps: dict[PurgeStep, StepReport] = Field(default_factory=dict)
    warehouse_tables: dict[str, int] = Field(
        default_factory=dict, description="rows deleted per table so far (the warehouse step)"
    )
    attempts: int = 0
    last_error: str | None = None
    finished_at: datetime | None = None


class OrgDeleted(NotFound):
    """A write for an organization that has been deleted: refused, never retried."""

    status = 410
    code = "org_deleted"


class Tombstones:
    """Is this organization deleted? A yes is remembered for good (a tombstone is forever); a
    no is trusted for RECHECK_AFTER, so a busy writer reads the tombstone about once a minute."""

    def __init__(
        self,
        store: DocumentStore,
        *,
        recheck_after: timedelta = RECHECK_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._recheck_after = recheck_after.total_seconds()
        self._clock = clock
        self._deleted: set[str] = set()
        self._alive_until: dict[str, float] = {}
        self._lock = threading.RLock()

    def is_deleted(self, org_id: str) -> bool:
        with self._lock:
            if org_id in self._deleted:
                return True
            if self._alive_until.get(org_id, float("-inf")) > self._clock():
                return False
        deleted = self._store.get(tombstone_path(org_id)) is not None
        with self._lock:
            if deleted:
                self.mark_deleted(org_id)
            else:
                self._alive_until[org_id] = self._clock() + self._recheck_after
        return deleted

    def mark_deleted(self, org_id: str) -> None:
        """This instance wrote the tombstone: no need to wait for the recheck."""
        with self._lock:
            self._deleted.add(org_id)
            self._alive_until.pop(org_id, None)

    def refuse_if_deleted(self, org_id: str) -> None:
        if self.is_deleted(org_id):
            raise OrgDeleted(f"organization {org_id} has been deleted", field="org_id")
