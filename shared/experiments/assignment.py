"""Which variant a visitor sees: GrowthBook's bucketing, exactly, made sticky.

The bucket is GrowthBook's hash v2 of the experiment's seed and the visitor id, and the
variant the range it falls in, as every GrowthBook SDK computes them (growthbook-python
`growthbook/core.py`: `fnv1a32`, `gbhash`, `getBucketRanges`, `chooseVariation`; the same in
the JS SDK's `src/util.ts`), so a page that runs a GrowthBook SDK with the same seed and weights
shows the same variant. The SDKs' shared test cases (`tests/cases.json`: `hash`,
`getBucketRange`, `chooseVariation`) are replayed in tests/unit/test_experiments_assignment.py.

Coverage is always 1 (every visitor is in the experiment). The stored weights are any
non-negative numbers; the ranges use each one's share of their sum.

Sticky: a visitor's first assignment is stored (a create, so two racing requests agree on one)
and returned from then on, so nothing (weights, a seed) can ever move a visitor already
assigned.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from shared.errors import InvalidTransition, NotFound
from shared.experiments.models import Assignment, Experiment
from shared.ports import DocumentStore

FNV_OFFSET_BASIS = 0x811C9DC5
FNV_PRIME = 0x01000193
UINT32 = 2**32


def fnv1a32(text: str) -> int:
    """FNV-1a, 32 bits, over the text's code points (as GrowthBook: `ord` per character)."""
    value = FNV_OFFSET_BASIS
    for char in text:
        value = ((value ^ ord(char)) * FNV_PRIME) % UINT32
    return value


def gbhash(seed: str, value: str, version: int) -> float | None:
    """A number in [0, 1): v2 = fnv1a32(str(fnv1a32(seed + value))) % 10000 / 10000; v1 is
    GrowthBook's legacy hash; any other version has none."""
    if version == 2:
        return (fnv1a32(str(fnv1a32(seed + value))) % 10000) / 10000
    if version == 1:
        return (fnv1a32(value + seed) % 1000) / 1000
    return None


def equal_weights(count: int) -> list[float]:
    return [1 / count] * count if count >= 1 else []


def bucket_ranges(
    count: int, coverage: float = 1, weights: Sequence[float] | None = None
) -> list[tuple[float, float]]:
    """GrowthBook's getBucketRanges: weights of the wrong length, or not summing to 1 within
    0.01, fall back to equal weights."""
    coverage = min(max(coverage, 0), 1)
    chosen = list(weights) if weights is not None else equal_weights(count)
    if len(chosen) != count or not 0.99 <= sum(chosen) <= 1.01:
        chosen = equal_weights(count)
    ranges: list[tuple[float, float]] = []
    cumulative = 0.0
    for weight in chosen:
        start = cumulative
        cumulative += weight
        ranges.append((start, start + coverage * weight))
    return ranges


def choose_variation(n: float, ranges: Sequence[tuple[float, float]]) -> int:
    """The index of the range holding n (start included, end not); -1 when none does."""
    for index, (start, end) in enumerate(ranges):
        if start <= n < end:
            return index
    return -1


def shares(weights: Sequence[float]) -> list[float]:
    """Each weight's share of their (positive) sum."""
    total = math.fsum(weights)
    return [w / total for w in weights]


def bucket(experiment: Experiment, visitor_id: str) -> tuple[int, bool]:
    """(variant index, in experiment) for a visitor, by hash alone (not sticky). Outside every
    range (not possible at coverage 1) the visitor sees the control and is not counted, as
    GrowthBook does."""
    n = gbhash(experiment.seed, visitor_id, experiment.hash_version)
    if n is None:
        return 0, False
    weights = shares([v.weight for v in experiment.variants])
    index = choose_variation(n, bucket_ranges(len(weights), 1, weights))
    return (index, True) if index >= 0 else (0, False)


def assignments_collection(org_id: str, experiment_id: str) -> str:
    return f"orgs/{org_id}/experiments/{experiment_id}/assignments"


class AssignmentService:
    def __init__(
        self,
        store: DocumentStore,
        load: Callable[[str, str], Experiment | None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`load(org_id, experiment_id)` reads an experiment (None when it does not exist)."""
        self._store = store
        self._load = load
        self._clock = clock

    def assign(self, org_id: str, site_id: str, experiment_id: str, visitor_id: str) -> Assignment:
        """The visitor's variant of a running experiment of the site (its first one, stored)."""
        experiment = self._load(org_id, experiment_id)
        if experiment is None or experiment.site_id != site_id:
            raise NotFound(f"experiment {experiment_id} not found", field="path.experiment_id")
        if experiment.status != "running":
            raise InvalidTransition(
                f"experiment {experiment_id} is {experiment.status}: only a running experiment "
                "assigns visitors",
                field="experiment_id",
            )
        index, in_experiment = bucket(experiment, visitor_id)
        digest = hashlib.sha256(visitor_id.encode()).hexdigest()[:40]
        path = f"{assignments_collection(org_id, experiment_id)}/{digest}"
        first: dict[str, Any] = {
            "visitor_id": visitor_id,
            "variant_id": experiment.variants[index].variant_id,
            "variant_index": index,
            "in_experiment": in_experiment,
            "assigned_at": self._clock(),
        }
        if not self._store.create(path, first):
            stored = self._store.get(path)
            first = stored if stored is not None else first
        return Assignment(
            experiment_id=experiment_id,
            variant_id=str(first["variant_id"]),
            variant_index=int(first["variant_index"]),
            hash_seed=experiment.seed,
            in_experiment=bool(first["in_experiment"]),
        )
