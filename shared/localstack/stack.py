"""Start and stop the whole local stack: both emulators, the functions host (gateway,
functions, task dispatcher) and the Pub/Sub push wiring. State lives in <state_dir>/stack.json
so `reachops stack down` (another process) can stop what `stack up` started."""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from shared.localstack.emulators import (
    StackError,
    emulator_command,
    require_tools,
    start_process,
    stop_process_group,
    wait_until_ready,
)
from shared.localstack.host import FUNCTIONS_PREFIX, HEALTH_PATH
from shared.localstack.identities import LocalIdentities
from shared.topology import load_topology

DEFAULT_STATE_DIR = Path(".reachops")
LOCAL_PROJECT_ID = "reachops-local"
FUNCTIONS_SOURCE = Path(__file__).resolve().parents[2] / "functions" / "main.py"
READY_TIMEOUT_SECONDS = 60
LOCAL_META_APP_ID = "local-meta-app"
LOCAL_ANTHROPIC_KEY = "local-anthropic-key"  # the stand-in accepts any key


@dataclass(frozen=True)
class StackInfo:
    api_base_url: str
    functions_base_url: str
    firestore_emulator_host: str
    pubsub_emulator_host: str
    project_id: str
    duckdb_path: str
    apify_api_url: str
    apify_webhook_secret: str
    graph_api_url: str
    local_secret: str
    local_token_key: str
    local_identity_key: str
    state_dir: str
    pids: dict[str, int]
    anthropic_api_url: str = ""

    def identities(self) -> LocalIdentities:
        return LocalIdentities(self.local_identity_key, self.project_id)

    def invoker_headers(self, account_id: str, function_name: str) -> dict[str, str]:
        """What a caller granted roles/run.invoker on the function sends (identities.py): e.g.
        SCHEDULER for a scheduled function, TASKS_INVOKER for a queue's target."""
        return self.identities().headers(account_id, function_name)

    def environment(self) -> dict[str, str]:
        """What a process needs to talk to this stack with the real Google clients."""
        return {
            "FIRESTORE_EMULATOR_HOST": self.firestore_emulator_host,
            "PUBSUB_EMULATOR_HOST": self.pubsub_emulator_host,
            "GOOGLE_CLOUD_PROJECT": self.project_id,
            "REACHOPS_PROJECT_ID": self.project_id,
            "REACHOPS_WAREHOUSE": "duckdb",
            "REACHOPS_DUCKDB_PATH": self.duckdb_path,
            "REACHOPS_TASK_QUEUE": "local",
            "REACHOPS_LOCAL_DISPATCHER_URL": self.api_base_url + "/_tasks",
            "REACHOPS_FUNCTIONS_BASE_URL": self.functions_base_url,
            "REACHOPS_APIFY_API_URL": self.apify_api_url,
            "REACHOPS_APIFY_TOKEN": "local-apify-token",
            "REACHOPS_APIFY_WEBHOOK_SECRET": self.apify_webhook_secret,
            "REACHOPS_APIFY_MIN_DELAY_BETWEEN_RETRIES_SECONDS": "0.05",
            "REACHOPS_META_GRAPH_URL": self.graph_api_url,
            "REACHOPS_META_DIALOG_URL": self.graph_api_url,
            "REACHOPS_META_APP_ID": LOCAL_META_APP_ID,
            "REACHOPS_META_APP_SECRET": self.local_secret,
            "REACHOPS_META_WEBHOOK_VERIFY_TOKEN": self.local_secret,
            "REACHOPS_OAUTH_STATE_SECRET": self.local_secret,
            "REACHOPS_LOCAL_TOKEN_KEY": self.local_token_key,
            "REACHOPS_LOCAL_PII_KEY_FILE": str(Path(self.state_dir) / "pii_keys.json"),
            "REACHOPS_LOCAL_IDENTITY_KEY": self.local_identity_key,
            "REACHOPS_INSIGHTS_POLL_SECONDS": "0.3",
            "REACHOPS_ANTHROPIC_BASE_URL": self.anthropic_api_url,
            "REACHOPS_ANTHROPIC_API_KEY": LOCAL_ANTHROPIC_KEY,
            "REACHOPS_ANTHROPIC_MAX_RETRIES": "2",
            "REACHOPS_SENTIMENT_POLL_SECONDS": "0.3",
            "REACHOPS_INSIGHTS_RETRY_BACKOFF_SECONDS": "1",
            "REACHOPS_META_OAUTH_REDIRECT_URI": self.functions_base_url + "/meta_oauth_callback",
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def state_file(state_dir: Path) -> Path:
    return state_dir / "stack.json"


def read_running(state_dir: Path = DEFAULT_STATE_DIR) -> StackInfo | None:
    path = state_file(state_dir)
    if not path.exists():
        return None
    return StackInfo(**json.loads(path.read_text()))


def up(state_dir: Path = DEFAULT_STATE_DIR) -> StackInfo:
    """Start everything in the background; raises StackError (with advice) when it cannot."""
    if read_running(state_dir) is not None:
        raise StackError(f"a stack is already running (see {state_file(state_dir)}); stop it first")
    require_tools()
    state_dir = state_dir.resolve()
    logs = state_dir / "logs"
    pids: dict[str, int] = {}
    try:
        firestore = _start_emulator("firestore", logs, pids)
        pubsub = _start_emulator("pubsub", logs, pids)
        apify = _start_local_apify(logs, pids)
        graph = _start_local_graph_api(logs, pids)
        anthropic_url = _start_local_anthropic(logs, pids)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        info = StackInfo(
            api_base_url=base_url,
            functions_base_url=base_url + FUNCTIONS_PREFIX,
            firestore_emulator_host=firestore,
            pubsub_emulator_host=pubsub,
            project_id=LOCAL_PROJECT_ID,
            duckdb_path=str(state_dir / "warehouse.duckdb"),
            apify_api_url=apify,
            apify_webhook_secret=secrets.token_hex(16),
            graph_api_url=graph,
            local_secret=secrets.token_hex(16),
            local_token_key=Fernet.generate_key().decode(),
            local_identity_key=secrets.token_hex(32),
            state_dir=str(state_dir),
            pids=pids,
            anthropic_api_url=anthropic_url,
        )
        _start_functions_host(info, port, logs / "functions.log")
        os.environ.update(info.environment())
        from shared.localstack.pubsub_wiring import wire_pubsub

        wire_pubsub(info.project_id, info.functions_base_url, load_topology(), info.identities())
    except BaseException:
        for pid in pids.values():
            stop_process_group(pid)
        raise
    state_file(state_dir).write_text(json.dumps(asdict(info), indent=2))
    return info


def down(state_dir: Path = DEFAULT_STATE_DIR) -> bool:
    """Stop what `up` started; False when nothing was running."""
    info = read_running(state_dir)
    if info is None:
        return False
    for pid in info.pids.values():
        stop_process_group(pid)
    state_file(state_dir).unlink()
    return True


def _start_emulator(kind: str, logs: Path, pids: dict[str, int]) -> str:
    host_port = f"127.0.0.1:{free_port()}"
    log = logs / f"{kind}.log"
    pids[kind] = start_process(emulator_command(kind, host_port, LOCAL_PROJECT_ID), log)
    wait_until_ready(f"http://{host_port}/", pids[kind], READY_TIMEOUT_SECONDS, log)
    return host_port


def _start_local_apify(logs: Path, pids: dict[str, int]) -> str:
    """The local Apify API v2 stand-in, replaying labelled sample datasets."""
    port = free_port()
    log = logs / "apify.log"
    command = [sys.executable, "-m", "shared.localstack.apify", "--port", str(port)]
    pids["apify"] = start_process(command, log)
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(f"{url}/_control/runs", pids["apify"], READY_TIMEOUT_SECONDS, log)
    return url


def _start_local_graph_api(logs: Path, pids: dict[str, int]) -> str:
    """The local Meta Graph API stand-in (OAuth, insights, async reports), sample data."""
    port = free_port()
    log = logs / "graph_api.log"
    # The app the functions are (REACHOPS_META_APP_ID): tokens it issues belong to that app,
    # as debug_token tells, which is how a System User token's app is checked.
    command = [sys.executable, "-m", "shared.localstack.graph", "--port", str(port)]
    command += ["--app-id", LOCAL_META_APP_ID]
    pids["graph_api"] = start_process(command, log)
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(f"{url}/_control/calls", pids["graph_api"], READY_TIMEOUT_SECONDS, log)
    return url


def _start_local_anthropic(logs: Path, pids: dict[str, int]) -> str:
    """The local Anthropic Messages and Message Batches stand-in, labelled sample outputs."""
    port = free_port()
    log = logs / "anthropic.log"
    command = [sys.executable, "-m", "shared.localstack.anthropic", "--port", str(port)]
    pids["anthropic"] = start_process(command, log)
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(f"{url}/_control/calls", pids["anthropic"], READY_TIMEOUT_SECONDS, log)
    return url


def _start_functions_host(info: StackInfo, port: int, log: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "shared.localstack.host",
        "--port",
        str(port),
        "--source",
        str(FUNCTIONS_SOURCE),
    ]
    env = {**os.environ, **info.environment()}
    info.pids["functions"] = start_process(command, log, env)
    wait_until_ready(
        info.api_base_url + HEALTH_PATH, info.pids["functions"], READY_TIMEOUT_SECONDS, log
    )
