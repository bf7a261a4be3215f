"""Benchmark rule segments: 50 segments over 1,000,000 persons on the local warehouse.

Generates (seeded, not timed) --persons persons (default 1,000,000) in reachops.people and
--events journey events (10,000,000) in reachops.journey_events (a table with the view's
columns): activity per person Gamma(0.5)-skewed, page views most common, then purchases (EUR
and USD, log-normal values), social engagement, form submissions, leads and feedback, over the
400 days to `as_of`, on the four channels; some persons have no events at all. The 50 segments
are drawn (seeded) from realistic rule shapes: repeat buyers, big spenders, lapsed and recent
visitors, social fans, new persons, nested all/any/not of those.

Timed: the 50 segments compiled by shared/segments/compiler.py into ONE statement
(compile_counts: one scan of the journey, the rules as boolean columns) and run through the
DuckDB warehouse adapter; best of two runs. Baseline, same run: the same rules evaluated person
by person in plain Python (each person's events in a list) on a --sample of persons,
extrapolated to all persons; those sampled persons are also stored as a second organization,
and the SQL's counts for it must equal the Python ones. The last line is one JSON object:
    python scripts/bench/segments.py [--persons N] [--events N] [--sample N]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shared.adapters.duckdb_warehouse import DuckDbWarehouse, to_duckdb
from shared.config import get_settings
from shared.segments.compiler import compile_counts
from shared.segments.criteria import (
    DAYS_FIELDS,
    EVENTS,
    EventRule,
    FieldRule,
    Group,
    Node,
    Not,
    parse_criteria,
)

SEED = 20_261_202
ORG, SAMPLE_ORG = "org-bench", "org-sample"
AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
SEGMENTS = 50
CHANNELS = ("web", "social", "email", "sms")
EVENT_WEIGHTS = (0.06, 0.03, 0.2, 0.55, 0.12, 0.04)  # in EVENTS order
JOURNEY_EVENTS = """
CREATE TABLE reachops.journey_events (
  org_id STRING NOT NULL, person_id STRING, visitor_id STRING, occurred_at TIMESTAMP NOT NULL,
  event STRING NOT NULL, channel STRING NOT NULL, stage STRING NOT NULL, source_id STRING,
  value_micros INT64, currency STRING
)
"""
NONE = np.array(None, dtype=object)
COMPARE = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def rule_shapes(rng: random.Random) -> list[dict[str, Any]]:
    def repeat() -> dict[str, Any]:
        days = rng.choice([30, 90, 180, 365])
        return {"event": "purchase", "within_days": days, "count": {">=": rng.randint(2, 4)}}

    def spender() -> dict[str, Any]:
        amount = rng.choice([50, 100, 250, 500])
        currency = rng.choice(["EUR", "EUR", "USD"])
        return {"event": "purchase", "sum_value": {">": amount}, "currency": currency}

    def seen() -> dict[str, Any]:
        op = rng.choice(["<", ">="])
        value = rng.choice([7, 30, 60, 120])
        return {"field": "days_since_last_seen", "op": op, "value": value}

    def fan() -> dict[str, Any]:
        return {
            "event": "social_engage",
            "channel": "social",
            "within_days": 30,
            "count": {">=": rng.randint(1, 3)},
        }

    def fresh() -> dict[str, Any]:
        return {"field": "days_since_created", "op": "<", "value": rng.choice([14, 30, 90])}

    def voice() -> dict[str, Any]:
        return {"event": rng.choice(["feedback", "form_submit"]), "count": {">=": 1}}

    leaves = [repeat, spender, seen, fan, fresh, voice]
    shapes = []
    for _ in range(SEGMENTS):
        picked = [rng.choice(leaves)() for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.3:
            picked[-1] = {"not": picked[-1]}
        if len(picked) > 2 and rng.random() < 0.5:
            picked = [picked[0], {"any": picked[1:]}]
        shapes.append(picked[0] if len(picked) == 1 else {"all": picked})
    return shapes


def generate(persons: int, events: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    activity = rng.gamma(0.5, 1.0, persons)
    who = rng.choice(persons, events, p=activity / activity.sum())
    created_days = rng.uniform(0, 400, persons)
    kind = rng.choice(len(EVENTS), events, p=EVENT_WEIGHTS)
    days_ago = rng.uniform(0, 1, events) * created_days[who]
    purchase = kind == EVENTS.index("purchase")
    value = (np.round(rng.lognormal(np.log(40), 0.9, events), 2) * 1_000_000).astype(np.int64)
    people = pd.DataFrame(
        {"who": np.arange(persons), "seconds": (created_days * 86_400).astype(np.int64)}
    )
    journey = pd.DataFrame(
        {
            "who": who,
            "seconds": (days_ago * 86_400).astype(np.int64),
            "event": np.array(EVENTS)[kind],
            "channel": np.where(
                kind == EVENTS.index("social_engage"),
                "social",
                np.array(CHANNELS)[rng.choice(4, events, p=[0.7, 0.05, 0.2, 0.05])],
            ),
            "value_micros": np.where(purchase, value, 0),  # NULL when loaded, as in the view
            "currency": np.where(purchase, rng.choice(["EUR", "USD"], events, p=[0.8, 0.2]), NONE),
        }
    )
    return people, journey


def load(
    warehouse: DuckDbWarehouse, people: pd.DataFrame, journey: pd.DataFrame, sample: int
) -> None:
    con = warehouse._connection  # generation only: the timed runs use the adapter
    for statement in to_duckdb(JOURNEY_EVENTS):
        con.execute(statement)
    con.register("gen_people", people)
    con.register("gen_journey", journey)
    at = "CAST(? AS TIMESTAMPTZ) - to_seconds(seconds)"
    for org, limit in ((ORG, len(people)), (SAMPLE_ORG, sample)):
        con.execute(
            f"INSERT INTO reachops.people SELECT ?, 'p' || who, NULL, {at}, {at} "  # noqa: S608
            "FROM gen_people WHERE who < ?",
            [org, AS_OF, AS_OF, limit],
        )
        con.execute(
            f"INSERT INTO reachops.journey_events SELECT ?, 'p' || who, NULL, {at}, event,"  # noqa: S608
            " channel, 'x', NULL, CASE WHEN event = 'purchase' THEN value_micros END, currency"
            " FROM gen_journey WHERE who < ?",
            [org, AS_OF, limit],
        )
    con.unregister("gen_people")
    con.unregister("gen_journey")


def person_by_person(
    nodes: list[Node], people: pd.DataFrame, journey: pd.DataFrame, sample: int
) -> tuple[float, list[int]]:
    """The baseline: every rule of every segment evaluated for one person at a time."""
    events: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    chosen = journey[journey.who < sample]
    for who, seconds, event, channel, value, currency in zip(
        chosen.who,
        chosen.seconds,
        chosen.event,
        chosen.channel,
        chosen.value_micros,
        chosen.currency,
        strict=True,
    ):
        at = AS_OF - timedelta(seconds=int(seconds))
        events[int(who)].append((at, event, channel, value, currency))
    created = {
        int(who): AS_OF - timedelta(seconds=int(seconds))
        for who, seconds in zip(people.who[:sample], people.seconds[:sample], strict=True)
    }
    started = time.perf_counter()
    counts = [0] * len(nodes)
    for who in range(sample):
        mine = events.get(who, [])
        person = {
            "created_at": created[who],
            "updated_at": created[who],
            "first_seen_at": min((e[0] for e in mine), default=None),
            "last_seen_at": max((e[0] for e in mine), default=None),
        }
        for i, node in enumerate(nodes):
            counts[i] += holds(node, person, mine)
    return time.perf_counter() - started, counts


def holds(node: Node, person: dict[str, datetime | None], events: list[Any]) -> bool:
    if isinstance(node, Group):
        results = (holds(item, person, events) for item in node.items)
        return all(results) if node.kind == "all" else any(results)
    if isinstance(node, Not):
        return not holds(node.item, person, events)
    if isinstance(node, EventRule):
        since = AS_OF - timedelta(days=node.within_days) if node.within_days else None
        matched = [
            e
            for e in events
            if e[1] == node.event
            and (since is None or e[0] >= since)
            and (node.channel is None or e[2] == node.channel)
            and (node.currency is None or e[4] == node.currency)
        ]
        total = len(matched) if node.measure == "count" else sum(e[3] or 0 for e in matched)
        return bool(COMPARE[node.op](total, node.amount))
    return field_holds(node, person)


def field_holds(rule: FieldRule, person: dict[str, datetime | None]) -> bool:
    at = person[DAYS_FIELDS.get(rule.field, rule.field)]
    if at is None:
        return False
    if rule.field in DAYS_FIELDS:
        return bool(COMPARE[rule.op](math.floor((AS_OF - at) / timedelta(days=1)), rule.value))
    return bool(COMPARE[rule.op](at, rule.value))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=10_000)
    args = parser.parse_args()
    people, journey = generate(args.persons, args.events)
    shapes = rule_shapes(random.Random(SEED))  # noqa: S311 - seeded data, not secrets
    nodes = [parse_criteria(shape) for shape in shapes]
    segments = [(f"segment-{i}", node) for i, node in enumerate(nodes)]
    with tempfile.TemporaryDirectory() as folder:
        warehouse = DuckDbWarehouse(Path(folder) / "bench.duckdb", get_settings().sql_dir)
        warehouse.run("schema/people.sql")
        load(warehouse, people, journey, args.sample)
        compiled = compile_counts(ORG, segments, AS_OF)
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            (totals,) = warehouse.run_statement(compiled.sql, compiled.params)
            runs.append(time.perf_counter() - started)
        check = compile_counts(SAMPLE_ORG, segments, AS_OF)
        (sampled,) = warehouse.run_statement(check.sql, check.params)
        warehouse.close()
    python_seconds, python_counts = person_by_person(nodes, people, journey, args.sample)
    sql_counts = [int(sampled[f"s{i}"]) for i in range(len(nodes))]
    assert sql_counts == python_counts, (sql_counts, python_counts)
    seconds = min(runs)
    baseline_seconds = python_seconds * args.persons / args.sample
    members = [int(totals[f"s{i}"]) for i in range(len(nodes))]
    print("members per segment:", members)
    print(
        json.dumps(
            {
                "benchmark": "segments",
                "persons": args.persons,
                "events": args.events,
                "segments": len(nodes),
                "seconds": round(seconds, 3),
                "baseline": f"person by person in Python on {args.sample}, extrapolated",
                "baseline_seconds": round(baseline_seconds, 3),
                "ratio": round(baseline_seconds / seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
