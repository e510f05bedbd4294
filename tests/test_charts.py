"""Charts: drawn from what the result holds, for no, one or many groups, with data text never parsed."""

from __future__ import annotations

import pandas as pd
import pytest
from handmade import conversion, employees, frame, lost, rate_row
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from leadkit.render import charts
from leadkit.render.views import view_of
from leadkit.results import contract as C

MATH = ["$x$ off", r"$\frac{broken", "50$ or $60"]  # the second is invalid mathtext: it would raise if parsed


@pytest.fixture()
def drawn(monkeypatch):
    """The figures the charts draw, kept for inspection (the SVG is still made)."""
    figures = []
    original = charts._svg

    def keep(fig):
        figures.append(fig)
        return original(fig)

    monkeypatch.setattr(charts, "_svg", keep)
    return figures


def is_svg(image: bytes | None) -> bool:
    return (
        image is not None and image.lstrip().startswith(b"<?xml") and b"<svg" in image and image.endswith(b"</svg>\n")
    )


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def literal(fig) -> bool:
    return all(not t.get_parse_math() for t in fig.findobj(Text) if "$" in t.get_text())


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_one_group_is_one_bar_with_its_interval_and_the_total_line(drawn):
    view = view_of(conversion([rate_row("lead_type", "Call", 4, 3, 30.1, 95.4)]))
    image = charts.conversion_chart(view, "en")
    assert is_svg(image)
    ax = drawn[0].axes[0]
    (bar,) = bars(ax)
    assert bar.get_width() == pytest.approx(75.0)
    assert "Call (n=4)" in texts(drawn[0]) and ax.get_xlim() == (0, 100)
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in dashed] == [pytest.approx(75.0)]  # the Total's rate, as held


def test_bars_keep_the_result_order_top_down_and_stop_at_the_limit(drawn):
    rows = [rate_row("lead_type", f"type {i:02d}", 10, i % 10, 0.0, 100.0) for i in range(30)]
    charts.conversion_chart(view_of(conversion(rows)), "en")
    ax = drawn[0].axes[0]
    assert len(bars(ax)) == charts.MAX_BARS
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "type 00 (n=10)" and labels[0] == "type 24 (n=10)"  # the first row on top


def test_no_rows_draw_no_chart_and_raise_nothing():
    view = view_of(conversion([]))
    assert charts.conversion_chart(view, "en") is None and charts.charts(conversion([]), view, "en") == {}
    assert charts.trend_chart(conversion([]), "en") is None and charts.curve_chart(conversion([]), "en") is None


def test_no_lost_leads_and_no_managers_draw_no_chart():
    empty = lost([], [])
    assert charts.pareto_chart(empty, "en") is None and charts.charts(empty, view_of(empty), "en") == {}
    nobody = employees([], [], [], team_rate=None)
    assert charts.funnel_chart(nobody, "en") is None and charts.charts(nobody, view_of(nobody), "en") == {}


def test_the_same_data_gives_the_same_bytes():
    view = view_of(conversion([rate_row("lead_type", "Call", 4, 3, 30.1, 95.4)]))
    assert charts.conversion_chart(view, "ru") == charts.conversion_chart(view, "ru")


def test_dollar_signs_in_names_are_drawn_as_written(drawn):
    rows = [rate_row("lead_type", name, 2, 1, 9.5, 90.5) for name in MATH]
    image = charts.conversion_chart(view_of(conversion(rows)), "en")
    assert is_svg(image) and b"Oblique" not in image  # mathtext would set the x in italics
    shown = texts(drawn[0])
    assert {f"{name} (n=2)" for name in MATH} <= set(shown)
    assert literal(drawn[0])


def test_dollar_signs_in_reasons_are_drawn_as_written(drawn):
    reasons = [{"reason": MATH[1], "leads": 2, "share_pct": 66.7, "cum_share_pct": 100.0},
               {"reason": "(no reason)", "leads": 1, "share_pct": 33.3, "cum_share_pct": None}]  # fmt: skip
    assert is_svg(charts.pareto_chart(lost(reasons, []), "en"))
    assert MATH[1] in texts(drawn[0]) and literal(drawn[0])


def test_dollar_signs_in_manager_names_are_drawn_as_written(drawn):
    rows = [rate_row("manager", MATH[0], 10, 5, 23.7, 76.3) | {"vs_team": "below"},
            rate_row("manager", MATH[1], 4, 1, 4.6, 69.9) | {"vs_team": ""}]  # fmt: skip
    funnel = [{"leads": n, "limit_low_pct": 10.0, "limit_high_pct": 90.0} for n in (1, 10)]
    assert is_svg(charts.funnel_chart(employees(rows, [], [], team_rate=0.4, funnel=funnel), "en"))
    assert {MATH[0], MATH[1]} <= set(texts(drawn[0])) and literal(drawn[0])


def test_dollar_signs_in_trend_groups_are_drawn_as_written(drawn):
    trend = [{"period": "2025-03", "lead_type": name, "leads": 2, "converted": 1, "conversion_pct": 50.0,
              "maturing": False} for name in ("Total", MATH[2])]  # fmt: skip
    result = conversion([])
    result = type(result)(**{**result.__dict__, "trend": frame(C.TREND, trend)})
    assert is_svg(charts.trend_chart(result, "en"))
    assert MATH[2] in texts(drawn[0]) and literal(drawn[0])


def test_pareto_greys_the_no_reason_bar_and_draws_the_cumulative_line_for_named_reasons(drawn):
    reasons = [{"reason": "Expensive", "leads": 3, "share_pct": 60.0, "cum_share_pct": 75.0},
               {"reason": "(no reason)", "leads": 1, "share_pct": 20.0, "cum_share_pct": None},
               {"reason": "Timing", "leads": 1, "share_pct": 20.0, "cum_share_pct": 100.0}]  # fmt: skip
    charts.pareto_chart(lost(reasons, []), "en")
    ax, line_ax = drawn[0].axes
    assert [b.get_height() for b in bars(ax)] == [3, 1, 1]
    colours = [b.get_facecolor()[:3] for b in bars(ax)]
    assert colours[1] != colours[0] == colours[2]
    (line,) = line_ax.get_lines()
    assert list(line.get_xdata()) == [0, 2] and list(line.get_ydata()) == [75.0, 100.0]


def test_the_funnel_draws_the_team_rate_and_limits_it_is_given(drawn):
    rows = [rate_row("manager", "Ann", 10, 5, 23.7, 76.3) | {"vs_team": ""}]
    funnel = [{"leads": 1, "limit_low_pct": 0.0, "limit_high_pct": 100.0},
              {"leads": 10, "limit_low_pct": 7.6, "limit_high_pct": 67.4}]  # fmt: skip
    charts.funnel_chart(employees(rows, [], [], team_rate=0.375, funnel=funnel), "en")
    ax = drawn[0].axes[0]
    ys = sorted(tuple(float(y) for y in line.get_ydata()) for line in ax.get_lines())
    assert ys == [(0.0, 7.6), (37.5, 37.5), (100.0, 67.4)]
    assert "Ann" in texts(drawn[0]) and ax.collections[0].get_offsets().tolist() == [[10.0, 50.0]]


def test_the_curve_is_steps_of_the_cumulative_shares(drawn):
    curve = pd.DataFrame({"day": [0, 3], "at_risk": [4, 2], "won": [1, 1], "lost": [1, 0], "censored": [0, 1],
                          "won_cum_pct": [25.0, 50.0], "lost_cum_pct": [25.0, 25.0]})  # fmt: skip
    result = conversion([])
    result = type(result)(**{**result.__dict__, "curve": frame(C.CURVE, curve.to_dict("records"))})
    assert is_svg(charts.curve_chart(result, "en"))
    ax = drawn[0].axes[0]
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [[25.0, 50.0], [25.0, 25.0]]
    assert ax.get_xlim() == (0, 4)


def test_each_trend_line_keeps_its_own_colour_when_points_are_still_maturing():
    """The hollow markers of maturing points used to take the next colour, so groups shared colours."""
    import pandas as pd
    from matplotlib.figure import Figure

    from leadkit.model import TOTAL
    from leadkit.render.charts import _lines

    groups = [TOTAL, "Call", "Website", "Walk-in", "Messenger", "Referral", "Instagram", "(not set)"]
    trend = pd.DataFrame(
        [{"lead_type": g, "period": p, "conversion_pct": 40.0, "maturing": p == "2025-12"} for g in groups
         for p in ("2025-11", "2025-12")]
    )  # fmt: skip
    ax = Figure().add_subplot()
    _lines(ax, trend, "lead_type", "conversion_pct", "en")
    labelled = {line.get_label(): line.get_color() for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert len(labelled) == len(groups) and len(set(labelled.values())) == len(groups)


def test_planned_charts_are_the_drawn_ones_and_keyed_by_their_data_and_language(march):
    from leadkit.api import compute

    for name in ("lead_conversion", "lost_leads", "employee_performance"):
        result = compute(name, march, period="2025-03")
        plan, drawn = charts.planned(result, view_of(result)), charts.charts(result, view_of(result), "en")
        assert list(plan) == list(drawn) and all(plan[n].draw("en") == drawn[n] for n in plan)
        again = charts.planned(compute(name, march, period="2025-03"), view_of(result))
        assert [c.key("en") for c in again.values()] == [c.key("en") for c in plan.values()]
        assert all(c.key("ru") != c.key("en") for c in plan.values())
        other = compute(name, march, period="2025-03", managers=["Bob"])
        changed = charts.planned(other, view_of(other))
        assert all(changed[n].key("en") != plan[n].key("en") for n in changed)


def _tight(fig) -> bytes:
    """What ``_svg`` replaces: matplotlib's own tight crop, which draws the figure twice."""
    import io

    from matplotlib import rc_context

    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "path", "svg.hashsalt": "leadkit", **charts.LITERAL}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def _box(image: bytes) -> tuple[float, ...]:
    import re

    head = re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt" viewBox="([-\d. ]+)"', image)
    assert head is not None
    return tuple(float(x) for x in [head[1], head[2], *head[3].split()])


def _many_managers(n: int):
    rows = [rate_row("manager", f"M{i}", 10 + i % 50, i % 10, 1.0, 90.0) | {"vs_team": ""} for i in range(n)]
    funnel = [{"leads": k, "limit_low_pct": 5.0, "limit_high_pct": 80.0} for k in (1, 60)]
    return employees(rows, [], [], team_rate=0.3, funnel=funnel)


@pytest.mark.parametrize("rasterized", [False, True])
def test_an_svg_is_drawn_once_and_cut_to_the_box_savefig_would_cut(drawn, monkeypatch, rasterized):
    """savefig(bbox_inches="tight") draws a figure twice (to measure, then to write); a chart is drawn once
    and its viewBox is savefig's tight box: the same size on the page, shifted by the same offset."""
    from matplotlib.figure import Figure

    result = _many_managers(charts.RASTER_POINTS + 1 if rasterized else 3)
    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, renderer: draws.append(fig) or real(fig, renderer))
    image = charts.funnel_chart(result, "ru")
    assert is_svg(image) and len(draws) == 1
    assert (b"<image" in image) == rasterized  # thousands of points stay one picture
    tight = _tight(drawn[0])
    (width, height, *_), (tight_width, tight_height, *tight_view) = _box(image), _box(tight)
    assert (width, height) == (tight_width, tight_height) and tight_view == [0.0, 0.0, width, height]
    x, y = _box(image)[2:4]
    assert 0 < x < 72 and 0 < y < 72  # the margin savefig would cut, cut here by the viewBox


def test_an_svg_header_written_otherwise_is_left_to_savefig_to_cut(drawn, monkeypatch):
    monkeypatch.setattr(charts, "_size", lambda *_: "a header matplotlib never writes")
    image = charts.conversion_chart(view_of(conversion([rate_row("lead_type", "Call", 4, 3, 30.1, 95.4)])), "en")
    assert image == _tight(drawn[0])
