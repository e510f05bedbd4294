from pathlib import Path

import pytest

from leadkit.exceptions import ParamsError, PeriodError
from leadkit.params import load_params, parse_params

DEMO = {"kind": "demo", "rows": 100}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_period_shorthand_and_mapping():
    assert parse_params({"source": DEMO, "period": "2025-Q2"}).scope().period.label == "2025-Q2"
    assert parse_params({"source": DEMO, "period": 2025}).scope().period.label == "2025"
    scope = parse_params(
        {"source": DEMO, "period": {"start": "2025-01-05", "end": "2025-01-20", "basis": "closed"}}
    ).scope()
    assert (scope.period.start.day, scope.period.end.day, scope.basis) == (5, 20, "closed")


def test_a_bad_period_in_the_file_reads_as_the_readers_sentence_with_every_accepted_form(tmp_path):
    with pytest.raises(ParamsError) as caught:
        load_params(write(tmp_path, "source: {kind: demo, rows: 100}\nperiod: 2025-13\n"))
    text = str(caught.value)
    assert "p.yaml" in text and "period: period '2025-13' is not understood; use 2025, 2025-Q1" in text
    assert "Value error" not in text and "or all (all time)" in text


def test_filters_accept_lists_or_a_single_value():
    scope = parse_params({"source": DEMO, "filters": {"managers": "Ann", "lead_types": ["Call", "Website"]}}).scope()
    assert scope.filters.managers == ("Ann",) and scope.filters.lead_types == ("Call", "Website")


def test_papermill_style_overrides_are_strings():
    scope = parse_params({"source": DEMO}).scope().updated(start="2025-02-01", end="2025-02-28", managers="Ann,Bob")
    assert scope.period.label == "2025-02" and scope.filters.managers == ("Ann", "Bob")
    with pytest.raises(PeriodError, match="both start and end"):
        parse_params({"source": DEMO}).scope().updated(start="2025-02-01")


def test_a_secret_in_params_is_refused_without_echoing_it(tmp_path):
    path = write(tmp_path, "source:\n  kind: demo\n  api_key: SENTINEL-123\n")
    with pytest.raises(ParamsError) as err:
        load_params(path)
    assert "source.api_key" in str(err.value) and "LEADKIT_REMONLINE_API_KEY" in str(err.value)
    assert "SENTINEL-123" not in str(err.value)


def test_every_problem_is_listed_with_its_location(tmp_path):
    path = write(tmp_path, "source:\n  kind: file\n  columns: {lead_idd: x}\nlang: de\ntimezone: Mars/Base\n")
    with pytest.raises(ParamsError) as err:
        load_params(path)
    text = str(err.value)
    for where in ("source.file.path", "source.file.columns", "lang", "timezone"):
        assert where in text
    assert "lead_idd" in text


def test_unknown_keys_are_refused(tmp_path):
    with pytest.raises(ParamsError, match="perod"):
        load_params(write(tmp_path, "source: {kind: demo}\nperod: 2025\n"))


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(ParamsError, match="line 2"):
        load_params(write(tmp_path, "source:\n  kind: [demo\n"))


def test_missing_params_file(tmp_path):
    with pytest.raises(ParamsError, match="does not exist"):
        load_params(tmp_path / "nope.yaml")


def test_relative_paths_start_at_the_params_folder(tmp_path):
    params = load_params(write(tmp_path, "source: {kind: file, path: data/leads.csv, columns: {lead_id: id}}\n"))
    assert params.resolve(params.source.path) == tmp_path / "data" / "leads.csv"


def test_committed_params_files_are_valid():
    root = Path(__file__).resolve().parents[1] / "params"
    names = sorted(p.name for p in root.glob("*.yaml"))
    assert {"demo.yaml", "maven_crm.yaml", "x_education.yaml"} <= set(names)
    for path in root.glob("*.yaml"):
        load_params(path)


STATUS_WORDS = ("Token", "Secret", "Password", "API key", "api_key", "Authorization", "Access token")


def test_statuses_and_values_named_like_secrets_are_data_not_secrets():
    groups = {word: "won" for word in STATUS_WORDS}
    results = {word: "order" for word in STATUS_WORDS}
    file_source = {"kind": "file", "path": "x.csv", "columns": {"lead_id": "token", "status": "Password"},
                   "status_groups": groups, "status_group_values": {"Secret": "lost"}, "status_results": results,
                   "replace": {"status": {"Token": "Secret", "password": "api_key"}, "manager": {"Token": "x"}},
                   "lookups": [{"path": "m.csv", "by": "token", "columns": {"branch": "password"}}]}  # fmt: skip
    params = parse_params({"source": file_source, "filters": {"managers": ["Token", "Password"]}})
    assert params.source.status_groups["Token"] == "won" and params.source.replace["status"]["Token"] == "Secret"
    remote = {"kind": "remonline", "status_groups": groups, "status_results": results,
              "status_group_values": {"7": "lost"}}  # fmt: skip
    assert parse_params({"source": remote}).source.status_results["Password"] == "order"


SECRET_PLACES = {
    "source.api_key": {"source": {"kind": "remonline", "api_key": "SENTINEL-9"}},
    "source.token": {"source": {"kind": "remonline", "token": "SENTINEL-9"}},
    "source.API-Key": {"source": {"kind": "remonline", "API-Key": "SENTINEL-9"}},
    "engine.password": {"source": DEMO, "engine": {"backend": "postgres", "password": "SENTINEL-9"}},
    "engine.pgpassword": {"source": DEMO, "engine": {"pgpassword": "SENTINEL-9"}},
    "delivery.smtp.password": {"source": DEMO, "delivery": {"smtp": {"host": "h", "password": "SENTINEL-9"}}},
    "delivery.smtp_password": {"source": DEMO, "delivery": {"smtp_password": "SENTINEL-9"}},
    "output.access_token": {"source": DEMO, "output": {"access_token": "SENTINEL-9"}},
    "source.lookups[0].client_secret": {"source": {"kind": "file", "path": "x.csv", "lookups": [
        {"path": "m.csv", "by": "a", "columns": {}, "client_secret": "SENTINEL-9"}]}},
}  # fmt: skip


@pytest.mark.parametrize("where", list(SECRET_PLACES))
def test_a_secret_is_refused_in_any_setting(where):
    with pytest.raises(ParamsError) as err:
        parse_params(SECRET_PLACES[where])
    assert f"{where} holds a secret" in str(err.value) and "SENTINEL-9" not in str(err.value)
    assert "PGPASSWORD" in str(err.value) and "LEADKIT_REMONLINE_API_KEY" in str(err.value)


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [("2025-12-31", "2025-01-01", "start 2025-12-31 is after end 2025-01-01; swap them"),
     ("0001-01-01", "2025-01-01", "must lie between 1970-01-01 and 2100-12-31"),
     ("2025-01-01", "9999-12-31", "must lie between 1970-01-01 and 2100-12-31"),
     ("1969-12-31", "1970-01-02", "must lie between")],
)  # fmt: skip
def test_demo_dates_out_of_order_or_range_are_a_params_error(start, end, says):
    with pytest.raises(ParamsError) as err:
        parse_params({"source": {"kind": "demo", "start": start, "end": end}})
    assert "source.demo" in str(err.value) and says in str(err.value)


def test_the_widest_demo_span_computes_at_both_ends():
    from leadkit import employee_performance, lead_conversion
    from leadkit.leads import load_leads

    leads = load_leads(parse_params({"source": {"kind": "demo", "rows": 2000, "start": "1970-01-01",
                                                "end": "2100-12-31"}}))  # fmt: skip
    assert lead_conversion(leads, period="2100").total["leads"] > 0
    assert employee_performance(leads, period="1970").total["leads"] > 0
