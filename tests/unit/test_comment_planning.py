"""Comments runs are planned beside each post refresh: the same open campaign posts, batched
per platform with at most MAX_POST_URLS_PER_RUN URLs, only on platforms with a comments actor,
bounded per post, counted for one campaign per post, and with the actors' documented inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.campaigns.models import Platform
from shared.scraping.actors import (
    DEFAULT_COMMENTS_PER_POST,
    MAX_POST_URLS_PER_RUN,
    ScrapeKind,
    actor_for,
    run_input,
)
from shared.scraping.planning import PlannedJob, RefreshPost, plan_jobs

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def post(
    key: str,
    platform: Platform = Platform.INSTAGRAM,
    campaign_id: str = "camp1",
    until: datetime = NOW + timedelta(days=2),
) -> RefreshPost:
    url = f"https://www.instagram.com/p/{key}/"
    return RefreshPost("c1", platform, "anna", key, url, until, campaign_id)


def comment_jobs(posts: list[RefreshPost], per_post: int | None = 50) -> list[PlannedJob]:
    return [j for j in plan_jobs("org", [], NOW, posts, per_post) if j.kind is ScrapeKind.COMMENTS]


def test_open_campaign_posts_get_comments_runs_batched_per_platform() -> None:
    posts = [post(f"p{i}") for i in range(150)] + [post("t1", Platform.TIKTOK)]
    jobs = comment_jobs(posts)
    sizes = sorted((j.platform.value, len(j.targets)) for j in jobs)
    assert sizes == [("instagram", 50), ("instagram", MAX_POST_URLS_PER_RUN), ("tiktok", 1)]
    assert all(j.comments_per_post == 50 for j in jobs)
    assert all(t.campaign_id == "camp1" and t.post_url for j in jobs for t in j.targets)


def test_no_comments_run_without_a_bound_a_comments_actor_or_an_open_window() -> None:
    assert comment_jobs([post("p1")], per_post=None) == []
    assert comment_jobs([post("y1", Platform.YOUTUBE)]) == []
    assert comment_jobs([post("p1", until=NOW - timedelta(seconds=1))]) == []


def test_a_post_in_two_campaigns_is_read_once_for_the_campaign_open_longest() -> None:
    early = post("p1", campaign_id="a", until=NOW + timedelta(days=1))
    late = post("p1", campaign_id="b", until=NOW + timedelta(days=5))
    (job,) = comment_jobs([early, late])
    assert [t.campaign_id for t in job.targets] == ["b"]


def test_the_bound_is_part_of_the_job_identity_and_the_slot_repeats_it() -> None:
    posts = [post("p1")]
    assert comment_jobs(posts, 50)[0].job_id == comment_jobs(posts, 50)[0].job_id
    assert comment_jobs(posts, 50)[0].job_id != comment_jobs(posts, 60)[0].job_id


def test_comments_inputs_follow_the_actors_documentation() -> None:
    urls = ["https://www.instagram.com/p/a/", "https://www.instagram.com/p/b/"]
    instagram = run_input(actor_for(Platform.INSTAGRAM, ScrapeKind.COMMENTS), [], None, urls, 30)
    assert instagram == {"directUrls": urls, "resultsType": "comments", "resultsLimit": 30}
    tiktok_spec = actor_for(Platform.TIKTOK, ScrapeKind.COMMENTS)
    assert tiktok_spec.actor_id == "clockworks/tiktok-comments-scraper"
    tiktok = run_input(tiktok_spec, [], None, ["https://www.tiktok.com/@a/video/1"])
    assert tiktok["commentsPerPost"] == DEFAULT_COMMENTS_PER_POST
    assert tiktok["postURLs"] == ["https://www.tiktok.com/@a/video/1"]
    with pytest.raises(ValueError, match="post URLs"):
        run_input(tiktok_spec, [], None, [])
