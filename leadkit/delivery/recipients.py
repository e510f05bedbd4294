"""The recipients file: who gets mail, in which language, narrowed to which leads.

A CSV with a header: ``email`` (required), ``name``, ``lang``, ``managers``, ``branches``,
``lead_types``. A list inside a cell is separated by ``;`` or ``|`` (commas separate the
cells); an empty cell keeps all. Every problem is reported at once, by file, row and
column, and nothing is sent while the file has one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from leadkit.exceptions import ParamsError
from leadkit.model import LANGS
from leadkit.params import mail_address, read_text
from leadkit.scope import FILTER_KEYS, Filters, Scope

COLUMNS = ("email", "name", "lang", *FILTER_KEYS)
LIST_SEPARATORS = re.compile(r"[;|]")


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    lang: str
    filters: Filters
    row: int  # the file's row number (the header is row 1), for messages

    def scope(self, base: Scope) -> Scope:
        """``base`` (the params file's period, basis and filters) narrowed by this recipient's filters.

        Narrowed, never widened: where both filter a column, the recipient keeps the values in both;
        none in both is an error (an empty filter would mean every lead).
        """
        narrowed: dict[str, tuple[str, ...]] = {}
        for key in FILTER_KEYS:
            mine, allowed = getattr(self.filters, key), getattr(base.filters, key)
            if mine:
                kept = tuple(v for v in mine if not allowed or v in allowed)
                if not kept:
                    raise ParamsError(
                        f"row {self.row}, column {key}: {', '.join(mine)} lie outside the params file's filters "
                        f"({', '.join(allowed)}); a recipient's filters can only narrow them"
                    )
                narrowed[key] = kept
        return replace(base, filters=replace(base.filters, **narrowed))


@dataclass(frozen=True)
class Group:
    """Recipients who get the same reports: one scope, one language, one build."""

    scope: Scope
    lang: str
    recipients: tuple[Recipient, ...]

    @property
    def slug(self) -> str:
        """The group's folder name: its language and, for a filtered scope, a short hash of the filters."""
        if not self.scope.filters.active:
            return f"{self.lang}-all"
        text = json.dumps(self.scope.filters.as_dict(), sort_keys=True, ensure_ascii=False)
        return f"{self.lang}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def _values(cell: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in LIST_SEPARATORS.split(cell) if v.strip())


def _read_rows(path: Path) -> list[dict[str, str]]:
    text = read_text(path, "recipients file", "; write it (email,name,lang,managers,...)", " as UTF-8", "utf-8-sig")
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in COLUMNS]
    if "email" not in header or unknown:
        what = f"unknown column(s) {', '.join(unknown)}" if unknown else "no email column"
        raise ParamsError(f"recipients file {path}, row 1: {what}; the columns are {', '.join(COLUMNS)}")
    reader.fieldnames = header
    return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def load_recipients(path: Path, default_lang: str) -> list[Recipient]:
    """Every recipient of ``path``, or one ``ParamsError`` naming each bad cell."""
    problems: list[str] = []
    found: list[Recipient] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(_read_rows(path), start=2):
        if not any(row.values()):
            continue  # a blank line
        email, lang = row.get("email", ""), (row.get("lang") or default_lang).lower()
        try:
            email = mail_address(email)
        except ValueError as exc:
            problems.append(f"row {number}, column email: {exc}" if email else f"row {number}, column email: empty")
        if email.lower() in seen:
            problems.append(f"row {number}, column email: {email} is already on row {seen[email.lower()]}")
        seen.setdefault(email.lower(), number)
        if lang not in LANGS:
            problems.append(f"row {number}, column lang: {row['lang']!r} is not one of {', '.join(LANGS)}")
        name = row.get("name", "")
        if any(c in name for c in "\r\n\0"):
            problems.append(f"row {number}, column name: must be one line")
        filters = Filters(**{key: _values(row.get(key, "")) for key in FILTER_KEYS})
        found.append(Recipient(email, name, lang, filters, number))
    if not found and not problems:
        problems.append("no recipients; add a row per person")
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ParamsError(f"recipients file {path}: {len(problems)} problem(s):\n{lines}\nFix it, then run again.")
    return found


def group_recipients(recipients: list[Recipient], base: Scope, path: Path) -> list[Group]:
    """Recipients with the same scope and language, in file order: each group is built once."""
    groups: dict[tuple[Scope, str], list[Recipient]] = {}
    problems: list[str] = []
    for r in recipients:
        try:
            groups.setdefault((r.scope(base), r.lang), []).append(r)
        except ParamsError as exc:
            problems.append(str(exc))
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ParamsError(f"recipients file {path}: {len(problems)} problem(s):\n{lines}")
    return [Group(scope, lang, tuple(members)) for (scope, lang), members in groups.items()]
