"""`make lab`: JupyterLab from the project's environment opens a notebook whose widgets render and work."""

from __future__ import annotations

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
from playwright.sync_api import sync_playwright
from test_browser import FLAGS

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


@pytest.mark.slow
def test_notebook_widgets_display_and_work_in_jupyterlab(lab, tmp_path):
    url, token = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
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
        tab.screenshot(path=tmp_path / "lab.png", full_page=True)
        boxes = tab.evaluate(
            """() => [...document.querySelectorAll('.leadkit-report dl.report-meta > div')].map(d =>
                [d.querySelector('dt').getBoundingClientRect().right, d.querySelector('dd').getBoundingClientRect().left])"""
        )
        assert boxes and all(right <= left + 0.5 for right, left in boxes), "a meta label overlaps its value"
        before = report.inner_text()
        select = tab.locator("select[multiple]").nth(1)  # managers: "Ann (1,234)"
        label = select.locator("option").nth(1).inner_text().replace("\xa0", " ")
        first_manager = re.sub(r" \([\d,\s\u202f]+\)$", "", label)
        assert first_manager != label, "each option carries its lead count"
        select.select_option(label=label)
        tab.locator(".leadkit-busy").first.wait_for(timeout=10_000)  # dimmed at once
        assert "Updating" in tab.locator(".leadkit-panel").first.inner_text()
        tab.wait_for_function(
            "before => !document.querySelector('.leadkit-busy') && "
            "document.querySelector('.leadkit-report').innerText !== before",
            arg=before,
            timeout=120_000,
        )
        after = report.inner_text()
        tab.screenshot(path=tmp_path / "lab-filtered.png", full_page=True)
        assert first_manager in after and "Total" in after
        tab.locator("button:text-is('RU')").first.click()
        tab.wait_for_function("() => document.querySelector('.leadkit-report').innerText.includes('Итого')",
                              timeout=120_000)  # fmt: skip
        panel = tab.locator(".leadkit-panel").first.inner_text()
        assert "Всё время" in tab.locator(".leadkit-panel select").first.inner_text().replace("\xa0", " ")
        assert "Менеджеры" in panel and "Выгрузить в Excel" in panel
        browser.close()
