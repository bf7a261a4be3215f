"""The official Firestore and Pub/Sub emulators, each in its own process group.

Stopping the `gcloud` wrapper alone leaves the Java server holding its port, so the whole group
is signalled.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

INSTALL_HINT = (
    "The local stack needs the Google Cloud CLI with both emulators and a Java runtime (17+):\n"
    "  apt-get install google-cloud-cli google-cloud-cli-firestore-emulator "
    "google-cloud-cli-pubsub-emulator openjdk-17-jre-headless\n"
    "  (or: gcloud components install cloud-firestore-emulator pubsub-emulator beta)"
)


class StackError(RuntimeError):
    """The local stack could not start; the message says what to do."""


def require_tools() -> None:
    missing = [tool for tool in ("gcloud", "java") if shutil.which(tool) is None]
    if missing:
        raise StackError(f"missing on PATH: {', '.join(missing)}\n{INSTALL_HINT}")


def emulator_command(kind: str, host_port: str, project_id: str) -> list[str]:
    if kind == "firestore":
        return ["gcloud", "emulators", "firestore", "start", f"--host-port={host_port}"]
    if kind == "pubsub":
        return [
            "gcloud",
            "beta",
            "emulators",
            "pubsub",
            "start",
            f"--host-port={host_port}",
            f"--project={project_id}",
        ]
    raise ValueError(f"unknown emulator {kind!r}")


def start_process(
    command: list[str],
    log_path: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Start `command` as the leader of a new process group; returns its pid."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
    return process.pid


def wait_until_ready(url: str, pid: int, timeout_seconds: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise StackError(f"process {pid} exited while starting ({url}):\n{tail}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.25)
    raise StackError(f"{url} not ready after {timeout_seconds:.0f}s; see {log_path}")


def stop_process_group(pid: int, grace_seconds: float = 5) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        if not _group_alive(pid):
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return _group_alive(pid)
    return finished == 0


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    return True
