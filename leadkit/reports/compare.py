"""Period over period: the current figures beside a base period's, with a two-proportion test."""

from __future__ import annotations

from typing import Any

import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.model import TOTAL
from leadkit.periods import Period
from leadkit.reports.measures import tally
from leadkit.reports.selection import scoped_periods
from leadkit.reports.stats import pct, two_proportion_p
from leadkit.reports.table import Table, base_periods
from leadkit.results import Comparison
from leadkit.results import contract as C
from leadkit.scope import Scope

CONVERSION_NAMES = {"x": "converted", "n": "leads", "pct": "conversion_pct", "base_x": "base_converted",
                    "base_n": "base_leads", "base_pct": "base_conversion_pct"}  # fmt: skip
LOST_NAMES = {"x": "leads", "n": "lost", "pct": "share_pct", "base_x": "base_leads", "base_n": "base_lost",
              "base_pct": "base_share_pct"}  # fmt: skip


def compare_rates(current: pd.DataFrame, base: pd.DataFrame, key: str, x: str, n: str, alpha: float) -> pd.DataFrame:
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
    both["significant"] = (both["p_value"] < alpha).fillna(False).astype(bool)
    return both.sort_values(["n", key], ascending=[False, True], ignore_index=True)


def conversion_comparisons(table: Table, by: str, method: Method) -> dict[str, Comparison]:
    """The main table against each of its base periods, per row and in total."""
    out = {}
    contract = C.compare_rows(by)
    for name, (period, base_rows, base_total) in table.bases.items():
        rows = compare_rates(table.rows, base_rows, by, "converted", "leads", method.alpha).rename(
            columns=CONVERSION_NAMES
        )
        current, before = pd.DataFrame([{by: TOTAL, **table.total}]), pd.DataFrame([{by: TOTAL, **base_total}])
        whole = compare_rates(current, before, by, "converted", "leads", method.alpha).rename(columns=CONVERSION_NAMES)
        total = {str(k): v for k, v in contract.conform(whole).iloc[0].items()}
        out[name] = Comparison(name, period, contract.conform(rows), total)
    return out


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


def lost_comparisons(
    bases: dict[str, tuple[Period, pd.DataFrame]], reasons: pd.DataFrame, method: Method
) -> dict[str, Comparison]:
    """Each reason's share of lost leads against the previous period and a year earlier."""
    current = reasons.assign(n=int(reasons["leads"].sum()))
    out = {}
    for name, (period, base) in bases.items():
        base = base.astype({"leads": "int64"}).assign(n=int(base["leads"].sum()))
        table = compare_rates(current, base, "reason", "leads", "n", method.alpha).rename(columns=LOST_NAMES)
        lost_now, lost_then = int(current["leads"].sum()), int(base["leads"].sum())
        total: dict[str, Any] = {"reason": TOTAL, "leads": lost_now, "base_leads": lost_then,
                                 "leads_change": lost_now - lost_then}  # fmt: skip
        out[name] = Comparison(name, period, C.COMPARE_LOST.conform(table), total)
    return out
