"""Report periods: inclusive date ranges, parsed from ISO dates or shorthands.

Shorthands: ``2025`` (year), ``2025-Q1`` (quarter), ``2025-03`` (month), ``2025-W05``
(ISO week), ``2025-03-15`` (day), ``2025-01-01..2025-03-31`` (explicit range).
Papermill passes parameters as source code, so dates often arrive as strings: every
function here accepts ISO strings as well as ``date`` objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from leadkit.exceptions import PeriodError

Every = Literal["month", "quarter", "week", "year"]

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_RANGE = re.compile(r"^(.+?)\s*(?:\.\.|/)\s*(.+)$")


@dataclass(frozen=True)
class Period:
    """An inclusive range of whole days; ``label`` names it in paths and titles."""

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(
                f"period {self.label!r} ends ({self.end}) before it starts ({self.start}); give the earlier date first"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """Half-open datetime bounds: from the first day's midnight to the day after the end."""
        lo = datetime(self.start.year, self.start.month, self.start.day)
        return lo, datetime(self.end.year, self.end.month, self.end.day) + timedelta(days=1)


def to_date(value: object, what: str = "date") -> date:
    """Read a date from a ``date``, ``datetime`` or ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PeriodError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31")


def _month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def month(year: int, mon: int) -> Period:
    return Period(date(year, mon, 1), _month_end(year, mon), f"{year:04d}-{mon:02d}")


def quarter(year: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    return Period(date(year, first, 1), _month_end(year, first + 2), f"{year:04d}-Q{q}")


def iso_week(year: int, week: int) -> Period:
    try:
        start = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise PeriodError(f"{year}-W{week:02d} is not an ISO week: {exc}") from None
    return Period(start, start + timedelta(days=6), f"{year:04d}-W{week:02d}")


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), f"{y:04d}")


def between(start: object, end: object) -> Period:
    """The inclusive range from ``start`` to ``end``, named as a month, quarter or year if it is one."""
    lo, hi = to_date(start, "period start"), to_date(end, "period end")
    if hi >= lo and lo.day == 1:
        for every in ("year", "quarter", "month"):
            whole = _containing(lo, every)
            if (whole.start, whole.end) == (lo, hi):
                return whole
    return Period(lo, hi, f"{lo.isoformat()}_{hi.isoformat()}")


def parse_period(text: str) -> Period:
    """Parse a shorthand or range; raise a ``PeriodError`` that lists the accepted forms."""
    s = str(text).strip()
    if m := _YEAR.match(s):
        return year(int(m[1]))
    if m := _QUARTER.match(s):
        return quarter(int(m[1]), int(m[2]))
    if m := _WEEK.match(s):
        return iso_week(int(m[1]), int(m[2]))
    if (m := _MONTH.match(s)) and 1 <= int(m[2]) <= 12:
        return month(int(m[1]), int(m[2]))
    if m := _RANGE.match(s):
        return between(m[1], m[2])
    try:
        day = date.fromisoformat(s)
    except ValueError:
        raise PeriodError(
            f"period {s!r} is not understood; use 2025, 2025-Q1, 2025-03, 2025-W05, "
            "2025-03-15 or 2025-01-01..2025-03-31"
        ) from None
    return Period(day, day, day.isoformat())


def _containing(day: date, every: Every) -> Period:
    if every == "month":
        return month(day.year, day.month)
    if every == "quarter":
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if every == "year":
        return year(day.year)
    iso = day.isocalendar()
    return iso_week(iso.year, iso.week)


def iter_periods(first: str, last: str, every: Every) -> Iterator[Period]:
    """Consecutive periods of one kind, from the one holding ``first`` to the one holding ``last``."""
    if every not in ("month", "quarter", "week", "year"):
        raise PeriodError(f"--every {every!r} is not one of month, quarter, week, year")
    lo, hi = parse_period(first), parse_period(last)
    if hi.end < lo.start:
        raise PeriodError(f"--to {last} lies before --from {first}; swap them")
    current = _containing(lo.start, every)
    while current.start <= hi.end:
        yield current
        current = _containing(current.end + timedelta(days=1), every)


def _whole_unit(period: Period) -> Every | None:
    for every in ("year", "quarter", "month", "week"):
        unit = _containing(period.start, every)
        if (unit.start, unit.end) == (period.start, period.end):
            return every
    return None


def previous(period: Period) -> Period:
    """The period just before: the previous month/quarter/year/week for a whole one, else as many days."""
    unit = _whole_unit(period)
    if unit is not None:
        return _containing(period.start - timedelta(days=1), unit)
    end = period.start - timedelta(days=1)
    return between(end - timedelta(days=period.days - 1), end)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_earlier(period: Period) -> Period:
    """The same dates a year earlier (the same ISO week number for a whole week)."""
    if _whole_unit(period) == "week":
        iso = period.start.isocalendar()
        return iso_week(iso.year - 1, min(iso.week, 52))
    return between(_year_before(period.start), _year_before(period.end))
