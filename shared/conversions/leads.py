"""Meta Lead Ads leads into conversions.

The webhook (LeadWebhook) only checks Meta's signature and queues one lead_fetch task per
lead, named after its leadgen_id (a repeated notification is queued once), so it answers Meta
in milliseconds. The task (LeadFetch) maps the lead's ad to the organizations that synced it
(reachops.ad_objects), reads the lead from the Graph API with that ad account's own token
(Meta's "Retrieving Leads": a User or Page token of someone who can advertise on the account
and the Page, holding leads_retrieval; the account's connected token is such a token when its
connection granted leads_retrieval, so no Page token is stored) and records it through the
tracking intake: source 'meta_lead_ads', event id `meta_lead_<leadgen_id>` (once per lead and
organization, whatever the retries), occurred_at the lead's created_time, Meta's ids as its
attribution, and only the names of the form's fields.

A lead whose answers carry an email links its person through the people service, as a form
response with an email does: the person is found or created by the email's keyed hash (the
email stored only encrypted, on the person) and the lead's event is tracked for the visitor
`meta_lead:<leadgen_id>`, linked to that person (reachops.person_visitors) once the event is
recorded (a lead the intake rejects links no one), so the lead_capture is in the person's
journey. No answer and no clear email is stored with the lead; a refetch
links the same visitor to the same person again, which changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from shared.adaccounts.service import AdAccountService
from shared.conversions.meta_leads import (
    LeadgenNotification,
    LeadgenReceipt,
    handshake,
    lead_event,
    leads_of,
    verify_signature,
)
from shared.conversions.models import SERVER_WINDOW
from shared.errors import NotFound, Unavailable, ValidationFailed
from shared.http.json_input import parse_json
from shared.ports import AdsAuthError, AdsError, AdsPlatform, TaskQueue, Warehouse
from shared.tracking.intake import TrackIntake

logger = logging.getLogger(__name__)

LEADS_QUEUE = "meta-leads"
AD_OWNERS_SQL = "queries/lead_ad_owners.sql"
AD_ROWS_KEPT = timedelta(days=3 * 365)
"""How far back a synced ad's row is looked for (an ad keeps its last row once Meta drops it)."""
LINK_SOURCE = "meta_lead_ads"
EMAIL_FIELD = "email"
"""The field_data name of Meta's standard email question (a Lead Ads form's prefilled EMAIL)."""


class LeadPeople(Protocol):
    """What a lead needs of shared/people (PeopleService): the person an email names, found or
    created by its keyed hash, with the visitor linked to them."""

    def resolve(
        self, org_id: str, *, email: str | None, visitor_id: str | None, source: str
    ) -> str | None: ...


def lead_email(lead: dict[str, Any]) -> str | None:
    """The first value of the lead's email answer, or None when the form asked none."""
    for item in lead.get("field_data") or []:
        if isinstance(item, dict) and item.get("name") == EMAIL_FIELD:
            values = [v for v in item.get("values") or [] if isinstance(v, str) and v.strip()]
            return values[0].strip() if values else None
    return None


def lead_visitor(leadgen_id: str) -> str:
    """The visitor a lead's event is tracked for, linked to the person its email names."""
    return f"meta_lead:{leadgen_id}"


class LeadTask(BaseModel):
    leadgen_id: str = Field(pattern=r"^[0-9]{1,32}$")
    ad_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
    page_id: str | None = None


class LeadWebhook:
    def __init__(self, tasks: TaskQueue, app_secret: str, verify_token: str) -> None:
        self._tasks = tasks
        self._app_secret = app_secret
        self._verify_token = verify_token

    def handshake(self, mode: str | None, token: str | None, challenge: str | None) -> str:
        return handshake(self._verify_token, mode, token, challenge)

    def receive(self, body: bytes, signature: str | None) -> LeadgenReceipt:
        """Verified before parsed: a forged call writes nothing and learns nothing."""
        verify_signature(self._app_secret, body, signature)
        parse_json(body)
        try:
            notification = LeadgenNotification.model_validate_json(body)
        except ValidationError as exc:
            raise ValidationFailed.from_pydantic(exc) from exc
        leads, ignored = leads_of(notification)
        for lead in leads:
            task = LeadTask(leadgen_id=lead.leadgen_id, ad_id=lead.ad_id, page_id=lead.page_id)
            self._tasks.enqueue(LEADS_QUEUE, task.model_dump(), task_id=f"lead-{lead.leadgen_id}")
        return LeadgenReceipt(queued=len(leads), ignored=ignored)


class LeadFetch:
    def __init__(
        self,
        *,
        warehouse: Warehouse,
        accounts: AdAccountService,
        ads: Callable[[], AdsPlatform],
        intake: TrackIntake,
        people: Callable[[], LeadPeople],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`people` is built on first use, as its cipher's keys are."""
        self._warehouse = warehouse
        self._accounts = accounts
        self._ads = ads
        self._intake = intake
        self._people = people
        self._clock = clock

    def fetch(self, task: LeadTask) -> int:
        """How many organizations recorded the lead now (0 for a repeat or a dropped lead).
        Unavailable when Meta failed or throttled: the queue retries with backoff."""
        if task.ad_id is None:
            logger.info("lead %s names no ad (organic or test lead): dropped", task.leadgen_id)
            return 0
        since = (self._clock() - AD_ROWS_KEPT).date()
        owners = self._warehouse.run(AD_OWNERS_SQL, {"ad_id": task.ad_id, "since_date": since})
        if not owners:
            logger.info(
                "lead %s: ad %s is no organization's synced ad: dropped",
                task.leadgen_id,
                task.ad_id,
            )
            return 0
        return sum(self._record(task, owner) for owner in owners)

    def _record(self, task: LeadTask, owner: dict[str, str]) -> int:
        org_id, account_id = owner["org_id"], owner["account_id"]
        try:
            account = self._accounts.load(org_id, account_id)
            token = self._accounts.token_for(org_id, account)
            lead = self._ads().lead(token, task.leadgen_id)
        except NotFound as exc:
            logger.info("lead %s for org %s: dropped, %s", task.leadgen_id, org_id, exc)
            return 0
        except AdsAuthError as exc:
            logger.warning(
                "lead %s for org %s: the account's token may not read it, %s",
                task.leadgen_id,
                org_id,
                exc,
            )
            return 0
        except AdsError as exc:
            raise Unavailable(f"Meta could not answer for lead {task.leadgen_id}: {exc}") from exc
        links = {
            "paid_campaign_id": lead.get("campaign_id") or owner.get("campaign_id"),
            "paid_adset_id": lead.get("adset_id") or owner.get("adset_id"),
            "ad_id": lead.get("ad_id") or task.ad_id,
            "ad_account_id": account_id,
            "lead_id": str(lead["id"]),
        }
        event = lead_event(lead)
        email = lead_email(lead)
        if email is not None:
            event["visitor_id"] = lead_visitor(str(lead["id"]))
        result = self._intake.record(
            org_id,
            "",
            [event],
            source="meta_lead_ads",
            window=SERVER_WINDOW,
            links=links,
        )
        for rejection in result.rejected:
            logger.warning(
                "lead %s for org %s not recorded: %s %s",
                task.leadgen_id,
                org_id,
                rejection.field,
                rejection.reason,
            )
        if email is not None and not result.rejected:
            self._link_person(org_id, str(lead["id"]), email)
        return result.accepted

    def _link_person(self, org_id: str, leadgen_id: str, email: str) -> None:
        """Once its event is recorded (or was before), the lead's email names a person linked
        to its visitor; an email that is no address leaves the lead recorded unlinked."""
        try:
            self._people().resolve(
                org_id, email=email, visitor_id=lead_visitor(leadgen_id), source=LINK_SOURCE
            )
        except ValidationFailed:
            logger.warning(
                "lead %s for org %s: its email is no address, not linked", leadgen_id, org_id
            )
