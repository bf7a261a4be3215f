"""Which paid media KPIs exist and why one is null: read from their one definition in SQL.

Each KPI (cpm, cpc, cost_per_link_click, ctr, link_ctr, cpa, roas, cpe, frequency) is a BigQuery
SQL function of bigquery_sql/functions/paid_kpis.sql, `reachops.kpi_<name>`, that every paid view
and query calls; the API replies carry the figures those queries return and never compute one
(so there is no second copy of a formula to drift). What this module adds is the explanation:
a KPI is NULL when its SAFE_DIVIDE's denominator is 0 or unknown or its numerator unknown (and,
for frequency, when no figure was reported either, the COALESCE's first argument), and `unknown`
names which, from the function's own parameters. The parameters are named as the columns they
are called with, so a row of any paid query explains itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlglot
from sqlglot import exp

from shared.config import get_settings

KPI_SQL = "functions/paid_kpis.sql"
_PREFIX = "kpi_"


@dataclass(frozen=True)
class KpiDefinition:
    """One KPI function: NULL unless numerator and denominator are known and denominator != 0,
    or unless `reported` (a figure the platform gives, preferred when present) is known."""

    name: str
    numerator: str
    denominator: str
    reported: str | None


def parse_definitions(sql: str) -> tuple[KpiDefinition, ...]:
    """The KPI functions of a functions file, in file order."""
    found: list[KpiDefinition] = []
    for statement in sqlglot.parse(sql, read="bigquery"):
        if not isinstance(statement, exp.Create) or statement.kind != "FUNCTION":
            continue
        name = statement.this.this.name
        division = statement.expression.find(exp.SafeDivide) if statement.expression else None
        if not name.startswith(_PREFIX) or division is None:
            raise ValueError(f"{name}: a KPI function is kpi_<name> and divides with SAFE_DIVIDE")
        preferred = statement.expression.find(exp.Coalesce)
        reported = preferred.this if preferred is not None else None
        found.append(
            KpiDefinition(
                name=name.removeprefix(_PREFIX),
                numerator=division.this.name,
                denominator=division.expression.name,
                reported=reported.name if isinstance(reported, exp.Column) else None,
            )
        )
    return tuple(found)


@cache
def definitions() -> tuple[KpiDefinition, ...]:
    return parse_definitions((get_settings().sql_dir / KPI_SQL).read_text(encoding="utf-8"))


def kpi_names() -> tuple[str, ...]:
    """The KPI columns every paid KPI query returns, named as in the SQL functions."""
    return tuple(d.name for d in definitions())


def kpis_of(row: Mapping[str, Any]) -> dict[str, float | None]:
    """The KPI figures a paid query computed for `row` (a missing column is a programming error)."""
    return {name: row[name] for name in kpi_names()}


def unknown_kpis(row: Mapping[str, Any]) -> dict[str, str]:
    """Why each NULL KPI of `row` is NULL, from the inputs the row carries."""
    reasons: dict[str, str] = {}
    for kpi in definitions():
        if row[kpi.name] is not None:
            continue
        why = _why(row, kpi.numerator, kpi.denominator)
        reasons[kpi.name] = f"no {kpi.reported} reported and {why}" if kpi.reported else why
    return reasons


def _why(row: Mapping[str, Any], numerator: str, denominator: str) -> str:
    if row.get(denominator) is None:
        return f"{denominator} not reported"
    if row.get(denominator) == 0:
        return f"{denominator} is 0"
    return f"{numerator} not reported"
