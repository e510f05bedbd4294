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
