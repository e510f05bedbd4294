"""Period-over-period: the same figures for the previous period and a year earlier, with a test."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from leadkit.exceptions import PeriodError
from leadkit.leads import Leads
from leadkit.model import TOTAL
from leadkit.periods import Period, previous, year_earlier
from leadkit.reports.measures import conversion_table
from leadkit.reports.selection import scoped
from leadkit.reports.stats import pct, two_proportion_p
from leadkit.scope import Scope

ALPHA = 0.05
CONVERSION_NAMES = {"x": "converted", "n": "leads", "pct": "conversion_pct", "base_x": "base_converted",
                    "base_n": "base_leads", "base_pct": "base_conversion_pct"}  # fmt: skip
LOST_NAMES = {"x": "leads", "n": "lost", "pct": "share_pct", "base_x": "base_leads", "base_n": "base_lost",
              "base_pct": "base_share_pct"}  # fmt: skip
CONVERSION_NAMES = {"x": "converted", "n": "leads", "pct": "conversion_pct", "base_x": "base_converted",
                    "base_n": "base_leads", "base_pct": "base_conversion_pct"}  # fmt: skip
LOST_NAMES = {"x": "leads", "n": "lost", "pct": "share_pct", "base_x": "base_leads", "base_n": "base_lost",
              "base_pct": "base_share_pct"}  # fmt: skip
BASES = {"previous": previous, "year_ago": year_earlier}


@dataclass(frozen=True, eq=False)
class Comparison:
    """The current figures beside a base period's, per row and in total."""

    base: str
    period: Period
    rows: pd.DataFrame
    total: dict[str, Any]


def compare_rates(current: pd.DataFrame, base: pd.DataFrame, key: str, x: str, n: str) -> pd.DataFrame:
    """Rows of both periods side by side: counts, rates, change in points and a two-proportion p."""
    cur = current[[key, x, n]].rename(columns={x: "x", n: "n"})
    old = base[[key, x, n]].rename(columns={x: "base_x", n: "base_n"})
    both = cur.merge(old, on=key, how="outer")
    for col in ("x", "n", "base_x", "base_n"):
        both[col] = both[col].fillna(0).astype("int64")
    both["pct"] = pct(both["x"], both["n"])
    both["base_pct"] = pct(both["base_x"], both["base_n"])
    both["pp_change"] = both["pct"] - both["base_pct"]
    both["p_value"] = pd.array(
        [two_proportion_p(a, b, c, d) for a, b, c, d in both[["x", "n", "base_x", "base_n"]].itertuples(index=False)],
        dtype="Float64",
    )
    both["significant"] = (both["p_value"] < ALPHA).fillna(False).astype(bool)
    return both.sort_values(["n", key], ascending=[False, True], ignore_index=True)


def _conversion_counts(leads: Leads, scope: Scope, by: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    return conversion_table(scoped(leads, scope), by)


def conversion_comparisons(
    leads: Leads, scope: Scope, by: str, rows: pd.DataFrame, total: dict[str, Any]
) -> dict[str, Comparison]:
    """Conversion per ``by`` and in total against the previous period and a year earlier."""
    if scope.period is None:
        return {}
    out = {}
    for name, shift in BASES.items():
        period = shift(scope.period)
        try:
            base_rows, base_total = _conversion_counts(leads, replace(scope, period=period), by)
        except PeriodError:
            return {}
        table = compare_rates(rows, base_rows, by, "converted", "leads").rename(columns=CONVERSION_NAMES)
        current, before = pd.DataFrame([{by: TOTAL, **total}]), pd.DataFrame([{by: TOTAL, **base_total}])
        whole = compare_rates(current, before, by, "converted", "leads").rename(columns=CONVERSION_NAMES)
        out[name] = Comparison(name, period, table, {str(k): v for k, v in whole.iloc[0].items()})
    return out


def lost_comparisons(leads: Leads, scope: Scope, reasons_of: Any, reasons: pd.DataFrame) -> dict[str, Comparison]:
    """Each reason's share of lost leads against the previous period and a year earlier."""
    if scope.period is None:
        return {}
    current = reasons.assign(n=int(reasons["leads"].sum()))
    out = {}
    for name, shift in BASES.items():
        period = shift(scope.period)
        base = reasons_of(replace(scope, period=period))
        base = base.assign(n=int(base["leads"].sum()))
        table = compare_rates(current, base, "reason", "leads", "n").rename(columns=LOST_NAMES)
        lost_now, lost_then = int(current["leads"].sum()), int(base["leads"].sum())
        total = {"reason": TOTAL, "leads": lost_now, "base_leads": lost_then, "leads_change": lost_now - lost_then}
        out[name] = Comparison(name, period, table, total)
    return out
