"""Attribution windows and conversion events, read from their one definition (conversions.yaml).

Why a module of its own: the same facts decide what the Meta row conversion stores, what an ad
account may be set to, and what the KPI endpoints accept, and a window Meta has withdrawn must be
refused in every one of those places with the same reason.

Counting rule (`count_events`): every event counts the first of its aliases that the row
carries, so one purchase reported under three action types counts once; the events are then
added up. A row that carries none of them has an unknown count (None), never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

CUSTOM_PREFIX = "custom:"
CUSTOM_ACTION_PREFIX = "offsite_conversion.custom."
DEFAULT_WINDOW = "default"
"""Meta's `value` of an action entry: the figure under each ad set's own attribution setting,
what Ads Manager shows (a campaign's or account's adds up its ad sets')."""


@cache
def _definitions() -> Mapping[str, Any]:
    text = resources.files("shared.paid").joinpath("conversions.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return MappingProxyType(loaded)


def windows() -> Mapping[str, str]:
    """Every window a figure may be stored or asked for, with what it means (`default` first)."""
    return MappingProxyType(
        {str(k): str(v) for k, v in _definitions()["attribution_windows"].items()}
    )


def meta_windows() -> tuple[str, ...]:
    """The windows Meta accepts in action_attribution_windows (all but `default`)."""
    return tuple(w for w in windows() if w != DEFAULT_WINDOW)


def withdrawn_windows() -> Mapping[str, str]:
    withdrawn = _definitions()["withdrawn_attribution_windows"]
    return MappingProxyType({str(k): str(v) for k, v in withdrawn.items()})


def window_problem(window: str, *, allow_default: bool = True) -> str | None:
    """Why `window` cannot be used, or None when it can."""
    if window in withdrawn_windows():
        return f"{window} is no longer offered: {withdrawn_windows()[window]}"
    offered = windows() if allow_default else meta_windows()
    if window not in offered:
        return f"{window!r} is not an attribution window; use one of {', '.join(offered)}"
    return None


def checked_window(*, allow_default: bool = True) -> Callable[[str], str]:
    """A pydantic AfterValidator: the window itself, or a ValueError naming the reason."""

    def check(window: str) -> str:
        problem = window_problem(window, allow_default=allow_default)
        if problem:
            raise ValueError(problem)
        return window

    return check


def events() -> Mapping[str, tuple[str, ...]]:
    """Standard event -> its aliases, most complete first."""
    listed = _definitions()["conversion_events"]
    return MappingProxyType({str(k): tuple(str(a) for a in v) for k, v in listed.items()})


def event_problem(event: str) -> str | None:
    if event.startswith(CUSTOM_PREFIX):
        custom_id = event.removeprefix(CUSTOM_PREFIX)
        return None if custom_id.isdigit() else f"{event!r}: a custom conversion id is digits"
    if event not in events():
        return (
            f"{event!r} is not a conversion event; use one of {', '.join(events())} or custom:<id>"
        )
    return None


def checked_event(event: str) -> str:
    """A pydantic AfterValidator for one conversion event name."""
    problem = event_problem(event)
    if problem:
        raise ValueError(problem)
    return event


def aliases(event: str) -> tuple[str, ...]:
    """The action types that report `event`, most complete first."""
    if event.startswith(CUSTOM_PREFIX):
        return (CUSTOM_ACTION_PREFIX + event.removeprefix(CUSTOM_PREFIX),)
    return events()[event]


def events_for_objective(objective: str | None) -> tuple[str, ...]:
    """The events a campaign of this objective counts when its account names none."""
    by_objective = _definitions()["objective_events"]
    chosen = by_objective.get(objective or "", _definitions()["fallback_events"])
    return tuple(str(e) for e in chosen)


def count_events(
    figures: Mapping[str, Decimal], chosen: Iterable[str]
) -> tuple[Decimal | None, tuple[str, ...]]:
    """The sum over `chosen` events of each one's first alias present in `figures` (action type
    -> figure), and the action types that were counted. (None, ()) when none is present."""
    total = Decimal(0)
    counted: list[str] = []
    for event in chosen:
        for action_type in aliases(event):
            if action_type in figures:
                total += figures[action_type]
                counted.append(action_type)
                break
    return (total, tuple(counted)) if counted else (None, ())


def all_action_types(chosen: Sequence[str]) -> tuple[str, ...]:
    """Every alias of the chosen events, for a reason that names what was looked for."""
    return tuple(a for event in chosen for a in aliases(event))
