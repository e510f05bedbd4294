"""Small statistics on aggregated counts: percentages and Wilson score intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part ÷ whole × 100, or NA where whole is 0 (never inf, never a division error)."""
    num = part.astype("float64").to_numpy()
    den = whole.astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1) * 100.0, np.nan)
    return pd.Series(out, index=part.index, dtype="Float64").mask(den <= 0)


def wilson(successes: pd.Series, trials: pd.Series, z: float) -> tuple[pd.Series, pd.Series]:
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


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test; None without data on a side."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


def control_limits(rate: float, n: pd.Series, z: float) -> tuple[pd.Series, pd.Series]:
    """Funnel-plot limits in percent: rate ± z·√(rate(1−rate)/n), clipped to [0, 100]."""
    size = n.astype("float64").to_numpy()
    half = z * np.sqrt(rate * (1 - rate) / np.where(size > 0, size, np.nan))
    low = np.clip(rate - half, 0, 1) * 100
    high = np.clip(rate + half, 0, 1) * 100
    return pd.Series(low, index=n.index, dtype="Float64"), pd.Series(high, index=n.index, dtype="Float64")


def cumulative_incidence(events: pd.DataFrame) -> pd.DataFrame:
    """Aalen–Johansen cumulative incidence of "won", with "lost" competing and open leads censored.

    ``events`` has one row per day with counts ``won``, ``lost`` and ``censored``; leads
    censored on a day are still at risk for that day's events. Returns per day the number
    at risk and the cumulative incidences ``won_cum`` and ``lost_cum`` (fractions 0..1).
    """
    frame = events.sort_values("day").reset_index(drop=True)
    at_risk = int(frame[["won", "lost", "censored"]].to_numpy().sum())
    survival, won_cum, lost_cum, rows = 1.0, 0.0, 0.0, []
    for day, won, lost, censored in frame[["day", "won", "lost", "censored"]].itertuples(index=False):
        if at_risk > 0:
            won_cum += survival * won / at_risk
            lost_cum += survival * lost / at_risk
            survival *= 1 - (won + lost) / at_risk
        rows.append({"day": int(day), "at_risk": at_risk, "won": int(won), "lost": int(lost),
                     "censored": int(censored), "won_cum": won_cum, "lost_cum": lost_cum})  # fmt: skip
        at_risk -= won + lost + censored
    return pd.DataFrame(rows, columns=["day", "at_risk", "won", "lost", "censored", "won_cum", "lost_cum"])
