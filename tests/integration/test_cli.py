"""`reachops` as scripts use it: every result is JSON on the last line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.localstack.stack import StackInfo

pytestmark = pytest.mark.integration
REACHOPS = str(Path(sys.executable).parent / "reachops")


def reachops(*args: str, state_dir: str) -> dict[str, Any]:
    done = subprocess.run(
        [REACHOPS, "--state-dir", state_dir, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_org_and_key_creation_print_usable_keys(local_stack: StackInfo) -> None:
    org = reachops("org", "create", "--name", "CLI Agency", state_dir=local_stack.state_dir)
    viewer = reachops(
        "key",
        "create",
        "--org",
        org["org_id"],
        "--role",
        "VIEWER",
        state_dir=local_stack.state_dir,
    )
    api = local_stack.api_base_url + "/v1"

    owner_headers = {"Authorization": f"Bearer {org['api_key']}"}
    assert httpx.post(f"{api}/brands", json={"name": "B"}, headers=owner_headers).status_code == 201
    viewer_headers = {"Authorization": f"Bearer {viewer['api_key']}"}
    assert httpx.get(f"{api}/brands", headers=viewer_headers).json()["items"][0]["name"] == "B"
    assert (
        httpx.post(f"{api}/brands", json={"name": "C"}, headers=viewer_headers).status_code == 403
    )


def test_key_for_an_unknown_org_is_an_error_not_a_key(local_stack: StackInfo) -> None:
    done = subprocess.run(
        [
            REACHOPS,
            "--state-dir",
            local_stack.state_dir,
            "key",
            "create",
            "--org",
            "nope",
            "--role",
            "ADMIN",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "not found" in json.loads(done.stdout.strip().splitlines()[-1])["error"]


def test_stack_up_and_down(tmp_path: Path) -> None:
    state_dir = str(tmp_path)
    started = reachops("stack", "up", state_dir=state_dir)
    try:
        assert started["api_base_url"].endswith("/v1")
        assert httpx.get(f"http://{started['firestore_emulator_host']}/").text.strip() == "Ok"
        unauthenticated = httpx.get(started["api_base_url"] + "/campaigns")
        assert unauthenticated.status_code == 401
    finally:
        stopped = reachops("stack", "down", state_dir=state_dir)
    assert stopped == {"stopped": True}
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://{started['firestore_emulator_host']}/", timeout=2)
    assert reachops("stack", "down", state_dir=state_dir) == {"stopped": False}
