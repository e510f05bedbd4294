"""`leadkit alert`: mail only when something really changed, or leads wait too long.

Two alerts, per scope (the params file's, and each recipient's):

- **change**: the last whole month (or week) against the one before, with the fair,
  maturity-aware comparison of the lead-conversion report. It fires only when its verdict
  is *up* or *down* (never *too early*, *too few* or *no change*) and both periods have at
  least ``alerts.min_leads`` leads.
- **waiting**: leads still in a New-group status more than ``alerts.new_status_hours``
  hours after creation, at the data's cut-off, listed per manager.

The owner gets every alert that fired, in one message; each recipient the alerts of
their own scope. An alert already sent to an address within ``alerts.rearm_hours`` is
not sent to it again (the alert log at the delivery root, written after each accepted
message).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pandas as pd

from leadkit.delivery.content import notice_message
from leadkit.delivery.ledger import ALERTS_NAME, AlertLog, delivering
from leadkit.delivery.recipients import group_recipients, load_recipients
from leadkit.delivery.run import Outcome, default_root, delivery_of, read_once, write_eml
from leadkit.delivery.smtp import Mailer, SendError
from leadkit.frames import fetch
from leadkit.leads import Leads
from leadkit.log import get_logger
from leadkit.params import Params
from leadkit.periods import Period, parse_period
from leadkit.render import labels as L
from leadkit.render.headline import sentence
from leadkit.reports import compute
from leadkit.reports.maturity import data_as_of
from leadkit.reports.selection import raw_conditions
from leadkit.results import ConversionResult
from leadkit.scope import Scope

log = get_logger("delivery")
SIGNIFICANT = ("up", "down")
WAITING_SHOWN = 50  # leads listed per manager; the count says how many more
WORDS = {
    "en": {"alert": "leadkit alert", "change_up": "conversion rose", "change_down": "conversion fell",
           "waiting": "{leads} still New after {hours} h", "intro": "What changed, and where:",
           "scope": "Filters: {filters}", "more": "… and {n} more"},
    "ru": {"alert": "leadkit: внимание", "change_up": "конверсия выросла", "change_down": "конверсия снизилась",
           "waiting": "{leads} всё ещё в статусе «Новый» дольше {hours} ч",
           "intro": "Что изменилось и где:", "scope": "Фильтры: {filters}", "more": "… и ещё {n}"},
}  # fmt: skip


@dataclass(frozen=True)
class Alert:
    """One alert that fired for one scope: a key (for re-arming), a title and its lines, per language."""

    key: str
    scope: Scope
    title: dict[str, str]
    lines: dict[str, list[str]]


def _slug(scope: Scope) -> str:
    return hashlib.sha256(repr(scope.filters.as_dict()).encode()).hexdigest()[:12]


def change_alert(result: ConversionResult, min_leads: int) -> Alert | None:
    """The fair change against the previous period, if significant on enough leads; else None."""
    comparison = result.comparisons.get("previous")
    if comparison is None:
        return None
    total = comparison.total
    verdict = total.get("verdict")
    if verdict not in SIGNIFICANT or min(int(total["leads"]), int(total["base_leads"])) < min_leads:
        return None
    change = next((h for h in result.highlights if h.kind == "change"), None)
    scope, period = result.meta.scope, result.meta.scope.period
    key = f"change|{_slug(scope)}|{period.label if period else 'all'}|{verdict}"
    title, lines = {}, {}
    for lang in WORDS:
        title[lang] = f"{WORDS[lang][f'change_{verdict}']} — {L.period_title(period, lang)}"
        found = [sentence(change, lang)] if change else []
        lines[lang] = [*found, WORDS[lang]["scope"].format(filters=L.filters_text(scope.filters, lang))]
    return Alert(key, scope, title, lines)


def waiting_leads(leads: Leads, scope: Scope, hours: float) -> pd.DataFrame:
    """Leads in the scope's filters still New more than ``hours`` after creation, at the data's cut-off."""
    as_of = data_as_of(leads)
    if as_of is None or "created_at" not in leads.dated:
        return pd.DataFrame(columns=["lead_id", "created_at", "manager", "lead_type", "status"])
    t = leads.table
    _, passes = raw_conditions(t, replace(scope, period=None))
    old = t.filter(passes, t.status_group == "new", t.created_at < as_of - timedelta(hours=hours))
    columns = ("lead_id", "created_at", "manager", "lead_type", "status")
    return fetch(old.select(*columns).order_by(["manager", "created_at"]))


def waiting_alert(leads: Leads, scope: Scope, hours: float) -> Alert | None:
    frame = waiting_leads(leads, scope, hours)
    if frame.empty:
        return None
    ids = ",".join(sorted(str(i) for i in frame["lead_id"]))
    key = f"waiting|{_slug(scope)}|{hashlib.sha256(ids.encode()).hexdigest()[:12]}"
    hours_text = f"{hours:g}"
    title, lines = {}, {}
    for lang, words in WORDS.items():
        title[lang] = words["waiting"].format(leads=L.count_words(len(frame), "leads", lang), hours=hours_text)
        lines[lang] = [words["scope"].format(filters=L.filters_text(scope.filters, lang))]
        for manager, rows in frame.groupby("manager", sort=True, dropna=False):
            shown = [f"{L.value(r.lead_id, lang)} ({L.stamp(r.created_at, lang)}, {L.value(r.lead_type, lang)}, "
                     f"{L.value(r.status, lang)})" for r in rows.head(WAITING_SHOWN).itertuples()]  # fmt: skip
            extra = [words["more"].format(n=len(rows) - WAITING_SHOWN)] if len(rows) > WAITING_SHOWN else []
            lines[lang].append(f"{L.value(manager, lang)}: " + "; ".join(shown + extra))
    return Alert(key, scope, title, lines)


def alerts_for(params: Params, leads: Leads, scope: Scope) -> list[Alert]:
    settings = delivery_of(params).alerts
    found: list[Alert | None] = []
    result = compute("lead_conversion", leads, scope, params.method())
    assert isinstance(result, ConversionResult)
    found.append(change_alert(result, settings.min_leads))
    if settings.new_status_hours is not None:
        found.append(waiting_alert(leads, scope, settings.new_status_hours))
    return [a for a in found if a is not None]


def run_alerts(
    params: Params,
    period: Period | None = None,
    *,
    out: Path | None = None,
    dry_run: Path | None = None,
    mailer: Mailer | None = None,
) -> Outcome:
    """Check every scope and mail what fired; see the module docstring."""
    delivery = delivery_of(params)
    settings = delivery.alerts
    period = period or parse_period(f"previous-{settings.every}")
    path = params.resolve(delivery.recipients)
    base = replace(params.scope(), period=period)
    groups = group_recipients(load_recipients(path, params.lang), base, path)
    if dry_run is None and mailer is None:
        mailer = Mailer.from_env(delivery.smtp)
    root = (out or default_root(params)).resolve()
    outcome = Outcome()
    with delivering(root):
        _, leads = read_once(params, period)
        scopes = list(dict.fromkeys([base, *(g.scope for g in groups)]))
        fired = {s: alerts_for(params, leads, s) for s in scopes}
        everything = [a for s in scopes for a in fired[s]]
        audience: list[tuple[str, str, list[Alert]]] = [(delivery.owner, params.lang, everything)]
        audience += [(r.email, r.lang, fired[g.scope]) for g in groups for r in g.recipients]
        log_ = AlertLog(root / ALERTS_NAME)
        for address, lang, alerts in audience:
            due = [a for a in alerts if not log_.recent(f"{a.key}|{address.lower()}", settings.rearm_hours)]
            outcome.skipped += [(address, f"alert {a.key} sent recently") for a in alerts if a not in due]
            if due:
                _send(params, address, lang, due, period, mailer, dry_run, log_, outcome)
    return outcome


def _send(
    params: Params,
    address: str,
    lang: str,
    due: list[Alert],
    period: Period,
    mailer: Mailer | None,
    dry_run: Path | None,
    log_: AlertLog,
    outcome: Outcome,
) -> None:
    delivery = delivery_of(params)
    # The first alert, and how many more: a long encoded subject loses spaces in Python's folding.
    more = f" (+{len(due) - 1})" if len(due) > 1 else ""
    title = f"{WORDS[lang]['alert']}: {due[0].title[lang]}{more}"
    lines = [f"{a.title[lang]}\n" + "\n".join(a.lines[lang]) for a in due]
    message = notice_message(delivery.sender, address, lang, title, WORDS[lang]["intro"], lines)
    if dry_run is not None:
        outcome.written.append(write_eml(dry_run / f"alerts-{period.label}", address, message))
        return
    assert mailer is not None  # set whenever not a dry run
    try:
        mailer.send(message)
    except SendError as exc:
        outcome.failed.append((address, exc.text))
        log.warning("alert not sent to %s: %s", address, exc.text)
        return
    for a in due:
        log_.record(f"{a.key}|{address.lower()}", str(message["Message-ID"]), a.title["en"])
    outcome.sent.append(address)
