"""Every subcommand meets an expected problem with one clear message, exit 1 (2 for usage), no traceback.

Run as a real process, as a user would: far-off periods, output paths under or at a file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import MARCH_SOURCE

ROOT = Path(__file__).resolve().parents[1]


def leadkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadkit", *args], capture_output=True, text=True, cwd=ROOT)


def one_clear_error(done: subprocess.CompletedProcess[str], *words: str, code: int = 1) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and 'File "' not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("leadkit: error:")]
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.fixture(scope="module")
def params(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "march.yaml"
    path.write_text(yaml.safe_dump({"source": MARCH_SOURCE}), encoding="utf-8")
    return path


FAR = ["9999", "0001", "9999-Q4", "1969-12", "2101-W01", "2999-12-31", "1900-01-01..2025-01-01"]


@pytest.mark.parametrize("period", FAR)
def test_far_off_periods_are_refused_by_compute_and_check(params, period):
    for command in (["compute", str(params), "--report", "employee_performance"], ["check", str(params)]):
        done = leadkit(*command, "--period", period)
        one_clear_error(done, "outside the years 1970–2100", "check the year")
        assert done.stdout == ""


@pytest.mark.slow  # a few processes, each importing leadkit
def test_far_off_periods_are_refused_by_run_and_batch_before_any_output(params, tmp_path):
    out = tmp_path / "out"
    one_clear_error(leadkit("run", str(params), "--period", "9999", "--out", str(out)), "outside the years 1970–2100")
    one_clear_error(leadkit("run", str(params), "--start", "0001-01-01", "--end", "2025-01-01", "--out", str(out)),
                    "outside the years 1970–2100")  # fmt: skip
    for first, last in (("9999-11", "9999-12"), ("2100-11", "2101-02"), ("1969-01", "1970-02")):
        done = leadkit("batch", str(params), "--from", first, "--to", last, "--out", str(out))
        one_clear_error(done, "outside the years 1970–2100")
    assert not out.exists()


@pytest.mark.slow  # a few processes, each importing leadkit
def test_the_first_and_last_years_have_reports_without_impossible_comparisons(params):
    for period in ("1970-01", "2100-12", "2100-12-31"):
        done = leadkit("compute", str(params), "--report", "lead_conversion", "--period", period, "--format", "json")
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.slow  # a few processes, each importing leadkit
def test_an_output_path_at_or_under_a_file_is_refused_before_any_work(params, tmp_path):
    a_file = tmp_path / "report.txt"
    a_file.write_text("an earlier file", encoding="utf-8")
    for command in ("run", "batch"):
        period = ["--period", "2025-03"] if command == "run" else ["--from", "2025-03", "--to", "2025-03"]
        for out, words in ((a_file, ("is a file, not a folder",)), (a_file / "sub", ("lies under", "which is a file"))):
            done = leadkit(command, str(params), *period, "--formats", "xlsx", "--out", str(out))
            one_clear_error(done, str(out), *words)
    assert a_file.read_text(encoding="utf-8") == "an earlier file"


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--formats", ",", "give one or more of html, pdf, xlsx"),
        ("--formats", " , ", "give one or more of html, pdf, xlsx"),
        ("--workers", "-3", "must be at least 1"),
        ("--workers", "0", "must be at least 1"),
        ("--timeout", "0", "must be at least 1"),
        ("--timeout", "soon", "is not a whole number"),
    ],
)
def test_bad_output_options_are_usage_errors_for_run_and_batch(params, tmp_path, option, value, words):
    for command in (["run", str(params), "--period", "2025-03"], ["batch", str(params), "--from", "2025-03",
                                                                   "--to", "2025-03"]):  # fmt: skip
        done = leadkit(*command, option, value, "--out", str(tmp_path / "o"))
        assert done.returncode == 2 and option in done.stderr and words in done.stderr  # argparse: usage, exit 2
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_misspelt_filter_value_is_pointed_out_not_a_crash(params, lang):
    """`--managers Bobb` matches no lead: the report (0 leads) says which value and what to check."""
    from leadkit.api import lead_conversion
    from leadkit.leads import load_leads
    from leadkit.params import load_params
    from leadkit.render.html import report_body

    done = leadkit("compute", str(params), "--report", "lead_conversion", "--period", "2025-03",
                   "--managers", "Bobb", "--lang", lang)  # fmt: skip
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "Bobb" in done.stderr and ("check the spelling" if lang == "en" else "проверьте написание") in done.stderr
    result = lead_conversion(load_leads(load_params(params)), period="2025-03", managers=["Bobb"])
    page = report_body(result, lang, with_chart=False)
    assert "Bobb" in page and ("Manager" if lang == "en" else "Менеджер") in page
