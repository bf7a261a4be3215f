"""Earned media value (EMV): what the reach and engagement of creator posts would have cost as
paid media, from per-platform rates the organization sets.

    EMV = views / 1000 * cpm_views + engagements * value_per_engagement

Rates are money, so they are integers of minor units with a currency code; the result is exact
arithmetic rounded once, half up, to whole minor units (a campaign's total is rounded once, not
post by post). Nothing is estimated: a post with unknown views or engagements, or on a platform
without rates, has no value and a reason. A campaign's EMV is the sum over the posts that can be
valued, and the result lists every post left out and why; it is null only when no post can be
valued (or when the posts' rates use more than one currency, which cannot be added).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from shared.errors import ValidationFailed
from shared.metrics.definitions import currency_minor_units

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_RATE_FIELDS = ("currency", "cpm_views_minor", "value_per_engagement_minor")


@dataclass(frozen=True)
class EmvRates:
    currency: str
    cpm_views_minor: int
    """Value of 1,000 views, in minor units of `currency`."""
    value_per_engagement_minor: int
    """Value of one engagement (like, comment or share), in minor units of `currency`."""


DEFAULT_EMV_RATES: Mapping[str, EmvRates | None] = MappingProxyType(
    {
        "facebook": EmvRates("USD", 793, 0),
        "instagram": EmvRates("USD", 793, 0),
        "youtube": EmvRates("USD", 620, 0),
        "tiktok": EmvRates("USD", 512, 0),
        "x": EmvRates("USD", 182, 0),
    }
)
"""Built-in rates, used until an organization sets its own (`emv_rates` in its settings).

Views CPM: the average paid-social CPM per platform from Gupta Media's Social Media CPM Tracker
(14-day trailing averages over tens of billions of ad impressions, late-2023 analysis): Meta
$7.93 (applied to Facebook and Instagram alike; the tracker puts Instagram about 23% below
Facebook), YouTube $6.20, TikTok $5.12, Twitter/X $1.82. Sources: Gupta Media, "State of Social
Media CPM Report" and tracker, https://www.guptamedia.com/social-media-ads-cost; the figures as
reported by SharpNet Solutions, https://www.sharpnetsolutions.com/social-media-ad-costs/ (2024).

Value per engagement: 0 by default. No published source gives one value per engagement per
platform that can be cited (Ayzenberg's EMV Index prices each action separately and its reachable
copies are garbled re-uploads; vendor pages give undated, rounded figures), so engagements add
nothing until the organization sets a value; the EMV is then views-only, and says so.
"""


@dataclass(frozen=True)
class PostCounts:
    platform: str
    views: int | None
    engagements: int | None
    post_id: str | None = None


@dataclass(frozen=True)
class ExcludedPost:
    """A post an EMV leaves out, and why it cannot be valued."""

    platform: str
    post_id: str | None
    reason: str


@dataclass(frozen=True)
class EmvResult:
    """An EMV in minor units of `currency`, or None with the reason it is unknown."""

    value_minor: int | None
    currency: str | None
    reason: str | None = None
    note: str | None = None
    """Set when the value counts views only (no value per engagement is set)."""
    posts_valued: int = 0
    excluded: tuple[ExcludedPost, ...] = ()
    """The posts the value leaves out (unknown counts, no rates), each with its reason."""


def emv_rates_for(org_settings: Mapping[str, Any], platform: str) -> EmvRates | None:
    """The rates an organization set for a platform, else the built-in ones (none).

    Shape: `{"emv_rates": {"default": {...}, "<platform>": {...}}}` with `currency`,
    `cpm_views_minor` and `value_per_engagement_minor`; a field missing from the platform's
    entry comes from the org's "default" entry.
    """
    configured = org_settings.get("emv_rates")
    if configured is None:
        configured = {}
    if not isinstance(configured, Mapping):
        raise ValidationFailed("emv_rates must be an object", field="emv_rates")
    merged: dict[str, Any] = {}
    for key in ("default", platform):
        entry = configured.get(key)
        if entry is None:
            continue
        if not isinstance(entry, Mapping):
            raise ValidationFailed(f"emv_rates.{key} must be an object", field=f"emv_rates.{key}")
        merged.update(entry)
    if not merged:
        return DEFAULT_EMV_RATES.get(platform)
    return _rates(merged, f"emv_rates.{platform}")


def _rates(entry: Mapping[str, Any], where: str) -> EmvRates:
    unknown = sorted(set(entry) - set(_RATE_FIELDS))
    if unknown:
        raise ValidationFailed(f"{where}: unknown setting {unknown[0]}", field=where)
    missing = [name for name in _RATE_FIELDS if name not in entry]
    if missing:
        raise ValidationFailed(f"{where}.{missing[0]} is required", field=f"{where}.{missing[0]}")
    currency = entry["currency"]
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise ValidationFailed(
            f"{where}.currency must be an ISO 4217 code", field=f"{where}.currency"
        )
    if currency_minor_units(currency) is None:
        raise ValidationFailed(
            f"{where}.currency {currency} has no ISO 4217 minor unit", field=f"{where}.currency"
        )
    for name in _RATE_FIELDS[1:]:
        value = entry[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed(
                f"{where}.{name} must be a whole number of minor units, at least 0",
                field=f"{where}.{name}",
            )
    return EmvRates(currency, entry["cpm_views_minor"], entry["value_per_engagement_minor"])


def post_emv(post: PostCounts, rates: EmvRates | None) -> EmvResult:
    """EMV of one post under the given rates."""
    value, reason = _exact_value(post, rates)
    if value is None or rates is None:
        return EmvResult(None, None, reason)
    return EmvResult(_round_half_up(value), rates.currency, note=_views_only([rates]))


def campaign_emv(posts: Iterable[PostCounts], org_settings: Mapping[str, Any]) -> EmvResult:
    """EMV of a campaign's posts, each under its platform's rates, over the posts that can be
    valued; the others are listed in `excluded`. None only when no post can be valued."""
    total = Fraction(0)
    currencies: set[str] = set()
    used: list[EmvRates] = []
    excluded: list[ExcludedPost] = []
    seen = 0
    for post in posts:
        seen += 1
        rates = emv_rates_for(org_settings, post.platform)
        value, reason = _exact_value(post, rates)
        if value is None or rates is None:
            excluded.append(ExcludedPost(post.platform, post.post_id, reason or "unknown"))
            continue
        total += value
        currencies.add(rates.currency)
        used.append(rates)
    left_out = tuple(excluded)
    if seen == 0:
        return EmvResult(None, None, "no campaign posts")
    if not used:
        return EmvResult(None, None, "no campaign post can be valued", excluded=left_out)
    if len(currencies) > 1:
        return EmvResult(
            None,
            None,
            f"EMV rates use more than one currency: {', '.join(sorted(currencies))}",
            excluded=left_out,
        )
    return EmvResult(
        _round_half_up(total),
        currencies.pop(),
        note=_views_only(used),
        posts_valued=len(used),
        excluded=left_out,
    )


def _exact_value(post: PostCounts, rates: EmvRates | None) -> tuple[Fraction | None, str | None]:
    which = f"{post.platform} post {post.post_id}" if post.post_id else f"a {post.platform} post"
    if rates is None:
        return None, f"no EMV rates set for {post.platform}"
    if post.views is None:
        return None, f"views not reported for {which}"
    if post.engagements is None and rates.value_per_engagement_minor:
        return None, f"engagements not reported for {which}"
    value = Fraction(post.views * rates.cpm_views_minor, 1000)
    return value + (post.engagements or 0) * rates.value_per_engagement_minor, None


def _views_only(rates: Iterable[EmvRates]) -> str | None:
    if any(r.value_per_engagement_minor == 0 for r in rates):
        return "views only: no value per engagement is set (see DEFAULT_EMV_RATES)"
    return None


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))
