"""TaskQueue on Cloud Tasks: an HTTP task to the queue's target function, with an OIDC token."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import tasks_v2
from google.protobuf import timestamp_pb2

from shared.adapters.task_names import task_name
from shared.config import Settings
from shared.topology import Topology


class CloudTasksQueue:
    def __init__(
        self, client: tasks_v2.CloudTasksClient, settings: Settings, topology: Topology
    ) -> None:
        self._client = client
        self._settings = settings
        self._topology = topology

    def enqueue(
        self,
        queue: str,
        payload: Mapping[str, Any],
        *,
        task_id: str | None = None,
        delay_seconds: float = 0,
    ) -> None:
        parent = self._client.queue_path(self._settings.project_id, self._settings.region, queue)
        target = self._topology.queues[queue].target_function
        task: dict[str, Any] = {
            "http_request": {
                "http_method": tasks_v2.HttpMethod.POST,
                "url": f"{self._settings.functions_base_url}/{target}",
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(payload).encode(),
                "oidc_token": {"service_account_email": self._settings.tasks_service_account},
            }
        }
        task["name"] = f"{parent}/tasks/{task_name(queue, payload, task_id)}"
        if delay_seconds > 0:
            schedule = timestamp_pb2.Timestamp()
            schedule.FromDatetime(datetime.now(UTC) + timedelta(seconds=delay_seconds))
            task["schedule_time"] = schedule
        try:
            self._client.create_task(parent=parent, task=tasks_v2.Task(task))
        except AlreadyExists:
            return
