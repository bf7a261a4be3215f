"""An organization with something in every place its deletion must reach: keys, a vaulted
token, a pending OAuth state, a Firestore tree, and one row in every warehouse table that has an
org_id; plus readers that look at each place directly (the emulator and the DuckDB file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
from cryptography.fernet import Fernet
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adaccounts.models import ConnectRequest
from shared.adaccounts.service import OAUTH_STATES, connection_path
from shared.auth import API_KEYS, Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate
from shared.config import Settings
from shared.orgs.settings import OrgSettings
from shared.topology import load_topology
from shared.tracking.sites import SiteCreate

_FILLERS: dict[str, Any] = {
    "VARCHAR": "x",
    "BIGINT": 0,
    "INTEGER": 0,
    "DOUBLE": 0.0,
    "BOOLEAN": False,
    "DATE": date(2026, 11, 20),
    "TIMESTAMP WITH TIME ZONE": datetime(2026, 11, 20, tzinfo=UTC),
    "TIMESTAMP": datetime(2026, 11, 20),
}


def purge_services(tmp_path: Path) -> Services:
    settings = Settings(
        duckdb_path=tmp_path / "warehouse.duckdb",
        local_token_key=Fernet.generate_key().decode(),
        oauth_state_secret="state-secret",
        meta_app_id="1234",
        meta_oauth_redirect_uri="https://app.example/meta/callback",
    )
    return Services(settings, load_topology())


@dataclass
class SeededOrg:
    org_id: str
    owner: Principal
    api_keys: list[str]
    token_reference: str


def seed_org(services: Services, name: str) -> SeededOrg:
    org, owner_key = services.orgs.create_org(name)
    owner = Principal(org.org_id, owner_key.key_id, Role.OWNER)
    viewer = services.orgs.create_key_for_org(org.org_id, Role.VIEWER, "dashboard")
    brand = services.brands.create(owner, BrandCreate(name=f"{name} brand"))
    services.sites.create(
        owner,
        SiteCreate(
            name=f"{name} shop", brand_id=brand.brand_id, allowed_origins=["https://shop.example"]
        ),
    )
    services.settings_service.replace(owner, OrgSettings(post_refresh_days=10))
    services.ad_accounts.connect(owner, ConnectRequest())
    reference = services.token_vault.store(f"{org.org_id}-c1", f"EAAB-{name}")
    services.store.set(
        connection_path(org.org_id, "c1"), {"token_reference": reference, "account_ids": ["1"]}
    )
    with duckdb.connect(str(services.settings.duckdb_path)) as connection:
        for table in services.warehouse.tables_with_column("org_id"):
            _insert_row(connection, table, org.org_id)
    return SeededOrg(org.org_id, owner, [owner_key.api_key, viewer.api_key], reference)


def _insert_row(connection: duckdb.DuckDBPyConnection, table: str, org_id: str) -> None:
    """One row with every NOT NULL column filled by its type, org_id set to the org."""
    columns = connection.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'reachops' AND table_name = ? AND is_nullable = 'NO'",
        [table],
    ).fetchall()
    values = {name: org_id if name == "org_id" else _FILLERS[kind] for name, kind in columns}
    values.setdefault("org_id", org_id)
    listed = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    connection.execute(
        f"INSERT INTO reachops.{table} ({listed}) VALUES ({marks})",  # noqa: S608 - test schema
        list(values.values()),
    )


def warehouse_rows(services: Services, org_id: str) -> dict[str, int]:
    """Rows of the org per table, read from the DuckDB file itself."""
    counts: dict[str, int] = {}
    with duckdb.connect(str(services.settings.duckdb_path)) as connection:
        for table in services.warehouse.tables_with_column("org_id"):
            row = connection.execute(
                f"SELECT count(*) FROM reachops.{table} WHERE org_id = ?",  # noqa: S608
                [org_id],
            ).fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


def firestore_documents(services: Services, org_id: str) -> list[str]:
    """Every document left that belongs to the org: its tree (walked through the emulator's own
    client, so nothing the port hides), its keys, its OAuth states and its vaulted tokens."""
    client = firestore.Client(project=services.settings.project_id)
    found: list[str] = []

    def walk(document: firestore.DocumentReference) -> None:
        if document.get().exists:
            found.append(document.path)
        for collection in document.collections():
            for child in collection.list_documents():
                walk(child)

    walk(client.document(f"orgs/{org_id}"))
    for collection in (API_KEYS, OAUTH_STATES):
        found += [
            f"{collection}/{doc.id}"
            for doc in client.collection(collection)
            .where(filter=FieldFilter("org_id", "==", org_id))
            .stream()
        ]
    found += [
        f"token_vault/{doc.id}"
        for doc in client.collection("token_vault").list_documents()
        if doc.id.startswith(org_id)
    ]
    return found
