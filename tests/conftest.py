"""Shared fixtures. The local stack (both emulators, the functions host with its gateway and
task dispatcher) starts once per session, only when a test asks for it, and stops at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.bootstrap import Services, services
from shared.config import Settings, get_settings
from shared.localstack import stack
from shared.topology import load_topology


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.StackInfo]:
    state_dir = tmp_path_factory.mktemp("stack")
    info = stack.up(state_dir)
    # The functions host owns its DuckDB file; in-process code in tests gets its own.
    os.environ["REACHOPS_DUCKDB_PATH"] = str(state_dir / "tests-warehouse.duckdb")
    get_settings.cache_clear()
    services.cache_clear()
    try:
        yield info
    finally:
        stack.down(state_dir)


@pytest.fixture
def clean_firestore(local_stack: stack.StackInfo) -> None:
    """Every test that writes starts from an empty emulator database."""
    url = (
        f"http://{local_stack.firestore_emulator_host}/emulator/v1/projects/"
        f"{local_stack.project_id}/databases/(default)/documents"
    )
    httpx.delete(url, timeout=10).raise_for_status()


@pytest.fixture
def app_services(local_stack: stack.StackInfo, clean_firestore: None, tmp_path: Path) -> Services:
    """Real adapters pointed at the emulators, with a private DuckDB warehouse."""
    settings = Settings(duckdb_path=tmp_path / "warehouse.duckdb")
    return Services(settings, load_topology())
