"""Forms and their responses. A form (orgs/{org}/forms/{form_id}) defines its fields; each
response is checked against them, its email field (if any) matched to a person through
shared/people and left out of what is stored, then written once like feedback (RecordIntake:
orgs/{org}/form_responses, reachops.form_responses, `form_response.created`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from shared.auth import Permission, Principal
from shared.errors import NotFound, ValidationFailed
from shared.feedback.models import (
    FieldValue,
    Form,
    FormCreate,
    FormField,
    FormListQuery,
    FormResponse,
    ResponseCreate,
    ResponseListQuery,
    check_email,
    rating_0_10,
)
from shared.feedback.service import RecordIntake, RecordKind
from shared.model_base import to_document
from shared.pagination import Page, fetch_page

RESPONSES_TABLE = "form_responses"
RESPONSES_KEY = ("org_id", "response_id", "created_at")
"""(org_id, response_id) names a row; created_at, fixed at intake, is the partition column."""
RESPONSE_CREATED = "form_response.created"


def forms_collection(org_id: str) -> str:
    return f"orgs/{org_id}/forms"


def responses_collection(org_id: str) -> str:
    return f"orgs/{org_id}/form_responses"


RESPONSES = RecordKind(
    collection=responses_collection,
    id_field="response_id",
    same=("form_id", "fields", "channel", "person_id", "visitor_id"),
    event_type=RESPONSE_CREATED,
)


def check_answers(
    fields: list[FormField], answers: Mapping[str, FieldValue]
) -> tuple[dict[str, FieldValue], str | None]:
    """(the answers to store, the email answer): every answer names a field of the form and
    fits its type, every required field is answered; else a 422 naming `fields.<name>`."""
    by_name = {f.name: f for f in fields}
    for name in answers:
        if name not in by_name:
            _refuse(name, "is not a field of this form")
    kept: dict[str, FieldValue] = {}
    email = None
    for field in fields:
        value = answers.get(field.name)
        if value is None:
            if field.required:
                _refuse(field.name, "is required")
            continue
        checked = _checked(field, value)
        if field.type == "email":
            email = str(checked)
        else:
            kept[field.name] = checked
    return kept, email


def _checked(field: FormField, value: str | int | float) -> FieldValue:
    if field.type in ("text", "email", "choice") and not isinstance(value, str):
        _refuse(field.name, f"a {field.type} field takes text")
    if field.type == "email":
        try:
            return check_email(str(value))
        except ValueError:
            _refuse(field.name, "is not an email address")
    if field.type == "choice" and value not in (field.choices or []):
        _refuse(field.name, f"is not one of {field.choices}")
    if field.type == "number" and isinstance(value, str):
        _refuse(field.name, "a number field takes a number")
    if field.type == "rating":
        if not isinstance(value, int) or field.scale is None:
            _refuse(field.name, "a rating field takes a whole number")
        try:
            rating_0_10(int(value), field.scale or "nps_0_10")
        except ValueError as exc:
            _refuse(field.name, str(exc))
    return value


def _refuse(name: str, reason: str) -> Any:
    raise ValidationFailed(f"fields.{name}: {reason}", field=f"fields.{name}")


class FormService:
    def __init__(self, intake: RecordIntake, max_page_size: int) -> None:
        self._intake = intake
        self._max_page_size = max_page_size

    def create(self, principal: Principal, request: FormCreate) -> Form:
        principal.require(Permission.WRITE_CAMPAIGNS)
        form = Form(
            form_id=secrets.token_hex(8),
            name=request.name,
            fields=request.fields,
            created_at=self._intake.clock(),
            created_by=principal.key_id,
        )
        self._intake.store.set(
            f"{forms_collection(principal.org_id)}/{form.form_id}", to_document(form)
        )
        return form

    def get(self, principal: Principal, form_id: str) -> Form:
        principal.require(Permission.READ)
        data = self._intake.store.get(f"{forms_collection(principal.org_id)}/{form_id}")
        if data is None:
            raise NotFound(f"form {form_id} not found", field="path.form_id")
        return Form.model_validate(data)

    def list(self, principal: Principal, query: FormListQuery) -> Page[Form]:
        principal.require(Permission.READ)
        documents, next_cursor = fetch_page(
            self._intake.store,
            forms_collection(principal.org_id),
            order_by=[("created_at", "desc"), ("form_id", "desc")],
            cursor=query.cursor,
            limit=min(query.limit or self._max_page_size, self._max_page_size),
        )
        return Page[Form](
            items=[Form.model_validate(d.data) for d in documents], next_cursor=next_cursor
        )

    def respond(
        self, principal: Principal, form_id: str, request: ResponseCreate
    ) -> tuple[bool, FormResponse]:
        """(created, the response): created is False for a resend of a stored response_id."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        form = self.get(principal, form_id)
        kept, email = check_answers(form.fields, request.fields)
        email_field = next((f.name for f in form.fields if f.type == "email"), "email")
        person_id = self._intake.person(
            principal,
            person_id=None,
            email=email,
            visitor_id=request.visitor_id,
            source="form_response",
            email_field=f"fields.{email_field}",
        )
        response = FormResponse(
            response_id=request.response_id or secrets.token_hex(8),
            form_id=form_id,
            fields=kept,
            channel=request.channel,
            person_id=person_id,
            visitor_id=request.visitor_id,
            created_at=self._intake.clock(),
            created_by=principal.key_id,
        )
        created, stored = self._intake.store_once(
            principal, RESPONSES, response.model_dump(), self._mirror
        )
        return created, FormResponse.model_validate(stored)

    def _mirror(self, org_id: str, data: Mapping[str, Any]) -> None:
        row = response_row(org_id, data)
        self._intake.warehouse.merge_rows(
            RESPONSES_TABLE, [row], RESPONSES_KEY, update_existing=False
        )

    def responses(
        self, principal: Principal, form_id: str, query: ResponseListQuery
    ) -> Page[FormResponse]:
        """The form's responses, newest first."""
        self.get(principal, form_id)
        documents, next_cursor = fetch_page(
            self._intake.store,
            responses_collection(principal.org_id),
            where=[("form_id", "==", form_id)],
            order_by=[("created_at", "desc"), ("response_id", "desc")],
            cursor=query.cursor,
            limit=min(query.limit or self._max_page_size, self._max_page_size),
        )
        return Page[FormResponse](
            items=[FormResponse.model_validate(d.data) for d in documents],
            next_cursor=next_cursor,
        )


def response_row(org_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A stored response document as its reachops.form_responses row (no email in it)."""
    return {
        "org_id": org_id,
        "form_id": data["form_id"],
        "response_id": data["response_id"],
        "person_id": data["person_id"],
        "visitor_id": data["visitor_id"],
        "fields_json": json.dumps(data["fields"], sort_keys=True),
        "channel": data["channel"],
        "created_at": data["created_at"],
    }
