import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadkit.method import DEFAULT
from leadkit.reports.stats import holm, pct, wilson


def one(x, n):
    low, high = wilson(pd.Series([x]), pd.Series([n]), DEFAULT.z)
    return low.iloc[0], high.iloc[0]


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [(0, 10, 0.0, 27.75), (5, 10, 23.66, 76.34), (10, 10, 72.25, 100.0), (1, 1, 20.65, 100.0), (45, 100, 35.62, 54.76)],
)
def test_wilson_against_hand_computed_values(x, n, low, high):
    got = one(x, n)
    assert got[0] == pytest.approx(low, abs=0.01) and got[1] == pytest.approx(high, abs=0.01)


def test_no_trials_gives_no_interval_and_no_rate():
    assert all(pd.isna(v) for v in one(0, 0))
    assert pd.isna(pct(pd.Series([0]), pd.Series([0])).iloc[0])


@given(st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_contains_the_rate_and_stays_in_range(xn):
    x, n = xn
    low, high = one(x, n)
    rate = 100 * x / n
    assert 0 <= low <= rate + 1e-9 and rate - 1e-9 <= high <= 100


def test_holm_by_hand_leaves_missing_p_values_missing():
    # sorted .01, .02, .04 times 3, 2, 1 = .03, .04, .04 (a running maximum), back in the rows' order
    p = pd.Series([0.04, None, 0.01, 0.02], dtype="Float64")
    got = holm(p)
    assert got.dtype == "Float64" and got.isna().tolist() == [False, True, False, False]
    assert got.dropna().tolist() == pytest.approx([0.04, 0.03, 0.04])
    assert holm(pd.Series([0.6, 0.9], dtype="Float64")).tolist() == [1.0, 1.0]  # capped at 1
    assert holm(pd.Series([], dtype="Float64")).empty
