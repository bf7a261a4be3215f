"""Social identities of a person: a platform the product knows and the person's public handle
on it (instagram "jane.doe"), so a comment that handle wrote on one of the organization's
campaign posts joins the person's journey as a `social_engage` event.

`normalise_handle` is the one spelling both sides share: a person's handles are stored with it
(reachops.person_social_handles) and so is every scraped comment's author
(reachops.post_comments.author_username, shared/adapters/apify_comments.py), so the journey
view joins them with a plain equality.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from shared.campaigns.models import Platform

HANDLE_PATTERN = r"^[a-z0-9._-]{1,64}$"
"""What a normalised handle may hold: every platform's handles are letters, digits, `.`, `_`
(YouTube adds `-`), at most 30 characters on Instagram and 24 on TikTok; 64 leaves room."""
MAX_HANDLES = 20
"""The most social handles one person carries."""


def normalise_handle(handle: str) -> str:
    """The form two spellings of one handle share: blanks and leading `@` dropped, lower case
    (platforms treat handles case-insensitively: "@Jane.Doe" and "jane.doe" are one account)."""
    return handle.strip().lstrip("@").strip().lower()


def _normalised(value: Any) -> Any:
    return normalise_handle(value) if isinstance(value, str) else value


Handle = Annotated[str, BeforeValidator(_normalised), Field(pattern=HANDLE_PATTERN)]


class SocialHandle(BaseModel):
    """One identity; the handle is normalised on input, so a reply shows it as it is matched."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: Platform
    handle: Handle = Field(
        description="the public handle; trimmed, a leading @ dropped and lower-cased on input"
    )

    @property
    def key(self) -> str:
        """The identity as one id (a Firestore document id): handles are unique per platform."""
        return f"{self.platform.value}~{self.handle}"


SocialHandles = Annotated[list[SocialHandle], Field(max_length=MAX_HANDLES)]
