"""Domain packages depend on each other one way only: a test that fails on any import cycle
between the packages of shared/ (shared/paid <-> shared/adaccounts was one), and that keeps
shared.paid from importing shared.adaccounts, the direction the sync already depends on."""

from __future__ import annotations

import ast
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
NOT_DOMAINS = {"adapters", "http", "localstack"}
"""Packages that are not domains: adapters and entry plumbing may import domains."""


def domain_packages() -> list[str]:
    return sorted(
        p.name
        for p in SHARED.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_DOMAINS
    )


def imported_packages(package: str) -> set[str]:
    """The other shared.<package>s that any module of `package` imports (at any depth in the
    module, so an import inside a function counts too)."""
    found: set[str] = set()
    for path in (SHARED / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                parts = name.split(".")
                if len(parts) > 1 and parts[0] == "shared" and parts[1] != package:
                    found.add(parts[1])
    return found


def domain_graph() -> dict[str, set[str]]:
    domains = domain_packages()
    return {d: imported_packages(d) & set(domains) for d in domains}


KNOWN_CYCLES: set[frozenset[str]] = {
    frozenset(
        {"adaccounts", "allocations", "creators", "metrics", "orgs", "paid", "posts", "scraping"}
    )
}
"""The one cycle older than this test, through packages owned elsewhere (creators <-> metrics,
orgs <-> scraping, posts <-> scraping, scraping.monitoring -> adaccounts.alerts, metrics ->
orgs): listed so that any NEW cycle, or a package joining this one, fails. To be shrunk, never
extended. paid and adaccounts are in it only through those packages, never directly."""


def direct_cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Pairs of packages that import each other."""
    return {frozenset({a, b}) for a, deps in graph.items() for b in deps if a in graph.get(b, ())}


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The packages of each import cycle: the strongly connected components with more than one
    package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset("abc")}
    assert cycles({"a": {"b"}, "b": set()}) == set()


def test_no_new_import_cycle_between_domain_packages() -> None:
    assert "paid" in domain_packages()
    new = cycles(domain_graph()) - KNOWN_CYCLES
    assert not new, [sorted(c) for c in new]


def test_paid_does_not_import_adaccounts() -> None:
    assert "adaccounts" not in imported_packages("paid")
    assert "paid" in imported_packages("adaccounts")  # the sync stores into paid: one way
    assert not {p for pair in direct_cycles(domain_graph()) for p in pair} & {"paid", "adaccounts"}
