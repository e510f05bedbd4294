"""The result contract, declared once: every column a result frame may hold, and each frame's columns.

A column has one name, one kind (how it is typed and formatted) and one meaning wherever
it appears. Computations build frames with ``Contract.conform``; results check them on
construction; JSON, views, Excel, HTML and charts read column lists and kinds from
here — so a column cannot be renamed in one place and forgotten in five.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

Kind = Literal["text", "group", "date", "count", "pct", "points", "days", "p", "flag", "rank", "verdict", "period"]


class ContractError(Exception):
    """A computation produced a frame that breaks its declared contract (a bug, not bad data)."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    meaning: str


COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("lead_type", "text", "the lead's type; '(not set)' when missing"),
        Column("manager", "text", "the manager in charge; '(unassigned)' when missing"),
        Column("branch", "text", "the branch; '(not set)' when missing"),
        Column("reason", "text", "the loss reason: a Lost status's name, or '(no reason)'"),
        Column("status", "text", "the lead's status name"),
        Column("status_group", "group", "new, in_progress, pending, won or lost"),
        Column("lead_id", "text", "the lead's id in the source"),
        Column("client", "text", "the client's name"),
        Column("created_at", "date", "when the lead was created (the report's time zone)"),
        Column("closed_at", "date", "when the lead was closed"),
        Column("is_converted", "flag", "the lead converted (order, sale or Won status)"),
        Column("leads", "count", "leads in scope"),
        Column("converted", "count", "leads with an order or a sale, or in the Won group"),
        Column("orders", "count", "converted leads with an order"),
        Column("sales", "count", "converted leads with a sale"),
        Column("won", "count", "leads in the Won group"),
        Column("lost", "count", "leads in the Lost group"),
        Column("open", "count", "leads still open (New, In progress, Pending)"),
        Column("conversion_pct", "pct", "converted ÷ leads × 100"),
        Column("closed_conversion_pct", "pct", "won ÷ (won + lost) × 100"),
        Column("ci_low_pct", "pct", "lower bound of the Wilson interval of conversion %"),
        Column("ci_high_pct", "pct", "upper bound of the Wilson interval of conversion %"),
        Column("share_pct", "pct", "lost leads with the reason ÷ all lost leads × 100"),
        Column("lost_pct", "pct", "lost leads (with the reason) ÷ all leads of the period × 100"),
        Column("base_lost_pct", "pct", "lost leads ÷ all leads of the base period × 100"),
        Column("cum_share_pct", "pct", "cumulative share of named reasons (Pareto line); null for '(no reason)'"),
        Column("base_leads", "count", "the same count in the base period"),
        Column("base_converted", "count", "converted in the base period"),
        Column("base_conversion_pct", "pct", "conversion % in the base period"),
        Column("base_lost", "count", "lost leads in the base period"),
        Column("base_share_pct", "pct", "the reason's share of lost leads in the base period"),
        Column("pp_change", "points", "current minus base, in percentage points"),
        Column("p_value", "p", "two-sided p-value of the fair change (rows: Holm-adjusted)"),
        Column("significant", "flag", "the verdict is up or down: the fair change is beyond chance"),
        Column("horizon_pct", "pct", "share of the period's leads with the outcome within H days of creation"),
        Column("base_horizon_pct", "pct", "the same share in the base period"),
        Column("fair_change_pp", "points", "horizon % minus base horizon %: the change the verdict is on"),
        Column("followed_pct", "pct", "share of the period's leads followed H days (or closed before)"),
        Column("base_followed_pct", "pct", "the same share in the base period"),
        Column("verdict", "verdict", "up, down, no_change, too_early, too_few or no_base"),
        Column("maturing", "flag", "some of the period's leads were younger than H days at the data's cut-off"),
        Column("leads_change", "count", "current minus base, in leads"),
        Column("period", "period", "the label of a trend period (month or ISO week)"),
        Column("median_days", "days", "median days from creation to close"),
        Column("p75_days", "days", "75th percentile of days from creation to close"),
        Column("p90_days", "days", "90th percentile of days from creation to close"),
        Column("day", "count", "days since creation"),
        Column("at_risk", "count", "leads still open at the start of the day"),
        Column("censored", "count", "leads still open when last seen (not yet closed)"),
        Column("won_cum_pct", "pct", "cumulative conversion by that day (Aalen–Johansen)"),
        Column("lost_cum_pct", "pct", "cumulative loss by that day (Aalen–Johansen)"),
        Column("few_leads", "flag", "fewer leads than the method's minimum: flagged, not ranked"),
        Column("rank_by_lower_bound", "rank", "rank by the interval's lower bound, among managers with enough leads"),
        Column("expected_pct", "pct", "the team's conversion on the manager's mix of lead types"),
        Column("mix_diff_pp", "points", "conversion % minus expected %, in points"),
        Column("limit_low_pct", "pct", "lower funnel limit: team rate − z standard errors at this many leads"),
        Column("limit_high_pct", "pct", "upper funnel limit: team rate + z standard errors at this many leads"),
        Column("vs_team", "verdict", "'above' or 'below' the control limits, else empty"),
    )
}

COUNTS = ("leads", "converted", "orders", "sales", "won", "lost", "open")
RATES = ("conversion_pct", "closed_conversion_pct", "ci_low_pct", "ci_high_pct")
JUDGEMENT = ("few_leads", "rank_by_lower_bound", "expected_pct", "mix_diff_pp", "limit_low_pct", "limit_high_pct",
             "vs_team")  # fmt: skip
INTEGER_KINDS = ("count", "rank")


@dataclass(frozen=True)
class Contract:
    """The columns of one result frame, in order."""

    name: str
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = [n for n in self.names if n not in COLUMNS]
        if unknown:
            raise ContractError(f"contract {self.name}: undeclared column(s) {unknown}")

    @property
    def key(self) -> str:
        return self.names[0]

    def empty(self) -> pd.DataFrame:
        return pd.DataFrame({name: pd.Series(dtype=_dtype(name)) for name in self.names})

    def conform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame``'s contract columns in contract order (extra columns dropped); a missing one is a bug."""
        missing = [n for n in self.names if n not in frame.columns]
        if missing:
            raise ContractError(f"{self.name}: column(s) {missing} missing from {list(frame.columns)}")
        if tuple(frame.columns) != self.names:  # take by position: several times quicker than .loc by names
            frame = frame.take(frame.columns.get_indexer(pd.Index(self.names)), axis=1)
        return frame.reset_index(drop=True)

    def check(self, frame: pd.DataFrame) -> None:
        if tuple(str(c) for c in frame.columns) != self.names:
            raise ContractError(f"{self.name}: columns {list(frame.columns)}, declared {list(self.names)}")


def _dtype(name: str) -> str:
    kind = COLUMNS[name].kind
    if kind in INTEGER_KINDS:
        return "Int64"
    if kind == "flag":
        return "boolean"
    if kind == "date":
        return "datetime64[us]"
    return "Float64" if kind in ("pct", "points", "days", "p") else "object"


def kind_of(name: str) -> Kind | None:
    """How a column is formatted; None for a column no contract declares (e.g. a pivot's values)."""
    column = COLUMNS.get(name)
    return column.kind if column else None


def rows(key: str) -> Contract:
    """A conversion table grouped by ``key``."""
    return Contract(f"conversion by {key}", (key, *COUNTS, *RATES))


FAIR = ("horizon_pct", "base_horizon_pct", "fair_change_pp", "followed_pct", "base_followed_pct", "p_value",
        "significant", "verdict")  # fmt: skip


def compare_rows(key: str) -> Contract:
    return Contract(f"comparison by {key}", (key, "leads", "converted", "conversion_pct", "base_leads",
                                             "base_converted", "base_conversion_pct", "pp_change", *FAIR))  # fmt: skip


def timing(key: str) -> Contract:
    return Contract(f"days by {key}", (key, "leads", "median_days", "p75_days", "p90_days"))


def reasons_by(column: str) -> Contract:
    return Contract(f"reasons by {column}", (column, "reason", "leads"))


MANAGERS = Contract("managers", (*rows("manager").names, *JUDGEMENT))
TOTAL = Contract("total", (*COUNTS, *RATES))
COMPARE_LOST = Contract("comparison of reasons", ("reason", "leads", "lost", "share_pct", "base_leads", "base_lost",
                                                  "base_share_pct", "pp_change", *FAIR))  # fmt: skip
TREND = Contract("trend", ("period", "lead_type", "leads", "converted", "conversion_pct", "ci_low_pct", "ci_high_pct",
                           "open", "maturing"))  # fmt: skip
LOST_TREND = Contract("lost trend", ("period", "reason", "lost", "leads", "lost_pct", "maturing"))
CURVE = Contract("curve", ("day", "at_risk", "won", "lost", "censored", "won_cum_pct", "lost_cum_pct"))
REASONS = Contract("reasons", ("reason", "leads", "share_pct", "cum_share_pct"))
BY_STATUS = Contract("by status", ("manager", "status", "status_group", "leads"))
FUNNEL = Contract("funnel limits", ("leads", "limit_low_pct", "limit_high_pct"))
LOST_LIST = Contract("lost leads", ("lead_id", "created_at", "closed_at", "lead_type", "reason", "manager", "client"))
EMPLOYEE_LIST = Contract("manager's leads", ("manager", "lead_id", "created_at", "closed_at", "lead_type", "status",
                                             "status_group", "is_converted", "client"))  # fmt: skip
