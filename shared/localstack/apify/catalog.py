"""The sample corpus and the accounts the stand-in knows: which sample creator an account is
rendered from, the deterministic ids of its posts, and the control over accounts (missing,
private, renamed) and deleted posts.

Any username is served: one of the sample creators is picked for it by a hash of the name, so
an unknown account always looks the same. A post URL names a post by its shortCode or video id
alone, so the stand-in finds it among the posts of the accounts it knows: the sample creators,
every account a run has scraped since the last reset, and the handle the URL itself names.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from shared.localstack.apify.actors import ActorSpec
from shared.localstack.apify.common import IG_SHORTCODE, ApiError, chars, digest, digits

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "apify_samples"
# Usernames that name their own fate, so a test needs no control call for them.
MISSING_PREFIX = "missing_"
PRIVATE_PREFIX = "private_"
AccountStatus = Literal["ok", "missing", "private"]


@cache
def sample_document(file_name: str) -> Mapping[str, Any]:
    document: Mapping[str, Any] = json.loads((SAMPLES_DIR / file_name).read_text(encoding="utf-8"))
    return document


def sample_creator(item: Mapping[str, Any], owner_path: tuple[str, ...]) -> str:
    """The sample creator whose scrape lists `item` (not always its owner: see collab posts)."""
    if "_scrapedFrom" in item:
        return str(item["_scrapedFrom"])
    owner: Any = item
    for key in owner_path:
        owner = owner[key]
    return str(owner)


@cache
def _by_creator(file_name: str, owner_path: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
    grouped: dict[str, list[Any]] = {}
    for item in sample_document(file_name)["items"]:
        grouped.setdefault(sample_creator(item, owner_path), []).append(item)
    return {
        name: tuple(sorted(items, key=lambda item: float(item.get("_daysAgo", 0))))
        for name, items in grouped.items()
    }


def template_creator(spec: ActorSpec, account: str) -> str:
    names = sorted(_by_creator(spec.sample, spec.owner_path))
    return account if account in names else names[digest(account) % len(names)]


def creator_templates(spec: ActorSpec, account: str) -> list[dict[str, Any]]:
    """The sample items `account` is rendered from, newest first; a post's index in this list
    seeds its ids, so it never changes with the run's input."""
    chosen = _by_creator(spec.sample, spec.owner_path)[template_creator(spec, account)]
    return [copy.deepcopy(dict(item)) for item in chosen]


def sample_creators(spec: ActorSpec) -> list[str]:
    return sorted(_by_creator(spec.sample, spec.owner_path))


def error_template(spec: ActorSpec, kind: str) -> dict[str, Any] | None:
    """The item the actor pushes for an input that yields nothing (kind: not_found, private,
    post_not_found); None where the actor pushes nothing at all for it."""
    template = sample_document(spec.sample).get("errorItems", {}).get(kind)
    return copy.deepcopy(dict(template)) if template is not None else None


def post_key(platform: str, account: str, index: int) -> str:
    """What a post URL names: the Instagram shortCode, the TikTok or YouTube video id."""
    if platform == "instagram":
        return chars(IG_SHORTCODE, 11, "instagram-post", account, str(index))
    if platform == "tiktok":
        return "7" + digits(18, "tiktok-video", account, str(index))
    return chars(IG_SHORTCODE, 11, "youtube-video", account, str(index))


@cache
def _keys_of(spec: ActorSpec, account: str) -> dict[str, int]:
    count = len(creator_templates(spec, account))
    return {post_key(spec.platform, account, i): i for i in range(count)}


@dataclass
class AccountControl:
    """Accounts the tests declare missing, private or renamed (old handle -> new), and posts
    (by URL, shortCode or video id) that were deleted."""

    missing: set[str] = field(default_factory=set)
    private: set[str] = field(default_factory=set)
    renamed: dict[str, str] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        return {
            "missing": sorted(self.missing),
            "private": sorted(self.private),
            "renamed": dict(sorted(self.renamed.items())),
            "deleted": sorted(self.deleted),
        }


def _names(value: Any, key: str) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ApiError(400, "invalid-control", f"{key} must be an array of non-empty strings")
    return set(value)


class World:
    """What the stand-in knows about accounts and posts at a moment: the epoch posts are
    dated from, the control state, and the accounts scraped so far. Thread-safe."""

    def __init__(self, epoch: datetime) -> None:
        self.epoch = epoch
        self._lock = threading.RLock()
        self._control = AccountControl()
        self._seen: dict[str, set[str]] = {}

    def control(self) -> AccountControl:
        with self._lock:
            return copy.deepcopy(self._control)

    def update(self, changes: Mapping[str, Any]) -> AccountControl:
        """Merge `changes` ({missing, private, deleted: [...], renamed: {old: new}})."""
        unknown = set(changes) - {"missing", "private", "renamed", "deleted"}
        if unknown:
            raise ApiError(400, "invalid-control", f"unknown keys {sorted(unknown)}")
        renamed = changes.get("renamed", {})
        if not isinstance(renamed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in renamed.items()
        ):
            raise ApiError(400, "invalid-control", "renamed must map old handles to new ones")
        with self._lock:
            for key in ("missing", "private", "deleted"):
                if key in changes:
                    getattr(self._control, key).update(
                        n.lower() if key != "deleted" else n for n in _names(changes[key], key)
                    )
            self._control.renamed.update({k.lower(): v.lower() for k, v in renamed.items()})
            return copy.deepcopy(self._control)

    def reset(self) -> None:
        with self._lock:
            self._control = AccountControl()
            self._seen.clear()

    def status(self, username: str) -> tuple[AccountStatus, str]:
        """Whether the account exists and is public, and its current handle."""
        with self._lock:
            name = self._control.renamed.get(username, username)
            if name in self._control.missing or name.startswith(MISSING_PREFIX):
                return "missing", name
            if name in self._control.private or name.startswith(PRIVATE_PREFIX):
                return "private", name
            return "ok", name

    def remember(self, platform: str, account: str) -> None:
        with self._lock:
            self._seen.setdefault(platform, set()).add(account)

    def is_deleted(self, *names: str) -> bool:
        with self._lock:
            return any(n in self._control.deleted for n in names)

    def find_post(self, spec: ActorSpec, key: str, hint: str | None) -> tuple[str, int] | None:
        """(account, index) of the post `key` names, among the accounts the stand-in knows."""
        with self._lock:
            seen = sorted(self._seen.get(spec.platform, set()))
        candidates: Iterable[str] = [
            *([self.status(hint)[1]] if hint else []),
            *sample_creators(spec),
            *seen,
        ]
        for account in dict.fromkeys(candidates):
            index = _keys_of(spec, account).get(key)
            if index is not None and self.status(account)[0] == "ok":
                return account, index
        return None
