"""Every operation of every function is reached by its own method and path, the same whether
the path has parameters (werkzeug's matcher) or none (the table of fixed paths looked up
first), with or without a trailing slash; another method on a known path is a 405."""

from __future__ import annotations

import re
from collections.abc import Callable

import flask
import pytest
from werkzeug.test import EnvironBuilder

from shared.errors import MethodNotAllowed, NotFound
from shared.http.logging import RequestFacts
from shared.http.openapi import Operation, backend_names, operations
from shared.http.routing import RoutedApi


def unused_handler() -> None:
    raise AssertionError("routing alone is under test")


def routed(backend: str) -> RoutedApi[Callable[[], None]]:
    ids = {op.operation_id for op in operations() if op.backend == backend}
    return RoutedApi(backend, dict.fromkeys(ids, unused_handler))


def request(method: str, path: str) -> flask.Request:
    return flask.Request(EnvironBuilder(path=path, method=method).get_environ())


def concrete(operation: Operation) -> tuple[str, dict[str, str]]:
    """The operation's path with each parameter given a value named after it."""
    names = re.findall(r"\{(\w+)\}", operation.path)
    values = {name: f"{name}-1" for name in names}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], operation.path), values


CASES = [pytest.param(op, id=f"{op.method} {op.path}") for op in operations()]


@pytest.mark.parametrize("operation", CASES)
@pytest.mark.parametrize("slash", ["", "/"])
def test_each_operation_is_reached_by_its_method_and_path(operation: Operation, slash: str) -> None:
    api = routed(operation.backend)
    path, parameters = concrete(operation)
    facts = RequestFacts()

    found, path_parameters = api._match(request(operation.method, path + slash), facts)

    assert (found.operation_id, path_parameters) == (operation.operation_id, parameters)
    assert facts.route == operation.path


@pytest.mark.parametrize("backend", backend_names())
def test_another_method_is_a_405_and_an_unknown_path_a_404(backend: str) -> None:
    api = routed(backend)
    operation = next(op for op in operations() if op.backend == backend)
    path, _ = concrete(operation)
    taken = {op.method for op in operations() if op.path == operation.path}
    method = next(m for m in ("DELETE", "PUT", "PATCH", "POST", "GET") if m not in taken)

    with pytest.raises(MethodNotAllowed):
        api._match(request(method, path), RequestFacts())
    with pytest.raises(NotFound):
        api._match(request("GET", "/v1/no-such-thing"), RequestFacts())
