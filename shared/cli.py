"""`reachops`: run the local stack and do operator tasks. Every command that produces a result
prints it as JSON on its last line, so scripts can read it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from shared.auth import Role
from shared.errors import ReachOpsError
from shared.localstack import stack
from shared.localstack.emulators import StackError


def _print_json(result: dict[str, Any]) -> None:
    print(json.dumps(result))


def _use_running_stack(state_dir: Path) -> None:
    """Point the Google clients at the local stack when one is up; else at the real project."""
    info = stack.read_running(state_dir)
    if info is not None:
        os.environ.update(info.environment())


def _stack_up(args: argparse.Namespace) -> int:
    info = stack.up(args.state_dir)
    _print_json(
        {
            "api_base_url": info.api_base_url + "/v1",
            "firestore_emulator_host": info.firestore_emulator_host,
            "pubsub_emulator_host": info.pubsub_emulator_host,
            "project_id": info.project_id,
        }
    )
    return 0


def _stack_down(args: argparse.Namespace) -> int:
    _print_json({"stopped": stack.down(args.state_dir)})
    return 0


def _org_create(args: argparse.Namespace) -> int:
    _use_running_stack(args.state_dir)
    from shared.bootstrap import services

    org, key = services().orgs.create_org(args.name)
    _print_json(
        {"org_id": org.org_id, "name": org.name, "key_id": key.key_id, "api_key": key.api_key}
    )
    return 0


def _key_create(args: argparse.Namespace) -> int:
    _use_running_stack(args.state_dir)
    from shared.bootstrap import services

    key = services().orgs.create_key_for_org(args.org, Role(args.role), args.name)
    _print_json(
        {"org_id": args.org, "key_id": key.key_id, "role": key.role, "api_key": key.api_key}
    )
    return 0


def _org_deletion(args: argparse.Namespace) -> int:
    """The deletion's report: its steps so far, with counts and times (the owner's keys are
    revoked, so the operator reads it here)."""
    _use_running_stack(args.state_dir)
    from shared.bootstrap import services

    _print_json(services().org_purge.report(args.org).model_dump(mode="json"))
    return 0


def _org_purge(args: argparse.Namespace) -> int:
    _use_running_stack(args.state_dir)
    from shared.bootstrap import services

    outcome = services().org_purge.run()
    _print_json(outcome.as_dict())
    return 1 if outcome.failed else 0


def _demo(args: argparse.Namespace) -> int:
    from shared.localstack.demo import run_demo

    _print_json(asdict(run_demo(args.state_dir, keep=args.keep)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reachops", description=__doc__)
    parser.add_argument("--state-dir", type=Path, default=stack.DEFAULT_STATE_DIR)
    commands = parser.add_subparsers(dest="command", required=True)

    stack_parser = commands.add_parser("stack", help="the local stack")
    stack_commands = stack_parser.add_subparsers(dest="stack_command", required=True)
    stack_commands.add_parser("up", help="start it in the background").set_defaults(run=_stack_up)
    stack_commands.add_parser("down", help="stop it").set_defaults(run=_stack_down)

    org = commands.add_parser("org", help="organizations").add_subparsers(
        dest="org_command", required=True
    )
    org_create = org.add_parser("create", help="create an organization and its OWNER key")
    org_create.add_argument("--name", required=True)
    org_create.set_defaults(run=_org_create)
    org_deletion = org.add_parser("deletion", help="a deleted organization's purge report")
    org_deletion.add_argument("--org", required=True)
    org_deletion.set_defaults(run=_org_deletion)
    org.add_parser(
        "purge", help="run the scheduled purge of deleted organizations now"
    ).set_defaults(run=_org_purge)

    key = commands.add_parser("key", help="API keys").add_subparsers(
        dest="key_command", required=True
    )
    key_create = key.add_parser("create", help="issue an API key for an organization")
    key_create.add_argument("--org", required=True)
    key_create.add_argument("--role", required=True, choices=[r.value for r in Role])
    key_create.add_argument("--name", default="cli")
    key_create.set_defaults(run=_key_create)

    demo = commands.add_parser("demo", help="run the main flow end to end on the local stack")
    demo.add_argument("--keep", action="store_true", help="leave the stack running afterwards")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (StackError, ReachOpsError) as exc:
        print(f"reachops: {exc}", file=sys.stderr)
        _print_json({"error": str(exc)})
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
