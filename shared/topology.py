"""The declared topology (functions, topics, queues, schedules) as typed objects.

terraform reads the same `topology.yaml`, so the code never spells a topic or queue name that
production does not have.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

DEAD_LETTER_SUFFIX = "-dead-letter"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FunctionSpec(_Frozen):
    trigger: Literal["api", "webhook", "task", "schedule", "pubsub"]
    description: str
    memory: str
    timeout_seconds: int
    uses: tuple[
        Literal[
            "firestore",
            "bigquery",
            "bigquery_read",
            "track_events",
            "tasks",
            "apify",
            "meta",
            "meta_webhook",
            "oauth",
            "tokens",
            "vault",
            "pii",
            "anthropic",
        ],
        ...,
    ] = ()
    publishes: tuple[str, ...] = ()
    subscribes: tuple[str, ...] = ()
    enqueues: tuple[str, ...] = ()
    """The queues it creates tasks in: terraform grants roles/cloudtasks.enqueuer on exactly
    these, and the local dispatcher refuses a task from any other function."""


class TopicSpec(_Frozen):
    event_type: str


MAX_ACK_DEADLINE_SECONDS = 600
"""Pub/Sub's longest ack deadline: a push handler that may run longer must hand off its work
(to a task queue) and answer within it, or Pub/Sub redelivers while it still runs."""


class SubscriptionDefaults(_Frozen):
    min_retry_backoff_seconds: int
    max_retry_backoff_seconds: int
    max_delivery_attempts: int


class QueueSpec(_Frozen):
    """A Cloud Tasks queue: the local dispatcher honours exactly these limits."""

    target_function: str
    max_dispatches_per_second: float = Field(gt=0)
    max_concurrent_dispatches: int = Field(gt=0)
    max_attempts: int = Field(ge=1)
    min_backoff_seconds: float = Field(gt=0)
    max_backoff_seconds: float = Field(gt=0)
    max_doublings: int = Field(ge=0)

    def backoff_seconds(self, retry: int) -> float:
        """Delay before retry number `retry` (1 = first retry), as Cloud Tasks computes it:
        start at min_backoff, double max_doublings times, then grow linearly by the last
        doubled step, never above max_backoff."""
        if retry < 1:
            raise ValueError("retry counts from 1")
        doublings = min(retry - 1, self.max_doublings)
        delay = self.min_backoff_seconds * 2**doublings
        linear_steps = retry - 1 - doublings
        delay += linear_steps * self.min_backoff_seconds * 2**self.max_doublings
        return float(min(delay, self.max_backoff_seconds))


class ScheduleSpec(_Frozen):
    cron: str
    target_function: str
    description: str


class Topology(_Frozen):
    functions: dict[str, FunctionSpec]
    topics: dict[str, TopicSpec]
    subscription_defaults: SubscriptionDefaults
    queues: dict[str, QueueSpec] = Field(default_factory=dict)
    schedules: dict[str, ScheduleSpec] = Field(default_factory=dict)

    def topic_for_event(self, event_type: str) -> str:
        for name, topic in self.topics.items():
            if topic.event_type == event_type:
                return name
        raise KeyError(f"no topic carries event type {event_type!r}")

    @model_validator(mode="after")
    def _handlers_fit_their_ack_deadline(self) -> Topology:
        for name, spec in self.functions.items():
            if spec.subscribes and not 10 <= spec.timeout_seconds <= MAX_ACK_DEADLINE_SECONDS:
                raise ValueError(
                    f"{name}: a Pub/Sub handler's timeout_seconds is its push subscriptions' "
                    f"ack deadline, so it must be 10..{MAX_ACK_DEADLINE_SECONDS}"
                )
        return self

    @model_validator(mode="after")
    def _enqueuers_name_their_queues(self) -> Topology:
        for name, spec in self.functions.items():
            unknown = sorted(set(spec.enqueues) - set(self.queues))
            if unknown:
                raise ValueError(f"{name}: enqueues to queues that are not declared: {unknown}")
            if bool(spec.enqueues) != ("tasks" in spec.uses):
                raise ValueError(
                    f"{name}: a function that uses tasks names the queues it enqueues to "
                    "(`enqueues`), and only such a function does"
                )
        return self

    def enqueuers(self, queue: str) -> list[str]:
        """The functions allowed to create tasks in `queue`."""
        return [name for name, spec in self.functions.items() if queue in spec.enqueues]

    def ack_deadline_seconds(self, function_name: str) -> int:
        """A push subscription's ack deadline: its handler's whole timeout, so a slow run
        (a long ingest) is not redelivered while it still runs (terraform/pubsub.tf reads the
        same `timeout_seconds`)."""
        return self.functions[function_name].timeout_seconds

    def subscriptions(self) -> list[tuple[str, str]]:
        """(function, topic) pairs: one push subscription each."""
        return [
            (function_name, topic)
            for function_name, spec in self.functions.items()
            for topic in spec.subscribes
        ]

    def api_functions(self) -> list[str]:
        """The REST functions behind the API gateway."""
        return [name for name, spec in self.functions.items() if spec.trigger == "api"]


def subscription_name(function_name: str, topic: str) -> str:
    return f"{topic}--{function_name.replace('_', '-')}"


@cache
def load_topology() -> Topology:
    text = resources.files("shared").joinpath("topology.yaml").read_text(encoding="utf-8")
    return Topology.model_validate(yaml.safe_load(text))
