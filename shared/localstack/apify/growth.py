"""How a post's counts grow between runs, so repeated scrapes see what real ones see: a young
post gains likes, comments, shares and views quickly, an old one hardly at all.

The curve is a saturating exponential in the post's age `t` (days):

    share(t) = 1 - exp(-t / GROWTH_DAYS)
    count(t) = round(figure * share(t) / share(sample_age))

`figure` is the sample file's count and `sample_age` the sample item's `_daysAgo`, so a post
shows exactly the sample's figure when it is that old and approaches `figure / share(sample_age)`
later. With GROWTH_DAYS = 2 a post has about 22% of its final count at 12 hours, 63% at 2 days
and 95% at 6 days. Ages are taken at the start of the clock's hour (counts move at the top of
each hour, as cached platform counters do), so every run within one clock hour reports the
same counts: a retried or duplicated run leaves the figures as a clean run leaves them unless
an hour turns in between. The curve depends on the age alone: a later run never reports
less. A hidden count (-1) or an unknown one (null) stays as it is.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

GROWTH_DAYS = 2.0
COUNT_FIELDS: dict[str, tuple[str, ...]] = {
    "instagram": ("likesCount", "commentsCount", "videoViewCount", "videoPlayCount"),
    "tiktok": ("diggCount", "shareCount", "playCount", "commentCount", "collectCount"),
    "youtube": ("viewCount", "likes", "commentsCount"),
}


def age_days(posted: datetime, now: datetime) -> float:
    """The age in days, at the start of `now`'s hour, of a post published at `posted`."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return max((hour - posted) / timedelta(days=1), 0.0)


def _share(age_days: float) -> float:
    return 1.0 - math.exp(-max(age_days, 0.0) / GROWTH_DAYS)


def grown(figure: int, sample_age_days: float, age_days: float) -> int:
    """The count of a post `age_days` old whose sample shows `figure` at `sample_age_days`."""
    if figure < 0:
        return figure
    return round(figure * _share(age_days) / _share(sample_age_days))


def grow_counts(
    item: MutableMapping[str, Any], platform: str, sample_age_days: float, age_days: float
) -> None:
    """Grow every count field of `item` (in place) to the post's age."""
    for key in COUNT_FIELDS[platform]:
        value = item.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            item[key] = grown(value, sample_age_days, age_days)
