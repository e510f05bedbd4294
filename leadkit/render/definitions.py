"""The definitions printed on every report, in English and Russian (DOMAIN.md, verbatim in spirit).

The sentences are templates filled from the ``Method`` the result was computed with, so a
printed threshold (minimum leads, z, alpha, trend length…) is always the one used.
"""

from __future__ import annotations

from leadkit.method import Method
from leadkit.render.labels import count_words, number, percent_plain
from leadkit.results import Result

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
        "wilson": "{conf} interval: the Wilson score interval of conversion % (z = {z}); the fewer "
        "the leads, the wider it is.",
        "lost": "Lost: a lead whose status is in the Lost group; its reason is the status name. "
        "A lost lead without a meaningful reason is shown as '(no reason)', never dropped.",
        "share": "Share % = lost leads with the reason ÷ all lost leads in scope × 100.",
        "missing": "Missing values are groups of their own: '(not set)' for a lead without a "
        "type or branch, '(unassigned)' for a lead without a manager.",
        "undated": "A lead without the date its period is based on cannot be placed in a "
        "period: it is counted in the data-quality section and left out of period reports.",
        "change": "Change: the same figures for the previous period (the previous month, quarter, "
        "year or week; for other ranges as many days just before) and for the same dates a year "
        "earlier; pp = percentage points. A recent period's raw conversion is lower only because its "
        "leads are younger, so the change and its verdict compare both periods at the same age: the "
        "share of leads with the outcome within H days of creation (cumulative incidence, Aalen–"
        "Johansen by the hour: a lead still open at the data's cut-off counts only while it was "
        "followed, the other outcomes compete). {horizon}",
        "change_closed": "Change: the same figures for the previous period and a year earlier; pp = "
        "percentage points. With basis 'closed' only leads that have already closed are counted, so "
        "conversion here is that of leads closed in the period, compared as it is; a period that had "
        "not ended by the data's cut-off is too early to tell.",
        "significance": "Verdict: a two-sided z-test on the difference of the two shares (their "
        "variances by the delta method) gives p < {alpha} — the change is larger than chance explains; "
        "the rows' p-values are adjusted for how many rows are tested (Holm). A period is judged only "
        "when at least {min_followed} of its leads were followed H days or closed sooner (else 'too "
        "early to tell') and both periods have at least {min_leads} (else 'too few leads').",
        "trend": "Trend: conversion % per month (per ISO week when the period has at most {weekly_days}) "
        "over the {trend_length} or as many weeks ending with the period, per lead type and in total. "
        "Points whose period ended less than H days before the data's cut-off are marked as still "
        "maturing: their conversion will still rise.",
        "lost_trend": "Trend: lost leads as a share of all leads created in each month (per ISO week "
        "when the period has at most {weekly_days}) over the {trend_length} or as many weeks ending with "
        "the period, in total and for the top reasons; points less than H days old are still maturing.",
        "time_to_convert": "Days to convert: for won leads, the days from creation to close — "
        "median, 75th and 90th percentile.",
        "curve": "Cumulative conversion: the share of leads won within N days of creation "
        "(Aalen–Johansen estimate), leads still open at the data's cut-off counted only while open "
        "and lost leads as the competing outcome, so recent leads are not judged too early.",
        "few_leads": "Managers with fewer than {min_leads} are flagged, not ranked; the ranking orders "
        "the others by the lower bound of their {conf} interval.",
        "funnel": "Control limits: the team's conversion ± {z} standard errors at the manager's "
        "number of leads; a manager above or below them differs from the team beyond chance.",
        "mix": "Expected on mix = Σ over lead types of (the manager's share of leads of that type × "
        "the team's conversion for it); the difference in pp shows results given the leads received.",
        "pareto": "Pareto: reasons by count with the cumulative share of the named reasons (reaching "
        "100%); '(no reason)' is shown apart, outside the cumulative line.",
        "days_open": "Days open before lost: for lost leads, the days from creation to close, by reason.",
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
        "wilson": "Интервал {conf}: доверительный интервал Уилсона для конверсии % (z = {z}); чем "
        "меньше обращений, тем он шире.",
        "lost": "Закрыто неуспешно: обращение со статусом из группы «Закрыто неуспешно»; "
        "причина — название статуса. Обращение без осмысленной причины показано как «(без "
        "причины)» и не отбрасывается.",
        "share": "Доля % = неуспешные обращения с этой причиной ÷ все неуспешные обращения в отчёте × 100.",
        "missing": "Пропуски — отдельные группы: «(не указано)» для обращения без типа или "
        "филиала, «(не назначен)» для обращения без менеджера.",
        "undated": "Обращение без даты, по которой строится период, нельзя отнести к периоду: "
        "оно учтено в разделе качества данных и не входит в отчёты за период.",
        "change": "Изменение: те же показатели за предыдущий период (предыдущий месяц, квартал, год "
        "или неделю; для прочих диапазонов — столько же дней непосредственно перед ним) и за те же "
        "даты годом ранее; п.п. — процентные пункты. Конверсия недавнего периода ниже просто потому, "
        "что его обращения моложе, поэтому изменение и вывод о нём сравнивают периоды в одном "
        "возрасте: долю обращений с исходом за H дней с создания (накопленная частота, оценка "
        "Аалена–Юхансена по часам: обращение, открытое на дату среза данных, учитывается, пока за ним "
        "наблюдали, другие исходы — конкурирующие). {horizon}",
        "change_closed": "Изменение: те же показатели за предыдущий период и годом ранее; п.п. — "
        "процентные пункты. При базе «закрытие» учитываются только уже закрытые обращения, поэтому "
        "здесь это конверсия обращений, закрытых в периоде, и она сравнивается как есть; период, не "
        "закончившийся к дате среза данных, оценивать рано.",
        "significance": "Вывод: двусторонний z-тест разности двух долей (дисперсии — дельта-методом) "
        "даёт p < {alpha} — изменение больше, чем объясняется случайностью; p-значения строк "
        "поправлены на число проверяемых строк (метод Холма). Период оценивается, только если не "
        "менее {min_followed} его обращений прослежены H дней или закрыты раньше (иначе «рано "
        "судить») и в обоих периодах не меньше {min_leads} (иначе «мало обращений»).",
        "trend": "Динамика: конверсия % по месяцам (по ISO-неделям, если в периоде не более {weekly_days}) "
        "за последние {trend_length} или столько же недель до конца периода, по типам обращений и в целом. "
        "Точки периодов, закончившихся менее чем за H дней до даты среза данных, отмечены как "
        "«ещё созревают»: их конверсия ещё вырастет.",
        "lost_trend": "Динамика: неуспешные обращения как доля всех обращений, созданных в каждом месяце "
        "(по ISO-неделям, если в периоде не более {weekly_days}), за последние {trend_length} или "
        "столько же недель до конца периода — в целом и по главным причинам; точки моложе H дней "
        "ещё созревают.",
        "time_to_convert": "Дней до конверсии: для успешных обращений — дней от создания до "
        "закрытия: медиана, 75-й и 90-й процентили.",
        "curve": "Накопленная конверсия: доля обращений, успешных в течение N дней после создания "
        "(оценка Аалена–Юхансена); открытые на дату среза данных учитываются, пока открыты, неуспешные — "
        "как конкурирующий исход, поэтому свежие обращения не оцениваются преждевременно.",
        "few_leads": "Менеджеры, у которых меньше {min_leads}, отмечены и не ранжируются; рейтинг "
        "упорядочивает остальных по нижней границе интервала {conf}.",
        "funnel": "Контрольные границы: конверсия команды ± {z} стандартной ошибки при числе "
        "обращений менеджера; выше или ниже них — отличие от команды больше случайного.",
        "mix": "Ожидаемая по структуре = Σ по типам обращений (доля обращений этого типа у "
        "менеджера × конверсия команды по типу); разница в п.п. показывает результат с учётом "
        "полученных обращений.",
        "pareto": "Парето: причины по числу с накопленной долей названных причин (до 100 %); «(без "
        "причины)» показана отдельно, вне накопленной линии.",
        "days_open": "Дней до закрытия: для неуспешных обращений — дней от создания до закрытия, по причинам.",
    },
}

_CONVERSION = ("scope", "converted", "orders_sales", "conversion_pct", "closed_pct", "wilson", "missing", "undated")
_ANALYSIS = ("change", "significance", "trend", "time_to_convert", "curve")
USED = {
    "lead_conversion": _CONVERSION + _ANALYSIS,
    "lost_leads": ("scope", "lost", "share", "pareto", "days_open", "missing", "undated", "change", "significance",
                   "lost_trend"),
    "employee_performance": (*_CONVERSION, "few_leads", "funnel", "mix", *_ANALYSIS),
}  # fmt: skip


HORIZON = {
    "en": {
        "set": "H = {days} (analysis.horizon_days in the params).",
        "derived": "H is derived from the data: the days by which {share} of its closed leads had closed, at most "
        "half the period — here {days}.",
        "none": "This source has no creation or close dates, so the raw rates are compared.",
    },
    "ru": {
        "set": "H = {days} (analysis.horizon_days в параметрах).",
        "derived": "H выводится из данных: за столько дней закрылись {share} закрытых обращений, но не больше "
        "половины периода — здесь {days}.",
        "none": "В источнике нет дат создания или закрытия, поэтому сравниваются сами доли.",
    },
}


def horizon_text(method: Method, days: int | None, lang: str) -> str:
    """Where H came from, in one sentence."""
    if days is None:
        return HORIZON[lang]["none"]
    kind = "derived" if method.horizon_days is None else "set"
    return HORIZON[lang][kind].format(days=count_words(days, "days", lang),
                                      share=percent_plain(method.horizon_share * 100, lang))  # fmt: skip


def values(method: Method, lang: str, days: int | None = None) -> dict[str, str]:
    """The method's numbers as the sentences print them, in ``lang``."""
    return {
        "conf": percent_plain(method.confidence * 100, lang),
        "z": number(method.z, lang, 2),
        "alpha": number(method.alpha, lang, 3).rstrip("0"),
        "min_leads": count_words(method.min_leads, "leads_gen", lang),
        "min_followed": percent_plain(method.min_followed * 100, lang),
        "trend_length": count_words(method.trend_length, "months", lang),
        "weekly_days": count_words(method.weekly_up_to_days, "days_gen", lang),
        "horizon": horizon_text(method, days, lang),
    }


def definitions(
    report: str, lang: str, method: Method, days: int | None = None, basis: str = "created"
) -> list[tuple[str, str]]:
    """(key, sentence) pairs for ``report`` in ``lang``, in the order they are printed.

    ``days`` is the horizon H the report compared at (None: raw rates); with basis
    ``closed`` the change is explained as a comparison of closed leads.
    """
    filled = values(method, lang, days)
    keys = ["change_closed" if k == "change" and basis == "closed" else k for k in USED[report]]
    return [(k, TEXTS[lang][k].format(**filled)) for k in keys]


def printed(result: Result, lang: str) -> list[tuple[str, str]]:
    """The definitions of ``result``, with the horizon and basis it was computed with."""
    meta = result.meta
    return definitions(meta.report, lang, meta.method, meta.horizon_days, meta.scope.basis)
