"""HTTP entry point: the organization, its API keys, its brands and its tracked sites."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.brands.models import BrandCreate, BrandListQuery
from shared.http.api import Call, HttpApi, Reply
from shared.orgs.models import ApiKeyCreate
from shared.orgs.settings import OrgSettings
from shared.tracking.sites import SiteCreate, SiteListQuery, SiteUpdate


def get_organization(call: Call) -> Reply:
    return Reply(200, services().orgs.get_org(call.principal))


def delete_organization(call: Call) -> Reply:
    """202: the keys are revoked now; the scheduled purge removes the data (its report is on
    the tombstone, for the operator: `reachops org deletion --org <id>`)."""
    return Reply(202, services().orgs.delete_org(call.principal))


def create_api_key(call: Call) -> Reply:
    return Reply(201, services().orgs.create_key(call.principal, call.body(ApiKeyCreate)))


def list_api_keys(call: Call) -> Reply:
    return Reply(
        200,
        {"items": [k.model_dump(mode="json") for k in services().orgs.list_keys(call.principal)]},
    )


def revoke_api_key(call: Call) -> Reply:
    services().orgs.revoke_key(call.principal, call.path["key_id"])
    return Reply(204)


def get_settings(call: Call) -> Reply:
    return Reply(200, services().settings_service.get(call.principal))


def replace_settings(call: Call) -> Reply:
    settings = call.body(OrgSettings)
    return Reply(200, services().settings_service.replace(call.principal, settings))


def create_brand(call: Call) -> Reply:
    return Reply(201, services().brands.create(call.principal, call.body(BrandCreate)))


def list_brands(call: Call) -> Reply:
    return Reply(200, services().brands.list(call.principal, call.query(BrandListQuery)))


def get_brand(call: Call) -> Reply:
    return Reply(200, services().brands.get(call.principal, call.path["brand_id"]))


def create_site(call: Call) -> Reply:
    return Reply(201, services().sites.create(call.principal, call.body(SiteCreate)))


def list_sites(call: Call) -> Reply:
    return Reply(200, services().sites.list(call.principal, call.query(SiteListQuery)))


def get_site(call: Call) -> Reply:
    return Reply(200, services().sites.get(call.principal, call.path["site_id"]))


def update_site(call: Call) -> Reply:
    patch = call.body(SiteUpdate)
    return Reply(200, services().sites.update(call.principal, call.path["site_id"], patch))


api = HttpApi(
    "org_api",
    {
        "getOrganization": get_organization,
        "deleteOrganization": delete_organization,
        "createApiKey": create_api_key,
        "listApiKeys": list_api_keys,
        "revokeApiKey": revoke_api_key,
        "createBrand": create_brand,
        "listBrands": list_brands,
        "getBrand": get_brand,
        "getSettings": get_settings,
        "replaceSettings": replace_settings,
        "createSite": create_site,
        "listSites": list_sites,
        "getSite": get_site,
        "updateSite": update_site,
    },
)


@functions_framework.http
def org_api(request: flask.Request) -> flask.Response:
    return api(request)
