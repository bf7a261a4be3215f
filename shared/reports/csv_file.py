"""A campaign report as one CSV: every table of the report in long form, one line per figure.

Columns: `table` (summary, daily, posts, paid_kpis, attribution_models, funnel), `row` (the
figure's row within its table, from 1), `field` (the column), `value` (empty when unknown),
`null_reason` (why it is unknown, where the report knows). A table with no rows has one line
with an empty row and field and the reason in null_reason, so an empty table is never silent.
Money fields end in _micros and are integer micros of the row's `currency` field.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from shared.reports.tables import CampaignReport

HEADER = ("table", "row", "field", "value", "null_reason")


def render_csv(report: CampaignReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for table in report.tables:
        if not table.rows:
            writer.writerow((table.name, "", "", "", f"no data: {table.empty_reason}"))
            continue
        for index, row in enumerate(table.rows):
            reasons = table.unknown[index] if table.unknown else {}
            for column in table.columns:
                value = row[column]
                why = reasons.get(column, "unknown") if value is None else ""
                writer.writerow((table.name, index + 1, column, _text(value), why))
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
