"""Words and number/date formats of every rendering, in English and Russian."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from leadkit.model import NO_REASON, NOT_SET, TOTAL, UNASSIGNED

COLUMNS = {
    "en": {
        "lead_type": "Lead type", "manager": "Manager", "reason": "Reason", "leads": "Leads",
        "converted": "Converted", "orders": "Into orders", "sales": "Into sales", "won": "Won",
        "lost": "Lost", "open": "Open", "conversion_pct": "Conversion %",
        "closed_conversion_pct": "Closed-only %", "ci_low_pct": "95% CI low", "ci_high_pct": "95% CI high",
        "share_pct": "Share %", "lead_id": "Lead", "created_at": "Created", "closed_at": "Closed",
        "status": "Status", "status_group": "Group", "client": "Client", "branch": "Branch", "check": "Check",
    },
    "ru": {
        "lead_type": "Тип обращения", "manager": "Менеджер", "reason": "Причина", "leads": "Обращения",
        "converted": "Конвертировано", "orders": "В заказы", "sales": "В продажи", "won": "Успешно",
        "lost": "Неуспешно", "open": "Открыто", "conversion_pct": "Конверсия %",
        "closed_conversion_pct": "Конверсия закрытых %", "ci_low_pct": "95% ДИ от", "ci_high_pct": "95% ДИ до",
        "share_pct": "Доля %", "lead_id": "Обращение", "created_at": "Создано", "closed_at": "Закрыто",
        "status": "Статус", "status_group": "Группа", "client": "Клиент", "branch": "Филиал", "check": "Показатель",
    },
}  # fmt: skip

WORDS = {
    "en": {
        "period": "Period", "all_time": "All time", "basis": "Basis", "created": "creation date",
        "closed": "close date", "filters": "Filters", "none": "none", "generated": "Generated",
        "source": "Source", "timezone": "Time zone", "definitions": "Definitions",
        "data_quality": "Data quality", "leads_of": "Leads of", "lost_list": "Lost leads",
        "reason_by_type": "Reasons by lead type", "by_status": "Leads by status",
        "more_rows": "{shown} of {total} rows shown; the full list is in the Excel file.",
        "no_leads": "No leads in scope.", "parameters": "Parameters", "value": "Value",
        "summary": "Summary", "list": "Leads", "chart_conversion": "Conversion % (95% interval)",
        "chart_lost": "Lost leads by reason", "export": "Export to Excel", "exported": "Written: {path}",
        "lead_types": "Lead types", "managers": "Managers", "branches": "Branches", "language": "Language",
        "custom": "Custom range…", "yes": "yes", "no": "no", "page": "Page", "index": "leadkit reports",
        "report": "Report", "files": "Files", "built": "Source, built",
    },
    "ru": {
        "period": "Период", "all_time": "Всё время", "basis": "База", "created": "дата создания",
        "closed": "дата закрытия", "filters": "Фильтры", "none": "нет", "generated": "Сформирован",
        "source": "Источник", "timezone": "Часовой пояс", "definitions": "Определения",
        "data_quality": "Качество данных", "leads_of": "Обращения:", "lost_list": "Неуспешные обращения",
        "reason_by_type": "Причины по типам обращений", "by_status": "Обращения по статусам",
        "more_rows": "Показано {shown} из {total} строк; полный список — в файле Excel.",
        "no_leads": "Нет обращений в отчёте.", "parameters": "Параметры", "value": "Значение",
        "summary": "Сводка", "list": "Обращения", "chart_conversion": "Конверсия % (интервал 95%)",
        "chart_lost": "Неуспешные обращения по причинам", "export": "Выгрузить в Excel",
        "exported": "Записано: {path}", "lead_types": "Типы обращений", "managers": "Менеджеры",
        "branches": "Филиалы", "language": "Язык", "custom": "Свой диапазон…", "yes": "да", "no": "нет",
        "page": "Стр.", "index": "Отчёты leadkit", "report": "Отчёт", "files": "Файлы",
        "built": "Источник, сформирован",
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
    },
}  # fmt: skip

MARKERS = {
    "ru": {NOT_SET: "(не указано)", UNASSIGNED: "(не назначен)", NO_REASON: "(без причины)", TOTAL: "Итого"},
    "en": {},
}
GROUPS = {
    "en": {"new": "New", "in_progress": "In progress", "pending": "Pending", "won": "Won", "lost": "Lost"},
    "ru": {"new": "Новые", "in_progress": "В работе", "pending": "Ожидание", "won": "Успешно", "lost": "Неуспешно"},
}
PERCENT_COLUMNS = ("conversion_pct", "closed_conversion_pct", "ci_low_pct", "ci_high_pct", "share_pct")
DATE_COLUMNS = ("created_at", "closed_at")


def column(name: str, lang: str) -> str:
    return COLUMNS[lang].get(name, name)


def word(name: str, lang: str, **values: Any) -> str:
    return WORDS[lang][name].format(**values)


def missing(x: Any) -> bool:
    """None, NaN, NA or NaT (but not an empty string)."""
    return x is None or (not isinstance(x, str) and bool(pd.isna(x)))


def value(text: Any, lang: str) -> str:
    """A data value for display: markers translated, everything else as it is."""
    if missing(text):
        return ""
    return MARKERS[lang].get(str(text), str(text))


def number(x: Any, lang: str, decimals: int = 0) -> str:
    if missing(x):
        return "—"
    text = f"{float(x):,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "ru" else text


def percent(x: Any, lang: str) -> str:
    return "—" if missing(x) else number(x, lang, 1) + ("\u00a0%" if lang == "ru" else "%")


def stamp(x: Any, lang: str, with_time: bool = True) -> str:
    if missing(x):
        return ""
    ts = pd.Timestamp(x)
    fmt = ("%d.%m.%Y" if lang == "ru" else "%Y-%m-%d") + (" %H:%M" if with_time else "")
    return ts.strftime(fmt)


def period_text(period: dict[str, Any] | None, lang: str) -> str:
    if period is None:
        return word("all_time", lang)
    lo, hi = (stamp(datetime.fromisoformat(period[k]), lang, with_time=False) for k in ("start", "end"))
    return f"{period['label']} ({lo} – {hi})"


def cell(name: str, x: Any, lang: str) -> str:
    """Any table cell as display text, by its column's kind."""
    if name in PERCENT_COLUMNS:
        return percent(x, lang)
    if name in DATE_COLUMNS:
        return stamp(x, lang)
    if name == "status_group":
        return GROUPS[lang].get(str(x), str(x))
    if isinstance(x, bool):
        return word("yes" if x else "no", lang)
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return number(x, lang)
    return value(x, lang)
