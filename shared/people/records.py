"""Where a person's records live: their Firestore documents and warehouse tables."""

from __future__ import annotations

PEOPLE_TABLE = "people"
PEOPLE_KEY = ("org_id", "person_id")
VISITORS_TABLE = "person_visitors"
VISITORS_KEY = ("org_id", "visitor_id")
HANDLES_TABLE = "person_social_handles"
HANDLES_KEY = ("org_id", "platform", "handle")


def people_collection(org_id: str) -> str:
    return f"orgs/{org_id}/people"


def person_path(org_id: str, person_id: str) -> str:
    return f"{people_collection(org_id)}/{person_id}"


def email_claim_path(org_id: str, email_hash: str) -> str:
    """One document per email and organization, naming its person: the one-person claim."""
    return f"orgs/{org_id}/person_emails/{email_hash}"


def handle_claims_collection(org_id: str) -> str:
    """The organization's handle claims; each document names its person (`person_id`), so
    erasure finds a person's claims by that field, the ones their document lost included."""
    return f"orgs/{org_id}/person_handles"


def handle_claim_path(org_id: str, handle_key: str) -> str:
    """One document per social identity and organization, naming its person: one handle is
    one person's (SocialHandle.key)."""
    return f"{handle_claims_collection(org_id)}/{handle_key}"
