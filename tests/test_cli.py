"""The CLI: conventions, exit codes, error messages without tracebacks, JSON equal to the API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import MARCH_SOURCE
from hypothesis import HealthCheck, given, settings
from strategies import lead_frames

from leadkit.api import compute
from leadkit.cli import main
from leadkit.leads import from_frame

ROOT = Path(__file__).resolve().parents[1]


def write_params(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadkit", *args], capture_output=True, text=True, cwd=ROOT)


def without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "generated_at"}


def plain_rows(frame) -> list[dict]:
    """A result frame's rows as plain values, through pandas alone (not through leadkit's JSON code)."""
    rows = frame.astype(object).to_dict("records")
    return [{str(k): None if pd.isna(v) else v for k, v in row.items()} for row in rows]


def assert_same_rows(printed: list[dict], frame) -> None:
    expected = plain_rows(frame)
    assert [list(r) for r in printed] == [list(r) for r in expected]
    for got, want in zip(printed, expected, strict=True):
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-12), key
            else:
                assert got[key] == value, key


def test_help_and_version_follow_conventions():
    done = run("--help")
    assert done.returncode == 0 and "compute" in done.stdout and "check" in done.stdout
    assert run("--version").stdout.startswith("leadkit ")
    assert run("compute", "--help").returncode == 0
    assert run("compute").returncode == 2  # argparse usage error


HEAVY = ("pandas", "numpy", "ibis", "duckdb", "pyarrow", "pydantic", "yaml", "rich", "logging", "jinja2")


@pytest.mark.parametrize("args", [("--help",), ("compute", "--help"), ("--version",)])
def test_help_imports_no_engine_or_renderer(args):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "leadkit", *args], capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "leadkit" in imported and not imported & set(HEAVY)


@pytest.mark.parametrize("report", ["lead_conversion", "lost_leads", "employee_performance"])
def test_json_equals_the_python_api(tmp_path, report, capsys):
    params = write_params(tmp_path, {"source": MARCH_SOURCE})
    assert main(["compute", str(params), "--report", report, "--period", "2025-03", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    result = compute(report, params, period="2025-03")
    rows = result.reasons if report == "lost_leads" else result.rows
    assert_same_rows([{k: v for k, v in r.items() if k != "by_status"} for r in printed["rows"]], rows)
    assert {k: printed["total"][k] for k in result.total} == pytest.approx(result.total)
    assert printed["data_quality"] == result.meta.data_quality.as_dict()
    assert set(printed) >= {"report", "period", "filters", "rows", "total", "data_quality", "definitions"}
    assert printed["period"] == {"start": "2025-03-01", "end": "2025-03-31", "basis": "created", "label": "2025-03",
                                 "kind": "month", "name": "March 2025"}  # fmt: skip


def test_row_keys_are_the_documented_contract(tmp_path, capsys):
    params = write_params(tmp_path, {"source": MARCH_SOURCE})
    main(["compute", str(params), "--report", "lead_conversion", "--format", "json"])
    row = json.loads(capsys.readouterr().out)["rows"][0]
    assert list(row) == ["lead_type", "leads", "converted", "orders", "sales", "won", "lost", "open",
                         "conversion_pct", "closed_conversion_pct", "ci_low_pct", "ci_high_pct"]  # fmt: skip
    main(["compute", str(params), "--report", "employee_performance", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert next(iter(data["rows"][0])) == "manager" and "by_status" in data["rows"][0]
    main(["compute", str(params), "--report", "lost_leads", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert list(data["rows"][0]) == ["reason", "leads", "share_pct", "cum_share_pct"] and list(data["by_type"][0]) == [
        "lead_type",
        "reason",
        "leads",
    ]


def test_csv_and_table_formats(tmp_path, capsys):
    params = write_params(tmp_path, {"source": MARCH_SOURCE})
    main(
        [
            "compute",
            str(params),
            "--report",
            "lead_conversion",
            "--start",
            "2025-03-01",
            "--end",
            "2025-03-31",
            "--format",
            "csv",
        ]
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("lead_type,leads,converted") and lines[-1].startswith("Total,9,5,3,2,4,3,2")
    main(["compute", str(params), "--report", "lead_conversion", "--period", "2025-03", "--managers", "Bob"])
    out = capsys.readouterr().out
    assert "Lead conversion — March 2025" in out and "Data quality" in out
    main(["compute", str(params), "--report", "lead_conversion", "--period", "2025-03", "--lang", "ru"])
    out = capsys.readouterr().out
    assert "Конверсия обращений — Март 2025" in out and "Качество данных" in out


@pytest.mark.parametrize(("lang", "words"), [("en", ["Manager", "Leads", "Total", "Data as of"]),
                                              ("ru", ["Менеджер", "Обращения", "Итого", "Данные на"])])  # fmt: skip
def test_the_terminal_table_speaks_the_language_and_prints_data_as_written(tmp_path, capsys, lang, words):
    csv = Path(MARCH_SOURCE["path"]).read_text(encoding="utf-8").replace(",Ann,", ",[bold red]Ann[/]:smile:,")
    (tmp_path / "march.csv").write_text(csv, encoding="utf-8")
    params = write_params(tmp_path, {"source": {**MARCH_SOURCE, "path": str(tmp_path / "march.csv")}})
    args = ["compute", str(params), "--report", "employee_performance", "--period", "2025-03", "--lang", lang]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "[bold red]Ann[/]:smile:" in out  # rich markup and emoji codes from data stay text
    assert all(w in out for w in words) and "conversion_pct" not in out and "ci_low_pct" not in out
    lines = out.splitlines()
    assert lines[0] == (
        "Employee performance — March 2025" if lang == "en" else "Эффективность сотрудников — Март 2025"
    )
    assert any(line.startswith(("March 2025:", "Март 2025:")) for line in lines[1:4])  # then the headline


def test_check_prints_the_data_quality(tmp_path, capsys):
    params = write_params(tmp_path, {"source": MARCH_SOURCE})
    assert main(["check", str(params), "--period", "2025-03", "--format", "json"]) == 0
    quality = json.loads(capsys.readouterr().out)
    assert quality["rows_read"] == 13 and quality["excluded"]["no_date"] == 1


def test_expected_problems_exit_1_with_one_message_and_no_traceback(tmp_path):
    missing = run("compute", str(tmp_path / "none.yaml"), "--report", "lead_conversion")
    assert missing.returncode == 1 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("id,created,status\n1,2025-03-01,Won\n1,2025-03-02,Lost\n", encoding="utf-8")
    params = write_params(
        tmp_path, {"source": {**MARCH_SOURCE, "path": str(bad), "columns": {"lead_id": "id", "created_at": "created"}}}
    )
    done = run("compute", str(params), "--report", "lead_conversion")
    assert done.returncode == 1 and "duplicate lead id" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    period = run("compute", str(params), "--report", "lead_conversion", "--period", "someday")
    assert period.returncode == 1 and "not understood" in period.stderr
    half = run("compute", str(params), "--report", "lead_conversion", "--start", "2025-01-01")
    assert half.returncode == 1 and "give both start and end" in half.stderr
    far = run("compute", str(params), "--report", "lead_conversion", "--period", "9999")
    assert far.returncode == 1 and "outside the years" in far.stderr and "Traceback" not in far.stderr


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(lead_frames(max_size=40))
def test_cli_json_equals_api_on_generated_data(tmp_path, frame):
    csv = tmp_path / "gen.csv"
    frame.to_csv(csv, index=False)
    groups = {s: g for g, s in zip(frame["status_group"], frame["status"], strict=True)}
    source = {"kind": "file", "path": str(csv), "status_groups": groups or {"x": "new"},
              "status_results": {"Successful order": "order", "Successful sale": "sale"}}  # fmt: skip
    params = write_params(tmp_path, {"source": source})
    if frame.empty:  # a file with a header and no rows is refused, not reported as zeros (issue 15)
        from contextlib import redirect_stderr
        from io import StringIO

        with redirect_stderr(StringIO()) as err:
            assert main(["compute", str(params), "--report", "lead_conversion", "--format", "json"]) == 1
        assert "no leads in" in err.getvalue()
        return
    leads = from_frame(
        frame, no_reason_statuses=("Lost", "Closed unsuccessfully", "Закрыто неуспешно", "Закрыт неуспешно")
    )
    for report in ("lead_conversion", "lost_leads", "employee_performance"):
        from contextlib import redirect_stdout
        from io import StringIO

        buffer = StringIO()
        with redirect_stdout(buffer):
            assert main(["compute", str(params), "--report", report, "--format", "json"]) == 0
        printed = json.loads(buffer.getvalue())
        result = compute(report, leads)
        rows = result.reasons if report == "lost_leads" else result.rows
        assert_same_rows([{k: v for k, v in r.items() if k != "by_status"} for r in printed["rows"]], rows)
        assert {k: printed["total"][k] for k in result.total} == pytest.approx(result.total)


def test_run_refuses_a_period_on_an_undated_source_before_any_notebook(tmp_path):
    done = run("run", "params/x_education.yaml", "--period", "2025-03", "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and "no created_at dates" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "2025-03").exists()
    bad = run("batch", "params/demo.yaml", "--from", "2025-05", "--to", "2025-01", "--out", str(tmp_path / "o"))
    assert bad.returncode == 1 and "swap them" in bad.stderr
    for bad_formats in ("html,docx", ",", ""):
        fmt = run("run", "params/demo.yaml", "--formats", bad_formats, "--out", str(tmp_path / "o"))
        assert fmt.returncode == 2 and "give one or more of html, pdf, xlsx" in fmt.stderr
    for option, value in (("--workers", "-3"), ("--timeout", "0"), ("--workers", "two")):
        done = run("run", "params/demo.yaml", option, value, "--out", str(tmp_path / "o"))
        assert done.returncode == 2 and option in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_json_carries_the_analytics_under_documented_keys(tmp_path, capsys):
    params = write_params(tmp_path, {"source": MARCH_SOURCE})
    main(["compute", str(params), "--report", "employee_performance", "--period", "2025-03", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"comparisons", "trend", "time_to_convert", "conversion_curve"}
    previous = data["comparisons"]["previous"]
    assert previous["period"]["label"] == "2025-02" and previous["horizon_days"] == 6
    assert previous["total"]["horizon_pct"] == pytest.approx(60) and previous["total"]["verdict"] == "too_few"
    assert {"few_leads", "rank_by_lower_bound", "expected_pct", "mix_diff_pp", "vs_team"} <= set(data["rows"][0])
    main(["compute", str(params), "--report", "lost_leads", "--period", "2025-03", "--format", "json"])
    lost = json.loads(capsys.readouterr().out)
    assert set(lost) >= {"by_manager", "days_open", "comparisons", "trend"} and "cum_share_pct" in lost["rows"][0]


def test_failure_lines_print_error_text_as_written(capsys):
    from leadkit.commands import _console, _failed

    _failed(_console(stderr=True), "2025-03 lost_leads: lead [bold]L7[/] :smile: has no date")
    assert "FAILED  2025-03 lost_leads: lead [bold]L7[/] :smile: has no date" in capsys.readouterr().err


def test_compute_as_json_loads_no_renderer(tmp_path):
    """`compute --format json` prints data: no table printer, chart, template or Parquet writer is imported."""
    params = write_params(tmp_path, {"source": MARCH_SOURCE})
    args = ["compute", str(params), "--report", "lead_conversion", "--period", "2025-03", "--format", "json"]
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "leadkit", *args], capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "leadkit.reports" in imported
    assert not imported & {"rich.console", "rich.table", "matplotlib", "jinja2", "xlsxwriter", "pyarrow.parquet"}
