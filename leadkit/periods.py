"""Report periods: a kind (year, quarter, month, ISO week, day or custom range) and its days.

A period is born once — from a params file, the command line, a widget or a papermill
parameter — and keeps its kind all the way to the SQL, the output folder and the title.
Its ``label`` (``2025``, ``2025-Q4``, ``2025-11``, ``2025-W05``, ``2025-03-15``,
``2025-11-10_2025-11-30``) names it in paths and reads back to the same period with
``parse_period``; the words of a title are the renderer's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from leadkit.exceptions import PeriodError

Kind = Literal["year", "quarter", "month", "week", "day", "range"]
Every = Literal["month", "quarter", "week", "year"]
UNITS: tuple[Every, ...] = ("year", "quarter", "month", "week")
# Reports cover real business dates: a period asked for (params, command line, notebook, API)
# lies in FIRST_YEAR–LAST_YEAR. The base periods and trends computed around it may reach a few
# years further; MIN_YEAR–MAX_YEAR only keeps date arithmetic from overflowing.
FIRST_YEAR, LAST_YEAR = 1970, 2100
MIN_YEAR, MAX_YEAR = 1900, 2999
OUTSIDE = f"lies outside the years {FIRST_YEAR}–{LAST_YEAR} that reports cover; check the year (e.g. 2025-03)"
ALL_TIME = ("all", "all-time", "all time")
RELATIVE = ("previous-year", "previous-quarter", "previous-month", "previous-week", "yesterday")

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|_)\s*(\d{4}-\d{2}-\d{2})$")
FORMS = (
    "2025, 2025-Q1, 2025-03, 2025-W05, 2025-03-15, 2025-01-01..2025-03-31, "
    "previous-month, previous-week, previous-quarter, previous-year, yesterday, or all (all time)"
)


@dataclass(frozen=True)
class Period:
    """An inclusive range of whole days, and what kind of period it is."""

    start: date
    end: date
    kind: Kind = "range"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"period {self.start}..{self.end} ends before it starts; give the earlier date first")
        for day in (self.start, self.end):
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                raise PeriodError(f"period {self.start}..{self.end} {OUTSIDE}")

    @property
    def label(self) -> str:
        """The period's name in paths and parameters; ``parse_period`` reads it back."""
        s = self.start
        if self.kind == "year":
            return f"{s.year:04d}"
        if self.kind == "quarter":
            return f"{s.year:04d}-Q{(s.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{s.year:04d}-{s.month:02d}"
        if self.kind == "week":
            iso = s.isocalendar()
            return f"{iso.year:04d}-W{iso.week:02d}"
        if self.kind == "day":
            return s.isoformat()
        return f"{s.isoformat()}_{self.end.isoformat()}"

    def __str__(self) -> str:
        return self.label

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


def _checked_year(y: int) -> int:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise PeriodError(f"year {y} {OUTSIDE}")
    return y


def asked(period: Period, what: str = "period") -> Period:
    """``period`` if a report may be asked for it (its days lie in FIRST_YEAR–LAST_YEAR), else a ``PeriodError``."""
    if not (period.start.year >= FIRST_YEAR and period.end.year <= LAST_YEAR):
        raise PeriodError(f"{what} {period.label} {OUTSIDE}")
    return period


def _month_end(y: int, mon: int) -> date:
    return (date(y + 1, 1, 1) if mon == 12 else date(y, mon + 1, 1)) - timedelta(days=1)


def month(y: int, mon: int) -> Period:
    return Period(date(_checked_year(y), mon, 1), _month_end(y, mon), "month")


def quarter(y: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    return Period(date(_checked_year(y), first, 1), _month_end(y, first + 2), "quarter")


def iso_week(y: int, week: int) -> Period:
    try:
        start = date.fromisocalendar(_checked_year(y), week, 1)
    except ValueError as exc:
        raise PeriodError(f"{y}-W{week:02d} is not an ISO week: {exc}") from None
    return Period(start, start + timedelta(days=6), "week")


def year(y: int) -> Period:
    return Period(date(_checked_year(y), 1, 1), date(y, 12, 31), "year")


def day(d: date) -> Period:
    return Period(d, d, "day")


def between(start: object, end: object) -> Period:
    """The inclusive range from ``start`` to ``end``, as a year, quarter, month, week or day if it is one."""
    lo, hi = to_date(start, "period start"), to_date(end, "period end")
    if hi < lo:
        raise PeriodError(f"period {lo}..{hi} ends before it starts; give the earlier date first")
    if lo == hi:
        return day(lo)
    for every in UNITS:
        whole = containing(lo, every)
        if (whole.start, whole.end) == (lo, hi):
            return whole
    return Period(lo, hi, "range")


def relative(name: str, today: date) -> Period:
    """``previous-month`` and friends: the last whole period before ``today`` (for schedules)."""
    if name == "yesterday":
        return day(today - timedelta(days=1))
    unit: Every = name.removeprefix("previous-")  # type: ignore[assignment]
    return containing(containing(today, unit).start - timedelta(days=1), unit)


def parse_period(text: object, today: date | None = None) -> Period:
    """Parse a label, shorthand, range or relative name; raise a ``PeriodError`` that lists the forms."""
    if isinstance(text, Period):
        return text
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
    if s.lower() in RELATIVE:
        return relative(s.lower(), today or date.today())
    try:
        one = date.fromisoformat(s)
    except ValueError:
        raise PeriodError(f"period {s!r} is not understood; use {FORMS}") from None
    return day(one)


def containing(when: date, every: Every) -> Period:
    """The whole month, quarter, year or ISO week that holds ``when``."""
    if every == "month":
        return month(when.year, when.month)
    if every == "quarter":
        return quarter(when.year, (when.month - 1) // 3 + 1)
    if every == "year":
        return year(when.year)
    iso = when.isocalendar()
    return iso_week(iso.year, iso.week)


def _after(period: Period, every: Every) -> Period | None:
    try:
        return containing(period.end + timedelta(days=1), every)
    except PeriodError:  # past the last year reports cover
        return None


def iter_periods(first: str, last: str, every: Every) -> Iterator[Period]:
    """Consecutive periods of one kind, from the one holding ``first`` to the one holding ``last``."""
    if every not in UNITS:
        raise PeriodError(f"--every {every!r} is not one of month, quarter, week, year")
    lo, hi = asked(parse_period(first), "--from"), asked(parse_period(last), "--to")
    if hi.end < lo.start:
        raise PeriodError(f"--to {last} lies before --from {first}; swap them")
    current: Period | None = containing(lo.start, every)
    while current is not None and current.start <= hi.end:
        yield current
        current = _after(current, every)


def previous(period: Period) -> Period:
    """The period just before: the previous month/quarter/year/week for a whole one, else as many days."""
    if period.kind in UNITS:
        return containing(period.start - timedelta(days=1), period.kind)
    end = period.start - timedelta(days=1)
    return between(end - timedelta(days=period.days - 1), end)


def _year_before(when: date) -> date:
    try:
        return when.replace(year=when.year - 1)
    except ValueError:  # 29 February
        return when.replace(year=when.year - 1, day=28)


def year_earlier(period: Period) -> Period:
    """The same dates a year earlier (the same ISO week number for a whole week)."""
    if period.kind == "week":
        iso = period.start.isocalendar()
        return iso_week(iso.year - 1, min(iso.week, 52))
    if period.kind in ("year", "quarter", "month"):
        return containing(_year_before(period.start), period.kind)
    return between(_year_before(period.start), _year_before(period.end))
