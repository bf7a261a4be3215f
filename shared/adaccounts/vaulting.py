"""The vault side of a hand-off (shared/adaccounts/handoff.py): the only code that turns an
OAuth code into a token and the only code that stores tokens, run by the `token_vault`
Cloud Tasks target, which nobody outside Google Cloud can call.

Before an OAuth code is spent, its state's signature and expiry are verified again, and so is
the authority behind it: the API key that started the connection must still be live (not
revoked) and its organization must still exist. Every failure becomes the hand-off's recorded
outcome, whose text names Meta's code but never the credential.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shared.adaccounts.handoff import CodeHandoff, Outcome, SystemUserHandoff, TokenHandoff
from shared.adaccounts.models import AdAccountView
from shared.adaccounts.oauth import decode_state
from shared.adaccounts.service import OAUTH_USER, AdAccountService
from shared.adaccounts.tokens import TokenChecks
from shared.auth import API_KEYS
from shared.errors import ReachOpsError, Unauthenticated, VendorRefused
from shared.orgs.deletion import tombstone_path
from shared.orgs.service import org_path
from shared.ports import AdsError, AdsPlatform, DocumentStore

logger = logging.getLogger(__name__)


def require_live_key(store: DocumentStore, org_id: str, key_id: str) -> None:
    """401 naming the state unless the key that started the connection is still a live key
    of a still-existing organization."""
    key = store.get(f"{API_KEYS}/{key_id}")
    if key is None or key.get("revoked") or key.get("org_id") != org_id:
        raise Unauthenticated(
            "the API key that started this connection was revoked; connect again",
            field="query.state",
        )
    if store.get(org_path(org_id)) is None or store.get(tombstone_path(org_id)) is not None:
        raise Unauthenticated("the organization no longer exists", field="query.state")


class TokenVaulting:
    def __init__(
        self,
        *,
        store: DocumentStore,
        handoff: TokenHandoff,
        accounts: AdAccountService,
        token_checks: TokenChecks,
        ads: Callable[[], AdsPlatform],
        state_secret: str,
    ) -> None:
        self._store = store
        self._handoff = handoff
        self._accounts = accounts
        self._token_checks = token_checks
        self._ads = ads
        self._state_secret = state_secret

    def run(self, task: CodeHandoff | SystemUserHandoff) -> Outcome:
        """Exchange and vault, recording the outcome. A failing Meta is an outcome too, not a
        retry: whether Meta spent the code is unknown, and the person is waiting for an answer
        (they connect again)."""
        done = self._handoff.outcome(task.handoff_id)
        if done.status != "pending":
            return done  # a redelivered task: the code is spent, the outcome stands
        try:
            if isinstance(task, CodeHandoff):
                accounts = self._exchange(task)
            else:
                require_live_key(self._store, task.org_id, task.key_id)
                accounts = self._token_checks.vault_system_user(
                    task.org_id, task.key_id, task.access_token.get_secret_value()
                )
        except ReachOpsError as error:
            logger.info("token hand-off %s failed: %s", task.handoff_id, error.message)
            return self._handoff.failed(task.handoff_id, error)
        return self._handoff.connected(
            task.handoff_id, [account.model_dump(mode="json") for account in accounts]
        )

    def _exchange(self, task: CodeHandoff) -> list[AdAccountView]:
        state = decode_state(self._state_secret, task.state)
        require_live_key(self._store, state.org_id, state.key_id)
        ads = self._ads()
        try:
            issued = ads.exchange_code(task.code.get_secret_value(), state.redirect_uri)
            return self._accounts.record_connection(
                state.org_id,
                state.key_id,
                ads,
                issued.access_token,
                token_type=OAUTH_USER,
                expires_at=issued.expires_at,
            )
        except AdsError as refused:  # the adapter scrubbed its text of every credential
            raise VendorRefused(str(refused), field="query.code") from None
