"""The local dispatcher takes a task only as Cloud Tasks IAM would: from a function granted
roles/cloudtasks.enqueuer on that queue (the topology's `enqueues`, which terraform's
`enqueuer_bindings` read too), or the operator; and the code a function runs presents that
function's own identity."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from werkzeug.test import Client

from shared.localstack.host import TaskDispatcherApp
from shared.localstack.identities import (
    OPERATOR,
    TASKS_INVOKER,
    LocalIdentities,
    caller_account,
    function_account,
    serving_function,
)
from shared.localstack.task_dispatcher import (
    QueueWorker,
    RequireEnqueuer,
    enqueue_audience,
    enqueuers,
)
from shared.topology import load_topology

SYNC = "meta-insights"
IDENTITIES = LocalIdentities("k" * 32, "reachops-local")
TASK = {"task_id": "t1", "payload": {"n": 1}, "delay_seconds": 3600}  # never delivered here


@pytest.fixture
def dispatcher() -> Iterator[Client]:
    topology = load_topology()
    worker = QueueWorker(SYNC, topology.queues[SYNC], "http://127.0.0.1:9/unreachable")
    app = RequireEnqueuer(TaskDispatcherApp({SYNC: worker}), enqueuers(topology), IDENTITIES)
    yield Client(app)
    worker.stop()


def enqueue_as(client: Client, account: str, audience: str = enqueue_audience(SYNC)) -> int:
    headers = IDENTITIES.headers(account, audience)
    return client.post(f"/{SYNC}", json=TASK, headers=headers).status_code


def test_a_function_that_declares_the_queue_may_enqueue_and_another_may_not(
    dispatcher: Client,
) -> None:
    assert load_topology().enqueuers(SYNC) == [
        "ad_accounts_api",
        "insights_schedule",
        "insights_sync",
    ]
    assert enqueue_as(dispatcher, function_account("insights_sync")) == 201
    assert enqueue_as(dispatcher, function_account("scrape_runner")) == 403  # another queue's
    assert enqueue_as(dispatcher, TASKS_INVOKER) == 403  # delivers tasks, creates none


def test_no_token_or_a_token_for_another_queue_is_refused(dispatcher: Client) -> None:
    assert dispatcher.post(f"/{SYNC}", json=TASK).status_code == 401
    insights = function_account("insights_sync")
    assert enqueue_as(dispatcher, insights, enqueue_audience("apify-runs")) == 401
    assert dispatcher.get(f"/{SYNC}").status_code == 200  # reading the queue's state is open


def test_the_operator_may_enqueue_anywhere(dispatcher: Client) -> None:
    assert enqueue_as(dispatcher, OPERATOR) == 201


def test_code_acts_as_the_function_being_served_and_as_the_operator_outside_one() -> None:
    assert caller_account() == OPERATOR
    serving = serving_function.set("insights_sync")
    try:
        assert caller_account() == "fn-insights-sync"
    finally:
        serving_function.reset(serving)


def test_function_accounts_follow_terraforms_rule() -> None:
    """fn-<name with dashes>, cut to 30 characters, without a trailing dash (locals.tf)."""
    assert function_account("a_name_that_is_much_too_long_x") == "fn-a-name-that-is-much-too-lon"
    assert function_account("abcdefghijklmnopqrstuvwxyz_a") == "fn-abcdefghijklmnopqrstuvwxyz"
