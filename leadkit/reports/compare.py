"""Period-over-period: the same figures for the previous period and a year earlier, with a test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from leadkit.exceptions import PeriodError
from leadkit.leads import Leads
from leadkit.model import TOTAL
from leadkit.periods import Period, previous, year_earlier
from leadkit.reports.frames import fetch
from leadkit.reports.measures import conversion_table, conversion_tables, tally
from leadkit.reports.selection import scoped, scoped_periods
from leadkit.reports.stats import pct, two_proportion_p
from leadkit.scope import Scope

ALPHA = 0.05
CONVERSION_NAMES = {"x": "converted", "n": "leads", "pct": "conversion_pct", "base_x": "base_converted",
                    "base_n": "base_leads", "base_pct": "base_conversion_pct"}  # fmt: skip
LOST_NAMES = {"x": "leads", "n": "lost", "pct": "share_pct", "base_x": "base_leads", "base_n": "base_lost",
              "base_pct": "base_share_pct"}  # fmt: skip
CURRENT = "current"
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


def base_periods(scope: Scope) -> dict[str, Period]:
    """The periods the report's period is compared with (none for all time or an unshiftable period)."""
    if scope.period is None:
        return {}
    try:
        return {name: shift(scope.period) for name, shift in BASES.items()}
    except PeriodError:
        return {}


def conversion_with_comparisons(
    leads: Leads, scope: Scope, by: str
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Comparison]]:
    """The conversion table per ``by`` with its total, and its comparisons, from one query."""
    bases = base_periods(scope)
    if scope.period is None:
        return (*conversion_table(scoped(leads, scope), by), {})
    t, within = scoped_periods(leads, scope, {CURRENT: scope.period, **bases})
    tables = conversion_tables(t, by, within)
    rows, total = tables[CURRENT]
    out = {}
    for name, period in bases.items():
        base_rows, base_total = tables[name]
        table = compare_rates(rows, base_rows, by, "converted", "leads").rename(columns=CONVERSION_NAMES)
        current, before = pd.DataFrame([{by: TOTAL, **total}]), pd.DataFrame([{by: TOTAL, **base_total}])
        whole = compare_rates(current, before, by, "converted", "leads").rename(columns=CONVERSION_NAMES)
        out[name] = Comparison(name, period, table, {str(k): v for k, v in whole.iloc[0].items()})
    return rows, total, out


def base_reasons(leads: Leads, scope: Scope) -> dict[str, tuple[Period, pd.DataFrame]]:
    """Each base period, and its lost leads per reason (columns reason, leads), from one query."""
    bases = base_periods(scope)
    if not bases:
        return {}
    t, within = scoped_periods(leads, scope, bases)
    wide = fetch(t.group_by("reason").aggregate(**{name: tally(t, cond & t.is_lost) for name, cond in within.items()}))
    return {
        name: (period, wide.loc[wide[name] > 0, ["reason", name]].rename(columns={name: "leads"}))
        for name, period in bases.items()
    }


def lost_comparisons(bases: dict[str, tuple[Period, pd.DataFrame]], reasons: pd.DataFrame) -> dict[str, Comparison]:
    """Each reason's share of lost leads against the previous period and a year earlier."""
    current = reasons.assign(n=int(reasons["leads"].sum()))
    out = {}
    for name, (period, base) in bases.items():
        base = base.astype({"leads": "int64"}).assign(n=int(base["leads"].sum()))
        table = compare_rates(current, base, "reason", "leads", "n").rename(columns=LOST_NAMES)
        lost_now, lost_then = int(current["leads"].sum()), int(base["leads"].sum())
        total = {"reason": TOTAL, "leads": lost_now, "base_leads": lost_then, "leads_change": lost_now - lost_then}
        out[name] = Comparison(name, period, table, total)
    return out
