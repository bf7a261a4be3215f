"""A local BigQueryWrite service over real gRPC (CreateWriteStream, AppendRows), checking
offsets as the Storage Write API documents for COMMITTED streams: an append at the stream's end
lands, one at an offset the stream already holds is ALREADY_EXISTS, one past the end is
OUT_OF_RANGE (each an in-stream `error` status, rows untouched). Faults it injects:
`lose_responses` appends land but the connection drops before the reply (UNAVAILABLE), as a
reset does; `refuse_all` fails every append (UNAVAILABLE) without landing it."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator
from concurrent import futures
from typing import Any

import grpc  # type: ignore[import-untyped]
from google.cloud.bigquery_storage_v1 import types
from google.protobuf import descriptor_pb2
from google.rpc import status_pb2  # type: ignore[import-untyped]

SERVICE = "google.cloud.bigquery.storage.v1.BigQueryWrite"
ALREADY_EXISTS, OUT_OF_RANGE = 6, 11


class WriteStandIn:
    def __init__(self) -> None:
        self.rows: dict[str, list[bytes]] = {}
        self.descriptors: dict[str, descriptor_pb2.DescriptorProto] = {}
        self.lose_responses = 0
        self.refuse_all = False
        self.answered_already_exists = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def create_write_stream(
        self, request: types.CreateWriteStreamRequest, context: grpc.ServicerContext
    ) -> types.WriteStream:
        assert request.write_stream.type_ == types.WriteStream.Type.COMMITTED
        name = f"{request.parent}/streams/s{next(self._ids)}"
        with self._lock:
            self.rows[name] = []
        return types.WriteStream(name=name, type_=types.WriteStream.Type.COMMITTED)

    def append_rows(
        self, requests: Iterable[types.AppendRowsRequest], context: grpc.ServicerContext
    ) -> Iterator[types.AppendRowsResponse]:
        stream = ""
        for request in requests:
            stream = request.write_stream or stream
            if self.refuse_all:
                _drop(context, "the service is unavailable")
                return
            data = request.proto_rows
            if data.writer_schema.proto_descriptor.name:
                raw = types.ProtoSchema.pb(data.writer_schema).proto_descriptor
                self.descriptors[stream] = descriptor_pb2.DescriptorProto.FromString(
                    raw.SerializeToString()
                )
            with self._lock:
                stored = self.rows[stream]
                offset = len(stored) if request.offset is None else int(request.offset)
                if offset < len(stored):
                    self.answered_already_exists += 1
                    yield _error(ALREADY_EXISTS, f"offset {offset} already written")
                    continue
                if offset > len(stored):
                    yield _error(OUT_OF_RANGE, f"offset {offset} is past the end {len(stored)}")
                    continue
                stored.extend(data.rows.serialized_rows)
                lose = self.lose_responses > 0
                self.lose_responses -= int(lose)
            if lose:
                _drop(context, "connection reset by peer")
                return
            yield types.AppendRowsResponse(
                append_result=types.AppendRowsResponse.AppendResult(offset=offset),
                write_stream=stream,
            )


def _drop(context: grpc.ServicerContext, why: str) -> None:
    """End the call as UNAVAILABLE (a generator handler ends it by returning)."""
    context.set_code(grpc.StatusCode.UNAVAILABLE)
    context.set_details(why)


def _error(code: int, message: str) -> types.AppendRowsResponse:
    return types.AppendRowsResponse(error=status_pb2.Status(code=code, message=message))


def serve(standin: WriteStandIn) -> tuple[grpc.Server, int]:
    handlers: dict[str, Any] = {
        "CreateWriteStream": grpc.unary_unary_rpc_method_handler(
            standin.create_write_stream,
            request_deserializer=types.CreateWriteStreamRequest.deserialize,
            response_serializer=types.WriteStream.serialize,
        ),
        "AppendRows": grpc.stream_stream_rpc_method_handler(
            standin.append_rows,
            request_deserializer=types.AppendRowsRequest.deserialize,
            response_serializer=types.AppendRowsResponse.serialize,
        ),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, handlers)])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port
