"""Per paid campaign: spend limits, and links to a ReachOps campaign and a creator (talent).

Links are applied to the campaign's insight rows already loaded (one UPDATE) and to every
row loaded later, so analysts and the API see paid spend next to creator work.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.adaccounts.alerts import campaign_limits_path
from shared.adaccounts.service import AdAccountService
from shared.auth import Permission, Principal
from shared.campaigns.service import CampaignService
from shared.creators.service import CreatorService
from shared.model_base import ApiModel, PositiveMinorUnits
from shared.ports import DocumentStore, Warehouse

LINK_SQL = "queries/link_paid_campaign.sql"
SafeId = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


class PaidCampaignSettings(ApiModel):
    daily_spend_limit_micros: PositiveMinorUnits | None = None
    monthly_spend_limit_micros: PositiveMinorUnits | None = None
    reachops_campaign_id: str | None = SafeId
    creator_id: str | None = SafeId


def links_path(org_id: str, account_id: str) -> str:
    return f"orgs/{org_id}/ad_accounts/{account_id}/limits/links"


class PaidCampaignLinks:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        accounts: AdAccountService,
        campaigns: CampaignService,
        creators: CreatorService,
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._accounts = accounts
        self._campaigns = campaigns
        self._creators = creators

    def configure(
        self,
        principal: Principal,
        account_id: str,
        paid_campaign_id: str,
        settings: PaidCampaignSettings,
    ) -> PaidCampaignSettings:
        principal.require(Permission.MANAGE_SETTINGS)
        self._accounts.load(principal.org_id, account_id)
        if settings.reachops_campaign_id:
            self._campaigns.get(principal, settings.reachops_campaign_id)
        if settings.creator_id:
            self._creators.get(principal, settings.creator_id)
        self._merge_entry(
            campaign_limits_path(principal.org_id, account_id),
            paid_campaign_id,
            {
                "daily_spend_limit_micros": settings.daily_spend_limit_micros,
                "monthly_spend_limit_micros": settings.monthly_spend_limit_micros,
            },
        )
        self._merge_entry(
            links_path(principal.org_id, account_id),
            paid_campaign_id,
            {
                "reachops_campaign_id": settings.reachops_campaign_id,
                "creator_id": settings.creator_id,
            },
        )
        self._warehouse.run(
            LINK_SQL,
            {
                "org_id": principal.org_id,
                "account_id": account_id,
                "campaign_id": paid_campaign_id,
                "reachops_campaign_id": settings.reachops_campaign_id,
                "creator_id": settings.creator_id,
            },
        )
        return settings

    def links_for(self, org_id: str, account_id: str) -> dict[str, dict[str, str | None]]:
        data = self._store.get(links_path(org_id, account_id)) or {}
        campaigns: dict[str, dict[str, str | None]] = data.get("campaigns", {})
        return campaigns

    def _merge_entry(self, path: str, key: str, entry: dict[str, Any]) -> None:
        def merge(data: dict[str, Any] | None) -> dict[str, Any]:
            campaigns = dict((data or {}).get("campaigns", {}))
            campaigns[key] = entry
            return {"campaigns": campaigns}

        self._store.update_atomically(path, merge)
