"""Every file of the corpus of real-format actor items (tests/corpus/apify/) parses into what
ReachOps must make of it: the posts and the profile each belongs to, the counts it keeps
unknown, the failures with the actor's own reason, and the items it skips and why."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.apify_comments import COMMENT_PARSERS, parse_comments
from shared.adapters.apify_items import PARSERS, parse_results
from shared.ports import RequestedProfile

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "apify"
FILES = sorted(CORPUS.glob("*/*.json"))
CASES = [(path, json.loads(path.read_text(encoding="utf-8"))) for path in FILES]
POST_FILES = [path for path, case in CASES if case.get("kind") != "comments"]
COMMENT_FILES = [path for path, case in CASES if case.get("kind") == "comments"]


def test_the_corpus_covers_every_actor_reachops_runs() -> None:
    posts = {case["actor_id"] for _, case in CASES if case.get("kind") != "comments"}
    comments = {case["actor_id"] for _, case in CASES if case.get("kind") == "comments"}
    assert posts == set(PARSERS)
    assert comments == set(COMMENT_PARSERS)


@pytest.mark.parametrize("path", POST_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file_parses_to_its_expected_results(path: Path) -> None:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert case["source"]
    assert "SAMPLE DATA" in case["label"]
    requested = [RequestedProfile(r["username"], r.get("post_url")) for r in case["requested"]]
    expected = case["expected"]

    results = parse_results(case["actor_id"], case["items"], requested)

    posts = {post.platform_post_id: post for post in results.posts}
    assert set(posts) == set(expected["posts"])
    for post_id, fields in expected["posts"].items():
        post = posts[post_id]
        for name, value in fields.items():
            actual = getattr(post, name)
            actual = list(actual) if isinstance(actual, tuple) else actual
            assert actual == value, f"{post_id}.{name}"
    profiles = {
        name: {"followers": p.followers, "following": p.following, "posts_count": p.posts_count}
        for name, p in results.profiles.items()
    }
    assert profiles == expected["profiles"]
    assert sorted(results.returned) == sorted(expected["returned"])
    assert set(results.failures) == set(expected["failures"])
    for username, reason in expected["failures"].items():
        assert reason in results.failures[username]
    assert dict(results.skipped) == expected["skipped"]
    assert results.items == len(case["items"])


@pytest.mark.parametrize("path", COMMENT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_comment_corpus_file_parses_to_its_expected_comments(path: Path) -> None:
    """Comments map to the requested post by URL, each once and at most the per-post bound;
    unreported likes and blank texts stay None; error items fail the post they name."""
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert case["source"]
    assert "SAMPLE DATA" in case["label"]
    requested = [RequestedProfile(r["username"], r.get("post_url")) for r in case["requested"]]
    expected = case["expected"]

    results = parse_comments(case["actor_id"], case["items"], requested, case["per_post"])

    comments = {comment.comment_id: comment for comment in results.comments}
    assert set(comments) == set(expected["comments"])
    for comment_id, fields in expected["comments"].items():
        comment = comments[comment_id]
        for name, value in fields.items():
            actual = getattr(comment, name)
            actual = actual.isoformat() if isinstance(actual, datetime) else actual
            assert actual == value, f"{comment_id}.{name}"
    assert set(results.failures) == set(expected["failures"])
    for post_url, reason in expected["failures"].items():
        assert reason in results.failures[post_url]
    assert dict(results.skipped) == expected["skipped"]
    assert results.items == len(case["items"])
