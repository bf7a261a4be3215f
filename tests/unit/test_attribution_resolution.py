"""Session resolution: the fixed order of evidence (allocation code, tracking link, UTM id, UTM
name, click id), one name normalisation, and the channel of each kind of visit."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from shared.allocations.tracking import tracking_code, tracking_query
from shared.attribution.channels import CHANNELS, classify_channel
from shared.attribution.models import ConversionType
from shared.attribution.resolution import (
    Catalog,
    CreatorCampaign,
    PaidCampaign,
    normalise_name,
    resolve,
)
from shared.metrics.attribution import conversion_figures
from shared.tracking.events import CONVERSIONS

CATALOG = Catalog(
    creator=(
        CreatorCampaign("camp1", "Winter Drop 2026", r"shop\.example/winter", ("anna-instagram",)),
        CreatorCampaign("camp2", "Spring Launch", None, ("ben-tiktok",)),
        CreatorCampaign("camp3", "Duplicate Name"),
    ),
    paid=(
        PaidCampaign("120200000001", "Black_Friday-Retargeting"),
        PaidCampaign("120200000002", "duplicate name"),
        PaidCampaign("120200000003", "Winter Drop Prospecting", reachops_campaign_id="camp1"),
    ),
)


@pytest.mark.parametrize(
    "fields",
    [{"utm_campaign": "120200000003"}, {"utm_campaign": "winter drop prospecting"}],
)
def test_a_meta_campaign_linked_to_a_reachops_campaign_credits_both_as_paid_traffic(
    fields: dict[str, str],
) -> None:
    found = resolve(landing(utm_source="facebook", utm_medium="paid_social", **fields), CATALOG)
    assert (found.campaign_id, found.paid_campaign_id, found.channel) == (
        "camp1",
        "120200000003",
        "paid_social",
    )


def landing(url: str = "https://shop.example/", **fields: Any) -> dict[str, Any]:
    return {"landing_url": url, "landing_referrer": None, **fields}


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Summer_Sale-2026", "summer sale 2026"),
        ("  summer   sale 2026 ", "summer sale 2026"),
        ("SUMMER.SALE|2026", "summer sale 2026"),
        ("Straße", "strasse"),
        ("\uff46\uff55\uff4c\uff4c\u3000width", "full width"),
    ],
)
def test_campaign_names_compare_after_one_normalisation(name: str, normalised: str) -> None:
    assert normalise_name(name) == normalised


def test_an_allocation_code_beats_the_campaigns_tracking_link() -> None:
    code = tracking_code("camp2", "ben-tiktok")
    found = resolve(landing("https://shop.example/winter", utm_content=code), CATALOG)
    assert (found.campaign_id, found.allocation_id, found.method) == (
        "camp2",
        "ben-tiktok",
        "allocation_code",
    )
    assert found.channel == "creator"


def test_tracking_codes_are_stable_and_differ_between_campaigns() -> None:
    assert tracking_code("camp1", "anna-instagram") == tracking_code("camp1", "anna-instagram")
    assert tracking_code("camp1", "anna-instagram") != tracking_code("camp2", "anna-instagram")
    query = tracking_query("camp1", "anna-instagram")
    assert f"utm_content={tracking_code('camp1', 'anna-instagram')}" in query


def test_a_tracking_link_beats_a_utm_campaign() -> None:
    found = resolve(
        landing("https://SHOP.example/Winter?x=1", utm_campaign="Spring Launch"), CATALOG
    )
    assert (found.campaign_id, found.allocation_id, found.method, found.channel) == (
        "camp1",
        None,
        "tracking_link",
        "creator",
    )


def test_a_utm_id_beats_a_name_and_finds_reachops_and_meta_campaigns() -> None:
    found = resolve(landing(utm_id="camp2", utm_campaign="Winter Drop 2026"), CATALOG)
    assert (found.campaign_id, found.method) == ("camp2", "utm_id")
    paid = resolve(landing(utm_campaign="120200000001", utm_medium="paid_social"), CATALOG)
    assert (paid.paid_campaign_id, paid.campaign_id, paid.method, paid.channel) == (
        "120200000001",
        None,
        "utm_id",
        "paid_social",
    )


def test_a_utm_name_matches_after_normalisation() -> None:
    found = resolve(landing(utm_campaign="black friday retargeting", fbclid="abc"), CATALOG)
    assert (found.paid_campaign_id, found.method, found.channel) == (
        "120200000001",
        "utm_name",
        "paid_social",
    )


def test_a_name_two_campaigns_share_is_left_for_a_person() -> None:
    found = resolve(landing(utm_campaign="Duplicate-Name", fbclid="abc"), CATALOG)
    assert (found.campaign_id, found.paid_campaign_id, found.method) == (None, None, None)
    assert found.unresolved_reason == "utm_campaign names several campaigns; resolve it by hand"


def test_a_click_id_alone_names_the_platform_not_the_campaign() -> None:
    meta = resolve(landing(fbclid="IwAR0"), CATALOG)
    assert (meta.method, meta.channel, meta.campaign_id) == ("click_id", "paid_social", None)
    google = resolve(landing(gclid="Cj0"), CATALOG)
    assert (google.method, google.channel) == ("click_id", "paid_search")
    tiktok = resolve(landing(ttclid="E.C.P"), CATALOG)
    assert (tiktok.method, tiktok.channel) == ("click_id", "paid_social")


def test_nothing_to_go_on_is_unresolved_with_a_reason() -> None:
    found = resolve(landing(utm_campaign="nobody knows"), CATALOG)
    assert (found.method, found.unresolved_reason) == (None, "utm_campaign matches no campaign")
    plain = resolve(landing(), CATALOG)
    assert plain.unresolved_reason == "no tracking link, allocation code or utm_campaign"
    assert plain.channel == "direct"


@pytest.mark.parametrize(
    ("fields", "channel"),
    [
        ({"utm_medium": "social", "fbclid": "x", "utm_source": "facebook"}, "organic_social"),
        ({"fbclid": "x"}, "paid_social"),
        ({"utm_medium": "cpc", "utm_source": "google"}, "paid_search"),
        ({"utm_medium": "email"}, "email"),
        ({"utm_medium": "influencer"}, "creator"),
        ({"utm_source": "instagram"}, "organic_social"),
        ({"utm_source": "partner-site", "utm_medium": "banner"}, "other"),
        ({"referrer": "https://www.google.de/search?q=x"}, "organic_search"),
        ({"referrer": "https://l.instagram.com/"}, "organic_social"),
        ({"referrer": "https://blog.example.org/post"}, "referral"),
        ({"referrer": "https://shop.example/cart"}, "direct"),  # an internal navigation
        ({}, "direct"),
    ],
)
def test_channels_from_utm_click_ids_and_referrer(fields: dict[str, Any], channel: str) -> None:
    found = classify_channel(
        creator=False,
        utm_source=fields.get("utm_source"),
        utm_medium=fields.get("utm_medium"),
        fbclid=fields.get("fbclid"),
        gclid=fields.get("gclid"),
        ttclid=fields.get("ttclid"),
        referrer=fields.get("referrer"),
        landing_url="https://shop.example/",
    )
    assert found == channel
    assert found in CHANNELS


def test_allocation_ctr_and_cost_per_acquisition_are_null_with_a_reason_when_unknown() -> None:
    rows = [
        {"currency": "EUR", "conversions": 2.5, "value_micros": 90e6, "tracking_sessions": 40},
        {"currency": "USD", "conversions": 0.5, "value_micros": 10e6, "tracking_sessions": 40},
    ]
    known = conversion_figures(rows, views=2000, fee_minor=30_000, currency="EUR")
    assert (known.tracking_sessions, known.conversions, known.conversion_value_micros) == (
        40,
        3.0,
        90e6,
    )
    assert (known.ctr, known.cost_per_acquisition_minor, known.unknown) == (0.02, 10_000, {})
    none = conversion_figures([], views=None, fee_minor=30_000, currency="EUR")
    assert (none.ctr, none.cost_per_acquisition_minor, none.conversion_value_micros) == (
        None,
        None,
        None,
    )
    assert none.unknown == {
        "conversion_value_micros": "no conversion with a value in EUR",
        "ctr": "the creator's posts report no views",
        "cost_per_acquisition_minor": "no conversion is credited to this allocation yet",
    }


def test_the_conversion_types_are_the_trackings_own_list() -> None:
    assert set(get_args(ConversionType)) == CONVERSIONS
