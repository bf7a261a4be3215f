"""Breakdowns: an ad's day split into segments (age, gender, country, placement, device) by
shares fixed per ad, so segments add up exactly to the unbroken row for every additive metric
(spend, impressions, clicks, actions, and reach, each segment's people being its own), and
Meta's rule on which breakdowns combine (any other combination is refused with its error)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from itertools import product
from typing import Any

from shared.localstack.graph.wire import invalid

VALUES: dict[str, tuple[str, ...]] = {
    "age": ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "gender": ("female", "male", "unknown"),
    "device_platform": ("mobile_app", "mobile_web", "desktop"),
    "impression_device": (
        "iphone", "android_smartphone", "ipad", "android_tablet", "desktop", "other",
    ),
    "publisher_platform": ("facebook", "instagram", "audience_network", "messenger"),
}  # fmt: skip
POSITIONS = {
    "facebook": ("feed", "facebook_reels", "facebook_stories", "marketplace"),
    "instagram": ("feed", "instagram_stories", "instagram_reels", "instagram_explore"),
    "audience_network": ("classic",),
    "messenger": ("messenger_inbox",),
}
# The permutations Meta lists under "Combining Breakdowns" that the stand-in renders
# (https://developers.facebook.com/docs/marketing-api/insights/breakdowns#combiningbreakdowns),
# as sets. platform_position only beside publisher_platform: Meta answers it alone with a (#100)
# (https://github.com/pipeboard-co/meta-ads-mcp/releases/tag/1.0.117). impression_device alone
# or beside publisher_platform: Meta's 2026 out-of-cycle changes name "breakdowns=
# impression_device (including any combination that contains impression_device)"
# (https://developers.facebook.com/documentation/ads-commerce/marketing-api/out-of-cycle-changes/occ-2026).
# device_platform is a documented breakdown that the table does not list; Meta answers it on
# its own, and nothing combined with it is taken here.
COMBINATIONS = frozenset(
    frozenset(c)
    for c in (
        ("age",), ("gender",), ("age", "gender"), ("country",), ("impression_device",),
        ("publisher_platform",), ("publisher_platform", "impression_device"),
        ("publisher_platform", "platform_position"),
        ("publisher_platform", "platform_position", "impression_device"),
        ("device_platform",),
    )
)  # fmt: skip
KNOWN = frozenset({*VALUES, "country", "platform_position"})
# Since 2025-06-10 a synchronous query with breakdowns whose start is more than 13 months back
# comes without reach: "Responses to such requests will omit reach and related fields, such as
# frequency and cpp" (Insights best practices,
# https://developers.facebook.com/docs/marketing-api/insights/best-practices). Async reports
# still carry it (Meta allows 10 such a day per account; the stand-in does not count them).
REACH_FIELDS = ("reach", "frequency")
REACH_BREAKDOWN_MONTHS = 13


def reach_withheld(breakdowns: Sequence[str], since: date, today: date) -> bool:
    """Whether a synchronous query's rows leave out REACH_FIELDS."""
    months = (today.year - since.year) * 12 + today.month - since.month
    older = months > REACH_BREAKDOWN_MONTHS or (
        months == REACH_BREAKDOWN_MONTHS and since.day < today.day
    )
    return bool(breakdowns) and older


def check_breakdowns(breakdowns: Sequence[str]) -> None:
    """Refuse as Meta does: an unknown name with code 100's "breakdowns[i] must be one of the
    following values: ..." (its wording, quoted in
    https://github.com/facebook/facebook-nodejs-business-sdk/issues/15), an unlisted
    combination with code 100's "Current combination of data breakdown columns (...) is
    invalid" (the wording integrations report; Meta's docs do not print it)."""
    if not breakdowns:
        return
    unknown = [b for b in breakdowns if b not in KNOWN]
    if unknown:
        raise invalid(
            f"breakdowns[{list(breakdowns).index(unknown[0])}] must be one of the following "
            f"values: {', '.join(sorted(KNOWN))} (those the local stand-in renders)"
        )
    if frozenset(breakdowns) not in COMBINATIONS:
        raise invalid(
            f"Current combination of data breakdown columns ({', '.join(breakdowns)}) is invalid"
        )


def _share(*key: object) -> float:
    digest = hashlib.sha256("|".join(map(str, key)).encode()).digest()
    return 0.2 + int.from_bytes(digest[:8], "big") / 2**64


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split by `weights` into integers that add up to it (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def segments(
    breakdowns: Sequence[str], ad_id: str, countries: Mapping[str, float]
) -> list[tuple[dict[str, str], float]]:
    """Every segment of the breakdowns with its share of the ad's delivery (shares sum to 1)."""
    dimensions: list[list[tuple[dict[str, str], float]]] = []
    for name in breakdowns:
        if name == "platform_position":
            continue
        if name == "publisher_platform" and "platform_position" in breakdowns:
            options = [
                ({"publisher_platform": p, "platform_position": pos}, _share(ad_id, p, pos))
                for p in VALUES["publisher_platform"]
                for pos in POSITIONS[p]
            ]
        elif name == "country":
            options = [({"country": c}, w) for c, w in countries.items()]
        else:
            options = [({name: v}, _share(ad_id, name, v)) for v in VALUES[name]]
        whole = sum(w for _, w in options)
        dimensions.append([(seg, w / whole) for seg, w in options])
    out = []
    for combo in product(*dimensions):
        merged: dict[str, str] = {}
        share = 1.0
        for seg, w in combo:
            merged.update(seg)
            share *= w
        out.append(({k: merged[k] for k in breakdowns}, share))
    return out


def split_counts(value: Any, weights: Sequence[float]) -> list[Any]:
    """An additive value (an int, a tuple of ints, a {window: n} or {event: {window: n}} map)
    split by `weights`, each part's pieces adding up to the whole."""
    if value is None:
        return [None] * len(weights)
    if isinstance(value, int):
        return apportion(value, weights)
    if isinstance(value, tuple):
        columns = [apportion(v, weights) for v in value]
        return [tuple(col[i] for col in columns) for i in range(len(weights))]
    parts: list[dict[str, Any]] = [{} for _ in weights]
    for key, inner in value.items():
        for part, piece in zip(parts, split_counts(inner, weights), strict=True):
            part[key] = piece
    return parts
