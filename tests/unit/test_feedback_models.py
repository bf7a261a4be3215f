"""Feedback and form input: ratings on their scales (mapped onto 0-10 by the NPS engine's one
rule), the text limit, form definitions, and responses checked field by field, the email
taken out of what is stored."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.errors import ValidationFailed
from shared.feedback.forms import check_answers
from shared.feedback.models import (
    MAX_TEXT,
    FeedbackCreate,
    FormCreate,
    FormField,
    ResponseCreate,
    rating_0_10,
)
from shared.insights.nps import to_nps_scale


def refusal(model: type[Any], body: dict[str, Any]) -> ValidationFailed:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return ValidationFailed.from_pydantic(caught.value)


@pytest.mark.parametrize(
    ("scale", "rating"),
    [("nps_0_10", -1), ("nps_0_10", 11), ("stars_1_5", 0), ("stars_1_5", 6)],
)
def test_a_rating_outside_its_scale_is_refused_naming_rating(scale: str, rating: int) -> None:
    error = refusal(FeedbackCreate, {"scale": scale, "rating": rating})
    assert error.field == "rating"
    assert "is not a whole number from" in error.message


def test_a_rating_that_is_not_a_whole_number_is_refused() -> None:
    assert refusal(FeedbackCreate, {"scale": "nps_0_10", "rating": 7.5}).field == "rating"
    assert refusal(FeedbackCreate, {"scale": "nps_0_10", "rating": "7"}).field == "rating"


def test_both_ends_of_both_scales_are_taken() -> None:
    for scale, rating in [("nps_0_10", 0), ("nps_0_10", 10), ("stars_1_5", 1), ("stars_1_5", 5)]:
        assert FeedbackCreate.model_validate({"scale": scale, "rating": rating}).rating == rating


def test_ratings_map_onto_0_10_by_the_nps_engines_rule() -> None:
    assert [rating_0_10(r, "stars_1_5") for r in range(1, 6)] == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert [rating_0_10(r, "stars_1_5") for r in range(1, 6)] == [
        to_nps_scale(r, "1-5") for r in range(1, 6)
    ]
    assert rating_0_10(8, "nps_0_10") == 8.0


def test_text_over_the_limit_is_refused_naming_text() -> None:
    ok = FeedbackCreate.model_validate({"scale": "nps_0_10", "rating": 9, "text": "x" * MAX_TEXT})
    assert ok.text is not None
    assert len(ok.text) == MAX_TEXT
    error = refusal(FeedbackCreate, {"scale": "nps_0_10", "rating": 9, "text": "x" * 5001})
    assert error.field == "text"


def test_a_person_is_named_once() -> None:
    body = {"scale": "nps_0_10", "rating": 9, "person_id": "p1", "email": "a@example.com"}
    assert refusal(FeedbackCreate, body).field == "email"
    assert refusal(FeedbackCreate, {**body, "person_id": None, "email": "nope"}).field == "email"


def test_a_form_field_says_what_its_type_needs() -> None:
    choice = {"name": "plan", "type": "choice"}
    assert refusal(FormField, choice).field == "choices"
    assert refusal(FormField, {"name": "q", "type": "rating"}).field == "scale"
    assert refusal(FormField, {"name": "q", "type": "text", "scale": "nps_0_10"}).field == "scale"
    assert refusal(FormField, {"name": "Bad Name", "type": "text"}).field == "name"


def test_a_form_has_distinct_field_names_and_one_email_field() -> None:
    twice = [{"name": "a", "type": "text"}, {"name": "a", "type": "number"}]
    assert refusal(FormCreate, {"name": "f", "fields": twice}).field == "fields"
    emails = [{"name": "a", "type": "email"}, {"name": "b", "type": "email"}]
    assert refusal(FormCreate, {"name": "f", "fields": emails}).field == "fields"
    assert refusal(FormCreate, {"name": "f", "fields": []}).field == "fields"


FORM = FormCreate.model_validate(
    {
        "name": "Signup",
        "fields": [
            {"name": "email", "type": "email", "required": True},
            {"name": "comment", "type": "text"},
            {"name": "age", "type": "number"},
            {"name": "plan", "type": "choice", "choices": ["free", "pro"]},
            {"name": "score", "type": "rating", "scale": "stars_1_5", "required": True},
        ],
    }
).fields


def test_a_response_is_stored_without_its_email() -> None:
    answers: dict[str, Any] = {
        "email": "Anna@Example.com",
        "comment": "nice",
        "plan": "pro",
        "score": 5,
    }
    kept, email = check_answers(FORM, answers)
    assert email == "Anna@example.com"
    assert kept == {"comment": "nice", "plan": "pro", "score": 5}


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"score": 4}, "fields.email"),
        ({"email": "a@example.com"}, "fields.score"),
        ({"email": "a@example.com", "score": 4, "colour": "red"}, "fields.colour"),
        ({"email": "not an address", "score": 4}, "fields.email"),
        ({"email": "a@example.com", "score": 6}, "fields.score"),
        ({"email": "a@example.com", "score": 4.5}, "fields.score"),
        ({"email": "a@example.com", "score": 4, "plan": "gold"}, "fields.plan"),
        ({"email": "a@example.com", "score": 4, "age": "old"}, "fields.age"),
        ({"email": "a@example.com", "score": 4, "comment": 3}, "fields.comment"),
    ],
)
def test_a_response_that_does_not_fit_its_form_names_the_field(
    answers: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_answers(FORM, answers)
    assert caught.value.field == field


def test_a_response_body_limits_its_text_answers() -> None:
    body = {"fields": {"comment": "x" * (MAX_TEXT + 1)}}
    assert (refusal(ResponseCreate, body).field or "").startswith("fields.comment")
