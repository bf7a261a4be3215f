"""Rows appended to a BigQuery table through the Storage Write API, exactly once per offset.

Production's tracking intake lands events this way (architecture: "the BigQuery Storage Write
API (committed stream)"): an append is visible to queries at once, costs no DML quota and no
load job, and needs only `bigquery.tables.updateData` on the table.

- Rows travel as protocol buffers whose descriptor is derived from the table's DDL in
  bigquery_sql/schema/ (`table_columns`, parsed with sqlglot, the one definition), so a column
  another change adds to the file is in the next append without a copy to keep in step.
  TIMESTAMP is micros since the epoch (int64), DATE days since the epoch (int32), the way the
  API reads them; a NOT NULL column is `required`.
- Each instance appends to its own COMMITTED stream with explicit offsets (the stream's row
  count before the append). A retried append carries the same offset, so if the first try
  landed the API answers ALREADY_EXISTS, which is success: Storage Write's exactly-once is per
  stream and offset. An append whose outcome stays unknown after the retries abandons the
  stream (the next append opens a new one, so no later batch can be mistaken for it) and
  raises Unavailable: the client resends, and the events that did land are stored twice. What
  no offset can cover (a client's resend, a batch re-sent on a new stream) is what
  `reachops.track_events_unique` (one row per event id, the earliest received) covers for
  every reader.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlglot
from google.api_core.exceptions import (
    AlreadyExists,
    GoogleAPICallError,
    RetryError,
    ServiceUnavailable,
    from_grpc_status,
)
from google.api_core.retry import Retry, if_transient_error
from google.cloud.bigquery_storage_v1 import BigQueryWriteClient, types
from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory
from sqlglot import exp

from shared.adapters.group_commit import GroupCommit
from shared.adapters.sql_files import DATASET
from shared.errors import Unavailable

_F = descriptor_pb2.FieldDescriptorProto
_PROTO_TYPES = {
    "STRING": _F.TYPE_STRING,
    "INT64": _F.TYPE_INT64,
    "FLOAT64": _F.TYPE_DOUBLE,
    "BOOL": _F.TYPE_BOOL,
    "TIMESTAMP": _F.TYPE_INT64,
    "DATE": _F.TYPE_INT32,
}
"""BigQuery column type -> the proto field type the Storage Write API accepts for it."""
ALREADY_EXISTS = 6
"""google.rpc.Code of an append whose offset the stream already holds (an earlier try landed)."""
APPEND_RETRY = Retry(predicate=if_transient_error, initial=0.2, maximum=5.0, timeout=30.0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool


@cache
def table_columns(sql_dir: Path, table: str) -> tuple[Column, ...]:
    """The table's columns in DDL order, from bigquery_sql/schema/<table>.sql."""
    text = (sql_dir / "schema" / f"{table}.sql").read_text(encoding="utf-8")
    create = next(s for s in sqlglot.parse(text, read="bigquery") if isinstance(s, exp.Create))
    columns = []
    for column in create.this.expressions:
        if not isinstance(column, exp.ColumnDef) or column.kind is None:
            continue
        kind = column.kind.sql("bigquery").upper()
        if kind not in _PROTO_TYPES:
            raise ValueError(f"{table}.{column.name}: no Storage Write encoding for {kind}")
        required = any(isinstance(c.kind, exp.NotNullColumnConstraint) for c in column.constraints)
        columns.append(Column(column.name, kind, required))
    return tuple(columns)


def row_descriptor(table: str, columns: Sequence[Column]) -> descriptor_pb2.DescriptorProto:
    """The proto2 message of one row: field i+1 is the table's i-th column."""
    descriptor = descriptor_pb2.DescriptorProto(name=f"{table}_row")
    for number, column in enumerate(columns, start=1):
        descriptor.field.add(
            name=column.name,
            number=number,
            type=_PROTO_TYPES[column.type],
            label=_F.LABEL_REQUIRED if column.required else _F.LABEL_OPTIONAL,
        )
    return descriptor


def message_class(descriptor: descriptor_pb2.DescriptorProto) -> type[message.Message]:
    """A Python class for `descriptor`, in a pool of its own (no global registry touched)."""
    file = descriptor_pb2.FileDescriptorProto(
        name=f"reachops_{descriptor.name}.proto", package="reachops", syntax="proto2"
    )
    file.message_type.add().CopyFrom(descriptor)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    found: type[message.Message] = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(f"reachops.{descriptor.name}")
    )
    return found


def _wire_value(column: Column, value: Any) -> Any:
    if column.type == "TIMESTAMP":
        delta = value.astimezone(UTC) - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if column.type == "DATE":
        return (value - date(1970, 1, 1)).days
    return value


def encode_row(
    row_class: type[message.Message], columns: Sequence[Column], row: Mapping[str, Any]
) -> bytes:
    """One row as the API reads it; None is NULL (absent). An unknown key, a missing NOT NULL
    value or a value of the wrong type is a ValueError naming the column."""
    unknown = set(row) - {c.name for c in columns}
    if unknown:
        raise ValueError(f"columns not in the table: {sorted(unknown)}")
    encoded = row_class()
    for column in columns:
        value = row.get(column.name)
        if value is None:
            if column.required:
                raise ValueError(f"{column.name}: NOT NULL column without a value")
            continue
        try:
            setattr(encoded, column.name, _wire_value(column, value))
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{column.name} is {column.type}, not {type(value).__name__}") from exc
    wire: bytes = encoded.SerializeToString()
    return wire


class StorageWriteAppender:
    """Appends rows of one table on this instance's COMMITTED stream, one append at a time
    (offsets are the stream's order): the rows of concurrent calls share one append
    (group_commit.py), and each call returns once its own rows are committed."""

    def __init__(
        self,
        client: BigQueryWriteClient,
        project: str,
        table: str,
        sql_dir: Path,
        retry: Retry = APPEND_RETRY,
    ) -> None:
        self._client = client
        self._table_path = client.table_path(project, DATASET, table)
        self._columns = table_columns(sql_dir, table)
        descriptor = row_descriptor(table, self._columns)
        self._schema = types.ProtoSchema(proto_descriptor=descriptor)
        self._row_class = message_class(descriptor)
        self._retry = retry
        self._lock = threading.Lock()
        self._stream: str | None = None
        self._offset = 0
        self._group = GroupCommit(self._append_now)

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows a wrong type or a missing NOT NULL value fails are refused before any wait."""
        serialized = [encode_row(self._row_class, self._columns, row) for row in rows]
        self._group.write(serialized)

    def _append_now(self, serialized: list[bytes]) -> None:
        with self._lock:
            stream = self._stream or self._open_stream()
            request = types.AppendRowsRequest(
                write_stream=stream,
                offset=self._offset,
                proto_rows=types.AppendRowsRequest.ProtoData(
                    writer_schema=self._schema,
                    rows=types.ProtoRows(serialized_rows=serialized),
                ),
            )
            try:
                self._retry(self._send)(request)
            except (GoogleAPICallError, RetryError) as exc:
                self._stream, self._offset = None, 0  # its end is unknown now
                raise Unavailable(f"BigQuery Storage Write append failed: {exc}") from exc
            self._offset += len(serialized)

    def _open_stream(self) -> str:
        stream = self._client.create_write_stream(
            parent=self._table_path,
            write_stream=types.WriteStream(type_=types.WriteStream.Type.COMMITTED),
        )
        self._stream, self._offset = stream.name, 0
        return str(stream.name)

    def _send(self, request: types.AppendRowsRequest) -> None:
        """One append; ALREADY_EXISTS (this offset landed on an earlier try) is success."""
        try:
            response = next(iter(self._client.append_rows(iter([request]))), None)
        except AlreadyExists:
            return
        if response is None:  # the call ended without a reply: its outcome is unknown
            raise ServiceUnavailable(  # type: ignore[no-untyped-call]
                "the append call ended without a reply"
            )
        if response.row_errors:
            raise ValueError(f"rows refused by BigQuery: {list(response.row_errors)[:3]}")
        if response.error.code and response.error.code != ALREADY_EXISTS:
            raise from_grpc_status(  # type: ignore[no-untyped-call]
                response.error.code, response.error.message
            )
