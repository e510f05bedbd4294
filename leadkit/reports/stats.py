"""Small statistics on aggregated counts: percentages and Wilson score intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959963984540054  # two-sided 95%, printed as 1.96


def pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part ÷ whole × 100, or NA where whole is 0 (never inf, never a division error)."""
    num = part.astype("float64").to_numpy()
    den = whole.astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1) * 100.0, np.nan)
    return pd.Series(out, index=part.index, dtype="Float64").mask(den <= 0)


def wilson(successes: pd.Series, trials: pd.Series, z: float = Z95) -> tuple[pd.Series, pd.Series]:
    """Wilson score interval bounds in percent; NA where there are no trials.

    centre = (p + z²/2n) / (1 + z²/n); half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
    """
    x = successes.astype("float64").to_numpy()
    n = trials.astype("float64").to_numpy()
    safe = np.where(n > 0, n, 1.0)
    p = x / safe
    denom = 1 + z**2 / safe
    centre = (p + z**2 / (2 * safe)) / denom
    half = z * np.sqrt(np.maximum(p * (1 - p) / safe + z**2 / (4 * safe**2), 0.0)) / denom
    low = np.clip(centre - half, 0.0, 1.0) * 100
    high = np.clip(centre + half, 0.0, 1.0) * 100
    empty = n <= 0
    as_series = lambda a: pd.Series(a, index=successes.index, dtype="Float64").mask(empty)  # noqa: E731
    return as_series(low), as_series(high)
