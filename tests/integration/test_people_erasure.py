"""Erasure of a person (GDPR): after DELETE nothing of them is left, in Firestore (walked
through the emulator's own client) or in any warehouse table that names a person, an email
hash or a visitor (every such table gets a row of theirs first; their social handles and the
handles' claims too), and no clear-text email is stored anywhere before or after; another
person's rows and handles, and another organization's rows with the same visitor id, all
survive; a repeat erases nothing and succeeds, and the erased person's handle is free again."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from google.cloud import firestore

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.feedback.service import feedback_collection
from shared.people.erasure import EMAIL_HASH_COLUMN, PERSON_COLUMN, VISITOR_COLUMN
from shared.people.handles import SocialHandle
from shared.people.models import LinkPersonInteractions, PersonUpdate
from shared.people.records import handle_claim_path
from shared.sentiment.cache import cache_collection as sentiment_cache_collection
from tests.integration.test_people_service import people_services

pytestmark = pytest.mark.integration
EMAIL = "erase.me@example.com"
OTHER_EMAIL = "keep.me@example.com"
FILLERS: dict[str, Any] = {
    "VARCHAR": "x",
    "BIGINT": 0,
    "INTEGER": 0,
    "DOUBLE": 0.0,
    "BOOLEAN": False,
    "DATE": date(2026, 11, 20),
    "TIMESTAMP WITH TIME ZONE": datetime(2026, 11, 20, tzinfo=UTC),
    "TIMESTAMP": datetime(2026, 11, 20),
}
NAMING = (PERSON_COLUMN, EMAIL_HASH_COLUMN, VISITOR_COLUMN)
HANDLE = SocialHandle.model_validate({"platform": "instagram", "handle": "erase.me"})
OTHER_HANDLE = SocialHandle.model_validate({"platform": "instagram", "handle": "keep.me"})


def insert(connection: duckdb.DuckDBPyConnection, table: str, values: dict[str, Any]) -> None:
    """One row: every NOT NULL column filled by its type, then `values` for the columns the
    table has."""
    columns = connection.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'reachops' AND table_name = ?",
        [table],
    ).fetchall()
    row = {name: FILLERS[kind] for name, kind, nullable in columns if nullable == "NO"}
    row.update({k: v for k, v in values.items() if k in {c[0] for c in columns}})
    marks = ", ".join("?" for _ in row)
    connection.execute(
        f"INSERT INTO reachops.{table} ({', '.join(row)}) VALUES ({marks})",  # noqa: S608
        list(row.values()),
    )


def named_rows(services: Services, names: dict[str, str]) -> dict[str, int]:
    """Rows per table whose person_id, email_hash or visitor_id is one of `names` (with its
    org_id), read from the DuckDB file itself."""
    counts: dict[str, int] = {}
    with duckdb.connect(str(services.settings.duckdb_path)) as connection:
        for column, value in names.items():
            if column == "org_id":
                continue
            for table in services.warehouse.tables_with_column(column):
                found = connection.execute(
                    f"SELECT count(*) FROM reachops.{table} WHERE {column} = ? AND org_id = ?",  # noqa: S608
                    [value, names["org_id"]],
                ).fetchone()
                if found and found[0]:
                    counts[f"{table}.{column}"] = int(found[0])
    return counts


def all_text(services: Services, org_id: str) -> str:
    """Every value of the org's Firestore tree and of its rows in every table, as text."""
    client = firestore.Client(project=services.settings.project_id)
    parts: list[str] = []

    def walk(document: firestore.DocumentReference) -> None:
        snapshot = document.get()
        if snapshot.exists:
            parts.append(f"{document.path} {snapshot.to_dict()}")
        for collection in document.collections():
            for child in collection.list_documents():
                walk(child)

    walk(client.document(f"orgs/{org_id}"))
    with duckdb.connect(str(services.settings.duckdb_path)) as connection:
        for table in services.warehouse.tables_with_column("org_id"):
            rows = connection.execute(
                f"SELECT * FROM reachops.{table} WHERE org_id = ?",  # noqa: S608
                [org_id],
            ).fetchall()
            parts.append(f"{table} {rows}")
    return "\n".join(parts)


@pytest.fixture
def world(local_stack: object, clean_firestore: None, tmp_path: Path) -> tuple[Services, Principal]:
    services = people_services(tmp_path)
    org, key = services.orgs.create_org("Erasure Inc")
    return services, Principal(org.org_id, key.key_id, Role.ADMIN)


def test_erasure_leaves_nothing_of_the_person_and_everything_of_others(
    world: tuple[Services, Principal],
) -> None:
    services, admin = world
    org_id = admin.org_id
    elsewhere, _ = services.orgs.create_org("Bystander Inc")
    people = services.people
    person = people.resolve(org_id, email=EMAIL, visitor_id="v-erase", source="form")
    other = people.resolve(org_id, email=OTHER_EMAIL, visitor_id="v-keep", source="form")
    assert person is not None
    assert other is not None
    people.resolve(org_id, email=None, visitor_id="v-erase", source="t")
    people.link(admin, LinkPersonInteractions(email=EMAIL, visitor_id="v-erase-2"))
    people.update(admin, person, PersonUpdate(social_handles=[HANDLE]))
    people.update(admin, other, PersonUpdate(social_handles=[OTHER_HANDLE]))
    email_hash = services.pii.email_hash(EMAIL)
    mine = {"org_id": org_id, PERSON_COLUMN: person, EMAIL_HASH_COLUMN: email_hash}
    theirs = {
        "org_id": org_id,
        PERSON_COLUMN: other,
        EMAIL_HASH_COLUMN: services.pii.email_hash(OTHER_EMAIL),
    }
    with duckdb.connect(str(services.settings.duckdb_path)) as connection:
        for column in NAMING:
            for table in services.warehouse.tables_with_column(column):
                if table in {"people", "person_visitors"}:
                    continue
                for visitor in ("v-erase", "v-erase-2"):
                    insert(connection, table, {**mine, VISITOR_COLUMN: visitor})
                insert(connection, table, {**theirs, VISITOR_COLUMN: "v-keep"})
                insert(connection, table, {"org_id": elsewhere.org_id, VISITOR_COLUMN: "v-erase"})
        for table in services.warehouse.tables_with_column("source_id"):
            if "source_type" in _columns(connection, table):
                insert(
                    connection,
                    table,
                    {"org_id": org_id, "source_id": "fb-mine", "content_hash": "hash-of-mine"},
                )
        insert(connection, "feedback", {**mine, "feedback_id": "fb-mine", VISITOR_COLUMN: None})
    services.store.set(
        f"{feedback_collection(org_id)}/fb-mine", {"feedback_id": "fb-mine", "person_id": person}
    )
    services.store.set(
        f"{feedback_collection(org_id)}/fb-visitor",
        {"feedback_id": "fb-visitor", "visitor_id": "v-erase-2"},
    )
    services.store.set(
        f"{feedback_collection(org_id)}/fb-other", {"feedback_id": "fb-other", "person_id": other}
    )
    cache = sentiment_cache_collection(org_id)
    services.store.set(
        f"{cache}/mine", {"content_hash": "hash-of-mine", "result": {"keywords": ["my knee"]}}
    )
    services.store.set(f"{cache}/someone", {"content_hash": "hash-of-theirs", "result": {}})
    assert EMAIL not in all_text(services, org_id)
    names = {**mine}
    before = named_rows(services, names)
    assert before, "the person is in the warehouse before"
    assert {"people.person_id", "person_visitors.person_id"} <= set(before)
    kept_before = named_rows(services, theirs)

    services.people.erase(admin, person)

    assert named_rows(services, names) == {}
    for visitor in ("v-erase", "v-erase-2"):
        assert named_rows(services, {"org_id": org_id, VISITOR_COLUMN: visitor}) == {}
        assert services.people.person_of_visitor(org_id, visitor) is None
    assert named_rows(services, theirs) == kept_before
    assert named_rows(services, {"org_id": elsewhere.org_id, VISITOR_COLUMN: "v-erase"})
    left = all_text(services, org_id)
    assert person not in left
    assert email_hash not in left
    assert "v-erase" not in left
    assert "fb-mine" not in left
    assert "fb-other" in left
    assert "my knee" not in left  # the cached sentiment of their text is gone too
    assert HANDLE.handle not in left  # their handle's row and its claim
    assert services.store.get(handle_claim_path(org_id, HANDLE.key)) is None
    assert services.store.get(handle_claim_path(org_id, OTHER_HANDLE.key)) == {"person_id": other}
    assert services.store.get(f"{cache}/someone") is not None
    assert EMAIL not in left

    services.people.erase(admin, person)  # a repeat: nothing more, no error
    again = people.resolve(org_id, email=EMAIL, visitor_id=None, source="t")
    assert again is not None
    assert again != person
    retaken = people.update(admin, again, PersonUpdate(social_handles=[HANDLE]))
    assert retaken.social_handles == [HANDLE]  # the erased person's handle is free again


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    found = connection.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'reachops' AND table_name = ?",
        [table],
    ).fetchall()
    return {row[0] for row in found}
