"""Delivery's parts on their own: the params block, the recipients file, the log, and sending (a real server)."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path
from urllib.parse import quote

import pytest
import trustme
from smtp_server import Handler, smtp_server

from leadkit.delivery.content import notice_message
from leadkit.delivery.ledger import AlertLog, Ledger
from leadkit.delivery.recipients import group_recipients, load_recipients
from leadkit.delivery.smtp import Mailer, SendError
from leadkit.exceptions import ParamsError
from leadkit.params import Smtp, parse_params
from leadkit.scope import Filters, Scope

SENTINEL = "S3cr3t-sentinel"
DELIVERY = {
    "smtp": {"host": "smtp.example.com", "port": 587, "starttls": True, "username": "reports@example.com"},
    "from": "Lead reports <reports@example.com>",
    "recipients": "recipients.csv",
    "reports": ["lead_conversion", "lost_leads"],
    "attach": ["pdf", "xlsx"],
    "when_empty": "note",
    "owner": "boss@example.com",
    "alerts": {"min_leads": 50, "rearm_hours": 24, "new_status_hours": 12},
}


def params_with(**delivery: object):
    return parse_params({"source": {"kind": "demo", "rows": 100}, "delivery": {**DELIVERY, **delivery}}, "p.yaml")


def forms(secret: str) -> list[str]:
    """The secret as written, base64 (alone and inside AUTH PLAIN) and URL-encoded."""
    plain = f"\0reports\0{secret}".encode()
    return [secret, base64.b64encode(secret.encode()).decode(), base64.b64encode(plain).decode(), quote(secret)]


# --- params -------------------------------------------------------------------------------------------------------


def test_the_delivery_block_is_read_with_its_defaults():
    d = params_with().delivery
    assert d is not None and d.smtp.port == 587 and d.smtp.starttls and d.sender.startswith("Lead reports")
    assert d.reports == ("lead_conversion", "lost_leads") and d.attach == ("pdf", "xlsx") and d.when_empty == "note"
    assert d.alerts.min_leads == 50 and d.alerts.rearm_hours == 24 and d.alerts.new_status_hours == 12
    local = params_with(smtp={"host": "localhost", "port": 25, "starttls": False}).delivery
    assert local is not None and local.smtp.username is None and not local.smtp.starttls


@pytest.mark.parametrize("password", ["hunter2", ""])
def test_a_password_in_the_params_is_refused_and_names_the_variable(password):
    with pytest.raises(ParamsError) as err:
        params_with(smtp={**DELIVERY["smtp"], "password": password})  # type: ignore[dict-item]
    assert "LEADKIT_SMTP_PASSWORD" in str(err.value) and "delivery.smtp" in str(err.value)
    assert "hunter2" not in str(err.value)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"owner": "Boss <boss@example.com>"}, "delivery.owner"),
        ({"owner": "boss"}, "delivery.owner"),
        ({"from": "x@example.com\nBcc: all@example.com"}, "delivery.from"),
        ({"when_empty": "maybe"}, "delivery.when_empty"),
        ({"attach": ["docx"]}, "delivery.attach"),
        ({"reports": []}, "delivery.reports"),
        ({"smtp": {"host": "smtp://user@host"}}, "delivery.smtp.host"),
        ({"cc": "x@example.com"}, "delivery.cc"),
        ({"alerts": {"min_leads": 0}}, "delivery.alerts.min_leads"),
    ],
)
def test_bad_delivery_settings_are_one_clear_error(change, where):
    with pytest.raises(ParamsError, match=where.replace(".", r"\.")):
        params_with(**change)


# --- recipients ---------------------------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_recipients_lists_languages_and_groups(tmp_path):
    csv = write(
        tmp_path / "r.csv",
        "email,name,lang,managers,branches,lead_types\n"
        "emma@example.com,Emma,,Emma Davis,,\n"
        "ivan@example.com,Иван,ru,Noah Evans;Liam Carter,,Call|Website\n"
        "\n"
        "olga@example.com,Olga,en,Emma Davis,,\n"
        "boss2@example.com,,EN,,,\n",
    )
    found = load_recipients(csv, "en")
    assert [r.email for r in found] == ["emma@example.com", "ivan@example.com", "olga@example.com", "boss2@example.com"]
    assert found[0].lang == "en" and found[3].lang == "en" and found[1].lang == "ru"
    assert found[1].filters == Filters(managers=("Noah Evans", "Liam Carter"), lead_types=("Call", "Website"))
    groups = group_recipients(found, Scope(), csv)
    assert [[r.email for r in g.recipients] for g in groups] == [
        ["emma@example.com", "olga@example.com"], ["ivan@example.com"], ["boss2@example.com"]
    ]  # fmt: skip
    assert groups[2].slug == "en-all" and len({g.slug for g in groups}) == 3


def test_every_bad_recipient_cell_is_named(tmp_path):
    csv = write(
        tmp_path / "r.csv",
        "email,name,lang,managers\nnot-an-address,A,en,\nb@example.com,B,de,\nB@example.com,B again,en,\n,C,en,\n",
    )
    with pytest.raises(ParamsError) as err:
        load_recipients(csv, "en")
    text = str(err.value)
    assert str(csv) in text and "4 problem(s)" in text
    assert "row 2, column email" in text and "row 3, column lang: 'de'" in text
    assert "row 4, column email: B@example.com is already on row 3" in text and "row 5, column email: empty" in text


def test_a_recipients_file_with_an_unknown_column_or_none_is_refused(tmp_path):
    with pytest.raises(ParamsError, match="row 1: unknown column.s. manager"):
        load_recipients(write(tmp_path / "a.csv", "email,manager\na@example.com,X\n"), "en")
    with pytest.raises(ParamsError, match="does not exist"):
        load_recipients(tmp_path / "none.csv", "en")


def test_a_recipient_can_only_narrow_the_params_filters(tmp_path):
    csv = write(tmp_path / "r.csv", "email,managers\na@example.com,Ann;Bob\nb@example.com,Cid\nc@example.com,\n")
    base = Scope(filters=Filters(managers=("Ann", "Dan")))
    with pytest.raises(ParamsError, match="row 3, column managers: Cid lie outside"):
        group_recipients(load_recipients(csv, "en"), base, csv)
    csv = write(tmp_path / "r.csv", "email,managers\na@example.com,Ann;Bob\nc@example.com,\n")
    groups = group_recipients(load_recipients(csv, "en"), base, csv)
    assert [g.scope.filters.managers for g in groups] == [("Ann",), ("Ann", "Dan")]


# --- the log ------------------------------------------------------------------------------------------------------


def test_the_delivery_log_keys_by_recipient_and_fingerprint(tmp_path):
    ledger = Ledger(tmp_path / "2025-11" / "delivery-log.json")
    assert ledger.sent("a@example.com", "f1") is None
    ledger.record("A@example.com", "f1", "2025-11", "<1@example.com>")
    assert ledger.sent("a@example.com", "f1")["message_id"] == "<1@example.com>"  # type: ignore[index]
    assert ledger.sent("a@example.com", "f2") is None  # other data: not sent yet
    assert not list(tmp_path.rglob("*.part"))
    alerts = AlertLog(tmp_path / "alerts-log.json")
    alerts.record("change|x", "<2@example.com>", "fell")
    assert alerts.recent("change|x", 1) and not alerts.recent("change|y", 1)


# --- sending ------------------------------------------------------------------------------------------------------


def note(to: str = "a@example.com"):
    return notice_message("Reports <reports@example.com>", to, "en", "Title", "Intro", ["one"])


def mailer(port: int, **smtp: object) -> Mailer:
    settings = Smtp(**{"host": "127.0.0.1", "port": port, "starttls": False, "retries": 3, "backoff": 0.5,
                       "timeout": 10, **smtp})  # fmt: skip
    pauses: list[float] = []
    m = Mailer(settings, (smtp.get("username") and SENTINEL) or None, sleep=pauses.append)  # type: ignore[arg-type]
    m.pauses = pauses  # type: ignore[attr-defined]
    return m


def test_a_temporary_refusal_is_tried_again_with_growing_pauses():
    with smtp_server(handler=Handler(temporary_failures=2)) as server:
        m = mailer(server.port)
        m.send(note())
        assert len(server.handler.accepted) == 1 and server.handler.data_seen == 3
        assert m.pauses == [0.5, 1.0]  # type: ignore[attr-defined]


def test_a_permanent_refusal_is_reported_at_once():
    with smtp_server(handler=Handler(fail_message=1)) as server:
        m = mailer(server.port)
        with pytest.raises(SendError) as err:
            m.send(note())
        assert err.value.permanent and "554" in err.value.text and server.handler.data_seen == 1
        assert m.pauses == []  # type: ignore[attr-defined]


def test_a_refused_recipient_is_named():
    with smtp_server(handler=Handler(refuse={"gone@example.com"})) as server:
        with pytest.raises(SendError, match="gone@example.com: 550") as err:
            mailer(server.port).send(note("gone@example.com"))
        assert err.value.permanent and not server.handler.accepted


def test_no_server_is_a_temporary_failure_tried_again():
    from smtp_server import free_port

    m = mailer(free_port())
    with pytest.raises(SendError, match="127.0.0.1") as err:
        m.send(note())
    assert not err.value.permanent and m.pauses == [0.5, 1.0, 2.0]  # type: ignore[attr-defined]


def test_a_wrong_password_is_reported_without_the_password(caplog):
    with smtp_server(password="other") as server:
        with pytest.raises(SendError) as err:
            mailer(server.port, username="reports").send(note())
        assert err.value.permanent and "login as reports refused: 535" in err.value.text
        assert set(server.handler.logins) == {(b"reports", SENTINEL.encode())}  # smtplib tries PLAIN, then LOGIN
    for text in (err.value.text, caplog.text):
        assert not any(f in text for f in forms(SENTINEL))


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def test_starttls_with_login(ca, tmp_path, monkeypatch):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # the client trusts the test CA, as a system would
    with smtp_server(password=SENTINEL, tls=context) as server:
        mailer(server.port, starttls=True, username="reports").send(note())
        assert len(server.handler.accepted) == 1 and set(server.handler.logins) == {(b"reports", SENTINEL.encode())}
        with pytest.raises(SendError, match="530|STARTTLS"):  # without STARTTLS this server accepts nothing
            mailer(server.port, retries=0).send(note())


def test_starttls_refuses_a_certificate_nobody_trusts(ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with smtp_server(tls=context) as server:
        with pytest.raises(SendError, match="STARTTLS failed") as err:
            mailer(server.port, starttls=True).send(note())
        assert err.value.permanent and not server.handler.accepted


def test_delivery_sits_on_top_only_the_cli_imports_it():
    from test_layers import PACKAGE, imports_of

    users = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "delivery" not in path.parts and any(n.startswith("leadkit.delivery") for n in imports_of(path))
    }
    assert users <= {"commands.py"}


@pytest.mark.parametrize(
    "title",
    [
        "leadkit: внимание: конверсия снизилась — Декабрь 2025 (+1)",
        "Отчёты по обращениям — Неделя 5, 2025 (27 января – 2 февраля 2025)",
        "Lead reports — Week 5, 2025 (27 January – 2 February 2025) and a long tail of words to fold",
    ],
)
def test_a_subject_arrives_exactly_as_written(title):
    import email
    from email import policy

    message = notice_message("Отчёты <reports@example.com>", "a@example.com", "ru", title, "Вступление", ["строка"])
    back = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert back["Subject"] == title and not back.defects
    assert all(len(line) <= 998 for line in message.as_bytes().splitlines())


def test_mail_html_is_escaped_and_cleaned_like_the_report_pages():
    """The mail's templates share the report's environment: data text is escaped, XML-forbidden characters replaced."""
    from leadkit.delivery.content import notice_message

    message = notice_message("r@example.com", "o@example.com", "en", "Alert", "Leads waiting", ["<b>Ann\x07</b>"])
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Ann" in html and "\x07" not in html and "<b>Ann" not in html
