"""Erasure of one person (GDPR article 17, the right to erasure): everything that names them,
in Firestore and in the warehouse.

What names a person: their person_id (reachops.person_social_handles' rows included), their
email's keyed hash, the claims of their email and handles, and the anonymous visitors linked to
them (a visitor's tracked events and sessions are theirs once linked). The warehouse tables
holding those are found by column (`tables_with_column`, as shared/orgs/purge.py finds
an organization's), so a table added later is erased without a change here; records derived
from the person's feedback and form responses (their sentiment scores, and the cached results
of their texts, keyed by content hash) are found through the journey view, which lists those
records' ids. Their comments on campaign posts are not among those: a comment is public
content, the creator's post's (journey_map.yaml `public_origins`), so it and its sentiment stay,
named by a handle nothing links to a person any more once the handle rows and claims are gone
(the next bulk run has nothing to score again, and community health does not move).

The order makes a crash harmless: what tells the erasure where to look (the person document
with the email hash and handles, reachops.person_visitors and reachops.person_social_handles)
goes last, so a repeated DELETE finishes the work; once everything is gone, a DELETE erases
nothing and still succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.people.journey_map import journey_map
from shared.people.records import (
    HANDLES_TABLE,
    PEOPLE_TABLE,
    VISITORS_TABLE,
    email_claim_path,
    person_path,
)
from shared.ports import DocumentStore, Warehouse

logger = logging.getLogger(__name__)

PERSON_COLUMN = "person_id"
EMAIL_HASH_COLUMN = "email_hash"
VISITOR_COLUMN = "visitor_id"
DERIVED_COLUMNS = ("source_type", "source_id")
"""A table with both holds records derived from a source record (sentiment scores)."""
FIRESTORE_IN_LIMIT = 30
"""Firestore's most values in one `in` filter."""


@dataclass
class ErasureReport:
    """Counts only: an erasure report names no personal data."""

    firestore_documents: int = 0
    warehouse_rows: dict[str, int] = field(default_factory=dict)

    def count(self, table: str, deleted: int) -> None:
        self.warehouse_rows[table] = self.warehouse_rows.get(table, 0) + deleted


class PersonErasure:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        record_collections: Sequence[Callable[[str], str]],
        content_caches: Sequence[Callable[[str], str]] = (),
    ) -> None:
        """`record_collections`: the per-organization Firestore collections whose documents
        carry a person_id or visitor_id (feedback, form responses), swept by those fields.
        `content_caches`: per-organization caches whose documents carry the `content_hash` of
        a text they hold results of (sentiment's keywords and entities name what was said)."""
        self._store = store
        self._warehouse = warehouse
        self._collections = record_collections
        self._caches = content_caches

    def erase(self, org_id: str, person_id: str) -> ErasureReport:
        report = ErasureReport()
        person = self._store.get(person_path(org_id, person_id)) or {}
        email_hash = person.get("email_hash") or self._stored_hash(org_id, person_id)
        visitors = self._visitors(org_id, person_id)
        sources = self._source_ids(org_id, person_id)
        report.firestore_documents += self._erase_cached(org_id, sources)
        for source_id in sources:
            for table in self._derived_tables():
                report.count(table, self._delete(table, "source_id", source_id, org_id))
        for visitor_id in visitors:
            for table in self._tables(VISITOR_COLUMN, last=(VISITORS_TABLE,)):
                if table != VISITORS_TABLE:
                    report.count(table, self._delete(table, VISITOR_COLUMN, visitor_id, org_id))
        if email_hash:
            for table in self._tables(EMAIL_HASH_COLUMN, last=(PEOPLE_TABLE,)):
                report.count(table, self._delete(table, EMAIL_HASH_COLUMN, email_hash, org_id))
        report.firestore_documents += self._erase_records(org_id, person_id, visitors)
        last = (HANDLES_TABLE, PEOPLE_TABLE, VISITORS_TABLE)
        for table in self._tables(PERSON_COLUMN, last=last):
            report.count(table, self._delete(table, PERSON_COLUMN, person_id, org_id))
        if email_hash:
            self._store.delete(email_claim_path(org_id, email_hash))
        report.firestore_documents += self._store.delete_tree(person_path(org_id, person_id))
        logger.info(
            "person %s of organization %s erased: %d documents, rows %s",
            person_id,
            org_id,
            report.firestore_documents,
            report.warehouse_rows,
        )
        return report

    def _delete(self, table: str, column: str, value: str, org_id: str) -> int:
        return self._warehouse.delete_rows(table, column, value, org_id=org_id)

    def _tables(self, column: str, last: Sequence[str]) -> list[str]:
        """The tables with `column`, those in `last` at the end in that order."""
        found = self._warehouse.tables_with_column(column)
        return [t for t in found if t not in last] + [t for t in last if t in found]

    def _derived_tables(self) -> list[str]:
        tables = set(self._warehouse.tables_with_column(DERIVED_COLUMNS[0]))
        return sorted(tables & set(self._warehouse.tables_with_column(DERIVED_COLUMNS[1])))

    def _stored_hash(self, org_id: str, person_id: str) -> str | None:
        rows = self._warehouse.run(
            "queries/person_email_hash.sql", {"org_id": org_id, "person_id": person_id}
        )
        return str(rows[0]["email_hash"]) if rows and rows[0]["email_hash"] else None

    def _visitors(self, org_id: str, person_id: str) -> list[str]:
        rows = self._warehouse.run(
            "queries/person_visitor_ids.sql", {"org_id": org_id, "person_id": person_id}
        )
        return [str(row["visitor_id"]) for row in rows]

    def _source_ids(self, org_id: str, person_id: str) -> list[str]:
        rows = self._warehouse.run(
            "queries/person_source_ids.sql",
            {
                "org_id": org_id,
                "person_id": person_id,
                "public_events": list(journey_map().public_events),
            },
        )
        return [str(row["source_id"]) for row in rows]

    def _erase_cached(self, org_id: str, sources: Sequence[str]) -> int:
        """The cached results of the person's texts (before the scores that name their hashes)."""
        if not sources or not self._caches:
            return 0
        rows = self._warehouse.run(
            "queries/person_content_hashes.sql", {"org_id": org_id, "source_ids": list(sources)}
        )
        hashes = sorted({str(row["content_hash"]) for row in rows})
        deleted = 0
        for cache_of in self._caches:
            collection = cache_of(org_id)
            for start in range(0, len(hashes), FIRESTORE_IN_LIMIT):
                chunk = hashes[start : start + FIRESTORE_IN_LIMIT]
                for document in self._store.query(
                    collection, where=[("content_hash", "in", chunk)]
                ):
                    deleted += self._store.delete_tree(f"{collection}/{document.id}")
        return deleted

    def _erase_records(self, org_id: str, person_id: str, visitors: Sequence[str]) -> int:
        deleted = 0
        for collection_of in self._collections:
            collection = collection_of(org_id)
            filters: list[tuple[str, list[str]]] = [(PERSON_COLUMN, [person_id])]
            filters += [
                (VISITOR_COLUMN, list(visitors[start : start + FIRESTORE_IN_LIMIT]))
                for start in range(0, len(visitors), FIRESTORE_IN_LIMIT)
            ]
            for name, values in filters:
                for document in self._store.query(collection, where=[(name, "in", values)]):
                    deleted += self._store.delete_tree(f"{collection}/{document.id}")
        return deleted
