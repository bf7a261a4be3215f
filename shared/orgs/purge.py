"""The scheduled purge of deleted organizations: each pending tombstone is taken step by step
(keys, vaulted tokens, OAuth states, the Firestore tree, the warehouse rows table by table),
and every finished step is written to the tombstone before the next starts. A run that crashes
midway leaves the rest for the next run; a finished tombstone is never taken again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from shared.auth import API_KEYS, SITE_KEYS
from shared.errors import NotFound
from shared.orgs.deletion import (
    DELETED_ORGS,
    RECHECK_AFTER,
    DeletionStatus,
    OrgDeletion,
    PurgeStep,
    StepReport,
    tombstone_path,
)
from shared.orgs.service import org_path
from shared.ports import WRITE_BATCH_LIMIT, DocumentStore, Warehouse
from shared.topology import Topology

logger = logging.getLogger(__name__)

Eraser = Callable[[str], dict[str, int]]
"""Deletes one organization's records of one kind; returns the counts it deleted."""

TENANT_COLUMN = "org_id"


def purge_grace(topology: Topology) -> timedelta:
    """How long after the request the purge waits: longer than any function can still be
    running with a stale "not deleted" answer (its timeout plus the recheck interval)."""
    longest = max(spec.timeout_seconds for spec in topology.functions.values())
    return timedelta(seconds=longest) + RECHECK_AFTER


def log_step(org_id: str, step: PurgeStep) -> None:
    logger.info("purging organization %s: %s", org_id, step.value)


@dataclass
class PurgeRun:
    finished: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"finished": self.finished, "waiting": self.waiting, "failed": self.failed}


class OrgPurge:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        erase_tokens: Eraser,
        erase_oauth_states: Eraser,
        grace: timedelta,
        before_step: Callable[[str, PurgeStep], None] = log_step,
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._grace = grace
        self._before_step = before_step
        self._erasers: dict[PurgeStep, Eraser] = {
            PurgeStep.KEYS: self._erase_keys,
            PurgeStep.TOKENS: erase_tokens,
            PurgeStep.OAUTH_STATES: erase_oauth_states,
            PurgeStep.FIRESTORE: self._erase_tree,
            PurgeStep.WAREHOUSE: self._erase_rows,
        }

    def run(self, now: datetime | None = None) -> PurgeRun:
        """One scheduled pass over every pending tombstone. One organization's failure is
        recorded on its tombstone and does not stop the others."""
        now = now or datetime.now(UTC)
        outcome = PurgeRun()
        pending = self._store.query(
            DELETED_ORGS, where=[("status", "==", DeletionStatus.PENDING.value)]
        )
        for document in pending:
            deletion = OrgDeletion.model_validate(document.data)
            if deletion.requested_at + self._grace > now:
                outcome.waiting.append(deletion.org_id)
                continue
            try:
                report = self.purge(deletion.org_id)
            except Exception as exc:
                logger.exception("purge of organization %s stopped", deletion.org_id)
                self._note_failure(deletion.org_id, exc)
                outcome.failed[deletion.org_id] = f"{type(exc).__name__}: {exc}"
                continue
            logger.info("organization %s purged: %s", deletion.org_id, report.model_dump_json())
            outcome.finished.append(deletion.org_id)
        return outcome

    def purge(self, org_id: str) -> OrgDeletion:
        """Finish whatever steps the tombstone does not list as done, recording each."""
        deletion = self.report(org_id)
        for step in PurgeStep:
            if step in deletion.steps:
                continue
            self._before_step(org_id, step)
            deleted = self._erasers[step](org_id)
            finished = StepReport(finished_at=datetime.now(UTC), deleted=deleted)
            deletion = self._record(org_id, partial(_step_done, step=step, report=finished))
        if deletion.status is DeletionStatus.PENDING:
            deletion = self._record(org_id, _all_done)
        return deletion

    def report(self, org_id: str) -> OrgDeletion:
        data = self._store.get(tombstone_path(org_id))
        if data is None:
            raise NotFound(f"organization {org_id} has no deletion request", field="org")
        return OrgDeletion.model_validate(data)

    def _erase_keys(self, org_id: str) -> dict[str, int]:
        """The keys were revoked with the request; now their records go too (a key created
        in a race with the request included), and the sites' publishable key index."""
        counts = {}
        for collection in (API_KEYS, SITE_KEYS):
            paths = [
                f"{collection}/{document.id}"
                for document in self._store.query(collection, where=[("org_id", "==", org_id)])
            ]
            for start in range(0, len(paths), WRITE_BATCH_LIMIT):
                self._store.write_atomically({}, deletes=paths[start : start + WRITE_BATCH_LIMIT])
            counts[collection] = len(paths)
        return counts

    def _erase_tree(self, org_id: str) -> dict[str, int]:
        return {"documents": self._store.delete_tree(org_path(org_id))}

    def _erase_rows(self, org_id: str) -> dict[str, int]:
        """Table by table, each recorded as it finishes, so a crash resumes at the next."""
        done = self.report(org_id).warehouse_tables
        for table in self._warehouse.tables_with_column(TENANT_COLUMN):
            if table in done:
                continue
            deleted = self._warehouse.delete_rows(table, TENANT_COLUMN, org_id)
            change = partial(_table_done, table=table, deleted=deleted)
            done = self._record(org_id, change).warehouse_tables
        return dict(done)

    def _record(self, org_id: str, change: Callable[[OrgDeletion], OrgDeletion]) -> OrgDeletion:
        def apply(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is None:
                raise KeyError(f"the tombstone of organization {org_id} is gone")
            return change(OrgDeletion.model_validate(data)).model_dump(mode="python")

        return OrgDeletion.model_validate(
            self._store.update_atomically(tombstone_path(org_id), apply)
        )

    def _note_failure(self, org_id: str, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        self._record(
            org_id,
            lambda d: d.model_copy(update={"attempts": d.attempts + 1, "last_error": message}),
        )


def _step_done(deletion: OrgDeletion, step: PurgeStep, report: StepReport) -> OrgDeletion:
    return deletion.model_copy(update={"steps": {**deletion.steps, step: report}})


def _table_done(deletion: OrgDeletion, table: str, deleted: int) -> OrgDeletion:
    return deletion.model_copy(
        update={"warehouse_tables": {**deletion.warehouse_tables, table: deleted}}
    )


def _all_done(deletion: OrgDeletion) -> OrgDeletion:
    return deletion.model_copy(
        update={"status": DeletionStatus.DONE, "finished_at": datetime.now(UTC), "last_error": None}
    )
