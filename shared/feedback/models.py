"""Feedback and form responses as the API takes and returns them.

A rating is a whole number on its scale: 0-10 for `nps_0_10` (the NPS question), 1-5 for
`stars_1_5`. Each is also stored on 0-10 (`rating_0_10`) by shared/insights/nps.py's mapping,
the one definition NPS, segments and scores read. A client may name the record itself
(`feedback_id`, `response_id`): sending the same request again returns the stored record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, ValidationInfo, field_validator

from shared.insights.nps import Scale, to_nps_scale
from shared.model_base import ApiModel, PageLimit, QueryModel

MAX_TEXT = 5000
"""The longest text (feedback text, a text field of a form response) taken, in characters."""
MAX_FORM_FIELDS = 50
MAX_CHOICES = 50
RatingScale = Literal["nps_0_10", "stars_1_5"]
NPS_SCALES: dict[str, Scale] = {"nps_0_10": "0-10", "stars_1_5": "1-5"}
"""The API's scale names for shared/insights/nps.py's scales."""
Channel = Literal["web", "email", "sms", "social", "in_app", "phone", "other"]
RecordId = Annotated[str, Field(pattern=r"^[A-Za-z0-9-][A-Za-z0-9_-]{0,63}$")]
FieldName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
FeedbackText = Annotated[str, Field(max_length=MAX_TEXT)]
FieldType = Literal["text", "email", "number", "choice", "rating"]


def rating_0_10(rating: int, scale: RatingScale) -> float:
    """The rating on 0-10; ValueError saying why when it is not a whole number on its scale."""
    try:
        return to_nps_scale(rating, NPS_SCALES[scale])
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix("rating: ")) from exc


class FeedbackCreate(ApiModel):
    """A rating with its scale and optional text; the person is a person_id of the
    organization, or an email (matched by its keyed hash, never stored in clear), or neither."""

    feedback_id: RecordId | None = Field(
        default=None, description="the client's id for this feedback: a resend returns it"
    )
    scale: RatingScale
    rating: int = Field(description="a whole number: 0-10 for nps_0_10, 1-5 for stars_1_5")
    text: FeedbackText | None = Field(default=None, description=f"at most {MAX_TEXT} characters")
    channel: Channel = "web"
    person_id: RecordId | None = Field(default=None, description="a person of the organization")
    email: EmailStr | None = Field(default=None, description="matched to a person, not stored")
    visitor_id: RecordId | None = Field(default=None, description="the site visitor who answered")

    @field_validator("rating")
    @classmethod
    def _on_scale(cls, rating: int, info: ValidationInfo) -> int:
        scale = info.data.get("scale")
        if scale is not None:  # else the scale is already reported
            rating_0_10(rating, scale)
        return rating

    @field_validator("email")
    @classmethod
    def _one_person(cls, email: str | None, info: ValidationInfo) -> str | None:
        if email is not None and info.data.get("person_id") is not None:
            raise ValueError("send person_id or email, not both")
        return email


class Feedback(BaseModel):
    feedback_id: str
    rating: int
    scale: RatingScale
    rating_0_10: float = Field(description="the rating on 0-10 (1-5 mapped by (r - 1) * 2.5)")
    text: str | None
    channel: str
    person_id: str | None = Field(description="null: the feedback names no person")
    visitor_id: str | None
    created_at: datetime
    created_by: str


class FeedbackListQuery(QueryModel):
    channel: Channel | None = None
    limit: PageLimit | None = None
    cursor: str | None = None


class FormField(ApiModel):
    name: FieldName
    type: FieldType
    required: bool = False
    label: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    choices: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None,
        max_length=MAX_CHOICES,
        validate_default=True,
        description="the allowed answers of a choice field",
    )
    scale: RatingScale | None = Field(
        default=None, validate_default=True, description="a rating field's scale"
    )

    @field_validator("choices")
    @classmethod
    def _choice_lists(cls, choices: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if (info.data.get("type") == "choice") != bool(choices):
            raise ValueError("a choice field lists its choices; no other field does")
        return choices

    @field_validator("scale")
    @classmethod
    def _rating_scale(cls, scale: str | None, info: ValidationInfo) -> str | None:
        if (info.data.get("type") == "rating") != (scale is not None):
            raise ValueError("a rating field names its scale; no other field does")
        return scale


class FormCreate(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    fields: list[FormField] = Field(min_length=1, max_length=MAX_FORM_FIELDS)

    @field_validator("fields")
    @classmethod
    def _distinct(cls, fields: list[FormField]) -> list[FormField]:
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise ValueError("each field has its own name")
        if sum(1 for f in fields if f.type == "email") > 1:
            raise ValueError("a form has at most one email field (it names the person)")
        return fields


class Form(BaseModel):
    form_id: str
    name: str
    fields: list[FormField]
    created_at: datetime
    created_by: str


class FormListQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None


FieldValue = Annotated[str, Field(max_length=MAX_TEXT)] | int | float | None


class ResponseCreate(ApiModel):
    """The answers by field name (checked against the form's fields); an email field's answer
    is matched to a person and left out of what is stored."""

    response_id: RecordId | None = Field(
        default=None, description="the client's id for this response: a resend returns it"
    )
    fields: dict[FieldName, FieldValue] = Field(max_length=MAX_FORM_FIELDS)
    channel: Channel = "web"
    visitor_id: RecordId | None = Field(default=None, description="the site visitor who answered")


class FormResponse(BaseModel):
    response_id: str
    form_id: str
    fields: dict[str, str | int | float | None] = Field(
        description="the answers, the email field left out"
    )
    channel: str
    person_id: str | None = Field(description="the person the email field named (null: none)")
    visitor_id: str | None
    created_at: datetime
    created_by: str


class ResponseListQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None


class _Answer(BaseModel):
    """Checks one email answer like the API's email fields (pydantic's EmailStr)."""

    email: EmailStr


def check_email(value: str) -> str:
    """The address normalised by email-validator; ValueError when it is not one."""
    return _Answer(email=value).email
