"""The rows an insights query answers: the ads it covers (by `filtering`, or by Meta's
default of leaving out archived and deleted objects at their own level), rendered per ad and
day, split by breakdowns, grouped at the query's level and bucketed by time_increment, oldest
first, then by object id and segment."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from shared.localstack.graph.breakdowns import segments, split_counts
from shared.localstack.graph.catalog import HIDDEN_STATUSES, Catalog
from shared.localstack.graph.query import Filter, InsightsQuery
from shared.localstack.graph.rendering import (
    DAYS_OF_DATA,
    DAYS_OVERLAP,
    Metrics,
    Timeline,
    ad_day,
    combine,
    render_row,
)


def covered_ads(catalog: Catalog, object_id: str, query: InsightsQuery) -> list[dict[str, Any]]:
    """The ads whose delivery the query counts. With a `filtering` on statuses or ids, those
    it keeps. Without one, Meta leaves out objects at the query's level that are archived or
    deleted (`/act_X/insights?level=ad` has no deleted ads), unless they are the node asked
    (`/{deleted_ad}/insights` answers) or under an archived or deleted node; account rows and
    rows of live parents keep their archived and deleted children's delivery."""
    ads = catalog.under(object_id, "ad")
    if query.filters:
        return [ad for ad in ads if all(_kept(catalog, ad, f) for f in query.filters)]
    if query.level == "account":
        return ads
    node = catalog.node(object_id) or {}
    if node.get("effective_status") in HIDDEN_STATUSES:
        return ads
    return [
        ad
        for ad in ads
        if catalog.ancestor(ad, query.level)["effective_status"] not in HIDDEN_STATUSES
    ]


def _kept(catalog: Catalog, ad: Mapping[str, Any], rule: Filter) -> bool:
    owner = catalog.ancestor(ad, rule.level)
    value = owner["effective_status"] if rule.attribute == "effective_status" else owner["id"]
    return bool(rule.keeps(str(value)))


def cells(catalog: Catalog, object_id: str, query: InsightsQuery) -> int:
    """How much a query asks for, as Meta weighs it: objects at its level times days."""
    ads = covered_ads(catalog, object_id, query)
    objects = {ad["id"] if query.level == "ad" else ad[f"{query.level}_id"] for ad in ads}
    return len(objects) * ((query.until - query.since).days + 1)


def insight_rows(
    catalog: Catalog, object_id: str, query: InsightsQuery, timeline: Timeline
) -> list[dict[str, Any]]:
    """The rows Graph answers for `query` on `object_id`."""
    ads = covered_ads(catalog, object_id, query)
    first = max(query.since, timeline.started - timedelta(days=DAYS_OF_DATA))
    last = min(query.until, timeline.today - timedelta(days=1))
    rows = []
    for start, stop in buckets(query.since, query.until, query.increment):
        days = [
            start + timedelta(days=n)
            for n in range((stop - start).days + 1)
            if first <= start + timedelta(days=n) <= last
        ]
        groups: dict[tuple[str, tuple[str, ...]], list[Metrics]] = {}
        shown: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
        for ad in ads:
            key = ad["id"] if query.level == "ad" else ad[f"{query.level}_id"]
            daily = [m for m in (ad_day(ad, day, timeline) for day in days) if m is not None]
            if not daily:
                continue
            over_days = combine(daily, DAYS_OVERLAP)  # one ad's people over the bucket
            for segment, part in _split(catalog, ad, query, over_days):
                group = (key, tuple(segment.values()))
                groups.setdefault(group, []).append(part)
                shown[group] = segment
        for group in sorted(groups):
            total = combine(groups[group])
            rows.append(
                render_row(catalog, group[0], query, (start, stop), total, segment=shown[group])
            )
    return rows


def _split(
    catalog: Catalog, ad: Mapping[str, Any], query: InsightsQuery, metrics: Metrics
) -> list[tuple[dict[str, str], Metrics]]:
    if not query.breakdowns:
        return [({}, metrics)]
    countries = catalog.accounts[ad["account_id"]]["seed"]["countries"]
    parts = segments(query.breakdowns, ad["id"], countries)
    weights = [share for _, share in parts]
    columns = {
        name: split_counts(getattr(metrics, name), weights)
        for name in (
            "spend_cents", "impressions", "reach", "clicks", "inline_link_clicks",
            "actions", "action_values", "video",
        )
    }  # fmt: skip
    pieces = [Metrics(**{name: col[i] for name, col in columns.items()}) for i in range(len(parts))]
    return [(seg, p) for (seg, _), p in zip(parts, pieces, strict=True) if _delivered(p)]


def _delivered(metrics: Metrics) -> bool:
    """Whether a segment has anything to show (Meta answers no row for an empty one)."""
    counts = (n for windows in metrics.actions.values() for n in windows.values())
    return bool(metrics.impressions or metrics.spend_cents or any(counts))


def buckets(since: date, until: date, increment: int | None) -> Iterator[tuple[date, date]]:
    if increment is None:
        yield since, until
        return
    start = since
    while start <= until:
        stop = min(until, start + timedelta(days=increment - 1))
        yield start, stop
        start = stop + timedelta(days=1)
