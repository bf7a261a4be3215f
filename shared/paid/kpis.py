"""Paid media KPIs for API replies.

The formulas are the ones of bigquery_sql/views/paid_kpis_daily.sql (the integration test runs
both on the same rows). They take money in micros (exact integers) and give cost KPIs in MAJOR
units of the currency as floats (a KPI is a ratio to read, never money to add up). A KPI is None
when its denominator is 0 or unknown or its numerator is unknown; `kpis_for` says why for each
one. Turning Meta's rows into ours is the Meta adapter's job (shared/adapters/meta_insights.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.paid import MICROS_PER_UNIT

Number = int | float


def _ratio(numerator: Number | None, denominator: Number | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _scaled(value: float | None, divisor: int) -> float | None:
    return None if value is None else value / divisor


def cpm(spend_micros: int | None, impressions: int | None) -> float | None:
    """Cost per 1,000 impressions, major units."""
    return _scaled(_ratio(spend_micros, impressions), 1000)


def cpc(spend_micros: int | None, clicks: int | None) -> float | None:
    """Cost per click (all clicks), major units."""
    return _scaled(_ratio(spend_micros, clicks), MICROS_PER_UNIT)


def cost_per_link_click(spend_micros: int | None, link_clicks: int | None) -> float | None:
    return _scaled(_ratio(spend_micros, link_clicks), MICROS_PER_UNIT)


def ctr(clicks: int | None, impressions: int | None) -> float | None:
    """Click-through rate as a fraction (0.01 = 1 %)."""
    return _ratio(clicks, impressions)


def cpa(spend_micros: int | None, conversions: float | None) -> float | None:
    """Cost per conversion (acquisition), major units."""
    return _scaled(_ratio(spend_micros, conversions), MICROS_PER_UNIT)


def roas(conversion_value_micros: int | None, spend_micros: int | None) -> float | None:
    """Return on ad spend: conversion value / spend (one currency, so a plain ratio)."""
    return _ratio(conversion_value_micros, spend_micros)


def cpe(spend_micros: int | None, engagements: int | None) -> float | None:
    """Cost per engagement, major units."""
    return _scaled(_ratio(spend_micros, engagements), MICROS_PER_UNIT)


def frequency(reported: float | None, impressions: int | None, reach: int | None) -> float | None:
    """The platform's frequency, else impressions / reach."""
    return reported if reported is not None else _ratio(impressions, reach)


@dataclass(frozen=True)
class Kpis:
    """Every KPI of one row; cost KPIs in major units of `currency`. `unknown` maps each None
    KPI to the reason."""

    currency: str | None
    cpm: float | None
    cpc: float | None
    cost_per_link_click: float | None
    ctr: float | None
    link_ctr: float | None
    cpa: float | None
    roas: float | None
    cpe: float | None
    frequency: float | None
    unknown: Mapping[str, str] = field(default_factory=dict)


_KPI_PARTS: Mapping[str, tuple[str, str]] = {
    "cpm": ("spend_micros", "impressions"),
    "cpc": ("spend_micros", "clicks"),
    "cost_per_link_click": ("spend_micros", "link_clicks"),
    "ctr": ("clicks", "impressions"),
    "link_ctr": ("link_clicks", "impressions"),
    "cpa": ("spend_micros", "conversions"),
    "roas": ("conversion_value_micros", "spend_micros"),
    "cpe": ("spend_micros", "engagements"),
}


def kpis_for(row: Mapping[str, Any]) -> Kpis:
    """The KPIs of an ad_insights_daily row (or any mapping with its column names)."""
    get = row.get
    values = {
        "cpm": cpm(get("spend_micros"), get("impressions")),
        "cpc": cpc(get("spend_micros"), get("clicks")),
        "cost_per_link_click": cost_per_link_click(get("spend_micros"), get("link_clicks")),
        "ctr": ctr(get("clicks"), get("impressions")),
        "link_ctr": ctr(get("link_clicks"), get("impressions")),
        "cpa": cpa(get("spend_micros"), get("conversions")),
        "roas": roas(get("conversion_value_micros"), get("spend_micros")),
        "cpe": cpe(get("spend_micros"), get("engagements")),
        "frequency": frequency(get("frequency"), get("impressions"), get("reach")),
    }
    unknown: dict[str, str] = {}
    for name, (numerator, denominator) in _KPI_PARTS.items():
        if values[name] is None:
            unknown[name] = _why(row, numerator, denominator)
    if values["frequency"] is None:
        unknown["frequency"] = "no frequency reported and " + _why(row, "impressions", "reach")
    return Kpis(currency=get("currency"), unknown=unknown, **values)


def _why(row: Mapping[str, Any], numerator: str, denominator: str) -> str:
    if row.get(denominator) is None:
        return f"{denominator} not reported"
    if row.get(denominator) == 0:
        return f"{denominator} is 0"
    return f"{numerator} not reported"
