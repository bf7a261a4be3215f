"""Reading Apify API requests: bodies (gzip or deflate, as apify-client may send them), query
parameters and run options, and the dataset-items window with Apify's pagination headers."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Request, Response

from shared.localstack.apify.common import ApiError, json_response

NO_LIMIT = 999_999_999_999


def request_body(request: Request) -> bytes:
    raw = request.get_data(cache=False)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    try:
        if encoding == "gzip":
            return gzip.decompress(raw)
        if encoding == "deflate":
            return zlib.decompress(raw)
    except (OSError, zlib.error) as exc:
        raise ApiError(400, "invalid-body", f"the body is not valid {encoding}") from exc
    if encoding not in ("", "identity"):
        raise ApiError(415, "unsupported-content-encoding", f"cannot decode {encoding!r}")
    return raw


def int_arg(args: Mapping[str, str], name: str, minimum: int, maximum: int | None) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise ApiError(400, "invalid-parameter", f"{name} must be an integer") from exc
    if value < minimum or (maximum is not None and value > maximum):
        raise ApiError(400, "invalid-parameter", f"{name} is out of range")
    return value


def bool_arg(args: Mapping[str, str], name: str) -> bool:
    return str(args.get(name, "")).lower() in ("1", "true")


def run_options(args: Mapping[str, str]) -> dict[str, Any]:
    memory = int_arg(args, "memory", 128, 32768) or 1024
    if memory & (memory - 1):
        raise ApiError(400, "invalid-parameter", "memory must be a power of 2")
    options: dict[str, Any] = {
        "memoryMbytes": memory,
        "timeoutSecs": int_arg(args, "timeout", 0, maximum=None) or 3600,
        "maxItems": int_arg(args, "maxItems", 0, maximum=None),
    }
    if args.get("maxTotalChargeUsd"):
        try:
            options["maxTotalChargeUsd"] = float(args["maxTotalChargeUsd"])
        except ValueError as exc:
            raise ApiError(400, "invalid-parameter", "maxTotalChargeUsd must be a number") from exc
    return options


def items_response(request: Request, items: list[Any]) -> Response:
    """`GET .../items`: offset, limit, desc, clean, skipEmpty, skipHidden, fields, omit."""
    if request.args.get("format", "json") != "json":
        raise ApiError(400, "invalid-parameter", "This local stand-in serves format=json only")
    desc = bool_arg(request.args, "desc")
    offset = int_arg(request.args, "offset", 0, maximum=None) or 0
    limit = int_arg(request.args, "limit", 0, maximum=None) or NO_LIMIT
    window = (items[::-1] if desc else items)[offset : offset + limit]
    clean = bool_arg(request.args, "clean")
    skip_hidden = clean or bool_arg(request.args, "skipHidden")
    skip_empty = clean or bool_arg(request.args, "skipEmpty")
    pick = [f for f in request.args.get("fields", "").split(",") if f]
    omit = {f for f in request.args.get("omit", "").split(",") if f}
    out = []
    for stored in window:
        item = stored
        if isinstance(item, dict):
            if skip_hidden:
                item = {k: v for k, v in item.items() if not k.startswith("#")}
            if pick:
                item = {k: item[k] for k in pick if k in item}
            item = {k: v for k, v in item.items() if k not in omit}
        if skip_empty and not item:
            continue
        out.append(item)
    headers = {
        "X-Apify-Pagination-Offset": str(offset),
        "X-Apify-Pagination-Limit": str(limit),
        "X-Apify-Pagination-Count": str(len(window)),
        "X-Apify-Pagination-Total": str(len(items)),
        "X-Apify-Pagination-Desc": str(desc).lower(),
    }
    return json_response(200, out, headers)
