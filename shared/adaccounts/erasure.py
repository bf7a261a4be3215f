"""What an organization's deletion removes outside its Firestore tree for ad accounts: the
vaulted access tokens (Secret Manager, or the local vault's collection) and the pending OAuth
states, which live at the top level (their nonce finds them before the organization is known).
"""

from __future__ import annotations

from collections.abc import Callable

from shared.adaccounts.service import OAUTH_STATES, connections_collection
from shared.ports import WRITE_BATCH_LIMIT, DocumentStore, TokenVault


class AdAccountErasure:
    def __init__(self, store: DocumentStore, vault: Callable[[], TokenVault]) -> None:
        self._store = store
        self._vault = vault

    def erase_tokens(self, org_id: str) -> dict[str, int]:
        """Every token any connection of the organization vaulted (a reconnected account's
        older connections included); repeating it deletes nothing more."""
        references = {
            str(document.data["token_reference"])
            for document in self._store.query(connections_collection(org_id))
            if document.data.get("token_reference")
        }
        for reference in sorted(references):
            self._vault().delete(reference)
        return {"tokens": len(references)}

    def erase_oauth_states(self, org_id: str) -> dict[str, int]:
        paths = [
            f"{OAUTH_STATES}/{document.id}"
            for document in self._store.query(OAUTH_STATES, where=[("org_id", "==", org_id)])
        ]
        for start in range(0, len(paths), WRITE_BATCH_LIMIT):
            self._store.write_atomically({}, deletes=paths[start : start + WRITE_BATCH_LIMIT])
        return {"oauth_states": len(paths)}
