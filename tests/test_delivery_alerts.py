"""`leadkit alert`: only a fair, significant change on enough leads mails anyone, and only once per re-arm.

The demo's website form breaks in December 2025: website leads convert half as often.
The whole company's December is not a significant change (its raw drop is young leads);
the website's is. A real SMTP server on 127.0.0.1 receives what is sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from smtp_server import smtp_server

from leadkit.api import lead_conversion
from leadkit.cli import main
from leadkit.delivery.alerts import change_alert, run_alerts, waiting_leads
from leadkit.delivery.smtp import Mailer
from leadkit.leads import Leads, load_leads
from leadkit.params import Params, load_params
from leadkit.periods import parse_period
from leadkit.scope import Filters, Scope

pytestmark = pytest.mark.slow
OWNER = "boss@example.com"
RECIPIENTS = "email,name,lang,managers,branches,lead_types\nweb@example.com,Web,ru,,,Website\nemma@example.com,,en,Emma Davis,,\n"


def write_params(folder: Path, port: int = 1, **alerts: object) -> Path:
    (folder / "recipients.csv").write_text(RECIPIENTS, encoding="utf-8")
    data = {
        "source": {"kind": "demo", "rows": 12000, "seed": 7, "start": "2024-01-01", "end": "2025-12-31"},
        "timezone": "Europe/Kyiv",
        "delivery": {
            "smtp": {"host": "127.0.0.1", "port": port, "starttls": False, "retries": 0},
            "from": "Lead reports <reports@example.com>",
            "recipients": "recipients.csv",
            "owner": OWNER,
            "alerts": {"min_leads": 50, "rearm_hours": 24, "new_status_hours": 24, **alerts},
        },
    }
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def leads(tmp_path_factory) -> Leads:
    return load_leads(load_params(write_params(tmp_path_factory.mktemp("alerts"))))


def mailer(params: Params) -> Mailer:
    assert params.delivery is not None
    return Mailer(params.delivery.smtp, None, sleep=lambda _: None)


def test_only_a_significant_change_on_enough_leads_alerts(leads):
    website = lead_conversion(leads, period="2025-12", lead_types=["Website"])
    assert website.comparisons["previous"].total["verdict"] == "down"
    assert change_alert(website, min_leads=50) is not None
    assert change_alert(website, min_leads=100) is None  # 60 December website leads: too few for this setting
    whole = lead_conversion(leads, period="2025-12")
    assert whole.comparisons["previous"].total["verdict"] == "no_change"  # young leads, no real change
    assert whole.comparisons["previous"].total["pp_change"] < -5  # although the raw rate dropped
    assert change_alert(whole, min_leads=1) is None


def test_waiting_leads_are_new_longer_than_the_limit_at_the_cut_off(leads):
    frame = waiting_leads(leads, Scope(), 24)
    table = leads.table.filter(leads.table.status_group == "new").to_pandas()
    assert len(frame) == 9 and set(frame["lead_id"]) <= set(table["lead_id"])
    assert frame["created_at"].max() < table["created_at"].max()  # the youngest New lead is under 24 h old
    web = waiting_leads(leads, Scope(filters=Filters(lead_types=("Website",))), 24)
    assert set(web["lead_type"]) == {"Website"} and 0 < len(web) < len(frame)


def test_alerts_reach_the_owner_and_the_recipients_in_scope_once(tmp_path):
    with smtp_server() as server:
        params = load_params(write_params(tmp_path, server.port))
        outcome = run_alerts(params, parse_period("2025-12"), out=tmp_path / "out", mailer=mailer(params))
        assert outcome.ok and sorted(outcome.sent) == [OWNER, "web@example.com"]  # Emma: nothing fired
        owner = server.handler.to(OWNER)[0]
        text = owner.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "conversion within" in text and "fell from" in text and "Lead types: Website" in text
        assert "9 leads still New after 24 h" in text and "Mason Green:" in text
        web = server.handler.to("web@example.com")[0]
        web_text = web.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert web["Subject"] == "leadkit: внимание: конверсия снизилась — Декабрь 2025 (+1)"
        assert "Website" in web_text and "Mason Green" in web_text and "Walk-in" not in web_text

        again = run_alerts(params, parse_period("2025-12"), out=tmp_path / "out", mailer=mailer(params))
        assert again.sent == [] and len(server.handler.accepted) == 2 and again.skipped  # re-armed in 24 h only

        # November: no significant change anywhere; the waiting leads were already sent.
        path = write_params(tmp_path, server.port)
        assert main(["alert", str(path), "--period", "2025-11", "--out", str(tmp_path / "out")]) == 0
        assert len(server.handler.accepted) == 2


def test_an_alert_dry_run_writes_eml_and_logs_nothing(tmp_path):
    params = load_params(write_params(tmp_path, new_status_hours=None))
    outcome = run_alerts(params, parse_period("2025-12"), out=tmp_path / "out", dry_run=tmp_path / "eml")
    assert sorted(p.name for p in outcome.written) == [f"{OWNER}.eml", "web@example.com.eml"]
    assert not (tmp_path / "out" / "alerts-log.json").exists()
