"""Task names, for both task-queue adapters: a named task is created once, so the name must
say what the task is, never when it was enqueued (a retried enqueue has the same name)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

_ALLOWED = re.compile(r"^[A-Za-z0-9_-]{1,500}$")  # Cloud Tasks' task id characters


def task_name(queue: str, payload: Mapping[str, Any], task_id: str | None) -> str:
    """`task_id` when the caller names the task (and the name is one Cloud Tasks accepts),
    else a digest of the queue and the payload: the same content is the same task."""
    if task_id and _ALLOWED.match(task_id):
        return task_id
    content = json.dumps([queue, task_id, payload], sort_keys=True, default=str)
    digest = hashlib.sha256(content.encode()).hexdigest()[:32]
    return f"{queue}-{digest}"
