"""The statistical choices every report makes, as one value.

Computations read these numbers and the printed definitions are generated from the same
value, so a definition can never disagree with what was computed (a report that flags
managers with fewer than 20 leads says "fewer than 20"). A params file may change them
under ``analysis:``. This module is a leaf: it imports nothing of leadkit.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class Method:
    """Confidence of every interval, significance level of every test, and the other thresholds."""

    confidence: float = 0.95  # Wilson intervals and funnel limits
    alpha: float = 0.05  # a change is "significant" when its test gives p < alpha
    min_leads: int = 30  # managers with fewer leads are flagged, not ranked
    trend_length: int = 12  # months (or weeks) in a trend
    weekly_up_to_days: int = 27  # periods of at most this many days get a weekly trend
    # Periods are compared on conversion within a horizon of H days from creation (cohorts at the same age):
    horizon_days: int | None = None  # None: derived from the data (see horizon_share)
    horizon_share: float = 0.75  # H covers this share of the data's closed leads' days to close…
    min_followed: float = 0.5  # …and a period is judged only when this share of its leads was followed H days

    def __post_init__(self) -> None:
        if not 0.5 <= self.confidence < 1:
            raise ValueError(f"confidence {self.confidence} must be at least 0.5 and below 1")
        if not 0 < self.alpha < 0.5:
            raise ValueError(f"alpha {self.alpha} must lie between 0 and 0.5")
        if self.min_leads < 1 or self.trend_length < 2 or self.weekly_up_to_days < 1:
            raise ValueError("min_leads, trend_length and weekly_up_to_days must be positive (trend_length ≥ 2)")
        if self.horizon_days is not None and self.horizon_days < 1:
            raise ValueError("horizon_days must be at least 1 (or absent: derived from the data)")
        if not 0 < self.horizon_share < 1 or not 0 < self.min_followed <= 1:
            raise ValueError("horizon_share must lie between 0 and 1, min_followed in (0, 1]")

    @property
    def z(self) -> float:
        """The two-sided normal quantile of ``confidence`` (1.959963… for 95%)."""
        return NormalDist().inv_cdf(0.5 + self.confidence / 2)


DEFAULT = Method()
