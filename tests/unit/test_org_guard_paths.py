"""Which organization a write belongs to, as the tombstone guard reads it from the path or the
record: the organization's tree, and top-level records that carry its org_id."""

from __future__ import annotations

import pytest

from shared.orgs.guard import owning_org


@pytest.mark.parametrize(
    ("path", "data", "owner"),
    [
        ("orgs/o1", {"name": "Agency"}, "o1"),
        ("orgs/o1/campaigns/c1/activity/e1", None, "o1"),
        ("api_keys/k1", {"org_id": "o1", "revoked": False}, "o1"),
        ("oauth_states/n1", {"org_id": "o1", "used": False}, "o1"),
        ("token_vault/o1-c1", {"ciphertext": "..."}, None),
        ("deleted_orgs/o1", {"org_id": "o1", "status": "pending"}, None),
        ("api_keys/k1", None, None),
    ],
)
def test_a_write_is_owned_by_its_tree_or_its_org_id(
    path: str, data: dict[str, str] | None, owner: str | None
) -> None:
    assert owning_org(path, data) == owner
