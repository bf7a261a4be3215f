"""Which campaign brought a session: its landing page view read against the org's campaigns.

The order is fixed and the method recorded (strongest evidence first):
1. a creator allocation's tracking code in `utm_content` (`allocation_code`), else a ReachOps
   campaign's `tracking_link_pattern` found in the landing URL (`tracking_link`);
2. `utm_id` / `utm_campaign` equal to a ReachOps or synced Meta campaign id (`utm_id`), then
   `utm_campaign` equal to a campaign's name after `normalise_name` (`utm_name`);
3. a click id (fbclid, gclid, ttclid): the platform is known, the campaign is not (`click_id`).
A session none of these resolve keeps `unresolved_reason` and is tried again by the daily job
(a paid campaign synced later, a campaign renamed). Pure logic over plain data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import re2

from shared.allocations.tracking import tracking_code
from shared.attribution.channels import Channel, classify_channel
from shared.detection.links import compile_link_pattern, link_found

Method = Literal["allocation_code", "tracking_link", "utm_id", "utm_name", "click_id", "manual"]
METHODS: tuple[Method, ...] = (
    "allocation_code",
    "tracking_link",
    "utm_id",
    "utm_name",
    "click_id",
    "manual",
)
_SEPARATORS = re.compile(r"[\s_\-.+/|:,;~]+")


def normalise_name(name: str) -> str:
    """The one comparison form of a campaign name: Unicode-compatibility folded, case-folded,
    every run of separators (space, _ - . + / | : , ; ~) one space, trimmed. "Summer_Sale-2026"
    and " summer sale 2026 " compare equal."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


@dataclass(frozen=True)
class CreatorCampaign:
    campaign_id: str
    name: str
    link_pattern: str | None = None
    allocation_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaidCampaign:
    """A synced Meta campaign; `reachops_campaign_id` when a person linked it to a ReachOps
    campaign, whose sessions (and so conversions) its visits then are too."""

    paid_campaign_id: str
    name: str | None
    reachops_campaign_id: str | None = None


@dataclass(frozen=True)
class Catalog:
    """What an org's sessions are resolved against (its campaigns and synced Meta campaigns)."""

    creator: tuple[CreatorCampaign, ...] = ()
    paid: tuple[PaidCampaign, ...] = ()
    _codes: dict[str, tuple[str, str]] = field(init=False, repr=False, compare=False)
    _ids: dict[str, tuple[str | None, str | None]] = field(init=False, repr=False, compare=False)
    _names: dict[str, list[tuple[str | None, str | None]]] = field(
        init=False, repr=False, compare=False
    )
    _patterns: list[tuple[str, re2._Regexp[bytes]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = {
            tracking_code(c.campaign_id, a): (c.campaign_id, a)
            for c in self.creator
            for a in c.allocation_ids
        }
        ids: dict[str, tuple[str | None, str | None]] = {
            p.paid_campaign_id: (p.reachops_campaign_id, p.paid_campaign_id) for p in self.paid
        }
        ids.update({c.campaign_id: (c.campaign_id, None) for c in self.creator})
        names: dict[str, list[tuple[str | None, str | None]]] = {}
        for c in self.creator:
            names.setdefault(normalise_name(c.name), []).append((c.campaign_id, None))
        for p in self.paid:
            if p.name:
                names.setdefault(normalise_name(p.name), []).append(
                    (p.reachops_campaign_id, p.paid_campaign_id)
                )
        patterns = [
            (c.campaign_id, compile_link_pattern(c.link_pattern))
            for c in sorted(self.creator, key=lambda c: c.campaign_id)
            if c.link_pattern
        ]
        object.__setattr__(self, "_codes", codes)
        object.__setattr__(self, "_ids", ids)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_patterns", patterns)

    def by_code(self, code: str | None) -> tuple[str, str] | None:
        return self._codes.get(code.strip()) if code else None

    def by_link(self, url: str | None) -> str | None:
        if not url:
            return None
        return next((cid for cid, pattern in self._patterns if link_found(pattern, url)), None)

    def by_id(self, value: str | None) -> tuple[str | None, str | None] | None:
        return self._ids.get(value.strip()) if value else None

    def by_name(self, value: str | None) -> list[tuple[str | None, str | None]]:
        return self._names.get(normalise_name(value), []) if value else []


@dataclass(frozen=True)
class Resolution:
    channel: Channel
    campaign_id: str | None = None
    allocation_id: str | None = None
    paid_campaign_id: str | None = None
    method: Method | None = None
    unresolved_reason: str | None = None


def resolve(landing: Mapping[str, Any], catalog: Catalog) -> Resolution:
    """The landing page view's (url, referrer, utm_*, click ids) campaign, method and channel."""
    url = landing.get("landing_url")
    code = catalog.by_code(landing.get("utm_content"))
    if code is not None:
        return Resolution(landing_channel(landing, True), code[0], code[1], None, "allocation_code")
    linked = catalog.by_link(url)
    if linked is not None:
        return Resolution(landing_channel(landing, True), linked, None, None, "tracking_link")
    for value in (landing.get("utm_id"), landing.get("utm_campaign")):
        found = catalog.by_id(value)
        if found is not None:
            return _campaign(landing, found, "utm_id")
    named = catalog.by_name(landing.get("utm_campaign"))
    if len(named) == 1:
        return _campaign(landing, named[0], "utm_name")
    channel = landing_channel(landing, False)
    reason = (
        "utm_campaign names several campaigns; resolve it by hand"
        if named
        else "utm_campaign matches no campaign"
        if landing.get("utm_campaign") or landing.get("utm_id")
        else "no tracking link, allocation code or utm_campaign"
    )
    if any(landing.get(k) for k in ("fbclid", "gclid", "ttclid")) and not named:
        return Resolution(channel, method="click_id", unresolved_reason=None)
    return Resolution(channel, unresolved_reason=reason)


def _campaign(
    landing: Mapping[str, Any], found: tuple[str | None, str | None], method: Method
) -> Resolution:
    campaign_id, paid_campaign_id = found
    # A Meta campaign linked to a ReachOps campaign is still paid traffic, not a creator's.
    channel = landing_channel(landing, campaign_id is not None and paid_campaign_id is None)
    if paid_campaign_id is not None and channel in ("direct", "other", "referral"):
        channel = "paid_social"  # a synced Meta campaign's traffic, whatever its medium says
    return Resolution(channel, campaign_id, None, paid_campaign_id, method)


def landing_channel(landing: Mapping[str, Any], creator: bool) -> Channel:
    """The channel of a session from its landing page view's fields."""
    return classify_channel(
        creator=creator,
        utm_source=landing.get("utm_source"),
        utm_medium=landing.get("utm_medium"),
        fbclid=landing.get("fbclid"),
        gclid=landing.get("gclid"),
        ttclid=landing.get("ttclid"),
        referrer=landing.get("landing_referrer"),
        landing_url=landing.get("landing_url"),
    )
