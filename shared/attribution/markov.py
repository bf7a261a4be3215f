"""Data-driven attribution: the first-order Markov chain removal effect (Anderl, Becker, von
Wangenheim and Schumann, "Mapping the customer journey", 2016).

Journeys are chains over the states START, the channels, CONVERSION and NULL: a converting path
is START -> c1 -> ... -> cn -> CONVERSION, a path that did not convert ends in NULL. Transition
probabilities are the observed transition shares. P(conversion) is the probability that a walk
from START is absorbed in CONVERSION; removing a channel sends every walk that reaches it to
NULL. Its removal effect is 1 - P(conversion without it) / P(conversion); the effects normalised
to sum to 1 are each channel's share of the conversions. Everything is a small linear system
(one unknown per channel), solved with numpy; the counting is done by SQL
(bigquery_sql/queries/attribution_transitions.sql) or by `transition_counts` here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

START = "(start)"
CONVERSION = "(conversion)"
NULL = "(null)"

Counts = Mapping[tuple[str, str], float]


@dataclass(frozen=True)
class RemovalEffects:
    """Per channel: the removal effect and its normalised share; `conversion_probability` is
    P(conversion) of the whole chain. `reason` says why there are none (no converting path)."""

    conversion_probability: float | None
    effects: dict[str, float]
    shares: dict[str, float]
    reason: str | None = None


def transition_counts(paths: Iterable[tuple[Sequence[str], bool]]) -> dict[tuple[str, str], int]:
    """(from, to) -> count over paths of channels, each with whether it converted."""
    counts: dict[tuple[str, str], int] = {}
    for channels, converted in paths:
        if not channels:
            continue
        states = [START, *channels, CONVERSION if converted else NULL]
        for pair in itertools.pairwise(states):
            counts[pair] = counts.get(pair, 0) + 1
    return counts


def _absorption(q: npt.NDArray[np.float64], r: npt.NDArray[np.float64]) -> float:
    """P(absorbed in CONVERSION from START = state 0): solve (I - Q) x = r."""
    size = q.shape[0]
    solved = np.linalg.lstsq(np.eye(size) - q, r, rcond=None)[0]
    return float(min(max(solved[0], 0.0), 1.0))


def removal_effects(counts: Counts) -> RemovalEffects:
    channels = sorted({s for pair in counts for s in pair} - {START, CONVERSION, NULL})
    if not any(to == CONVERSION and n > 0 for (_, to), n in counts.items()):
        return RemovalEffects(None, {}, {}, "no converting journey in the period")
    states = [START, *channels]
    index = {state: i for i, state in enumerate(states)}
    size = len(states)
    q = np.zeros((size, size))
    r = np.zeros(size)
    out = np.zeros(size)
    for (source, target), n in counts.items():
        if source not in index:
            continue
        out[index[source]] += n
        if target in index:
            q[index[source], index[target]] += n
        elif target == CONVERSION:
            r[index[source]] += n
    rows = np.where(out > 0, out, 1.0)
    q, r = q / rows[:, None], r / rows
    total = _absorption(q, r)
    effects: dict[str, float] = {}
    for channel in channels:
        keep = [i for i in range(size) if i != index[channel]]
        without = _absorption(q[np.ix_(keep, keep)], r[keep])
        effects[channel] = max(0.0, 1.0 - without / total) if total > 0 else 0.0
    spread = sum(effects.values())
    shares = {c: (e / spread if spread > 0 else 0.0) for c, e in effects.items()}
    return RemovalEffects(total, effects, shares)
