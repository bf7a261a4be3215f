"""A campaign report as a PDF of charts, drawn with matplotlib (object API, Agg canvas: no
display, no global pyplot state, safe in a server). One page per table of the report: a
summary, spend and results over time, creator posts and their growth, paid KPIs, attribution by
model, the funnel. A chart with no data says "no data: <reason>" instead of an empty axis.
The metadata is fixed (no creation date), so the same report renders to the same bytes."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from shared.reports.tables import CampaignReport, Table

PAGE_SIZE = (11.69, 8.27)
"""A4 landscape, inches."""

METADATA = {"Creator": "ReachOps", "Producer": "ReachOps", "CreationDate": None}
MAX_POSTS = 8
"""The posts drawn on the growth chart (the most viewed at their latest scrape)."""


def render_pdf(report: CampaignReport) -> bytes:
    out = io.BytesIO()
    with PdfPages(
        out, metadata={**METADATA, "Title": f"ReachOps report {report.campaign_id}"}
    ) as pdf:
        for name, draw in PAGES:
            table = report.table(name)
            figure = Figure(figsize=PAGE_SIZE)
            figure.suptitle(_title(report, table), fontsize=14)
            axes = figure.add_subplot()
            if table.rows:
                draw(axes, table)
            else:
                _no_data(axes, table.empty_reason)
            pdf.savefig(figure)
    return out.getvalue()


def _title(report: CampaignReport, table: Table) -> str:
    span = f"{report.from_day.isoformat()} to {report.to_day.isoformat()}"
    return f"{table.title}: {report.campaign_name} ({span}, {report.model})"


def _no_data(axes: Axes, reason: str) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, f"no data: {reason}", ha="center", va="center", fontsize=12)


def _major(micros: Any) -> float | None:
    return None if micros is None else micros / 1_000_000


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def _text_table(axes: Axes, table: Table, columns: tuple[str, ...]) -> None:
    axes.set_axis_off()
    cells = [
        [_cell(_major(r[c]) if c.endswith("_micros") else r[c]) for c in columns]
        for r in table.rows
    ]
    labels = [c.removesuffix("_micros") for c in columns]
    drawn = axes.table(cellText=cells, colLabels=labels, loc="center")
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(9)
    notes = sorted(
        {
            f"{field}: {why}"
            for reasons in table.unknown
            for field, why in reasons.items()
            if field in columns
        }
    )
    if notes:
        axes.text(
            0, 0.1, "n/a\n" + "\n".join(notes), fontsize=8, va="top", transform=axes.transAxes
        )


def _summary(axes: Axes, table: Table) -> None:
    _text_table(axes, table, table.columns)


def _daily(axes: Axes, table: Table) -> None:
    spend: dict[str, list[tuple[str, float]]] = defaultdict(list)
    conversions: dict[str, float] = defaultdict(float)
    for row in table.rows:
        if row["currency"] is not None and row["spend_micros"] is not None:
            spend[row["currency"]].append((row["day"], row["spend_micros"] / 1_000_000))
        conversions[row["day"]] += row["conversions"] or 0.0
    days = sorted(conversions)
    results = axes.twinx()
    results.bar(days, [conversions[d] for d in days], color="#c7d7ec", label="conversions")
    results.set_ylabel("conversions (credited)")
    for currency, points in sorted(spend.items()):
        axes.plot(
            [d for d, _ in points], [v for _, v in points], marker="o", label=f"spend ({currency})"
        )
    axes.set_zorder(results.get_zorder() + 1)
    axes.patch.set_visible(False)
    axes.set_ylabel("spend (major units)")
    axes.tick_params(axis="x", rotation=45, labelsize=7)
    axes.legend(loc="upper left")


def _posts(axes: Axes, table: Table) -> None:
    series: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    for row in table.rows:
        figure = row["views"] if row["views"] is not None else row["likes"]
        if figure is not None:
            series[f"{row['platform']} {row['platform_post_id']}"].append(
                (row["scraped_at"], figure)
            )
    if not series:
        _no_data(axes, "no scrape reported views or likes")
        return
    latest = sorted(series, key=lambda post: (-series[post][-1][1], post))[:MAX_POSTS]
    for post in latest:
        axes.plot(
            [t for t, _ in series[post]], [v for _, v in series[post]], marker="o", label=post
        )
    axes.set_ylabel("views (likes where views are not reported)")
    axes.tick_params(axis="x", rotation=30, labelsize=7)
    axes.legend(fontsize=7)


def _paid(axes: Axes, table: Table) -> None:
    _text_table(
        axes,
        table,
        (
            "campaign_name",
            "currency",
            "spend_micros",
            "impressions",
            "clicks",
            "cpm",
            "cpc",
            "ctr",
            "cpa",
            "roas",
        ),
    )


def _models(axes: Axes, table: Table) -> None:
    totals: dict[str, float] = defaultdict(float)
    for row in table.rows:
        totals[row["model"]] += row["conversions"] or 0.0
    models = sorted(totals)
    axes.bar(models, [totals[m] for m in models], color="#4c72b0")
    axes.set_ylabel("conversions credited to the campaign")
    axes.tick_params(axis="x", rotation=15)


def _funnel(axes: Axes, table: Table) -> None:
    stages = [row["stage"] for row in table.rows][::-1]
    visitors = [row["visitors"] for row in table.rows][::-1]
    axes.barh(stages, visitors, color="#55a868")
    for index, row in enumerate(table.rows[::-1]):
        rate = row["rate_from_previous"]
        note = f"{row['visitors']}" + ("" if rate is None else f" ({rate:.0%} of previous)")
        axes.text(row["visitors"], index, f" {note}", va="center")
    axes.set_xlabel("distinct visitors")


PAGES: tuple[tuple[str, Callable[[Axes, Table], None]], ...] = (
    ("summary", _summary),
    ("daily", _daily),
    ("posts", _posts),
    ("paid_kpis", _paid),
    ("attribution_models", _models),
    ("funnel", _funnel),
)
