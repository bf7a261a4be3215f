"""Assignment buckets visitors exactly as GrowthBook's SDKs do, and a visitor's first variant is
theirs for good.

The cases are GrowthBook's own, shared by every SDK: growthbook/growthbook-python
`tests/cases.json` (specVersion 0.5.4), sections `hash` ([seed, value, version, expected]),
`getBucketRange` ([name, [count, coverage, weights], expected ranges]) and `chooseVariation`
([name, n, ranges, expected index]).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.errors import InvalidTransition, NotFound
from shared.experiments.assignment import (
    AssignmentService,
    bucket,
    bucket_ranges,
    choose_variation,
    fnv1a32,
    gbhash,
)
from shared.experiments.models import Experiment, ExperimentSettings, Variant

HASH_CASES: list[tuple[str, str, int, float | None]] = [
    ("", "a", 1, 0.22),
    ("", "b", 1, 0.077),
    ("b", "a", 1, 0.946),
    ("ef", "d", 1, 0.652),
    ("asdf", "8952klfjas09ujk", 1, 0.549),
    ("", "123", 1, 0.011),
    ("", '___)((*":&', 1, 0.563),
    ("seed", "a", 2, 0.0505),
    ("seed", "b", 2, 0.2696),
    ("foo", "ab", 2, 0.2575),
    ("foo", "def", 2, 0.2019),
    ("89123klj", "8952klfjas09ujkasdf", 2, 0.124),
    ("90850943850283058242805", "123", 2, 0.7516),
    ("()**(%$##$%#$#", '___)((*":&', 2, 0.0128),
    ("abc", "def", 99, None),
]
Ranges = list[tuple[float, float]]
BUCKET_RANGE_CASES: list[tuple[str, int, float, list[float] | None, Ranges]] = [
    ("normal 50/50", 2, 1, None, [(0, 0.5), (0.5, 1)]),
    ("reduced coverage", 2, 0.5, None, [(0, 0.25), (0.5, 0.75)]),
    ("zero coverage", 2, 0, None, [(0, 0), (0.5, 0.5)]),
    ("4 variations", 4, 1, None, [(0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1)]),
    ("uneven weights", 2, 1, [0.4, 0.6], [(0, 0.4), (0.4, 1)]),
    ("uneven weights, 3 variations", 3, 1, [0.2, 0.3, 0.5], [(0, 0.2), (0.2, 0.5), (0.5, 1)]),
    (
        "uneven weights, reduced coverage, 3 variations",
        3,
        0.2,
        [0.2, 0.3, 0.5],
        [(0, 0.04), (0.2, 0.26), (0.5, 0.6)],
    ),
    ("negative coverage", 2, -0.2, None, [(0, 0), (0.5, 0.5)]),
    ("coverage above 1", 2, 1.5, None, [(0, 0.5), (0.5, 1)]),
    ("weights sum below 1", 2, 1, [0.4, 0.1], [(0, 0.5), (0.5, 1)]),
    ("weights sum above 1", 2, 1, [0.7, 0.6], [(0, 0.5), (0.5, 1)]),
    (
        "weights.length not equal to num variations",
        4,
        1,
        [0.4, 0.4, 0.2],
        [(0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1)],
    ),
    ("weights sum almost equals 1", 2, 1, [0.4, 0.5999], [(0, 0.4), (0.4, 0.9999)]),
]
EVEN, REDUCED = [(0.0, 0.5), (0.5, 1.0)], [(0.0, 0.25), (0.5, 0.75)]
CHOOSE_CASES: list[tuple[str, float, Ranges, int]] = [
    ("even range, 0.2", 0.2, EVEN, 0),
    ("even range, 0.4", 0.4, EVEN, 0),
    ("even range, 0.6", 0.6, EVEN, 1),
    ("even range, 0.8", 0.8, EVEN, 1),
    ("even range, 0", 0, EVEN, 0),
    ("even range, 0.5", 0.5, EVEN, 1),
    ("reduced range, 0.2", 0.2, REDUCED, 0),
    ("reduced range, 0.4", 0.4, REDUCED, -1),
    ("reduced range, 0.6", 0.6, REDUCED, 1),
    ("reduced range, 0.8", 0.8, REDUCED, -1),
    ("reduced range, 0.25", 0.25, REDUCED, -1),
    ("reduced range, 0.5", 0.5, REDUCED, 1),
    ("zero range", 0.5, [(0, 0.5), (0.5, 0.5), (0.5, 1)], 2),
]


@pytest.mark.parametrize(("seed", "value", "version", "expected"), HASH_CASES)
def test_the_hash_is_growthbooks(
    seed: str, value: str, version: int, expected: float | None
) -> None:
    assert gbhash(seed, value, version) == expected


def test_fnv1a32_is_the_standard_32_bit_fnv1a() -> None:
    # The FNV reference values: the empty string is the offset basis; "a" and "foobar".
    assert fnv1a32("") == 0x811C9DC5
    assert fnv1a32("a") == 0xE40C292C
    assert fnv1a32("foobar") == 0xBF9CF968


@pytest.mark.parametrize(
    ("name", "count", "coverage", "weights", "expected"),
    BUCKET_RANGE_CASES,
    ids=[c[0] for c in BUCKET_RANGE_CASES],
)
def test_bucket_ranges_are_growthbooks(
    name: str, count: int, coverage: float, weights: list[float] | None, expected: Ranges
) -> None:
    ranges = bucket_ranges(count, coverage, weights)
    assert len(ranges) == len(expected)
    for (start, end), (want_start, want_end) in zip(ranges, expected, strict=True):
        assert start == pytest.approx(want_start, abs=1e-9)
        assert end == pytest.approx(want_end, abs=1e-9)


@pytest.mark.parametrize(
    ("name", "n", "ranges", "expected"), CHOOSE_CASES, ids=[c[0] for c in CHOOSE_CASES]
)
def test_choose_variation_is_growthbooks(
    name: str, n: float, ranges: Ranges, expected: int
) -> None:
    assert choose_variation(n, ranges) == expected


def experiment(status: str = "running", weights: tuple[float, ...] = (1, 1)) -> Experiment:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    return Experiment(
        experiment_id="exp1",
        site_id="site1",
        name="Landing page",
        hypothesis="",
        status=status,
        seed="exp1",
        hash_version=2,
        variants=[
            Variant(variant_id=f"v{i}", name=f"Variant {i}", weight=w)
            for i, w in enumerate(weights)
        ],
        metrics=[],
        mde=0.05,
        planned_sample_size=None,
        settings=ExperimentSettings(),
        revision=1,
        started_at=now,
        stopped_at=None,
        created_at=now,
        created_by="key",
        updated_at=now,
    )


def test_weights_are_shares_of_their_sum_like_fractions() -> None:
    # 50/50 written as 1/1 or 50/50 splits exactly as GrowthBook's [0.5, 0.5].
    for weights in ((1, 1), (50, 50), (0.5, 0.5)):
        spec = experiment(weights=weights)
        for visitor in ("a", "b", "visitor-123", "ü"):
            n = gbhash("exp1", visitor, 2)
            assert n is not None
            assert bucket(spec, visitor) == (0 if n < 0.5 else 1, True)


def test_a_zero_weight_variant_gets_no_visitors() -> None:
    spec = experiment(weights=(1, 0, 3))
    assert {bucket(spec, f"visitor-{i}")[0] for i in range(500)} == {0, 2}


class DictStore:
    """The two DocumentStore calls assignment makes, over a dict."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}

    def get(self, path: str) -> dict[str, Any] | None:
        return self.documents.get(path)

    def create(self, path: str, data: Mapping[str, Any]) -> bool:
        if path in self.documents:
            return False
        self.documents[path] = dict(data)
        return True


def service(store: DictStore, current: Callable[[], Experiment]) -> AssignmentService:
    def load(org_id: str, experiment_id: str) -> Experiment | None:
        spec = current()
        return spec if (org_id, experiment_id) == ("org1", spec.experiment_id) else None

    return AssignmentService(store, load)  # type: ignore[arg-type]


def test_the_first_assignment_sticks_when_the_weights_change() -> None:
    store = DictStore()
    spec = {"now": experiment(weights=(1, 1))}
    assign = service(store, lambda: spec["now"]).assign
    visitors = [f"visitor-{i}" for i in range(200)]
    first = {v: assign("org1", "site1", "exp1", v).variant_id for v in visitors}
    spec["now"] = experiment(weights=(1, 99))  # everyone new would land in v1 now
    again = {v: assign("org1", "site1", "exp1", v).variant_id for v in visitors}
    assert again == first
    assert "v0" in first.values()
    newcomer = [assign("org1", "site1", "exp1", f"new-{i}").variant_id for i in range(50)]
    assert newcomer.count("v1") > 40  # new visitors follow the new weights


def test_the_assignment_is_the_hash_and_names_its_seed() -> None:
    store = DictStore()
    reply = service(store, experiment).assign("org1", "site1", "exp1", "visitor-7")
    index, _ = bucket(experiment(), "visitor-7")
    assert (reply.variant_index, reply.variant_id) == (index, f"v{index}")
    assert reply.hash_seed == "exp1"
    assert reply.in_experiment
    assert len(store.documents) == 1


@pytest.mark.parametrize("status", ["draft", "stopped"])
def test_only_a_running_experiment_assigns(status: str) -> None:
    store = DictStore()
    with pytest.raises(InvalidTransition) as raised:
        service(store, lambda: experiment(status)).assign("org1", "site1", "exp1", "v")
    assert raised.value.field == "experiment_id"
    assert store.documents == {}


@pytest.mark.parametrize(
    ("org", "site", "exp"),
    [("org2", "site1", "exp1"), ("org1", "site2", "exp1"), ("org1", "site1", "nope")],
)
def test_another_site_or_organization_sees_no_experiment(org: str, site: str, exp: str) -> None:
    with pytest.raises(NotFound):
        service(DictStore(), experiment).assign(org, site, exp, "visitor")
