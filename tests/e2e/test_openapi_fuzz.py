"""An independent fuzzer (schemathesis) over every operation of the OpenAPI document, against
the local stack: valid and invalid input alike must never be a server error, and every status
code and content type that comes back must be the one the document describes.

Each operation runs in a fresh organization with its OWNER key (so it may delete it), from a
fixed seed and a bounded number of examples, so the run is the same every time and short.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.auth import Role
from shared.http.openapi import load_spec, operations
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 8
SEED = 20261201
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SCHEMA = schemathesis.openapi.from_dict(load_spec())


@pytest.mark.parametrize(("method", "path"), [(op.method, op.path) for op in operations()], ids=str)
def test_no_input_makes_a_server_error_or_an_undocumented_reply(
    local_stack: StackInfo, tenant: Tenant, method: str, path: str
) -> None:
    operation = SCHEMA[path][method]
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    authorization = tenant[Role.OWNER].headers["Authorization"]

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def fuzz(case: Any) -> None:
        case.call_and_validate(
            base_url=local_stack.api_base_url,
            headers={"Authorization": authorization},
            checks=CHECKS,
            timeout=30,
        )

    fuzz()
