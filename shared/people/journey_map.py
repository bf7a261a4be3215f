"""The journey-event mapping (journey_map.yaml), read once: Python validates the API's stage and
event names against it, and the warehouse joins it as reachops.ref_journey_events."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

REFERENCE_TABLE = "ref_journey_events"
ORIGINS = ("track", "feedback", "form_response", "comment")


@dataclass(frozen=True)
class JourneyMap:
    stages: tuple[str, ...]
    channels: tuple[str, ...]
    stage_of: dict[str, str]
    channel_of: dict[str, str]
    sources: tuple[dict[str, str | None], ...]
    record_channels: dict[str, str]
    record_channel_origins: tuple[str, ...]
    public_origins: tuple[str, ...] = ()

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(self.stage_of)

    @property
    def public_events(self) -> tuple[str, ...]:
        """The events only public content becomes (social_engage): erasure keeps their records."""
        own = {s["event"] for s in self.sources if s["origin"] not in self.public_origins}
        public = {s["event"] for s in self.sources if s["origin"] in self.public_origins}
        return tuple(sorted(str(event) for event in public - own))

    def rows(self) -> tuple[dict[str, Any], ...]:
        """reachops.ref_journey_events: per source, its event's stage (with the stage's funnel
        rank, from 1) and default channel (record_channel NULL), and for the origins whose
        records name a channel (feedback, form responses) one more row per channel such a
        record may name, with the channel it counts as."""
        rows: list[dict[str, Any]] = []
        for source in self.sources:
            event = str(source["event"])
            stage = self.stage_of[event]
            base = {**source, "stage": stage, "stage_rank": self.stages.index(stage) + 1}
            rows.append({**base, "record_channel": None, "channel": self.channel_of[event]})
            if source["origin"] in self.record_channel_origins:
                rows += [
                    {**base, "record_channel": named, "channel": channel}
                    for named, channel in self.record_channels.items()
                ]
        return tuple(rows)


def parse(loaded: dict[str, Any]) -> JourneyMap:
    """Checks the file's consistency: known stages and channels, known events, and no record
    that two entries would both claim."""
    stages = tuple(str(s) for s in loaded["stages"])
    channels = tuple(str(c) for c in loaded["channels"])
    stage_of: dict[str, str] = {}
    channel_of: dict[str, str] = {}
    for event, entry in loaded["events"].items():
        if entry["stage"] not in stages or entry["channel"] not in channels:
            raise ValueError(f"journey_map.yaml: event {event} names an unknown stage or channel")
        stage_of[str(event)] = str(entry["stage"])
        channel_of[str(event)] = str(entry["channel"])
    sources: list[dict[str, str | None]] = []
    claimed: set[tuple[str | None, ...]] = set()
    for entry in loaded["sources"]:
        source = {name: entry.get(name) for name in ("origin", "track_source", "event_type")}
        key = tuple(source.values())
        if source["origin"] not in ORIGINS or entry["event"] not in stage_of or key in claimed:
            raise ValueError(f"journey_map.yaml: source {entry} is unknown or claimed twice")
        if (source["origin"] == "track") != (source["event_type"] is not None):
            raise ValueError(f"journey_map.yaml: only track sources name an event_type: {entry}")
        claimed.add(key)
        sources.append({**source, "event": str(entry["event"])})
    record_channels = {str(k): str(v) for k, v in loaded["record_channels"].items()}
    if not set(record_channels.values()) <= set(channels):
        raise ValueError("journey_map.yaml: record_channels maps to an unknown channel")
    named = tuple(str(o) for o in loaded["record_channel_origins"])
    if not set(named) <= set(ORIGINS) - {"track"}:
        raise ValueError("journey_map.yaml: record_channel_origins names an unknown origin")
    public = tuple(str(o) for o in loaded.get("public_origins") or ())
    if not set(public) <= set(ORIGINS):
        raise ValueError("journey_map.yaml: public_origins names an unknown origin")
    return JourneyMap(
        stages, channels, stage_of, channel_of, tuple(sources), record_channels, named, public
    )


@cache
def journey_map() -> JourneyMap:
    text = resources.files("shared.people").joinpath("journey_map.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))
