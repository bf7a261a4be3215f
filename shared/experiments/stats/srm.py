"""Sample ratio mismatch: Pearson's chi-square of the users per variant against the weights,
as gbstats 0.8.0's utils.check_srm, for every experiment of a frame at once.

Expected users = weight / sum of weights x total; arms with weight 0 add no term but still
count in the degrees of freedom (arms - 1), as gbstats. No users at all gives p = 1 (nothing
to mismatch). A flagged experiment (p < threshold) has untrustworthy results: the split that
reached the analysis is not the split that was assigned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from shared.experiments.stats.settings import DEFAULTS, AnalysisSettings


def srm_p_values(frame: pd.DataFrame, settings: AnalysisSettings = DEFAULTS) -> pd.DataFrame:
    """`frame`: experiment_id (and org_id if present), variant_id, users, weight; one row per
    variant. Returns experiment_id (org_id), srm_p_value, srm_flagged."""
    keys = [c for c in ("org_id", "experiment_id") if c in frame.columns]
    users = frame["users"].fillna(0).to_numpy(dtype=float)
    weight = frame["weight"].fillna(0).to_numpy(dtype=float)
    groups = frame.groupby(keys, sort=False)
    total = groups["users"].transform("sum").to_numpy(dtype=float)
    weight_sum = groups["weight"].transform("sum").to_numpy(dtype=float)
    expected = np.divide(weight, weight_sum, where=weight_sum > 0, out=np.zeros_like(weight))
    expected *= total
    term = np.divide(
        (users - expected) ** 2, expected, where=expected > 0, out=np.zeros_like(users)
    )
    summary = (
        frame[keys]
        .assign(_term=term, _users=users)
        .groupby(keys, sort=False)
        .agg(statistic=("_term", "sum"), total=("_users", "sum"), arms=("_term", "size"))
        .reset_index()
    )
    dof = summary["arms"].to_numpy(dtype=float) - 1
    chi = special.chdtrc(np.maximum(dof, 1), summary["statistic"].to_numpy(dtype=float))
    p = np.where((summary["total"].to_numpy() > 0) & (dof > 0), chi, 1.0)
    return summary[keys].assign(srm_p_value=p, srm_flagged=p < settings.srm_threshold)
