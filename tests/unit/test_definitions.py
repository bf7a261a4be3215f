"""One definition per fact: tiers, currency exponents, CPE thresholds and KPI formulas.

The SQL must not carry its own copy of any of them (a copy is how the tested definition and the
one production uses drift apart), the reference tables the warehouse joins must hold exactly the
definitions Python reads, and the formulas rendered into SQL must give, on DuckDB, what the
Python functions give on the same generated data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice, pairwise
from pathlib import Path
from statistics import fmean
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.duckdb_warehouse import DuckDbWarehouse, to_duckdb
from shared.adapters.sql_files import render_formulas
from shared.config import get_settings
from shared.metrics.definitions import (
    CREATOR_TIERS,
    ENGAGEMENT_RATE_WINDOW,
    minor_units_table,
    reference_tables,
    tier_for,
)
from shared.metrics.formulas import (
    SQL_FORMULAS,
    cost_per_engagement_minor,
    cpm_minor,
    engagements,
    post_engagement_rate,
)
from shared.metrics.scoring import DEFAULT_THRESHOLDS
from shared.scraping.engagement import engagement_rate

ROOT = Path(__file__).resolve().parents[2]
SQL_FILES = sorted((ROOT / "bigquery_sql").rglob("*.sql"))
SQL_DIR = get_settings().sql_dir
TIER_NAMES = {bounds.tier.value for bounds in CREATOR_TIERS}
counts = st.none() | st.integers(min_value=0, max_value=10**9)


def sql_code(path: Path) -> str:
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


# --- No copies in SQL ------------------------------------------------------------------------


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda path: path.name)
def test_no_sql_file_spells_a_tier_currency_threshold_or_formula(path: Path) -> None:
    code = sql_code(path)
    literals = set(re.findall(r"'([^']*)'", code))
    assert not literals & TIER_NAMES, "tier names come from reachops.ref_creator_tiers"
    assert not literals & set(minor_units_table()), "exponents: reachops.ref_currency_minor_units"
    assert not re.search(r"followers\s*[<>]=?\s*\d", code), "tier bounds: ref_creator_tiers"
    assert not re.search(r"cost_per_engagement_minor\s*[<>]=?\s*\d", code), "thresholds: ref table"
    if path.parent.name == "rollups":
        assert "SAFE_DIVIDE" not in code, "rollups use the {{ formula(...) }} of formulas.py"
        assert not re.search(r"likes\s*\+", code), (
            "rollups use the {{ formula(...) }} of formulas.py"
        )


@pytest.mark.parametrize(
    "path", [p for p in SQL_FILES if p.parent.name in ("schema", "views")], ids=lambda p: p.name
)
def test_files_terraform_deploys_as_they_are_call_no_formula(path: Path) -> None:
    assert "{{" not in path.read_text(encoding="utf-8")


def test_terraform_seeds_every_reference_table_from_the_same_yaml() -> None:
    terraform = (ROOT / "terraform" / "bigquery.tf").read_text(encoding="utf-8")
    assert 'file("${path.module}/../shared/metrics/definitions.yaml")' in terraform
    assert 'file("${path.module}/../shared/metrics/iso4217_minor_units.yaml")' in terraform
    for table in reference_tables():
        assert re.search(rf"^\s*{table.name}\s*=\s*\{{", terraform, re.MULTILINE), table.name
        assert (ROOT / "bigquery_sql" / "schema" / f"{table.name}.sql").exists()


def test_default_thresholds_are_the_defined_ones() -> None:
    (row,) = next(t for t in reference_tables() if t.name == "ref_cpe_thresholds").rows
    assert (DEFAULT_THRESHOLDS.strong_below, DEFAULT_THRESHOLDS.underperforming_above) == (
        row["strong_below"],
        row["underperforming_above"],
    )


def test_tiers_follow_each_other_without_gaps() -> None:
    for smaller, larger in pairwise(CREATOR_TIERS):
        assert smaller.max_followers == larger.min_followers
    assert CREATOR_TIERS[-1].max_followers is None


# --- The warehouse reads the same definitions --------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDbWarehouse]:
    made = DuckDbWarehouse(tmp_path_factory.mktemp("definitions") / "w.duckdb", SQL_DIR)
    made.apply_schema()
    yield made
    made.close()


def table_rows(warehouse: DuckDbWarehouse, name: str) -> list[dict[str, Any]]:
    cursor = warehouse._connection.execute(f"SELECT * FROM reachops.{name}")  # noqa: S608
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_reference_tables_hold_exactly_the_definitions(warehouse: DuckDbWarehouse) -> None:
    for table in reference_tables():
        key = next(iter(table.rows[0]))
        found = sorted(table_rows(warehouse, table.name), key=lambda row: row[key])
        assert found == sorted((dict(row) for row in table.rows), key=lambda row: row[key])
    warehouse.apply_schema()  # seeding again replaces the rows, never duplicates them
    assert len(table_rows(warehouse, "ref_creator_tiers")) == len(CREATOR_TIERS)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.none() | st.integers(min_value=0, max_value=10**10), max_size=30))
def test_creator_view_tiers_are_pythons_tiers(
    warehouse: DuckDbWarehouse, followers: list[int | None]
) -> None:
    connection = warehouse._connection
    connection.execute("DELETE FROM reachops.profile_snapshots")
    for index, count in enumerate(followers):
        connection.execute(
            "INSERT INTO reachops.profile_snapshots (org_id, creator_id, platform, username,"
            " followers, scraped_at, run_id, actor_id) VALUES ('o', ?, 'instagram', 'u', ?, ?,"
            " 'r', 'a')",
            [f"c{index}", count, datetime(2026, 1, 1, tzinfo=UTC)],
        )
    found = connection.execute(
        "SELECT creator_id, followers, tier FROM reachops.creator_performance"
    ).fetchall()
    assert len(found) == len(followers)
    for _, count, tier in found:
        assert tier == tier_for(count), count


# --- The formulas: SQL and Python agree ---------------------------------------------------------


def evaluate(formula: str, columns: tuple[str, ...], values: list[tuple[Any, ...]]) -> list[Any]:
    """Run `{{ formula(columns) }}` over the rows on DuckDB, as the rollups do."""
    call = f"{{{{ {formula}({', '.join(columns)}) }}}}"
    bigquery = f"SELECT i, {call} AS v FROM t ORDER BY i"  # noqa: S608 - test-built text
    (statement,) = to_duckdb(render_formulas(bigquery))
    connection = duckdb.connect()
    typed = ", ".join(f"{name} BIGINT" for name in columns)
    connection.execute(f"CREATE TABLE t (i INTEGER, {typed})")
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    insert = f"INSERT INTO t VALUES ({marks})"  # noqa: S608 - placeholders only
    connection.executemany(insert, [(i, *v) for i, v in enumerate(values)])
    return [value for _, value in connection.execute(statement).fetchall()]


def close(sql: Any, python: Any) -> bool:
    if sql is None or python is None:
        return sql is None and python is None
    return bool(sql == pytest.approx(python, rel=1e-12))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(counts, counts, counts), min_size=1, max_size=40))
def test_engagements_and_engagement_rate_in_sql_are_the_python_ones(
    rows: list[tuple[int | None, int | None, int | None]],
) -> None:
    sql = evaluate("engagements", ("likes", "comments", "shares"), rows)
    assert sql == [engagements(*row) for row in rows]
    rates = evaluate("engagement_rate", ("likes", "comments", "followers"), rows)
    for row, rate in zip(rows, rates, strict=True):
        assert close(rate, post_engagement_rate(*row)), row


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(counts, counts), min_size=1, max_size=40))
def test_cost_per_engagement_and_cpm_in_sql_are_the_python_ones(
    rows: list[tuple[int | None, int | None]],
) -> None:
    cpe = evaluate("cost_per_engagement_minor", ("spend_minor", "engagements"), rows)
    cpm = evaluate("cpm_minor", ("spend_minor", "views"), rows)
    for row, sql_cpe, sql_cpm in zip(rows, cpe, cpm, strict=True):
        assert close(sql_cpe, cost_per_engagement_minor(*row)), row
        assert close(sql_cpm, cpm_minor(*row)), row


@given(st.none() | st.integers(0, 10**8), st.lists(st.tuples(counts, counts), max_size=30))
def test_a_creators_rate_is_the_mean_of_its_recent_post_rates(
    followers: int | None, posts: list[tuple[int | None, int | None]]
) -> None:
    rates = (post_engagement_rate(likes, comments, followers) for likes, comments in posts)
    window = list(islice((rate for rate in rates if rate is not None), ENGAGEMENT_RATE_WINDOW))
    expected = fmean(window) if window else None
    assert close(engagement_rate(followers, posts), expected)


def test_every_formula_is_rendered_with_its_parameters() -> None:
    for name, formula in SQL_FORMULAS.items():
        rendered = render_formulas(f"SELECT {{{{ {name}({', '.join(formula.params)}) }}}}")
        assert "{" not in rendered
        assert to_duckdb(rendered)
    with pytest.raises(ValueError, match="takes 3 arguments"):
        render_formulas("SELECT {{ engagements(likes) }}")
    with pytest.raises(ValueError, match="unknown SQL formula"):
        render_formulas("SELECT {{ reach_rate(reach) }}")
