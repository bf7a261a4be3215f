"""Token lifetimes, redirect URIs and account days: the pure rules behind the Meta connection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.adaccounts.models import AdAccount
from shared.adaccounts.oauth import allowed_redirect
from shared.adaccounts.timezones import account_today, day_is_complete, lookback_range
from shared.adaccounts.tokens import EXPIRY_WARNING, TokenStage, check_system_user, token_stage
from shared.errors import ValidationFailed
from shared.ports import TokenInfo

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
CALLBACK = "https://api.reachops.example/fn/meta_oauth_callback"


def account(timezone: str | None) -> AdAccount:
    return AdAccount(
        account_id="1",
        name="Acme",
        currency="EUR",
        timezone=timezone,
        connection_id="c1",
        connected_at=NOW,
        connected_by="k1",
    )


@pytest.mark.parametrize(
    ("left", "stage"),
    [
        (timedelta(days=60), None),
        (EXPIRY_WARNING + timedelta(seconds=1), None),
        (EXPIRY_WARNING, TokenStage.EXPIRING),
        (timedelta(hours=1), TokenStage.EXPIRING),
        (timedelta(0), TokenStage.EXPIRED),
        (-timedelta(days=3), TokenStage.EXPIRED),
    ],
)
def test_a_token_is_warned_about_seven_days_ahead_and_again_once_expired(
    left: timedelta, stage: TokenStage | None
) -> None:
    assert token_stage(NOW + left, NOW) is stage


def test_a_token_that_never_expires_is_never_due() -> None:
    assert token_stage(None, NOW) is None


def info(**overrides: object) -> TokenInfo:
    fields: dict[str, object] = {
        "token_type": "SYSTEM_USER",
        "is_valid": True,
        "app_id": "app-1",
        "expires_at": None,
        "scopes": ("ads_read",),
    }
    fields.update(overrides)
    return TokenInfo(**fields)  # type: ignore[arg-type]


def test_a_valid_system_user_token_of_the_app_is_accepted() -> None:
    check_system_user(info(), "app-1", NOW)
    check_system_user(info(expires_at=NOW + timedelta(days=50)), "app-1", NOW)


@pytest.mark.parametrize(
    "bad",
    [
        {"is_valid": False},
        {"token_type": "USER"},
        {"app_id": "someone-elses-app"},
        {"expires_at": NOW - timedelta(seconds=1)},
    ],
)
def test_anything_else_is_a_422_naming_access_token(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_system_user(info(**bad), "app-1", NOW)
    assert refused.value.field == "access_token"


def test_the_configured_redirect_is_used_when_none_is_asked_for() -> None:
    assert allowed_redirect(None, CALLBACK, ()) == CALLBACK


def test_a_caller_redirect_must_be_on_the_allow_list() -> None:
    listed = "https://app.agency.example/meta/done"
    assert allowed_redirect(listed, CALLBACK, (listed,)) == listed
    assert allowed_redirect("HTTPS://APP.agency.example/meta/done", CALLBACK, (listed,))
    assert allowed_redirect(CALLBACK, CALLBACK, ()) == CALLBACK
    for unlisted in ("https://evil.example/steal", "https://app.agency.example/meta/done/x"):
        with pytest.raises(ValidationFailed) as refused:
            allowed_redirect(unlisted, CALLBACK, (listed,))
        assert refused.value.field == "redirect_uri"


def test_no_redirect_at_all_names_redirect_uri() -> None:
    with pytest.raises(ValidationFailed) as refused:
        allowed_redirect(None, "", ())
    assert refused.value.field == "redirect_uri"


def test_days_are_the_accounts_own() -> None:
    # 06:00 UTC on 1 December is still 30 November in Los Angeles, already 1 December in Berlin.
    la, berlin = account("America/Los_Angeles"), account("Europe/Berlin")
    assert account_today(la, NOW) == date(2026, 11, 30)
    assert account_today(berlin, NOW) == date(2026, 12, 1)
    assert day_is_complete(berlin, date(2026, 11, 30), NOW)
    assert not day_is_complete(la, date(2026, 11, 30), NOW)
    assert lookback_range(la, NOW, 28) == (date(2026, 11, 2), date(2026, 11, 30))


def test_an_unknown_or_missing_zone_counts_in_utc() -> None:
    assert account_today(account(None), NOW) == date(2026, 12, 1)
    assert account_today(account("Mars/Olympus_Mons"), NOW) == date(2026, 12, 1)
