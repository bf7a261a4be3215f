"""The OpenAPI document, the handlers and the topology agree: a route exists in one place."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from shared.auth import ROLE_PERMISSIONS, Permission, Role
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
    assert all(op.permission is not None for op in operations())


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
