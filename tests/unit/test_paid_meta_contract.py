"""What ReachOps assumes of Meta and what the Graph API stand-in plays agree: one Graph API
version, the pinned SDK's; the attribution windows Meta still returns and the ones it withdrew;
and every breakdown the sync asks for is a combination Meta accepts. A stand-in that drifted
from ReachOps' own definitions would let tests pass against a Meta that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from facebook_business.apiconfig import ads_api_config

from shared.adaccounts.breakdowns import BREAKDOWNS
from shared.adapters.meta_ads import MetaAds
from shared.adapters.meta_objects import GRAPH_API_VERSION
from shared.localstack.graph.breakdowns import check_breakdowns
from shared.localstack.graph.query import WINDOWS, WITHDRAWN_WINDOWS
from shared.localstack.graph.wire import GraphError
from shared.paid.conversions import meta_windows, withdrawn_windows

ROOT = Path(__file__).resolve().parents[2]
VERSION_LITERAL = re.compile(r"""["'/]v\d+\.\d+\b""")


def test_the_graph_api_version_is_the_pinned_sdks_and_written_nowhere_else() -> None:
    assert ads_api_config["API_VERSION"] == GRAPH_API_VERSION
    assert MetaAds("app", "secret").api_version == GRAPH_API_VERSION
    written = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("shared", "functions")
        for path in (ROOT / folder).rglob("*.py")
        if "localstack" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if VERSION_LITERAL.search(line)
    ]
    assert written == []


def test_the_stand_in_returns_the_windows_reachops_offers_and_drops_the_withdrawn() -> None:
    assert meta_windows() == WINDOWS
    assert frozenset(withdrawn_windows()) == WITHDRAWN_WINDOWS


@pytest.mark.parametrize("by", sorted(BREAKDOWNS))
def test_every_breakdown_the_sync_asks_for_is_a_combination_meta_accepts(by: str) -> None:
    check_breakdowns(BREAKDOWNS[by])


@pytest.mark.parametrize(
    ("breakdowns", "message"),
    [
        (["platform_position"], "Current combination of data breakdown columns"),
        (["age", "region"], "breakdowns[1] must be one of the following values"),
    ],
)
def test_the_stand_in_refuses_as_meta_does(breakdowns: list[str], message: str) -> None:
    with pytest.raises(GraphError, match=re.escape(message)):
        check_breakdowns(breakdowns)
