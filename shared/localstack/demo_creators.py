"""The creator half of the demo: matching, acceptance, scraping, detection, metrics."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo

# Usernames the local Apify server has labelled sample posts for.
SAMPLE_CREATORS = (
    ("trail.anna", 48_000, 0.031),
    ("runwithmax", 36_000, 0.052),
    ("alpine_lena", 22_000, 0.012),
)
WAIT_SECONDS = 90


def _say(line: str = "") -> None:
    print(line, flush=True)


def _until(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not happen within {WAIT_SECONDS}s")


def _money(minor: float | None, currency: str | None) -> str:
    return "n/a" if minor is None else f"{currency or ''} {minor / 100:,.2f}".strip()


def run_creator_flow(api: httpx.Client, info: StackInfo, campaign_id: str) -> dict[str, Any]:
    allocations = _until(
        lambda: api.get(f"/campaigns/{campaign_id}/allocations").json()["items"], "matching"
    )
    _say("8. creators matched on activation (ranked: verified first, then engagement):")
    for allocation in allocations:
        fee = _money(allocation["fee"], allocation["currency"])
        _say(f"     - @{allocation['username']}: fee {fee} | {'; '.join(allocation['reasons'])}")
        api.post(f"/campaigns/{campaign_id}/allocations/{allocation['allocation_id']}/accept")
    _say("   both accepted")

    planned = httpx.post(
        f"{info.functions_base_url}/scrape_monitor",
        headers=info.invoker_headers(SCHEDULER, "scrape_monitor"),
        timeout=60,
    ).json()
    _say(
        f"9. monitoring pass (Cloud Scheduler, every 12 h): {planned['jobs_planned']} Apify runs "
        "planned for all creators, dispatched through the apify-runs queue"
    )

    def jobs_done() -> list[dict[str, Any]] | None:
        jobs: list[dict[str, Any]] = api.get("/scrape-jobs").json()["items"]
        settled = [j for j in jobs if j["status"] in ("succeeded", "failed")]
        return jobs if jobs and len(settled) == len(jobs) else None

    jobs = _until(jobs_done, "scraping")
    for job in jobs:
        cost = job["cost_usd_micros"]
        _say(
            f"     - {job['kind']:<8} {job['platform']:<9} {job['status']}: "
            f"{job['posts_ingested']} posts, skipped {sum(job['skipped'].values())}, cost "
            f"{'unknown' if cost is None else f'USD {cost / 1e6:.4f}'} ({job['cost_source']})"
        )
    _say("   (the local Apify server replays labelled SAMPLE data in each actor's item format)")

    def scored() -> dict[str, Any] | None:
        metrics: dict[str, Any] = api.get(f"/campaigns/{campaign_id}/metrics").json()
        ready = metrics["posts_count"] and all(a["score"] for a in metrics["allocations"])
        return metrics if ready else None

    metrics = _until(scored, "metrics")
    usernames = {a["allocation_id"]: a["username"] for a in allocations}
    _say("10. campaign posts detected and metrics rolled up (latest snapshot of each post):")
    for allocation in metrics["allocations"]:
        score = allocation["score"]
        _say(
            f"     @{usernames[allocation['allocation_id']]} on {allocation['platform']}: "
            f"{allocation['posts_count']} campaign posts, engagement {allocation['engagement']}, "
            f"CPE {_money(allocation['cost_per_engagement_minor'], allocation['currency'])}, "
            f"rating {score['rating'] or 'n/a'}"
        )
        ranked = sorted(allocation["posts"], key=lambda p: -p["match"]["confidence"])
        for post in ranked[:4]:
            match = post["match"]
            verdict = "campaign" if match["is_campaign_content"] else "not campaign"
            _say(
                f"        {match['confidence']:.2f} {verdict:<12} likes={post['likes']} "
                f"{_disclosure(match):<13} | {', '.join(match['reasons'][:3])}"
            )
    currency = metrics["currency"]
    _say(
        f"   campaign: {metrics['posts_count']} posts, views {metrics['views']}, "
        f"engagement {metrics['engagement']}, spend {_money(metrics['spend_minor'], currency)}, "
        f"CPE {_money(metrics['cost_per_engagement_minor'], currency)}, "
        f"undisclosed campaign posts {metrics['undisclosed_posts']} (for the agency to chase)"
    )
    for name, why in sorted(metrics["unknown"].items()):
        _say(f"   {name} is null: {why}")
    return {
        "undisclosed_posts": metrics["undisclosed_posts"],
        "allocations": len(allocations),
        "scrape_jobs": len(jobs),
        "campaign_posts": metrics["posts_count"],
        "engagement": metrics["engagement"],
        "spend_minor": metrics["spend_minor"],
        "cost_per_engagement_minor": metrics["cost_per_engagement_minor"],
    }


def _disclosure(match: dict[str, Any]) -> str:
    """A campaign post's compliance state, apart from whether it belongs to the campaign."""
    if not match["is_campaign_content"]:
        return ""
    if match.get("disclosed") is None:
        return "unchecked"
    return "disclosed" if match["disclosed"] else "UNDISCLOSED"
