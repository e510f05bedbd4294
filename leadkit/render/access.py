"""The dashboard's access lines: whose view the page is, or that access is not granted and whom to ask.

Plain values in (the user as the proxy named them, their allowance, the contact from the
params), escaped HTML out: a user name or a contact is never read as markup.
"""

from __future__ import annotations

import html
import re

from leadkit.render import labels as L
from leadkit.scope import Filters

ACCESS_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "view": "Your view — {leads} (signed in as {user}).",
        "all_leads": "all leads",
        "denied": "You have no access to these reports.",
        "unknown_user": "The sign-in {user} is not on the list of people who may see them.",
        "no_user": "The dashboard does not know who you are: open it through the sign-in link you were given.",
        "ask": "To get access, contact {contact}.",
        "ask_anyone": "To get access, ask whoever runs these reports to add you.",
        "failed": "leadkit: {message} — whoever runs this dashboard needs to fix {where}.",
        "fix_period": "the period (or basis) in the params file",
        "fix_data": "the data (the params file's source, or the file it names)",
        "fix_params": "the params file",
    },
    "ru": {
        "view": "Ваш доступ — {leads} (вход: {user}).",
        "all_leads": "все обращения",
        "denied": "У вас нет доступа к этим отчётам.",
        "unknown_user": "Учётной записи {user} нет в списке тех, кому они открыты.",
        "no_user": "Панель не знает, кто вы: откройте её по ссылке со входом, которую вам дали.",
        "ask": "Чтобы получить доступ, напишите: {contact}.",
        "ask_anyone": "Чтобы получить доступ, попросите того, кто ведёт эти отчёты, добавить вас.",
        "failed": "leadkit: {message} — тому, кто ведёт эту панель, нужно исправить {where}.",
        "fix_period": "период (или базу) в файле параметров",
        "fix_data": "данные (source в файле параметров или файл, на который он указывает)",
        "fix_params": "файл параметров",
    },
}
VIEW_STYLE = "margin: 4px 0 8px; color: #1f3f66; font-weight: bold;"
DENIED_STYLE = (
    "margin: 12px 0; padding: 10px 14px; max-width: 46em; color: #7a1f1c; background: #fbeceb; "
    "border-left: 4px solid #c0504d; font-size: 15px; line-height: 1.45;"
)


def view_text(user: str, allowance: Filters, lang: str) -> str:
    """The line "Your view — Managers: Anna Ivanova (signed in as anna@example.com)."; all leads: empty allowance."""
    words = ACCESS_WORDS[lang]
    leads = L.filters_text(allowance, lang) if allowance.active else words["all_leads"]
    return words["view"].format(leads=leads, user=L.clean(user[:200]))


def view_html(user: str, allowance: Filters, lang: str) -> str:
    return f'<p class="leadkit-viewer" style="{VIEW_STYLE}">{html.escape(view_text(user, allowance, lang))}</p>'


def denied_text(user: str, contact: str | None, lang: str) -> str:
    """One paragraph: no access, why (an unknown sign-in, or none), and whom to ask."""
    words = ACCESS_WORDS[lang]
    why = words["unknown_user"].format(user=L.clean(user[:200])) if user else words["no_user"]
    ask = words["ask"].format(contact=contact) if contact else words["ask_anyone"]
    return f"{words['denied']} {why} {ask}"


def denied_html(user: str, contact: str | None, lang: str) -> str:
    text = html.escape(denied_text(user, contact, lang))
    return f'<p class="leadkit-denied" role="alert" style="{DENIED_STYLE}">{text}</p>'


def failed_html(message: str, fix: str, lang: str) -> str:
    """A dashboard that could not be built: what is wrong (leadkit's message) and what must be fixed, escaped.

    ``fix``: "period", "data" or "params". Files are named without their server folders.
    """
    words = ACCESS_WORDS[lang]
    said = re.sub(r"(?<![\w.])/(?:[^\s/:]+/)+([^\s/:]+)", r"\1", message)  # no server path to the reader
    text = words["failed"].format(message=said, where=words[f"fix_{fix}"])
    return f'<p class="leadkit-error" style="{DENIED_STYLE}">{html.escape(text)}</p>'
