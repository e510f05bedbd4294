"""The headline box: each highlight of a result as one sentence, in English or Russian.

Every sentence states the figures of its highlight and nothing else; a change is called
a rise or a fall only when its verdict says so, and a verdict that could not be given is
said as such ("too early to tell"). Names from the data are values, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadkit.periods import parse_period
from leadkit.render import labels as L
from leadkit.results import Highlight, Result
from leadkit.scope import Filters

Sentence = Callable[[dict[str, Any], str], str]
EN, RU = "en", "ru"


def _period(label: str | None, lang: str) -> str:
    """A period at the start of a sentence: capitalised, a week with its days."""
    return L.period_title(parse_period(label) if label else None, lang)


def _within(label: str, lang: str) -> str:
    """A period inside a sentence: "November 2025", «ноябрь 2025»."""
    return L.period_words(parse_period(label), lang)


def _pct(x: Any, lang: str) -> str:
    return L.percent(x, lang)


def _interval(f: dict[str, Any], lang: str, prefix: str = "") -> str:
    low, high = _pct(f[f"{prefix}ci_low_pct"], lang), _pct(f[f"{prefix}ci_high_pct"], lang)
    return f"{low}–{high}"


def scope(f: dict[str, Any], lang: str) -> str:
    leads, opened = L.count_words(f["leads"], "leads", lang), L.number(f["open"], lang)
    period, rate, share = _period(f["period"], lang), _pct(f["conversion_pct"], lang), _pct(f["open_pct"], lang)
    level = L.percent_plain(f["confidence"] * 100, lang)
    if lang == RU:
        interval = _interval(f, lang)
        return f"{period}: {leads}, конверсия {rate} (интервал {level}: {interval}); ещё открыты {opened} ({share})."
    return (
        f"{period}: {leads}, {rate} converted ({level} interval {_interval(f, lang)}); {opened} ({share}) still open."
    )


WHAT = {
    "change": {EN: "conversion", RU: "конверсия"},
    "lost_change": {EN: "the share of leads lost", RU: "доля неуспешных"},
}
MOVES = {
    EN: {"up": "rose", "down": "fell", "no_change": "moved"},
    RU: {"up": "выросла", "down": "снизилась", "no_change": "изменилась"},
}


def _change(f: dict[str, Any], lang: str, kind: str) -> str:
    base, verdict, days = _within(f["base_period"], lang), f["verdict"], f.get("horizon_days")
    what = WHAT[kind][lang]
    if verdict == "no_base":
        return f"Нет обращений за {base} для сравнения." if lang == RU else f"No leads in {base} to compare with."
    if verdict == "too_few":
        return (f"Сравнение с предыдущим периодом ({base}): слишком мало обращений, чтобы судить." if lang == RU
                else f"Against the previous period ({base}): too few leads to tell.")  # fmt: skip
    if verdict == "too_early":
        return _too_early(f, lang, base, days)
    fair = days is not None
    now = f["horizon_pct"] if fair else f.get("conversion_pct", f.get("lost_pct"))
    before = f["base_horizon_pct"] if fair else f.get("base_conversion_pct", f.get("base_lost_pct"))
    change = f["fair_change_pp"] if fair else f["pp_change"]
    within, move = _span(days, lang), MOVES[lang][verdict]
    if lang == RU:
        judged = "значимо" if verdict != "no_change" else "в пределах случайного"
        return (f"Сравнение с предыдущим периодом ({base}): {what}{within} {move} с {_pct(before, lang)} "
                f"до {_pct(now, lang)} ({L.points(change, lang)}, {judged}).")  # fmt: skip
    judged = "significant" if verdict != "no_change" else "within chance"
    return (f"Against the previous period ({base}), {what}{within} {move} from {_pct(before, lang)} "
            f"to {_pct(now, lang)} ({L.points(change, lang)}, {judged}).")  # fmt: skip


def _span(days: int | None, lang: str) -> str:
    """ " within 7 days of creation" / « за 7 дней с создания», or nothing for a raw comparison."""
    if days is None:
        return ""
    span = L.count_words(days, "days", lang)
    return f" за {span} с создания" if lang == RU else f" within {span} of creation"


def _too_early(f: dict[str, Any], lang: str, base: str, days: int | None) -> str:
    if days is None:
        if lang == RU:
            return f"Сравнение с предыдущим периодом ({base}): рано судить — период ещё не закончился."
        return f"Against the previous period ({base}): too early to tell — the period has not ended yet."
    followed, span = _pct(f["followed_pct"], lang), L.count_words(days, "days", lang)
    if lang == RU:
        return (f"Сравнение с предыдущим периодом ({base}): рано судить — лишь {followed} обращений "
                f"прослежены {span}.")  # fmt: skip
    return (
        f"Against the previous period ({base}): too early to tell — only {followed} of the leads were followed {span}."
    )


def change(f: dict[str, Any], lang: str) -> str:
    return _change(f, lang, "change")


def lost_change(f: dict[str, Any], lang: str) -> str:
    return _change(f, lang, "lost_change")


def best_worst(f: dict[str, Any], lang: str) -> str:
    key = f["key"]
    best, worst = L.value(f[f"best_{key}"], lang), L.value(f[f"worst_{key}"], lang)
    b, w = _pct(f["best_conversion_pct"], lang), _pct(f["worst_conversion_pct"], lang)
    bi, wi = _interval(f, lang, "best_"), _interval(f, lang, "worst_")
    if lang == RU:
        return f"Лучший тип обращений — {best}: {b} ({bi}); худший — {worst}: {w} ({wi}); интервалы не пересекаются."
    return f"Best lead type: {best}, {b} ({bi}); worst: {worst}, {w} ({wi}) — the intervals do not overlap."


def largest_change(f: dict[str, Any], lang: str) -> str:
    key, base = f["key"], _within(f["base_period"], lang)
    noun = {("lead_type", EN): "lead type", ("manager", EN): "manager", ("lead_type", RU): "тип обращений",
            ("manager", RU): "менеджер"}[key, lang]  # fmt: skip
    if f[key] is None:
        if lang == RU:
            return f"Ни один {noun} не изменился сверх случайного по сравнению с предыдущим периодом ({base})."
        return f"No {noun} changed beyond chance against the previous period ({base})."
    days = f.get("horizon_days")
    now, before = (f["horizon_pct"], f["base_horizon_pct"]) if days else (f["conversion_pct"], f["base_conversion_pct"])
    change_pp = f["fair_change_pp"] if days else f["pp_change"]
    name, move = L.value(f[key], lang), MOVES[lang][f["verdict"]]
    span = _span(days, lang)
    if lang == RU:
        return (f"Самое большое значимое изменение — {name}: конверсия{span} {move} с {_pct(before, lang)} "
                f"до {_pct(now, lang)} ({L.points(change_pp, lang)}).")  # fmt: skip
    return (f"Largest significant change: {name}, conversion{span} {move} from {_pct(before, lang)} "
            f"to {_pct(now, lang)} ({L.points(change_pp, lang)}).")  # fmt: skip


def lost(f: dict[str, Any], lang: str) -> str:
    period, pct, leads = _period(f["period"], lang), _pct(f["lost_pct"], lang), L.count_words(f["leads"], "leads", lang)
    if lang == RU:
        return f"{period}: закрыто неуспешно {L.number(f['lost'], lang)} — {pct} из {leads}."
    return f"{period}: {L.count_words(f['lost'], 'lost_leads', lang)}, {pct} of {leads}."


def top_reasons(f: dict[str, Any], lang: str) -> str:
    parts = []
    for r in f["reasons"]:
        shown = f"{L.value(r['reason'], lang)} — {L.number(r['leads'], lang)} ({_pct(r['share_pct'], lang)}"
        if r.get("verdict") in ("up", "down"):
            word = {"up": {EN: "up", RU: "рост"}, "down": {EN: "down", RU: "снижение"}}[r["verdict"]][lang]
            shown += f"; {word} {L.points(r['fair_change_pp'], lang)}"
        parts.append(shown + ")")
    head = "Главные причины" if lang == RU else "Top reasons"
    tail = ""
    if all(r.get("verdict") in ("no_change",) for r in f["reasons"]):
        tail = "; ни одна не изменилась сверх случайного" if lang == RU else "; none changed beyond chance"
    return f"{head}: {'; '.join(parts)}{tail}."


def no_reason(f: dict[str, Any], lang: str) -> str:
    pct, n = _pct(f["share_pct"], lang), L.number(f["leads"], lang)
    if lang == RU:
        return (f"Внимание: у {pct} неуспешных обращений ({n}) нет причины — назовите статусы группы "
                "«Закрыто неуспешно» по причинам.")  # fmt: skip
    return f"Warning: {pct} of lost leads ({n}) have no reason — name the Lost statuses after the reasons."


NAMED = 10  # a sentence names at most this many managers, then says how many more


def named(items: list[str], lang: str) -> str:
    """ "Ann, Bob" — or the first ``NAMED`` names and "and 25 more" / «и ещё 25»."""
    shown = ", ".join(L.value(m, lang) for m in items[:NAMED])
    rest = len(items) - NAMED
    if rest <= 0:
        return shown
    return f"{shown} и ещё {L.number(rest, lang)}" if lang == RU else f"{shown} and {L.number(rest, lang)} more"


def team(f: dict[str, Any], lang: str) -> str:
    names = lambda items: named(items, lang)  # noqa: E731
    parts = [f"Конверсия команды: {_pct(f['team_pct'], lang)}." if lang == RU
             else f"Team conversion: {_pct(f['team_pct'], lang)}."]  # fmt: skip
    if f["above"] or f["below"]:
        above = names(f["above"]) or ("никто" if lang == RU else "nobody")
        below = names(f["below"]) or ("никто" if lang == RU else "nobody")
        parts.append(f"Выше контрольных границ: {above}; ниже: {below}." if lang == RU
                     else f"Above the control limits: {above}; below: {below}.")  # fmt: skip
    else:
        parts.append("Все менеджеры в пределах контрольных границ." if lang == RU
                     else "Every manager is within the control limits.")  # fmt: skip
    if f["few_leads"]:
        least = L.number(f["min_leads"], lang)
        if lang == RU:
            few = L.count_words(f["few_leads"], "managers_gen", lang)
            parts.append(f"У {few} слишком мало обращений (меньше {least}), чтобы судить.")
        else:
            verb = "has" if f["few_leads"] == 1 else "have"
            parts.append(f"{L.count_words(f['few_leads'], 'managers', lang)} {verb} too few leads to judge "
                         f"(fewer than {least}).")  # fmt: skip
    return " ".join(parts)


def as_of(f: dict[str, Any], lang: str) -> str:
    filters = L.filters_text(Filters(**{k: tuple(v) for k, v in f["filters"].items()}), lang)
    when = "—"
    if f["as_of"]:
        stamp = datetime.fromisoformat(f["as_of"])
        when = f"{L.day_words(stamp.date(), lang)}, {stamp:%H:%M} ({f['timezone']})"
    if lang == RU:
        line = f"Данные на {when} · Фильтры: {filters}."
        late = " Период начинается позже, чем кончаются данные: обращений за него в источнике ещё нет."
    else:
        line = f"Data as of {when} · Filters: {filters}."
        late = " This period starts after the data ends: the source has no leads for it yet."
    return line + late if f.get("after_data") else line


SENTENCES: dict[str, Sentence] = {
    "scope": scope, "change": change, "best_worst": best_worst, "largest_change": largest_change, "lost": lost,
    "lost_change": lost_change, "top_reasons": top_reasons, "no_reason": no_reason, "team": team, "as_of": as_of,
}  # fmt: skip


def sentence(highlight: Highlight, lang: str) -> str:
    return SENTENCES[highlight.kind](highlight.figures, lang)


def headline(result: Result, lang: str) -> list[tuple[str, str]]:
    """(kind, sentence) for every highlight of ``result``, in order."""
    return [(h.kind, sentence(h, lang)) for h in result.highlights]
