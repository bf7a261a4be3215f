"""Which parsed posts a job keeps and whose they are: a posts job filters by its "newer than"
date again, a post refresh keeps its known posts whatever their age and maps them by post."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.campaigns.models import Platform
from shared.scraping.actors import ScrapeKind
from shared.scraping.ingest import ScrapeIngest, _creator_of
from shared.scraping.models import ScrapeJob, ScrapeTarget
from shared.scraping.results import ContentType, ScrapedPost, ScrapeResults

NOW = datetime(2026, 11, 21, 6, tzinfo=UTC)


def job(kind: ScrapeKind, targets: list[ScrapeTarget]) -> ScrapeJob:
    return ScrapeJob(
        job_id="j",
        org_id="o",
        kind=kind,
        platform=Platform.INSTAGRAM,
        actor_id="apify/instagram-scraper",
        targets=targets,
        since=date(2026, 11, 1),
        created_at=NOW,
        updated_at=NOW,
    )


def post(post_id: str, username: str, posted: datetime) -> ScrapedPost:
    return ScrapedPost(
        platform=Platform.INSTAGRAM,
        platform_post_id=post_id,
        username=username,
        author=username,
        coauthors=(),
        url=None,
        caption=None,
        hashtags=[],
        mentions=[],
        posted_at=posted,
        likes=1,
        comments=1,
        shares=None,
        views=None,
        is_paid_partnership=None,
        is_advertised=None,
        is_pinned=None,
        content_type=ContentType.IMAGE,
    )


def wanted(scrape: ScrapeJob, results: ScrapeResults) -> list[str]:
    ingest = ScrapeIngest.__new__(ScrapeIngest)  # the selection needs none of its ports
    return [p.platform_post_id for p in ingest._wanted_posts(scrape, results)]


OLD = datetime(2026, 9, 1, tzinfo=UTC)


def test_a_posts_job_drops_what_its_actor_let_through_too_old() -> None:
    scrape = job(ScrapeKind.POSTS, [ScrapeTarget(creator_id="c1", username="Trail.Anna")])
    results = ScrapeResults(posts=[post("1", "trail.anna", NOW), post("2", "trail.anna", OLD)])
    assert wanted(scrape, results) == ["1"]
    assert results.skipped == {"older than requested": 1}


def test_a_refresh_keeps_its_known_posts_whatever_their_age_and_maps_them_by_post() -> None:
    targets = [
        ScrapeTarget(creator_id="c1", username="trail.anna", post_key="instagram__1"),
        ScrapeTarget(creator_id="c2", username="other", post_key="instagram__2"),
    ]
    scrape = job(ScrapeKind.POST_REFRESH, targets)
    results = ScrapeResults(posts=[post("1", "trail.anna", OLD), post("2", "renamed", OLD)])
    assert wanted(scrape, results) == ["1", "2"]
    assert _creator_of(scrape, results.posts[1]) == "c2"
