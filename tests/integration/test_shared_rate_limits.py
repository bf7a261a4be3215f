"""Per-key quotas in production: two instances of an API function (each its own HttpApi, its
own Services and Firestore client, as two Cloud Run instances are) spend one budget per key,
counted in the Firestore emulator, and the call past it is a 429 with Retry-After that runs no
handler; another key of the same organization keeps its own budget."""

from __future__ import annotations

from pathlib import Path

import flask
import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from shared.auth import Role
from shared.bootstrap import Services
from shared.config import Settings
from shared.http.api import FORWARDED_AUTHORIZATION, Call, HttpApi, Reply
from shared.http.openapi import quota_limits, route_map
from shared.topology import load_topology

pytestmark = pytest.mark.integration

FUNCTION = "ad_accounts_api"
FORECAST = "/v1/campaigns/campaign-x/forecast"  # an expensive read: the tighter limit


def instance(services: Services, handled: list[str]) -> HttpApi:
    def answer(call: Call) -> Reply:
        handled.append(call.principal.key_id)
        return Reply(200, {})

    declared = {rule.endpoint.operation_id for rule in route_map(FUNCTION).iter_rules()}
    return HttpApi(FUNCTION, dict.fromkeys(declared, answer), app=lambda: services)


def get(api: HttpApi, key: str, path: str = FORECAST) -> flask.Response:
    headers = Headers({FORWARDED_AUTHORIZATION: f"Bearer {key}"})
    environ = EnvironBuilder(path=path, headers=headers)
    return api(flask.Request(environ.get_environ()))


def test_two_instances_share_one_budget_per_key(app_services: Services, tmp_path: Path) -> None:
    org, owner = app_services.orgs.create_org("limits")
    other = app_services.orgs.create_key_for_org(org.org_id, Role.VIEWER, "other")
    second = Services(Settings(duckdb_path=tmp_path / "second.duckdb"), load_topology())
    handled: list[str] = []
    instances = [instance(app_services, handled), instance(second, handled)]
    limit = quota_limits()["expensive-reads"]

    statuses = {get(instances[n % 2], owner.api_key).status_code for n in range(limit)}
    assert statuses == {200}
    for api in instances:
        refused = get(api, owner.api_key)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.get_json()["error"]["code"] == "rate_limited"
    assert len(handled) == limit  # a refused call reaches no handler

    assert get(instances[1], other.api_key).status_code == 200
