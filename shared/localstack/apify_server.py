"""A local stand-in for the Apify API v2, speaking the wire format apify-client 3.x uses.

API (Bearer token or `?token=`; any non-empty token unless one is configured). apify-client
3.x says /v2/actors/...; the older /v2/acts/... spelling is served too:
  POST /v2/actors/{actor}/runs        start a run: body = run input (JSON, maybe gzip-encoded);
                                      query webhooks (base64 JSON), timeout, memory, maxItems,
                                      maxTotalChargeUsd, waitForFinish (seconds, at most 60)
  GET  /v2/actors/{actor}             the actor, with its pricingInfos history
  GET  /v2/actor-runs/{run}           the run; honours waitForFinish
  POST /v2/actor-runs/{run}/abort
  GET  /v2/datasets/{dataset}/items   offset, limit, desc, clean, skipEmpty, skipHidden, fields,
                                      omit; X-Apify-Pagination-* headers
  GET  /v2/actor-runs/{run}/dataset/items
  GET  /v2/actor-runs/{run}/log       plain text (also /v2/logs/{run})
`{actor}` is `user~name`, `user/name` URL-encoded, or the actor id. Errors have Apify's body
`{"error": {"type", "message"}}`.

Runs go READY -> RUNNING -> SUCCEEDED (or the injected FAILED / TIMED-OUT) in a background
thread after `run_delay_seconds`, then each ad-hoc webhook whose eventTypes match gets Apify's
default payload ({userId, createdAt, eventType, eventData: {actorId, actorRunId}, resource: the
run}) or its rendered payloadTemplate. A non-2xx answer is retried a few times with short
backoff (the real service retries for about 32 hours). A TIMED-OUT run keeps half its items, a
FAILED or ABORTED one none.

Supported actors replay the labelled sample files in apify_samples/ for every requested
username (see `ACTORS`); ids are deterministic per (username, item index), dates are rendered
from day offsets at run start, and date filters leak one older post, as the real actors are
known to, so callers must filter too. Prices are illustrative.

Control (not part of Apify's API):
  POST /_control/faults  {"rate_limit_next": n, "server_error_next": n, "fail_next_runs": n,
                          "timeout_next_runs": n, "duplicate_webhooks": bool,
                          "malformed_items_per_run": n}   (all optional; merged into the current)
  GET  /_control/faults  the current faults
  GET  /_control/runs    {"runs": [{id, actId, actor, input, status, webhookDispatches}]}
  POST /_control/reset   forget runs, datasets and faults

Run as `python -m shared.localstack.apify_server --port 8091`.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import gzip
import hashlib
import json
import logging
import re
import secrets
import string
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).with_name("apify_samples")
MAX_WAIT_FOR_FINISH_SECONDS = 60
NO_LIMIT = 999_999_999_999
LOCAL_USER_ID = "LocalApifyUser001"
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED-OUT", "ABORTED"})
EVENT_OF_STATUS = {
    "SUCCEEDED": "ACTOR.RUN.SUCCEEDED",
    "FAILED": "ACTOR.RUN.FAILED",
    "TIMED-OUT": "ACTOR.RUN.TIMED_OUT",
    "ABORTED": "ACTOR.RUN.ABORTED",
}
STATUS_MESSAGE = {
    "FAILED": "The Actor process failed (fault injected by the local stand-in).",
    "TIMED-OUT": "The Actor run timed out (fault injected by the local stand-in).",
    "ABORTED": "The Actor run was aborted.",
}
# Illustrative prices: a flat platform cost per run and per item for pay-per-usage runs.
PLATFORM_USD_PER_RUN = 0.004
PLATFORM_USD_PER_ITEM = 0.0002
PROFILE_URL = {
    "instagram": "https://www.instagram.com/{}/",
    "tiktok": "https://www.tiktok.com/@{}",
    "youtube": "https://www.youtube.com/@{}",
}
IG_SHORTCODE = string.ascii_letters + string.digits + "-_"
APIFY_ID = string.ascii_letters + string.digits


class ApiError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, error_type, message

    def response(self) -> Response:
        return _json(self.status, {"error": {"type": self.type, "message": self.message}})


def _invalid_input(message: str) -> ApiError:
    return ApiError(400, "invalid-input", f"Input is not valid: {message}")


# ---- actors and what they replay ----------------------------------------------------------


@dataclass(frozen=True)
class ActorSpec:
    username: str
    name: str
    title: str
    sample: str  # file in apify_samples/
    platform: str  # seeds ids, so both Instagram actors give a post the same id
    owner_path: tuple[str, ...]  # where a sample item names its creator
    targets: Callable[[Mapping[str, Any]], list[str]]
    limit_field: str | None = None
    date_field: str | None = None
    pricing: str = "usage"  # usage | per_item | per_event
    unit_name: str = "result"
    price_per_unit_usd: float = 0.0

    @property
    def ref(self) -> str:
        return f"{self.username}~{self.name}"

    @property
    def id(self) -> str:
        return _chars(APIFY_ID, 17, "actor", self.ref)


def _str_list(run_input: Mapping[str, Any], key: str) -> list[str]:
    value = run_input.get(key)
    if not isinstance(value, list) or not value:
        raise _invalid_input(f"Field input.{key} is required and must be a non-empty array")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise _invalid_input(f"Items of input.{key} must be non-empty strings")
    return [v.strip() for v in value]


def _handle(value: str, host: str) -> str:
    """`name`, `@name` or a profile URL on `host` -> name."""
    if "://" not in value:
        return value.lstrip("@").strip("/").lower()
    url = urlsplit(value)
    parts = [p for p in url.path.split("/") if p]
    if not url.hostname or not url.hostname.endswith(host) or not parts:
        raise _invalid_input(f"{value!r} is not a {host} profile URL")
    if parts[0] in {"p", "reel", "reels", "explore", "stories", "watch", "channel", "shorts"}:
        raise _invalid_input(f"{value!r}: this local stand-in replays profile URLs only")
    return parts[0].lstrip("@").lower()


def _instagram_posts_targets(run_input: Mapping[str, Any]) -> list[str]:
    if run_input.get("resultsType", "posts") != "posts":
        raise _invalid_input("this local stand-in supports resultsType 'posts' only")
    return [_handle(u, "instagram.com") for u in _str_list(run_input, "directUrls")]


def _instagram_profile_targets(run_input: Mapping[str, Any]) -> list[str]:
    return [_handle(u, "instagram.com") for u in _str_list(run_input, "usernames")]


def _tiktok_targets(run_input: Mapping[str, Any]) -> list[str]:
    return [_handle(u, "tiktok.com") for u in _str_list(run_input, "profiles")]


def _youtube_targets(run_input: Mapping[str, Any]) -> list[str]:
    start_urls = run_input.get("startUrls")
    if not isinstance(start_urls, list) or not start_urls:
        raise _invalid_input("Field input.startUrls is required and must be a non-empty array")
    urls = [u.get("url") if isinstance(u, dict) else u for u in start_urls]
    if not all(isinstance(u, str) and "/@" in u for u in urls):
        raise _invalid_input("startUrls must be channel URLs like https://www.youtube.com/@handle")
    return [_handle(str(u), "youtube.com") for u in urls]


ACTORS: tuple[ActorSpec, ...] = (
    ActorSpec(
        "apify",
        "instagram-scraper",
        "Instagram Scraper",
        "instagram-scraper.json",
        "instagram",
        ("ownerUsername",),
        _instagram_posts_targets,
        "resultsLimit",
        "onlyPostsNewerThan",
        "per_item",
        "result",
        0.0023,
    ),
    ActorSpec(
        "apify",
        "instagram-profile-scraper",
        "Instagram Profile Scraper",
        "instagram-profile-scraper.json",
        "instagram",
        ("username",),
        _instagram_profile_targets,
        pricing="per_item",
        unit_name="profile",
        price_per_unit_usd=0.0026,
    ),
    ActorSpec(
        "clockworks",
        "tiktok-scraper",
        "TikTok Scraper",
        "tiktok-scraper.json",
        "tiktok",
        ("authorMeta", "name"),
        _tiktok_targets,
        "resultsPerPage",
        "oldestPostDateUnified",
        "per_event",
    ),
    ActorSpec(
        "streamers",
        "youtube-scraper",
        "YouTube Scraper",
        "youtube-scraper.json",
        "youtube",
        ("channelUsername",),
        _youtube_targets,
        "maxResults",
    ),
)
# clockworks/tiktok-scraper's pay-per-event prices: (days since the server started, prices).
EVENT_PRICE_HISTORY: tuple[tuple[int, dict[str, float]], ...] = (
    (-90, {"actor-start": 0.005, "result": 0.004}),
    (21, {"actor-start": 0.005, "result": 0.0045}),  # announced, not yet in force
)


@cache
def _sample_items(file_name: str) -> tuple[dict[str, Any], ...]:
    document = json.loads((SAMPLES_DIR / file_name).read_text(encoding="utf-8"))
    return tuple(document["items"])


def _creator_templates(spec: ActorSpec, username: str) -> list[dict[str, Any]]:
    """The named sample creator's items, or a deterministic one's for any other username;
    newest first."""
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for item in _sample_items(spec.sample):
        owner: Any = item
        for key in spec.owner_path:
            owner = owner[key]
        by_owner.setdefault(str(owner), []).append(item)
    names = sorted(by_owner)
    chosen = username if username in by_owner else names[_digest(username) % len(names)]
    return sorted(by_owner[chosen], key=lambda item: float(item.get("_daysAgo", 0)))


# ---- rendering sample items for a username -------------------------------------------------


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:16], "big")


def _digits(length: int, *parts: str) -> str:
    low = 10 ** (length - 1)
    return str(low + _digest(*parts) % (9 * low))


def _chars(alphabet: str, length: int, *parts: str) -> str:
    number, out = _digest(*parts), []
    for _ in range(length):
        number, index = divmod(number, len(alphabet))
        out.append(alphabet[index])
    return "".join(out)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _display_name(username: str, template_name: Any, template_owner: str) -> Any:
    if username == template_owner:
        return template_name
    return " ".join(w.capitalize() for w in re.split(r"[._\-]+", username) if w) or username


def _render_instagram_post(
    template: Mapping[str, Any], username: str, index: int, now: datetime
) -> dict[str, Any]:
    item = copy.deepcopy(dict(template))
    posted = now - timedelta(days=float(item.pop("_daysAgo")))
    code = _chars(IG_SHORTCODE, 11, "instagram-post", username, str(index))
    item.update(
        inputUrl=f"https://www.instagram.com/{username}/",
        id=_digits(19, "instagram-post", username, str(index)),
        shortCode=code,
        url=f"https://www.instagram.com/p/{code}/",
        timestamp=_iso(posted),
        ownerFullName=_display_name(username, item.get("ownerFullName"), item["ownerUsername"]),
        ownerUsername=username,
        ownerId=_digits(11, "instagram-user", username),
    )
    return item


def _render_instagram_profile(
    template: Mapping[str, Any], username: str, now: datetime
) -> dict[str, Any]:
    item = copy.deepcopy(dict(template))
    posts = next(spec for spec in ACTORS if spec.name == "instagram-scraper")
    latest = [
        _render_instagram_post(post, username, i, now)
        for i, post in enumerate(_creator_templates(posts, username)[:12])
    ]
    item.update(
        inputUrl=f"https://www.instagram.com/{username}",
        id=_digits(11, "instagram-user", username),
        username=username,
        url=f"https://www.instagram.com/{username}",
        fullName=_display_name(username, item.get("fullName"), item["username"]),
        latestPosts=[{k: v for k, v in p.items() if k != "inputUrl"} for p in latest],
    )
    return item


def _render_tiktok_video(
    template: Mapping[str, Any], username: str, index: int, now: datetime
) -> dict[str, Any]:
    item = copy.deepcopy(dict(template))
    posted = (now - timedelta(days=float(item.pop("_daysAgo")))).replace(microsecond=0)
    video_id = "7" + _digits(18, "tiktok-video", username, str(index))
    author = item["authorMeta"]
    author.update(
        id="6" + _digits(18, "tiktok-user", username),
        nickName=_display_name(username, author.get("nickName"), author["name"]),
        name=username,
        profileUrl=f"https://www.tiktok.com/@{username}",
    )
    item.update(
        id=video_id,
        createTime=int(posted.timestamp()),
        createTimeISO=_iso(posted),
        webVideoUrl=f"https://www.tiktok.com/@{username}/video/{video_id}",
        input=username,
    )
    return item


def _render_youtube_video(
    template: Mapping[str, Any], username: str, index: int, now: datetime
) -> dict[str, Any]:
    item = copy.deepcopy(dict(template))
    posted = now - timedelta(days=float(item.pop("_daysAgo")))
    video_id = _chars(IG_SHORTCODE, 11, "youtube-video", username, str(index))
    path = "shorts/" if item.get("type") == "shorts" else "watch?v="
    item.update(
        id=video_id,
        url=f"https://www.youtube.com/{path}{video_id}",
        date=_iso(posted),
        channelName=_display_name(username, item.get("channelName"), item["channelUsername"]),
        channelUrl=f"https://www.youtube.com/@{username}",
        channelUsername=username,
        channelId="UC" + _chars(IG_SHORTCODE, 22, "youtube-channel", username),
        input=f"https://www.youtube.com/@{username}",
        fromYTUrl=f"https://www.youtube.com/@{username}/videos",
        order=index,
    )
    return item


_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(hour|day|week|month|year)s?\s*$", re.IGNORECASE)
_UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}


def _max_age_days(value: Any, now: datetime, field_name: str) -> float | None:
    """A date filter (ISO date or datetime, `N days`-style, or a bare number of days) as the
    age in days of the oldest post it asks for."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        if match := _RELATIVE.match(value):
            return float(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]
        if value.strip().isdigit():
            return float(value)
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            return (now - moment).total_seconds() / 86400
    raise _invalid_input(f"input.{field_name} must be a date, a datetime or e.g. '7 days'")


def _positive_int(run_input: Mapping[str, Any], key: str | None) -> int | None:
    if key is None or run_input.get(key) is None:
        return None
    value = run_input[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _invalid_input(f"input.{key} must be an integer of at least 1")
    return value


def render_items(spec: ActorSpec, run_input: Mapping[str, Any], now: datetime) -> list[Any]:
    """The dataset a run of `spec` with `run_input` produces, before any injected fault."""
    usernames = spec.targets(run_input)
    limit = _positive_int(run_input, spec.limit_field)
    max_age = _max_age_days(run_input.get(spec.date_field or ""), now, spec.date_field or "")
    items: list[Any] = []
    for username in usernames:
        templates = _creator_templates(spec, username)
        if spec.name == "instagram-profile-scraper":
            items.append(_render_instagram_profile(templates[0], username, now))
            continue
        indexed = list(enumerate(templates))
        if max_age is not None:
            newer = [(i, t) for i, t in indexed if float(t["_daysAgo"]) <= max_age]
            older = [(i, t) for i, t in indexed if float(t["_daysAgo"]) > max_age]
            indexed = newer + older[:1]  # the real actors let one older post through
        render = {
            "instagram": _render_instagram_post,
            "tiktok": _render_tiktok_video,
            "youtube": _render_youtube_video,
        }[spec.platform]
        items.extend(render(t, username, i, now) for i, t in indexed[:limit])
    return items


def malformed_items(spec: ActorSpec, items: list[Any], count: int) -> list[Any]:
    """What real scrapers also push now and then: an item without its id, one with wrong
    types, and an error item for a profile that could not be read."""
    out: list[Any] = []
    for n in range(count):
        variant = n % 3 if items else 2
        base = copy.deepcopy(items[n % len(items)]) if items else {}
        if variant == 0:
            base.pop("id", None)
            base.pop("shortCode", None)
            out.append(base)
        elif variant == 1:
            for key in ("likesCount", "diggCount", "viewCount", "followersCount"):
                if key in base:
                    base[key] = "1.2K"
            for key in ("timestamp", "createTimeISO", "date"):
                if key in base:
                    base[key] = 1700000000
            base["id"] = int(_digits(12, "malformed", str(n)))
            out.append(base)
        else:
            out.append(
                {
                    "url": PROFILE_URL[spec.platform].format("not.a.real.profile"),
                    "error": "not_found",
                    "errorDescription": "Page not found, the profile may not exist.",
                }
            )
    return out


# ---- server state --------------------------------------------------------------------------


@dataclass
class Faults:
    rate_limit_next: int = 0
    server_error_next: int = 0
    fail_next_runs: int = 0
    timeout_next_runs: int = 0
    duplicate_webhooks: bool = False
    malformed_items_per_run: int = 0


def _new_id() -> str:
    return "".join(secrets.choice(APIFY_ID) for _ in range(17))


@dataclass
class _Run:
    id: str
    spec: ActorSpec
    input: dict[str, Any]
    input_len: int
    webhooks: list[dict[str, Any]]
    options: dict[str, Any]
    outcome: str
    planned: list[Any]
    pricing_info: dict[str, Any] | None
    started_at: datetime
    meta: dict[str, Any]
    dataset_id: str = field(default_factory=_new_id)
    kvs_id: str = field(default_factory=_new_id)
    queue_id: str = field(default_factory=_new_id)
    build_id: str = field(default_factory=_new_id)
    status: str = "READY"
    status_message: str | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None
    dispatches: list[dict[str, Any]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def note(self, moment: datetime, message: str) -> None:
        self.status_message = message
        self.log.append(f"{_iso(moment)} {message}")


class LocalApifyServer:
    """The WSGI app. Thread-safe; serve it threaded (waitForFinish blocks a request)."""

    def __init__(
        self,
        *,
        run_delay_seconds: float = 0.2,
        webhook_retry_delays: Iterable[float] = (0.05, 0.1, 0.2, 0.4),
        token: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._run_delay = run_delay_seconds
        self._retry_delays = tuple(webhook_retry_delays)
        self._token = token
        self._clock = clock
        self._epoch = clock()
        self._cond = threading.Condition(threading.RLock())
        self._runs: dict[str, _Run] = {}
        self._datasets: dict[str, list[Any]] = {}
        self._faults = Faults()
        self._http = httpx.Client(timeout=30)
        self._urls = Map(
            [
                *(
                    Rule(f"/v2/{prefix}/<path:actor>/runs", methods=["POST"], endpoint="start_run")
                    for prefix in ("actors", "acts")
                ),
                *(
                    Rule(f"/v2/{prefix}/<path:actor>", methods=["GET"], endpoint="get_actor")
                    for prefix in ("actors", "acts")
                ),
                Rule("/v2/actor-runs/<run_id>", methods=["GET"], endpoint="get_run"),
                Rule("/v2/actor-runs/<run_id>/abort", methods=["POST"], endpoint="abort_run"),
                Rule(
                    "/v2/actor-runs/<run_id>/dataset/items", methods=["GET"], endpoint="run_items"
                ),
                Rule("/v2/datasets/<dataset_id>/items", methods=["GET"], endpoint="items"),
                Rule("/v2/actor-runs/<run_id>/log", methods=["GET"], endpoint="log"),
                Rule("/v2/logs/<run_id>", methods=["GET"], endpoint="log"),
                Rule("/_control/faults", methods=["GET", "POST"], endpoint="faults"),
                Rule("/_control/runs", methods=["GET"], endpoint="list_runs"),
                Rule("/_control/reset", methods=["POST"], endpoint="reset"),
            ]
        )

    # -- control, also callable in-process ---------------------------------------------------

    def set_faults(self, **changes: Any) -> Faults:
        with self._cond:
            current = asdict(self._faults)
            for key, value in changes.items():
                if key not in current:
                    raise ApiError(400, "invalid-fault", f"unknown fault {key!r}")
                wanted = bool if key == "duplicate_webhooks" else int
                if type(value) is not wanted or (wanted is int and value < 0):
                    raise ApiError(400, "invalid-fault", f"{key} must be a {wanted.__name__}")
                current[key] = value
            self._faults = Faults(**current)
            return Faults(**current)

    def runs(self) -> list[dict[str, Any]]:
        with self._cond:
            return [
                {
                    "id": r.id,
                    "actId": r.spec.id,
                    "actor": f"{r.spec.username}/{r.spec.name}",
                    "input": r.input,
                    "status": r.status,
                    "webhookDispatches": copy.deepcopy(r.dispatches),
                }
                for r in self._runs.values()
            ]

    def reset(self) -> None:
        with self._cond:
            self._runs.clear()
            self._datasets.clear()
            self._faults = Faults()
            self._cond.notify_all()

    def close(self) -> None:
        self._http.close()

    # -- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._respond(Request(environ))(environ, start_response)

    def _respond(self, request: Request) -> Response:
        try:
            if request.path.startswith("/v2/"):
                self._injected_failure()
                self._authenticate(request)
            endpoint, args = self._urls.bind_to_environ(request.environ).match()
            handler: Callable[..., Response] = getattr(self, f"_on_{endpoint}")
            return handler(request, **args)
        except ApiError as exc:
            return exc.response()
        except HTTPException as exc:
            kind = "method-not-allowed" if exc.code == 405 else "page-not-found"
            return ApiError(exc.code or 404, kind, exc.description or kind).response()

    def _injected_failure(self) -> None:
        with self._cond:
            if self._faults.rate_limit_next > 0:
                self._faults.rate_limit_next -= 1
                raise ApiError(
                    429,
                    "rate-limit-exceeded",
                    "You have exceeded the rate limit. Please try again later.",
                )
            if self._faults.server_error_next > 0:
                self._faults.server_error_next -= 1
                raise ApiError(500, "internal-server-error", "Internal server error")

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header else request.args.get("token")
        if not token:
            raise ApiError(401, "token-not-provided", "Authentication token was not provided")
        if self._token is not None and token != self._token:
            raise ApiError(
                401,
                "user-or-token-not-found",
                "User was not found or authentication token is not valid",
            )

    # -- handlers ----------------------------------------------------------------------------

    def _on_start_run(self, request: Request, actor: str) -> Response:
        spec = self._actor(actor)
        body = _request_body(request)
        try:
            run_input = json.loads(body) if body.strip() else {}
        except ValueError as exc:
            raise _invalid_input("the body is not valid JSON") from exc
        if not isinstance(run_input, dict):
            raise _invalid_input("the input must be a JSON object")
        webhooks = _decode_webhooks(request.args.get("webhooks"))
        options = _run_options(request.args)
        wait = _int_arg(request.args, "waitForFinish", 0, maximum=None) or 0
        now = self._clock()
        planned = render_items(spec, run_input, now)
        pricing_info = _current_pricing(self._pricing_infos(spec), now)
        with self._cond:
            faults = self._faults
            outcome = "SUCCEEDED"
            if faults.fail_next_runs > 0:
                faults.fail_next_runs, outcome = faults.fail_next_runs - 1, "FAILED"
            elif faults.timeout_next_runs > 0:
                faults.timeout_next_runs, outcome = faults.timeout_next_runs - 1, "TIMED-OUT"
            planned += malformed_items(spec, planned, faults.malformed_items_per_run)
            run = _Run(
                id=_new_id(),
                spec=spec,
                input=run_input,
                input_len=len(body),
                webhooks=webhooks,
                options=options,
                outcome=outcome,
                planned=_capped(planned, options, pricing_info),
                pricing_info=pricing_info,
                started_at=now,
                meta={
                    "origin": "API",
                    "clientIp": request.remote_addr,
                    "userAgent": request.headers.get("User-Agent"),
                },
            )
            run.note(now, "Starting the run")
            self._runs[run.id] = run
            self._datasets[run.dataset_id] = []
            created = self._webhook_jobs(run, "ACTOR.RUN.CREATED")
        threading.Thread(target=self._execute, args=(run.id,), daemon=True).start()
        self._dispatch(created)
        return _json(201, {"data": self._wait(run.id, wait)})

    def _on_get_actor(self, request: Request, actor: str) -> Response:
        spec = self._actor(actor)
        with self._cond:
            total_runs = sum(1 for r in self._runs.values() if r.spec == spec)
        data = {
            "id": spec.id,
            "userId": _chars(APIFY_ID, 17, "user", spec.username),
            "name": spec.name,
            "username": spec.username,
            "title": spec.title,
            "description": f"Local stand-in for {spec.username}/{spec.name} (sample data).",
            "isPublic": True,
            "isDeprecated": False,
            "createdAt": _iso(self._epoch - timedelta(days=1000)),
            "modifiedAt": _iso(self._epoch - timedelta(days=3)),
            "stats": {"totalRuns": total_runs},
            "versions": [],
            "defaultRunOptions": {"build": "latest", "timeoutSecs": 3600, "memoryMbytes": 1024},
            "pricingInfos": self._pricing_infos(spec),
            "categories": ["SOCIAL_MEDIA"],
        }
        return _json(200, {"data": data})

    def _on_get_run(self, request: Request, run_id: str) -> Response:
        wait = _int_arg(request.args, "waitForFinish", 0, maximum=None) or 0
        return _json(200, {"data": self._wait(run_id, wait)})

    def _on_abort_run(self, request: Request, run_id: str) -> Response:
        with self._cond:
            run = self._run(run_id)
            jobs = []
            if run.status not in TERMINAL:
                self._finish(run, "ABORTED")
                jobs = self._webhook_jobs(run, EVENT_OF_STATUS["ABORTED"])
            data = self._run_json(run)
        self._dispatch(jobs)
        return _json(200, {"data": data})

    def _on_run_items(self, request: Request, run_id: str) -> Response:
        with self._cond:
            dataset_id = self._run(run_id).dataset_id
        return self._on_items(request, dataset_id)

    def _on_items(self, request: Request, dataset_id: str) -> Response:
        with self._cond:
            if dataset_id not in self._datasets:
                raise ApiError(404, "record-not-found", "Dataset was not found")
            items = list(self._datasets[dataset_id])
        if request.args.get("format", "json") != "json":
            raise ApiError(400, "invalid-parameter", "This local stand-in serves format=json only")
        desc = _bool_arg(request.args, "desc")
        offset = _int_arg(request.args, "offset", 0, maximum=None) or 0
        limit = _int_arg(request.args, "limit", 0, maximum=None) or NO_LIMIT
        window = (items[::-1] if desc else items)[offset : offset + limit]
        clean = _bool_arg(request.args, "clean")
        skip_hidden = clean or _bool_arg(request.args, "skipHidden")
        skip_empty = clean or _bool_arg(request.args, "skipEmpty")
        pick = [f for f in request.args.get("fields", "").split(",") if f]
        omit = {f for f in request.args.get("omit", "").split(",") if f}
        out = []
        for stored in window:
            item = stored
            if isinstance(item, dict):
                if skip_hidden:
                    item = {k: v for k, v in item.items() if not k.startswith("#")}
                if pick:
                    item = {k: item[k] for k in pick if k in item}
                item = {k: v for k, v in item.items() if k not in omit}
            if skip_empty and not item:
                continue
            out.append(item)
        headers = {
            "X-Apify-Pagination-Offset": str(offset),
            "X-Apify-Pagination-Limit": str(limit),
            "X-Apify-Pagination-Count": str(len(window)),
            "X-Apify-Pagination-Total": str(len(items)),
            "X-Apify-Pagination-Desc": str(desc).lower(),
        }
        return _json(200, out, headers)

    def _on_log(self, request: Request, run_id: str) -> Response:
        with self._cond:
            text = "\n".join(self._run(run_id).log) + "\n"
        return Response(text, mimetype="text/plain")

    def _on_faults(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = json.loads(request.get_data() or b"{}")
            except ValueError:
                changes = None
            if not isinstance(changes, dict):
                raise ApiError(400, "invalid-fault", "send a JSON object of faults")
            self.set_faults(**changes)
        with self._cond:
            return _json(200, {"faults": asdict(self._faults)})

    def _on_list_runs(self, request: Request) -> Response:
        return _json(200, {"runs": self.runs()})

    def _on_reset(self, request: Request) -> Response:
        self.reset()
        return _json(200, {"reset": True})

    # -- runs --------------------------------------------------------------------------------

    def _actor(self, reference: str) -> ActorSpec:
        wanted = reference.replace("/", "~")
        for spec in ACTORS:
            if wanted in (spec.ref, spec.id):
                return spec
        raise ApiError(404, "record-not-found", "Actor was not found")

    def _run(self, run_id: str) -> _Run:
        run = self._runs.get(run_id)
        if run is None:
            raise ApiError(404, "record-not-found", "Actor run was not found")
        return run

    def _wait(self, run_id: str, seconds: int) -> dict[str, Any]:
        deadline = time.monotonic() + min(seconds, MAX_WAIT_FOR_FINISH_SECONDS)
        with self._cond:
            while True:
                run = self._run(run_id)
                remaining = deadline - time.monotonic()
                if run.status in TERMINAL or remaining <= 0:
                    return self._run_json(run)
                self._cond.wait(remaining)

    def _execute(self, run_id: str) -> None:
        """READY -> RUNNING after half the delay, the planned end after the other half; a run
        that was aborted or forgotten (reset) meanwhile is left alone."""
        time.sleep(self._run_delay / 2)
        with self._cond:
            run = self._runs.get(run_id)
            if run is None or run.status in TERMINAL:
                return
            run.status = "RUNNING"
            run.note(self._clock(), "Scraping")
            self._cond.notify_all()
        time.sleep(self._run_delay / 2)
        with self._cond:
            run = self._runs.get(run_id)
            if run is None or run.status in TERMINAL:
                return
            self._finish(run, run.outcome)
            jobs = self._webhook_jobs(run, EVENT_OF_STATUS[run.status])
        self._dispatch(jobs)

    def _finish(self, run: _Run, status: str) -> None:
        kept = {"SUCCEEDED": len(run.planned), "TIMED-OUT": len(run.planned) // 2}.get(status, 0)
        self._datasets[run.dataset_id] = run.planned[:kept]
        run.status, run.finished_at = status, self._clock()
        run.exit_code = 0 if status == "SUCCEEDED" else 1
        run.note(run.finished_at, STATUS_MESSAGE.get(status, f"Finished! {kept} results."))
        self._cond.notify_all()

    def _run_json(self, run: _Run) -> dict[str, Any]:
        item_count = len(self._datasets.get(run.dataset_id, []))
        end = run.finished_at or self._clock()
        seconds = max((end - run.started_at).total_seconds(), 0.0)
        memory = run.options["memoryMbytes"]
        usage_total, usage_usd, charged = _charges(run.spec, run.pricing_info, item_count)
        data: dict[str, Any] = {
            "id": run.id,
            "actId": run.spec.id,
            "userId": LOCAL_USER_ID,
            "actorTaskId": None,
            "startedAt": _iso(run.started_at),
            "finishedAt": _iso(run.finished_at) if run.finished_at else None,
            "status": run.status,
            "statusMessage": run.status_message,
            "isStatusMessageTerminal": run.status in TERMINAL,
            "meta": run.meta,
            "stats": {
                "inputBodyLen": run.input_len,
                "restartCount": 0,
                "resurrectCount": 0,
                "durationMillis": int(seconds * 1000),
                "runTimeSecs": round(seconds, 3),
                "computeUnits": round(memory / 1024 * seconds / 3600, 6),
            },
            "options": {
                "build": "latest",
                "timeoutSecs": run.options["timeoutSecs"],
                "memoryMbytes": memory,
                "diskMbytes": memory * 2,
                "maxItems": run.options.get("maxItems"),
                "maxTotalChargeUsd": run.options.get("maxTotalChargeUsd"),
            },
            "buildId": run.build_id,
            "buildNumber": "0.3.12",
            "exitCode": run.exit_code,
            "generalAccess": "FOLLOW_USER_SETTING",
            "defaultKeyValueStoreId": run.kvs_id,
            "defaultDatasetId": run.dataset_id,
            "defaultRequestQueueId": run.queue_id,
            "usageTotalUsd": usage_total,
            "platformUsageBillingModel": "DEVELOPER" if charged is not None else "USER",
        }
        if usage_usd is not None:
            data["usageUsd"] = usage_usd
        if charged is not None:
            data["chargedEventCounts"] = charged
        if run.pricing_info is not None:
            data["pricingInfo"] = run.pricing_info
        return data

    def _pricing_infos(self, spec: ActorSpec) -> list[dict[str, Any]]:
        def record(days: int, **fields: Any) -> dict[str, Any]:
            moment = _iso(self._epoch + timedelta(days=days))
            created = _iso(self._epoch + timedelta(days=min(days, 0) - 14))
            return {
                "apifyMarginPercentage": 0.2,
                "createdAt": created,
                "startedAt": moment,
                **fields,
            }

        if spec.pricing == "per_item":
            return [
                record(
                    -200,
                    pricingModel="PRICE_PER_DATASET_ITEM",
                    unitName=spec.unit_name,
                    pricePerUnitUsd=spec.price_per_unit_usd,
                )
            ]
        if spec.pricing != "per_event":
            return []
        history = [
            record(
                -400,
                pricingModel="PRICE_PER_DATASET_ITEM",
                unitName="result",
                pricePerUnitUsd=0.005,
            )
        ]
        for days, prices in EVENT_PRICE_HISTORY:
            events = {
                name: {
                    "eventTitle": name.replace("-", " ").capitalize(),
                    "eventDescription": (
                        "Charged once when the run starts."
                        if name == "actor-start"
                        else "Charged for each item pushed to the dataset."
                    ),
                    "eventPriceUsd": price,
                    "isPrimaryEvent": name == "result",
                    "isOneTimeEvent": name == "actor-start",
                }
                for name, price in prices.items()
            }
            history.append(
                record(
                    days,
                    pricingModel="PAY_PER_EVENT",
                    pricingPerEvent={"actorChargeEvents": events},
                )
            )
        return history

    # -- webhooks ----------------------------------------------------------------------------

    def _webhook_jobs(self, run: _Run, event_type: str) -> list[dict[str, Any]]:
        """Rendered deliveries for `event_type` (call holding the lock)."""
        jobs = []
        resource = self._run_json(run)
        for webhook in run.webhooks:
            if event_type not in webhook["eventTypes"]:
                continue
            variables = {
                "userId": LOCAL_USER_ID,
                "createdAt": _iso(self._clock()),
                "eventType": event_type,
                "eventData": {"actorId": run.spec.id, "actorRunId": run.id},
                "resource": resource,
            }
            template = webhook.get("payloadTemplate")
            body = _render(template, variables) if template else json.dumps(variables)
            headers = {"Content-Type": "application/json"}
            if webhook.get("headersTemplate"):
                try:
                    extra = json.loads(_render(webhook["headersTemplate"], variables))
                    headers.update({str(k): str(v) for k, v in dict(extra).items()})
                except (ValueError, TypeError):
                    logger.warning("ignoring a headersTemplate that is not a JSON object")
            dispatch = {
                "id": _new_id(),
                "eventType": event_type,
                "requestUrl": webhook["requestUrl"],
                "status": "ACTIVE",
                "attempts": 0,
                "deliveries": 0,
                "lastStatusCode": None,
            }
            run.dispatches.append(dispatch)
            headers["X-Apify-Webhook"] = webhook["id"]
            headers["X-Apify-Webhook-Dispatch-Id"] = dispatch["id"]
            jobs.append(
                {
                    "dispatch": dispatch,
                    "body": body.encode(),
                    "headers": headers,
                    "copies": 2 if self._faults.duplicate_webhooks else 1,
                }
            )
        return jobs

    def _dispatch(self, jobs: list[dict[str, Any]]) -> None:
        for job in jobs:
            threading.Thread(target=self._deliver, args=(job,), daemon=True).start()

    def _deliver(self, job: dict[str, Any]) -> None:
        dispatch = job["dispatch"]
        for _ in range(job["copies"]):
            delivered = False
            for delay in (0.0, *self._retry_delays):
                time.sleep(delay)
                try:
                    answer = self._http.post(
                        dispatch["requestUrl"], content=job["body"], headers=job["headers"]
                    )
                    code: int | None = answer.status_code
                except httpx.HTTPError as exc:
                    logger.info("webhook %s: %s", dispatch["requestUrl"], exc)
                    code = None
                with self._cond:
                    dispatch["attempts"] += 1
                    dispatch["lastStatusCode"] = code
                    if code is not None and 200 <= code < 300:
                        dispatch["deliveries"] += 1
                        dispatch["status"] = "SUCCEEDED"
                        delivered = True
                if delivered:
                    break
            if not delivered:
                with self._cond:
                    dispatch["status"] = "FAILED"
                logger.warning("webhook to %s failed for good", dispatch["requestUrl"])


# ---- request parsing and pricing -----------------------------------------------------------


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, mimetype="application/json", headers=dict(headers or {})
    )


def _request_body(request: Request) -> bytes:
    raw = request.get_data(cache=False)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    try:
        if encoding == "gzip":
            return gzip.decompress(raw)
        if encoding == "deflate":
            return zlib.decompress(raw)
    except (OSError, zlib.error) as exc:
        raise ApiError(400, "invalid-body", f"the body is not valid {encoding}") from exc
    if encoding not in ("", "identity"):
        raise ApiError(415, "unsupported-content-encoding", f"cannot decode {encoding!r}")
    return raw


def _int_arg(args: Mapping[str, str], name: str, minimum: int, maximum: int | None) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise ApiError(400, "invalid-parameter", f"{name} must be an integer") from exc
    if value < minimum or (maximum is not None and value > maximum):
        raise ApiError(400, "invalid-parameter", f"{name} is out of range")
    return value


def _bool_arg(args: Mapping[str, str], name: str) -> bool:
    return str(args.get(name, "")).lower() in ("1", "true")


def _run_options(args: Mapping[str, str]) -> dict[str, Any]:
    memory = _int_arg(args, "memory", 128, 32768) or 1024
    if memory & (memory - 1):
        raise ApiError(400, "invalid-parameter", "memory must be a power of 2")
    options: dict[str, Any] = {
        "memoryMbytes": memory,
        "timeoutSecs": _int_arg(args, "timeout", 0, maximum=None) or 3600,
        "maxItems": _int_arg(args, "maxItems", 0, maximum=None),
    }
    if args.get("maxTotalChargeUsd"):
        try:
            options["maxTotalChargeUsd"] = float(args["maxTotalChargeUsd"])
        except ValueError as exc:
            raise ApiError(400, "invalid-parameter", "maxTotalChargeUsd must be a number") from exc
    return options


def _decode_webhooks(encoded: str | None) -> list[dict[str, Any]]:
    if not encoded:
        return []
    try:
        webhooks = json.loads(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise ApiError(400, "invalid-parameter", "webhooks must be base64-encoded JSON") from exc
    if not isinstance(webhooks, list):
        raise ApiError(400, "invalid-parameter", "webhooks must be a JSON array")
    out = []
    for webhook in webhooks:
        if not isinstance(webhook, dict):
            raise ApiError(400, "invalid-parameter", "each webhook must be an object")
        events, url = webhook.get("eventTypes"), webhook.get("requestUrl")
        if (
            not isinstance(events, list)
            or not events
            or not all(isinstance(e, str) for e in events)
        ):
            raise ApiError(400, "invalid-parameter", "webhook eventTypes must be a non-empty array")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise ApiError(400, "invalid-parameter", "webhook requestUrl must be an http(s) URL")
        out.append({**webhook, "id": _new_id()})
    return out


_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")


def _render(template: str, variables: Mapping[str, Any]) -> str:
    """A payload or headers template: each {{path}} becomes the JSON of that variable."""

    def value(match: re.Match[str]) -> str:
        node: Any = variables
        for part in match.group(1).split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        return json.dumps(node)

    return _VARIABLE.sub(value, template)


def _current_pricing(infos: list[dict[str, Any]], now: datetime) -> dict[str, Any] | None:
    started = [i for i in infos if datetime.fromisoformat(i["startedAt"]) <= now]
    return max(started, key=lambda i: i["startedAt"], default=None)


def _event_prices(pricing_info: Mapping[str, Any]) -> dict[str, float]:
    events = pricing_info["pricingPerEvent"]["actorChargeEvents"]
    return {name: float(event["eventPriceUsd"]) for name, event in events.items()}


def _capped(
    items: list[Any], options: Mapping[str, Any], info: Mapping[str, Any] | None
) -> list[Any]:
    """maxItems caps every run; maxTotalChargeUsd caps a pay-per-event run's results."""
    if options.get("maxItems") is not None:
        items = items[: options["maxItems"]]
    budget = options.get("maxTotalChargeUsd")
    if budget is not None and info is not None and info["pricingModel"] == "PAY_PER_EVENT":
        prices = _event_prices(info)
        affordable = (budget - prices.get("actor-start", 0.0)) / prices["result"]
        items = items[: max(int(affordable + 1e-9), 0)]
    return items


def _charges(
    spec: ActorSpec, info: Mapping[str, Any] | None, item_count: int
) -> tuple[float, dict[str, float] | None, dict[str, int] | None]:
    """(usageTotalUsd, usageUsd, chargedEventCounts) for a run that pushed `item_count`."""
    if info is not None and info["pricingModel"] == "PAY_PER_EVENT":
        counts = {"actor-start": 1, "result": item_count}
        prices = _event_prices(info)
        return round(sum(prices[k] * n for k, n in counts.items()), 6), None, counts
    usage = {
        "ACTOR_COMPUTE_UNITS": PLATFORM_USD_PER_RUN,
        "DATASET_WRITES": round(PLATFORM_USD_PER_ITEM * item_count, 6),
    }
    total = sum(usage.values())
    if info is not None and info["pricingModel"] == "PRICE_PER_DATASET_ITEM":
        total += float(info["pricePerUnitUsd"]) * item_count
    return round(total, 6), usage, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--run-delay", type=float, default=0.2, help="seconds a run takes")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = LocalApifyServer(run_delay_seconds=args.run_delay)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
