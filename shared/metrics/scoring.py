"""Scoring campaign results: CPE ratings and engagement against the tier median.

Pure functions over plain data. Money arrives in minor units (cents) with the currency's ISO 4217
exponent beside it; CPE thresholds are written in major units (0.50 = fifty cents per
engagement), so a rating compares `cost_per_engagement_minor` with `threshold * 10**exponent`,
exactly (decimals, not binary floats), which puts a CPE of exactly a threshold on the documented
side: Strong below `strong_below`, Average from `strong_below` to `underperforming_above`
inclusive, Underperforming above it.

The default thresholds, the creator tiers and the currency exponents are definitions shared with
the warehouse (shared/metrics/definitions.py); the analysts' views read the same ones from the
reference tables. Per-org, per-platform overrides (`thresholds_for`) exist only here.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from shared.errors import ValidationFailed
from shared.metrics.definitions import CPE_STRONG_BELOW, CPE_UNDERPERFORMING_ABOVE


class Rating(StrEnum):
    STRONG = "Strong"
    AVERAGE = "Average"
    UNDERPERFORMING = "Underperforming"


@dataclass(frozen=True)
class CpeThresholds:
    """Cost per engagement bounds, in major units of the allocation's currency."""

    strong_below: float = CPE_STRONG_BELOW
    underperforming_above: float = CPE_UNDERPERFORMING_ABOVE


DEFAULT_THRESHOLDS = CpeThresholds()


@dataclass(frozen=True)
class RatingResult:
    """A rating, or None with the reason it cannot be given."""

    rating: Rating | None
    reason: str | None = None


def assess_allocation(
    cost_per_engagement_minor: float | None,
    currency_minor_units: int | None,
    thresholds: CpeThresholds = DEFAULT_THRESHOLDS,
) -> RatingResult:
    """Rate a cost per engagement (minor units, as in allocation_metrics) against thresholds."""
    if cost_per_engagement_minor is None:
        return RatingResult(None, "cost per engagement unknown: no agreed fee or no engagement")
    if currency_minor_units is None:
        return RatingResult(None, "currency has no ISO 4217 minor unit")
    cpe = Decimal(cost_per_engagement_minor)
    if cpe < Decimal(str(thresholds.strong_below)).scaleb(currency_minor_units):
        return RatingResult(Rating.STRONG)
    if cpe > Decimal(str(thresholds.underperforming_above)).scaleb(currency_minor_units):
        return RatingResult(Rating.UNDERPERFORMING)
    return RatingResult(Rating.AVERAGE)


def rate_allocation(
    cost_per_engagement_minor: float | None,
    currency_minor_units: int | None,
    thresholds: CpeThresholds = DEFAULT_THRESHOLDS,
) -> Rating | None:
    """Strong, Average or Underperforming; None when unknown (`assess_allocation` says why)."""
    return assess_allocation(cost_per_engagement_minor, currency_minor_units, thresholds).rating


def thresholds_for(org_settings: Mapping[str, Any], platform: str) -> CpeThresholds:
    """The thresholds an organization uses on a platform.

    `org_settings` may hold `{"cpe_thresholds": {"default": {...}, "<platform>": {...}}}`, each
    entry with `strong_below` and/or `underperforming_above`. A field missing from the platform's
    entry comes from the org's "default" entry, then from the built-in defaults.
    """
    configured = org_settings.get("cpe_thresholds")
    if configured is None:
        configured = {}
    if not isinstance(configured, Mapping):
        raise ValidationFailed("cpe_thresholds must be an object", field="cpe_thresholds")
    thresholds = DEFAULT_THRESHOLDS
    for key in ("default", platform):
        thresholds = _override(thresholds, configured.get(key), f"cpe_thresholds.{key}")
    if thresholds.underperforming_above < thresholds.strong_below:
        raise ValidationFailed(
            "underperforming_above must not be below strong_below",
            field=f"cpe_thresholds.{platform}",
        )
    return thresholds


def _override(base: CpeThresholds, entry: object, where: str) -> CpeThresholds:
    if entry is None:
        return base
    if not isinstance(entry, Mapping):
        raise ValidationFailed(f"{where} must be an object", field=where)
    known = {field.name for field in fields(CpeThresholds)}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ValidationFailed(f"{where}: unknown setting {unknown[0]}", field=where)
    values: dict[str, float] = {}
    for name, value in entry.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValidationFailed(
                f"{where}.{name} must be a number of at least 0", field=f"{where}.{name}"
            )
        values[name] = float(value)
    return replace(base, **values)


def engagement_vs_tier_median(rate: float | None, tier_rates: Sequence[float]) -> float | None:
    """`rate` divided by the median of `tier_rates` (1.0 = at the median).

    None when the rate is unknown, the tier has no known rates, or its median is 0. The median
    is the exact one (mean of the two middle values for an even count), as the
    creator_performance view computes it with PERCENTILE_CONT.
    """
    if rate is None or not tier_rates:
        return None
    median = statistics.median(tier_rates)
    if median == 0:
        return None
    return rate / median
