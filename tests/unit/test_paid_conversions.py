"""Conversion events and attribution windows, from their one definition: aliases of an event
count once, defaults follow the campaign objective, custom conversions are events of their own,
and an ad account can neither ask for a withdrawn window nor count an event that does not
exist (a 422 naming the field)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from shared.adaccounts.models import AdAccount, AdAccountUpdate
from shared.paid.conversions import (
    aliases,
    count_events,
    event_problem,
    events_for_objective,
    meta_windows,
    window_problem,
    withdrawn_windows,
)


def test_meta_is_asked_only_for_windows_it_still_offers() -> None:
    assert meta_windows() == ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
    assert set(withdrawn_windows()) == {"7d_view", "28d_view"}
    assert not set(meta_windows()) & set(withdrawn_windows())
    assert window_problem("default", allow_default=False) is not None  # Meta's value, not a key


def test_aliases_count_once_and_events_add_up() -> None:
    figures = {
        "omni_purchase": Decimal(3),
        "purchase": Decimal(3),
        "offsite_conversion.fb_pixel_purchase": Decimal(3),
        "onsite_conversion.lead_grouped": Decimal(2),
        "leadgen_grouped": Decimal(2),
    }
    total, counted = count_events(figures, ["purchase", "lead"])
    assert total == Decimal(5)
    assert counted == ("omni_purchase", "onsite_conversion.lead_grouped")
    assert count_events(figures, ["app_install"]) == (None, ())


def test_defaults_follow_the_objective() -> None:
    assert events_for_objective("OUTCOME_SALES") == ("purchase",)
    assert events_for_objective("OUTCOME_LEADS") == ("lead",)
    assert events_for_objective("OUTCOME_APP_PROMOTION") == ("app_install",)
    assert events_for_objective(None) == ("purchase",)
    assert aliases("custom:12345") == ("offsite_conversion.custom.12345",)
    assert event_problem("custom:abc") == "'custom:abc': a custom conversion id is digits"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"attribution_windows": ["7d_view"]}, ("attribution_windows", 0), "no longer offered"),
        ({"attribution_windows": ["default"]}, ("attribution_windows", 0), "not an attribution"),
        ({"default_attribution_window": "28d_view"}, ("default_attribution_window",), "withdrew"),
        ({"conversion_events": ["purchases"]}, ("conversion_events", 0), "not a conversion event"),
        ({"value_events": ["custom:x1"]}, ("value_events", 0), "custom conversion id is digits"),
    ],
)
def test_account_settings_refuse_what_meta_cannot_report(
    body: dict[str, object], field: tuple[object, ...], message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        AdAccountUpdate.model_validate(body)
    assert refused.value.errors()[0]["loc"] == field


def test_an_account_saved_with_a_withdrawn_window_no_longer_asks_for_it() -> None:
    stored = {
        "account_id": "1",
        "name": "EU",
        "currency": "EUR",
        "connection_id": "k",
        "connected_at": "2025-06-01T00:00:00Z",
        "connected_by": "key",
        "attribution_windows": ["7d_click", "7d_view", "28d_view"],
    }
    assert AdAccount.model_validate(stored).attribution_windows == ["7d_click"]
    only_withdrawn = {**stored, "attribution_windows": ["28d_view"]}
    assert AdAccount.model_validate(only_withdrawn).attribution_windows == ["7d_click", "1d_view"]
