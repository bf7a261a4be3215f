"""A person's social handles: claimed, kept on the person, mirrored for the warehouse's joins.

One handle is one person's within an organization: `orgs/{org}/person_handles/{platform~handle}`
is created before the person document names it (create-if-absent, like the email claim), so
two people asking for one handle at once agree on one owner and the other gets a 409. The
person document keeps the set (with when each was added); reachops.person_social_handles
mirrors it for the journey view, which joins it to the comments of campaign posts.

Every write is idempotent: assigning the set the person has changes nothing, and a set whose
warehouse copy failed is written whole again by the next assignment (the reply says to resend).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from shared.errors import Conflict, NotFound, Unavailable
from shared.people.handles import SocialHandle
from shared.people.records import HANDLES_KEY, HANDLES_TABLE, handle_claim_path, person_path
from shared.ports import DocumentStore, Warehouse

FIELD = "social_handles"


def stored_handles(person: dict[str, Any]) -> list[SocialHandle]:
    """The handles a person document holds, in the order they were set."""
    return [
        SocialHandle.model_validate({"platform": h["platform"], "handle": h["handle"]})
        for h in person.get(FIELD) or []
    ]


class HandleRegistry:
    def __init__(
        self, store: DocumentStore, warehouse: Warehouse, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._clock = clock

    def assign(self, org_id: str, person_id: str, handles: Sequence[SocialHandle]) -> None:
        """The person's handles become exactly `handles`: new ones claimed (a 409 naming
        social_handles when another person holds one, with nothing changed), dropped ones
        released, the set mirrored to the warehouse."""
        wanted = list(dict.fromkeys(handles))
        for handle in wanted:
            self.check_free(org_id, person_id, handle)
        claimed: list[SocialHandle] = []
        for handle in wanted:
            path = handle_claim_path(org_id, handle.key)
            if self._store.create(path, {"person_id": person_id}):
                claimed.append(handle)
            claim = self._store.get(path)
            if claim is None or claim["person_id"] != person_id:
                self._release(org_id, person_id, claimed)
                raise self._taken(handle)
        now = self._clock()

        def keep(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None:
                raise NotFound(f"person {person_id} was erased meanwhile", field="path.person_id")
            added = {(h["platform"], h["handle"]): h["added_at"] for h in current.get(FIELD) or []}
            entries = [
                {
                    "platform": h.platform.value,
                    "handle": h.handle,
                    "added_at": added.get((h.platform.value, h.handle), now),
                }
                for h in wanted
            ]
            changed = entries != (current.get(FIELD) or [])
            return {**current, FIELD: entries, **({"updated_at": now} if changed else {})}

        before = self._store.get(person_path(org_id, person_id)) or {}
        try:
            person = self._store.update_atomically(person_path(org_id, person_id), keep)
        except Exception:
            self._release(org_id, person_id, claimed)  # the person does not hold them
            raise
        self._release(org_id, person_id, [h for h in stored_handles(before) if h not in wanted])
        self._mirror(org_id, person_id, person[FIELD])

    def check_free(self, org_id: str, person_id: str | None, handle: SocialHandle) -> None:
        """A 409 naming social_handles when the handle is a person's other than `person_id`
        (None: anyone's), so a request can be refused before it changes anything."""
        claim = self._store.get(handle_claim_path(org_id, handle.key))
        if claim is not None and claim["person_id"] != person_id:
            raise self._taken(handle)

    def _release(self, org_id: str, person_id: str, handles: Sequence[SocialHandle]) -> None:
        for handle in handles:
            path = handle_claim_path(org_id, handle.key)
            claim = self._store.get(path)
            if claim is not None and claim["person_id"] == person_id:
                self._store.delete(path)

    def _mirror(self, org_id: str, person_id: str, entries: Sequence[dict[str, Any]]) -> None:
        written = self._clock()
        rows = [
            {
                "org_id": org_id,
                "person_id": person_id,
                "platform": entry["platform"],
                "handle": entry["handle"],
                "added_at": entry["added_at"],
                "updated_at": written,
            }
            for entry in entries
        ]
        try:
            self._warehouse.delete_rows(HANDLES_TABLE, "person_id", person_id, org_id=org_id)
            if rows:
                self._warehouse.merge_rows(HANDLES_TABLE, rows, HANDLES_KEY, update_existing=True)
        except Exception as exc:
            raise Unavailable(
                f"the social handles of person {person_id} are saved but their warehouse copy "
                "was not written; send the request again"
            ) from exc

    @staticmethod
    def _taken(handle: SocialHandle) -> Conflict:
        return Conflict(
            f"social_handles: {handle.platform.value} handle {handle.handle} is another person's",
            field=FIELD,
        )
