"""The campaign_activity function as Pub/Sub push delivers to it: a real push envelope through
functions-framework, against the Firestore emulator and a DuckDB warehouse."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import duckdb
import functions_framework
import pytest
from flask.testing import FlaskClient

from shared.bootstrap import Services, services
from shared.campaigns.service import activity_collection
from shared.config import get_settings
from shared.events import Actor, DomainEvent

pytestmark = pytest.mark.integration
MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"


@pytest.fixture
def client(clean_firestore: None) -> FlaskClient:
    app = functions_framework.create_app("campaign_activity", str(MAIN))  # type: ignore[no-untyped-call]
    test_client: FlaskClient = app.test_client()
    return test_client


def push_envelope(data: bytes, message_id: str = "1") -> dict[str, Any]:
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": {"event_type": "campaign.activated"},
            "messageId": message_id,
            "publishTime": "2026-11-21T05:00:00Z",
        },
        "subscription": "projects/reachops-local/subscriptions/campaign-activated--x",
    }


def activated(event_id: str = "c1.v2") -> DomainEvent:
    return DomainEvent(
        event_id=event_id,
        type="campaign.activated",
        org_id="org1",
        subject_id="c1",
        actor=Actor(id="key1", role="MEMBER"),
        data={"campaign_name": "Launch", "from": "draft", "to": "active"},
    )


def warehouse_rows(event_id: str) -> int:
    services().warehouse  # noqa: B018 - the schema exists once the warehouse is built
    with duckdb.connect(str(get_settings().duckdb_path)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM reachops.campaign_events WHERE event_id = ?", [event_id]
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_an_event_lands_on_the_timeline_and_in_the_warehouse(
    client: FlaskClient, app_services: Services
) -> None:
    event = activated()
    response = client.post("/", json=push_envelope(event.model_dump_json().encode()))

    assert response.status_code == 200
    entry = app_services.store.get(f"{activity_collection('org1', 'c1')}/c1.v2")
    assert entry is not None
    assert entry["type"] == "campaign.activated"
    assert entry["summary"] == "api_key key1 (MEMBER) activated the campaign"
    assert warehouse_rows("c1.v2") == 1


def test_a_redelivered_event_has_no_second_effect(
    client: FlaskClient, app_services: Services
) -> None:
    payload = activated("c1.v7").model_dump_json().encode()
    for message_id in ("1", "1", "2"):
        assert client.post("/", json=push_envelope(payload, message_id)).status_code == 200

    timeline = app_services.store.query(activity_collection("org1", "c1"))
    assert [d.id for d in timeline] == ["c1.v7"]
    assert warehouse_rows("c1.v7") == 1


@pytest.mark.parametrize(
    "data", [b"not json", b'{"type": "campaign.activated"}', b"\xff\xfe", b"[]"]
)
def test_a_poison_message_is_acknowledged_and_writes_nothing(
    client: FlaskClient, app_services: Services, data: bytes
) -> None:
    response = client.post("/", json=push_envelope(data))

    assert response.status_code == 200
    assert app_services.store.query(activity_collection("org1", "c1")) == []
