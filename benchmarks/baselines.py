"""The two baselines leadkit's reports are measured against, computing the same figures.

* ``SqlBaseline``: hand-written DuckDB SQL over an in-memory table whose text columns
  are ENUMs and whose per-lead flags are columns (the floor: the same engine, with the
  queries a careful person would write, folded with GROUPING SETS and FILTER).
* ``PandasBaseline``: idiomatic pandas over a frame with categorical columns.

Both compute, per report, what leadkit computes from the database: the data-quality
counts, the main table with the previous-period and year-earlier counts, the 12-month
trend, the days-to-convert quantiles, the conversion-curve events, the lost reasons by
type and by manager, the statuses and lead-type mix per manager. Rates and Wilson
intervals (arithmetic on a few rows) are left to leadkit alone. ``key_figures`` gives
the numbers the benchmark checks against leadkit's before it reports any time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

ENUMS = ("lead_type", "status", "status_group", "manager", "branch", "ad_campaign", "client", "status_result")
OPEN = ("new", "in_progress", "pending")


@dataclass(frozen=True)
class Window:
    """One year and the year before it (both the previous period and a year earlier)."""

    lo: datetime
    hi: datetime
    base_lo: datetime
    base_hi: datetime


def year_window(year: int) -> Window:
    return Window(datetime(year, 1, 1), datetime(year + 1, 1, 1), datetime(year - 1, 1, 1), datetime(year, 1, 1))


FLAGS_SQL = """
    coalesce(status_group = 'won', false) AS is_won,
    coalesce(status_group = 'lost', false) AS is_lost,
    coalesce(status_group IN ('new', 'in_progress', 'pending'), false) AS is_open,
    order_id IS NOT NULL OR coalesce(status_group = 'won' AND order_id IS NULL AND sale_id IS NULL
                                     AND status_result = 'order', false) AS has_order,
    sale_id IS NOT NULL OR coalesce(status_group = 'won' AND order_id IS NULL AND sale_id IS NULL
                                    AND status_result = 'sale', false) AS has_sale,
    CASE WHEN status IS NULL OR lower(trim(status)) IN ({no_reason}) THEN '(no reason)' ELSE trim(status) END
        AS reason
"""


class Baseline:
    """The lead-conversion report is the same composition of parts in both baselines."""

    SHARED = ("_quality", "_trend", "_curve")  # the parts two or three reports ask of the same window

    @contextmanager
    def sharing(self) -> Iterator[None]:
        """Within, each shared part is computed once per window, as leadkit's ``compute_many`` shares them.

        What a careful person computing the three reports together would do; without it the
        baseline would ask the data-quality counts and the trend three times, the curve twice.
        """
        memo: dict[tuple[str, tuple[Any, ...]], Any] = {}
        for name in self.SHARED:
            method = getattr(self, name)

            def once(*args: Any, _name: str = name, _method: Any = method) -> Any:
                if (_name, args) not in memo:
                    memo[(_name, args)] = _method(*args)
                return memo[(_name, args)]

            setattr(self, name, once)
        try:
            yield
        finally:
            for name in self.SHARED:
                delattr(self, name)

    def _quality(self, w: Window) -> Any: ...
    def _by(self, key: str, w: Window) -> Any: ...
    def _trend(self, w: Window) -> Any: ...
    def _quantiles(self, key: str, flag: str, w: Window) -> Any: ...
    def _curve(self, w: Window) -> Any: ...

    def lead_conversion(self, w: Window) -> dict[str, Any]:
        return {
            "quality": self._quality(w),
            "rows": self._by("lead_type", w),
            "trend": self._trend(w),
            "timing": self._quantiles("lead_type", "is_won", w),
            "curve": self._curve(w),
        }


class SqlBaseline(Baseline):
    """``direct``: the same queries over a view of the Parquet file, nothing loaded (what a person runs once)."""

    def __init__(self, path: str, no_reason: tuple[str, ...], direct: bool = False) -> None:
        self.con = duckdb.connect()
        generic = ", ".join("'" + s.lower().replace("'", "''") + "'" for s in (*no_reason, "(not set)", ""))
        if direct:
            flags = FLAGS_SQL.format(no_reason=generic)
            self.con.execute(
                "CREATE VIEW leads AS SELECT *, has_order OR has_sale OR is_won OR coalesce(converted, false) "
                f"AS is_converted FROM (SELECT *, {flags} FROM read_parquet('{path}'))"
            )
            return
        for col in ENUMS:
            self.con.execute(
                f"CREATE TYPE t_{col} AS ENUM "
                f"(SELECT DISTINCT {col} FROM read_parquet('{path}') WHERE {col} IS NOT NULL ORDER BY 1)"
            )
        flags = FLAGS_SQL.format(no_reason=generic)
        self.con.execute(
            f"CREATE TYPE t_reason AS ENUM "
            f"(SELECT DISTINCT reason FROM (SELECT {flags} FROM read_parquet('{path}')) ORDER BY 1)"
        )
        casts = ", ".join(f"{c}::t_{c} AS {c}" for c in ENUMS)
        self.con.execute(
            f"CREATE TABLE raw AS SELECT lead_id, created_at, closed_at, {casts}, order_id, sale_id, converted "
            f"FROM read_parquet('{path}')"
        )
        self.con.execute(
            "CREATE TABLE leads AS SELECT *, has_order OR has_sale OR is_won OR coalesce(converted, false) "
            f"AS is_converted FROM (SELECT raw.*, {flags} FROM raw)"
        )
        self.con.execute("ALTER TABLE leads ALTER reason TYPE t_reason")
        self.con.execute("DROP TABLE raw")

    def _df(self, sql: str, **params: Any) -> pd.DataFrame:
        return self.con.sql(sql, params=params).to_arrow_table().to_pandas()

    def _quality(self, w: Window) -> pd.DataFrame:
        return self._df(
            """
            SELECT count(*) AS rows,
              count(*) FILTER (created_at IS NULL AND NOT is_open) AS no_date,
              count(*) FILTER (created_at IS NULL AND is_open) AS no_date_open,
              count(*) FILTER (created_at IS NOT NULL AND NOT cur) AS outside_period,
              count(*) FILTER (cur) AS in_scope,
              count(*) FILTER (cur AND lead_type = '(not set)') AS no_lead_type,
              count(*) FILTER (cur AND manager = '(unassigned)') AS unassigned,
              count(*) FILTER (cur AND branch = '(not set)') AS no_branch,
              count(*) FILTER (cur AND is_lost AND reason = '(no reason)') AS lost_without_reason,
              count(*) FILTER (cur AND is_won AND order_id IS NULL AND sale_id IS NULL AND status_result IS NOT NULL)
                AS won_placed_by_status,
              count(*) FILTER (cur AND is_won AND order_id IS NULL AND sale_id IS NULL AND status_result IS NULL)
                AS won_without_order_or_sale,
              count(*) FILTER (cur AND (is_won OR is_lost) AND closed_at IS NULL) AS closed_without_close_date,
              count(*) FILTER (cur AND closed_at < created_at) AS closed_before_created
            FROM (SELECT *, coalesce(created_at >= $lo AND created_at < $hi, false) AS cur FROM leads)
            """,
            lo=w.lo,
            hi=w.hi,
        )

    def _by(self, key: str, w: Window) -> pd.DataFrame:
        """Counts per ``key`` and in total (key NULL), this year and the year before."""
        metrics = []
        for prefix, cond in (("", "cur"), ("base_", "NOT cur")):
            metrics += [
                f"count(*) FILTER ({cond}) AS {prefix}leads",
                f"count(*) FILTER ({cond} AND is_converted) AS {prefix}converted",
                f"count(*) FILTER ({cond} AND has_order) AS {prefix}orders",
                f"count(*) FILTER ({cond} AND has_sale) AS {prefix}sales",
                f"count(*) FILTER ({cond} AND is_won) AS {prefix}won",
                f"count(*) FILTER ({cond} AND is_lost) AS {prefix}lost",
                f"count(*) FILTER ({cond} AND is_open) AS {prefix}open",
            ]
        return self._df(
            f"SELECT {key}, {', '.join(metrics)} FROM "
            f"(SELECT *, created_at >= $lo AS cur FROM leads WHERE created_at >= $base_lo AND created_at < $hi) "
            f"GROUP BY GROUPING SETS (({key}), ())",
            lo=w.lo,
            hi=w.hi,
            base_lo=w.base_lo,
        )

    def _trend(self, w: Window) -> pd.DataFrame:
        return self._df(
            """
            SELECT date_trunc('month', created_at) AS month, lead_type, count(*) AS leads,
              count(*) FILTER (is_converted) AS converted, count(*) FILTER (has_order) AS orders,
              count(*) FILTER (has_sale) AS sales, count(*) FILTER (is_won) AS won,
              count(*) FILTER (is_lost) AS lost, count(*) FILTER (is_open) AS open
            FROM leads WHERE created_at >= $lo AND created_at < $hi
            GROUP BY GROUPING SETS ((month, lead_type), (month))
            """,
            lo=w.lo,
            hi=w.hi,
        )

    def _quantiles(self, key: str, flag: str, w: Window) -> pd.DataFrame:
        return self._df(
            f"""
            SELECT {key}, count(*) AS leads, quantile_cont(days, 0.5) AS median_days,
              quantile_cont(days, 0.75) AS p75_days, quantile_cont(days, 0.9) AS p90_days
            FROM (SELECT {key}, (epoch(date_trunc('second', closed_at)) - epoch(date_trunc('second', created_at)))
                    / 86400.0 AS days
                  FROM leads WHERE created_at >= $lo AND created_at < $hi AND {flag} AND closed_at >= created_at)
            GROUP BY GROUPING SETS (({key}), ())
            """,
            lo=w.lo,
            hi=w.hi,
        )

    def _curve(self, w: Window) -> pd.DataFrame:
        return self._df(
            """
            SELECT day, count(*) FILTER (closed_in AND is_won) AS won, count(*) FILTER (closed_in AND is_lost) AS lost,
              count(*) FILTER (NOT (closed_in AND (is_won OR is_lost))) AS censored
            FROM (SELECT is_won, is_lost, closed_in, floor((epoch(date_trunc('second', stop))
                    - epoch(date_trunc('second', created_at))) / 86400.0)::BIGINT AS day
                  FROM (SELECT *, coalesce(closed_at <= $hi, false) AS closed_in,
                          CASE WHEN coalesce(closed_at <= $hi, false) THEN closed_at ELSE $hi END AS stop
                        FROM leads
                        WHERE created_at >= $lo AND created_at < $hi
                          AND NOT ((is_won OR is_lost) AND closed_at IS NULL)))
            WHERE day >= 0 GROUP BY day ORDER BY day
            """,
            lo=w.lo,
            hi=w.hi,
        )

    def lost_leads(self, w: Window) -> dict[str, pd.DataFrame]:
        reasons = self._df(
            """
            SELECT lead_type, manager, reason, count(*) FILTER (cur) AS leads, count(*) FILTER (NOT cur) AS base_leads
            FROM (SELECT *, created_at >= $lo AS cur FROM leads
                  WHERE is_lost AND created_at >= $base_lo AND created_at < $hi)
            GROUP BY GROUPING SETS ((lead_type, reason), (manager, reason), (reason))
            """,
            lo=w.lo,
            hi=w.hi,
            base_lo=w.base_lo,
        )
        return {
            "quality": self._quality(w),
            "reasons": reasons,
            "days_open": self._quantiles("reason", "is_lost", w),
            "trend": self._trend(w),
        }

    def employee_performance(self, w: Window) -> dict[str, pd.DataFrame]:
        detail = self._df(
            """
            SELECT manager, status, status_group, lead_type, count(*) AS leads,
              count(*) FILTER (is_converted) AS converted
            FROM leads WHERE created_at >= $lo AND created_at < $hi
            GROUP BY GROUPING SETS ((manager, status, status_group), (manager, lead_type))
            """,
            lo=w.lo,
            hi=w.hi,
        )
        return {
            "quality": self._quality(w),
            "rows": self._by("manager", w),
            "detail": detail,
            "trend": self._trend(w),
            "timing": self._quantiles("manager", "is_won", w),
            "curve": self._curve(w),
        }


class PandasBaseline(Baseline):
    def __init__(self, path: str, no_reason: tuple[str, ...]) -> None:
        df = pd.read_parquet(path)
        for col in ENUMS:
            df[col] = df[col].astype("category")
        group = df["status_group"]
        df["is_won"] = (group == "won").to_numpy()
        df["is_lost"] = (group == "lost").to_numpy()
        df["is_open"] = group.isin(OPEN).to_numpy()
        placed = df["is_won"] & df["order_id"].isna() & df["sale_id"].isna()
        df["has_order"] = df["order_id"].notna() | (placed & (df["status_result"] == "order"))
        df["has_sale"] = df["sale_id"].notna() | (placed & (df["status_result"] == "sale"))
        df["is_converted"] = df["has_order"] | df["has_sale"] | df["is_won"] | df["converted"].fillna(False)
        generic = {s.lower() for s in (*no_reason, "(not set)", "")}
        names = pd.Series(df["status"].cat.categories)
        vague = names.str.strip().str.lower().isin(generic)
        reason = dict(zip(names, np.where(vague, "(no reason)", names.str.strip()), strict=True))
        df["reason"] = df["status"].map(reason).astype("string").fillna("(no reason)").astype("category")
        self.df = df

    def _in(self, lo: datetime, hi: datetime) -> pd.DataFrame:
        created = self.df["created_at"]
        return self.df[(created >= lo) & (created < hi)]

    def _quality(self, w: Window) -> dict[str, int]:
        d = self.df
        cur = (d["created_at"] >= w.lo) & (d["created_at"] < w.hi)
        no_date = d["created_at"].isna()
        no_ids = d["is_won"] & d["order_id"].isna() & d["sale_id"].isna()
        return {
            "rows": len(d),
            "no_date": int((no_date & ~d["is_open"]).sum()),
            "no_date_open": int((no_date & d["is_open"]).sum()),
            "outside_period": int((~no_date & ~cur).sum()),
            "in_scope": int(cur.sum()),
            "no_lead_type": int((cur & (d["lead_type"] == "(not set)")).sum()),
            "unassigned": int((cur & (d["manager"] == "(unassigned)")).sum()),
            "no_branch": int((cur & (d["branch"] == "(not set)")).sum()),
            "lost_without_reason": int((cur & d["is_lost"] & (d["reason"] == "(no reason)")).sum()),
            "won_placed_by_status": int((cur & no_ids & d["status_result"].notna()).sum()),
            "won_without_order_or_sale": int((cur & no_ids & d["status_result"].isna()).sum()),
            "closed_without_close_date": int((cur & (d["is_won"] | d["is_lost"]) & d["closed_at"].isna()).sum()),
            "closed_before_created": int((cur & (d["closed_at"] < d["created_at"])).sum()),
        }

    @staticmethod
    def _counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        flags = ["is_converted", "has_order", "has_sale", "is_won", "is_lost", "is_open"]
        grouped = frame.groupby(by, observed=True)
        out = grouped[flags].sum()
        out.insert(0, "leads", grouped.size())
        return out.rename(columns={"is_converted": "converted", "has_order": "orders", "has_sale": "sales",
                                   "is_won": "won", "is_lost": "lost", "is_open": "open"})  # fmt: skip

    def _by(self, key: str, w: Window) -> pd.DataFrame:
        now, base = self._in(w.lo, w.hi), self._in(w.base_lo, w.base_hi)
        rows = self._counts(now, [key]).join(self._counts(base, [key]).add_prefix("base_"), how="outer")
        return pd.concat([rows, rows.sum().to_frame().T])

    def _trend(self, w: Window) -> pd.DataFrame:
        frame = self._in(w.lo, w.hi)
        frame = frame.assign(month=frame["created_at"].dt.to_period("M"))
        by_type = self._counts(frame, ["month", "lead_type"])
        return pd.concat([by_type, self._counts(frame, ["month"])])

    @staticmethod
    def _days(stop: pd.Series, start: pd.Series) -> pd.Series:
        return (stop.dt.floor("s") - start.dt.floor("s")).dt.total_seconds() / 86400.0

    def _quantiles(self, key: str, flag: str, w: Window) -> pd.DataFrame:
        frame = self._in(w.lo, w.hi)
        done = frame[frame[flag] & (frame["closed_at"] >= frame["created_at"])]
        days = self._days(done["closed_at"], done["created_at"]).rename("days")
        grouped = days.groupby(done[key], observed=True)
        rows = grouped.quantile([0.5, 0.75, 0.9]).unstack().assign(leads=grouped.size())
        total = days.quantile([0.5, 0.75, 0.9]).to_frame().T.assign(leads=len(days))
        return pd.concat([rows, total])

    def _curve(self, w: Window) -> pd.DataFrame:
        frame = self._in(w.lo, w.hi)
        closed = frame["is_won"] | frame["is_lost"]
        frame = frame[~(closed & frame["closed_at"].isna())]
        closed_in = (frame["closed_at"] <= w.hi).fillna(False)
        stop = frame["closed_at"].where(closed_in, pd.Timestamp(w.hi))
        day = np.floor(self._days(stop, frame["created_at"])).astype("int64")
        events = pd.DataFrame(
            {
                "day": day,
                "won": closed_in & frame["is_won"],
                "lost": closed_in & frame["is_lost"],
                "censored": ~(closed_in & (frame["is_won"] | frame["is_lost"])),
            }
        )
        return events[events["day"] >= 0].groupby("day")[["won", "lost", "censored"]].sum()

    def lost_leads(self, w: Window) -> dict[str, Any]:
        now, base = self._in(w.lo, w.hi), self._in(w.base_lo, w.base_hi)
        lost, base_lost = now[now["is_lost"]], base[base["is_lost"]]
        return {
            "quality": self._quality(w),
            "by_type": lost.groupby(["lead_type", "reason"], observed=True).size(),
            "by_manager": lost.groupby(["manager", "reason"], observed=True).size(),
            "reasons": lost.groupby("reason", observed=True).size(),
            "base_reasons": base_lost.groupby("reason", observed=True).size(),
            "days_open": self._quantiles("reason", "is_lost", w),
            "trend": self._trend(w),
        }

    def employee_performance(self, w: Window) -> dict[str, Any]:
        now = self._in(w.lo, w.hi)
        return {
            "quality": self._quality(w),
            "rows": self._by("manager", w),
            "by_status": now.groupby(["manager", "status", "status_group"], observed=True).size(),
            "mix": now.groupby(["manager", "lead_type"], observed=True)["is_converted"].agg(["size", "sum"]),
            "trend": self._trend(w),
            "timing": self._quantiles("manager", "is_won", w),
            "curve": self._curve(w),
        }


def key_figures(name: str, out: dict[str, Any]) -> dict[str, int]:
    """Leads per lead type, lost per reason and leads per manager: what must equal leadkit's."""
    if name == "lead_conversion":
        rows = out["rows"]
        if "lead_type" in rows.columns:  # SQL: the total is the row whose key is NULL
            rows = rows.dropna(subset=["lead_type"]).set_index("lead_type")
        else:
            rows = rows.iloc[:-1]
        return {str(k): int(v) for k, v in rows["leads"].items() if v}
    if name == "lost_leads":
        if "reasons" in out and isinstance(out["reasons"], pd.DataFrame):
            r = out["reasons"]
            r = r[r["lead_type"].isna() & r["manager"].isna()].set_index("reason")["leads"]
        else:
            r = out["reasons"]
        return {str(k): int(v) for k, v in r.items() if v}
    rows = out["rows"]
    rows = rows.dropna(subset=["manager"]).set_index("manager") if "manager" in rows.columns else rows.iloc[:-1]
    return {str(k): int(v) for k, v in rows["leads"].items() if v}
