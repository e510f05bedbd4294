"""The definitions printed on every report, in English and Russian (DOMAIN.md, verbatim in spirit)."""

from __future__ import annotations

TITLES = {
    "en": {
        "lead_conversion": "Lead conversion",
        "lost_leads": "Lost leads",
        "employee_performance": "Employee performance",
    },
    "ru": {
        "lead_conversion": "Конверсия обращений",
        "lost_leads": "Закрытые неуспешно",
        "employee_performance": "Эффективность сотрудников",
    },
}

TEXTS = {
    "en": {
        "scope": "Leads in scope: leads whose creation date (with basis 'closed': close date) "
        "falls in the period, both end days included, in the report's time zone, after the "
        "filters on lead types, managers and branches.",
        "converted": "Converted: a lead with an order or a sale, or whose status is in the Won "
        "group (or that the source flags as converted).",
        "orders_sales": "Into orders / into sales: converted leads with an order / with a sale. "
        "A lead with both counts once in Converted and once in each column. A won lead with no "
        "order or sale id is placed by its status (the source's status_results); without such "
        "a mapping it counts as converted only.",
        "conversion_pct": "Conversion % = converted ÷ leads in scope × 100. Open leads (New, In "
        "progress, Pending) stay in the denominator and are shown under Open.",
        "closed_pct": "Closed-only conversion % = won ÷ (won + lost) × 100, among leads already closed.",
        "wilson": "95% interval: the Wilson score interval of conversion % (z = 1.96); the fewer "
        "the leads, the wider it is.",
        "lost": "Lost: a lead whose status is in the Lost group; its reason is the status name. "
        "A lost lead without a meaningful reason is shown as '(no reason)', never dropped.",
        "share": "Share % = lost leads with the reason ÷ all lost leads in scope × 100.",
        "missing": "Missing values are groups of their own: '(not set)' for a lead without a "
        "type or branch, '(unassigned)' for a lead without a manager.",
        "undated": "A lead without the date its period is based on cannot be placed in a "
        "period: it is counted in the data-quality section and left out of period reports.",
    },
    "ru": {
        "scope": "Обращения в отчёте: обращения, дата создания которых (при базе «закрытие» — "
        "дата закрытия) попадает в период, включая оба крайних дня, в часовом поясе отчёта, "
        "после фильтров по типам обращений, менеджерам и филиалам.",
        "converted": "Конвертировано: обращение, по которому создан заказ или продажа, или "
        "статус которого в группе «Закрыто успешно» (или которое источник отметил как "
        "конвертированное).",
        "orders_sales": "В заказы / в продажи: конвертированные обращения с заказом / с "
        "продажей. Обращение с заказом и продажей считается один раз в «Конвертировано» и по "
        "разу в каждой колонке. Успешное обращение без номера заказа и продажи относится по "
        "статусу (status_results источника); без такого соответствия оно считается только "
        "конвертированным.",
        "conversion_pct": "Конверсия % = конвертировано ÷ обращения в отчёте × 100. Открытые "
        "обращения (новые, в работе, ожидание) остаются в знаменателе и показаны в колонке "
        "«Открыто».",
        "closed_pct": "Конверсия закрытых % = успешные ÷ (успешные + неуспешные) × 100, только "
        "среди уже закрытых обращений.",
        "wilson": "Интервал 95%: доверительный интервал Уилсона для конверсии % (z = 1,96); чем "
        "меньше обращений, тем он шире.",
        "lost": "Закрыто неуспешно: обращение со статусом из группы «Закрыто неуспешно»; "
        "причина — название статуса. Обращение без осмысленной причины показано как «(без "
        "причины)» и не отбрасывается.",
        "share": "Доля % = неуспешные обращения с этой причиной ÷ все неуспешные обращения в отчёте × 100.",
        "missing": "Пропуски — отдельные группы: «(не указано)» для обращения без типа или "
        "филиала, «(не назначен)» для обращения без менеджера.",
        "undated": "Обращение без даты, по которой строится период, нельзя отнести к периоду: "
        "оно учтено в разделе качества данных и не входит в отчёты за период.",
    },
}

_CONVERSION = ("scope", "converted", "orders_sales", "conversion_pct", "closed_pct", "wilson", "missing", "undated")
USED = {
    "lead_conversion": _CONVERSION,
    "lost_leads": ("scope", "lost", "share", "missing", "undated"),
    "employee_performance": _CONVERSION,
}


def title(report: str, lang: str) -> str:
    return TITLES[lang][report]


def definitions(report: str, lang: str) -> tuple[tuple[str, str], ...]:
    """(key, sentence) pairs for ``report`` in ``lang``, in the order they are printed."""
    return tuple((k, TEXTS[lang][k]) for k in USED[report])
