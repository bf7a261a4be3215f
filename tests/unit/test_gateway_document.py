"""The API Gateway document, rendered as terraform renders it, is one GCP accepts.

API Gateway reads OpenAPI 3.x with Google's extensions (docs.cloud.google.com/api-gateway/docs/
oasv3-extensions): a root `x-google-api-management` whose `backends` map names each backend;
a Backend has a required `address` and must set `jwtAudience` or `disableAuth`; optional
`pathTranslation` (APPEND_PATH_TO_ADDRESS | CONSTANT_ADDRESS), `deadline` (seconds) and
`protocol` (http/1.1 | h2). An operation's `x-google-backend` is a string naming one backend.
Our functions only admit callers holding roles/run.invoker, so the gateway must mint an ID
token for the function's URL (`jwtAudience`): `disableAuth` would forward the caller's own
Authorization header and Cloud Run would refuse every request.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.topology import load_topology

OPENAPI = Path(__file__).resolve().parents[2] / "shared" / "http" / "openapi.yaml"
BACKEND_FIELDS = {
    "address",
    "jwtAudience",
    "disableAuth",
    "pathTranslation",
    "deadline",
    "protocol",
}
PATH_TRANSLATIONS = {"APPEND_PATH_TO_ADDRESS", "CONSTANT_ADDRESS"}
PROTOCOLS = {"http/1.1", "h2"}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def function_url(name: str) -> str:
    """What terraform passes for each placeholder: the function's service_config uri."""
    return f"https://{name.replace('_', '-')}-abc123-ew.a.run.app"


def rendered(text: str) -> dict[str, Any]:
    """templatefile(): `${name}` is the function's URL; any other `${...}` or `%{` directive
    would be read as terraform template syntax and break the deployment."""
    assert "%{" not in text, "a %{ directive in the document is terraform template syntax"
    names = set(_PLACEHOLDER.findall(text))
    assert names <= set(load_topology().api_functions()), names
    document: dict[str, Any] = yaml.safe_load(
        _PLACEHOLDER.sub(lambda m: function_url(m.group(1)), text)
    )
    return document


def backend_problems(document: dict[str, Any]) -> list[str]:
    """Every rule of the OpenAPI 3.x extension the document breaks, as readable lines."""
    problems = []
    if not str(document.get("openapi", "")).startswith("3."):
        problems.append("x-google-api-management needs an OpenAPI 3.x document")
    backends = document.get("x-google-api-management", {}).get("backends") or {}
    if not backends:
        problems.append("x-google-api-management.backends is required")
    for name, backend in backends.items():
        problems += [f"{name}: {problem}" for problem in _backend_rules(backend)]
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            target = operation.get("x-google-backend")
            if not isinstance(target, str) or target not in backends:
                problems.append(f"{method.upper()} {path}: x-google-backend names no backend")
    return problems


def _backend_rules(backend: dict[str, Any]) -> list[str]:
    broken = []
    unknown = set(backend) - BACKEND_FIELDS
    if unknown:
        broken.append(f"unknown fields {sorted(unknown)}")
    if not str(backend.get("address", "")).startswith("https://"):
        broken.append("address must be the function's https URL")
    if ("jwtAudience" in backend) == ("disableAuth" in backend):
        broken.append("set exactly one of jwtAudience or disableAuth")
    if "disableAuth" in backend and not isinstance(backend["disableAuth"], bool):
        broken.append("disableAuth is a boolean")
    if backend.get("pathTranslation", "APPEND_PATH_TO_ADDRESS") not in PATH_TRANSLATIONS:
        broken.append(f"pathTranslation {backend['pathTranslation']!r}")
    deadline = backend.get("deadline", 15.0)
    if not isinstance(deadline, int | float) or deadline <= 0:
        broken.append("deadline must be a positive number of seconds")
    if backend.get("protocol", "http/1.1") not in PROTOCOLS:
        broken.append(f"protocol {backend['protocol']!r}")
    return broken


def test_the_rendered_gateway_document_follows_googles_extension_rules() -> None:
    assert backend_problems(rendered(OPENAPI.read_text(encoding="utf-8"))) == []


def test_each_backend_gets_an_id_token_for_its_own_function() -> None:
    """Cloud Run checks the token's audience against the service URL: the gateway must not
    forward the caller's header (disableAuth) nor mint a token for another function."""
    backends = rendered(OPENAPI.read_text(encoding="utf-8"))["x-google-api-management"]["backends"]
    for name, backend in backends.items():
        assert backend.get("disableAuth") is not True, name
        assert backend["jwtAudience"] == backend["address"] == function_url(name)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda b: b.pop("jwtAudience"), "set exactly one of jwtAudience or disableAuth"),
        (lambda b: b.update(disableAuth=True), "set exactly one of jwtAudience or disableAuth"),
        (lambda b: b.update(jwt_audience="x"), "unknown fields ['jwt_audience']"),
        (lambda b: b.update(pathTranslation="APPEND"), "pathTranslation 'APPEND'"),
        (lambda b: b.update(protocol="http2"), "protocol 'http2'"),
        (lambda b: b.update(deadline=0), "deadline must be a positive number of seconds"),
    ],
)
def test_the_checker_catches_each_broken_rule(change: Any, problem: str) -> None:
    """The rules above are only worth something if a broken backend fails them."""
    document = rendered(OPENAPI.read_text(encoding="utf-8"))
    name, backend = next(iter(document["x-google-api-management"]["backends"].items()))
    change(backend)
    assert f"{name}: {problem}" in backend_problems(document)
