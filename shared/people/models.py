"""People and journeys as the API takes and returns them.

A person is who an email names within one organization; a visitor is an anonymous browser
(track_events.visitor_id) until an email links it to a person. Emails answer decrypted only to
the organization's ADMIN and OWNER keys (members and viewers work with people without reading
their addresses: `email: null`, `email_hidden: true`); at rest they are ciphertext plus a keyed
hash.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from shared.model_base import ApiModel, Name, QueryModel
from shared.people.handles import SocialHandle, SocialHandles

PersonId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
VisitorId = Annotated[str, Field(min_length=1, max_length=128)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
LinkSource = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]

MAX_JOURNEY_EVENTS = 1000
"""The most events GET /v1/people/{id}/journey answers (newest kept when more exist)."""
MAX_RANGE_DAYS = 400
DEFAULT_RANGE_DAYS = 90
MAX_PATH_LENGTH = 5
MAX_TOP_PATHS = 50


class Person(BaseModel):
    person_id: str
    email: str | None = Field(
        description="decrypted for ADMIN and OWNER keys; null when none is known or it is hidden"
    )
    email_hidden: bool = Field(
        default=False, description="true when an email is known but this key may not read it"
    )
    name: str | None
    visitor_ids: list[str] = Field(description="the anonymous visitors linked to this person")
    social_handles: list[SocialHandle] = Field(
        default_factory=list,
        description="the person's social identities (handles normalised: lower case, no @); "
        "their comments on the organization's campaign posts are social_engage events",
    )
    created_at: datetime
    updated_at: datetime
    first_seen_at: datetime
    last_seen_at: datetime


class LinkPersonInteractions(ApiModel):
    """Link an anonymous visitor to the person an email names (created when new): the
    visitor's earlier sessions and events join the person's journey from then on."""

    email: Email
    visitor_id: VisitorId
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | (
        None
    ) = None
    source: LinkSource = "api"


class PersonCreate(ApiModel):
    """Find or create the person an email names; the social handles given are added to those
    the person has (none is removed: that is PATCH's work)."""

    email: Email
    name: Name | None = None
    social_handles: SocialHandles = Field(default_factory=list)


class PersonUpdate(ApiModel):
    """The fields sent replace the person's: `social_handles` is the whole set (an empty list
    removes every handle); a field left out is kept."""

    name: Name | None = None
    social_handles: SocialHandles | None = None


class LinkedPerson(BaseModel):
    person_id: str
    visitor_id: str
    linked: bool = Field(description="false when the visitor was already linked to this person")


class JourneyQuery(QueryModel):
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None


class JourneyEvent(BaseModel):
    occurred_at: datetime
    event: str
    stage: str
    channel: str
    source_id: str
    visitor_id: str | None
    value_micros: int | None
    currency: str | None


class Journey(BaseModel):
    person_id: str
    since: date
    until: date
    events: list[JourneyEvent] = Field(description=f"oldest first, at most {MAX_JOURNEY_EVENTS}")
    truncated: bool = Field(description="true when older events of the range were left out")


class PathsQuery(QueryModel):
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    level: Annotated[str, Field(pattern=r"^(stage|event)$")] = "stage"
    n: Annotated[int, Field(ge=2, le=MAX_PATH_LENGTH)] = 3
    limit: Annotated[int, Field(ge=1, le=MAX_TOP_PATHS)] = 10


class PathCount(BaseModel):
    path: list[str]
    journeys: int = Field(description="persons (or anonymous visitors) whose journey holds it")
    occurrences: int
    share: float | None = Field(description="journeys over all journeys of the range")


class JourneyPaths(BaseModel):
    since: date
    until: date
    level: str
    n: int
    journeys: int = Field(description="journeys with at least n steps in the range")
    paths: list[PathCount]
    reason: str | None = Field(description="why paths is empty, when it is")


class DropoffQuery(QueryModel):
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None


class StageDropoff(BaseModel):
    stage: str
    reached: int = Field(description="journeys that reached this stage")
    ended_here: int = Field(description="journeys whose furthest stage is this one")
    continued_rate: float | None = Field(
        description="share of those reaching this stage that reached a later one; null when "
        "none reached it, and for the last stage (there is no later one)"
    )


class JourneyDropoff(BaseModel):
    since: date
    until: date
    journeys: int
    stages: list[StageDropoff]
    last_events: dict[str, int] = Field(description="journeys by the event they ended with")
    reason: str | None
