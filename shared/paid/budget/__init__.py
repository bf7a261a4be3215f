"""Budget advice: how to split a daily budget across channels, and how sure that is.

Per channel (a linked platform campaign) a response curve of the goal against adstocked spend
with weekday factors (`curves`, `adstock`), fitted to its daily history; the split of a total
daily budget that maximises the summed goal within per-channel bounds (`optimizer`); intervals
of the curves' parameters and of the goal at the recommendation from a block bootstrap
(`bootstrap`); and a confidence label per channel and for the whole advice (`confidence`).
`allocate.recommend_allocation` ties them together and never raises for data that cannot give
advice: it says why instead. Money is integer micros; recommendations are whole micros that add
up to the total exactly.
"""

from shared.paid.budget.allocate import (
    DEFAULT_ALLOCATOR,
    Allocation,
    AllocatorSettings,
    ChannelAllocation,
    recommend_allocation,
)
from shared.paid.budget.confidence import THRESHOLDS, Confidence
from shared.paid.budget.curves import (
    ChannelHistory,
    CurveFit,
    CurveSettings,
    ResponseCurve,
    fit_response_curve,
)
from shared.paid.budget.optimizer import BoundSettings

__all__ = [
    "DEFAULT_ALLOCATOR",
    "THRESHOLDS",
    "Allocation",
    "AllocatorSettings",
    "BoundSettings",
    "ChannelAllocation",
    "ChannelHistory",
    "Confidence",
    "CurveFit",
    "CurveSettings",
    "ResponseCurve",
    "fit_response_curve",
    "recommend_allocation",
]
