"""The OpenAPI document as the routing table.

Each operation names its backend function (`x-google-backend`, as GCP API Gateway reads it),
the permission it needs (`x-reachops-permission`) and what it charges to the per-key quotas
(`x-google-quota`). The local gateway routes by it and each
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
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "options")
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    backend: str
    permission: Permission | None
    has_body: bool
    metric_costs: tuple[tuple[str, int], ...]
    """`x-google-quota.metricCosts`: what one call charges to each quota metric."""
    public: bool = False
    """`security: []`: no API key; the handler authenticates the caller (shared/http/public.py)."""


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
                    metric_costs=_metric_costs(operation),
                    public=operation.get("security") == [],
                )
            )
    return found


def _metric_costs(operation: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    """An operation without `x-google-quota` is charged nothing, as API Gateway charges it;
    tests/unit/test_rate_limit_quotas.py requires every operation to declare one."""
    costs: dict[str, int] = operation.get("x-google-quota", {}).get("metricCosts", {})
    return tuple(costs.items())


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


def quota_limits() -> dict[str, int]:
    """Per metric, what one API key may spend per minute (`x-google-api-management.quota`)."""
    limits = load_spec()["x-google-api-management"]["quota"]["limits"].values()
    return {limit["metric"]: int(limit["values"]) for limit in limits}


def backend_names() -> list[str]:
    backends: dict[str, Any] = load_spec()["x-google-api-management"]["backends"]
    return list(backends)
