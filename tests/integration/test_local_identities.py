"""The local stack admits a function's callers as production's IAM does: only the identities
terraform grants roles/run.invoker on it (derived from shared/topology.yaml, as terraform
derives them), and the gateway alone says what the caller's Authorization was."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from google.cloud.pubsub import SubscriberClient
from werkzeug.test import Client
from werkzeug.wrappers import Response

from shared.bootstrap import Services
from shared.localstack.identities import (
    GATEWAY,
    IDENTITY_PARAM,
    PUBLIC,
    PUBSUB_PUSH,
    SCHEDULER,
    TASKS_INVOKER,
    LocalIdentities,
    RequireInvoker,
    invokers,
)
from shared.localstack.stack import StackInfo
from shared.topology import Topology, load_topology, subscription_name

ROOT = Path(__file__).resolve().parents[2]
CALLERS = (GATEWAY, PUBSUB_PUSH, TASKS_INVOKER, SCHEDULER)


def fn(stack: StackInfo, name: str) -> str:
    return f"{stack.functions_base_url}/{name}"


# --- The grants, from the one declaration ---------------------------------------------------


def test_the_local_callers_are_the_service_accounts_terraform_makes() -> None:
    iam = (ROOT / "terraform" / "iam.tf").read_text(encoding="utf-8")
    declared = set(re.findall(r'account_id\s*=\s*"([a-z0-9-]+)"', iam))
    assert set(CALLERS) <= declared


def test_the_grants_follow_terraforms_rules() -> None:
    """iam.tf grants roles/run.invoker to the gateway on the API functions, to the push
    identity on every subscriber, to the tasks invoker on each queue's target, to the scheduler
    on each schedule's target, and to allUsers on the webhooks (locals.tf, iam.tf)."""
    iam = (ROOT / "terraform" / "iam.tf").read_text(encoding="utf-8")
    for targets, account in [
        ("gateway_backends", "gateway"),
        ("push_targets", "pubsub_push"),
        ("task_targets", "tasks_invoker"),
        ("schedule_targets", "scheduler"),
    ]:
        grant = rf"for name in local\.{targets} : .*google_service_account\.{account}\.member"
        assert re.search(grant, iam), targets
    public = r"for_each = local\.public_functions(?:\n.*){1,5}member\s+= \"allUsers\""
    assert re.search(public, iam)

    topology = load_topology()
    granted = invokers(topology)
    assert granted["org_api"] == {GATEWAY}
    assert granted["apify_webhook"] == {PUBLIC}
    assert granted["scrape_ingest"] == {PUBSUB_PUSH}
    assert granted["scrape_runner"] == {TASKS_INVOKER}
    assert granted["scrape_monitor"] == {SCHEDULER}
    for name, spec in topology.functions.items():
        assert granted[name], f"{name} ({spec.trigger}) could be called by no one"


def test_an_iam_mistake_in_the_declaration_shows_up_as_a_403() -> None:
    """Drop scrape_ingest's subscription from the topology: terraform would grant the push
    identity nothing on it, and locally its push is refused just the same."""
    declared = load_topology().model_dump()
    declared["functions"]["scrape_ingest"]["subscribes"] = []
    mistaken = Topology.model_validate(declared)
    identities = LocalIdentities("k" * 32, "reachops-local")

    def handler(environ: Any, start_response: Any) -> Any:
        return Response("handled")(environ, start_response)

    def push(topology: Topology) -> int:
        guard = RequireInvoker(
            handler, "scrape_ingest", invokers(topology)["scrape_ingest"], identities
        )
        endpoint = identities.push_endpoint("http://local/fn/scrape_ingest", "scrape_ingest")
        return Client(guard).post("/?" + urlsplit(endpoint).query).status_code

    assert push(load_topology()) == 200
    assert push(mistaken) == 403


# --- On the running stack -------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize(
    ("function", "granted", "refused"),
    [
        ("scrape_monitor", SCHEDULER, TASKS_INVOKER),
        ("scrape_runner", TASKS_INVOKER, SCHEDULER),
        ("scrape_ingest", PUBSUB_PUSH, GATEWAY),
        ("campaigns_api", GATEWAY, PUBSUB_PUSH),
    ],
)
def test_a_caller_without_the_grant_gets_403_and_one_without_a_token_401(
    local_stack: StackInfo, clean_firestore: None, function: str, granted: str, refused: str
) -> None:
    url = fn(local_stack, function)
    with httpx.Client(timeout=120) as client:
        assert client.post(url, json={}).status_code == 401
        wrong = client.post(url, json={}, headers=local_stack.invoker_headers(refused, function))
        assert wrong.status_code == 403
        assert refused in wrong.json()["error"]["message"]
        right = client.post(url, json={}, headers=local_stack.invoker_headers(granted, function))
    assert right.status_code not in (401, 403), right.text


@pytest.mark.integration
def test_a_token_for_another_function_or_under_another_key_is_refused(
    local_stack: StackInfo,
) -> None:
    url = fn(local_stack, "scrape_monitor")
    elsewhere = local_stack.invoker_headers(SCHEDULER, "outbox_relay")
    assert httpx.post(url, headers=elsewhere, timeout=30).status_code == 401
    forged = LocalIdentities("another key entirely", local_stack.project_id)
    assert httpx.post(url, headers=forged.headers(SCHEDULER, "scrape_monitor")).status_code == 401


@pytest.mark.integration
def test_webhooks_stay_public(local_stack: StackInfo) -> None:
    answer = httpx.post(fn(local_stack, "apify_webhook"), json={}, timeout=30)
    assert answer.status_code == 422  # the function's own check, not the invoker check


@pytest.mark.integration
def test_every_push_subscription_carries_the_push_identity_for_its_function(
    local_stack: StackInfo,
) -> None:
    subscriber = SubscriberClient()
    identities = local_stack.identities()
    try:
        for function_name, topic in load_topology().subscriptions():
            path = subscriber.subscription_path(
                local_stack.project_id, subscription_name(function_name, topic)
            )
            endpoint = subscriber.get_subscription(subscription=path).push_config.push_endpoint
            assert endpoint.startswith(fn(local_stack, function_name) + "?")
            (token,) = parse_qs(urlsplit(endpoint).query)[IDENTITY_PARAM]
            assert identities.account_of(token, function_name) == PUBSUB_PUSH
    finally:
        subscriber.close()


@pytest.mark.integration
def test_the_gateway_drops_a_client_sent_forwarded_authorization(
    local_stack: StackInfo, app_services: Services
) -> None:
    """Only the gateway may say what the caller's Authorization was: a client that sends
    X-Forwarded-Authorization itself, and no Authorization, is a caller with no key."""
    _, key = app_services.orgs.create_org("Forwarded")
    api = f"{local_stack.api_base_url}/v1/organization"
    honest = httpx.get(api, headers={"Authorization": f"Bearer {key.api_key}"}, timeout=30)
    assert honest.status_code == 200
    smuggled = httpx.get(api, headers={"X-Forwarded-Authorization": f"Bearer {key.api_key}"})
    assert smuggled.status_code == 401
    assert smuggled.json()["error"]["message"] == "missing Authorization header"


@pytest.mark.integration
def test_an_api_function_is_not_reachable_around_the_gateway(
    local_stack: StackInfo, app_services: Services
) -> None:
    _, key = app_services.orgs.create_org("Around")
    direct = httpx.get(
        f"{fn(local_stack, 'org_api')}/v1/organization",
        headers={"X-Forwarded-Authorization": f"Bearer {key.api_key}"},
        timeout=30,
    )
    assert direct.status_code == 401
