"""Small statistics on aggregated counts: percentages and Wilson score intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Dtype objects, not names: pandas looks a name up among every registered dtype on each call,
# which on a report's small frames costs more than the arithmetic.
FLOAT = pd.Float64Dtype()
INT = np.dtype(np.int64)


def floats(values: pd.Series) -> np.ndarray:
    """``values`` as float64 numbers, NaN for NA."""
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def nullable(values: np.ndarray, index: pd.Index) -> pd.Series:
    """A Float64 series of ``values``, NA where a value is NaN."""
    return pd.Series(pd.array(values, dtype=FLOAT), index=index)


def pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part ÷ whole × 100, or NA where whole is 0 (never inf, never a division error)."""
    num, den = floats(part), floats(whole)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1) * 100.0, np.nan)
    return nullable(out, part.index)


def wilson(successes: pd.Series, trials: pd.Series, z: float) -> tuple[pd.Series, pd.Series]:
    """Wilson score interval bounds in percent; NA where there are no trials.

    centre = (p + z²/2n) / (1 + z²/n); half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
    """
    x, n = floats(successes), floats(trials)
    safe = np.where(n > 0, n, 1.0)
    p = x / safe
    denom = 1 + z**2 / safe
    centre = (p + z**2 / (2 * safe)) / denom
    half = z * np.sqrt(np.maximum(p * (1 - p) / safe + z**2 / (4 * safe**2), 0.0)) / denom
    low = np.clip(centre - half, 0.0, 1.0) * 100
    high = np.clip(centre + half, 0.0, 1.0) * 100
    empty = n <= 0

    def bound(values: np.ndarray) -> pd.Series:
        return nullable(np.where(empty, np.nan, values), successes.index)

    return bound(low), bound(high)


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


@dataclass(frozen=True)
class Incidence:
    """Aalen–Johansen estimates over ordered times: who was at risk, and each cause's cumulative incidence.

    ``times`` ascending; ``events`` is times × causes (counts); ``censored`` counts per time.
    Leads censored at a time are still at risk for that time's events.
    """

    times: np.ndarray
    events: np.ndarray
    censored: np.ndarray
    at_risk: np.ndarray
    survival_before: np.ndarray  # all-cause survival just before each time
    cumulative: np.ndarray  # times × causes, 0..1

    @classmethod
    def estimate(cls, times: np.ndarray, events: np.ndarray, censored: np.ndarray) -> Incidence:
        order = np.argsort(times, kind="stable")
        times, events, censored = times[order], events[order].astype("float64"), censored[order].astype("float64")
        leaving = events.sum(axis=1) + censored
        at_risk = leaving.sum() - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])
        safe = np.where(at_risk > 0, at_risk, 1.0)
        hazard = np.where(at_risk > 0, events.sum(axis=1) / safe, 0.0)
        survival_before = np.concatenate([[1.0], np.cumprod(1 - hazard)[:-1]])
        step = survival_before[:, None] * events / safe[:, None]
        return cls(times, events, censored, at_risk, survival_before, np.cumsum(step, axis=0))

    def upto(self, horizon: float) -> int:
        """The index of the last time at or before ``horizon`` (-1 when there is none)."""
        return int(np.searchsorted(self.times, horizon, side="right")) - 1

    def at(self, horizon: float, cause: int) -> tuple[float, float]:
        """Cumulative incidence of ``cause`` by ``horizon`` (0..1) and its delta-method variance.

        Var F_k(t) = Σ_j [ (F_k(t) − F_k(t_j))² d_j / (n_j (n_j − d_j)) + S_{j−1}² d_kj (n_j − d_kj) / n_j³
                          − 2 (F_k(t) − F_k(t_j)) S_{j−1} d_kj / n_j² ]   (Marubini & Valsecchi, 1995).
        """
        last = self.upto(horizon)
        if last < 0:
            return 0.0, 0.0
        n, d = self.at_risk[: last + 1], self.events[: last + 1].sum(axis=1)
        dk, s = self.events[: last + 1, cause], self.survival_before[: last + 1]
        f = self.cumulative[: last + 1, cause]
        gap = f[-1] - f
        live = n > 0
        n, d, dk, s, gap = n[live], d[live], dk[live], s[live], gap[live]
        first = np.where(n > d, gap**2 * d / np.where(n > d, n * (n - d), 1.0), 0.0)
        variance = np.sum(first + s**2 * dk * (n - dk) / n**3 - 2 * gap * s * dk / n**2)
        return float(f[-1]), float(max(variance, 0.0))


def difference_p(f1: float, v1: float, f2: float, v2: float) -> float | None:
    """Two-sided p-value of f1 − f2 for independent estimates with variances v1 and v2."""
    se = math.sqrt(v1 + v2)
    if se == 0:
        return None if f1 == f2 else 0.0
    return math.erfc(abs(f1 - f2) / se / math.sqrt(2))


def holm(p_values: pd.Series) -> pd.Series:
    """Holm's step-down adjustment: p-values for many rows tested at once, NA left as NA."""
    p = floats(p_values)
    known = np.flatnonzero(~np.isnan(p))
    order = known[np.argsort(p[known], kind="stable")]
    adjusted = np.full(len(p), np.nan)
    adjusted[order] = np.minimum(np.maximum.accumulate(p[order] * np.arange(len(order), 0, -1)), 1.0)
    return nullable(adjusted, p_values.index)


def cumulative_incidence(events: pd.DataFrame) -> pd.DataFrame:
    """Aalen–Johansen cumulative incidence of "won", with "lost" competing and open leads censored.

    ``events`` has one row per day with counts ``won``, ``lost`` and ``censored``; leads
    censored on a day are still at risk for that day's events. Returns per day the number
    at risk and the cumulative incidences ``won_cum`` and ``lost_cum`` (fractions 0..1).
    """
    frame = events.sort_values("day").reset_index(drop=True)
    curve = Incidence.estimate(frame["day"].to_numpy(), frame[["won", "lost"]].to_numpy(), frame["censored"].to_numpy())
    out = frame[["day", "won", "lost", "censored"]].astype("int64")
    out.insert(1, "at_risk", curve.at_risk.astype("int64"))
    out["won_cum"], out["lost_cum"] = curve.cumulative[:, 0], curve.cumulative[:, 1]
    return out
