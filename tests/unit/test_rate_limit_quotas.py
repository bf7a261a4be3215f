"""The per-key quotas: the gateway document declares them the way API Gateway reads them
(docs.cloud.google.com/api-gateway/docs/oasv3-extensions: `x-google-api-management.metrics`
maps a metric name to {displayName}, `quota.limits` maps a limit name to {metric, values}, and
an operation's `x-google-quota.metricCosts` maps metric to cost), and the in-memory counter
admits exactly that many calls per consumer per minute (the shared one, in Firestore:
tests/integration/test_shared_rate_limits.py)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import RateLimited
from shared.http.limits import WINDOW_SECONDS, MinuteQuotas, consumer_of
from shared.http.openapi import HTTP_METHODS, load_spec, quota_limits

EXPENSIVE = "expensive-reads"
EVERY_CALL = "api-requests"
EXPENSIVE_READS = {
    "getAdAccountKpis",
    "getAdAccountBreakdowns",
    "getCampaignForecast",
    "getBudgetRecommendation",
}


def document_operations() -> list[dict[str, Any]]:
    return [
        item[method]
        for item in load_spec()["paths"].values()
        for method in HTTP_METHODS
        if method in item
    ]


def test_metrics_and_limits_follow_the_extension_rules() -> None:
    management = load_spec()["x-google-api-management"]
    metrics = management["metrics"]
    assert all(set(metric) <= {"displayName"} for metric in metrics.values())
    assert set(management["quota"]) == {"limits"}
    limits = management["quota"]["limits"].values()
    assert all(set(limit) == {"metric", "values"} for limit in limits)
    assert all(limit["metric"] in metrics for limit in limits)
    assert all(isinstance(limit["values"], int) and limit["values"] > 0 for limit in limits)
    assert set(quota_limits()) == set(metrics)


def test_every_operation_is_charged_and_documents_its_429() -> None:
    metrics = load_spec()["x-google-api-management"]["metrics"]
    for operation in document_operations():
        costs = operation["x-google-quota"]["metricCosts"]
        assert costs.get(EVERY_CALL) == 1, operation["operationId"]
        assert set(costs) <= set(metrics), operation["operationId"]
        assert all(isinstance(cost, int) and cost > 0 for cost in costs.values())
        limited = operation["responses"]["429"]["$ref"]
        assert limited == "#/components/responses/RateLimited", operation["operationId"]
    limited_reply = load_spec()["components"]["responses"]["RateLimited"]
    assert "Retry-After" in limited_reply["headers"]


def test_expensive_reads_and_refreshable_reads_get_the_tighter_limit() -> None:
    """API Gateway charges by operation, not by query string: an operation that takes
    `?refresh=true` is charged as expensive on every call, here and in production alike."""
    charged = set()
    for operation in document_operations():
        parameters = {p.get("name") for p in operation.get("parameters", [])}
        if EXPENSIVE in operation["x-google-quota"]["metricCosts"]:
            charged.add(operation["operationId"])
        elif "refresh" in parameters:
            pytest.fail(f"{operation['operationId']} takes ?refresh= but is not expensive")
    assert charged >= EXPENSIVE_READS
    assert quota_limits()[EXPENSIVE] < quota_limits()[EVERY_CALL]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_call_past_the_limit_is_refused_with_the_seconds_left_and_charges_nothing() -> None:
    clock = Clock()
    quotas = MinuteQuotas({EVERY_CALL: 3, EXPENSIVE: 2}, clock)
    for _ in range(2):
        quotas.charge("key-a", [(EVERY_CALL, 1), (EXPENSIVE, 1)])
    clock.now += 20.5
    with pytest.raises(RateLimited) as refused:
        quotas.charge("key-a", [(EVERY_CALL, 1), (EXPENSIVE, 1)])
    assert refused.value.status == 429
    assert refused.value.retry_after == 40
    assert refused.value.to_body()["error"]["code"] == "rate_limited"
    quotas.charge("key-a", [(EVERY_CALL, 1)])  # the refused call spent none of this metric
    with pytest.raises(RateLimited):
        quotas.charge("key-a", [(EVERY_CALL, 1)])


def test_another_key_is_counted_on_its_own_and_the_window_reopens_after_a_minute() -> None:
    clock = Clock()
    quotas = MinuteQuotas({EVERY_CALL: 1}, clock)
    quotas.charge("key-a", [(EVERY_CALL, 1)])
    quotas.charge("key-b", [(EVERY_CALL, 1)])
    with pytest.raises(RateLimited):
        quotas.charge("key-a", [(EVERY_CALL, 1)])
    clock.now += WINDOW_SECONDS
    quotas.charge("key-a", [(EVERY_CALL, 1)])


def test_a_metric_without_a_limit_is_a_configuration_error_not_a_free_pass() -> None:
    with pytest.raises(KeyError):
        MinuteQuotas({EVERY_CALL: 1}).charge("key-a", [("typo-requests", 1)])


def test_a_consumer_is_named_by_a_hash_never_by_the_key() -> None:
    key = "ro_k1_secret-part"
    assert key not in consumer_of(key)
    assert consumer_of(key) != consumer_of("ro_k1_other-secret")
