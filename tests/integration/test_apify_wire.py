"""The real apify-client, through ApifyScraper, against the local Apify stand-in over HTTP: each
supported actor returns sample items in its documented format, webhooks say how runs ended, and
the client's own retries absorb rate limits and server errors."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from apify_client import ApifyClient
from apify_client.errors import InvalidRequestError, RateLimitError, ServerError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.adapters.apify_scraper import ApifyScraper
from shared.errors import NotFound
from shared.localstack.apify_server import LocalApifyServer
from shared.ports import ActorRun, ScraperError

pytestmark = pytest.mark.integration

RETRIES = 3
CREATORS = {
    "instagram": ["trail.anna", "runwithmax", "alpine_lena"],
    "tiktok": ["trail.anna", "runwithmax", "alpine_lena"],
    "youtube": ["trailanna", "runwithmax", "alpinelena"],
}
INSTAGRAM_POST_FIELDS = {
    "id", "shortCode", "type", "caption", "hashtags", "mentions", "url", "commentsCount",
    "likesCount", "timestamp", "ownerUsername", "ownerId", "videoViewCount", "videoPlayCount",
    "isSponsored", "paidPartnership", "inputUrl",
}  # fmt: skip
TIKTOK_FIELDS = {
    "id", "text", "createTime", "createTimeISO", "authorMeta", "diggCount", "shareCount",
    "playCount", "commentCount", "hashtags", "mentions", "webVideoUrl", "isAd",
}  # fmt: skip
YOUTUBE_FIELDS = {
    "id", "title", "text", "url", "viewCount", "likes", "commentsCount", "date", "channelName",
    "channelUrl", "numberOfSubscribers", "hashtags",
}  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: dict[str, Any]


class WebhookReceiver:
    """Records webhook deliveries; answers the next `fail_next` of them with a 503."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.fail_next = 0
        self._cond = threading.Condition()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        with self._cond:
            if self.fail_next > 0:
                self.fail_next -= 1
                status = 503
            else:
                self.deliveries.append(Delivery(dict(request.headers), json.loads(request.data)))
                status = 200
            self._cond.notify_all()
        return Response("", status=status)(environ, start_response)

    def for_run(self, run_id: str, count: int = 1, timeout: float = 5.0) -> list[Delivery]:
        def arrived() -> list[Delivery]:
            return [d for d in self.deliveries if d.body["eventData"]["actorRunId"] == run_id]

        with self._cond:
            self._cond.wait_for(lambda: len(arrived()) >= count, timeout)
            return arrived()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def apify_url() -> Iterator[str]:
    app = LocalApifyServer(run_delay_seconds=0.1, webhook_retry_delays=(0.02, 0.02, 0.02))
    with serving(app) as url:
        yield url
    app.close()


@pytest.fixture(scope="module")
def receiver_and_url() -> Iterator[tuple[WebhookReceiver, str]]:
    receiver = WebhookReceiver()
    with serving(receiver) as url:
        yield receiver, url + "/hooks/apify"


@pytest.fixture
def receiver(receiver_and_url: tuple[WebhookReceiver, str]) -> WebhookReceiver:
    receiver_and_url[0].deliveries.clear()
    receiver_and_url[0].fail_next = 0
    return receiver_and_url[0]


@pytest.fixture
def hook_url(receiver_and_url: tuple[WebhookReceiver, str]) -> str:
    return receiver_and_url[1]


@pytest.fixture
def control(apify_url: str) -> Iterator[httpx.Client]:
    """The stand-in's control endpoints, from a clean state."""
    with httpx.Client(base_url=apify_url + "/_control", timeout=5) as http:
        http.post("/reset").raise_for_status()
        yield http


@pytest.fixture
def client(apify_url: str, control: httpx.Client) -> ApifyClient:
    return ApifyClient(
        token="local",
        api_url=apify_url,
        max_retries=RETRIES,
        min_delay_between_retries=timedelta(milliseconds=5),
    )


@pytest.fixture
def scraper(client: ApifyClient) -> ApifyScraper:
    return ApifyScraper(client, page_size=5)  # small pages, so paging is exercised


def finished(
    scraper: ApifyScraper, receiver: WebhookReceiver, run: ActorRun
) -> tuple[ActorRun, list[dict[str, Any]]]:
    """Wait for the run's webhook, then read the run and its items."""
    assert receiver.for_run(run.run_id), "no webhook arrived"
    done = scraper.get_run(run.run_id)
    assert done.dataset_id is not None
    return done, list(scraper.dataset_items(done.dataset_id))


def by_owner(items: list[dict[str, Any]], owner: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        value: Any = item
        for key in owner.split("."):
            value = value[key]
        grouped[value].append(item)
    return dict(grouped)


def instagram_input(usernames: list[str], **extra: Any) -> dict[str, Any]:
    urls = [f"https://www.instagram.com/{u}/" for u in usernames]
    return {"directUrls": urls, "resultsType": "posts", **extra}


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_instagram_posts_come_back_for_every_username_in_the_documented_format(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    usernames = [*CREATORS["instagram"], "someone.new"]
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(usernames, resultsLimit=3), hook_url
    )
    assert started.status in {"READY", "RUNNING"}
    assert started.finished_at is None

    run, items = finished(scraper, receiver, started)

    assert run.status == "SUCCEEDED"
    assert run.started_at is not None
    grouped = by_owner(items, "ownerUsername")
    assert sorted(grouped) == sorted(usernames)
    for username, posts in grouped.items():
        assert len(posts) == 3
        for post in posts:
            assert set(post) >= INSTAGRAM_POST_FIELDS
            assert post["type"] in {"Image", "Video", "Sidecar"}
            assert post["id"].isdigit()
            assert post["url"] == f"https://www.instagram.com/p/{post['shortCode']}/"
            assert post["inputUrl"] == f"https://www.instagram.com/{username}/"
            assert when(post["timestamp"]) <= run.started_at
        assert len({p["ownerId"] for p in posts}) == 1


def test_post_ids_are_stable_across_runs(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    run_input = instagram_input(["trail.anna", "someone.new"])
    first = finished(
        scraper, receiver, scraper.start_run("apify/instagram-scraper", run_input, hook_url)
    )
    again = finished(
        scraper, receiver, scraper.start_run("apify/instagram-scraper", run_input, hook_url)
    )
    assert [p["id"] for p in first[1]] == [p["id"] for p in again[1]]
    assert len({p["id"] for p in first[1]}) == len(first[1])


def test_instagram_profiles_carry_counts_and_latest_posts(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    usernames = CREATORS["instagram"]
    started = scraper.start_run(
        "apify/instagram-profile-scraper", {"usernames": usernames}, hook_url
    )
    run, profiles = finished(scraper, receiver, started)

    assert [p["username"] for p in profiles] == usernames
    for profile in profiles:
        assert isinstance(profile["followersCount"], int)
        assert isinstance(profile["followsCount"], int)
        assert isinstance(profile["postsCount"], int)
        assert {"fullName", "verified", "biography", "private"} <= set(profile)
        assert profile["latestPosts"]
        assert {p["ownerUsername"] for p in profile["latestPosts"]} == {profile["username"]}
    assert run.pricing_model == "PRICE_PER_DATASET_ITEM"


def test_tiktok_videos_and_pay_per_event_charges_come_through(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "clockworks/tiktok-scraper",
        {"profiles": CREATORS["tiktok"], "resultsPerPage": 4},
        hook_url,
    )
    run, videos = finished(scraper, receiver, started)

    grouped = by_owner(videos, "authorMeta.name")
    assert sorted(grouped) == sorted(CREATORS["tiktok"])
    for username, own in grouped.items():
        assert len(own) == 4
        for video in own:
            assert set(video) >= TIKTOK_FIELDS
            assert video["webVideoUrl"] == f"https://www.tiktok.com/@{username}/video/{video['id']}"
            assert isinstance(video["authorMeta"]["fans"], int)
            assert all(set(tag) >= {"name"} for tag in video["hashtags"])
            assert when(video["createTimeISO"]).timestamp() == video["createTime"]

    prices = scraper.event_prices_usd("clockworks/tiktok-scraper")
    assert prices == {"actor-start": 0.005, "result": 0.004}  # the record in force, not the next
    assert run.pricing_model == "PAY_PER_EVENT"
    assert run.charged_event_counts == {"actor-start": 1, "result": len(videos)}
    expected = prices["actor-start"] + prices["result"] * len(videos)
    assert run.usage_total_usd == pytest.approx(expected)


def test_youtube_videos_come_back_per_channel(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    start_urls = [{"url": f"https://www.youtube.com/@{h}"} for h in CREATORS["youtube"]]
    started = scraper.start_run(
        "streamers/youtube-scraper", {"startUrls": start_urls, "maxResults": 2}, hook_url
    )
    run, videos = finished(scraper, receiver, started)

    grouped = by_owner(videos, "channelUsername")
    assert sorted(grouped) == sorted(CREATORS["youtube"])
    for handle, own in grouped.items():
        assert len(own) == 2
        for video in own:
            assert set(video) >= YOUTUBE_FIELDS
            assert video["channelUrl"] == f"https://www.youtube.com/@{handle}"
            assert isinstance(video["numberOfSubscribers"], int)
            assert all(tag.startswith("#") for tag in video["hashtags"])
    assert run.pricing_model is None
    assert run.usage_total_usd is not None
    assert run.usage_total_usd > 0


def test_runs_not_priced_per_event_report_usage_and_no_event_prices(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["runwithmax"], resultsLimit=2), hook_url
    )
    run, _ = finished(scraper, receiver, started)

    assert run.pricing_model == "PRICE_PER_DATASET_ITEM"
    assert run.charged_event_counts is None
    assert run.usage_total_usd is not None
    assert run.usage_total_usd > 0
    assert scraper.event_prices_usd("apify/instagram-scraper") == {}
    assert scraper.event_prices_usd("streamers/youtube-scraper") == {}


def test_webhook_reports_success_with_the_run_as_resource(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    (delivery,) = receiver.for_run(started.run_id)
    body = delivery.body

    assert body["eventType"] == "ACTOR.RUN.SUCCEEDED"
    assert body["eventData"] == {"actorId": started.actor_id, "actorRunId": started.run_id}
    assert body["resource"]["id"] == started.run_id
    assert body["resource"]["status"] == "SUCCEEDED"
    assert body["resource"]["defaultDatasetId"] == started.dataset_id
    assert body["userId"]
    assert when(body["createdAt"])
    assert delivery.headers["X-Apify-Webhook-Dispatch-Id"]


def test_rate_limits_and_server_errors_are_retried_by_the_client(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"rate_limit_next": 2, "server_error_next": 1})
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    assert len(control.get("/runs").json()["runs"]) == 1  # refused attempts started nothing
    receiver.for_run(started.run_id)

    control.post("/faults", json={"server_error_next": 1, "rate_limit_next": 1})
    run = scraper.get_run(started.run_id)
    control.post("/faults", json={"rate_limit_next": 2})
    assert run.dataset_id is not None
    assert len(list(scraper.dataset_items(run.dataset_id))) == 8
    assert control.get("/faults").json()["faults"]["rate_limit_next"] == 0


def test_errors_outlasting_the_retries_propagate(
    scraper: ApifyScraper, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"rate_limit_next": RETRIES + 1})
    with pytest.raises(ScraperError, match="rate limit") as caught:
        scraper.start_run("apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url)
    assert isinstance(caught.value.__cause__, RateLimitError)
    control.post("/faults", json={"server_error_next": RETRIES + 1})
    with pytest.raises(ServerError):
        scraper.event_prices_usd("clockworks/tiktok-scraper")
    assert control.get("/runs").json()["runs"] == []


def test_failed_run_is_reported_by_its_webhook(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"fail_next_runs": 1})
    started = scraper.start_run("clockworks/tiktok-scraper", {"profiles": ["runwithmax"]}, hook_url)
    run, items = finished(scraper, receiver, started)

    (delivery,) = receiver.for_run(started.run_id)
    assert delivery.body["eventType"] == "ACTOR.RUN.FAILED"
    assert delivery.body["resource"]["status"] == "FAILED"
    assert run.status == "FAILED"
    assert run.finished_at is not None
    assert items == []


def test_timed_out_run_keeps_partial_results(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"timeout_next_runs": 1})
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["alpine_lena"]), hook_url
    )
    run, items = finished(scraper, receiver, started)

    assert receiver.for_run(started.run_id)[0].body["eventType"] == "ACTOR.RUN.TIMED_OUT"
    assert run.status == "TIMED-OUT"
    assert len(items) == 4  # half of the creator's 8 posts


def test_aborted_run_is_reported_by_its_webhook(receiver: WebhookReceiver, hook_url: str) -> None:
    slow = LocalApifyServer(run_delay_seconds=30)  # a run that cannot end before the abort
    with serving(slow) as url:
        client = ApifyClient(token="local", api_url=url, max_retries=0)
        scraper = ApifyScraper(client)
        started = scraper.start_run(
            "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
        )
        client.run(started.run_id).abort()

        (delivery,) = receiver.for_run(started.run_id)
        assert delivery.body["eventType"] == "ACTOR.RUN.ABORTED"
        assert scraper.get_run(started.run_id).status == "ABORTED"
    slow.close()


def test_duplicate_webhooks_arrive_twice_with_one_dispatch_id(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"duplicate_webhooks": True})
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    deliveries = receiver.for_run(started.run_id, count=2)

    assert len(deliveries) == 2
    assert deliveries[0].body == deliveries[1].body
    dispatch_ids = {d.headers["X-Apify-Webhook-Dispatch-Id"] for d in deliveries}
    assert len(dispatch_ids) == 1


def test_webhook_answered_with_an_error_is_retried(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    receiver.fail_next = 2
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    (delivery,) = receiver.for_run(started.run_id)

    assert delivery.body["eventType"] == "ACTOR.RUN.SUCCEEDED"
    deadline = time.monotonic() + 2  # the stand-in records the outcome once it has the answer
    while True:
        (run,) = control.get("/runs").json()["runs"]
        (dispatch,) = run["webhookDispatches"]
        if dispatch["status"] != "ACTIVE" or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert dispatch["status"] == "SUCCEEDED"
    assert dispatch["attempts"] == 3


def test_malformed_items_appear_alongside_good_ones(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, control: httpx.Client
) -> None:
    control.post("/faults", json={"malformed_items_per_run": 3})
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"], resultsLimit=4), hook_url
    )
    _, items = finished(scraper, receiver, started)

    assert len(items) == 7
    good = [
        i for i in items if isinstance(i.get("id"), str) and isinstance(i.get("likesCount"), int)
    ]
    assert len(good) == 4
    assert any("id" not in i and "error" not in i for i in items)
    assert any(isinstance(i.get("likesCount"), str) for i in items)
    assert any(i.get("error") for i in items)


def test_hidden_likes_are_minus_one_in_the_raw_item(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    _, posts = finished(scraper, receiver, started)

    hidden = [p for p in posts if p["likesCount"] == -1]
    assert len(hidden) == 1
    assert hidden[0]["commentsCount"] > 0


DATE_FILTERED = {
    "apify/instagram-scraper": (
        instagram_input(CREATORS["instagram"], onlyPostsNewerThan="10 days"),
        "ownerUsername",
        "timestamp",
    ),
    "clockworks/tiktok-scraper": (
        {"profiles": CREATORS["tiktok"], "oldestPostDateUnified": "10 days"},
        "authorMeta.name",
        "createTimeISO",
    ),
}


@pytest.mark.parametrize("actor", sorted(DATE_FILTERED))
def test_date_filter_lets_one_older_post_through(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, actor: str
) -> None:
    run_input, owner, posted = DATE_FILTERED[actor]
    run, items = finished(scraper, receiver, scraper.start_run(actor, run_input, hook_url))
    assert run.started_at is not None
    cutoff = run.started_at - timedelta(days=10)

    for own in by_owner(items, owner).values():
        older = [i for i in own if when(i[posted]) < cutoff]
        assert len(older) == 1
        assert len(own) > 1


def test_sample_creators_mix_brand_posts_disclosures_and_paid_flags(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(CREATORS["instagram"]), hook_url
    )
    _, posts = finished(scraper, receiver, started)

    for own in by_owner(posts, "ownerUsername").values():
        brand = [p for p in own if "AcmeTrail" in p["hashtags"] and "acmeoutdoor" in p["mentions"]]
        disclosed = [p for p in own if {"ad", "anzeige", "werbung"} & set(p["hashtags"])]
        assert brand
        assert disclosed
        assert any(p["paidPartnership"] for p in own)
        assert any(not p["paidPartnership"] and not p["isSponsored"] for p in own)
        days = [when(p["timestamp"]) for p in own]
        assert max(days) - min(days) > timedelta(days=20)


def test_unknown_run_and_actor_are_not_found(scraper: ApifyScraper) -> None:
    with pytest.raises(NotFound):
        scraper.get_run("NoSuchRun00000000")
    with pytest.raises(NotFound):
        scraper.event_prices_usd("nobody/no-such-actor")


def test_invalid_input_is_refused_with_apifys_error_body(
    scraper: ApifyScraper, hook_url: str
) -> None:
    with pytest.raises(ScraperError, match="directUrls") as refused:
        scraper.start_run("apify/instagram-scraper", {"resultsLimit": 3}, hook_url)
    cause = refused.value.__cause__
    assert isinstance(cause, InvalidRequestError)
    assert cause.type == "invalid-input"


def test_actor_may_be_named_url_encoded_on_the_acts_path(
    apify_url: str, control: httpx.Client
) -> None:
    answer = httpx.post(
        f"{apify_url}/v2/acts/apify%2Finstagram-scraper/runs",
        params={"token": "local", "waitForFinish": "5"},
        json={"directUrls": ["https://www.instagram.com/runwithmax/"]},
    )
    assert answer.status_code == 201
    assert answer.json()["data"]["status"] == "SUCCEEDED"
    anonymous = httpx.get(f"{apify_url}/v2/acts/apify~instagram-scraper")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["type"] == "token-not-provided"
