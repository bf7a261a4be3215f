"""The one definition of engagement rate used everywhere in ReachOps.

engagement rate = mean, over the creator's last 12 posts on that platform (newest first) whose
likes and comments are both known, of (likes + comments) / followers.

It is None when followers are unknown or zero, or when no recent post has both counts (for
example when every post hides its likes): an unknown rate is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import fmean

WINDOW = 12


def engagement_rate(
    followers: int | None, recent_posts: Iterable[tuple[int | None, int | None]]
) -> float | None:
    """`recent_posts`: (likes, comments) newest first."""
    if not followers:
        return None
    known = [
        (likes, comments)
        for likes, comments in recent_posts
        if likes is not None and comments is not None
    ]
    window = known[:WINDOW]
    if not window:
        return None
    return fmean((likes + comments) / followers for likes, comments in window)
