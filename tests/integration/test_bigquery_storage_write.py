"""The Storage Write adapter against a BigQueryWrite service over real gRPC (the real
google-cloud-bigquery-storage client; bigquery_write_standin.py checks offsets as the API
does): rows land once each, in order, decodable with the descriptor the adapter sent; an
append whose reply was lost is retried at the same offset and its ALREADY_EXISTS is success;
an append that keeps failing abandons its stream and raises Unavailable; the tracking intake
writes through it when given one (production), and the dedupe view drops a second copy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import grpc  # type: ignore[import-untyped]
import pytest
from google.api_core.retry import Retry, if_transient_error
from google.cloud.bigquery_storage_v1 import BigQueryWriteClient
from google.cloud.bigquery_storage_v1.services.big_query_write.transports import (
    BigQueryWriteGrpcTransport,
)

from shared.adapters.bigquery_write import StorageWriteAppender, message_class
from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.bootstrap import Services
from shared.config import Settings
from shared.errors import Unavailable
from shared.tracking.intake import TrackIntake
from shared.tracking.limits import IntakeLimits
from tests.integration.bigquery_write_standin import WriteStandIn, serve
from tests.integration.test_track_events_store import new_site, page_view

pytestmark = pytest.mark.integration

QUICK_RETRY = Retry(predicate=if_transient_error, initial=0.01, maximum=0.05, timeout=1.0)
AT = datetime(2026, 3, 16, 10, 0, 0, 123456, tzinfo=UTC)


def event(n: int) -> dict[str, Any]:
    return {
        "org_id": "o1",
        "site_id": "s1",
        "event_id": f"e{n}",
        "source": "browser",
        "event_type": "page_view",
        "occurred_at": AT + timedelta(seconds=n),
        "received_at": AT,
        "url": "https://shop.example/",
        "value_micros": None,
    }


@pytest.fixture
def standin() -> Iterator[tuple[WriteStandIn, StorageWriteAppender]]:
    service = WriteStandIn()
    server, port = serve(service)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    transport = BigQueryWriteGrpcTransport(channel=channel)
    client = BigQueryWriteClient(transport=transport)  # type: ignore[no-untyped-call]
    sql_dir: Path = Settings().sql_dir
    yield service, StorageWriteAppender(client, "p1", "track_events", sql_dir, QUICK_RETRY)
    channel.close()
    server.stop(grace=None)


def landed(service: WriteStandIn) -> dict[str, list[tuple[str, int]]]:
    """Per stream, each stored row's (event_id, occurred_at micros), decoded with the
    descriptor the client sent."""
    out = {}
    for stream, rows in service.rows.items():
        row_class = message_class(service.descriptors[stream])
        decoded = [row_class.FromString(raw) for raw in rows]
        out[stream] = [(r.event_id, r.occurred_at) for r in decoded]
    return out


def micros(n: int) -> int:
    return int((AT + timedelta(seconds=n)).timestamp()) * 1_000_000 + 123456


def test_appends_land_once_each_in_order_on_one_committed_stream(
    standin: tuple[WriteStandIn, StorageWriteAppender],
) -> None:
    service, appender = standin
    appender.append([event(1), event(2)])
    appender.append([event(3)])
    assert list(landed(service).values()) == [[(f"e{n}", micros(n)) for n in (1, 2, 3)]]


def test_an_append_whose_reply_was_lost_is_retried_at_its_offset_and_lands_once(
    standin: tuple[WriteStandIn, StorageWriteAppender],
) -> None:
    service, appender = standin
    appender.append([event(1)])
    service.lose_responses = 1  # e2 lands, the reply does not: the retry is ALREADY_EXISTS
    appender.append([event(2)])
    appender.append([event(3)])  # at offset 2, not 1: nothing is mistaken for the retry
    assert service.answered_already_exists == 1
    assert list(landed(service).values()) == [[(f"e{n}", micros(n)) for n in (1, 2, 3)]]


def test_an_append_that_keeps_failing_abandons_its_stream(
    standin: tuple[WriteStandIn, StorageWriteAppender],
) -> None:
    service, appender = standin
    appender.append([event(1)])
    service.refuse_all = True
    with pytest.raises(Unavailable):
        appender.append([event(2)])
    service.refuse_all = False
    appender.append([event(2)])  # the client's resend, on a new stream from offset 0
    assert sorted(landed(service).values()) == [[("e1", micros(1))], [("e2", micros(2))]]


def test_an_event_stored_twice_is_one_row_of_track_events_unique(tmp_path: Path) -> None:
    """What no offset covers (a resend on a new stream) the analysts' view drops: the same
    BigQuery SQL, on DuckDB."""
    warehouse = DuckDbWarehouse(tmp_path / "w.duckdb", Settings().sql_dir)
    warehouse.apply_schema()
    first, resent = event(1), {**event(1), "received_at": AT + timedelta(minutes=5)}
    for row in (first, resent, event(2)):
        warehouse.merge_rows(
            "track_events",
            [row],
            ["org_id", "site_id", "event_id", "received_at"],
            update_existing=False,
        )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        stored = connection.execute("SELECT count(*) FROM reachops.track_events").fetchone()
        unique = connection.execute(
            "SELECT event_id, received_at FROM reachops.track_events_unique ORDER BY event_id"
        ).fetchall()
    assert stored == (3,)
    assert [(e, r.replace(tzinfo=UTC) if r.tzinfo is None else r) for e, r in unique] == [
        ("e1", AT),
        ("e2", AT),
    ]


def test_the_intake_lands_its_rows_through_the_appender_it_is_given(
    app_services: Services, standin: tuple[WriteStandIn, StorageWriteAppender]
) -> None:
    """Production's wiring (Services.track_events_appender): the intake's rows, every column
    of the DDL, go to the Storage Write appender instead of the warehouse MERGE."""
    service, appender = standin
    intake = TrackIntake(
        app_services.store,
        app_services.warehouse,
        app_services.sites,
        IntakeLimits(),
        appender=appender,
    )
    admin, site = new_site(app_services, "Appended")
    result = intake.record(admin.org_id, site.site_id, [page_view("p1"), page_view("p2")])

    assert result.accepted == 2
    assert [e for e, _ in next(iter(landed(service).values()))] == ["p1", "p2"]
    seen = app_services.warehouse.run(
        "queries/track_events_seen.sql",
        {
            "org_id": admin.org_id,
            "site_id": site.site_id,
            "event_ids": ["p1"],
            "since_date": AT.date(),
        },
    )
    assert seen == []  # nothing went through the MERGE
