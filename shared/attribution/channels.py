"""The marketing channels a session comes through: one list, read by the resolution job, the API
and the SQL (the views only ever see channel values this module wrote).

A session's channel comes from what it carries, strongest first: a creator tracking link or
allocation code, then the UTM medium and source, then click ids, then the referrer's host
(search engines, social sites, any other site), else direct. Pure logic over plain strings.
"""

from __future__ import annotations

from typing import Literal, get_args
from urllib.parse import urlsplit

Channel = Literal[
    "creator",
    "paid_social",
    "organic_social",
    "paid_search",
    "organic_search",
    "email",
    "referral",
    "direct",
    "other",
]
CHANNELS: tuple[Channel, ...] = get_args(Channel)

PAID_MEDIUMS = frozenset(
    {
        "cpc",
        "ppc",
        "paid",
        "paidsocial",
        "paid_social",
        "paid-social",
        "cpm",
        "cpv",
        "display",
        "ad",
        "ads",
    }
)
ORGANIC_MEDIUMS = frozenset({"social", "organic", "organic_social", "social-organic", "post"})
CREATOR_MEDIUMS = frozenset({"influencer", "creator", "affiliate", "partner"})
EMAIL_MEDIUMS = frozenset({"email", "e-mail", "newsletter"})
SOCIAL_SOURCES = frozenset(
    {
        "facebook",
        "fb",
        "instagram",
        "ig",
        "meta",
        "tiktok",
        "youtube",
        "x",
        "twitter",
        "linkedin",
        "pinterest",
        "snapchat",
        "twitch",
        "reddit",
        "threads",
    }
)
SEARCH_SOURCES = frozenset({"google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia"})
SOCIAL_HOSTS = (
    "facebook.com",
    "fb.com",
    "instagram.com",
    "tiktok.com",
    "youtube.com",
    "youtu.be",
    "x.com",
    "twitter.com",
    "t.co",
    "linkedin.com",
    "lnkd.in",
    "pinterest.com",
    "snapchat.com",
    "twitch.tv",
    "reddit.com",
    "threads.net",
)
SEARCH_HOSTS = (
    "google.",
    "bing.com",
    "search.yahoo.",
    "duckduckgo.com",
    "baidu.com",
    "yandex.",
    "ecosia.org",
)


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").casefold()
    except ValueError:
        return ""


def _on(host: str, domains: tuple[str, ...]) -> bool:
    """Whether host is one of domains or below one ("m.facebook.com"); entries ending in a dot
    match any top-level domain ("google." covers google.de)."""
    for domain in domains:
        if domain.endswith("."):
            if host.startswith(domain) or f".{domain}" in host:
                return True
        elif host == domain or host.endswith(f".{domain}"):
            return True
    return False


def classify_channel(
    *,
    creator: bool,
    utm_source: str | None,
    utm_medium: str | None,
    fbclid: str | None,
    gclid: str | None,
    ttclid: str | None,
    referrer: str | None,
    landing_url: str | None = None,
) -> Channel:
    """The session's channel; `creator` is true when it came through a creator tracking link or
    an allocation's code. A click id decides only when the UTM medium does not (fbclid is added
    to organic Facebook links too, so `utm_medium=social` keeps a session organic)."""
    if creator:
        return "creator"
    medium = (utm_medium or "").strip().casefold()
    source = (utm_source or "").strip().casefold()
    return (
        _by_medium(medium, source, bool(gclid))
        or _by_click_id(fbclid, gclid, ttclid)
        or _by_source(medium, source)
        or _by_referrer(referrer, landing_url)
    )


def _by_medium(medium: str, source: str, gclid: bool) -> Channel | None:
    if medium in CREATOR_MEDIUMS:
        return "creator"
    if medium in EMAIL_MEDIUMS or source in EMAIL_MEDIUMS:
        return "email"
    if medium in PAID_MEDIUMS:
        return "paid_search" if source in SEARCH_SOURCES or gclid else "paid_social"
    return "organic_social" if medium in ORGANIC_MEDIUMS else None


def _by_click_id(fbclid: str | None, gclid: str | None, ttclid: str | None) -> Channel | None:
    if gclid:
        return "paid_search"
    return "paid_social" if fbclid or ttclid else None


def _by_source(medium: str, source: str) -> Channel | None:
    if source in SOCIAL_SOURCES:
        return "organic_social"
    if source in SEARCH_SOURCES:
        return "organic_search"
    return "other" if medium or source else None


def _by_referrer(referrer: str | None, landing_url: str | None) -> Channel:
    host = _host(referrer)
    if not host or host == _host(landing_url):
        return "direct"
    if _on(host, SOCIAL_HOSTS):
        return "organic_social"
    return "organic_search" if _on(host, SEARCH_HOSTS) else "referral"
