"""The result contract: declared once, and every result frame keeps to it."""

from __future__ import annotations

import pandas as pd
import pytest

from leadkit.api import compute
from leadkit.results import contract as C
from leadkit.results.contract import Contract, ContractError

REPORTS = ("lead_conversion", "lost_leads", "employee_performance")


def frames_of(result) -> dict[str, pd.DataFrame]:
    names = ("rows", "reasons", "by_type", "by_manager", "days_open", "trend", "timing", "curve", "by_status",
             "funnel")  # fmt: skip
    found = {name: getattr(result, name) for name in names if hasattr(result, name)}
    found |= {f"comparison {k}": c.rows for k, c in result.comparisons.items()}
    return found


@pytest.mark.parametrize("report", REPORTS)
def test_every_result_frame_has_exactly_its_declared_columns(march, report):
    result = compute(report, march, period="2025-03")
    for name, frame in frames_of(result).items():
        assert all(str(c) in C.COLUMNS for c in frame.columns), name
    lists = {"lost_leads": C.LOST_LIST, "employee_performance": C.EMPLOYEE_LIST}
    if report in lists:
        assert tuple(result.leads.columns) == lists[report].names


def test_a_frame_that_breaks_its_contract_is_refused(march):
    result = compute("lead_conversion", march, period="2025-03")
    with pytest.raises(ContractError, match="columns"):
        type(result)(**{**result.__dict__, "rows": result.rows.drop(columns=["open"])})
    with pytest.raises(ContractError, match="undeclared"):
        Contract("x", ("lead_type", "typo_pct"))
    with pytest.raises(ContractError, match="missing"):
        C.TREND.conform(pd.DataFrame({"period": []}))


def test_empty_frames_carry_the_declared_columns_and_types():
    empty = C.CURVE.empty()
    assert list(empty.columns) == list(C.CURVE.names) and empty.empty
    assert str(empty["day"].dtype) == "Int64" and str(empty["won_cum_pct"].dtype) == "Float64"


def test_every_column_has_a_kind_and_a_header_in_both_languages():
    from leadkit.render.labels import COLUMNS

    for name, column in C.COLUMNS.items():
        assert column.kind and column.meaning
        assert name in COLUMNS["en"] and name in COLUMNS["ru"], name
