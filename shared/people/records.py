"""Where a person's records live: their Firestore documents and warehouse tables."""

from __future__ import annotations

PEOPLE_TABLE = "people"
PEOPLE_KEY = ("org_id", "person_id")
VISITORS_TABLE = "person_visitors"
VISITORS_KEY = ("org_id", "visitor_id")


def people_collection(org_id: str) -> str:
    return f"orgs/{org_id}/people"


def person_path(org_id: str, person_id: str) -> str:
    return f"{people_collection(org_id)}/{person_id}"


def email_claim_path(org_id: str, email_hash: str) -> str:
    """One document per email and organization, naming its person: the one-person claim."""
    return f"orgs/{org_id}/person_emails/{email_hash}"
