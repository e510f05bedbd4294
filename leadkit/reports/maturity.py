"""Cohorts at the same age: conversion within H days of creation, so young leads are not judged as bad ones.

A lead needs time to reach an outcome; measured at the data's cut-off, a recent period
shows more open leads and a lower conversion even when nothing changed. Periods are
therefore compared on the cumulative incidence of an outcome within H days of creation
(Aalen–Johansen, by the hour): a lead still open at the cut-off counts only while it was
followed, the other outcomes compete, and each estimate has a variance for the test. A
period is judged only when enough of its leads were followed for the whole H days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.method import Method
from leadkit.periods import Period
from leadkit.reports.measures import tally
from leadkit.reports.selection import within
from leadkit.reports.stats import Incidence
from leadkit.scope import Scope

CONVERTED, LOST, CENSORED = "converted", "lost", "censored"
REASON = "reason:"  # outcomes by loss reason are "reason:<reason>"
HOURS_A_DAY = 24


def as_of_metrics(leads: Leads) -> dict[str, ir.Value]:
    """The aggregates the data's cut-off is read from: the latest creation and close time."""
    t = leads.table
    return {f"last_{c}": t[c].max() for c in ("created_at", "closed_at") if c in leads.dated}


def as_of_from(row: pd.Series) -> datetime | None:
    """The data's cut-off from the values of ``as_of_metrics``: a second after the latest time (None without)."""
    found = [pd.Timestamp(row[k]) for k in ("last_created_at", "last_closed_at") if k in row and not pd.isna(row[k])]
    return max(found).to_pydatetime() + timedelta(seconds=1) if found else None


def data_as_of(leads: Leads) -> datetime | None:
    """The data's cut-off: its latest creation or close time (None without dates)."""
    stamps = as_of_metrics(leads)
    return as_of_from(fetch(leads.table.aggregate(**stamps)).iloc[0]) if stamps else None


def _has_horizon(leads: Leads, scope: Scope) -> bool:
    return scope.basis != "closed" and {"created_at", "closed_at"} <= set(leads.dated)


def horizon_metrics(leads: Leads, scope: Scope, method: Method) -> dict[str, ir.Value]:
    """The aggregate H is derived from: the ``horizon_share`` quantile of closed leads' seconds to close."""
    if not _has_horizon(leads, scope) or method.horizon_days is not None:
        return {}
    t = leads.table
    done = t.created_at.notnull() & t.closed_at.notnull() & (t.closed_at >= t.created_at)
    seconds = t.closed_at.epoch_seconds() - t.created_at.epoch_seconds()
    return {"closing_seconds": seconds.quantile(method.horizon_share, where=done)}


def horizon_from(row: pd.Series, leads: Leads, scope: Scope, method: Method) -> int | None:
    """H: the method's, or the days by which ``horizon_share`` of the data's closed leads had closed.

    Never more than half the period, so that a period that has just ended can be judged on
    its first half. None where a horizon means nothing: basis ``closed`` (every lead in scope
    has closed) or a source without creation and close dates. ``row`` holds the values of
    ``horizon_metrics``.
    """
    if not _has_horizon(leads, scope):
        return None
    if method.horizon_days is not None:
        return method.horizon_days
    found = row["closing_seconds"]
    if pd.isna(found):
        return None
    days = max(1, math.ceil(float(found) / 86400))
    if scope.period is not None:
        days = min(days, max(1, scope.period.days // 2))
    return days


def outcome_events(
    t: ir.Table, periods: dict[str, Period], as_of: datetime, days: int, key: str | None, by_reason: bool = False
) -> pd.DataFrame:
    """Per hour since creation (up to H days) and outcome: how many leads of each period ended so.

    Columns: ``key`` (when given), ``hour``, ``outcome`` (converted, lost — or the loss
    reason with ``by_reason`` — or censored) and one count column per period name. A lead
    still open at the cut-off, or whose outcome came after H days, is censored; a converted
    lead without a close date converted by the cut-off; a lost lead without a close date
    cannot be placed in time and is left out (the data-quality section counts it).
    """
    end, limit = ibis.literal(as_of), days * HOURS_A_DAY
    lost_as = ibis.literal(REASON) + t.reason.cast("string") if by_reason else ibis.literal(LOST)
    stop = ibis.cases((t.is_converted, t.closed_at.fill_null(end)), (t.is_lost, t.closed_at), else_=end)
    outcome = ibis.cases((t.is_converted, ibis.literal(CONVERTED)), (t.is_lost, lost_as), else_=ibis.literal(CENSORED))
    # The stop as a column, computed once per lead: written out, DuckDB evaluated it three times.
    ended = t.mutate(stop=stop, outcome=outcome)
    ended = ended.filter(ended.created_at.notnull() & ended.stop.notnull() & (ended.stop >= ended.created_at))
    hours = ((ended.stop.epoch_seconds() - ended.created_at.epoch_seconds()) / 3600).floor().cast("int64")
    late = hours >= limit
    usable = ended.mutate(
        hour=ibis.ifelse(late, limit, hours), outcome=ibis.ifelse(late, ibis.literal(CENSORED), ended.outcome)
    )
    groups = [key, "hour", "outcome"] if key else ["hour", "outcome"]
    counts = {name: tally(usable, within(usable, "created_at", p).fill_null(False)) for name, p in periods.items()}
    return fetch(usable.group_by(groups).aggregate(**counts))


@dataclass(frozen=True)
class Estimate:
    """One cohort's incidence within H days: each outcome's share (0..1) and variance, and how well it was followed."""

    leads: int
    followed: int  # leads followed the whole H days (or that reached an outcome before)
    share: dict[str, float]
    variance: dict[str, float]

    @property
    def followed_share(self) -> float:
        return self.followed / self.leads if self.leads else 0.0


def _matrix(hours: np.ndarray, outcomes: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
    """One cohort's counts as hours × outcomes: the hours, the outcome names and the matrix."""
    keep = counts > 0
    times, at_time = np.unique(hours[keep], return_inverse=True)
    names, of_outcome = np.unique(outcomes[keep], return_inverse=True)
    matrix = np.zeros((len(times), len(names)))
    np.add.at(matrix, (at_time, of_outcome), counts[keep])
    return times, [str(n) for n in names], matrix


def estimate(events: pd.DataFrame, period: str, days: int) -> Estimate:
    """The Aalen–Johansen incidence of every outcome within ``days``, from one period's column of ``events``."""
    hours, outcomes = events["hour"].to_numpy(), events["outcome"].astype(str).to_numpy()
    return _estimate(hours, outcomes, events[period].to_numpy(dtype="float64"), days)


def _estimate(hours: np.ndarray, outcomes: np.ndarray, counts: np.ndarray, days: int) -> Estimate:
    """``estimate`` on plain arrays (one row per hour and outcome): no pandas, so thousands of groups stay quick."""
    times, names, matrix = _matrix(hours, outcomes, counts)
    limit = days * HOURS_A_DAY
    censored = matrix[:, names.index(CENSORED)] if CENSORED in names else np.zeros(len(times))
    causes = {name: matrix[:, i] for i, name in enumerate(names) if name != CENSORED}
    all_events = sum(causes.values(), np.zeros(len(times)))
    if LOST not in causes and any(name != CONVERTED for name in causes):  # by loss reason: all losses too
        causes[LOST] = all_events - causes.get(CONVERTED, 0.0)
    leads = int(matrix.sum())
    if leads == 0:
        return Estimate(0, 0, dict.fromkeys(causes, 0.0), dict.fromkeys(causes, 0.0))
    share, variance = {}, {}
    for cause, cause_counts in causes.items():  # each cause against all the others: the same all-cause survival
        curve = Incidence.estimate(times, np.column_stack([cause_counts, all_events - cause_counts]), censored)
        share[cause], variance[cause] = curve.at(limit - 1, 0)
    early = int(censored[times < limit].sum())
    return Estimate(leads=leads, followed=leads - early, share=share, variance=variance)


def estimates(events: pd.DataFrame, periods: list[str], days: int, key: str | None) -> dict[tuple[str, str], Estimate]:
    """(group, period) → Estimate for every group of ``key`` (and ``""`` for all leads together).

    The groups are cut from one set of arrays (not one pandas group each): 20,000 managers
    take seconds, not minutes (benchmarks/many_groups.py).
    """
    out: dict[tuple[str, str], Estimate] = {}
    hours, outcomes = events["hour"].to_numpy(), events["outcome"].astype(str).to_numpy()
    counts = {period: events[period].to_numpy(dtype="float64") for period in periods}
    for period in periods:  # all groups together: _estimate adds up the rows of each hour and outcome
        out["", period] = _estimate(hours, outcomes, counts[period], days)
    if not key:
        return out
    codes, names = pd.factorize(events[key], sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    hours, outcomes = hours[order], outcomes[order]
    for period in periods:
        ordered = counts[period][order]
        for g, name in enumerate(names):
            part = slice(bounds[g], bounds[g + 1])
            out[str(name), period] = _estimate(hours[part], outcomes[part], ordered[part], days)
    return out


def maturing(bucket_end: pd.Series, as_of: datetime | None, days: int | None) -> pd.Series:
    """True for periods ending less than H days before the cut-off: some of their leads are still young."""
    if as_of is None or days is None:
        return pd.Series(False, index=bucket_end.index)
    last_day = pd.to_datetime(bucket_end) + pd.Timedelta(days=1)
    return pd.Series(np.asarray(last_day + pd.Timedelta(days=days) > pd.Timestamp(as_of)), index=bucket_end.index)
