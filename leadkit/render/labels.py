"""Words and number/date formats of every rendering, in English and Russian.

Results hold numbers; this module holds the words: titles, column headers, phrases,
markers, and the formats of numbers, dates and periods.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from leadkit.model import NO_REASON, NOT_SET, TOTAL, UNASSIGNED
from leadkit.periods import Period
from leadkit.results.contract import kind_of as contract_kind
from leadkit.scope import Filters

TITLES = {
    "en": {"lead_conversion": "Lead conversion", "lost_leads": "Lost leads",
           "employee_performance": "Employee performance"},
    "ru": {"lead_conversion": "Конверсия обращений", "lost_leads": "Закрытые неуспешно",
           "employee_performance": "Эффективность сотрудников"},
}  # fmt: skip

COLUMNS = {
    "en": {
        "lead_type": "Lead type", "manager": "Manager", "reason": "Reason", "leads": "Leads",
        "converted": "Converted", "orders": "Into orders", "sales": "Into sales", "won": "Won",
        "lost": "Lost", "open": "Open", "conversion_pct": "Conversion %",
        "closed_conversion_pct": "Closed-only %", "ci_low_pct": "95% CI low", "ci_high_pct": "95% CI high",
        "share_pct": "Share %", "lead_id": "Lead", "created_at": "Created", "closed_at": "Closed",
        "status": "Status", "status_group": "Group", "client": "Client", "branch": "Branch", "check": "Check",
        "is_converted": "Converted", "leads_change": "Change, leads",
        "base_leads": "Leads before", "base_converted": "Converted before", "base_conversion_pct": "Conversion % before",
        "pp_change": "Change, pp", "p_value": "p", "significant": "Significant", "period": "Period",
        "median_days": "Median days", "p75_days": "75th pct, days", "p90_days": "90th pct, days", "day": "Day",
        "at_risk": "At risk", "won_cum_pct": "Cumulative conversion %", "lost_cum_pct": "Cumulative lost %",
        "censored": "Still open", "few_leads": "Too few leads", "rank_by_lower_bound": "Rank (lower bound)",
        "expected_pct": "Expected on mix %", "mix_diff_pp": "vs mix, pp", "limit_low_pct": "Limit low %",
        "limit_high_pct": "Limit high %", "vs_team": "vs team", "cum_share_pct": "Cumulative % (named reasons)",
        "base_lost": "Lost before", "base_share_pct": "Share % before",
        "horizon_pct": "Within H days %", "base_horizon_pct": "Before, within H days %",
        "fair_change_pp": "Change within H days, pp", "followed_pct": "Followed H days %",
        "base_followed_pct": "Before, followed H days %", "verdict": "Verdict", "maturing": "Still maturing",
        "lost_pct": "Lost of all leads %", "base_lost_pct": "Before, lost of all leads %",
    },
    "ru": {
        "lead_type": "Тип обращения", "manager": "Менеджер", "reason": "Причина", "leads": "Обращения",
        "converted": "Конвертировано", "orders": "В заказы", "sales": "В продажи", "won": "Успешно",
        "lost": "Неуспешно", "open": "Открыто", "conversion_pct": "Конверсия %",
        "closed_conversion_pct": "Конверсия закрытых %", "ci_low_pct": "95% ДИ от", "ci_high_pct": "95% ДИ до",
        "share_pct": "Доля %", "lead_id": "Обращение", "created_at": "Создано", "closed_at": "Закрыто",
        "status": "Статус", "status_group": "Группа", "client": "Клиент", "branch": "Филиал", "check": "Показатель",
        "is_converted": "Конвертировано", "leads_change": "Изменение, обращений",
        "base_leads": "Обращений ранее", "base_converted": "Конвертировано ранее", "base_conversion_pct": "Конверсия % ранее",
        "pp_change": "Изменение, п.п.", "p_value": "p", "significant": "Значимо", "period": "Период",
        "median_days": "Медиана, дней", "p75_days": "75-й процентиль, дней", "p90_days": "90-й процентиль, дней",
        "day": "День", "at_risk": "Под наблюдением", "won_cum_pct": "Накопленная конверсия %",
        "lost_cum_pct": "Накоплено неуспешных %", "censored": "Ещё открыты", "few_leads": "Мало обращений",
        "rank_by_lower_bound": "Место (по нижней границе)", "expected_pct": "Ожидаемая по структуре %",
        "mix_diff_pp": "К ожидаемой, п.п.", "limit_low_pct": "Граница снизу %", "limit_high_pct": "Граница сверху %",
        "vs_team": "К команде", "cum_share_pct": "Накоплено % (с причиной)", "base_lost": "Неуспешных ранее",
        "base_share_pct": "Доля % ранее",
        "horizon_pct": "За H дней, %", "base_horizon_pct": "Ранее, за H дней, %",
        "fair_change_pp": "Изменение за H дней, п.п.", "followed_pct": "Прослежено H дней, %",
        "base_followed_pct": "Ранее прослежено H дней, %", "verdict": "Вывод", "maturing": "Ещё созревает",
        "lost_pct": "Неуспешных от всех, %", "base_lost_pct": "Ранее неуспешных от всех, %",
    },
}  # fmt: skip

WORDS = {
    "en": {
        "period": "Period", "all_time": "All time", "basis": "Basis", "created": "creation date",
        "closed": "close date", "filters": "Filters", "none": "none", "generated": "Generated",
        "source": "Source", "timezone": "Time zone", "definitions": "Definitions",
        "data_quality": "Data quality", "lost_list": "Lost leads",
        "reason_by_type": "Reasons by lead type", "by_status": "Leads by status",
        "more_rows": "{shown} of {total} leads shown — all of them are in the Excel file.",
        "printed_rows": "{shown} of {total} leads printed — all of them are in the Excel file.",
        "headline": "In short", "at_age": "leads of the same age, within {days} of creation",
        "raw_rates": "the rates as they are", "no_comparison": "No leads in {period} to compare with.",
        "maturing_note": "* Still maturing: this period ended less than {days} before the data's cut-off, so some "
        "of its leads are still young and its figures will still change.",
        "lost_trend_table": "Lost leads, % of all leads, by {grain}, last {n}",
        "chart_lost_trend": "Lost leads, % of all leads", "hollow_maturing": "hollow: still maturing",
        "shares_note": "Each cell: lost leads (% of the column's lost leads).",
        "cut_manager": "Showing the {shown} managers with the most leads, of {total}; the Excel file has all of them.",
        "cut_lead_type": "Showing the {shown} lead types with the most leads, of {total}; the Excel file has all of them.",
        "cut_reason": "Showing the {shown} reasons with the most leads, of {total}; the Excel file has all of them.",
        "cut_columns": "Showing the {shown} columns with the most leads, of {total}; the Excel file has all of them.",
        "no_leads": "No leads in scope.", "parameters": "Parameters", "value": "Value",
        "summary": "Summary", "list": "Leads", "chart_conversion": "Conversion % (95% interval)",
        "chart_lost": "Lost leads by reason", "drawing_chart": "Drawing chart…", "export": "Export to Excel", "exported": "Written: {path}",
        "lead_types": "Lead types", "managers": "Managers", "branches": "Branches", "language": "Language",
        "custom": "Custom range…", "yes": "yes", "no": "no", "page": "Page", "index": "leadkit reports",
        "report": "Report", "files": "Files", "built": "Source, built",
        "judgement": "Fair comparison: intervals, funnel limits and lead mix",
        "previous": "Compared with the previous period: {period}", "year_ago": "Compared with a year earlier: {period}",
        "trend_table": "Conversion % by {grain}, last {n}", "month": "month", "week": "week",
        "timing_by_type": "Days to convert by lead type", "timing_by_manager": "Days to convert by manager",
        "curve_table": "Cumulative conversion by days since creation", "days_open": "Days open before lost",
        "reason_by_manager": "Reasons by manager", "chart_trend": "Conversion % over time",
        "chart_curve": "Cumulative conversion by days since creation", "chart_funnel": "Control limits: conversion vs leads",
        "chart_pareto": "Lost leads by reason (Pareto)", "team": "team", "days_since": "days since creation",
    },
    "ru": {
        "period": "Период", "all_time": "Всё время", "basis": "База", "created": "дата создания",
        "closed": "дата закрытия", "filters": "Фильтры", "none": "все", "generated": "Сформирован",
        "source": "Источник", "timezone": "Часовой пояс", "definitions": "Определения",
        "data_quality": "Качество данных", "lost_list": "Неуспешные обращения",
        "reason_by_type": "Причины по типам обращений", "by_status": "Обращения по статусам",
        "more_rows": "Показано {shown} из {total} — все они в файле Excel.",
        "printed_rows": "Напечатано {shown} из {total} — все они в файле Excel.",
        "headline": "Коротко", "at_age": "обращения одного возраста, за {days} с создания",
        "raw_rates": "доли как есть", "no_comparison": "Нет обращений за {period} для сравнения.",
        "maturing_note": "* Ещё созревает: период закончился менее чем за {days} до даты среза данных, часть его "
        "обращений ещё молода, и показатели ещё изменятся.",
        "lost_trend_table": "Неуспешные, % от всех обращений, по периодам ({grain}), последние {n}",
        "chart_lost_trend": "Неуспешные, % от всех обращений", "hollow_maturing": "пустые точки: ещё созревают",
        "shares_note": "В ячейке: неуспешные обращения (% от неуспешных в столбце).",
        "cut_manager": "Показаны {shown} из {total} менеджеров с наибольшим числом обращений; в файле Excel — все.",
        "cut_lead_type": "Показаны {shown} из {total} типов обращений с наибольшим числом обращений; в файле Excel — все.",
        "cut_reason": "Показаны {shown} из {total} причин с наибольшим числом обращений; в файле Excel — все.",
        "cut_columns": "Показаны {shown} из {total} столбцов с наибольшим числом обращений; в файле Excel — все.",
        "no_leads": "Нет обращений в отчёте.", "parameters": "Параметры", "value": "Значение",
        "summary": "Сводка", "list": "Обращения", "chart_conversion": "Конверсия % (интервал 95%)",
        "chart_lost": "Неуспешные обращения по причинам", "drawing_chart": "Рисуется график…",
        "export": "Выгрузить в Excel",
        "exported": "Записано: {path}", "lead_types": "Типы обращений", "managers": "Менеджеры",
        "branches": "Филиалы", "language": "Язык", "custom": "Свой диапазон…", "yes": "да", "no": "нет",
        "page": "Стр.", "index": "Отчёты leadkit", "report": "Отчёт", "files": "Файлы",
        "built": "Источник, сформирован",
        "judgement": "Честное сравнение: интервалы, контрольные границы и структура обращений",
        "previous": "Сравнение с предыдущим периодом: {period}", "year_ago": "Сравнение с тем же периодом годом ранее: {period}",
        "trend_table": "Конверсия % по периодам ({grain}), последние {n}", "month": "месяц", "week": "неделя",
        "timing_by_type": "Дней до конверсии по типам обращений", "timing_by_manager": "Дней до конверсии по менеджерам",
        "curve_table": "Накопленная конверсия по дням с создания", "days_open": "Дней до закрытия неуспешных",
        "reason_by_manager": "Причины по менеджерам", "chart_trend": "Конверсия % во времени",
        "chart_curve": "Накопленная конверсия по дням с создания", "chart_funnel": "Контрольные границы: конверсия и число обращений",
        "chart_pareto": "Неуспешные обращения по причинам (Парето)", "team": "команда", "days_since": "дней с создания",
    },
}  # fmt: skip

QUALITY = {
    "en": {
        "rows_read": "Rows read from the source", "rows_loaded": "Leads loaded", "leads_in_scope": "Leads in scope",
        "no_date": "Left out: no date to place the lead in the period",
        "no_date_open": "Left out: still open, so no close date", "outside_period": "Left out: outside the period",
        "filtered_out": "Left out by the filters", "no_lead_type": "In scope without a lead type",
        "unassigned": "In scope without a manager", "no_branch": "In scope without a branch",
        "lost_without_reason": "Lost without a reason",
        "won_placed_by_status": "Won, placed by status (no order/sale id)",
        "won_without_order_or_sale": "Won, no order/sale id and no status mapping (converted only)",
        "closed_without_close_date": "Closed without a close date", "closed_before_created": "Closed before created",
        "cleaned_values": "Values cleaned of invisible characters (NUL, zero-width, control)",
    },
    "ru": {
        "rows_read": "Строк прочитано из источника", "rows_loaded": "Обращений загружено",
        "leads_in_scope": "Обращений в отчёте", "no_date": "Не вошли: нет даты для отнесения к периоду",
        "no_date_open": "Не вошли: ещё открыты, даты закрытия нет", "outside_period": "Не вошли: вне периода",
        "filtered_out": "Не вошли из-за фильтров", "no_lead_type": "В отчёте без типа обращения",
        "unassigned": "В отчёте без менеджера", "no_branch": "В отчёте без филиала",
        "lost_without_reason": "Неуспешные без причины",
        "won_placed_by_status": "Успешные, отнесены по статусу (нет номера заказа/продажи)",
        "won_without_order_or_sale": "Успешные без заказа/продажи и без соответствия статуса (только конверсия)",
        "closed_without_close_date": "Закрыты без даты закрытия", "closed_before_created": "Закрыты раньше создания",
        "cleaned_values": "Значений очищено от невидимых символов (NUL, нулевой ширины, управляющих)",
    },
}  # fmt: skip


def unmatched_notes(quality: dict[str, Any], lang: str) -> list[str]:
    """One sentence per filtered column whose chosen values match no lead at all (usually a typo)."""
    text = {
        "en": "{column}: {values} — no lead has this value; check the spelling in the filter",
        "ru": "{column}: {values} — ни у одного обращения нет такого значения; проверьте написание в фильтре",
    }
    return [text[lang].format(column=column(key, lang), values=", ".join(value(v, lang) for v in values))
            for key, values in quality["unmatched_filters"].items()]  # fmt: skip


def quality_rows(quality: dict[str, Any], lang: str) -> list[tuple[str, int]]:
    """The data-quality counts in the order every format shows them, as (label, count)."""
    items = [(k, quality[k]) for k in ("rows_read", "rows_loaded", "leads_in_scope")]
    items += list(quality["excluded"].items()) + list(quality["in_scope"].items())
    if quality.get("cleaned_values"):
        items.append(("cleaned_values", quality["cleaned_values"]))
    return [(QUALITY[lang].get(k, k), v) for k, v in items]


MARKERS = {
    "ru": {NOT_SET: "(не указано)", UNASSIGNED: "(не назначен)", NO_REASON: "(без причины)", TOTAL: "Итого"},
    "en": {},
}
GROUPS = {
    "en": {"new": "New", "in_progress": "In progress", "pending": "Pending", "won": "Won", "lost": "Lost"},
    "ru": {"new": "Новые", "in_progress": "В работе", "pending": "Ожидание", "won": "Успешно", "lost": "Неуспешно"},
}
SHEETS = {
    "en": {"previous": "vs previous", "year_ago": "vs year earlier", "trend_table": "Trend", "lost_trend_table": "Trend",
           "timing_by_type": "Days to convert", "timing_by_manager": "Days to convert", "curve_table": "Curve",
           "days_open": "Days open", "reason_by_type": "Reasons by type", "reason_by_manager": "Reasons by manager",
           "by_status": "Leads by status", "judgement": "Fair comparison"},
    "ru": {"previous": "К предыдущему", "year_ago": "К прошлому году", "trend_table": "Динамика", "lost_trend_table": "Динамика",
           "timing_by_type": "Дней до конверсии", "timing_by_manager": "Дней до конверсии", "curve_table": "Кривая",
           "days_open": "Дней до закрытия", "reason_by_type": "Причины по типам", "reason_by_manager": "Причины по менеджерам",
           "by_status": "По статусам", "judgement": "Честное сравнение"},
}  # fmt: skip
VERDICTS = {
    "en": {"above": "above", "below": "below", "up": "up", "down": "down", "no_change": "no change",
           "too_early": "too early to tell", "too_few": "too few leads", "no_base": "no leads before"},
    "ru": {"above": "выше", "below": "ниже", "up": "рост", "down": "снижение", "no_change": "без изменений",
           "too_early": "рано судить", "too_few": "мало обращений", "no_base": "ранее обращений нет"},
}  # fmt: skip
PLURALS: dict[str, dict[str, tuple[str, ...]]] = {  # English singular/plural; Russian one / few / many (1 месяц, 2 месяца, 5 месяцев)
    "en": {"months": ("month", "months"), "leads_gen": ("lead", "leads"), "days_gen": ("day", "days"),
           "leads": ("lead", "leads"), "days": ("day", "days"), "lost_leads": ("lost lead", "lost leads"),
           "managers": ("manager", "managers"), "managers_gen": ("manager", "managers")},
    "ru": {"months": ("месяц", "месяца", "месяцев"), "leads_gen": ("обращения", "обращений", "обращений"),
           "days_gen": ("дня", "дней", "дней"), "leads": ("обращение", "обращения", "обращений"),
           "days": ("день", "дня", "дней"), "lost_leads": ("неуспешное", "неуспешных", "неуспешных"),
           "managers": ("менеджер", "менеджера", "менеджеров"),
           "managers_gen": ("менеджера", "менеджеров", "менеджеров")},
}  # fmt: skip
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь",
           "декабрь"),
}  # fmt: skip
MONTHS_OF = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря")  # fmt: skip
ROMAN = ("I", "II", "III", "IV")


def filters_text(filters: Filters, lang: str) -> str:
    """The filters in one line: "Lead types: Call, Website; Managers: Ann", or "none" / «все»."""
    picked = [
        f"{word(name, lang)}: {', '.join(value(v, lang) for v in values)}"
        for name, values in filters.as_dict().items()
        if values
    ]
    return "; ".join(picked) or word("none", lang)


def headers(columns: list[str], lang: str, marked: tuple[str, ...] = (), days: int | None = None) -> list[str]:
    """Column headers in ``lang``; a pivot's columns are data values; ``marked`` ones get a "*"."""
    known = set(COLUMNS["en"])
    texts = [column(c, lang, days) if c in known else value(c, lang) for c in columns]
    return [f"{t} *" if c in marked else t for c, t in zip(columns, texts, strict=True)]


def table_title(key: str, args: dict[str, Any], lang: str) -> str:
    """A table's title; a comparison says at what age it compares (or that it takes the rates as they are)."""
    title = word(key, lang, **{k: v for k, v in args.items() if k != "days"})
    if key in ("previous", "year_ago"):
        days = args.get("days")
        how = word("at_age", lang, days=count_words(days, "days", lang)) if days else word("raw_rates", lang)
        title = f"{title} — {how}"
    return title


def note(said: tuple[str, dict[str, Any]] | None, lang: str) -> str:
    """A note under a table: a word and its values (a number of days in words)."""
    if said is None:
        return ""
    name, values = said
    filled = {k: count_words(v, "days", lang) if k == "days" and isinstance(v, int) else v for k, v in values.items()}
    return word(name, lang, **filled)


def title(report: str, lang: str) -> str:
    return TITLES[lang][report]


HORIZON_WORDS = {"en": "H days", "ru": "H дней"}


def column(name: str, lang: str, days: int | None = None) -> str:
    """A column's header; with ``days``, the horizon "H days" in it becomes "7 days" / «7 дней»."""
    text = COLUMNS[lang].get(name, name)
    return text.replace(HORIZON_WORDS[lang], count_words(days, "days", lang)) if days else text


def word(name: str, lang: str, **values: Any) -> str:
    """A phrase in ``lang``; values that are themselves words (e.g. "month") or periods are put in words too."""
    words = WORDS[lang]

    def fill(v: Any) -> Any:
        if isinstance(v, Period):
            return period_words(v, lang)
        return words.get(v, v) if isinstance(v, str) else v

    return words[name].format(**{k: fill(v) for k, v in values.items()})


def missing(x: Any) -> bool:
    """None, NaN, NA or NaT (but not an empty string)."""
    return x is None or (not isinstance(x, str) and bool(pd.isna(x)))


def plain(x: Any) -> Any:
    """A numpy scalar (an Int64 rank, a boolean flag) as the Python value it holds."""
    return x.item() if isinstance(x, np.generic) else x


# What XML 1.0 (so .xlsx) forbids or HTML calls a parse error: control characters other than tab,
# newline and CR (C0, DEL and C1), lone surrogates, and the non-characters (U+FDD0–U+FDEF, U+xFFFE/U+xFFFF).
_NONCHARACTERS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")
REPLACEMENT = "\ufffd"


def clean(text: str) -> str:
    """``text`` with every character XML and HTML forbid shown as U+FFFD (visible, so no two values look alike)."""
    if text.isascii() and text.isprintable():  # most cells: nothing to replace, found without the regex
        return text
    return FORBIDDEN.sub(REPLACEMENT, text)


def value(text: Any, lang: str) -> str:
    """A data value for display: markers translated, characters no format may carry replaced, the rest as it is."""
    if missing(text):
        return ""
    return clean(MARKERS[lang].get(str(text), str(text)))


def number(x: Any, lang: str, decimals: int = 0) -> str:
    if missing(x):
        return "—"
    text = f"{float(x):,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "ru" else text


P_FLOOR = 0.001  # a p-value below this is shown as "<0.001": three decimals of 0.000 would read as impossible


def p_value(x: Any, lang: str) -> str:
    if not missing(x) and float(x) < P_FLOOR:
        return "<" + number(P_FLOOR, lang, 3)
    return number(x, lang, 3)


def percent(x: Any, lang: str) -> str:
    return "—" if missing(x) else number(x, lang, 1) + ("\u00a0%" if lang == "ru" else "%")


def stamp(x: Any, lang: str, with_time: bool = True) -> str:
    if missing(x):
        return ""
    ts = pd.Timestamp(x)
    fmt = ("%d.%m.%Y" if lang == "ru" else "%Y-%m-%d") + (" %H:%M" if with_time else "")
    return ts.strftime(fmt)


def percent_plain(x: float, lang: str) -> str:
    """A whole-number percentage in running text: 95% / 95 %."""
    return f"{x:g}" + ("\u00a0%" if lang == "ru" else "%")


def count_words(n: int, noun: str, lang: str) -> str:
    """``n`` with its noun in the right form: "1 month", "12 months"; «1 месяц», «2 месяца», «5 месяцев»."""
    forms, shown = PLURALS[lang][noun], number(n, lang)
    if lang == "en":
        return f"{shown} {forms[0] if n == 1 else forms[1]}"
    tens, ones = n % 100, n % 10
    index = 0 if ones == 1 and tens != 11 else 1 if 2 <= ones <= 4 and not 12 <= tens <= 14 else 2
    return f"{shown} {forms[index]}"


# As sources.read_source names the demo; older snapshots also carry the lead count.
_DEMO_SOURCE = re.compile(r"demo \((?:[\d,]+ leads, )?seed (\d+)\)")


def source_words(source: str, lang: str) -> str:
    """Where the leads came from, in the report's language: a path or table as it is, the demo in words."""
    demo = _DEMO_SOURCE.fullmatch(source)
    if not demo or lang == "en":
        return source
    return f"демо-данные (seed {demo.group(1)})"


def day_words(d: date, lang: str, with_year: bool = True, with_month: bool = True) -> str:
    """15 March 2025 / 15 марта 2025, optionally without the month or year."""
    month_name = MONTHS["en"][d.month - 1] if lang == "en" else MONTHS_OF[d.month - 1]
    parts = [str(d.day), month_name if with_month else "", str(d.year) if with_year else ""]
    return " ".join(p for p in parts if p)


def range_words(start: date, end: date, lang: str) -> str:
    """10–30 November 2025; 28 October – 3 November 2025; 30 December 2024 – 5 January 2025."""
    if start.year != end.year:
        return f"{day_words(start, lang)} – {day_words(end, lang)}"
    if start.month != end.month:
        return f"{day_words(start, lang, with_year=False)} – {day_words(end, lang)}"
    return f"{start.day}–{day_words(end, lang)}"


def period_words(period: Period | None, lang: str) -> str:
    """The period as words: "November 2025", «ноябрь 2025», «IV квартал 2025», "week 5, 2025"."""
    if period is None:
        return word("all_time", lang)
    s, kind = period.start, period.kind
    if kind == "year":
        return str(s.year) if lang == "en" else f"{s.year} год"
    if kind == "quarter":
        q = (s.month - 1) // 3 + 1
        return f"Q{q} {s.year}" if lang == "en" else f"{ROMAN[q - 1]} квартал {s.year}"
    if kind == "month":
        return f"{MONTHS[lang][s.month - 1]} {s.year}"
    if kind == "week":
        iso = s.isocalendar()
        return f"week {iso.week}, {iso.year}" if lang == "en" else f"неделя {iso.week}, {iso.year}"
    if kind == "day":
        return day_words(s, lang)
    return range_words(s, period.end, lang)


def period_title(period: Period | None, lang: str) -> str:
    """The period under a report's title: its words, capitalised, and the days of a week."""
    text = period_words(period, lang)
    text = text[:1].upper() + text[1:]
    if period is not None and period.kind == "week":
        text += f" ({range_words(period.start, period.end, lang)})"
    return text


def points(x: Any, lang: str) -> str:
    if missing(x):
        return "—"
    sign = "+" if float(x) > 0 else "−" if float(x) < 0 else "±"
    return f"{sign}{number(abs(float(x)), lang, 1)}\u00a0{'п.п.' if lang == 'ru' else 'pp'}"


def kind_of(name: str) -> str:
    """How a column is formatted: its contract kind, or "number" for an undeclared one (a pivot's values)."""
    return contract_kind(name) or "number"


def cell(name: str, x: Any, lang: str, kind: str | None = None) -> str:
    """Any table cell as display text, by its column's kind."""
    kind = kind or kind_of(name)
    x = plain(x)
    if kind == "points":
        return points(x, lang)
    if kind == "days":
        return number(x, lang, 1)
    if kind == "p":
        return p_value(x, lang)
    if kind == "verdict":
        return VERDICTS[lang].get(str(x), "")
    if kind == "pct":
        return percent(x, lang)
    if kind == "date":
        return stamp(x, lang)
    if kind == "group":
        return GROUPS[lang].get(str(x), str(x))
    if isinstance(x, bool):
        return word("yes" if x else "no", lang)
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return number(x, lang)
    return value(x, lang)
