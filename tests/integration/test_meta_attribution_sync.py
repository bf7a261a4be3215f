"""A Meta insight sync stores, as the `default` window, what Ads Manager shows: each ad set's
figure under its own attribution setting (the stand-in's samples have ad sets on Meta's default
7-day click + 1-day view, on 1-day click and on 7-day click), and each requested window from
its own key, so a 1-day-click ad set's `default` is its 1d_click figure and a campaign's is the
sum of its ad sets'.

The world of tests/integration/meta_sync_world.py: the Firestore emulator, a DuckDB warehouse
and the real facebook-business SDK against the local Graph API stand-in over HTTP."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb
import pytest

from shared.adaccounts.models import AdAccountUpdate, SyncStatus
from shared.localstack.graph import load_catalog
from shared.localstack.graph.catalog import setting_windows
from tests.integration.meta_sync_world import (
    EU,
    World,
    connect_with_sample_token,
    control,
    graph_url,
    world,
)

pytestmark = pytest.mark.integration
__all__ = ["control", "graph_url", "world"]  # fixtures, used by name

WINDOWS = ["1d_click", "7d_click", "1d_view"]
FIGURES = ("conversions", "conversion_value_micros")
Key = tuple[str, str, Any]  # level, entity id, date


def _rows(world: World, name: str, table: str) -> list[dict[str, Any]]:
    """One org's stored rows of a warehouse table (the sync's own DuckDB file)."""
    org_id = world.owners[name].org_id
    with duckdb.connect(str(world.services.settings.duckdb_path)) as connection:
        cursor = connection.execute(
            f"SELECT * FROM reachops.{table} WHERE org_id = ?",  # noqa: S608
            [org_id],
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _by_window(rows: list[dict[str, Any]]) -> dict[Key, dict[str, dict[str, Any]]]:
    out: dict[Key, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        out[(row["level"], row["entity_id"], row["date"])][row["attribution_window"]] = row
    return out


def _sum(windows: dict[str, dict[str, Any]], setting: tuple[str, ...], name: str) -> float:
    return sum(windows[w][name] or 0 for w in setting if w in windows)


class Connected(World):
    """The sync's world with the account connected by a stand-in user token directly (the
    OAuth exchange is not what this test is about)."""

    def connect(self, name: str) -> None:
        connect_with_sample_token(self.services, self.owners[name])


def test_default_is_each_ad_sets_own_setting_and_each_window_its_own_key(world: World) -> None:
    world = Connected(world.services, world.sync, world.clock, world.control)
    owner = world.org("windows")
    world.services.ad_accounts.update(owner, EU, AdAccountUpdate(attribution_windows=WINDOWS))

    run = world.run("windows")

    assert run.status is SyncStatus.SUCCEEDED, run.error
    stored = {t: _rows(world, "windows", t) for t in ("ad_insights_daily", "ad_conversions_daily")}
    windows = _by_window(stored["ad_conversions_daily"])
    catalog = load_catalog()
    adsets = [r for r in stored["ad_insights_daily"] if r["level"] == "adset"]
    assert adsets, "the sync stored no ad set rows"
    seen: set[tuple[str, ...]] = set()
    for row in adsets:
        key = (row["level"], row["entity_id"], row["date"])
        assert set(windows[key]) == set(WINDOWS)  # every requested window, stored on its own
        if row["conversions"] is None:
            continue
        setting = setting_windows(catalog.adsets[row["entity_id"]]["attribution_spec"])
        seen.add(setting)
        for name in FIGURES:
            if row[name] is not None:
                assert row[name] == pytest.approx(_sum(windows[key], setting, name)), (key, name)
    assert {("1d_click",), ("7d_click",), ("7d_click", "1d_view")} <= seen

    one_day = [
        (windows[(r["level"], r["entity_id"], r["date"])], r)
        for r in adsets
        if setting_windows(catalog.adsets[r["entity_id"]]["attribution_spec"]) == ("1d_click",)
        and r["conversions"] is not None
    ]
    assert one_day
    assert all(w["1d_click"]["conversions"] == r["conversions"] for w, r in one_day)
    assert any(
        (w["7d_click"]["conversions"] or 0) > (w["1d_click"]["conversions"] or 0)
        for w, _ in one_day
    )  # the 1d_click figure came from its own key, not from a wider window

    campaigns = {
        (r["entity_id"], r["date"]): r["conversions"]
        for r in stored["ad_insights_daily"]
        if r["level"] == "campaign" and r["conversions"] is not None
    }
    added: dict[tuple[str, Any], float] = defaultdict(float)
    for row in adsets:
        added[(row["campaign_id"], row["date"])] += row["conversions"] or 0
    mixed = "120210000000001200"  # a 1-day-click ad set and a 7-day-click one
    assert any(campaign == mixed for campaign, _ in campaigns)
    for campaign_day, conversions in campaigns.items():
        assert conversions == pytest.approx(added[campaign_day]), campaign_day
