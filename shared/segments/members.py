"""Writing a calculation's members into reachops.segment_members, in the warehouse.

One script per calculation (a batch of rule segments, or one RFM segment): insert the members
the compiled SELECT finds, stamped with the calculation's `computed_at` (a replay of the same
calculation inserts nothing twice), delete the segments' rows of older calculations, and
answer the member count of each segment. Members never pass through Python, so a segment of a
million people costs one statement, not a million rows over the wire.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlglot
from sqlglot import exp

from shared.segments.compiler import Compiled

MEMBERS_TABLE = "reachops.segment_members"
RFM_COLUMNS = (
    "rfm_last_purchase_at",
    "rfm_purchases",
    "rfm_monetary_micros",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_segment",
)
_RFM_SOURCE = (
    "last_purchase_at",
    "purchases",
    "monetary_micros",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_segment",
)
COLUMNS = ("org_id", "segment_id", "person_id", "computed_at", "rfm_currency", *RFM_COLUMNS)


def _param(name: str) -> exp.Parameter:
    return exp.Parameter(this=exp.var(name))


def write_script(
    org_id: str,
    segment_ids: Sequence[str],
    source: Compiled,
    computed_at: datetime,
    *,
    rfm_currency: str | None = None,
) -> Compiled:
    """Rows `(segment_id, members)`. `source` yields (segment_id, person_id) rows for a rule
    batch; for an RFM segment (`rfm_currency` given, one segment id) compile_rfm's rows."""
    params = {**source.params, "org_id": org_id, "computed_at": computed_at}
    keys = []
    for i, segment_id in enumerate(segment_ids):
        params[f"k{i}"] = segment_id
        keys.append(_param(f"k{i}"))
    selected = sqlglot.parse_one(source.sql, read="bigquery")
    rfm = rfm_currency is not None
    if rfm:
        params["rfm_currency"] = rfm_currency
    values: list[exp.Expr] = [
        _param("org_id"),
        keys[0].copy() if rfm else exp.column("segment_id", "m"),
        exp.column("person_id", "m"),
        _param("computed_at"),
        _param("rfm_currency") if rfm else exp.null(),
        *(exp.column(c, "m") if rfm else exp.null() for c in _RFM_SOURCE),
    ]
    segment_of_row = keys[0].copy() if rfm else exp.column("segment_id", "m")
    already = (
        exp.select("1")
        .from_(exp.alias_(exp.to_table(MEMBERS_TABLE), "t", table=True))
        .where(exp.column("org_id", "t").eq(_param("org_id")))
        .where(exp.column("segment_id", "t").eq(segment_of_row))
        .where(exp.column("person_id", "t").eq(exp.column("person_id", "m")))
        .where(exp.column("computed_at", "t").eq(_param("computed_at")))
    )
    rows = (
        exp.select(*values)
        .from_(exp.paren(selected).as_("m"))
        .where(exp.Exists(this=already).not_())
    )
    insert = exp.insert(rows, MEMBERS_TABLE, columns=list(COLUMNS))
    ours = exp.or_(*(exp.column("segment_id").eq(key.copy()) for key in keys))
    org = exp.column("org_id").eq(_param("org_id"))
    delete = exp.delete(
        MEMBERS_TABLE,
        where=exp.and_(
            org,
            exp.paren(ours),
            exp.LT(this=exp.column("computed_at"), expression=_param("computed_at")),
        ),
    )
    counts = (
        exp.select("segment_id", exp.alias_(exp.Count(this=exp.Star()), "members"))
        .from_(MEMBERS_TABLE)
        .where(org.copy())
        .where(exp.paren(ours.copy()))
        .where(exp.column("computed_at").eq(_param("computed_at")))
        .group_by("segment_id")
    )
    sql = ";\n".join(statement.sql("bigquery") for statement in (insert, delete, counts))
    return Compiled(sql, params)
