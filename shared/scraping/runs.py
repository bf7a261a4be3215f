"""Exactly one paid Apify run per scrape job: the claim, the start, adoption and supersession.

Cloud Tasks delivers a task at least once, and the runner can die between Apify starting a
run and ReachOps saving its id. So a job is claimed before any run is started, and every run
can be found again from its own webhook:

    PENDING | DEFERRED --claim (transaction: claim_id, claimed_at, attempts + 1)--> STARTING
    STARTING --run started, id saved (only by the claim's holder)----------------> RUNNING
    STARTING --webhook of a run started under this claim, no id saved: adopt-----> RUNNING
    STARTING --Apify refused the start: claim released, run again----------------> PENDING
    PENDING | DEFERRED --webhook of the last claim's run after all: adopt--------> RUNNING
    STARTING --lease expired, no run known: claimed again (the old claim is stale)-> STARTING
    RUNNING  --Apify reports SUCCEEDED (asked with get_run), ingested--------------> SUCCEEDED
    RUNNING  --Apify reports FAILED / TIMED-OUT / ABORTED: retried-----------------> PENDING
    RUNNING | STARTING --...the queue's last attempt------------------------------> FAILED

A delivery that finds a live claim (younger than `CLAIM_LEASE`) starts nothing. The run is
given a webhook URL naming the job and the claim, signed, so a run whose id never got saved
still reports to its job and proves which claim started it; the ingest then asks Apify for the
run (`get_run`) and checks it is a run of the job's actor started after the job was made. A
claim gets at most one run. Any other run reported for the job (a stale claim's, a duplicate
of a start the client retried, a ghost of an ambiguous failed start) is *superseded*: its
spend is recorded, it is listed in `runs`, and it is never ingested.

The lease outlasts any run (`RUN_TIMEOUT`, applied to every run) plus the webhook's delivery,
so a run still working is never started twice; only a run whose webhook is lost for longer
is, and its spend is still recorded when the webhook finally arrives.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.ports import ActorRun
from shared.scraping.cost import RunCost
from shared.scraping.models import JobRun, JobStatus, ScrapeJob

RUN_TIMEOUT = timedelta(hours=1)
CLAIM_LEASE = RUN_TIMEOUT + timedelta(minutes=15)
TERMINAL_RUN_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED-OUT", "ABORTED"})
CLAIMABLE = frozenset({JobStatus.PENDING, JobStatus.DEFERRED})
# A claim's run may report while the job is starting, or after the claim was released (the
# start looked refused) or deferred (its lease ran out over the cap) and before a new claim.
ADOPTING = CLAIMABLE | {JobStatus.STARTING}


def claim_is_live(job: ScrapeJob, now: datetime) -> bool:
    return (
        job.status is JobStatus.STARTING
        and job.claimed_at is not None
        and now < job.claimed_at + CLAIM_LEASE
    )


def may_claim(job: ScrapeJob, now: datetime) -> bool:
    """Pending or deferred, or starting under a claim whose lease ran out with no run known."""
    return job.status in CLAIMABLE or (
        job.status is JobStatus.STARTING and not claim_is_live(job, now)
    )


def claim(job: ScrapeJob, claim_id: str, now: datetime) -> ScrapeJob:
    """Take the job for `claim_id`, or leave it as it is when another delivery got there."""
    if not may_claim(job, now):
        return job
    job.status, job.claim_id, job.claimed_at = JobStatus.STARTING, claim_id, now
    job.run_id, job.deferred_until = None, None
    job.attempts += 1
    return job


def started(job: ScrapeJob, claim_id: str, run: ActorRun) -> ScrapeJob:
    """Record the run the claim's holder started; a run whose claim was meanwhile replaced is
    listed as superseded instead."""
    if job.claim_id == claim_id and job.run_id is None and job.status is JobStatus.STARTING:
        return _adopt(job, run, claim_id)
    if run.run_id not in job.run_ids:
        job.run_ids.append(run.run_id)
        job.runs.append(JobRun(run_id=run.run_id, claim_id=claim_id, superseded=True))
    return job


def start_failed(
    job: ScrapeJob, claim_id: str, error: str, final: bool, now: datetime
) -> ScrapeJob:
    """Release the claim (kept on the job, so a run that did start after all is adopted), or
    fail the job on the last attempt."""
    if job.claim_id != claim_id or job.status is not JobStatus.STARTING:
        return job
    job.error = error
    job.status = JobStatus.FAILED if final else JobStatus.PENDING
    job.finished_at = now if final else None
    return job


def is_job_run(job: ScrapeJob, run: ActorRun, actor_id: str) -> bool:
    """A run the job could have started: the job's actor, started after the job was made."""
    if run.actor_id != actor_id:
        return False
    return run.started_at is None or run.started_at >= job.created_at


def place(job: ScrapeJob, run: ActorRun, claim_id: str | None, cost: RunCost) -> ScrapeJob:
    """Make a finished run the job's current one when its start was never saved (adoption),
    or list it as superseded when it is not the job's, and record what it cost. Repeating it
    changes nothing."""
    adoptable = (
        job.run_id is None
        and claim_id is not None
        and claim_id == job.claim_id
        and job.status in ADOPTING
    )
    if adoptable and claim_id is not None:
        job = _adopt(job, run, claim_id)
    record = next((r for r in job.runs if r.run_id == run.run_id), None)
    if record is None:
        record = JobRun(run_id=run.run_id, claim_id=claim_id, superseded=run.run_id != job.run_id)
        job.runs.append(record)
    if run.run_id not in job.run_ids:
        job.run_ids.append(run.run_id)
    record.status, record.started_at = run.status, run.started_at
    record.cost_usd_micros, record.cost_source, record.cost_note = (
        cost.usd_micros,
        cost.source,
        cost.reason,
    )
    _total_cost(job)
    return job


def _adopt(job: ScrapeJob, run: ActorRun, claim_id: str) -> ScrapeJob:
    job.status, job.run_id, job.error = JobStatus.RUNNING, run.run_id, None
    job.deferred_until = None
    if run.run_id not in job.run_ids:
        job.run_ids.append(run.run_id)
    if all(r.run_id != run.run_id for r in job.runs):
        job.runs.append(JobRun(run_id=run.run_id, claim_id=claim_id))
    return job


def _total_cost(job: ScrapeJob) -> None:
    """The job's cost is what all its runs cost, superseded ones included; unknown (null, with
    the reason) while any finished run's cost is unreported."""
    finished = [r for r in job.runs if r.cost_source is not None]
    unknown = [r for r in finished if r.cost_usd_micros is None]
    sources = sorted({r.cost_source for r in finished if r.cost_source})
    if unknown:
        job.cost_usd_micros, job.cost_source = None, "unreported"
        job.cost_note = "; ".join(f"run {r.run_id}: {r.cost_note}" for r in unknown)
        return
    job.cost_usd_micros = sum(r.cost_usd_micros or 0 for r in finished)
    job.cost_source = sources[0] if len(sources) == 1 else "mixed"
    job.cost_note = None
