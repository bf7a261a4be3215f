"""HTTP entry point: segments (rule and RFM), their members and their calculation."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.http.api import Call, HttpApi, Reply
from shared.segments.models import MemberQuery, SegmentCreate, SegmentListQuery, SegmentUpdate


def create_segment(call: Call) -> Reply:
    return Reply(201, services().segments.create(call.principal, call.body(SegmentCreate)))


def list_segments(call: Call) -> Reply:
    return Reply(200, services().segments.list(call.principal, call.query(SegmentListQuery)))


def get_segment(call: Call) -> Reply:
    return Reply(200, services().segments.get(call.principal, call.path["segment_id"]))


def update_segment(call: Call) -> Reply:
    patch = call.body(SegmentUpdate)
    return Reply(200, services().segments.update(call.principal, call.path["segment_id"], patch))


def delete_segment(call: Call) -> Reply:
    services().segments.delete(call.principal, call.path["segment_id"])
    return Reply(204)


def list_segment_members(call: Call) -> Reply:
    query = call.query(MemberQuery)
    page = services().segments.members(call.principal, call.path["segment_id"], query)
    return Reply(200, page)


def calculate_segment(call: Call) -> Reply:
    return Reply(200, services().segments.calculate(call.principal, call.path["segment_id"]))


api = HttpApi(
    "segments_api",
    {
        "createSegment": create_segment,
        "listSegments": list_segments,
        "getSegment": get_segment,
        "updateSegment": update_segment,
        "deleteSegment": delete_segment,
        "listSegmentMembers": list_segment_members,
        "calculateSegment": calculate_segment,
    },
)


@functions_framework.http
def segments_api(request: flask.Request) -> flask.Response:
    return api(request)
