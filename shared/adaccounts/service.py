"""Connecting Meta ad accounts through OAuth, and managing them.

The long-lived token goes straight into the token vault (Secret Manager in production); the
ad account records keep only a reference to it, and no API reply ever carries it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from shared.adaccounts.models import (
    AccountStatus,
    AdAccount,
    AdAccountUpdate,
    AdAccountView,
    ConnectRequest,
    ConnectStart,
    SyncStatus,
)
from shared.adaccounts.oauth import (
    STATE_LIFETIME,
    OAuthState,
    allowed_redirect,
    encode_state,
    state_digest,
)
from shared.auth import Permission, Principal
from shared.config import Settings
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.ports import AdsPlatform, DocumentStore, TaskQueue, TokenVault

SYNC_QUEUE = "meta-insights"
SCOPES = (
    "ads_read,business_management,read_insights,"
    "leads_retrieval,pages_show_list,pages_read_engagement,pages_manage_metadata"
)
"""What the connect dialog asks for: insights, and reading Lead Ads leads with their ad ids
(Meta's "Retrieving Leads" guide; pages_manage_metadata lets the app subscribe a Page's leadgen
webhook)."""
OAUTH_USER = "USER"
"""Meta's debug_token type of a token from the OAuth flow."""
SYSTEM_USER = "SYSTEM_USER"


def accounts_collection(org_id: str) -> str:
    return f"orgs/{org_id}/ad_accounts"


OAUTH_STATES = "oauth_states"
"""Top-level: a state's nonce finds it before the organization is known."""


def connections_collection(org_id: str) -> str:
    return f"orgs/{org_id}/ad_connections"


def connection_path(org_id: str, connection_id: str) -> str:
    return f"{connections_collection(org_id)}/{connection_id}"


def account_id_of(graph_id: str) -> str:
    """Meta's `act_123` as ReachOps' account id `123`."""
    return graph_id.removeprefix("act_")


class AdAccountService:
    def __init__(
        self,
        *,
        store: DocumentStore,
        ads: Callable[[], AdsPlatform],
        vault: Callable[[], TokenVault],
        tasks: TaskQueue,
        settings: Settings,
    ) -> None:
        self._store = store
        self._ads = ads
        self._vault = vault
        self._tasks = tasks
        self._settings = settings

    def connect(self, principal: Principal, request: ConnectRequest) -> ConnectStart:
        principal.require(Permission.MANAGE_SETTINGS)
        redirect = allowed_redirect(
            str(request.redirect_uri) if request.redirect_uri else None,
            self._settings.meta_oauth_redirect_uri,
            self._settings.meta_oauth_redirect_allowlist,
        )
        expires = datetime.now(UTC) + STATE_LIFETIME
        nonce = secrets.token_hex(16)
        state = encode_state(
            self._settings.oauth_state_secret,
            OAuthState(principal.org_id, principal.key_id, redirect, nonce, expires.isoformat()),
        )
        query = urlencode(
            {
                "client_id": self._settings.meta_app_id,
                "redirect_uri": redirect,
                "state": state,
                "scope": SCOPES,
                "response_type": "code",
            }
        )
        version = self._ads().api_version
        dialog = f"{self._settings.meta_dialog_url}/{version}/dialog/oauth?{query}"
        self._store.set(
            f"{OAUTH_STATES}/{nonce}",
            {
                "org_id": principal.org_id,
                "key_id": principal.key_id,
                "used": False,
                "digest": state_digest(state),
                "dialog_url": dialog,
                "expires_at": expires,
            },
        )
        # Through the callback's start endpoint, which binds the state to this browser.
        start = f"{self._settings.meta_oauth_redirect_uri.rstrip('/')}/start"
        url = f"{start}?{urlencode({'state': state})}"
        return ConnectStart(authorize_url=url, state=state, expires_at=expires)

    def record_connection(
        self,
        org_id: str,
        key_id: str,
        ads: AdsPlatform,
        token: str,
        *,
        token_type: str,
        expires_at: datetime | None,
    ) -> list[AdAccountView]:
        """Vault the token, note its type and expiry (what the daily token check reads), and
        point every ad account it reads at this connection."""
        connection_id = secrets.token_hex(8)
        reference = self._vault().store(f"{org_id}-{connection_id}", token)
        found = ads.ad_accounts(token)
        now = datetime.now(UTC)
        self._store.set(
            connection_path(org_id, connection_id),
            {
                "token_reference": reference,
                "token_type": token_type,
                "expires_at": expires_at,
                "connected_at": now,
                "connected_by": key_id,
                "account_ids": [account_id_of(a["id"]) for a in found],
            },
        )
        for graph_account in found:
            self._upsert(
                org_id, graph_account, connection_id, key_id, now, token=(token_type, expires_at)
            )
        return self._views(org_id)

    def accounts(self, principal: Principal) -> list[AdAccountView]:
        principal.require(Permission.READ)
        return self._views(principal.org_id)

    def load(self, org_id: str, account_id: str) -> AdAccount:
        data = self._store.get(f"{accounts_collection(org_id)}/{account_id}")
        if data is None:
            raise NotFound(f"ad account {account_id} not found", field="account_id")
        return AdAccount.model_validate(data)

    def update(self, principal: Principal, account_id: str, patch: AdAccountUpdate) -> AdAccount:
        principal.require(Permission.MANAGE_SETTINGS)
        account = self.load(principal.org_id, account_id)
        changes = patch.model_dump(include=patch.model_fields_set)
        parent = changes.get("parent_account_id")
        if parent is not None:
            if parent == account_id:
                raise ValidationFailed(
                    "an account cannot be its own parent", field="parent_account_id"
                )
            self.load(principal.org_id, parent)
        updated = account.model_copy(update=changes)
        self.save(principal.org_id, updated)
        return updated

    def request_sync(self, principal: Principal, account_id: str) -> AdAccount:
        principal.require(Permission.WRITE_CAMPAIGNS)
        account = self.load(principal.org_id, account_id)
        if account.status is AccountStatus.NEEDS_REAUTH:
            raise Conflict("the account needs to be connected again first", field="status")
        self.enqueue_sync(principal.org_id, account_id, reason="manual")
        account.sync_status = SyncStatus.QUEUED
        self.save(principal.org_id, account)
        return account

    def enqueue_sync(self, org_id: str, account_id: str, reason: str) -> None:
        """A scheduled sync is one per account and day (a repeated schedule is a no-op); a
        manual one is new each time."""
        stamp = (
            datetime.now(UTC).strftime("%Y%m%d")
            if reason == "scheduled"
            else datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + secrets.token_hex(3)
        )
        sync_id = f"{account_id}-{reason}-{stamp}"
        self._tasks.enqueue(
            SYNC_QUEUE,
            {"org_id": org_id, "account_id": account_id, "reason": reason, "sync_id": sync_id},
            task_id=f"sync-{org_id}-{sync_id}",
        )

    def enqueue_all_syncs(self) -> int:
        """The daily scheduled pass: every active account of every organization."""
        queued = 0
        for org in self._store.query("orgs"):
            for document in self._store.query(
                accounts_collection(org.id), where=[("status", "==", AccountStatus.ACTIVE.value)]
            ):
                if document.data.get("platform", "meta") == "meta":
                    self.enqueue_sync(org.id, document.id, reason="scheduled")
                    queued += 1
        return queued

    def token_for(self, org_id: str, account: AdAccount) -> str:
        connection = self._store.get(connection_path(org_id, account.connection_id))
        if connection is None:
            raise NotFound(f"connection of ad account {account.account_id} is gone")
        return self._vault().load(connection["token_reference"])

    def save(self, org_id: str, account: AdAccount) -> None:
        self._store.set(
            f"{accounts_collection(org_id)}/{account.account_id}", account.model_dump(mode="json")
        )

    def _upsert(
        self,
        org_id: str,
        graph_account: dict[str, Any],
        connection_id: str,
        key_id: str,
        now: datetime,
        *,
        token: tuple[str, datetime | None],
    ) -> None:
        account_id = account_id_of(str(graph_account["id"]))
        existing = self._store.get(f"{accounts_collection(org_id)}/{account_id}")
        business = graph_account.get("business") or {}
        fields = {
            "account_id": account_id,
            "platform": "meta",
            "name": graph_account.get("name") or account_id,
            "currency": graph_account.get("currency") or "USD",
            "timezone": graph_account.get("timezone_name"),
            "business_id": business.get("id") if isinstance(business, dict) else None,
            "status": AccountStatus.ACTIVE.value,
            "last_error": None,
            "connection_id": connection_id,
            "connection_kind": token[0],
            "connection_expires_at": token[1],
        }
        if existing is None:
            account = AdAccount(**fields, connected_at=now, connected_by=key_id)
        else:
            account = AdAccount.model_validate({**existing, **fields})
        self.save(org_id, account)

    def _views(self, org_id: str) -> list[AdAccountView]:
        accounts = [
            AdAccount.model_validate(d.data)
            for d in self._store.query(accounts_collection(org_id), order_by=[("name", "asc")])
        ]
        children: dict[str, list[str]] = {}
        for account in accounts:
            if account.parent_account_id:
                children.setdefault(account.parent_account_id, []).append(account.account_id)
        return [
            AdAccountView(**account.model_dump(), children=children.get(account.account_id, []))
            for account in accounts
        ]
