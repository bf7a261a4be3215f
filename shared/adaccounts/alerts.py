"""Spend limits and the alert feed.

After each sync the account's and its campaigns' spend for the day and the month to date are
checked against their limits. Days and months are the ad account's (its time zone, as Meta
reports them), so a monthly limit resets when the account's month does. A day that has not
ended in the account's zone may still grow: a breach on it is raised as partial (its key, data
and message say so), and the complete day raises its own alert once it is over. A breach is
recorded once per limit and period (its key names them), and each new one is published as an
`alert.raised` event that the alert_feed subscriber writes to the organization's feed
(`GET /v1/alerts`). The breach's record is the event's outbox (shared/outbox.py): it is created
with the event in it, so a Pub/Sub outage never fails the sync that raised it, and the relay
publishes what a failed flush left.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.adaccounts.models import AdAccount
from shared.adaccounts.timezones import day_is_complete
from shared.auth import Permission, Principal
from shared.events import SYSTEM_ACTOR, DomainEvent
from shared.model_base import PageLimit, QueryModel
from shared.outbox import Outbox, with_events
from shared.pagination import Page, fetch_page
from shared.ports import DocumentStore, Warehouse

ALERT_RAISED = "alert.raised"
PAID_SPEND_SQL = "queries/paid_spend.sql"


def alerts_collection(org_id: str) -> str:
    return f"orgs/{org_id}/alerts"


def breaches_collection(org_id: str) -> str:
    """One record per raised breach (its key), each holding its event until published."""
    return f"orgs/{org_id}/alert_breaches"


def campaign_limits_path(org_id: str, account_id: str) -> str:
    return f"orgs/{org_id}/ad_accounts/{account_id}/limits/campaigns"


class Alert(BaseModel):
    model_config = ConfigDict(extra="ignore")

    alert_id: str
    kind: str
    subject: str
    message: str
    data: dict[str, Any]
    raised_at: datetime


class AlertQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None


class SpendAlerts:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        outbox: Outbox,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._now = now
        self._store = store
        self._warehouse = warehouse
        self._outbox = outbox

    def check_account(self, org_id: str, account: AdAccount, day: date) -> list[str]:
        """Raise what the day's and month's spend breaches (`day` is an account day, flagged
        partial unless it has ended in the account's zone); returns the new alert keys."""
        complete = day_is_complete(account, day, self._now())
        partial = "" if complete else "-partial"
        rows = self._warehouse.run(
            PAID_SPEND_SQL,
            {
                "org_id": org_id,
                "account_id": account.account_id,
                "day": day,
                "month_start": day.replace(day=1),
            },
        )
        limits = (self._store.get(campaign_limits_path(org_id, account.account_id)) or {}).get(
            "campaigns", {}
        )
        checks = [
            (
                "account",
                account.account_id,
                account.name,
                account.daily_spend_limit_micros,
                account.monthly_spend_limit_micros,
                sum(int(r["day_spend_micros"] or 0) for r in rows),
                sum(int(r["month_spend_micros"] or 0) for r in rows),
            ),
        ] + [
            (
                "campaign",
                r["campaign_id"],
                r["campaign_name"],
                limits.get(r["campaign_id"], {}).get("daily_spend_limit_micros"),
                limits.get(r["campaign_id"], {}).get("monthly_spend_limit_micros"),
                int(r["day_spend_micros"] or 0),
                int(r["month_spend_micros"] or 0),
            )
            for r in rows
        ]
        raised = []
        for scope, subject, name, daily, monthly, day_spend, month_spend in checks:
            for period, limit, spent, stamp in (
                ("daily", daily, day_spend, day.isoformat()),
                ("monthly", monthly, month_spend, day.strftime("%Y-%m")),
            ):
                if limit is not None and spent > limit:
                    key = f"spend-{scope}-{subject}-{period}-{stamp}{partial}"
                    message = (
                        f"{scope} {name} spent {spent / 1e6:,.2f} {account.currency} "
                        f"({period}, {stamp}), over its limit of {limit / 1e6:,.2f}"
                    )
                    if not complete:
                        message += f"; {day} is not over yet in {account.timezone or 'UTC'}"
                    data = {
                        "scope": scope,
                        "period": period,
                        "spend_micros": spent,
                        "limit_micros": limit,
                        "currency": account.currency,
                        "account_id": account.account_id,
                        "day": day.isoformat(),
                        "timezone": account.timezone or "UTC",
                        "partial": not complete,
                    }
                    if self.raise_alert(
                        org_id,
                        key=key,
                        kind="spend_limit",
                        subject=subject,
                        message=message,
                        data=data,
                    ):
                        raised.append(key)
        return raised

    def raise_alert(
        self, org_id: str, *, key: str, kind: str, subject: str, message: str, data: dict[str, Any]
    ) -> bool:
        """Publish once per key: False when this breach was already raised. The record and
        its event are one write; publishing follows (a failure leaves it for the relay)."""
        breach_path = f"{breaches_collection(org_id)}/{key}"
        event = DomainEvent(
            event_id=key,
            type=ALERT_RAISED,
            org_id=org_id,
            subject_id=subject,
            actor=SYSTEM_ACTOR,
            data={"kind": kind, "message": message, **data},
        )
        if not self._store.create(
            breach_path, {"raised_at": self._now(), **with_events(None, [event])}
        ):
            return False
        self._outbox.flush(breach_path)
        return True

    def record(self, event: DomainEvent) -> None:
        """The alert_feed subscriber: one feed entry per alert, however often delivered."""
        data = dict(event.data)
        alert = Alert(
            alert_id=event.event_id,
            kind=data.pop("kind"),
            subject=event.subject_id,
            message=data.pop("message"),
            data=data,
            raised_at=event.occurred_at,
        )
        self._store.create(
            f"{alerts_collection(event.org_id)}/{event.event_id}", alert.model_dump()
        )

    def feed(self, principal: Principal, query: AlertQuery) -> Page[Alert]:
        principal.require(Permission.READ)
        documents, cursor = fetch_page(
            self._store,
            alerts_collection(principal.org_id),
            order_by=[("raised_at", "desc"), ("alert_id", "desc")],
            cursor=query.cursor,
            limit=min(query.limit or 50, 100),
        )
        return Page[Alert](
            items=[Alert.model_validate(d.data) for d in documents], next_cursor=cursor
        )
