"""HTTP entry point: campaigns, their lifecycle actions and their activity timeline."""

from __future__ import annotations

import flask
import functions_framework

from shared.allocations.models import AllocationList
from shared.bootstrap import services
from shared.campaigns.lifecycle import Action
from shared.campaigns.models import ActivityQuery, CampaignCreate, CampaignListQuery, CampaignUpdate
from shared.http.api import Call, Handler, HttpApi, Reply
from shared.posts.history import PostHistoryQuery
from shared.posts.models import CampaignPostList, PostDecision


def create_campaign(call: Call) -> Reply:
    return Reply(201, services().campaigns.create(call.principal, call.body(CampaignCreate)))


def list_campaigns(call: Call) -> Reply:
    return Reply(200, services().campaigns.list(call.principal, call.query(CampaignListQuery)))


def get_campaign(call: Call) -> Reply:
    return Reply(200, services().campaigns.get(call.principal, call.path["campaign_id"]))


def update_campaign(call: Call) -> Reply:
    patch = call.body(CampaignUpdate)
    return Reply(200, services().campaigns.update(call.principal, call.path["campaign_id"], patch))


def lifecycle(action: Action) -> Handler:
    def perform(call: Call) -> Reply:
        campaign_id = call.path["campaign_id"]
        return Reply(200, services().campaigns.perform(call.principal, campaign_id, action))

    return perform


def list_allocations(call: Call) -> Reply:
    items = services().allocations.allocations(call.principal, call.path["campaign_id"])
    return Reply(200, AllocationList(items=items))


def decide(accept: bool) -> Handler:
    def record(call: Call) -> Reply:
        path = call.path
        allocation = services().allocations.decide(
            call.principal, path["campaign_id"], path["allocation_id"], accept
        )
        return Reply(200, allocation)

    return record


def allocation_metrics(call: Call) -> Reply:
    path = call.path
    metrics = services().metrics.allocation(
        call.principal, path["campaign_id"], path["allocation_id"]
    )
    return Reply(200, metrics)


def allocation_posts(call: Call) -> Reply:
    path = call.path
    services().allocations.get(call.principal, path["campaign_id"], path["allocation_id"])
    posts = services().post_matching.campaign_posts(
        call.principal, path["campaign_id"], path["allocation_id"]
    )
    return Reply(200, CampaignPostList(items=posts))


def post_history(call: Call) -> Reply:
    path = call.path
    history = services().post_history.history(
        call.principal,
        path["campaign_id"],
        path["allocation_id"],
        path["post_key"],
        call.query(PostHistoryQuery),
    )
    return Reply(200, history)


def campaign_metrics(call: Call) -> Reply:
    return Reply(200, services().metrics.campaign(call.principal, call.path["campaign_id"]))


def judge(confirm: bool) -> Handler:
    def record(call: Call) -> Reply:
        body = call.body(PostDecision)
        match = services().post_matching.decide(
            call.principal, call.path["post_id"], body.campaign_id, confirm
        )
        return Reply(200, match)

    return record


def list_activity(call: Call) -> Reply:
    query = call.query(ActivityQuery)
    return Reply(
        200, services().campaigns.activity(call.principal, call.path["campaign_id"], query)
    )


api = HttpApi(
    "campaigns_api",
    {
        "createCampaign": create_campaign,
        "listCampaigns": list_campaigns,
        "getCampaign": get_campaign,
        "updateCampaign": update_campaign,
        "activateCampaign": lifecycle(Action.ACTIVATE),
        "pauseCampaign": lifecycle(Action.PAUSE),
        "resumeCampaign": lifecycle(Action.RESUME),
        "completeCampaign": lifecycle(Action.COMPLETE),
        "listCampaignActivity": list_activity,
        "listAllocations": list_allocations,
        "acceptAllocation": decide(accept=True),
        "declineAllocation": decide(accept=False),
        "getAllocationMetrics": allocation_metrics,
        "listAllocationPosts": allocation_posts,
        "getAllocationPostHistory": post_history,
        "getCampaignMetrics": campaign_metrics,
        "confirmPost": judge(confirm=True),
        "rejectPost": judge(confirm=False),
    },
)


@functions_framework.http
def campaigns_api(request: flask.Request) -> flask.Response:
    return api(request)
