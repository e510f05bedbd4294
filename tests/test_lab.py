"""`make lab`: JupyterLab from the project's environment opens a notebook whose widgets render and work."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import FLAGS
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).with_name("jupyter")


def test_widget_extension_matches_ipywidgets():
    listing = subprocess.run([str(JUPYTER), "labextension", "list"], capture_output=True, text=True)
    text = listing.stdout + listing.stderr
    line = next(li for li in text.splitlines() if "@jupyter-widgets/jupyterlab-manager" in li)
    assert "enabled" in line and "OK" in line


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def lab(tmp_path):
    port, token = free_port(), "leadkit-test"
    # A copy, so that JupyterLab's autosave can never write outputs into the committed notebooks.
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "params", tmp_path / "params")
    cmd = [str(JUPYTER), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path / 'notebooks'}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]  # fmt: skip
    env = {"HOME": str(tmp_path), "PATH": f"{JUPYTER.parent}:/usr/bin:/bin"}
    if os.environ.get("PYTHONPATH"):  # a worktree's code, not the installed checkout's, in the kernel
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "JupyterLab did not start"
            time.sleep(0.5)
    yield url, token
    server.terminate()
    server.wait(timeout=30)


def in_language(book: Path, lang: str) -> None:
    """Set the notebook's ``lang`` parameter, as a reader editing the parameters cell would."""
    nb = json.loads(book.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    assert "lang = None" in source
    cell["source"] = source.replace("lang = None", f"lang = {lang!r}")
    book.write_text(json.dumps(nb), encoding="utf-8")


WORDS = {
    "en": {"managers": "Managers", "updating": "Updating", "clear": "Clear", "total": "Total", "other": "RU"},
    "ru": {"managers": "Менеджеры", "updating": "Обновляется", "clear": "Сбросить", "total": "Итого", "other": "EN"},
}
CUT_LABELS = """() => [...document.querySelectorAll('.leadkit-panel .widget-label-basic, .leadkit-panel button')]
    .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""


def report_changes(tab, before: str) -> None:
    tab.wait_for_function(
        "before => !document.querySelector('.leadkit-busy') && "
        "document.querySelector('.leadkit-report').innerText !== before",
        arg=before,
        timeout=120_000,
    )


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_notebook_widgets_display_and_work_in_jupyterlab(lab, tmp_path, lang):
    url, token = lab
    words = WORDS[lang]
    in_language(tmp_path / "notebooks" / "employee_performance.ipynb", lang)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        tab = browser.new_page(viewport={"width": 1024, "height": 1000})
        tab.goto(f"{url}/lab/tree/employee_performance.ipynb?token={token}", timeout=120_000)
        tab.wait_for_selector(".jp-Notebook", timeout=120_000)
        tab.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-Toolbar-kernelStatus", timeout=120_000
        )
        time.sleep(2)
        tab.click("text=Run", timeout=30_000)
        tab.click("text=Run All Cells", timeout=30_000)
        report = tab.locator(".leadkit-report").first
        report.wait_for(timeout=180_000)
        accordion = tab.locator(
            ".jupyter-widget-Collapse, .widget-accordion, .lm-Accordion, .jupyter-widget-Accordion"
        ).first
        accordion.wait_for(timeout=60_000)
        tab.screenshot(path=tmp_path / f"lab-{lang}.png", full_page=True)
        boxes = tab.evaluate(
            """() => [...document.querySelectorAll('.leadkit-report dl.report-meta > div')].map(d =>
                [d.querySelector('dt').getBoundingClientRect().right, d.querySelector('dd').getBoundingClientRect().left])"""
        )
        assert boxes and all(right <= left + 0.5 for right, left in boxes), "a meta label overlaps its value"
        assert words["total"] in report.inner_text() and words["managers"] in tab.locator(".leadkit-panel").inner_text()
        picker = tab.locator(".leadkit-multi-box").nth(1)  # lead types, managers, branches
        managers = picker.locator(".leadkit-options .widget-checkbox")  # "Ann (1,234)": a click ticks it
        names = []
        for i in (0, 1):  # two managers, one plain click each: no Ctrl
            label = managers.nth(i).inner_text().strip().replace("\xa0", " ")
            names.append(re.sub(r" \([\d,\s\u202f]+\)$", "", label))
            assert names[-1] != label, "each option carries its lead count"
            before = report.inner_text()
            managers.nth(i).locator(".widget-label-basic").click()
            tab.wait_for_function(  # dimmed, and saying so, at once (two widget updates: wait for both)
                "word => document.querySelector('.leadkit-busy') && "
                "document.querySelector('.leadkit-panel').innerText.includes(word)",
                arg=words["updating"],
                timeout=10_000,
            )
            report_changes(tab, before)
        assert managers.nth(0).locator("input").is_checked() and managers.nth(1).locator("input").is_checked()
        after = report.inner_text()
        assert all(name in after for name in names) and words["total"] in after
        chosen = picker.locator(".leadkit-chosen")
        assert [b.strip() for b in chosen.locator("button:visible").all_inner_texts()] == [
            *(f"× {n}" for n in sorted(names)),
            words["clear"],
        ]
        assert tab.evaluate(CUT_LABELS) == [], "a label is cut at 1024 px"
        tab.screenshot(path=tmp_path / f"lab-{lang}-filtered.png", full_page=True)
        before = report.inner_text()
        chosen.locator("button", has_text=names[0]).click()  # "× Ann" drops Ann in one click
        report_changes(tab, before)
        assert names[0] not in chosen.inner_text() and names[1] in report.inner_text()
        tab.locator(f"button:text-is('{words['other']}')").first.click()
        other = "Итого" if lang == "en" else "Total"
        tab.wait_for_function(
            "word => document.querySelector('.leadkit-report').innerText.includes(word)", arg=other, timeout=120_000
        )
        period = tab.locator(".leadkit-panel select").first.inner_text().replace("\xa0", " ")
        assert ("Всё время" if lang == "en" else "All time") in period
        assert ("Сбросить" if lang == "en" else "Clear") in tab.locator(".leadkit-panel").first.inner_text()
        assert tab.evaluate(CUT_LABELS) == [], "a label is cut after the language switch"
        browser.close()
