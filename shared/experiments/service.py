"""Experiments in Firestore (`orgs/{org}/experiments/{experiment_id}`): created as drafts,
started and stopped once each (draft -> running -> stopped), changed in transactions.

Once an experiment runs its variants and weights are frozen: a PATCH that sends them changed
is a 409 naming `variants`, and nothing is written (metrics, settings and texts may still
change; a result is recomputed from the events each hour). A start or stop repeated is a no-op
that answers the experiment as it is; a transition the lifecycle does not have is a 409
naming `status`. Every metric's goal must be a live conversion goal of the organization, of
the experiment's site or of none: else a 422 naming the metric's field.
"""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from shared.auth import Permission, Principal
from shared.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from shared.experiments.assignment import shares
from shared.experiments.models import (
    HASH_VERSION,
    Experiment,
    ExperimentCreate,
    ExperimentListQuery,
    ExperimentUpdate,
    Metric,
    PowerQuery,
    PowerReply,
    Variant,
    VariantSize,
)
from shared.experiments.stats import required_sample_size
from shared.goals.service import goals_collection
from shared.model_base import to_document
from shared.pagination import Page, fetch_page
from shared.ports import DocumentStore
from shared.tracking.sites import SiteService

Transition = Literal["start", "stop"]
TRANSITIONS: dict[Transition, tuple[str, str, str]] = {
    "start": ("draft", "running", "started_at"),
    "stop": ("running", "stopped", "stopped_at"),
}
"""Per action: the status it leaves, the status it enters, the time it stamps."""


def experiments_collection(org_id: str) -> str:
    return f"orgs/{org_id}/experiments"


def frozen_split(variants: list[Variant]) -> list[tuple[str, float]]:
    """What a running experiment may not change: its variants and their weights, in order."""
    return [(v.variant_id, v.weight) for v in variants]


class ExperimentService:
    def __init__(
        self,
        store: DocumentStore,
        sites: SiteService,
        max_page_size: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._sites = sites
        self._max_page_size = max_page_size
        self._clock = clock

    def create(self, principal: Principal, request: ExperimentCreate) -> Experiment:
        principal.require(Permission.WRITE_CAMPAIGNS)
        self._check_site(principal, request.site_id)
        self._check_metrics(principal.org_id, request.site_id, request.metrics)
        now = self._clock()
        experiment_id = secrets.token_hex(8)
        experiment = Experiment(
            experiment_id=experiment_id,
            site_id=request.site_id,
            name=request.name,
            hypothesis=request.hypothesis,
            status="draft",
            seed=request.seed or experiment_id,
            hash_version=HASH_VERSION,
            variants=request.variants,
            metrics=request.metrics,
            mde=request.mde,
            planned_sample_size=request.planned_sample_size,
            settings=request.settings,
            revision=1,
            started_at=None,
            stopped_at=None,
            created_at=now,
            created_by=principal.key_id,
            updated_at=now,
        )
        self._store.set(self._path(principal.org_id, experiment_id), to_document(experiment))
        return experiment

    def get(self, principal: Principal, experiment_id: str) -> Experiment:
        principal.require(Permission.READ)
        experiment = self.load(principal.org_id, experiment_id)
        if experiment is None:
            raise NotFound(f"experiment {experiment_id} not found", field="path.experiment_id")
        return experiment

    def get_for_results(self, principal: Principal, experiment_id: str) -> Experiment:
        """The experiment whose results a caller may read (a 404 when it has none)."""
        return self.get(principal, experiment_id)

    def load(self, org_id: str, experiment_id: str) -> Experiment | None:
        data = self._store.get(self._path(org_id, experiment_id))
        return None if data is None else Experiment.model_validate(data)

    def list(self, principal: Principal, query: ExperimentListQuery) -> Page[Experiment]:
        principal.require(Permission.READ)
        limit = min(query.limit or self._max_page_size, self._max_page_size)
        documents, next_cursor = fetch_page(
            self._store,
            experiments_collection(principal.org_id),
            where=[("status", "==", query.status)] if query.status else [],
            order_by=[("created_at", "desc"), ("experiment_id", "desc")],
            cursor=query.cursor,
            limit=limit,
        )
        return Page[Experiment](
            items=[Experiment.model_validate(d.data) for d in documents],
            next_cursor=next_cursor,
        )

    def running(self, org_id: str | None = None) -> builtins.list[Experiment]:
        """Every running experiment of one organization, or of all (the hourly results job)."""
        org_ids = [org_id] if org_id is not None else [o.id for o in self._store.query("orgs")]
        return [
            Experiment.model_validate(document.data)
            for org in org_ids
            for document in self._store.query(
                experiments_collection(org), where=[("status", "==", "running")]
            )
        ]

    def update(
        self, principal: Principal, experiment_id: str, patch: ExperimentUpdate
    ) -> Experiment:
        principal.require(Permission.WRITE_CAMPAIGNS)
        sent = patch.model_fields_set
        document = to_document(patch)
        changes: dict[str, Any] = {
            name: document[name]
            for name in ("name", "hypothesis", "variants", "metrics", "mde", "settings")
            if getattr(patch, name) is not None
        }
        if "planned_sample_size" in sent:
            changes["planned_sample_size"] = patch.planned_sample_size
        current = self.get(principal, experiment_id)
        if patch.metrics is not None:
            self._check_metrics(principal.org_id, current.site_id, patch.metrics)
        now = self._clock()

        def change(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is None:
                raise NotFound(f"experiment {experiment_id} not found", field="path.experiment_id")
            stored = Experiment.model_validate(data)
            frozen = stored.status != "draft" and patch.variants is not None
            if frozen and frozen_split(patch.variants or []) != frozen_split(stored.variants):
                raise Conflict(
                    f"experiment {experiment_id} is {stored.status}: its variants and weights "
                    "are frozen",
                    field="variants",
                )
            merged = {**data, **changes}
            if any(merged[name] != data[name] for name in changes):
                merged["revision"] = int(data["revision"]) + 1
                merged["updated_at"] = now
            return merged

        return Experiment.model_validate(
            self._store.update_atomically(self._path(principal.org_id, experiment_id), change)
        )

    def transition(
        self, principal: Principal, experiment_id: str, action: Transition
    ) -> Experiment:
        """Start or stop, in a transaction; repeating the last one is a no-op."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        leaves, enters, stamp = TRANSITIONS[action]
        now = self._clock()

        def change(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is None:
                raise NotFound(f"experiment {experiment_id} not found", field="path.experiment_id")
            if data["status"] == enters:
                return data
            if data["status"] != leaves:
                raise InvalidTransition(
                    f"experiment {experiment_id} is {data['status']}: only a {leaves} "
                    f"experiment can {action}",
                    field="status",
                )
            revision = int(data["revision"]) + 1
            return {**data, "status": enters, stamp: now, "updated_at": now, "revision": revision}

        return Experiment.model_validate(
            self._store.update_atomically(self._path(principal.org_id, experiment_id), change)
        )

    def power(self, principal: Principal, experiment_id: str, query: PowerQuery) -> PowerReply:
        """The sample size the engine's test needs, for this experiment's split and settings."""
        experiment = self.get(principal, experiment_id)
        weights = [v.weight for v in experiment.variants]
        mde = query.mde or experiment.mde
        alpha = query.alpha or experiment.settings.alpha
        two_sided = experiment.settings.two_sided
        size = required_sample_size(
            query.baseline_rate, mde, alpha, query.power, weights, two_sided=two_sided
        )
        return PowerReply(
            experiment_id=experiment_id,
            baseline_rate=query.baseline_rate,
            mde=mde,
            alpha=alpha,
            power=query.power,
            two_sided=two_sided,
            variants=[
                VariantSize(variant_id=variant.variant_id, share=share, users=users)
                for variant, share, users in zip(
                    experiment.variants, shares(weights), size.per_variant, strict=True
                )
            ],
            total_users=size.total,
            planned_sample_size=experiment.planned_sample_size,
            reason=size.reason,
        )

    def _check_metrics(self, org_id: str, site_id: str, metrics: builtins.list[Metric]) -> None:
        """Every goal a metric names is a live goal of the organization, of this site or of
        every site."""
        for index, metric in enumerate(metrics):
            named = [("goal_id", metric.goal_id)]
            named += [
                (f"{side}.goal_id", part.goal_id)
                for side, part in (
                    ("numerator", metric.numerator),
                    ("denominator", metric.denominator),
                )
                if part is not None
            ]
            for field, goal_id in named:
                if goal_id is None:
                    continue
                goal = self._store.get(f"{goals_collection(org_id)}/{goal_id}")
                name = f"metrics.{index}.{field}"
                if goal is None or goal.get("deleted"):
                    raise ValidationFailed(
                        f"{name}: goal {goal_id} does not exist in this organization", field=name
                    )
                if goal.get("site_id") not in (None, site_id):
                    raise ValidationFailed(
                        f"{name}: goal {goal_id} counts another site's events", field=name
                    )

    def _check_site(self, principal: Principal, site_id: str) -> None:
        try:
            self._sites.get(principal, site_id)
        except NotFound as exc:
            raise ValidationFailed(
                f"site_id: site {site_id} does not exist in this organization", field="site_id"
            ) from exc

    def _path(self, org_id: str, experiment_id: str) -> str:
        return f"{experiments_collection(org_id)}/{experiment_id}"
