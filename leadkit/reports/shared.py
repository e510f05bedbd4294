"""What two reports show alike, computed once per scope when they are computed together.

Lead conversion and employee performance both show the conversion trend per lead type and the
cumulative conversion curve of the leads in scope; ``Context.once`` keeps the first one's.
"""

from __future__ import annotations

import pandas as pd

from leadkit.reports.meta import Context
from leadkit.reports.timing import conversion_curve
from leadkit.reports.trend import conversion_trend


def shared_trend(ctx: Context) -> tuple[pd.DataFrame, str]:
    """The conversion trend per lead type (and its grain) of ``ctx``'s scope."""
    return ctx.once("conversion_trend", lambda: conversion_trend(ctx.leads, ctx.scope, ctx.method, ctx.as_of,
                                                                 ctx.days, ctx.latest))  # fmt: skip


def shared_curve(ctx: Context) -> pd.DataFrame:
    """The cumulative conversion curve of the leads in ``ctx``'s scope."""
    return ctx.once("conversion_curve", lambda: conversion_curve(ctx.table, ctx.curve_as_of))
