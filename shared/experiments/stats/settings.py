"""How results are computed: one frozen settings object, and the reasons a figure is missing.

Defaults are gbstats's and the issue's (two-sided at alpha 0.05, flat prior, no sequential
testing, CUPED on, Holm-Bonferroni, SRM flagged at p < 0.001). The experiment document's
`settings` (shared.experiments.models.ExperimentSettings) mirror these fields one for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]
Correction = Literal["holm-bonferroni", "benjamini-hochberg", "none"]

EMPTY_ARM = "empty arm"
TOO_FEW_USERS = "too few users"
ZERO_BASELINE = "control mean is zero"
ZERO_VARIANCE = "zero variance"
INCOMPLETE = "incomplete moments"
REASONS = (EMPTY_ARM, INCOMPLETE, TOO_FEW_USERS, ZERO_BASELINE, ZERO_VARIANCE)
"""Checked in this order; the first that holds is the one reported."""


@dataclass(frozen=True)
class AnalysisSettings:
    """`prior` is None for gbstats's flat (improper) prior, else (mean, variance) of a proper
    normal prior on the relative lift (gbstats GaussianPrior, proper=True).
    `two_sided=False` tests "the variant is better" (gbstats OneSidedTreatmentGreaterTTest).
    `sequential` makes the decision p-value and interval the always-valid ones (gbstats
    SequentialTwoSidedTTest, tuned for `sequential_tuning` users)."""

    alpha: float = 0.05
    two_sided: bool = True
    prior: tuple[float, float] | None = None
    sequential: bool = False
    sequential_tuning: float = 5000
    cuped: bool = True
    correction: Correction = "holm-bonferroni"
    srm_threshold: float = 0.001
    min_users: int = 100


DEFAULTS = AnalysisSettings()
