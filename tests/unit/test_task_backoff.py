"""The local dispatcher paces and retries exactly as Cloud Tasks documents it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.localstack.task_dispatcher import next_dispatch_at
from shared.topology import QueueSpec


def queue(**overrides: float) -> QueueSpec:
    settings: dict[str, object] = {
        "target_function": "f",
        "max_dispatches_per_second": 5,
        "max_concurrent_dispatches": 2,
        "max_attempts": 10,
        "min_backoff_seconds": 10,
        "max_backoff_seconds": 300,
        "max_doublings": 3,
    }
    settings.update(overrides)
    return QueueSpec.model_validate(settings)


def test_backoff_doubles_then_grows_linearly_then_caps_as_cloud_tasks_documents() -> None:
    # cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RetryConfig
    spec = queue()
    assert [spec.backoff_seconds(n) for n in range(1, 9)] == [10, 20, 40, 80, 160, 240, 300, 300]


@given(
    st.integers(min_value=1, max_value=50),
    st.floats(min_value=0.1, max_value=100),
    st.floats(min_value=100, max_value=3600),
    st.integers(min_value=0, max_value=16),
)
def test_backoff_never_shrinks_and_stays_within_bounds(
    retry: int, low: float, high: float, doublings: int
) -> None:
    spec = queue(min_backoff_seconds=low, max_backoff_seconds=high, max_doublings=doublings)
    delay = spec.backoff_seconds(retry)
    assert low <= delay <= high
    assert spec.backoff_seconds(retry + 1) >= delay


@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=0.01, max_value=500))
def test_dispatches_are_spaced_by_the_rate(last: float, rate: float) -> None:
    assert next_dispatch_at(last, last, rate) == last + 1 / rate
    assert next_dispatch_at(None, last, rate) == last
    assert next_dispatch_at(last, last + 10_000, rate) == last + 10_000
