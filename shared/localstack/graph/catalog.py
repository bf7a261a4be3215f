"""The sample objects (graph_samples/ad_accounts.json, labelled sample data): the user, the
agency business, its ad accounts and their campaigns, ad sets and ads, each ad with the seed
its daily delivery is rendered from. Each object's effective_status is derived as Meta's is:
an archived or deleted parent archives or deletes its children, a paused one pauses them
(CAMPAIGN_PAUSED, ADSET_PAUSED). Each ad set has an attribution setting (`attribution_spec`,
Meta's default when the sample names none), and each ad carries its ad set's windows, which is
what `value` counts when a query asks for the ad sets' settings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).parent.with_name("graph_samples") / "ad_accounts.json"
LEVELS = ("account", "campaign", "adset", "ad")
HIDDEN_STATUSES = frozenset({"ARCHIVED", "DELETED"})
# Every effective_status Meta documents for campaigns, ad sets and ads.
EFFECTIVE_STATUSES = frozenset(
    {
        "ACTIVE", "PAUSED", "DELETED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED",
        "PENDING_BILLING_INFO", "CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED", "IN_PROCESS",
        "WITH_ISSUES",
    }
)  # fmt: skip

# Meta's default attribution setting for a new ad set, 7-day click or 1-day view, and the
# windows an ad set may be set to (https://www.facebook.com/business/help/460276478298895).
DEFAULT_ATTRIBUTION_SPEC = (
    {"event_type": "CLICK_THROUGH", "window_days": 7},
    {"event_type": "VIEW_THROUGH", "window_days": 1},
)
SPEC_WINDOWS = {
    ("CLICK_THROUGH", 1): "1d_click",
    ("CLICK_THROUGH", 7): "7d_click",
    ("VIEW_THROUGH", 1): "1d_view",
    ("ENGAGED_VIDEO_VIEW", 1): "1d_ev",
}
INTERNAL = frozenset({"seed", "attribution_windows"})  # the stand-in's own, never shown


def setting_windows(spec: list[dict[str, Any]]) -> tuple[str, ...]:
    """The action_attribution_windows an ad set's attribution_spec adds up."""
    try:
        return tuple(SPEC_WINDOWS[(str(s["event_type"]), int(s["window_days"]))] for s in spec)
    except KeyError as exc:
        raise ValueError(f"not an attribution setting Meta offers: {spec}") from exc


@dataclass(frozen=True)
class Catalog:
    user: dict[str, Any]
    businesses: dict[str, dict[str, Any]]
    accounts: dict[str, dict[str, Any]]
    campaigns: dict[str, dict[str, Any]]
    adsets: dict[str, dict[str, Any]]
    ads: dict[str, dict[str, Any]]

    def kind(self, object_id: str) -> str | None:
        for kind, table in (
            ("account", self.accounts),
            ("campaign", self.campaigns),
            ("adset", self.adsets),
            ("ad", self.ads),
            ("business", self.businesses),
        ):
            if object_id in table:
                return kind
        return None

    def node(self, object_id: str) -> dict[str, Any] | None:
        kind = self.kind(object_id)
        return None if kind is None else self.table(kind)[object_id]

    def table(self, kind: str) -> dict[str, dict[str, Any]]:
        tables = {
            "account": self.accounts,
            "campaign": self.campaigns,
            "adset": self.adsets,
            "ad": self.ads,
            "business": self.businesses,
        }
        return tables[kind]

    def under(self, object_id: str, kind: str) -> list[dict[str, Any]]:
        """The `kind` objects below (or equal to) `object_id`, in sample order."""
        parent_kind = self.kind(object_id)
        if parent_kind is None:
            return []
        key = {"account": "account_id", "campaign": "campaign_id", "adset": "adset_id"}
        if parent_kind == kind:
            return [self.table(kind)[object_id]]
        if parent_kind not in key or LEVELS.index(parent_kind) > LEVELS.index(kind):
            return []
        return [o for o in self.table(kind).values() if o[key[parent_kind]] == object_id]

    def ancestor(self, obj: Mapping[str, Any], level: str) -> dict[str, Any]:
        """The `level` object an object belongs to (itself at its own level)."""
        key = "id" if self.kind(str(obj["id"])) == level else f"{level}_id"
        return self.table(level)[str(obj[key])]

    def account_of(self, object_id: str) -> str | None:
        """The ad account an account, campaign, ad set or ad belongs to."""
        obj = self.node(object_id)
        if obj is None or self.kind(object_id) == "business":
            return None
        return object_id if object_id in self.accounts else str(obj["account_id"])


@cache
def load_catalog(path: Path = SAMPLES) -> Catalog:
    document = json.loads(path.read_text(encoding="utf-8"))
    accounts: dict[str, dict[str, Any]] = {}
    campaigns: dict[str, dict[str, Any]] = {}
    adsets: dict[str, dict[str, Any]] = {}
    ads: dict[str, dict[str, Any]] = {}
    for account in document["ad_accounts"]:
        account_fields = {k: v for k, v in account.items() if k != "campaigns"}
        accounts[account["id"]] = account_fields
        for campaign in account["campaigns"]:
            campaigns[campaign["id"]] = {
                "status": "ACTIVE",
                **{k: v for k, v in campaign.items() if k != "adsets"},
                "account_id": account["id"],
            }
            campaigns[campaign["id"]]["effective_status"] = campaigns[campaign["id"]]["status"]
            for adset in campaign["adsets"]:
                adsets[adset["id"]] = {
                    "status": "ACTIVE",
                    "attribution_spec": [dict(s) for s in DEFAULT_ATTRIBUTION_SPEC],
                    **{k: v for k, v in adset.items() if k != "ads"},
                    "account_id": account["id"],
                    "campaign_id": campaign["id"],
                }
                windows = setting_windows(adsets[adset["id"]]["attribution_spec"])
                for ad in adset["ads"]:
                    ads[ad["id"]] = {
                        **ad,
                        "account_id": account["id"],
                        "campaign_id": campaign["id"],
                        "adset_id": adset["id"],
                        "attribution_windows": windows,
                    }
    for adset in adsets.values():
        adset["effective_status"] = _effective(adset, campaigns[adset["campaign_id"]], "CAMPAIGN")
    for ad in ads.values():
        ad["effective_status"] = _effective(ad, adsets[ad["adset_id"]], "ADSET")
    return Catalog(
        user=document["user"],
        businesses={b["id"]: b for b in document["businesses"]},
        accounts=accounts,
        campaigns=campaigns,
        adsets=adsets,
        ads=ads,
    )


def _effective(obj: Mapping[str, Any], parent: Mapping[str, Any], parent_name: str) -> str:
    own, above = str(obj["status"]), str(parent["effective_status"])
    if own in HIDDEN_STATUSES:
        return own
    if above in HIDDEN_STATUSES:
        return above
    if own == "ACTIVE" and above == "PAUSED":
        return f"{parent_name}_PAUSED"
    if own == "ACTIVE" and above.endswith("_PAUSED"):
        return above
    return own


def public(obj: Mapping[str, Any]) -> dict[str, Any]:
    """An object as Graph shows it: no seeds; the parent ids without the act_ prefix's twin."""
    out = {k: v for k, v in obj.items() if k not in INTERNAL}
    if "account_id" in out and str(out["account_id"]).startswith("act_"):
        out["account_id"] = str(out["account_id"]).removeprefix("act_")
    return out
