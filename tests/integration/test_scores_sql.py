"""Scores in SQL on the local warehouse (the BigQuery files transpiled to DuckDB): engagement
decays as the engine says and a rerun of the day replaces it, NPS reports (trend, change,
segments, an empty period), CLV on the CDNOW sample through the SQL path gives the engine's
fit, churn risk ranks a lapsed unhappy buyer first, and pages of scores are filtered, ranked,
paged and tenant-isolated.

The upstream objects (reachops.journey_events, feedback, segment_members, sentiment_scores)
are other domains'; here they are stand-in tables with the contract's columns
(/tmp contract: issue 12), so these tests pin this domain's SQL to that contract."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.auth import Principal, Role
from shared.config import get_settings
from shared.insights import clv
from shared.insights.nps import nps
from shared.ports import Document, DocumentStore
from shared.scores.engagement import decayed
from shared.scores.models import EngagementSettings, LeaderboardQuery
from shared.scores.nps_models import NpsQuery
from shared.scores.service import ScoreService

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
CDNOW = Path(__file__).resolve().parents[1] / "fixtures" / "cdnow" / "CDNOW_sample.txt"
STAND_INS = {
    "journey_events": "org_id STRING, person_id STRING, visitor_id STRING, occurred_at TIMESTAMP,"
    " event STRING, channel STRING, stage STRING, source_id STRING, value_micros INT64,"
    " currency STRING",
    "feedback": "org_id STRING, feedback_id STRING, person_id STRING, visitor_id STRING,"
    " rating INT64, scale STRING, rating_0_10 FLOAT64, text STRING, channel STRING,"
    " created_at TIMESTAMP",
    "segment_members": "org_id STRING, segment_id STRING, person_id STRING, computed_at TIMESTAMP",
    "sentiment_scores": "org_id STRING, source_type STRING, source_id STRING, engine STRING,"
    " model STRING, status STRING, score FLOAT64, scored_at TIMESTAMP",
}


class DictStore:
    """The DocumentStore calls the score services make, over a dict."""

    def __init__(self, orgs: Sequence[str]) -> None:
        self.documents: dict[str, dict[str, Any]] = {f"orgs/{o}": {} for o in orgs}

    def get(self, path: str) -> dict[str, Any] | None:
        return self.documents.get(path)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self.documents[path] = dict(data)

    def query(self, collection: str, **_: Any) -> list[Document]:
        depth = collection.count("/") + 1
        return [
            Document(path.rsplit("/", 1)[1], data)
            for path, data in sorted(self.documents.items())
            if path.startswith(f"{collection}/") and path.count("/") == depth
        ]


@pytest.fixture
def warehouse() -> DuckDbWarehouse:
    found = DuckDbWarehouse(":memory:", get_settings().sql_dir)
    for name, columns in STAND_INS.items():
        for kind in ("VIEW", "TABLE"):
            found.run_statement(f"DROP {kind} IF EXISTS reachops.{name}")
        found.run_statement(f"CREATE TABLE reachops.{name} ({columns})")
    found.run("schema/customer_scores.sql")
    found.run("views/customer_scores_current.sql")
    return found


def insert(warehouse: DuckDbWarehouse, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows into a stand-in table (no schema file, so not through merge_rows)."""
    connection = warehouse._connection
    connection.register("incoming", pd.DataFrame(list(rows)))
    connection.execute(f"INSERT INTO reachops.{table} BY NAME SELECT * FROM incoming")  # noqa: S608
    connection.unregister("incoming")


def admin(org_id: str = "o1") -> Principal:
    return Principal(org_id=org_id, key_id="k1", role=Role.ADMIN)


def scores(warehouse: DuckDbWarehouse, at: datetime = NOW) -> tuple[ScoreService, DictStore]:
    store = DictStore(["o1", "o2"])
    service = ScoreService(
        cast(DocumentStore, store),
        warehouse,
        default_page_size=25,
        max_page_size=100,
        clock=lambda: at,
    )
    return service, store


def journey(warehouse: DuckDbWarehouse, rows: Sequence[Mapping[str, Any]]) -> None:
    full = [
        {
            "org_id": "o1",
            "visitor_id": None,
            "channel": "web",
            "stage": "conversion",
            "value_micros": None,
            "currency": None,
            **row,
        }
        for row in rows
    ]
    for i, row in enumerate(full):
        row.setdefault("source_id", f"s{i}")
    insert(warehouse, "journey_events", full)


def feedback(
    warehouse: DuckDbWarehouse, rows: Sequence[tuple[str, str, int, str, datetime]]
) -> None:
    full = [
        {
            "org_id": "o1",
            "feedback_id": feedback_id,
            "person_id": person_id,
            "visitor_id": None,
            "rating": rating,
            "scale": scale,
            "rating_0_10": None,
            "text": None,
            "channel": "web",
            "created_at": at,
        }
        for feedback_id, person_id, rating, scale, at in rows
    ]
    insert(warehouse, "feedback", full)


def test_engagement_decays_per_the_formula_and_a_rerun_replaces_the_day(
    warehouse: DuckDbWarehouse,
) -> None:
    journey(
        warehouse,
        [
            {"person_id": "p1", "event": "purchase", "occurred_at": NOW - timedelta(days=30)},
            {"person_id": "p1", "event": "page_view", "occurred_at": NOW},
            {"person_id": "p2", "event": "feedback", "occurred_at": NOW - timedelta(days=60)},
            {"person_id": None, "event": "page_view", "occurred_at": NOW},
            {"org_id": "o2", "person_id": "p1", "event": "purchase", "occurred_at": NOW},
        ],
    )
    service, store = scores(warehouse)
    run = service.calculate_for("o1", "engagement", NOW)
    assert (run.period, run.persons_scored) == ("2026-12-02", 2)
    again = service.calculate(admin(), "engagement")
    assert again.persons_scored == 2
    page = service.page(admin(), score_type="engagement")
    assert [(s.person_id, round(s.value, 6)) for s in page.items] == [
        ("p1", round(decayed(10, 30, 30) + decayed(1, 0, 30), 6)),
        ("p2", round(decayed(5, 60, 30), 6)),
    ]
    assert page.items[0].breakdown["events"]["purchase"]["events"] == 1
    assert store.get("orgs/o1/score_runs/engagement_2026-12-02") is not None
    assert service.page(admin("o2"), score_type="engagement").items == []

    service.set_engagement_settings(
        admin(), EngagementSettings(weights={"feedback": 50.0}, half_life_days=60.0)
    )
    service.calculate(admin(), "engagement")
    board = service.leaderboard(admin(), LeaderboardQuery(type="engagement", limit=1))
    assert [(i.rank, i.person_id) for i in board.items] == [(1, "p2")]
    assert board.items[0].value == pytest.approx(decayed(50, 60, 60))


def test_nps_reports_trend_change_segments_and_an_empty_period(
    warehouse: DuckDbWarehouse,
) -> None:
    week1, week2 = NOW - timedelta(days=9), NOW - timedelta(days=1)
    feedback(
        warehouse,
        [(f"a{i}", f"p{i}", 10, "nps_0_10", week1) for i in range(6)]
        + [(f"b{i}", f"p{i}", 2, "nps_0_10", week1) for i in range(6, 10)]
        + [(f"c{i}", f"p{i}", 1, "stars_1_5", week2) for i in range(10)]
        + [("d0", "p0", 5, "stars_1_5", week2)],
    )
    members = [
        {"org_id": "o1", "segment_id": "vip", "person_id": p, "computed_at": NOW}
        for p in ("p0", "p1")
    ]
    insert(warehouse, "segment_members", members)
    service, store = scores(warehouse)
    query = NpsQuery.model_validate(
        {
            "from": str(week2.date()),
            "to": str(NOW.date()),
            "compare_from": str(week1.date()),
            "compare_to": str(week1.date()),
            "by_segment": "true",
        }
    )
    report = service.nps.report(admin(), query)
    expected = nps([0.0] * 10 + [10.0])
    assert report.n == 11
    assert report.score == pytest.approx(expected.score)
    assert report.margin_of_error == pytest.approx(expected.margin_of_error)
    assert report.comparison is not None
    assert report.comparison.before.score == pytest.approx(20.0)
    assert report.comparison.significant is True
    assert report.segments is not None
    assert [(s.segment_id, s.n) for s in report.segments] == [("vip", 3)]

    trend = service.nps.report(
        admin(), NpsQuery.model_validate({"from": str(week1.date()), "interval": "week"})
    )
    assert trend.trend is not None
    assert [t.n for t in trend.trend] == [10, 11]

    empty = service.nps.report(
        admin(), NpsQuery.model_validate({"from": "2025-01-01", "to": "2025-01-31"})
    )
    assert (empty.n, empty.score, empty.reason) == (0, None, "no ratings in the period")

    run = service.calculate(admin(), "nps")
    assert run.persons_scored == 10
    person = {s.person_id: s for s in service.page(admin(), score_type="nps").items}
    assert person["p0"].value == 10.0
    assert person["p0"].breakdown["category"] == "promoter"
    assert person["p7"].breakdown["category"] == "detractor"
    snapshot = store.get(f"orgs/o1/score_runs/nps_{NOW.date()}")
    assert snapshot is not None
    assert snapshot["diagnostics"]["snapshot"]["n"] == 21


def cdnow_log() -> pd.DataFrame:
    log = pd.read_csv(
        CDNOW,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer", "date", "cds", "value"],
        dtype={"date": str, "customer": str},
    )
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return log


def test_clv_on_the_cdnow_sample_fits_what_the_engine_fits(warehouse: DuckDbWarehouse) -> None:
    log = cdnow_log()
    as_of = datetime(1998, 6, 30, 23, tzinfo=UTC)
    rows = [
        {
            "person_id": f"c{customer}",
            "event": "purchase",
            "occurred_at": datetime.combine(day.date(), datetime.min.time(), UTC)
            + timedelta(hours=i % 12),
            "source_id": f"o{i}",
            "value_micros": round(value * 1_000_000),
            "currency": "USD",
        }
        for i, (customer, day, value) in enumerate(
            zip(log["customer"], log["date"], log["value"], strict=True)
        )
    ]
    journey(warehouse, rows)
    service, store = scores(warehouse, as_of)
    run = service.calculate(admin(), "clv")

    positive = log[log["value"] > 0].assign(person_id="c" + log["customer"])
    direct = clv.calibration_holdout(
        positive,
        customer="person_id",
        when="date",
        calibration_end="1998-06-30",
        observation_end="1998-06-30",
        value="value",
        period=pd.Timedelta(weeks=1),
    )
    fit = clv.fit_bgnbd(direct["frequency_cal"], direct["recency_cal"], direct["T_cal"])
    stored = run.diagnostics["bgnbd"]
    assert stored["r"] == pytest.approx(fit.r, rel=1e-6)
    assert stored["a"] == pytest.approx(fit.a, rel=1e-6)
    assert run.diagnostics["time_unit"] == "weeks"
    holdout = run.diagnostics["holdout"]
    assert holdout["actual_total"] > 0
    assert holdout["predicted_total"] == pytest.approx(holdout["actual_total"], rel=0.3)
    assert [g["frequency"] for g in holdout["groups"]][:2] == ["0", "1"]
    assert run.persons_scored == len(direct)
    top = service.leaderboard(admin(), LeaderboardQuery(type="clv", limit=3)).items
    assert top[0].currency == "USD"
    assert 0 <= top[0].breakdown["p_alive"] <= 1
    assert np.isfinite(top[0].value)
    assert top[0].value > top[2].value > 0
    assert json.dumps(store.get(f"orgs/o1/score_runs/clv_{as_of.date()}"), default=str)


def test_churn_risk_puts_the_lapsed_unhappy_buyer_first_with_reasons(
    warehouse: DuckDbWarehouse,
) -> None:
    rows: list[dict[str, Any]] = []
    for person, days in (("happy", (2, 20, 40, 100, 130)), ("lapsed", (150, 160, 170, 175))):
        rows += [
            {"person_id": person, "event": "page_view", "occurred_at": NOW - timedelta(days=d)}
            for d in days
        ]
    journey(warehouse, rows)
    feedback(
        warehouse,
        [
            ("f1", "happy", 10, "nps_0_10", NOW - timedelta(days=3)),
            ("f2", "lapsed", 1, "nps_0_10", NOW - timedelta(days=150)),
        ],
    )
    sentiment = [
        {
            "org_id": "o1",
            "source_type": "feedback",
            "source_id": source,
            "engine": "vader",
            "model": "vader",
            "status": "scored",
            "score": score,
            "scored_at": NOW,
        }
        for source, score in (("f1", 0.9), ("f2", -0.7))
    ]
    insert(warehouse, "sentiment_scores", sentiment)
    service, _ = scores(warehouse)
    run = service.calculate(admin(), "churn_risk")
    assert (run.period, run.persons_scored) == ("2026-W49", 2)
    ranked = service.page(admin(), score_type="churn_risk").items
    assert [s.person_id for s in ranked] == ["lapsed", "happy"]
    lapsed = ranked[0].breakdown
    assert lapsed["components"]["p_alive"]["risk"] is None  # no purchases, no model
    assert "feedback sentiment averages -0.70" in lapsed["reasons"]
    assert any(r.startswith("events fell from 4 to 0") for r in lapsed["reasons"])
    at_risk = service.page(admin(), score_type="churn_risk", min_value=60.0).items
    assert [s.person_id for s in at_risk] == ["lapsed"]


def test_score_pages_never_repeat_or_skip_and_filter_by_value(
    warehouse: DuckDbWarehouse,
) -> None:
    journey(
        warehouse,
        [
            {"person_id": f"p{i:02d}", "event": "page_view", "occurred_at": NOW}
            for i in range(7)
            for _ in range(1 + i % 3)
        ],
    )
    service, _ = scores(warehouse)
    service.calculate(admin(), "engagement")
    seen: list[str] = []
    cursor = None
    while True:
        page = service.page(admin(), score_type="engagement", limit=3, cursor=cursor)
        seen += [s.person_id for s in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == [f"p{i:02d}" for i in range(7)]
    assert len(seen) == len(set(seen))
    middle = service.page(admin(), score_type="engagement", min_value=1.5, max_value=2.5)
    assert {s.value for s in middle.items} == {2.0}
    assert service.of_person(admin(), "p02").items[0].value == 3.0
    assert service.of_person(admin("o2"), "p02").items == []
    assert date.fromisoformat(page.items[0].period) == NOW.date()
