"""Earned media value (EMV): what the reach and engagement of creator posts would have cost as
paid media, from per-platform rates the organization sets.

    EMV = views / 1000 * cpm_views + engagements * value_per_engagement

Rates are money, so they are integers of minor units with a currency code; the result is exact
arithmetic rounded once, half up, to whole minor units (a campaign's total is rounded once, not
post by post). Nothing is estimated: unknown views or engagements, or a platform without rates,
give no value and a reason.
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
from shared.metrics.scoring import currency_minor_units

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
    {"instagram": None, "tiktok": None, "youtube": None, "facebook": None}
)
"""Built-in rates: none. An organization sets its own (`emv_rates` in its settings).

No published source was found that gives, per platform, one CPM for views and one value per
engagement in the shape of the formula above, with a publisher and a year that can be cited:

- Ayzenberg Group's Earned Media Value Index (reports of 2016 and 2017, later the "Social
  Index") values each action separately (view, like, comment, share, click) and is updated
  continuously; the copies reachable here are third-party re-uploads of the PDF
  (e.g. https://pdfslide.net/documents/ayzenbergas-earned-media-value-index4633-audience-while-the-connection-through.html)
  whose text does not reliably tie each figure to its platform.
- Help-centre pages that quote the Ayzenberg index per like and per comment (Skeepers/Octoly,
  https://skeepers-octoly.zendesk.com/hc/en-us/articles/6279533852956) are undated, give the
  same figures in dollars on one copy and in euros on another, and have no single value per
  engagement; blending likes and comments into one would be our invention.
- Vendor pages (Duel, https://info.duel.tech/help/earned-media-value-emv, an Instagram CPM
  only; Fair Influence's calculator, https://fair-influence.com/tools/earned-media-value-calculator,
  rounded "~" figures with no date or method) are not benchmark reports.

So a platform without org rates gets no EMV, with the reason "no EMV rates set for <platform>".
"""


@dataclass(frozen=True)
class PostCounts:
    platform: str
    views: int | None
    engagements: int | None
    post_id: str | None = None


@dataclass(frozen=True)
class EmvResult:
    """An EMV in minor units of `currency`, or None with the reason it is unknown."""

    value_minor: int | None
    currency: str | None
    reason: str | None = None


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
    return EmvResult(_round_half_up(value), rates.currency)


def campaign_emv(posts: Iterable[PostCounts], org_settings: Mapping[str, Any]) -> EmvResult:
    """EMV of a campaign's posts, each under its platform's rates; unknown if any post is."""
    total = Fraction(0)
    currencies: set[str] = set()
    counted = 0
    for post in posts:
        rates = emv_rates_for(org_settings, post.platform)
        value, reason = _exact_value(post, rates)
        if value is None or rates is None:
            return EmvResult(None, None, reason)
        total += value
        currencies.add(rates.currency)
        counted += 1
    if counted == 0:
        return EmvResult(None, None, "no campaign posts")
    if len(currencies) > 1:
        return EmvResult(
            None, None, f"EMV rates use more than one currency: {', '.join(sorted(currencies))}"
        )
    return EmvResult(_round_half_up(total), currencies.pop())


def _exact_value(post: PostCounts, rates: EmvRates | None) -> tuple[Fraction | None, str | None]:
    which = f"{post.platform} post {post.post_id}" if post.post_id else f"a {post.platform} post"
    if rates is None:
        return None, f"no EMV rates set for {post.platform}"
    if post.views is None:
        return None, f"views not reported for {which}"
    if post.engagements is None:
        return None, f"engagements not reported for {which}"
    value = Fraction(post.views * rates.cpm_views_minor, 1000)
    return value + post.engagements * rates.value_per_engagement_minor, None


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))
