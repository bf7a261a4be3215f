"""The OpenAPI document, the handlers and the topology agree: a route exists in one place."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from pydantic import ValidationError

from shared.auth import ROLE_PERMISSIONS, Permission, Role
from shared.creators.models import CreatorUpdate
from shared.errors import InvalidJson, ReachOpsError, ValidationFailed
from shared.http.json_input import MAX_DEPTH, parse_json
from shared.http.openapi import backend_names, load_spec, operations
from shared.http.openapi_schemas import component_schemas
from shared.topology import load_topology

ROOT = Path(__file__).resolve().parents[2]


def test_the_document_is_valid_openapi() -> None:
    validate(load_spec())


def test_component_schemas_match_the_pydantic_models() -> None:
    assert load_spec()["components"]["schemas"] == component_schemas(), (
        "run `python scripts/openapi.py` after changing an API model"
    )


def test_backends_are_exactly_the_api_functions() -> None:
    assert sorted(backend_names()) == sorted(load_topology().api_functions())
    assert {op.backend for op in operations()} == set(backend_names())


def test_operation_ids_are_unique_and_each_needs_a_permission() -> None:
    ids = [op.operation_id for op in operations()]
    assert len(ids) == len(set(ids))
    assert all(op.permission is not None for op in operations() if not op.public)
    # A public operation (`security: []`) authenticates its caller itself: it names no role.
    assert all(op.permission is None for op in operations() if op.public)


@pytest.mark.parametrize("function_name", load_topology().api_functions())
def test_each_http_function_handles_exactly_its_operations(function_name: str) -> None:
    # HttpApi refuses to build (so the module refuses to import) when they differ.
    module = __import__(function_name)
    declared = {op.operation_id for op in operations() if op.backend == function_name}
    assert set(module.api._handlers) == declared


def test_main_exports_every_topology_function_and_nothing_else() -> None:
    tree = ast.parse((ROOT / "functions" / "main.py").read_text())
    exported = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
    )
    assert sorted(exported) == sorted(load_topology().functions)


def test_roles_are_strictly_nested() -> None:
    ranked = [Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER]
    for weaker, stronger in itertools.pairwise(ranked):
        assert ROLE_PERMISSIONS[weaker] < ROLE_PERMISSIONS[stronger]
    assert ROLE_PERMISSIONS[Role.VIEWER] == {Permission.READ}
    assert Permission.DELETE_ORG in ROLE_PERMISSIONS[Role.OWNER]


def test_topology_names_only_declared_topics() -> None:
    topology = load_topology()
    for spec in topology.functions.values():
        assert set(spec.publishes) <= set(topology.topics)
        assert set(spec.subscribes) <= set(topology.topics)
    event_types = [topic.event_type for topic in topology.topics.values()]
    assert len(event_types) == len(set(event_types))


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"budget": NaN}', "budget"),
        (b'{"a": {"b": [1, Infinity]}}', "a.b.1"),
        (b'{"a": -Infinity}', "a"),
        (b'{"rate": 1e400}', "rate"),
        (b'{"budget": 9223372036854775808}', "budget"),
        (b'{"budget": -9223372036854775809}', "budget"),
        (b'{"budget": 1' + b"0" * 5000 + b"}", "budget"),
    ],
)
def test_numbers_no_store_can_hold_are_a_422_naming_the_field(raw: bytes, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_json(raw)
    assert caught.value.field == field


def test_numbers_inside_int64_and_finite_floats_pass_unchanged() -> None:
    raw = b'{"a": 9223372036854775807, "b": -9223372036854775808, "c": 1.5e300}'
    assert parse_json(raw) == {"a": 2**63 - 1, "b": -(2**63), "c": 1.5e300}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 10_000, 200_000])
def test_json_nested_past_the_limit_is_a_400_not_a_recursion_error(depth: int) -> None:
    with pytest.raises(InvalidJson) as caught:
        parse_json(b"[" * depth + b"]" * depth)
    assert caught.value.status == 400


@pytest.mark.parametrize("raw", [b"\xff\xfe", b'{"a": 1', b""])
def test_bytes_that_are_not_json_are_a_400(raw: bytes) -> None:
    with pytest.raises(ReachOpsError) as caught:
        parse_json(raw)
    assert caught.value.status == 400


@pytest.mark.parametrize("field", ["name", "profiles", "niches", "status"])
def test_a_patch_may_omit_a_required_field_but_not_null_it(field: str) -> None:
    assert CreatorUpdate.model_validate({"location": None}).location is None
    with pytest.raises(ValidationError) as caught:
        CreatorUpdate.model_validate({field: None})
    assert caught.value.errors()[0]["loc"] == (field,)
