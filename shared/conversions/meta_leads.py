"""Meta's Lead Ads webhook, as pure logic: the subscription handshake, the signature check and
the `leadgen` notification's format (object "page", entry[].changes[] with field "leadgen" and
value {leadgen_id, page_id, form_id, ad_id, adgroup_id, created_time}), and the conversion a
fetched lead becomes.

The signature is `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body under the
app secret, compared in constant time before the body is parsed. A lead's answers
(`field_data` values: names, emails, phone numbers) are personal data and are never kept: only
the names of the form's fields are.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Forbidden, Unauthenticated

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
MAX_LEADS = 1000
"""Meta batches changes; more leads than this in one call is not a notification of ours."""


def verify_signature(app_secret: str, body: bytes, header: str | None) -> None:
    """Raise unless `header` is the body's HMAC-SHA256 under `app_secret` (constant time)."""
    if not app_secret:
        raise Forbidden("the webhook is not configured", field=f"header.{SIGNATURE_HEADER}")
    if not header:
        raise Unauthenticated("send the signature", field=f"header.{SIGNATURE_HEADER}")
    expected = SIGNATURE_PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    given = header.strip().encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected.encode(), given):
        raise Unauthenticated("invalid signature", field=f"header.{SIGNATURE_HEADER}")


def handshake(verify_token: str, mode: str | None, token: str | None, challenge: str | None) -> str:
    """The challenge to echo, when Meta's subscription request names our verify token."""
    if not verify_token or mode != "subscribe" or token is None or not challenge:
        raise Forbidden(
            "not a subscription request of this webhook", field="query.hub.verify_token"
        )
    if not hmac.compare_digest(verify_token.encode(), token.encode("utf-8", "surrogateescape")):
        raise Forbidden(
            "not a subscription request of this webhook", field="query.hub.verify_token"
        )
    return challenge[:200]


class LeadgenValue(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    leadgen_id: str = Field(pattern=r"^[0-9]{1,32}$")
    page_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
    form_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
    ad_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
    adgroup_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
    created_time: int | None = Field(default=None, ge=0, description="Unix seconds")


class LeadgenChange(BaseModel):
    model_config = ConfigDict(extra="allow")

    field: str
    value: dict[str, Any]


class LeadgenEntry(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    id: str | None = Field(default=None, description="the page id")
    time: int | None = None
    changes: list[LeadgenChange] = Field(default_factory=list, max_length=MAX_LEADS)


class LeadgenNotification(BaseModel):
    """What Meta POSTs for a Page's `leadgen` webhook field."""

    model_config = ConfigDict(extra="allow")

    object: str
    entry: list[LeadgenEntry] = Field(max_length=MAX_LEADS)


class LeadgenReceipt(BaseModel):
    queued: int = Field(description="leads queued for fetching (a repeat is queued once)")
    ignored: int = Field(description="changes that are not a lead of a page")


def leads_of(notification: LeadgenNotification) -> tuple[list[LeadgenValue], int]:
    """The leads a notification names, and how many of its changes are something else."""
    leads: list[LeadgenValue] = []
    ignored = 0
    for entry in notification.entry:
        for change in entry.changes:
            if notification.object != "page" or change.field != "leadgen":
                ignored += 1
                continue
            try:
                leads.append(LeadgenValue.model_validate(change.value))
            except ValueError:
                ignored += 1
    return leads[:MAX_LEADS], ignored + max(0, len(leads) - MAX_LEADS)


def field_names(lead: dict[str, Any]) -> list[str]:
    """The names of the form's answered fields, never their values (personal data)."""
    items = [item for item in lead.get("field_data") or [] if isinstance(item, dict)]
    return sorted({str(item["name"])[:100] for item in items if item.get("name")})


def lead_event(lead: dict[str, Any]) -> dict[str, Any]:
    """The tracked event a fetched lead becomes (a lead_form_submission at its created_time)."""
    created = datetime.strptime(str(lead["created_time"]), "%Y-%m-%dT%H:%M:%S%z")
    properties: dict[str, Any] = {
        "form_id": lead.get("form_id"),
        "platform": lead.get("platform"),
        "is_organic": lead.get("is_organic"),
        "field_names": ",".join(field_names(lead))[:500] or None,
    }
    return {
        "type": "lead_form_submission",
        "event_id": f"meta_lead_{lead['id']}",
        "occurred_at": created.isoformat(),
        "properties": {k: v for k, v in properties.items() if v is not None},
    }
