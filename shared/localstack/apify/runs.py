"""Runs and their datasets: the state a run goes through (READY -> RUNNING -> SUCCEEDED, or the
injected FAILED / TIMED-OUT, or ABORTED), what its dataset keeps when it ends, and the run
object the API returns for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.localstack.apify.actors import ActorSpec
from shared.localstack.apify.common import LOCAL_USER_ID, iso, new_id
from shared.localstack.apify.pricing import charges

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED-OUT", "ABORTED"})
EVENT_OF_STATUS = {
    "SUCCEEDED": "ACTOR.RUN.SUCCEEDED",
    "FAILED": "ACTOR.RUN.FAILED",
    "TIMED-OUT": "ACTOR.RUN.TIMED_OUT",
    "ABORTED": "ACTOR.RUN.ABORTED",
}
STATUS_MESSAGE = {
    "FAILED": "The Actor process failed (fault injected by the local stand-in).",
    "TIMED-OUT": "The Actor run timed out (fault injected by the local stand-in).",
    "ABORTED": "The Actor run was aborted.",
}


@dataclass
class Faults:
    """Faults to inject; counters are used up one per request or run."""

    rate_limit_next: int = 0
    server_error_next: int = 0
    fail_next_runs: int = 0
    timeout_next_runs: int = 0
    duplicate_webhooks: bool = False
    malformed_items_per_run: int = 0

    def draw_outcome(self) -> str:
        """How the next run ends, using up one injected failure or timeout."""
        if self.fail_next_runs > 0:
            self.fail_next_runs -= 1
            return "FAILED"
        if self.timeout_next_runs > 0:
            self.timeout_next_runs -= 1
            return "TIMED-OUT"
        return "SUCCEEDED"


@dataclass
class Run:
    id: str
    spec: ActorSpec
    input: dict[str, Any]
    input_len: int
    webhooks: list[dict[str, Any]]
    options: dict[str, Any]
    outcome: str
    planned: list[Any]
    pricing_info: dict[str, Any] | None  # the record in force when the run started
    started_at: datetime
    meta: dict[str, Any]
    dataset_id: str = field(default_factory=new_id)
    kvs_id: str = field(default_factory=new_id)
    queue_id: str = field(default_factory=new_id)
    build_id: str = field(default_factory=new_id)
    status: str = "READY"
    status_message: str | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None
    dispatches: list[dict[str, Any]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def note(self, moment: datetime, message: str) -> None:
        self.status_message = message
        self.log.append(f"{iso(moment)} {message}")

    def finish(self, status: str, moment: datetime) -> list[Any]:
        """End the run; the items its dataset keeps (a TIMED-OUT run half, FAILED or ABORTED
        none)."""
        kept = {"SUCCEEDED": len(self.planned), "TIMED-OUT": len(self.planned) // 2}.get(status, 0)
        self.status, self.finished_at = status, moment
        self.exit_code = 0 if status == "SUCCEEDED" else 1
        self.note(moment, STATUS_MESSAGE.get(status, f"Finished! {kept} results."))
        return self.planned[:kept]

    def as_json(self, item_count: int, now: datetime) -> dict[str, Any]:
        """The run object of `GET /v2/actor-runs/{id}`."""
        end = self.finished_at or now
        seconds = max((end - self.started_at).total_seconds(), 0.0)
        memory = self.options["memoryMbytes"]
        data: dict[str, Any] = {
            "id": self.id,
            "actId": self.spec.id,
            "userId": LOCAL_USER_ID,
            "actorTaskId": None,
            "startedAt": iso(self.started_at),
            "finishedAt": iso(self.finished_at) if self.finished_at else None,
            "status": self.status,
            "statusMessage": self.status_message,
            "isStatusMessageTerminal": self.status in TERMINAL,
            "meta": self.meta,
            "stats": {
                "inputBodyLen": self.input_len,
                "restartCount": 0,
                "resurrectCount": 0,
                "durationMillis": int(seconds * 1000),
                "runTimeSecs": round(seconds, 3),
                "computeUnits": round(memory / 1024 * seconds / 3600, 6),
            },
            "options": {
                "build": "latest",
                "timeoutSecs": self.options["timeoutSecs"],
                "memoryMbytes": memory,
                "diskMbytes": memory * 2,
                "maxItems": self.options.get("maxItems"),
                "maxTotalChargeUsd": self.options.get("maxTotalChargeUsd"),
            },
            "buildId": self.build_id,
            "buildNumber": "0.3.12",
            "exitCode": self.exit_code,
            "generalAccess": "FOLLOW_USER_SETTING",
            "defaultKeyValueStoreId": self.kvs_id,
            "defaultDatasetId": self.dataset_id,
            "defaultRequestQueueId": self.queue_id,
            **charges(self.pricing_info, item_count).as_json(),
        }
        if self.pricing_info is not None:
            data["pricingInfo"] = self.pricing_info
        return data

    def summary(self) -> dict[str, Any]:
        """The run as `GET /_control/runs` lists it."""
        return {
            "id": self.id,
            "actId": self.spec.id,
            "actor": f"{self.spec.username}/{self.spec.name}",
            "input": self.input,
            "status": self.status,
            "startedAt": iso(self.started_at),
            "webhookDispatches": [dict(d) for d in self.dispatches],
        }
