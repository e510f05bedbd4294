"""`leadkit serve`: the site it builds, Voilà's hardened command line, and row-level viewers in Chromium (the three
dashboards themselves: test_serve_browser)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import FLAGS

from leadkit.serve import build_site, voila_command

ROOT = Path(__file__).resolve().parents[1]
LEADKIT = Path(sys.executable).with_name("leadkit")


def test_the_site_names_the_params_file_keeps_the_code_and_drops_the_analysts_notes(tmp_path):
    params = tmp_path / "my params.yaml"
    site = build_site(params, tmp_path / "site")
    for name in ("lead_conversion", "lost_leads", "employee_performance"):
        book = json.loads((site / f"{name}.ipynb").read_text(encoding="utf-8"))
        original = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert {c["cell_type"] for c in book["cells"]} == {"code"}  # English notes on hidden cells: not for the page
        code = ["".join(c["source"]) for c in book["cells"]]
        assert f"params_file = {str(params)!r}\n" in code[0]
        assert code[1:] == ["".join(c["source"]) for c in original["cells"] if c["cell_type"] == "code"][1:]


def test_voila_is_hardened_and_local_unless_told(monkeypatch):
    monkeypatch.delenv("LEADKIT_SERVE_TOKEN", raising=False)
    local = voila_command(Path("/site"), "127.0.0.1", 8866)
    assert "--Voila.ip=127.0.0.1" in local and "--VoilaConfiguration.strip_sources=True" in local
    assert "--VoilaConfiguration.show_tracebacks=False" in local
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in local)
    assert not any("token" in a for a in local)
    assert "--token" in voila_command(Path("/site"), "0.0.0.0", 8866)  # elsewhere: a token is required


def test_the_token_reaches_the_server_in_a_private_file_not_the_command_line(monkeypatch):
    import os
    import stat

    from leadkit.serve import _token_file

    sentinel = "tok-SENTINEL-4711"
    monkeypatch.setenv("LEADKIT_SERVE_TOKEN", sentinel)
    assert not any(sentinel in a for a in voila_command(Path("/site"), "0.0.0.0", 8866))
    assert "--token" in voila_command(Path("/site"), "127.0.0.1", 8866)  # a token set is used locally too
    env = dict(os.environ)
    with _token_file(env):
        name = env["JUPYTER_TOKEN_FILE"]
        assert Path(name).read_text(encoding="utf-8") == sentinel  # jupyter_server reads it whole
        assert stat.S_IMODE(Path(name).stat().st_mode) == 0o600
        assert not any(sentinel in v for k, v in env.items() if k != "LEADKIT_SERVE_TOKEN")
        assert "LEADKIT_SERVE_TOKEN" not in env  # the kernels inherit env: no token there
    assert not Path(name).exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running(folder: Path, settings: dict, token: str = "") -> Iterator[tuple[str, Path]]:
    """`leadkit serve` on a free port with a 3,000-lead demo and ``settings``; its URL and params file."""
    params = folder / "params.yaml"
    source = {"kind": "demo", "rows": 3000, "seed": 7, "start": "2024-01-01", "end": "2025-12-31"}
    params.write_text(yaml.safe_dump({"source": source, "period": "2025", "lang": "en", **settings}), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "HOME": str(folder), "LEADKIT_SERVE_TOKEN": token}
    server = subprocess.Popen([str(LEADKIT), "serve", str(params), "--port", str(port)], cwd=folder, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except urllib.error.HTTPError:  # it answers (403 without the token)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "Voilà did not start"
                time.sleep(0.5)
        yield url, params
    finally:
        server.terminate()
        server.wait(timeout=30)


VIEWERS = {"contact": "Olga, olga@example.com",
           "users": {"ava@example.com": {"managers": ["Ava Foster"]}, "boss@example.com": {"all": True}}}  # fmt: skip


def open_report(context, url: str, name: str, selector: str):
    tab = context.new_page()
    tab.goto(f"{url}/voila/render/{name}.ipynb", timeout=240_000)
    tab.locator(selector).first.wait_for(timeout=240_000)
    return tab


@pytest.mark.slow
def test_a_viewer_sees_only_their_leads_and_no_header_sees_nothing(tmp_path):
    from playwright.sync_api import sync_playwright

    token = "proxy-SENTINEL-" + "7" * 32
    proxy = {"Authorization": f"token {token}"}  # what the proxy adds to every request, with the user header
    running_ = running(tmp_path, {"dashboard": {"viewers": VIEWERS}}, token)
    with running_ as (url, params), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        size = {"width": 1024, "height": 1400}
        forged = urllib.request.Request(f"{url}/voila/render/lead_conversion.ipynb",
                                        headers={"X-Leadkit-User": "boss@example.com"})  # fmt: skip
        with urllib.request.urlopen(forged, timeout=60) as answer:  # past the proxy, the header alone opens nothing
            assert "/login" in answer.url and "leadkit" not in answer.read().decode("utf-8").lower()
        ava = browser.new_context(viewport=size, extra_http_headers={**proxy, "X-Leadkit-User": "ava@example.com"})
        tab = open_report(ava, f"{url}", "lead_conversion", ".leadkit-report")
        assert "Your view — Managers: Ava Foster (signed in as ava@example.com)." in tab.inner_text(".leadkit-viewer")
        managers = tab.locator(".leadkit-options").nth(1).locator(".widget-checkbox:visible").all_inner_texts()
        assert [re.sub(r" \([\d,\s\u202f]+\)$", "", m.replace("\xa0", " ")) for m in managers] == ["Ava Foster"]
        total = tab.locator(".leadkit-report section.summary tr.total td").nth(1).inner_text()
        tab.screenshot(path=tmp_path / "viewer-en.png", full_page=True)
        crafted = ava.new_page()  # a user in the query string is no user
        crafted.goto(f"{url}/voila/render/lead_conversion.ipynb?user=boss@example.com", timeout=240_000)
        crafted.locator(".leadkit-viewer").wait_for(timeout=240_000)
        assert "ava@example.com" in crafted.inner_text(".leadkit-viewer")
        people = open_report(ava, url, "employee_performance", ".leadkit-report")
        text = people.inner_text("body")
        assert "Ava Foster" in text and "Emma Davis" not in text and "Noah Evans" not in text
        assert token not in tab.content()  # the page never carries the secret the proxy holds
        nobody = browser.new_context(viewport=size, extra_http_headers=proxy)
        denied = open_report(nobody, f"{url}", "lead_conversion", ".leadkit-denied")
        assert denied.inner_text(".leadkit-denied").startswith("You have no access to these reports.")
        assert "Olga, olga@example.com" in denied.inner_text(".leadkit-denied")
        assert (
            denied.locator(".leadkit-report").count() == 0
            and denied.locator("select, input[type=checkbox]").count() == 0
        )
        assert denied.locator("button").count() == 0  # no export
        denied.screenshot(path=tmp_path / "denied-en.png", full_page=True)
        browser.close()
    shown = subprocess.run([str(LEADKIT), "compute", str(params), "--report", "lead_conversion", "--format", "json",
                            "--managers", "Ava Foster"], capture_output=True, text=True, check=True)  # fmt: skip
    assert int(total.replace(",", "")) == json.loads(shown.stdout)["total"]["leads"]
