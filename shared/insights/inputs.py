"""Checks on the per-customer arrays the lifetime-value models take. A model fitted on a
negative count or a recency past the end of the observation window would still return
numbers, just meaningless ones, so every public function validates its arrays here and names
the argument that is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
ArrayLike: TypeAlias = "Sequence[float] | npt.NDArray[Any] | pd.Series[Any]"


def as_array(name: str, values: ArrayLike) -> FloatArray:
    """One-dimensional, finite, non-negative float array, or ValueError naming `name`."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name}: must be a one-dimensional sequence of numbers")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: every value must be finite (no NaN or infinity)")
    if np.any(array < 0):
        raise ValueError(f"{name}: every value must be >= 0")
    return array


def same_length(**arrays: FloatArray) -> int:
    """The common length of the arrays, or ValueError naming the first one that differs."""
    names = list(arrays)
    n = len(arrays[names[0]])
    for name in names[1:]:
        if len(arrays[name]) != n:
            raise ValueError(f"{name}: has {len(arrays[name])} values, {names[0]} has {n}")
    return n


def customer_arrays(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803 - the paper's name
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validated (frequency, recency, T) in the BG/NBD sense: frequency is the number of repeat
    purchases (a whole number), recency the time of the last one since the first purchase, T
    the time since the first purchase; so recency <= T, and recency is 0 without repeats."""
    x = as_array("frequency", frequency)
    t_x = as_array("recency", recency)
    t = as_array("T", T)
    same_length(frequency=x, recency=t_x, T=t)
    if np.any(x != np.floor(x)):
        raise ValueError("frequency: every value must be a whole number of repeat purchases")
    if np.any(t_x > t):
        raise ValueError("recency: must be <= T (the last purchase lies inside the window)")
    if np.any((x == 0) & (t_x > 0)):
        raise ValueError("recency: must be 0 for a customer whose frequency is 0")
    return x, t_x, t


def horizon(name: str, value: float) -> float:
    """A finite, non-negative length of time."""
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name}: must be a finite number >= 0")
    return float(value)
