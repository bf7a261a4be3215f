"""The OpenAPI document as the routing table.

Each operation names its backend function (`x-google-backend`, as GCP API Gateway reads it)
and the permission it needs (`x-reachops-permission`). The local gateway routes by it and each
HTTP function dispatches by it, so a route exists in exactly one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from werkzeug.routing import Map, Rule

from shared.auth import Permission

SPEC_RESOURCE = "http/openapi.yaml"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    backend: str
    permission: Permission | None
    has_body: bool


def spec_text() -> str:
    return resources.files("shared").joinpath(SPEC_RESOURCE).read_text(encoding="utf-8")


@cache
def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(spec_text())
    return spec


def operations() -> list[Operation]:
    found = []
    for path, item in load_spec()["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            permission = operation.get("x-reachops-permission")
            found.append(
                Operation(
                    operation_id=operation["operationId"],
                    method=method.upper(),
                    path=path,
                    backend=operation["x-google-backend"],
                    permission=Permission(permission) if permission else None,
                    has_body="requestBody" in operation,
                )
            )
    return found


def werkzeug_path(openapi_path: str) -> str:
    return _PATH_PARAMETER.sub(r"<\1>", openapi_path)


def route_map(backend: str | None = None) -> Map:
    """Routes for one backend function (or all, for the gateway); endpoint = the Operation."""
    rules = [
        Rule(werkzeug_path(op.path), methods=[op.method], endpoint=op)
        for op in operations()
        if backend is None or op.backend == backend
    ]
    return Map(rules, strict_slashes=False, merge_slashes=False)


def backend_names() -> list[str]:
    backends: dict[str, Any] = load_spec()["x-google-api-management"]["backends"]
    return list(backends)
