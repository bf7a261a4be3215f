"""Rule segments and RFM in SQL (DuckDB running the compiled BigQuery statements) agree with an
independent pandas evaluation of the same rules on generated people and journeys; a
calculation's members land in segment_members, replays add nothing, and a later calculation
replaces the earlier one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.segments.compiler import compile_members
from shared.segments.criteria import (
    DAYS_FIELDS,
    EventRule,
    FieldRule,
    Group,
    Node,
    Not,
    parse_criteria,
)
from shared.segments.members import write_script
from shared.segments.rfm import compile_rfm, rfm_segment_name
from tests.integration.segment_world import generate, segment_warehouse
from tests.unit.segment_criteria import AS_OF, valid_criteria

pytestmark = pytest.mark.integration

ORG = "org-seg"
OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[DuckDbWarehouse, pd.DataFrame]:
    warehouse = segment_warehouse(tmp_path_factory.mktemp("segments"))
    people, journey = generate(ORG, 400, 6000, AS_OF, seed=7)
    other_people, other_journey = generate("org-other", 50, 500, AS_OF, seed=8)
    for frame, table, keys in (
        (pd.concat([people, other_people]), "people", ("org_id", "person_id")),
        (pd.concat([journey, other_journey]), "journey_events", ("org_id", "source_id")),
    ):
        rows = [
            {
                str(k): (None if v is pd.NaT or (isinstance(v, float) and np.isnan(v)) else v)
                for k, v in row.items()
            }
            for row in frame.to_dict("records")
        ]
        warehouse.merge_rows(table, rows, keys, update_existing=False)
    return warehouse, persons_frame(people, journey)


def persons_frame(people: pd.DataFrame, journey: pd.DataFrame) -> pd.DataFrame:
    seen = journey[journey.person_id.notna() & (journey.occurred_at <= AS_OF)]
    times = seen.groupby("person_id").occurred_at.agg(first_seen_at="min", last_seen_at="max")
    frame = people.set_index("person_id").join(times)
    frame.attrs["events"] = seen
    return frame


def evaluate(node: Node, persons: pd.DataFrame) -> pd.Series:
    """The rules in pandas, independently of the compiler: the same documented semantics."""
    if isinstance(node, Group):
        parts = [evaluate(item, persons) for item in node.items]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part if node.kind == "all" else combined | part
        return combined
    if isinstance(node, Not):
        return ~evaluate(node.item, persons)
    if isinstance(node, EventRule):
        events = persons.attrs["events"]
        chosen = events[events.event == node.event]
        if node.within_days is not None:
            chosen = chosen[chosen.occurred_at >= AS_OF - timedelta(days=node.within_days)]
        if node.channel is not None:
            chosen = chosen[chosen.channel == node.channel]
        if node.currency is not None:
            chosen = chosen[chosen.currency == node.currency]
        grouped = chosen.groupby("person_id")
        measure = grouped.size() if node.measure == "count" else grouped.value_micros.sum()
        totals = measure.reindex(persons.index).fillna(0)
        return pd.Series(OPS[node.op](totals, node.amount))
    return field_rule(node, persons)


def field_rule(rule: FieldRule, persons: pd.DataFrame) -> pd.Series:
    if rule.field in DAYS_FIELDS:
        since = persons[DAYS_FIELDS[rule.field]]
        days = np.floor((pd.Timestamp(AS_OF) - since).dt.total_seconds() / 86_400)
        result = OPS[rule.op](days, rule.value)
    else:
        result = OPS[rule.op](persons[rule.field], pd.Timestamp(rule.value))
    present = persons[DAYS_FIELDS.get(rule.field, rule.field)].notna()
    return pd.Series(result & present)


def members(warehouse: DuckDbWarehouse, trees: list[Any]) -> dict[str, set[str]]:
    segments = [(f"s{i}", parse_criteria(tree)) for i, tree in enumerate(trees)]
    compiled = compile_members(ORG, segments, AS_OF)
    found: dict[str, set[str]] = {key: set() for key, _ in segments}
    for row in warehouse.run_statement(compiled.sql, compiled.params):
        found[row["segment_id"]].add(row["person_id"])
    return found


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(valid_criteria, valid_criteria)
def test_sql_segments_equal_the_pandas_evaluation(
    world: tuple[DuckDbWarehouse, pd.DataFrame], first: Any, second: Any
) -> None:
    warehouse, persons = world
    found = members(warehouse, [first, second])
    for key, tree in (("s0", first), ("s1", second)):
        expected = evaluate(parse_criteria(tree), persons)
        assert found[key] == set(expected[expected].index), tree


def test_worked_rules_select_the_expected_people(
    world: tuple[DuckDbWarehouse, pd.DataFrame],
) -> None:
    warehouse, persons = world
    repeat_buyers = {"event": "purchase", "within_days": 90, "count": {">=": 2}}
    big_spenders = {"event": "purchase", "sum_value": {">": 100}, "currency": "EUR"}
    lapsed = {"not": {"field": "days_since_last_seen", "op": "<", "value": 30}}
    trees = [repeat_buyers, big_spenders, {"all": [big_spenders, lapsed]}]
    found = members(warehouse, trees)
    for i, tree in enumerate(trees):
        expected = evaluate(parse_criteria(tree), persons)
        assert found[f"s{i}"] == set(expected[expected].index)
        assert 0 < len(found[f"s{i}"]) < len(persons)
    assert all(p.startswith("p") for p in found["s0"])  # people of this org only
    assert found["s2"] <= found["s1"]


def test_rfm_scores_and_names_match_a_python_ntile(
    world: tuple[DuckDbWarehouse, pd.DataFrame],
) -> None:
    warehouse, persons = world
    since = AS_OF - timedelta(days=365)
    compiled = compile_rfm(ORG, "EUR", since, AS_OF)
    rows = {row["person_id"]: row for row in warehouse.run_statement(compiled.sql, compiled.params)}
    events = persons.attrs["events"]
    bought = events[
        (events.event == "purchase") & (events.currency == "EUR") & (events.occurred_at > since)
    ]
    per = bought.groupby("person_id").agg(
        last=("occurred_at", "max"), n=("occurred_at", "size"), m=("value_micros", "sum")
    )
    assert set(rows) == set(per.index)
    for column, score in (("last", "rfm_recency"), ("n", "rfm_frequency"), ("m", "rfm_monetary")):
        ranked = per.reset_index().sort_values([column, "person_id"]).reset_index(drop=True)
        tiles = ntile(len(ranked))
        ranked["tile"] = tiles
        lowest = ranked.groupby(column).tile.transform("min")
        for person, expected in zip(ranked.person_id, lowest, strict=True):
            assert rows[person][score] == expected, (person, column)
    for row in rows.values():
        assert row["rfm_segment"] == rfm_segment_name(row["rfm_recency"], row["rfm_frequency"])
    assert len({row["rfm_segment"] for row in rows.values()}) >= 4


def ntile(n: int, buckets: int = 5) -> list[int]:
    """SQL's NTILE: the first n % buckets tiles hold one row more."""
    size, extra = divmod(n, buckets)
    tiles: list[int] = []
    for tile in range(1, buckets + 1):
        tiles.extend([tile] * (size + (1 if tile <= extra else 0)))
    return tiles


def test_a_calculation_replaces_members_and_its_replay_adds_nothing(
    world: tuple[DuckDbWarehouse, pd.DataFrame],
) -> None:
    warehouse, _ = world
    buyers = parse_criteria({"event": "purchase", "count": {">=": 1}})
    repeat = parse_criteria({"event": "purchase", "count": {">=": 3}})

    def calculate(node: Node, as_of: Any) -> int:
        source = compile_members(ORG, [("seg-1", node)], as_of)
        script = write_script(ORG, ["seg-1"], source, as_of)
        rows = warehouse.run_statement(script.sql, script.params)
        return int(rows[0]["members"]) if rows else 0

    first = calculate(buyers, AS_OF)
    assert calculate(buyers, AS_OF) == first
    later = AS_OF + timedelta(hours=1)
    narrower = calculate(repeat, later)
    assert 0 < narrower < first
    page = warehouse.run(
        "queries/segment_members_page.sql",
        {
            "org_id": ORG,
            "segment_id": "seg-1",
            "rfm_segment": None,
            "after_id": None,
            "limit": 10_000,
        },
    )
    assert len(page) == narrower
    assert {row["computed_at"].replace(tzinfo=None) for row in page} == {later.replace(tzinfo=None)}
