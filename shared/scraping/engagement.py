"""A creator's engagement rate, from the one per-post definition used everywhere in ReachOps.

engagement rate = mean, over the creator's last ENGAGEMENT_RATE_WINDOW posts on that platform
(newest first) that have a rate, of the per-post rate (likes + comments) / followers
(shared/metrics/formulas.py, post_engagement_rate, which the warehouse rollups render as SQL).

It is None when followers are unknown or zero, or when no recent post has both counts (for
example when every post hides its likes): an unknown rate is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from statistics import fmean

from shared.metrics.definitions import ENGAGEMENT_RATE_WINDOW
from shared.metrics.formulas import post_engagement_rate

WINDOW = ENGAGEMENT_RATE_WINDOW


def engagement_rate(
    followers: int | None, recent_posts: Iterable[tuple[int | None, int | None]]
) -> float | None:
    """`recent_posts`: (likes, comments) newest first."""
    rates = (post_engagement_rate(likes, comments, followers) for likes, comments in recent_posts)
    window = list(islice((rate for rate in rates if rate is not None), WINDOW))
    return fmean(window) if window else None
