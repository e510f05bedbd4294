"""`leadkit deliver`: build each recipient's reports once per scope and mail each person once.

The source is read once. Recipients who share a scope and a language share one build (the
batch pipeline: a snapshot, notebooks, atomic publish into ``OUT/<group>/<period>/``) and
the data fingerprint of their leads. A message is logged only once the server accepted
it, so a rerun sends what is missing and nothing else; ``--resend`` sends again, and
``--dry-run DIR`` writes ``.eml`` files and logs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path

from leadkit.atomic import atomic_path
from leadkit.delivery.content import notice_message, report_message, word
from leadkit.delivery.ledger import NAME, Ledger, delivering
from leadkit.delivery.recipients import Group, Recipient, group_recipients, load_recipients
from leadkit.delivery.smtp import Mailer, SendError
from leadkit.exceptions import LeadkitError, ParamsError
from leadkit.frames import fetch
from leadkit.ingest import source_data
from leadkit.leads import Leads, from_source
from leadkit.log import get_logger
from leadkit.params import Delivery, Params
from leadkit.periods import Period
from leadkit.pipeline.batch import ALL_TIME, run_batch
from leadkit.reports import compute_many
from leadkit.reports.selection import scoped
from leadkit.scope import FILTER_COLUMNS, Scope
from leadkit.snapshot import fingerprint
from leadkit.sources import SourceData

log = get_logger("delivery")


@dataclass
class Outcome:
    """What a delivery (or alert run) did, per recipient address."""

    sent: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (address, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (address, what went wrong)
    written: list[Path] = field(default_factory=list)  # --dry-run: the .eml files
    owner_notified: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


def delivery_of(params: Params) -> Delivery:
    if params.delivery is None:
        raise ParamsError("the params file has no delivery: block; add one (see the README, section Delivery)")
    return params.delivery


def default_root(params: Params) -> Path:
    return params.resolve(params.output.dir) / "delivery"


def write_eml(folder: Path, name: str, message: EmailMessage) -> Path:
    """A message as an .eml file (atomically), for --dry-run."""
    safe = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in name)
    with atomic_path(folder / f"{safe}.eml") as tmp:
        tmp.write_bytes(message.as_bytes())
    return folder / f"{safe}.eml"


def unmatched(group: Group, data: SourceData) -> list[str]:
    """Filter values of a group that no lead has: a misspelt name would silently mean an empty report."""
    problems = []
    for key, values in group.scope.filters.as_dict().items():
        known = set(data.pandas()[FILTER_COLUMNS[key]].dropna().astype(str))
        missing = [v for v in values if v not in known]
        if missing:
            problems.append(f"{key} {', '.join(repr(v) for v in missing)}: no lead in the data has it")
    return problems


def scope_fingerprint(leads: Leads, scope: Scope) -> str:
    """The leads a recipient's reports are about (their period, their filters), as one hash.

    Leads created later, or outside the recipient's filters, do not change it: new data
    elsewhere sends nobody a second message.
    """
    frame = fetch(scoped(leads, scope).order_by("lead_id"))
    return fingerprint(frame)


@dataclass
class Run:
    """One delivery: its settings, the data read once, and what happened."""

    params: Params
    period: Period | None
    root: Path
    mailer: Mailer | None
    dry_run: Path | None
    resend: bool
    workers: int | None = None
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def delivery(self) -> Delivery:
        return delivery_of(self.params)

    @property
    def label(self) -> str:
        return self.period.label if self.period else ALL_TIME

    def fail(self, recipients: tuple[Recipient, ...] | list[Recipient], why: str) -> None:
        for r in recipients:
            self.outcome.failed.append((r.email, f"row {r.row}: {why}"))
            log.warning("not sent to %s: %s", r.email, why)

    def group(self, group: Group, data: SourceData, leads: Leads) -> None:
        problems = unmatched(group, data)
        if problems:
            self.fail(group.recipients, "; ".join(problems) + " — check the recipients file")
            return
        print_ = scope_fingerprint(leads, group.scope)
        ledger = Ledger(self.root / group.slug / self.label / NAME)
        todo = [r for r in group.recipients if self.resend or self.dry_run or not ledger.sent(r.email, print_)]
        self.outcome.skipped += [(r.email, "already sent for these data (--resend sends again)")
                                 for r in group.recipients if r not in todo]  # fmt: skip
        if not todo:
            return
        reports: list[str] = list(self.delivery.reports)
        results = compute_many(reports, leads, group.scope, self.params.method())
        empty = results[0].meta.data_quality.leads_in_scope == 0
        if empty and self.delivery.when_empty == "skip":
            self.outcome.skipped += [(r.email, "no leads this period (when_empty: skip)") for r in todo]
            return
        note_only = empty and self.delivery.when_empty == "note"
        attachments = [] if note_only else self.build(group, data, todo)
        if attachments is None:
            return
        for r in todo:
            message = report_message(
                sender=self.delivery.sender, to=(r.name, r.email), lang=group.lang, period=self.period,
                filters=group.scope.filters, reports=reports, results=results, attachments=attachments,
                empty_note=note_only,
            )  # fmt: skip
            self.send(r, message, ledger, print_)

    def build(self, group: Group, data: SourceData, todo: list[Recipient]) -> list[Path] | None:
        """The group's full reports, built (or found up to date) by the batch; None if any failed."""
        reports: list[str] = list(self.delivery.reports)
        formats = ("html", *self.delivery.attach)
        out = self.root / group.slug
        summary = run_batch(
            self.params, [self.period], scope=group.scope, lang=group.lang, reports=reports, out=out,
            formats=formats, workers=self.workers, show_progress=False, data=data, data_dir=self.root / ".data",
        )  # fmt: skip
        if not summary.ok:
            errors = "; ".join(f"{r}: {e}" for failed in summary.failed.values() for r, e in failed.items())
            self.fail(todo, f"building the reports failed: {errors}")
            return None
        return [out / self.label / f"{r}.{fmt}" for r in reports for fmt in formats]

    def send(self, r: Recipient, message: EmailMessage, ledger: Ledger, print_: str) -> None:
        if self.dry_run is not None:
            self.outcome.written.append(write_eml(self.dry_run / self.label, r.email, message))
            return
        assert self.mailer is not None  # set whenever not a dry run
        try:
            self.mailer.send(message)
        except SendError as exc:
            self.fail([r], exc.text)
            return
        ledger.record(r.email, print_, self.label, str(message["Message-ID"]))  # only what the server accepted
        self.outcome.sent.append(r.email)
        log.info("sent %s to %s", self.label, r.email)

    def notify_owner(self) -> None:
        """One message to the owner listing every failure (or, on a dry run, an .eml of it)."""
        if not self.outcome.failed:
            return
        lang = self.params.lang
        lines = [f"{email} — {why}" for email, why in self.outcome.failed]
        title = f"{word('failed', lang)} — {self.label}"
        message = notice_message(self.delivery.sender, self.delivery.owner, lang, title,
                                 word("failed_intro", lang), lines)  # fmt: skip
        if self.dry_run is not None:
            self.outcome.written.append(write_eml(self.dry_run / self.label, f"owner-{self.delivery.owner}", message))
            return
        assert self.mailer is not None
        try:
            self.mailer.send(message)
            self.outcome.owner_notified = True
        except SendError as exc:
            log.error("the owner %s could not be told either: %s", self.delivery.owner, exc.text)


def read_once(params: Params, period: Period | None) -> tuple[SourceData, Leads]:
    """The source (an API source syncs first) and the same rows as leads for the mail bodies."""
    data = source_data(params, refresh="always")  # an API source syncs first; a file is read once
    Scope(period=period, basis=params.basis).require_dates(data.dated, data.label)
    return data, from_source(data, params.timezone)


def deliver(
    params: Params,
    period: Period | None,
    *,
    out: Path | None = None,
    dry_run: Path | None = None,
    resend: bool = False,
    mailer: Mailer | None = None,
    workers: int | None = None,
) -> Outcome:
    """Send every recipient their reports for ``period`` once; see the module docstring."""
    delivery = delivery_of(params)
    path = params.resolve(delivery.recipients)
    groups = group_recipients(load_recipients(path, params.lang), replace(params.scope(), period=period), path)
    if dry_run is None and mailer is None:
        mailer = Mailer.from_env(delivery.smtp)
    root = (out or default_root(params)).resolve()
    run = Run(params, period, root, mailer, dry_run.resolve() if dry_run else None, resend, workers)
    with delivering(root):
        data, leads = read_once(params, period)
        for group in groups:
            try:
                run.group(group, data, leads)
            except LeadkitError as exc:  # one group's problem is reported; the others still get their mail
                run.fail(group.recipients, str(exc))
        run.notify_owner()
    return run.outcome
