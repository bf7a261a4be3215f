"""The daily segment run (SegmentService over the Firestore emulator and a DuckDB warehouse):
it calculates exactly the active segments with auto_update, as of the start of the UTC day, a
rerun the same day changes nothing, and an older day's rerun never replaces a newer manual
calculation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.segments.models import MemberQuery, RfmSettings, SegmentCreate
from shared.segments.service import SegmentService
from tests.integration.segment_world import generate, segment_warehouse

pytestmark = pytest.mark.integration

ORG = "org-daily"
DAY = datetime(2026, 6, 2, tzinfo=UTC)
EVERYONE = MemberQuery.model_validate({"limit": 1000})


def test_the_daily_run_calculates_due_segments_once_per_day(
    app_services: Services, tmp_path: Path
) -> None:
    warehouse = segment_warehouse(tmp_path)
    people, journey = generate(ORG, 200, 3000, DAY, seed=3)
    for frame, table, keys in (
        (people, "people", ("org_id", "person_id")),
        (journey, "journey_events", ("org_id", "source_id")),
    ):
        rows = [
            {str(k): (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
            for r in frame.to_dict("records")
        ]
        warehouse.merge_rows(table, rows, keys, update_existing=False)
    store = app_services.store
    store.set(f"orgs/{ORG}", {"name": "Daily"})
    now = [DAY + timedelta(hours=4)]
    service = SegmentService(
        store, warehouse, default_page_size=50, max_page_size=1000, clock=lambda: now[0]
    )
    member = Principal(ORG, "key-1", Role.MEMBER)
    buyers = {"event": "purchase", "count": {">=": 1}}
    due = service.create(member, SegmentCreate(name="Buyers", criteria=buyers))
    rfm = service.create(
        member, SegmentCreate(name="RFM", kind="rfm", rfm=RfmSettings(currency="EUR"))
    )
    manual = service.create(
        member, SegmentCreate(name="Manual", criteria=buyers, auto_update=False)
    )
    paused = service.create(member, SegmentCreate(name="Paused", criteria=buyers, active=False))

    assert service.calculate_daily() == 2
    first = {s.segment_id: service.get(member, s.segment_id).calculation for s in (due, rfm)}
    for calculation in first.values():
        assert calculation is not None
        assert calculation.computed_at == DAY
        assert calculation.members > 0
    for idle in (manual, paused):
        assert service.get(member, idle.segment_id).calculation is None
    members = service.members(member, due.segment_id, EVERYONE).items
    assert len(members) == first[due.segment_id].members  # type: ignore[union-attr]
    scored = service.members(member, rfm.segment_id, EVERYONE).items
    assert all(m.rfm is not None and m.rfm.currency == "EUR" for m in scored)

    now[0] = DAY + timedelta(hours=9)  # the same day's rerun
    assert service.calculate_daily() == 2
    assert service.members(member, due.segment_id, EVERYONE).items == members
    again = service.get(member, due.segment_id).calculation
    assert again == first[due.segment_id]

    later = service.calculate(member, due.segment_id)  # as of now, after the day's start
    assert later.computed_at == now[0]
    now[0] = DAY + timedelta(hours=10)
    assert service.calculate_daily() == 1  # the RFM segment; Buyers has newer members
    assert service.get(member, due.segment_id).calculation == later
    assert {m.computed_at for m in service.members(member, due.segment_id, EVERYONE).items} == {
        later.computed_at
    }
