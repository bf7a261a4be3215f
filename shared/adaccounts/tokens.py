"""Token lifetimes: System User connections, and the daily check of every token's expiry.

A long-lived user token from OAuth lasts about 60 days and cannot be refreshed without the
person logging in again, so the organization is told 7 days ahead and again once it has
expired (then its accounts are marked `needs_reauth`, before a sync fails on it). Agencies
avoid the cycle with a System User token from Business Manager, which usually never expires;
it is connected by value (POST /v1/ad-accounts/system-user): the API hands it to the
token_vault function (shared/adaccounts/handoff.py), which checks it with Meta's `debug_token`
and vaults it; it is never echoed or logged.

The check is idempotent: an alert's key names the connection and the threshold, so a rerun
(or Cloud Scheduler's retry) raises nothing new. A new connection is a new token with alerts
of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field, SecretStr

from shared.adaccounts.alerts import SpendAlerts
from shared.adaccounts.models import AccountStatus, AdAccountView
from shared.adaccounts.service import (
    SYSTEM_USER,
    AdAccountService,
    accounts_collection,
    connection_path,
)
from shared.errors import ValidationFailed
from shared.model_base import ApiModel
from shared.ports import AdsAuthError, AdsError, AdsPlatform, DocumentStore, TokenInfo, TokenVault

logger = logging.getLogger(__name__)

EXPIRY_WARNING = timedelta(days=7)
"""How long before a token expires the organization is warned."""


class TokenStage(StrEnum):
    EXPIRING = "expiring"
    EXPIRED = "expired"


def token_stage(
    expires_at: datetime | None, now: datetime, warning: timedelta = EXPIRY_WARNING
) -> TokenStage | None:
    """Which alert a token is due: none while it has more than `warning` left (or never
    expires), EXPIRING inside the warning, EXPIRED from its expiry on."""
    if expires_at is None:
        return None
    if now >= expires_at:
        return TokenStage.EXPIRED
    if expires_at - now <= warning:
        return TokenStage.EXPIRING
    return None


class SystemUserConnect(ApiModel):
    access_token: SecretStr = Field(
        min_length=1, max_length=1024, description="a System User access token; never returned"
    )


def check_system_user(info: TokenInfo, app_id: str, now: datetime) -> None:
    """422 naming access_token unless Meta calls it a valid, unexpired System User token of
    this app."""
    problem = None
    if not info.is_valid:
        problem = "Meta says the token is not valid"
    elif info.token_type != SYSTEM_USER:
        problem = f"a {info.token_type} token connects through OAuth, not as a system user"
    elif app_id and info.app_id and info.app_id != app_id:
        problem = "the token belongs to another Meta app"
    elif info.expires_at is not None and info.expires_at <= now:
        problem = "the token has expired"
    if problem:
        raise ValidationFailed(problem, field="access_token")


class TokenChecks:
    def __init__(
        self,
        *,
        store: DocumentStore,
        ads: Callable[[], AdsPlatform],
        vault: Callable[[], TokenVault],
        alerts: SpendAlerts,
        accounts: AdAccountService,
        app_id: str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._ads = ads
        self._vault = vault
        self._alerts = alerts
        self._accounts = accounts
        self._app_id = app_id
        self._now = now

    def vault_system_user(self, org_id: str, key_id: str, token: str) -> list[AdAccountView]:
        """Check a System User token with Meta and vault it (the token_vault function's half
        of POST /v1/ad-accounts/system-user; the API checked the caller's role)."""
        ads = self._ads()
        try:
            info = ads.debug_token(token)
        except AdsAuthError as refused:
            raise ValidationFailed(
                f"Meta refused the token: {refused}", field="access_token"
            ) from None
        check_system_user(info, self._app_id, self._now())
        if not ads.ad_accounts(token):
            raise ValidationFailed(
                "the system user has no ad accounts assigned in Business Manager",
                field="access_token",
            )
        return self._accounts.record_connection(
            org_id, key_id, ads, token, token_type=SYSTEM_USER, expires_at=info.expires_at
        )

    def check_all(self) -> dict[str, int]:
        """The daily scheduled pass over every organization's live connections."""
        checked = raised = 0
        for org in self._store.query("orgs"):
            for connection_id, account_ids in self._live_connections(org.id).items():
                checked += 1
                raised += self.check_connection(org.id, connection_id, account_ids)
        return {"tokens_checked": checked, "alerts_raised": raised}

    def check_connection(self, org_id: str, connection_id: str, account_ids: list[str]) -> int:
        """Refresh the expiry from Meta (it may have moved or been revoked), then raise what
        is due; returns the new alerts (0 or 1)."""
        path = connection_path(org_id, connection_id)
        connection = self._store.get(path)
        if connection is None:
            return 0
        expires_at: datetime | None = connection.get("expires_at")
        info = self._inspect(connection)
        if info is not None and info.is_valid and info.expires_at != expires_at:
            expires_at = info.expires_at
            self._store.set(path, {**connection, "expires_at": expires_at})
            for account_id in account_ids:
                account = self._accounts.load(org_id, account_id)
                self._accounts.save(
                    org_id, account.model_copy(update={"connection_expires_at": expires_at})
                )
        now = self._now()
        stage = TokenStage.EXPIRED if info is not None and not info.is_valid else None
        stage = stage or token_stage(expires_at, now)
        if stage is None:
            return 0
        if stage is TokenStage.EXPIRED:
            self._needs_reauth(org_id, account_ids)
        return int(
            self._raise(
                org_id, connection_id, account_ids, stage=stage, expires_at=expires_at, now=now
            )
        )

    def _inspect(self, connection: dict[str, Any]) -> TokenInfo | None:
        """Meta's view of the token, or None when Meta cannot say now (the stored expiry
        stands)."""
        try:
            return self._ads().debug_token(self._vault().load(connection["token_reference"]))
        except (AdsError, KeyError) as failed:
            logger.warning(
                "debug_token failed (%s); using the stored expiry", type(failed).__name__
            )
            return None

    def _live_connections(self, org_id: str) -> dict[str, list[str]]:
        """Connections some connected account still uses (a replaced token raises nothing)."""
        live: dict[str, list[str]] = {}
        for document in self._store.query(accounts_collection(org_id)):
            data = document.data
            if (
                data.get("platform", "meta") == "meta"
                and data.get("connection_id")
                and data.get("status") != AccountStatus.DISCONNECTED.value
            ):
                live.setdefault(str(data["connection_id"]), []).append(document.id)
        return live

    def _needs_reauth(self, org_id: str, account_ids: list[str]) -> None:
        for account_id in account_ids:
            account = self._accounts.load(org_id, account_id)
            if account.status is AccountStatus.ACTIVE:
                account.status = AccountStatus.NEEDS_REAUTH
                account.last_error = "the Meta token has expired or was revoked; connect again"
                self._accounts.save(org_id, account)

    def _raise(
        self,
        org_id: str,
        connection_id: str,
        account_ids: list[str],
        *,
        stage: TokenStage,
        expires_at: datetime | None,
        now: datetime,
    ) -> bool:
        if stage is TokenStage.EXPIRING and expires_at is not None:
            days = max((expires_at - now).days, 0)
            message = f"The Meta token of ad accounts {', '.join(account_ids)} expires on "
            message += f"{expires_at:%Y-%m-%d %H:%M} UTC (in {days} days); connect them again"
        else:
            message = f"The Meta token of ad accounts {', '.join(account_ids)} has expired "
            message += "or was revoked; connect them again to resume syncing"
        return self._alerts.raise_alert(
            org_id,
            key=f"token-{stage.value}-{connection_id}",
            kind=f"token_{stage.value}",
            subject=connection_id,
            message=message,
            data={
                "connection_id": connection_id,
                "account_ids": account_ids,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
