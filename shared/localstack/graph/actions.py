"""Actions as Meta reports them: one conversion counted under each of its action-type aliases
(a pixel purchase is `offsite_conversion.fb_pixel_purchase`, `purchase`, `omni_purchase` and
`onsite_web_purchase`), each entry with `value` and one key per requested window, and
cost_per_action_type as spend over those same counts.

`value` is what each ad set's own attribution setting counts (the ads' AD_SET_VALUE, summed),
the figure Ads Manager shows; Meta has disregarded the attribution flags for it since
2025-06-10. An entry whose `value` is 0 is still listed when a requested window has a count (a
7-day-click conversion of a 1-day-click ad set)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.localstack.graph.query import InsightsQuery

AD_SET_VALUE = "adset_setting"  # a count's figure under its ad set's attribution setting

ON_AD_ACTIONS = ("link_click", "landing_page_view", "post_engagement", "video_view")
# Meta action type -> the sample conversion events it counts (an alias counts the same event).
ACTION_TYPES: dict[str, tuple[str, ...]] = {
    **{name: (name,) for name in ON_AD_ACTIONS},
    "offsite_conversion.fb_pixel_purchase": ("purchase",),
    "purchase": ("purchase",),
    "omni_purchase": ("purchase",),
    "onsite_web_purchase": ("purchase",),
    "offsite_conversion.fb_pixel_lead": ("lead_pixel",),
    "onsite_conversion.lead_grouped": ("lead_onsite",),
    "leadgen_grouped": ("lead_onsite",),
    "lead": ("lead_pixel", "lead_onsite"),
    "offsite_conversion.fb_pixel_complete_registration": ("registration",),
    "complete_registration": ("registration",),
    "mobile_app_install": ("app_install",),
    "app_install": ("app_install",),
    "omni_app_install": ("app_install",),
}
CUSTOM_PREFIX = "offsite_conversion.custom."
Counts = Mapping[str, Mapping[str, int]]


def _action_types(events: Counts) -> list[tuple[str, tuple[str, ...]]]:
    custom = sorted(e for e in events if e.startswith(CUSTOM_PREFIX))
    return [*ACTION_TYPES.items(), *((name, (name,)) for name in custom)]


def _windows_of(events: Counts, sources: tuple[str, ...]) -> dict[str, int]:
    summed: dict[str, int] = {}
    for source in sources:
        for window, n in events.get(source, {}).items():
            summed[window] = summed.get(window, 0) + n
    return summed


def setting_value(counts: Mapping[str, int]) -> int:
    """The `value` of one count: under its ad set's attribution setting."""
    return counts.get(AD_SET_VALUE, 0)


def action_list(events: Counts, query: InsightsQuery, *, money: bool) -> list[dict[str, str]]:
    """Graph's action list; actions and windows without a count are left out, as Meta does."""
    out = []
    for action_type, sources in _action_types(events):
        counts = _windows_of(events, sources)
        value = setting_value(counts)
        shown = {w: _number(counts[w], money) for w in query.windows if counts.get(w)}
        if value or shown:
            out.append({"action_type": action_type, "value": _number(value, money), **shown})
    return out


def cost_per_action(events: Counts, query: InsightsQuery, spend_cents: int) -> list[dict[str, str]]:
    """Spend over each action count (the same counts `actions` shows), in currency units."""
    out = []
    for action_type, sources in _action_types(events):
        counts = _windows_of(events, sources)
        value = setting_value(counts)
        if not value or not spend_cents:
            continue
        entry = {"action_type": action_type, "value": _cost(spend_cents, value)}
        entry.update({w: _cost(spend_cents, counts[w]) for w in query.windows if counts.get(w)})
        out.append(entry)
    return out


def _number(n: int, money: bool) -> str:
    return f"{n / 100:.2f}" if money else str(n)


def _cost(spend_cents: int, count: int) -> str:
    return str(round(spend_cents / 100 / count, 6))
