"""HTTP entry point: creators and their social profiles."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.creators.models import CreatorCreate, CreatorListQuery, CreatorUpdate
from shared.http.api import Call, HttpApi, Reply
from shared.metrics.community import CreatorDetail
from shared.scraping.models import ScrapeJobList, ScrapeJobQuery


def create_creator(call: Call) -> Reply:
    return Reply(201, services().creators.create(call.principal, call.body(CreatorCreate)))


def list_creators(call: Call) -> Reply:
    return Reply(200, services().creators.list(call.principal, call.query(CreatorListQuery)))


def get_creator(call: Call) -> Reply:
    app, creator_id = services(), call.path["creator_id"]
    creator = app.creators.get(call.principal, creator_id)
    health = app.community_health.creator(call.principal, creator_id)
    return Reply(200, CreatorDetail(**creator.model_dump(), community_health=health))


def update_creator(call: Call) -> Reply:
    patch = call.body(CreatorUpdate)
    return Reply(200, services().creators.update(call.principal, call.path["creator_id"], patch))


def list_scrape_jobs(call: Call) -> Reply:
    jobs = services().scrape_jobs.jobs(call.principal, call.query(ScrapeJobQuery))
    return Reply(200, ScrapeJobList(items=jobs))


def get_scrape_job(call: Call) -> Reply:
    return Reply(200, services().scrape_jobs.get(call.principal, call.path["job_id"]))


api = HttpApi(
    "creators_api",
    {
        "createCreator": create_creator,
        "listCreators": list_creators,
        "getCreator": get_creator,
        "updateCreator": update_creator,
        "listScrapeJobs": list_scrape_jobs,
        "getScrapeJob": get_scrape_job,
    },
)


@functions_framework.http
def creators_api(request: flask.Request) -> flask.Response:
    return api(request)
