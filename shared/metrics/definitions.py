"""The facts that Python and the warehouse SQL must agree on, read from their one definition.

Creator tiers, the default CPE thresholds and the engagement-rate window come from
definitions.yaml; ISO 4217 exponents from iso4217_minor_units.yaml. Python reads them here. The
warehouse reads the same files as reference tables (`reference_tables`), seeded by both
warehouse adapters' apply_schema and, in production, by terraform from the same YAML, and the
rollups and views join those tables instead of spelling bounds, thresholds or currency lists.
A seeded table rather than parameters, because the analysts' views are deployed by terraform as
plain files and can take no parameters; a table is also what an analyst can join in their own
queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from shared.campaigns.models import AudienceSize
from shared.people.journey_map import REFERENCE_TABLE as JOURNEY_REFERENCE_TABLE
from shared.people.journey_map import journey_map


def _load(name: str) -> dict[str, Any]:
    text = resources.files("shared.metrics").joinpath(name).read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@dataclass(frozen=True)
class TierBounds:
    """Followers from `min_followers` (included) up to `max_followers` (excluded; None: open)."""

    tier: AudienceSize
    min_followers: int
    max_followers: int | None


def _tiers(entries: Sequence[Mapping[str, Any]]) -> tuple[TierBounds, ...]:
    floors = [int(entry["min_followers"]) for entry in entries]
    if floors != sorted(set(floors)):
        raise ValueError("definitions.yaml: creator_tiers must rise strictly, smallest first")
    ceilings: list[int | None] = [*floors[1:], None]
    return tuple(
        TierBounds(AudienceSize(entry["tier"]), floor, ceiling)
        for entry, floor, ceiling in zip(entries, floors, ceilings, strict=True)
    )


_DEFINITIONS = _load("definitions.yaml")

CREATOR_TIERS: tuple[TierBounds, ...] = _tiers(_DEFINITIONS["creator_tiers"])
"""Smallest first; below CREATOR_TIERS[0].min_followers there is no tier."""

CPE_STRONG_BELOW: float = float(_DEFINITIONS["cpe_thresholds"]["strong_below"])
CPE_UNDERPERFORMING_ABOVE: float = float(_DEFINITIONS["cpe_thresholds"]["underperforming_above"])
ENGAGEMENT_RATE_WINDOW: int = int(_DEFINITIONS["engagement_rate_window_posts"])


def tier_for(followers: int | None) -> AudienceSize | None:
    """The creator tier of a follower count; None below the smallest tier or when unknown."""
    if followers is None:
        return None
    for bounds in reversed(CREATOR_TIERS):
        if followers >= bounds.min_followers:
            return bounds.tier
    return None


@cache
def minor_units_table() -> Mapping[str, int]:
    """ISO 4217 code -> exponent, for every active code with a numeric minor unit."""
    table: dict[str, int] = _load("iso4217_minor_units.yaml")["minor_units"]
    return MappingProxyType(table)


def currency_minor_units(currency: str) -> int | None:
    """The ISO 4217 exponent of a currency (USD 2, JPY 0, KWD 3); None for an unknown code.

    pycountry, which the project already uses for currency codes, does not carry minor units,
    so they are kept as data in iso4217_minor_units.yaml, with its source and date.
    """
    return minor_units_table().get(currency.upper())


@dataclass(frozen=True)
class ReferenceTable:
    """A reachops.<name> table whose rows are these definitions (replaced whole when seeded)."""

    name: str
    rows: tuple[Mapping[str, Any], ...]


def reference_tables() -> tuple[ReferenceTable, ...]:
    """The reference tables the warehouse joins; bigquery_sql/schema/<name>.sql declares each."""
    return (
        ReferenceTable(
            "ref_creator_tiers",
            tuple(
                {
                    "tier": bounds.tier.value,
                    "min_followers": bounds.min_followers,
                    "max_followers": bounds.max_followers,
                }
                for bounds in CREATOR_TIERS
            ),
        ),
        ReferenceTable(
            "ref_currency_minor_units",
            tuple(
                {"currency": code, "minor_units": units}
                for code, units in sorted(minor_units_table().items())
            ),
        ),
        ReferenceTable(
            "ref_cpe_thresholds",
            (
                {
                    "strong_below": CPE_STRONG_BELOW,
                    "underperforming_above": CPE_UNDERPERFORMING_ABOVE,
                },
            ),
        ),
        ReferenceTable(JOURNEY_REFERENCE_TABLE, journey_map().rows()),
    )
