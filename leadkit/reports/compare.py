"""Period over period, like with like: the figures beside a base period's, judged at the same age.

The raw figures of both periods stand side by side (raw conversion is what a CRM shows),
but the change and its verdict come from the fair comparison of ``maturity``: each
period's incidence within H days of creation, with a two-sided z-test on the difference,
p-values of the rows adjusted for their number (Holm). A period whose leads are too young
(fewer than ``min_followed`` followed for H days) is "too early to tell", one with
fewer than ``min_leads`` leads has "too few leads". Without a horizon (basis ``closed``,
or a source without close dates) the raw rates are tested, and a period that had not
ended by the data's cut-off is too early to tell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.model import TOTAL
from leadkit.periods import Period
from leadkit.reports.maturity import CONVERTED, LOST, REASON, Estimate, estimates, outcome_events
from leadkit.reports.measures import tally
from leadkit.reports.selection import distinct, once, scoped_periods
from leadkit.reports.stats import FLOAT, INT, difference_p, holm, pct, two_proportion_p
from leadkit.reports.table import CURRENT, Table, base_periods
from leadkit.results import Comparison
from leadkit.results import contract as C
from leadkit.scope import Scope

CONVERSION_NAMES = {"x": "converted", "n": "leads", "pct": "conversion_pct", "base_x": "base_converted",
                    "base_n": "base_leads", "base_pct": "base_conversion_pct"}  # fmt: skip
LOST_NAMES = {"x": "leads", "n": "lost", "pct": "share_pct", "base_x": "base_leads", "base_n": "base_lost",
              "base_pct": "base_share_pct"}  # fmt: skip


@dataclass(frozen=True)
class Fairness:
    """How a report's periods are compared: within ``days`` of creation as of ``as_of`` (or raw, days None)."""

    as_of: datetime | None
    days: int | None
    estimates: dict[tuple[str, str], Estimate]

    def of(self, group: str, period: str) -> Estimate | None:
        return self.estimates.get((group, period))


def fairness(
    leads: Leads, scope: Scope, key: str | None, as_of: datetime | None, days: int | None, by_reason: bool = False
) -> Fairness:
    """The estimates within H days for the report's period and its base periods, per ``key`` group and in total."""
    bases = base_periods(scope)
    if scope.period is None or not bases or as_of is None or days is None:
        return Fairness(as_of, None, {})
    periods = {CURRENT: scope.period, **bases}
    computed = distinct(periods)
    t, _ = scoped_periods(leads, scope, computed)
    events = outcome_events(t, computed, as_of, days, key, by_reason)
    found = estimates(events, list(computed), days, key)
    same = once(periods)
    shared = {(group, name): found[group, same[name]] for group, _ in found for name in periods if same[name] != name}
    return Fairness(as_of, days, found | shared)


def compare_rates(current: pd.DataFrame, base: pd.DataFrame, key: str, x: str, n: str) -> pd.DataFrame:
    """Rows of both periods side by side: counts, rates and the change in points, in ``current``'s order.

    Rows only in ``base`` follow, most base leads first. Built from plain lists: a merge and a
    sort of a few rows cost pandas milliseconds each, and a report compares several times.
    """
    now = dict(zip(current[key].tolist(), zip(_counts(current[x]), _counts(current[n]), strict=True), strict=True))
    old = dict(zip(base[key].tolist(), zip(_counts(base[x]), _counts(base[n]), strict=True), strict=True))
    keys = [*now, *sorted((k for k in old if k not in now), key=lambda k: (-old[k][1], k))]
    pairs = [(*now.get(k, (0, 0)), *old.get(k, (0, 0))) for k in keys]
    x_, n_, base_x, base_n = (pd.Series(c) for c in np.array(pairs, dtype=INT).reshape(len(keys), 4).T)
    rate, base_rate = pct(x_, n_), pct(base_x, base_n)
    return pd.DataFrame({key: pd.Series(keys, dtype=current[key].dtype), "x": x_, "n": n_, "base_x": base_x,
                         "base_n": base_n, "pct": rate, "base_pct": base_rate,
                         "pp_change": rate - base_rate})  # fmt: skip


def _counts(values: pd.Series) -> list[int]:
    return [int(v) for v in values.fillna(0).to_numpy(dtype=INT)]


def verdict(
    now: int, before: int, followed: tuple[float, float] | None, p: float | None, up: bool, method: Method
) -> str:
    """up / down / no_change, or why there is no verdict: no_base, too_few, too_early."""
    if before == 0:
        return "no_base"
    if min(now, before) < method.min_leads:
        return "too_few"
    if followed is not None and min(followed) < method.min_followed:
        return "too_early"
    if p is None or p >= method.alpha:
        return "no_change"
    return "up" if up else "down"


Pick = Callable[[str], tuple[str, str]]  # a row's key → (group of the estimates, outcome)
FAIR = ("horizon_pct", "base_horizon_pct", "fair_change_pp", "followed_pct", "base_followed_pct")


def _fair_values(row: Any, fair: Fairness, name: str, group: str, outcome: str) -> tuple[list[Any], int, int]:
    """The fair columns of one row and the cohort sizes its verdict weighs (raw test without estimates)."""
    now, before = fair.of(group, CURRENT), fair.of(group, name)
    if now is None or before is None:
        return [None] * 5 + [two_proportion_p(row.x, row.n, row.base_x, row.base_n)], int(row.n), int(row.base_n)
    if not (now.leads and before.leads):  # no cohort to estimate on one side: no share there, no change, no test
        side = [(c.share.get(outcome, 0.0) * 100, c.followed_share * 100) if c.leads else (None, None)
                for c in (now, before)]  # fmt: skip
        return [side[0][0], side[1][0], None, side[0][1], side[1][1], None], now.leads, before.leads
    f1, f2 = now.share.get(outcome, 0.0), before.share.get(outcome, 0.0)
    p = difference_p(f1, now.variance.get(outcome, 0.0), f2, before.variance.get(outcome, 0.0))
    values = [f1 * 100, f2 * 100, (f1 - f2) * 100, now.followed_share * 100, before.followed_share * 100, p]
    return values, now.leads, before.leads


def judge(
    frame: pd.DataFrame, key: str, name: str, fair: Fairness, pick: Pick, method: Method, early: bool
) -> pd.DataFrame:
    """Add the fair columns, p (Holm-adjusted over the rows), significant and verdict to ``frame``.

    ``early``: the period had not ended by the data's cut-off (matters for the raw test only).
    """
    found = [_fair_values(row, fair, name, *pick(str(getattr(row, key)))) for row in frame.itertuples(index=False)]
    added = {column: pd.Series(pd.array([values[i] for values, _, _ in found], dtype=FLOAT), index=frame.index)
             for i, column in enumerate((*FAIR, "p_value"))}  # fmt: skip
    if not (len(frame) == 1 and frame[key].iloc[0] == TOTAL):
        added["p_value"] = holm(added["p_value"])
    verdicts = []
    for (values, now, before), p, raw_change in zip(
        found, _floats(added["p_value"]), _floats(frame["pp_change"]), strict=True
    ):
        followed = None if values[3] is None or values[4] is None else (values[3] / 100, values[4] / 100)
        change = raw_change if values[2] is None else values[2]
        said = verdict(now, before, followed, p, change is not None and change > 0, method)
        raw_early = early and followed is None and said not in ("no_base", "too_few")
        verdicts.append("too_early" if raw_early else said)
    significant = np.array([v in ("up", "down") for v in verdicts], dtype=bool)
    # One new frame, not a column set at a time (each set costs pandas far more than the values).
    columns = {c: frame[c] for c in frame.columns} | added | {"verdict": verdicts, "significant": significant}
    return pd.DataFrame(columns, index=frame.index)


def _floats(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def _running(scope: Scope, fair: Fairness) -> bool:
    """The period had not ended by the data's cut-off."""
    return scope.period is not None and fair.as_of is not None and scope.period.bounds()[1] > fair.as_of


def _conversion_pick(by: str) -> Pick:
    return lambda value: ("" if value == TOTAL else value, CONVERTED)


def _reason_pick(value: str) -> tuple[str, str]:
    return "", LOST if value == TOTAL else REASON + value


def conversion_comparisons(
    table: Table, by: str, fair: Fairness, scope: Scope, method: Method
) -> dict[str, Comparison]:
    """The main table against each of its base periods, per row and in total."""
    out: dict[str, Comparison] = {}
    contract = C.compare_rows(by)
    same = once({name: period for name, (period, *_) in table.bases.items()})
    for name, (period, base_rows, base_total) in table.bases.items():
        if same[name] != name:  # the same days as an earlier base period: the same comparison
            out[name] = _renamed(out[same[name]], name, period)
            continue
        pick, early = _conversion_pick(by), _running(scope, fair)
        rows = judge(
            compare_rates(table.rows, base_rows, by, "converted", "leads"), by, name, fair, pick, method, early
        )
        current, before = pd.DataFrame([{by: TOTAL, **table.total}]), pd.DataFrame([{by: TOTAL, **base_total}])
        whole = judge(compare_rates(current, before, by, "converted", "leads"), by, name, fair, pick, method, early)
        total = {str(k): v for k, v in contract.conform(whole.rename(columns=CONVERSION_NAMES)).iloc[0].items()}
        out[name] = Comparison(name, period, contract.conform(rows.rename(columns=CONVERSION_NAMES)), total, fair.days)
    return out


def _renamed(comparison: Comparison, base: str, period: Period) -> Comparison:
    """``comparison`` again under another base period's name (one with the same days)."""
    return replace(comparison, base=base, period=period, rows=comparison.rows.copy(), total=dict(comparison.total))


def base_reasons(leads: Leads, scope: Scope) -> dict[str, tuple[Period, pd.DataFrame]]:
    """Each base period, and its lost leads per reason (columns reason, leads) and all its leads, from one query."""
    bases = base_periods(scope)
    if not bases:
        return {}
    t, within = scoped_periods(leads, scope, distinct(bases))
    counts = {name: tally(t, cond & t.is_lost) for name, cond in within.items()}
    counts |= {f"{name}__all": tally(t, cond) for name, cond in within.items()}
    wide = fetch(t.group_by("reason").aggregate(**counts))
    out = {}
    for name, period in bases.items():
        column = once(bases)[name]
        part = wide.loc[wide[column] > 0, ["reason", column]].rename(columns={column: "leads"})
        out[name] = (period, part.assign(all_leads=int(wide[f"{column}__all"].sum())))
    return out


def lost_comparisons(
    bases: dict[str, tuple[Period, pd.DataFrame]], reasons: pd.DataFrame, all_leads: int, fair: Fairness,
    scope: Scope, method: Method,
) -> dict[str, Comparison]:  # fmt: skip
    """Each reason's share of lost leads against a base period; the verdict on its incidence within H days."""
    current = reasons.assign(n=int(reasons["leads"].sum()))
    out: dict[str, Comparison] = {}
    same = once({name: period for name, (period, _) in bases.items()})
    for name, (period, base) in bases.items():
        if same[name] != name:  # the same days as an earlier base period: the same comparison
            out[name] = _renamed(out[same[name]], name, period)
            continue
        base = base.astype({"leads": "int64"}).assign(n=int(base["leads"].sum()))
        early = _running(scope, fair)
        rows = judge(compare_rates(current, base, "reason", "leads", "n"), "reason", name, fair, _reason_pick, method,
                     early)  # fmt: skip
        before_all = int(base["all_leads"].iloc[0]) if len(base) else 0
        whole = pd.DataFrame([{"reason": TOTAL, "x": int(current["leads"].sum()), "n": all_leads,
                               "base_x": int(base["leads"].sum()), "base_n": before_all}])  # fmt: skip
        whole["pct"], whole["base_pct"] = pct(whole["x"], whole["n"]), pct(whole["base_x"], whole["base_n"])
        whole["pp_change"] = whole["pct"] - whole["base_pct"]
        whole = judge(whole, "reason", name, fair, _reason_pick, method, early)
        total = _lost_total(whole.iloc[0])
        out[name] = Comparison(name, period, C.COMPARE_LOST.conform(rows.rename(columns=LOST_NAMES)), total, fair.days)
    return out


LOST_TOTAL = {"x": "leads", "base_x": "base_leads", "pct": "lost_pct", "base_pct": "base_lost_pct"}


def _lost_total(row: pd.Series) -> dict[str, Any]:
    """Lost leads in total: how many, their share of all leads, and the fair verdict on it."""
    total: dict[str, Any] = {"reason": TOTAL}
    total |= {LOST_TOTAL.get(str(k), str(k)): v for k, v in row.items() if k not in ("reason", "n", "base_n")}
    total["leads_change"] = int(row["x"]) - int(row["base_x"])
    return total
