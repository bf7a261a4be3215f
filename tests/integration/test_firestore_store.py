"""The Firestore adapter against the emulator: the guarantees services build on."""

from __future__ import annotations

from typing import Any

import pytest

from shared.bootstrap import Services
from shared.errors import Conflict

pytestmark = pytest.mark.integration


def test_create_writes_once_and_reports_a_second_attempt(app_services: Services) -> None:
    store = app_services.store
    assert store.create("things/a", {"n": 1}) is True
    assert store.create("things/a", {"n": 2}) is False
    assert store.get("things/a") == {"n": 1}


def test_atomic_update_sees_current_data_and_an_abort_writes_nothing(
    app_services: Services,
) -> None:
    store = app_services.store
    store.set("counters/c", {"value": 1})

    def bump(data: dict[str, Any] | None) -> dict[str, Any]:
        assert data is not None
        return {"value": data["value"] + 1}

    assert store.update_atomically("counters/c", bump) == {"value": 2}

    def refuse(data: dict[str, Any] | None) -> dict[str, Any]:
        raise Conflict("no")

    with pytest.raises(Conflict):
        store.update_atomically("counters/c", refuse)
    assert store.get("counters/c") == {"value": 2}


def test_query_filters_orders_and_resumes_after_a_position(app_services: Services) -> None:
    store = app_services.store
    for i in range(6):
        store.set(f"items/i{i}", {"rank": i, "kind": "even" if i % 2 == 0 else "odd"})

    evens = store.query("items", where=[("kind", "==", "even")], order_by=[("rank", "desc")])
    assert [d.id for d in evens] == ["i4", "i2", "i0"]

    rest = store.query("items", order_by=[("rank", "asc")], start_after=[2], limit=2)
    assert [d.data["rank"] for d in rest] == [3, 4]


def test_delete_tree_removes_a_document_and_everything_below(app_services: Services) -> None:
    store = app_services.store
    store.set("orgs/o1", {"name": "o"})
    store.set("orgs/o1/campaigns/c1", {"name": "c"})
    store.set("orgs/o1/campaigns/c1/activity/e1", {"type": "x"})
    store.set("orgs/o2", {"name": "other"})

    store.delete_tree("orgs/o1")

    assert store.get("orgs/o1") is None
    assert store.get("orgs/o1/campaigns/c1/activity/e1") is None
    assert store.get("orgs/o2") == {"name": "other"}
