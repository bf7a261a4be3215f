"""RFM scores and segment names, in SQL.

Per person, over purchases in one currency within a lookback window up to `as_of`:
recency (the last purchase), frequency (purchases) and monetary (value in micros), each scored
1..5 as NTILE(5) over every scored person would (5 = most recent / most / largest), with ties
deterministic and fair: every person sharing a value takes the lowest tile that value reaches
in the ordering (computed from its RANK, so no tie-break column is needed), and two people with
the same purchases always have the same F score (with many one-time buyers, low tiles are
large and some stay empty).

The name of each (R, F) cell comes from rfm_segments.yaml, the one table: the SQL's CASE is
built from it here and `rfm_segment_name` reads the same rows for Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import cast

import sqlglot
import yaml
from sqlglot import exp

from shared.segments.compiler import Compiled

SCORES = range(1, 6)
_TILE = (
    "CASE WHEN {rank} <= MOD(n, 5) * (DIV(n, 5) + 1) THEN DIV(({rank} - 1), (DIV(n, 5) + 1)) + 1"
    " ELSE MOD(n, 5) + DIV(({rank} - 1 - MOD(n, 5) * (DIV(n, 5) + 1)), GREATEST(DIV(n, 5), 1))"
    " + 1 END"
)
"""NTILE(5)'s tile of the row at position `rank` of n (the first n mod 5 tiles hold one row
more): at the RANK of a value, it is the lowest tile any row of that value has. DIV's compound
arguments are parenthesised: sqlglot writes DuckDB's `//` without adding them."""
_SCORED = f"""
WITH purchases AS (
  SELECT person_id, MAX(occurred_at) AS last_purchase_at, COUNT(*) AS purchases,
    SUM(COALESCE(value_micros, 0)) AS monetary_micros
  FROM reachops.journey_events
  WHERE org_id = @org_id AND person_id IS NOT NULL AND event = 'purchase'
    AND currency = @currency AND occurred_at > @since AND occurred_at <= @as_of
  GROUP BY person_id
), ranked AS (
  SELECT *, COUNT(*) OVER () AS n,
    RANK() OVER (ORDER BY last_purchase_at) AS r_rank,
    RANK() OVER (ORDER BY purchases) AS f_rank,
    RANK() OVER (ORDER BY monetary_micros) AS m_rank
  FROM purchases
)
SELECT person_id, last_purchase_at, purchases, monetary_micros,
  {_TILE.format(rank="r_rank")} AS rfm_recency,
  {_TILE.format(rank="f_rank")} AS rfm_frequency,
  {_TILE.format(rank="m_rank")} AS rfm_monetary
FROM ranked
"""  # noqa: S608 - fixed text: the table and columns are constants, values are @params


@dataclass(frozen=True)
class Cell:
    name: str
    recency: tuple[int, int]
    frequency: tuple[int, int]


@cache
def rfm_cells() -> tuple[Cell, ...]:
    """The grid, checked: every (R, F) pair of 1..5 has exactly one name."""
    text = resources.files("shared.segments").joinpath("rfm_segments.yaml").read_text("utf-8")
    cells = tuple(
        Cell(row["name"], tuple(row["recency"]), tuple(row["frequency"]))
        for row in yaml.safe_load(text)["segments"]
    )
    for r in SCORES:
        for f in SCORES:
            named = [c.name for c in cells if _holds(c, r, f)]
            if len(named) != 1:
                raise ValueError(f"rfm_segments.yaml: R{r} F{f} has {len(named)} names")
    return cells


def rfm_names() -> tuple[str, ...]:
    return tuple(dict.fromkeys(cell.name for cell in rfm_cells()))


def _holds(cell: Cell, r: int, f: int) -> bool:
    return cell.recency[0] <= r <= cell.recency[1] and cell.frequency[0] <= f <= cell.frequency[1]


def rfm_segment_name(recency: int, frequency: int) -> str:
    return next(cell.name for cell in rfm_cells() if _holds(cell, recency, frequency))


def _name_case() -> exp.Case:
    case = exp.Case()
    for cell in rfm_cells():
        condition = exp.and_(
            exp.column("rfm_recency").between(
                exp.Literal.number(cell.recency[0]), exp.Literal.number(cell.recency[1])
            ),
            exp.column("rfm_frequency").between(
                exp.Literal.number(cell.frequency[0]), exp.Literal.number(cell.frequency[1])
            ),
        )
        case = case.when(condition, exp.Literal.string(cell.name))
    return case


def compile_rfm(
    org_id: str, currency: str, since: datetime, as_of: datetime, only: str | None = None
) -> Compiled:
    """Rows: person_id, last_purchase_at, purchases, monetary_micros, rfm_recency,
    rfm_frequency, rfm_monetary, rfm_segment; only the named segment's persons when `only`."""
    scored = cast(exp.Select, sqlglot.parse_one(_SCORED, read="bigquery"))
    named = exp.select("*").from_(
        scored.select(exp.alias_(_name_case(), "rfm_segment")).subquery("named")
    )
    params: dict[str, object] = {
        "org_id": org_id,
        "currency": currency,
        "since": since,
        "as_of": as_of,
    }
    if only is not None:
        named = named.where(exp.column("rfm_segment").eq(exp.Parameter(this=exp.var("only"))))
        params["only"] = only
    return Compiled(named.sql("bigquery"), params)
