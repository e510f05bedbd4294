"""The panel's own words (controls, busy state, hints); report words come from ``render.labels``."""

from __future__ import annotations

from typing import Any

from leadkit.render import labels as L

PANEL_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "period_kind": "Period",
        "year": "Year",
        "quarter": "Quarter",
        "month": "Month",
        "week": "Week",
        "from": "From",
        "to": "To",
        "basis_label": "Leads counted by",
        "search": "Search…",
        "updating": "Updating…",
        "both_dates": "Pick both dates (From and To); until then the last full choice stays.",
        "change": "Change “{control}” and the report updates.",
        "unexpected": "Unexpected problem ({kind}): {message}. The last good view stays; see the kernel log.",
        "download": "Download {file}",
        "saved_in": "also saved as {path}",
        "export_busy": "Wait for the update to finish, then export.",
        "more_options": "{n} more — type to narrow",
        "no_match": "Nothing matches the search",
        "no_options": "No leads in this view",
        "clear": "Clear",
        "remove": "Remove “{value}” from the filter",
        "chosen_more": "and {n} more",
    },
    "ru": {
        "period_kind": "Период",
        "year": "Год",
        "quarter": "Квартал",
        "month": "Месяц",
        "week": "Неделя",
        "from": "С",
        "to": "По",
        "basis_label": "Обращения по дате",
        "search": "Поиск…",
        "updating": "Обновляется…",
        "both_dates": "Выберите обе даты («С» и «По»); до тех пор показан прежний отчёт.",
        "change": "Измените «{control}», и отчёт обновится.",
        "unexpected": "Непредвиденная ошибка ({kind}): {message}. Показан прежний отчёт; подробности в журнале ядра.",
        "download": "Скачать {file}",
        "saved_in": "также сохранено как {path}",
        "export_busy": "Дождитесь обновления, затем выгрузите.",
        "more_options": "ещё {n} — уточните поиском",
        "no_match": "Поиск ничего не нашёл",
        "no_options": "Нет обращений в этом отборе",
        "clear": "Сбросить",
        "remove": "Убрать «{value}» из фильтра",
        "chosen_more": "и ещё {n}",
    },
}


def word(name: str, lang: str, **values: Any) -> str:
    """A panel word in ``lang``, else the report's word of that name."""
    own = PANEL_WORDS[lang].get(name)
    return own.format(**values) if own is not None else L.word(name, lang, **values)
