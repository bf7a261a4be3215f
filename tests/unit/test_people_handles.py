"""Social handles have one spelling: whatever case, blanks or leading @ a person's handle or a
scraped comment's author arrives with, both normalise to the same lower-case handle, so the
journey view's plain equality matches them; a platform the product does not know, or a handle
no platform allows, is refused naming the field."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.people.handles import MAX_HANDLES, SocialHandle, normalise_handle
from shared.people.models import PersonCreate, PersonUpdate

HANDLE_CHARS = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._")
HANDLES = st.text(HANDLE_CHARS, min_size=1, max_size=30)
DECORATED = st.tuples(
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", "@", "@@"]),
    HANDLES,
    st.sampled_from(["", " "]),
)


@given(DECORATED)
def test_every_spelling_of_a_handle_normalises_to_one_lower_case_form(
    parts: tuple[str, str, str, str],
) -> None:
    blank, at, handle, trailing = parts
    spelt = f"{blank}{at}{handle}{trailing}"
    normal = normalise_handle(spelt)
    assert normal == handle.lower()
    assert normalise_handle(normal) == normal
    assert normalise_handle(f"@{handle.upper()}") == normal


@given(DECORATED)
def test_a_handle_given_in_any_spelling_is_stored_normalised(
    parts: tuple[str, str, str, str],
) -> None:
    spelt = "".join(parts)
    identity = SocialHandle.model_validate({"platform": "instagram", "handle": spelt})
    assert identity.handle == normalise_handle(spelt)
    assert identity.key == f"instagram~{normalise_handle(spelt)}"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "myspace", "handle": "jane"}, "platform"),
        ({"platform": "instagram", "handle": "@"}, "handle"),
        ({"platform": "instagram", "handle": "jane doe"}, "handle"),
        ({"platform": "instagram", "handle": "jane/../doe"}, "handle"),
        ({"platform": "tiktok", "handle": "x" * 65}, "handle"),
    ],
)
def test_an_unknown_platform_or_an_impossible_handle_is_refused(
    body: dict[str, str], field: str
) -> None:
    request = {"email": "a@example.com", "social_handles": [body]}
    with pytest.raises(ValidationError) as refused:
        PersonCreate.model_validate_json(json.dumps(request))
    error = refused.value.errors()[0]
    assert error["loc"][0] == "social_handles"
    assert error["loc"][-1] == field


def test_a_person_carries_a_bounded_set_and_a_patch_may_clear_it() -> None:
    many = [{"platform": "x", "handle": f"h{i}"} for i in range(MAX_HANDLES + 1)]
    with pytest.raises(ValidationError):
        PersonUpdate.model_validate({"social_handles": many})
    assert PersonUpdate.model_validate({"social_handles": []}).social_handles == []
    assert PersonUpdate.model_validate({}).social_handles is None
