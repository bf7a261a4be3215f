"""Adding up the daily sentiment rows (bigquery_sql/queries/sentiment_daily.sql) into totals,
per source, per day and per ISO week. A share or mean over nothing is null with the reason."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from shared.sentiment.models import PeriodFigures, SentimentFigures, SourceFigures

F = TypeVar("F", bound=SentimentFigures)
_COUNTS = ("results", "scored", "failed", "positive", "negative", "neutral", "mixed")
_SUMS = ("score_sum", "toxicity_sum")


def _added(rows: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    totals = dict.fromkeys((*_COUNTS, *_SUMS, "toxicity_reported"), 0.0)
    for row in rows:
        for key in totals:
            totals[key] += float(row.get(key) or 0)
    return totals


def figures(rows: Iterable[Mapping[str, Any]], model: type[F], **extra: Any) -> F:
    t = _added(rows)
    scored, reported = int(t["scored"]), int(t["toxicity_reported"])

    def share(count: float) -> float | None:
        return count / scored if scored else None

    return model(
        results=int(t["results"]),
        scored=scored,
        failed=int(t["failed"]),
        mean_score=share(t["score_sum"]),
        positive_share=share(t["positive"]),
        negative_share=share(t["negative"]),
        neutral_share=share(t["neutral"]),
        mixed_share=share(t["mixed"]),
        mean_toxicity=t["toxicity_sum"] / reported if reported else None,
        toxicity_reported=reported,
        reason=None if scored else "no scored texts in the period",
        **extra,
    )


def by_source(rows: Sequence[Mapping[str, Any]]) -> list[SourceFigures]:
    kinds = sorted({str(r["source_type"]) for r in rows})
    return [
        figures([r for r in rows if r["source_type"] == kind], SourceFigures, source_type=kind)
        for kind in kinds
    ]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def periods(
    rows: Sequence[Mapping[str, Any]], period_of: Callable[[date], date]
) -> list[PeriodFigures]:
    """One entry per period that has rows, oldest first, each with its mean's change from the
    previous entry's."""
    starts = sorted({period_of(r["day"]) for r in rows})
    out: list[PeriodFigures] = []
    for start in starts:
        figure = figures(
            [r for r in rows if period_of(r["day"]) == start],
            PeriodFigures,
            period_start=start,
            mean_score_change=None,
        )
        previous = out[-1].mean_score if out else None
        if previous is not None and figure.mean_score is not None:
            figure.mean_score_change = figure.mean_score - previous
        out.append(figure)
    return out
