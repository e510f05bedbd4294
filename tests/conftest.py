"""Shared fixtures: the hand-checked March file, params builders and the real datasets."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from leadkit.leads import Leads, load_leads
from leadkit.params import Params, parse_params

# The ingest cache of every test run lives in a folder of its own, never beside the repository's params;
# each test then gets an empty one (below), so no test reads what another one cached.
os.environ["LEADKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="leadkit-test-ingest-")
atexit.register(shutil.rmtree, os.environ["LEADKIT_CACHE_DIR"], ignore_errors=True)
# Every query filled in from a compiled shape is compiled in full as well and must be the same text
# (leadkit.compiled): the whole suite, kernels it starts included, checks the shortcut.
os.environ["LEADKIT_CHECK_SHAPES"] = "1"

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DATASETS = ROOT.parent / "shared" / "datasets"

MARCH_SOURCE: dict[str, Any] = {
    "kind": "file",
    "path": str(DATA / "march.csv"),
    "columns": {
        "lead_id": "id",
        "created_at": "created",
        "closed_at": "closed",
        "lead_type": "type",
        "status": "status",
        "manager": "manager",
        "branch": "branch",
        "order_id": "order",
        "sale_id": "sale",
        "client": "client",
    },
    "status_groups": {
        "New lead": "new",
        "In work": "in_progress",
        "Waiting": "pending",
        "Successful order": "won",
        "Successful sale": "won",
        "Won": "won",
        "Expensive": "lost",
        "Canceled": "lost",
        "Lost": "lost",
    },
    "status_results": {"Successful order": "order", "Successful sale": "sale"},
}


@pytest.fixture(autouse=True)
def _own_ingest_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("LEADKIT_CACHE_DIR", str(tmp_path_factory.mktemp("ingest")))


def params_for(source: dict[str, Any], **extra: Any) -> Params:
    return parse_params({"source": source, **extra}, "test params")


@pytest.fixture(scope="session")
def march() -> Leads:
    """Thirteen hand-checked leads around March 2025 (see tests/data/march.csv)."""
    return load_leads(params_for(MARCH_SOURCE))


@pytest.fixture(scope="session")
def datasets() -> Path:
    assert DATASETS.is_dir(), f"the shared datasets are expected at {DATASETS}"
    return DATASETS


@pytest.fixture(scope="session")
def march_batch(tmp_path_factory):
    """The March file through the whole pipeline: February and March 2025, every format."""
    from leadkit.periods import parse_period
    from leadkit.pipeline.batch import run_batch

    out = tmp_path_factory.mktemp("batch")
    periods = [parse_period("2025-02"), parse_period("2025-03")]
    summary = run_batch(params_for(MARCH_SOURCE), periods, out=out, show_progress=False)
    assert summary.ok, summary.failed
    assert_outputs_ok(out)  # written by the batch's worker processes: parsed back here
    return out, summary


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    """The text of a PDF as poppler's pdftotext reads it (pypdf garbles WeasyPrint's custom-encoded fonts)."""
    import subprocess

    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture()
def count_queries(monkeypatch):
    """Start counting the queries DuckDB runs for Ibis; call the result to read the count so far."""
    from ibis.backends.duckdb import Backend

    seen = {"n": 0}
    for name in ("execute", "to_pyarrow", "to_pyarrow_batches", "raw_sql", "sql"):
        original = getattr(Backend, name)

        def counted(self, *args, _original=original, **kwargs):
            seen["n"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Backend, name, counted)

    from leadkit import frames

    run_sql = frames.run_sql  # leadkit's compiled queries reach DuckDB's connection here, past the Backend

    def counted_sql(*args, **kwargs):
        seen["n"] += 1
        return run_sql(*args, **kwargs)

    monkeypatch.setattr(frames, "run_sql", counted_sql)

    def start():
        seen["n"] = 0
        return lambda: seen["n"]

    return start


REPORT_NAMES = ["lead_conversion", "lost_leads", "employee_performance"]
DEFAULT_ANALYSIS = {
    "confidence": 0.95,
    "alpha": 0.05,
    "min_leads": 30,
    "trend_length": 12,
    "weekly_up_to_days": 27,
    "horizon_days": None,
    "horizon_share": 0.75,
    "min_followed": 0.5,
}


def expected_run(label: str, kind: str, start: str, end: str, source: str, **changes: Any) -> dict[str, Any]:
    """What a period's manifest must record, written out by hand (not read back from the manifest)."""
    return {
        "source": source,
        "period": {"label": label, "kind": kind, "start": start, "end": end, "basis": "created"},
        "filters": {"lead_types": [], "managers": [], "branches": []},
        "basis": "created",
        "lang": "en",
        "timezone": "UTC",
        "analysis": DEFAULT_ANALYSIS,
        "reports": REPORT_NAMES,
        "formats": ["html", "pdf", "xlsx"],
        **changes,
    }


def data_fingerprint(params: Params) -> str:
    """The fingerprint of a source's canonical rows, computed here, independently of a batch."""
    from leadkit.snapshot import fingerprint
    from leadkit.sources import read_source

    return fingerprint(read_source(params).frame)


HOSTILE_SOURCE: dict[str, Any] = {**MARCH_SOURCE, "path": str(DATA / "hostile.csv")}


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory):
    """Script tags, formulas, control characters and Cyrillic through the pipeline, in Russian."""
    from leadkit.periods import parse_period
    from leadkit.pipeline.batch import run_batch

    out = tmp_path_factory.mktemp("hostile")
    summary = run_batch(params_for(HOSTILE_SOURCE, lang="ru"), [parse_period("2025-03")], out=out, show_progress=False)
    assert summary.ok, summary.failed
    assert_outputs_ok(out)
    return out / "2025-03"


# --- Every workbook and page the tests write is parsed back -------------------------------------

# Not a Char of XML 1.0 (https://www.w3.org/TR/xml/#charsets), written out here, not taken from leadkit.
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def assert_workbook_ok(path: str | Path) -> None:
    """``path`` opens in openpyxl, every XML part of it parses with the standard library, and no
    shared string or sheet carries a character XML 1.0 forbids (raw or as an ``_xHHHH_`` escape)."""
    import zipfile
    from xml.etree import ElementTree

    import openpyxl

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                text = archive.read(name).decode("utf-8")
                ElementTree.fromstring(text)  # raises on anything XML 1.0 forbids
                escaped = re.search(r"(?<!_x005F)_x00(?:0[0-8bcBC]|1[0-9a-fA-F])_", text)
                assert escaped is None, f"{path}: {name} holds an escaped control character {escaped[0]}"
    with open(path, "rb") as handle:  # a handle: openpyxl judges a path by its suffix (".part" while written)
        workbook = openpyxl.load_workbook(handle, read_only=True)
        names = list(workbook.sheetnames)
        workbook.close()
    for sheet in names:
        assert 0 < len(sheet) <= 31 and not sheet.startswith("'") and not sheet.endswith("'"), sheet
    assert len({s.casefold() for s in names}) == len(names)


def assert_page_ok(page: str | Path) -> None:
    """An HTML page (text or file) parses as HTML5 without a single parse error and carries no control character."""
    from tinyhtml5.parser import HTMLParser

    text = Path(page).read_text(encoding="utf-8") if isinstance(page, Path) else page
    found = XML_FORBIDDEN.search(text)
    assert found is None, f"a control character {found[0]!r} at {found.start()}"
    parser = HTMLParser()
    parser.parse(text)
    assert not parser.errors, parser.errors[:5]


def assert_outputs_ok(folder: Path) -> None:
    """Every workbook and page under ``folder`` (a batch's output) parses back."""
    for path in sorted(folder.rglob("*.xlsx")):
        assert_workbook_ok(path)
    for path in sorted(folder.rglob("*.html")):
        assert_page_ok(path)


@pytest.fixture(autouse=True)
def _workbooks_parse_back(monkeypatch):
    """Every workbook leadkit writes in this process is checked as it is closed (before its atomic rename)."""
    from leadkit.render import excel

    close = excel._Workbook.close

    def checked_close(self):
        close(self)
        assert_workbook_ok(self.filename)

    monkeypatch.setattr(excel._Workbook, "close", checked_close)


FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (Debian's chromium, which .ci/run installs)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Chromium is needed for the browser tests: apt-get install chromium (.ci/run does)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=FLAGS)
        yield chromium
        chromium.close()
