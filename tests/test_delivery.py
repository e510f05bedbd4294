"""`leadkit deliver` end to end, through a real SMTP server on 127.0.0.1 (aiosmtpd).

The reports are built once for the module (a dry run); every test copies that build, so
it is found up to date, and then sends for real. What arrives is parsed back with
``email`` and checked against the API's figures for the same scope.
"""

from __future__ import annotations

import base64
import json
import shutil
from dataclasses import replace
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
import yaml
from smtp_server import Handler, smtp_server

from leadkit.api import lead_conversion
from leadkit.cli import main
from leadkit.delivery.run import deliver, scope_fingerprint
from leadkit.delivery.smtp import Mailer
from leadkit.leads import from_source, load_leads
from leadkit.params import Params, load_params
from leadkit.periods import parse_period
from leadkit.render.jsonout import to_dict
from leadkit.scope import Filters, Scope
from leadkit.sources import read_source

pytestmark = pytest.mark.slow
SENTINEL = "S3cr3t-sentinel"
PERIOD = parse_period("2025-11")
RECIPIENTS = (
    "email,name,lang,managers,branches,lead_types\n"
    "emma@example.com,Emma <b>Davis</b>,en,Emma Davis,,\n"
    "olga@example.com,Olga,en,Emma Davis,,\n"
    "ivan@example.com,Иван,ru,Noah Evans;Liam Carter,,\n"
    "all@example.com,,en,,,\n"
)
EVERYONE = ["emma@example.com", "olga@example.com", "ivan@example.com", "all@example.com"]
OWNER = "boss@example.com"


def write_params(folder: Path, port: int = 1, recipients: str = RECIPIENTS, **delivery: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "recipients.csv").write_text(recipients, encoding="utf-8")
    data = {
        "source": {"kind": "demo", "rows": 3000, "seed": 7, "start": "2024-01-01", "end": "2025-12-31"},
        "timezone": "Europe/Kyiv",
        "output": {"dir": "out"},
        "delivery": {
            "smtp": {"host": "127.0.0.1", "port": port, "starttls": False, "retries": 1, "backoff": 0.01},
            "from": "Lead reports <reports@example.com>",
            "recipients": "recipients.csv",
            "reports": ["lead_conversion", "lost_leads"],
            "attach": ["pdf", "xlsx"],
            "owner": OWNER,
            **delivery,
        },
    }
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def mailer(params: Params) -> Mailer:
    assert params.delivery is not None
    return Mailer(params.delivery.smtp, None, sleep=lambda _: None)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The four recipients' reports, built once (three groups: Emma and Olga share one)."""
    folder = tmp_path_factory.mktemp("built")
    params = load_params(write_params(folder))
    outcome = deliver(params, PERIOD, dry_run=folder / "eml", workers=2)
    assert outcome.ok and len(outcome.written) == 4, outcome
    return folder


@pytest.fixture
def site(built, tmp_path) -> Path:
    """A copy of the build: the reports are found up to date, the delivery log is empty."""
    shutil.copytree(built / "out", tmp_path / "out")
    return tmp_path


@pytest.fixture(scope="module")
def managers(built) -> set[str]:
    names = set(load_leads(load_params(built / "params.yaml")).table.manager.to_pandas().dropna())
    return names - {"(unassigned)"}  # a marker the definitions name, not a manager


def parts_text(message: EmailMessage) -> str:
    """Every text part and every HTML attachment of a message, decoded."""
    texts = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            texts.append(part.get_content())
    return "\n".join(texts)


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {str(p.get_filename()): p.get_payload(decode=True) for p in message.iter_attachments()}  # type: ignore[misc]


def logs(root: Path) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in root.rglob("delivery-log.json"):
        found |= json.loads(path.read_text())["sent"]
    return found


def test_each_recipient_gets_their_own_reports_once(site, managers):
    with smtp_server() as server:
        params = load_params(write_params(site, server.port))
        outcome = deliver(params, PERIOD, mailer=mailer(params))
        assert outcome.ok and sorted(outcome.sent) == sorted(EVERYONE)
        handler = server.handler
        assert sorted(rcpt[0] for _, rcpt, _ in handler.accepted) == sorted(EVERYONE)
        assert all(len(rcpt) == 1 and sender == "reports@example.com" for sender, rcpt, _ in handler.accepted)
        groups = [p for p in (site / "out" / "delivery").iterdir() if p.is_dir() and not p.name.startswith(".")]
        assert len(groups) == 3  # Emma and Olga share a scope, so a build
        assert len(logs(site / "out")) == 4

        # A rerun sends nothing; --resend sends again.
        again = deliver(params, PERIOD, mailer=mailer(params))
        assert again.sent == [] and len(again.skipped) == 4 and len(handler.accepted) == 4
        assert all("already sent" in why for _, why in again.skipped)
        resent = deliver(params, PERIOD, mailer=mailer(params), resend=True)
        assert sorted(resent.sent) == sorted(EVERYONE) and len(handler.accepted) == 8

    messages = {str(m["To"]): m for m in handler.messages[:4]}
    emma = next(m for to, m in messages.items() if "emma@" in to)
    ivan = next(m for to, m in messages.items() if "ivan@" in to)
    everyone = next(m for to, m in messages.items() if "all@" in to)
    assert emma["Subject"] == "Lead reports — November 2025"
    assert ivan["Subject"] == "Отчёты по обращениям — Ноябрь 2025" and ivan["To"].addresses[0].display_name == "Иван"
    assert emma["To"].addresses[0].display_name == "Emma <b>Davis</b>"
    assert emma["Message-ID"].endswith("@example.com>") and emma["Date"]

    # Figures: each scope's headline is the API's for that scope, and no other scope's.
    leads = load_leads(load_params(site / "params.yaml"))
    mine = to_dict(lead_conversion(leads, period="2025-11", managers=["Emma Davis"]), "en")["highlights"][0]["text"]
    whole = to_dict(lead_conversion(leads, period="2025-11"), "en")["highlights"][0]["text"]
    russian = to_dict(lead_conversion(leads, period="2025-11", managers=["Noah Evans", "Liam Carter"]), "ru")
    assert mine != whole
    assert mine in parts_text(emma) and whole not in parts_text(emma)
    assert whole in parts_text(everyone) and mine not in parts_text(everyone)
    assert russian["highlights"][0]["text"] in parts_text(ivan)
    # Nobody sees another manager's leads, in the body or in any attachment (the lists name each lead's manager).
    for message, own in ((emma, {"Emma Davis"}), (ivan, {"Noah Evans", "Liam Carter"})):
        text = parts_text(message)
        assert all(name in text for name in own)
        assert not [name for name in managers - own if name in text]
    assert len([n for n in managers if n in parts_text(everyone)]) > 5


def test_the_message_is_valid_mime_with_inline_charts_and_attachments(site):
    with smtp_server() as server:
        params = load_params(write_params(site, server.port))
        deliver(params, PERIOD, mailer=mailer(params))
    emma = server.handler.to("emma@example.com")[0]
    ivan = server.handler.to("ivan@example.com")[0]
    for message, lang in ((emma, "en"), (ivan, "ru")):
        assert message.get_content_type() == "multipart/mixed" and not message.defects
        html = message.get_body(("html",))
        plain = message.get_body(("plain",))
        assert html is not None and plain is not None
        body = html.get_content()
        assert "data:" not in body and "<script" not in body.lower()
        images = [p for p in message.walk() if p.get_content_type() == "image/png"]
        assert len(images) == 2  # the conversion chart and the Pareto chart
        for image in images:
            cid = str(image["Content-ID"]).strip().strip("<>")
            assert f'src="cid:{cid}"' in body and image.get_payload(decode=True).startswith(b"\x89PNG")
        related = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
        assert len(related) == 1 and related[0].get_content_type() == "multipart/related"
        files = attachments(message)
        assert sorted(files) == sorted(f"{r}-2025-11.{x}" for r in ("lead_conversion", "lost_leads")
                                       for x in ("html", "pdf", "xlsx"))  # fmt: skip
        assert files["lead_conversion-2025-11.pdf"].startswith(b"%PDF")
        workbook = openpyxl.load_workbook(BytesIO(files["lost_leads-2025-11.xlsx"]), read_only=True)
        assert workbook.sheetnames
        page = files["lead_conversion-2025-11.html"].decode()
        assert page.lstrip().lower().startswith("<!doctype html") and f'lang="{lang}"' in page
        box, attached = ("In short", "Attached") if lang == "en" else ("Коротко", "Во вложении")
        assert box in body and attached in body and attached in plain.get_content()
        assert str(message["Subject"]) in plain.get_content()
    escaped = emma.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Emma &lt;b&gt;Davis&lt;/b&gt;" in escaped and "<b>Davis" not in escaped


def test_a_refused_recipient_fails_alone_and_the_owner_is_told(site, capsys):
    handler = Handler(refuse={"ivan@example.com"})
    with smtp_server(handler=handler) as server:
        params_path = write_params(site, server.port)
        assert main(["deliver", str(params_path), "--period", "2025-11", "--out", str(site / "out" / "delivery")]) == 1
        err = capsys.readouterr().err
        assert "FAILED  ivan@example.com" in err and "550" in err and "owner was sent" in err
        sent = sorted(rcpt[0] for _, rcpt, _ in handler.accepted)
        assert sent == sorted([*(e for e in EVERYONE if e != "ivan@example.com"), OWNER])
        notice = handler.to(OWNER)[0]
        text = notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "ivan@example.com" in text and "550" in text and "row 4" in text
        assert notice["Subject"] == "leadkit: delivery problems — 2025-11"
        assert "ivan@example.com|" not in " ".join(logs(site / "out"))  # nothing logged that was not accepted

        handler.refuse.clear()  # the mailbox is back: a rerun sends Ivan's message and nothing else
        assert main(["deliver", str(params_path), "--period", "2025-11", "--out", str(site / "out" / "delivery")]) == 0
        assert [rcpt for _, rcpt, _ in handler.accepted[4:]] == [["ivan@example.com"]]


class CrashingMailer(Mailer):
    """Dies (like a killed process) when asked to send its second message."""

    calls = 0

    def send(self, message: EmailMessage) -> None:
        CrashingMailer.calls += 1
        if CrashingMailer.calls == 2:
            raise RuntimeError("killed")
        super().send(message)


def test_a_crash_between_two_recipients_resends_only_the_rest(site):
    with smtp_server() as server:
        params = load_params(write_params(site, server.port))
        assert params.delivery is not None
        with pytest.raises(RuntimeError, match="killed"):
            deliver(params, PERIOD, mailer=CrashingMailer(params.delivery.smtp, None, sleep=lambda _: None))
        first = [rcpt[0] for _, rcpt, _ in server.handler.accepted]
        assert len(first) == 1 and [v["email"] for v in logs(site / "out").values()] == first
        outcome = deliver(params, PERIOD, mailer=mailer(params))
        rest = sorted(rcpt[0] for _, rcpt, _ in server.handler.accepted[1:])
        assert rest == sorted(e for e in EVERYONE if e not in first) and outcome.ok
        assert outcome.skipped == [(first[0], "already sent for these data (--resend sends again)")]


def test_a_server_failing_the_second_message_logs_only_the_first(site):
    with smtp_server(handler=Handler(fail_message=2)) as server:
        params = load_params(write_params(site, server.port))
        outcome = deliver(params, PERIOD, mailer=mailer(params))
        assert len(outcome.sent) == 3 and len(outcome.failed) == 1 and "554" in outcome.failed[0][1]
        assert outcome.failed[0][0] == "olga@example.com"  # the second message sent
        assert sorted(v["email"] for v in logs(site / "out").values()) == sorted(outcome.sent)
        assert outcome.owner_notified


def test_the_password_reaches_no_file_no_log_and_no_message(site, monkeypatch, caplog, capsys):
    monkeypatch.setenv("LEADKIT_SMTP_PASSWORD", SENTINEL)
    smtp = {"host": "127.0.0.1", "starttls": False, "username": "reports", "retries": 1, "backoff": 0.01}
    with smtp_server(password=SENTINEL) as server:
        params_path = write_params(site, server.port, smtp={**smtp, "port": server.port})
        caplog.set_level("DEBUG")
        assert (
            main(["-vv", "deliver", str(params_path), "--period", "2025-11", "--out", str(site / "out" / "delivery")])
            == 0
        )
        assert len(server.handler.accepted) == 4
    with smtp_server(password="something-else") as server:  # a refused login: the error must not repeat it
        params_path = write_params(site, server.port, smtp={**smtp, "port": server.port})
        assert main(["deliver", params_path.as_posix(), "--period", "2025-11", "--out", str(site / "out" / "delivery"),
                     "--resend"]) == 1  # fmt: skip
        assert server.handler.logins and not server.handler.accepted
    output = capsys.readouterr()
    assert "login as reports refused: 535" in output.err
    plain = f"\0reports\0{SENTINEL}".encode()
    forms = [SENTINEL, base64.b64encode(SENTINEL.encode()).decode(), base64.b64encode(plain).decode(),
             quote(SENTINEL), SENTINEL.encode().hex()]  # fmt: skip
    texts = {"stdout": output.out, "stderr": output.err, "log": caplog.text}
    for path in site.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_bytes().decode("latin-1")
    for where, text in texts.items():
        leaked = [f for f in forms if f in text]
        assert not leaked, f"{where} holds the password as {leaked}"


def test_a_dry_run_writes_eml_files_and_logs_nothing(site):
    params = load_params(write_params(site))
    outcome = deliver(params, PERIOD, dry_run=site / "eml")
    assert sorted(p.name for p in outcome.written) == sorted(f"{e}.eml" for e in EVERYONE)
    assert all(p.parent == site / "eml" / "2025-11" for p in outcome.written)
    assert not logs(site / "out") and outcome.sent == []
    import email
    from email import policy

    parsed = email.message_from_bytes((site / "eml" / "2025-11" / "ivan@example.com.eml").read_bytes(),
                                      policy=policy.default)  # fmt: skip
    assert parsed["Subject"] == "Отчёты по обращениям — Ноябрь 2025" and len(list(parsed.iter_attachments())) == 6


@pytest.mark.parametrize("when_empty", ["skip", "note"])
def test_a_period_without_leads(tmp_path, when_empty):
    recipients = RECIPIENTS + "typo@example.com,,en,Emma Davs,,\n"
    with smtp_server() as server:
        params = load_params(write_params(tmp_path, server.port, recipients, when_empty=when_empty,
                                          reports=["lead_conversion"], attach=[]))  # fmt: skip
        outcome = deliver(params, parse_period("2023-05"), mailer=mailer(params))
    # A name no lead has is a failure the owner hears about, never a silently empty report.
    assert outcome.failed == [("typo@example.com", "row 6: managers 'Emma Davs': no lead in the data has it "
                                                  "— check the recipients file")]  # fmt: skip
    received = {rcpt[0]: m for (_, rcpt, _), m in zip(server.handler.accepted, server.handler.messages, strict=True)}
    assert OWNER in received
    if when_empty == "skip":
        assert sorted(received) == [OWNER] and len(outcome.skipped) == 4
        return
    assert sorted(received) == sorted([*EVERYONE, OWNER])
    emma = received["emma@example.com"]
    files = attachments(emma)
    assert files == {} and "No leads in May 2023 for your filters" in parts_text(emma)


def test_the_fingerprint_follows_only_the_recipients_leads(built):
    params = load_params(built / "params.yaml")
    data = read_source(params)
    frame = data.frame
    scope = Scope(period=PERIOD, filters=Filters(managers=("Emma Davis",)))
    before = scope_fingerprint(from_source(data, params.timezone), scope)
    in_scope = frame.index[(frame["manager"] == "Emma Davis") & (frame["created_at"].dt.strftime("%Y-%m") == "2025-11")]
    elsewhere = frame.index[frame["manager"] != "Emma Davis"]
    for rows, changes in ((elsewhere[:5], False), (in_scope[:1], True)):
        changed = frame.copy()
        statuses = list(frame["status"].dropna().unique())
        for row in rows:  # another status the data knows (the column is categorical)
            changed.loc[row, "status"] = next(x for x in statuses if x != frame.at[row, "status"])
        again = scope_fingerprint(from_source(replace(data, frame=changed), params.timezone), scope)
        assert (again != before) is changes
