"""The experiment moments SQL (BigQuery file transpiled to DuckDB) over hand-written tracking
events, checked against the same sufficient statistics computed by hand in pandas: a visitor
counts from their first exposure in its variant, only later events until the stop count, values
count in the metric's currency only, CUPED's covariate is the 14 days before the exposure, and a
ratio carries the per-visitor sums the delta method needs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.config import Settings
from shared.experiments.models import Experiment
from shared.experiments.results import MOMENTS_SQL, moments_params

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 2, 9, tzinfo=UTC)
STOP = START + timedelta(days=3)
NOW = STOP + timedelta(days=1)


def experiment() -> Experiment:
    return Experiment.model_validate(
        {
            "experiment_id": "x1",
            "site_id": "shop",
            "name": "Landing page",
            "hypothesis": "",
            "status": "stopped",
            "seed": "x1",
            "hash_version": 2,
            "variants": [
                {"variant_id": "control", "name": "A", "weight": 1},
                {"variant_id": "new", "name": "B", "weight": 1},
                {"variant_id": "unseen", "name": "C", "weight": 1},
            ],
            "metrics": [
                {"metric_id": "signup", "role": "goal", "kind": "binomial", "goal_id": "g1"},
                {"metric_id": "revenue", "role": "secondary", "kind": "mean", "currency": "EUR"},
                {
                    "metric_id": "aov",
                    "role": "secondary",
                    "kind": "ratio",
                    "numerator": {"event_type": "purchase", "aggregate": "value"},
                    "denominator": {"event_type": "purchase", "aggregate": "count"},
                    "currency": "EUR",
                },
            ],
            "mde": 0.05,
            "planned_sample_size": None,
            "settings": {},
            "revision": 1,
            "started_at": START,
            "stopped_at": STOP,
            "created_at": START - timedelta(days=1),
            "created_by": "k",
            "updated_at": STOP,
        }
    )


def event(n: int, kind: str, visitor: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "site_id": fields.pop("site_id", "shop"),
        "event_id": f"e{n}",
        "source": "browser",
        "event_type": kind,
        "occurred_at": at,
        "received_at": at,
        "visitor_id": visitor,
        **fields,
    }


def viewed(n: int, visitor: str, variant: str, at: datetime) -> dict[str, Any]:
    return event(n, "experiment_viewed", visitor, at, experiment_id="x1", variation_id=variant)


def purchase(n: int, visitor: str, at: datetime, euros: float, currency: str = "EUR") -> Any:
    return event(n, "purchase", visitor, at, value_micros=int(euros * 1e6), currency=currency)


def signup(n: int, visitor: str, at: datetime) -> dict[str, Any]:
    return event(n, "lead_form_submission", visitor, at)


H = timedelta(hours=1)
EVENTS = [
    # a: control; buys twice after exposure, once in USD (not counted), once 2 days before.
    viewed(1, "a", "control", START + H),
    purchase(2, "a", START + 2 * H, 30),
    purchase(3, "a", START + 3 * H, 20),
    purchase(4, "a", START + 4 * H, 99, "USD"),
    purchase(5, "a", START - timedelta(days=2), 10),
    signup(6, "a", START + 2 * H),
    # b: new; signs up before exposure only (pre-period), buys after the stop (not counted).
    signup(7, "b", START - timedelta(days=1)),
    viewed(8, "b", "new", START + 2 * H),
    purchase(9, "b", STOP + H, 50),
    # c: new first, then control (kept in new, one multiple exposure); buys once.
    viewed(10, "c", "new", START + 3 * H),
    viewed(11, "c", "control", START + 4 * H),
    purchase(12, "c", START + 5 * H, 40),
    signup(13, "c", START + 5 * H),
    signup(14, "c", START + 6 * H),
    # d: control; nothing else (a zero in every metric); an old pre-period buy beyond 14 days.
    viewed(15, "d", "control", START + 5 * H),
    purchase(16, "d", START - timedelta(days=20), 70),
    # e: exposed before the start (not counted), and f: exposed on another site (not counted).
    viewed(17, "e", "control", START - H),
    purchase(18, "e", START + H, 5),
    viewed(19, "f", "new", START + H) | {"site_id": "blog"},
    # g: exposed after the stop (not counted).
    viewed(20, "g", "new", STOP + H),
]


@pytest.fixture
def warehouse() -> Iterator[DuckDbWarehouse]:
    store = DuckDbWarehouse(":memory:", Settings().sql_dir)
    store.apply_schema()
    store.merge_rows(
        "track_events", EVENTS, ("org_id", "site_id", "event_id"), update_existing=False
    )
    store.merge_rows(
        "conversion_goals",
        [
            {
                "org_id": "o1",
                "goal_id": "g1",
                "revision": 1,
                "name": "Signup",
                "site_id": None,
                "event_type": "lead_form_submission",
                "event_name": None,
                "value_rule": "none",
                "fixed_value_micros": None,
                "fixed_currency": None,
                "created_at": START,
                "updated_at": START,
                "deleted_at": None,
            }
        ],
        ("org_id", "goal_id"),
        update_existing=True,
    )
    yield store
    store.close()


def by_hand() -> pd.DataFrame:
    """Per visitor and metric: (variant, main, denominator, covariate), read off EVENTS."""
    visitors = {
        # visitor: variant, signup, revenue, purchases, pre signup, pre revenue
        "a": ("control", 1, 50.0, 2, 0, 10.0),
        "b": ("new", 0, 0.0, 0, 1, 0.0),
        "c": ("new", 1, 40.0, 1, 0, 0.0),
        "d": ("control", 0, 0.0, 0, 0, 0.0),
    }
    rows = []
    for variant, signed, revenue, purchases, pre_signed, pre_revenue in visitors.values():
        rows += [
            ("signup", variant, signed, None, pre_signed),
            ("revenue", variant, revenue, None, pre_revenue),
            ("aov", variant, revenue, purchases, None),
        ]
    frame = pd.DataFrame(rows, columns=["metric_id", "variant_id", "main", "den", "cov"])
    frame = frame.astype({"den": float, "cov": float})
    return frame.assign(
        main_sq=frame["main"] ** 2,
        den_sq=frame["den"] ** 2,
        main_den=frame["main"] * frame["den"],
        cov_sq=frame["cov"] ** 2,
        main_cov=frame["main"] * frame["cov"],
    )


def test_moments_match_the_hand_computed_statistics(warehouse: DuckDbWarehouse) -> None:
    rows = warehouse.run(MOMENTS_SQL, moments_params([("o1", experiment())], NOW))
    got = {(r["metric_id"], r["variant_id"]): r for r in rows}
    assert len(rows) == 9  # 3 metrics x 3 variants, the unseen one included
    expected = (
        by_hand()
        .groupby(["metric_id", "variant_id"])
        .agg(
            users=("main", "size"),
            main_sum=("main", "sum"),
            main_sum_squares=("main_sq", "sum"),
            denominator_sum=("den", "sum"),
            denominator_sum_squares=("den_sq", "sum"),
            main_denominator_sum_product=("main_den", "sum"),
            covariate_sum=("cov", "sum"),
            covariate_sum_squares=("cov_sq", "sum"),
            main_covariate_sum_product=("main_cov", "sum"),
        )
    )
    for record in expected.reset_index().to_dict("records"):
        figures = {str(name): value for name, value in record.items()}
        metric_id, variant_id = figures.pop("metric_id"), figures.pop("variant_id")
        row = got[(metric_id, variant_id)]
        ratio = metric_id == "aov"
        for column, value in figures.items():
            if column.startswith(("denominator", "main_denominator")):
                assert row[column] == (pytest.approx(value) if ratio else None), column
            elif column.startswith(("covariate", "main_covariate")):
                assert row[column] == (None if ratio else pytest.approx(value)), column
            else:
                assert row[column] == pytest.approx(value), (metric_id, variant_id, column)


def test_exposures_per_variant_and_multiple_exposures(warehouse: DuckDbWarehouse) -> None:
    rows = warehouse.run(MOMENTS_SQL, moments_params([("o1", experiment())], NOW))
    signup = {r["variant_id"]: r for r in rows if r["metric_id"] == "signup"}
    assert {v: (r["users"], r["multiple_exposures"]) for v, r in signup.items()} == {
        "control": (2, 0),
        "new": (2, 1),
        "unseen": (0, 0),
    }
    assert [signup[v]["variant_index"] for v in ("control", "new", "unseen")] == [0, 1, 2]
    assert signup["unseen"]["main_sum"] == 0


def test_no_pre_period_data_leaves_the_covariate_null(warehouse: DuckDbWarehouse) -> None:
    """Counted before the first exposure only: a later window has no pre-period events."""
    later = experiment().model_copy(update={"started_at": STOP + 2 * H, "stopped_at": None})
    rows = warehouse.run(MOMENTS_SQL, moments_params([("o1", later)], NOW + timedelta(days=30)))
    new = {r["metric_id"]: r for r in rows if r["variant_id"] == "new"}
    assert new["signup"]["users"] == 0
    assert new["revenue"]["covariate_sum"] is None
