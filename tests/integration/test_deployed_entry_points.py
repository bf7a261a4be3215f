"""Each entry point starts the way Cloud Functions starts it: `functions-framework --source
functions/main.py --target NAME` in a copy of the source bundle, with `shared` installed from
the bundle by pip (as the buildpack installs requirements.txt's "." line), not from this tree."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.localstack.emulators import start_process, stop_process_group, wait_until_ready
from shared.localstack.stack import StackInfo, free_port
from shared.topology import load_topology

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = Path(sys.executable).parent / "functions-framework"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(workspace, site): the source bundle and the packages pip installed from it."""
    workspace = tmp_path_factory.mktemp("workspace")
    for name in ("functions", "shared", "bigquery_sql"):
        shutil.copytree(ROOT / name, workspace / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "requirements.txt"):
        shutil.copy(ROOT / name, workspace / name)
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            ".",
        ],
        cwd=workspace,
        check=True,
    )
    shutil.rmtree(workspace / "shared")
    return workspace, site


@pytest.fixture
def started(
    request: pytest.FixtureRequest, bundle: tuple[Path, Path], local_stack: StackInfo
) -> Iterator[str]:
    workspace, site = bundle
    port = free_port()
    env = {**os.environ, **local_stack.environment(), "PYTHONPATH": str(site)}
    env["REACHOPS_DUCKDB_PATH"] = str(workspace / f"{request.param}.duckdb")
    command = [
        str(FRAMEWORK),
        "--source",
        "functions/main.py",
        "--target",
        request.param,
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
    ]
    log = workspace / f"{request.param}.log"
    pid = start_process(command, log, env, cwd=workspace)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/", pid, 60, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process_group(pid)


HTTP_FUNCTIONS = [n for n, f in load_topology().functions.items() if f.trigger != "pubsub"]
EVENT_FUNCTIONS = [n for n, f in load_topology().functions.items() if f.trigger == "pubsub"]


@pytest.mark.parametrize("started", HTTP_FUNCTIONS, indirect=True)
def test_http_entry_point_starts_and_answers(started: str) -> None:
    """API functions route (401/404 in our error shape); the webhook, task and schedule
    targets answer a bare request without a server error."""
    response = httpx.post(started + "/v1/campaigns", content=b"{}", timeout=30)
    assert response.status_code < 500, response.text


@pytest.mark.parametrize("started", EVENT_FUNCTIONS, indirect=True)
def test_event_entry_point_accepts_a_raw_push_envelope(started: str) -> None:
    envelope = {
        "message": {"data": base64.b64encode(b"not an event").decode(), "messageId": "1"},
        "subscription": "projects/reachops-local/subscriptions/x",
    }
    assert httpx.post(started + "/", json=envelope).status_code == 200
