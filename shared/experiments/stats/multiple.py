"""Adjusted p-values for many tests at once: each experiment's family is its variants x its
goal and secondary metrics (guardrails are watched one by one, for harm, and keep their raw
p-value), corrected by Holm-Bonferroni (family-wise error) or Benjamini-Hochberg (false
discovery rate). Tests without a p-value (a `reason` row) are not in the family.

With the family's m p-values sorted ascending, p_(1) <= ... <= p_(m):
* Holm: adj_(i) = max over j <= i of min(1, (m - j + 1) p_(j));
* BH:   adj_(i) = min over j >= i of min(1, m p_(j) / j).
Both are computed with one sort and a grouped cumulative max/min over all families.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shared.experiments.stats.settings import BoolArray, Correction, FloatArray


def adjust_p_values(
    p_values: FloatArray, family: pd.DataFrame, in_family: BoolArray, method: Correction
) -> FloatArray:
    """`family`: one row per test, the columns naming its family (e.g. experiment_id).
    Rows outside the family (or with NaN p) keep their raw p-value."""
    keep = in_family & ~np.isnan(p_values)
    adjusted = p_values.copy()
    if method == "none" or not keep.any():
        return adjusted
    frame = family.loc[keep].reset_index(drop=True)
    codes = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    p = p_values[keep]
    order = np.lexsort((p, codes))
    sorted_codes, sorted_p = codes[order], p[order]
    ranked = pd.DataFrame({"code": sorted_codes})
    rank = ranked.groupby("code").cumcount().to_numpy() + 1
    m = ranked.groupby("code")["code"].transform("size").to_numpy()
    if method == "holm-bonferroni":
        scaled = pd.Series(np.minimum(1.0, (m - rank + 1) * sorted_p))
        result = scaled.groupby(sorted_codes).cummax().to_numpy()
    else:
        scaled = pd.Series(np.minimum(1.0, m * sorted_p / rank)[::-1])
        result = scaled.groupby(sorted_codes[::-1]).cummin().to_numpy()[::-1]
    out = np.empty_like(p)
    out[order] = result
    adjusted[keep] = out
    return adjusted
