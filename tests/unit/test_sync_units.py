"""The insight sync's unit rules: a split keeps the rows' level and goes account -> campaigns ->
ad sets -> ads, a unit at its rows' own level cannot split, failed and stuck reports and Graph
errors are bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adaccounts.sync_units import (
    MAX_CALL_RETRIES,
    SPLIT_AFTER_FAILURES,
    STUCK_AFTER,
    SyncUnit,
    UnitStatus,
)

NOW = datetime(2026, 3, 16, 10, tzinfo=UTC)


def account_unit(level: str) -> SyncUnit:
    return SyncUnit(object_id="act_1", object_level="account", level=level)


@pytest.mark.parametrize(
    ("level", "path"),
    [
        ("campaign", ["account", "campaign"]),
        ("adset", ["account", "campaign", "adset"]),
        ("ad", ["account", "campaign", "adset", "ad"]),
    ],
)
def test_splits_go_down_one_object_level_and_keep_the_rows_level(
    level: str, path: list[str]
) -> None:
    unit, seen = account_unit(level), []
    while unit.can_split():
        seen.append(unit.object_level)
        (unit,) = unit.children(["child"])
        assert unit.level == level
    seen.append(unit.object_level)
    assert seen == path


def test_a_report_failing_again_and_again_splits_then_fails_at_the_lowest_level() -> None:
    unit = SyncUnit(object_id="c1", object_level="campaign", level="adset")
    for _ in range(SPLIT_AFTER_FAILURES - 1):
        unit.report_failed("Job Failed")
        assert unit.status is UnitStatus.PENDING
    unit.report_failed("Job Failed")
    assert unit.status is UnitStatus.SPLITTING
    (child,) = unit.children(["s1"])
    for _ in range(SPLIT_AFTER_FAILURES):
        child.report_failed("(#-2) Generating the report failed")
    assert child.status is UnitStatus.FAILED
    assert child.error == "(#-2) Generating the report failed"


def test_a_report_whose_progress_stops_is_stuck_after_the_configured_time() -> None:
    unit = account_unit("ad")
    unit.started("r1", NOW)
    assert not unit.is_stuck(33, NOW + timedelta(minutes=5), STUCK_AFTER)
    assert not unit.is_stuck(66, NOW + timedelta(minutes=20), STUCK_AFTER)
    assert not unit.is_stuck(66, NOW + timedelta(minutes=49), STUCK_AFTER)
    assert unit.is_stuck(66, NOW + timedelta(minutes=50), STUCK_AFTER)


def test_graph_errors_back_off_doubling_then_fail_the_unit_with_metas_message() -> None:
    unit = account_unit("campaign")
    delays = []
    for _ in range(MAX_CALL_RETRIES):
        unit.call_failed("Graph error 1/99: An unknown error occurred", NOW, 30.0)
        assert unit.retry_at is not None
        delays.append((unit.retry_at - NOW).total_seconds())
    assert delays == [30.0, 60.0, 120.0]
    unit.call_failed("Graph error 1/99: An unknown error occurred", NOW, 30.0)
    assert unit.status is UnitStatus.FAILED
    assert unit.error == "Graph error 1/99: An unknown error occurred"


def test_a_success_clears_the_error_count() -> None:
    unit = account_unit("campaign")
    unit.call_failed("Graph error 2", NOW, 30.0)
    unit.call_succeeded()
    assert (unit.errors, unit.retry_at) == (0, None)
