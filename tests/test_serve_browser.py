"""`leadkit serve` in a real Chromium: every dashboard shows `leadkit compute`'s figures for the scope chosen on
the page, in English and in Russian, and the page can neither run code in its kernel nor see the notebooks' code.

One Voilà server per language serves every test of that language (a module fixture; the tests of one language
share an xdist group, so ``pytest -n 2 --dist loadgroup`` runs the two languages side by side).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Page, WebSocket

ROOT = Path(__file__).resolve().parents[1]
LEADKIT = Path(sys.executable).with_name("leadkit")
REPORTS = ("lead_conversion", "lost_leads", "employee_performance")
START, LOAD, UPDATE = 120, 240_000, 180_000  # seconds for Voilà to listen; ms for a page, ms for a filter change
TITLES = {"en": ("Lead conversion", "Lost leads", "Employee performance"),
          "ru": ("Конверсия обращений", "Закрытые неуспешно", "Эффективность сотрудников")}  # fmt: skip
TRACEBACK = ("Traceback (most recent call last)", "site-packages", 'File "/', "Error: ", "leadkit/")

pytestmark = pytest.mark.slow


@dataclass
class Server:
    url: str
    params: Path
    lang: str
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_params(folder: Path, lang: str) -> Path:
    """params/demo.yaml as it ships (English) or its Russian twin (Russian words and Russian data)."""
    params = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    if lang == "ru":
        params["lang"] = "ru"
        params["source"]["names"] = "ru"
    path = folder / f"demo-{lang}.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("en", marks=pytest.mark.xdist_group("voila-en")),
        pytest.param("ru", marks=pytest.mark.xdist_group("voila-ru")),
    ],
)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    lang = request.param
    folder = tmp_path_factory.mktemp(f"voila-{lang}")
    params, log, port = demo_params(folder, lang), folder / "voila.log", free_port()
    env = {**os.environ, "HOME": str(folder)}
    with log.open("wb") as out:
        process = subprocess.Popen([str(LEADKIT), "serve", str(params), "--port", str(port)], cwd=folder,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START
        while True:
            try:
                urllib.request.urlopen(f"{url}/voila/render/index.ipynb", timeout=5).close()
                break
            except OSError:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                assert process.poll() is None, f"leadkit serve exited:\n{tail}"
                assert time.monotonic() < deadline, f"Voilà did not listen within {START} s:\n{tail}"
                time.sleep(0.5)
        yield Server(url, params, lang, log, process)
    finally:
        process.terminate()  # leadkit passes it on to Voilà, which shuts its kernels down
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode is not None
    assert_stops_listening(port)


def assert_stops_listening(port: int, seconds: float = 60) -> None:
    """Voilà itself went away with leadkit (it once outlived a stopped `leadkit serve`, kernels and all)."""
    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        assert time.monotonic() < deadline, f"Voilà still listens on {port} after leadkit serve stopped"
        time.sleep(0.5)


# ----- what leadkit compute says


def computed(server: Server, report: str, **filters: str) -> dict[str, Any]:
    """`leadkit compute --format json` for the params file's scope narrowed by ``filters`` (one value each)."""
    options = [f"--{key.replace('_', '-')}={value}" for key, value in filters.items()]
    done = subprocess.run([str(LEADKIT), "compute", str(server.params), "--report", report, "--format", "json",
                           *options], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def said(result: dict[str, Any], kind: str) -> str:
    """The text of the computed headline of ``kind`` (the page prints the same sentence)."""
    return str(next(h["text"] for h in result["highlights"] if h["kind"] == kind))


def figure(text: str, lang: str) -> float:
    """A number as the page prints it ("1,234", "42.5%"; "1 234", "42,5 %") read back."""
    text = re.sub(r"[\s\u00a0\u202f%]", "", text)
    text = text.replace(",", ".") if lang == "ru" else text.replace(",", "")
    return float(text)


# ----- the page


@dataclass
class Dashboard:
    tab: Page
    lang: str
    document: str  # the HTML Voilà sent, before any script ran
    received: list[str]  # every websocket frame the page received


def open_page(browser: Browser, server: Server, name: str, report: bool = True) -> Dashboard:
    """``name``.ipynb as Voilà serves it, its report drawn (unless ``report`` is False), its websocket recorded."""
    tab = browser.new_page(viewport={"width": 1024, "height": 1400})
    received: list[str] = []

    def listen(ws: WebSocket) -> None:
        ws.on("framereceived", lambda frame: received.append(frame if isinstance(frame, str) else repr(frame)))

    tab.on("websocket", listen)
    response = tab.goto(f"{server.url}/voila/render/{name}.ipynb", timeout=LOAD)
    assert response is not None and response.status == 200
    document = response.text()  # Voilà sends it once every cell has run
    if report:
        tab.locator(".leadkit-report").first.wait_for(timeout=LOAD)
        settled(tab)
    return Dashboard(tab, server.lang, document, received)


def settled(tab: Page) -> None:
    tab.wait_for_function("() => !document.querySelector('.leadkit-busy')", timeout=UPDATE)


def summary(board: Dashboard) -> list[list[str]]:
    """The report's main table as the reader sees it: one list of cell texts per row, the total row last."""
    rows = board.tab.evaluate(
        """() => [...document.querySelectorAll('.leadkit-report table.summary tbody tr')]
                 .map(tr => [...tr.cells].map(td => td.innerText.trim()))"""
    )
    assert rows, "the report shows no summary table"
    return list(rows)


def headline(board: Dashboard, kind: str) -> str:
    return str(board.tab.locator(f".leadkit-report section.headline li.{kind}").first.inner_text())


def choose(board: Dashboard, picker: int, skip: int = 0) -> str:
    """Pick one option (not a marker such as "(not set)") in the ``picker``-th list; the data value it stands for."""
    boxes = board.tab.locator(".leadkit-options").nth(picker).locator(".widget-checkbox:visible")
    labels = [str(t).strip().replace("\u00a0", " ") for t in boxes.all_inner_texts()]  # ipywidgets' spaces
    plain = [i for i, label in enumerate(labels) if not label.startswith("(")]
    index = plain[skip]
    value = re.sub(r" \([\d\s,\u202f]+\)$", "", labels[index])
    before = board.tab.locator(".leadkit-report").first.inner_text()
    boxes.nth(index).locator(".widget-label-basic").click()  # one plain click ticks it, as a reader does
    board.tab.wait_for_function(
        "before => !document.querySelector('.leadkit-busy') && "
        "document.querySelector('.leadkit-report').innerText !== before",
        arg=before,
        timeout=UPDATE,
    )
    return value


def same_rows(board: Dashboard, expected: dict[str, Any], key: str, columns: dict[int, str]) -> None:
    """Each row of the page's summary table against the JSON rows (then the total), column by column."""
    shown = summary(board)
    wanted = [*expected["rows"], expected["total"]]
    assert len(shown) == len(wanted), (shown, wanted)
    for cells, row in zip(shown, wanted, strict=True):
        if row[key] is not None and not str(row[key]).startswith("("):  # markers are translated on the page
            assert cells[0] == row[key] or row is expected["total"], (cells, row)
        for index, name in columns.items():
            if row.get(name) is not None:
                assert figure(cells[index], board.lang) == pytest.approx(row[name], abs=0.05), (cells, name, row)


# ----- the code that must never reach the browser


def code_lines() -> set[str]:
    """Distinctive lines of the notebooks' code cells (comments included): none may reach a page."""
    lines = set()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                lines |= {line.strip() for line in "".join(cell["source"]).splitlines() if len(line.strip()) >= 12}
    assert len(lines) >= 15
    return lines


def assert_no_code(board: Dashboard, server: Server) -> None:
    """No code line, traceback or params path in what was sent (HTML, websocket) nor what is shown."""
    shown = board.tab.content()
    frames = "\n".join(board.received)
    secret = {*code_lines(), str(server.params), "params_file"}
    for where, text in (("the HTML sent", board.document), ("the page", shown), ("the websocket", frames)):
        for line in secret:
            for form in (line, json.dumps(line)[1:-1], line.replace('"', "&quot;"), line.replace("'", "&#x27;")):
                assert form not in text, f"code {line!r} reached {where}"
        for mark in TRACEBACK:
            assert mark not in text, f"traceback text {mark!r} reached {where}"


# ----- the tests: one server per language serves them all


def test_the_landing_page_links_the_three_dashboards_in_the_language(server, browser):
    board = open_page(browser, server, "index", report=False)
    links = board.tab.locator("a[href$='.ipynb']")
    links.first.wait_for(timeout=LOAD)
    found = {str(a.get_attribute("href")): a.inner_text() for a in links.all()}
    assert found == {f"{name}.ipynb": TITLES[server.lang][i] for i, name in enumerate(REPORTS)}
    assert board.tab.locator("h1").first.inner_text().strip().rstrip("¶").strip() == (
        "leadkit reports" if server.lang == "en" else "Отчёты leadkit"
    )
    assert_no_code(board, server)
    board.tab.click("a[href='lost_leads.ipynb']")  # a link leads to a working dashboard
    board.tab.wait_for_url("**/voila/render/lost_leads.ipynb", timeout=LOAD)
    board.tab.locator(".leadkit-report").first.wait_for(timeout=LOAD)
    board.tab.close()


def test_lead_conversion_shows_the_apis_figures_for_a_lead_type(server, browser):
    board = open_page(browser, server, "lead_conversion")
    columns = {1: "leads", 2: "converted", 7: "open", 8: "conversion_pct"}
    expected = computed(server, "lead_conversion")
    same_rows(board, expected, "lead_type", columns)
    assert headline(board, "scope") == said(expected, "scope")
    lead_type = choose(board, picker=0, skip=1)
    assert re.fullmatch("[А-Яа-яЁё -]+" if server.lang == "ru" else "[A-Za-z -]+", lead_type)  # the data's language
    expected = computed(server, "lead_conversion", lead_types=lead_type)
    assert [row["lead_type"] for row in expected["rows"]] == [lead_type]
    same_rows(board, expected, "lead_type", columns)
    overall = figure(summary(board)[-1][8], server.lang)
    assert overall == pytest.approx(expected["total"]["conversion_pct"], abs=0.05)
    assert headline(board, "scope") == said(expected, "scope")
    assert "parameters cell" not in board.tab.inner_text("body")  # the notebook's notes for analysts are not shown
    assert_no_code(board, server)
    board.tab.screenshot(path=server.log.with_name("lead_conversion.png"), full_page=True)
    board.tab.close()


def test_lost_leads_shows_the_apis_figures_for_a_manager(server, browser):
    board = open_page(browser, server, "lost_leads")
    manager = choose(board, picker=1, skip=2)
    expected = computed(server, "lost_leads", managers=manager)
    same_rows(board, expected, "reason", {1: "leads", 2: "share_pct"})
    top = summary(board)[0]
    assert top[0] == expected["rows"][0]["reason"]  # the top reason and how many leads it lost
    assert figure(top[1], server.lang) == expected["rows"][0]["leads"] > 0
    assert headline(board, "top_reasons") == said(expected, "top_reasons")
    assert_no_code(board, server)
    board.tab.close()


def test_the_report_is_styled_in_voila_as_on_its_static_page(server, browser):
    """Voilà's page styles bare elements as JupyterLab does; the report's scoped rules win (see test_styles)."""
    board = open_page(browser, server, "lost_leads")
    seen = board.tab.evaluate(
        """() => ({
            text: getComputedStyle(document.querySelector('.leadkit-report td.text')).textAlign,
            num: getComputedStyle(document.querySelector('.leadkit-report td.num')).textAlign,
            layout: getComputedStyle(document.querySelector('.leadkit-report table')).tableLayout,
            dt: getComputedStyle(document.querySelector('.leadkit-report dt')).cssFloat,
            overlaps: [...document.querySelectorAll('.leadkit-report dl.report-meta > div')].filter(d =>
                d.querySelector('dt').getBoundingClientRect().right > d.querySelector('dd').getBoundingClientRect().left + 0.5
                || Math.abs(d.querySelector('dt').getBoundingClientRect().top
                            - d.querySelector('dd').getBoundingClientRect().top) > 2).length,
        })"""
    )
    assert seen == {"text": "left", "num": "right", "layout": "auto", "dt": "none", "overlaps": 0}
    board.tab.close()


def test_employee_performance_shows_the_apis_figures_for_a_branch(server, browser):
    board = open_page(browser, server, "employee_performance")
    branch = choose(board, picker=2, skip=0)
    expected = computed(server, "employee_performance", branches=branch)
    same_rows(board, expected, "manager", {1: "leads", 2: "converted", 8: "conversion_pct"})
    first = expected["rows"][0]
    row = next(cells for cells in summary(board) if cells[0] == first["manager"])  # a manager's conversion
    assert figure(row[8], server.lang) == pytest.approx(first["conversion_pct"], abs=0.05)
    assert headline(board, "team") == said(expected, "team")
    assert_no_code(board, server)
    board.tab.close()


# ----- what the page can do to its kernel, and what the server hands out

ATTACK = """
async ({code}) => {
  // From inside the dashboard: a websocket of our own to the page's kernel (same origin, the page's cookies).
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const session = crypto.randomUUID();
  const ws = new WebSocket(`ws://${location.host}${config.baseUrl}api/kernels/${config.kernelId}/channels` +
                           `?session_id=${session}`);
  const got = [];
  ws.onmessage = event => got.push(JSON.parse(event.data));
  await new Promise((opened, failed) => {
    ws.onopen = opened;
    ws.onerror = () => failed(new Error('the websocket was refused'));
    setTimeout(() => failed(new Error('the websocket did not open')), 30000);
  });
  const send = (id, type, content) => ws.send(JSON.stringify({
    header: {msg_id: id, msg_type: type, username: 'page', session, date: new Date().toISOString(), version: '5.3'},
    parent_header: {}, metadata: {}, content, buffers: [], channel: 'shell'}));
  send('run', 'execute_request', {code, silent: false, store_history: true, user_expressions: {},
                                  allow_stdin: false, stop_on_error: true});
  send('history', 'history_request', {output: false, raw: true, hist_access_type: 'tail', n: 100});
  send('inspect', 'inspect_request', {code: 'lk', cursor_pos: 2, detail_level: 1});
  send('control', 'kernel_info_request', {});  // allowed: its reply shows the channel itself works
  const replied = id => got.some(m => m.parent_header && m.parent_header.msg_id === id && m.channel === 'shell');
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline && !replied('control')) await new Promise(r => setTimeout(r, 100));
  await new Promise(r => setTimeout(r, 5000));  // time for any late reply to the refused requests
  ws.close();
  return got.map(m => ({id: m.parent_header && m.parent_header.msg_id, type: m.msg_type, channel: m.channel}));
}
"""


def test_the_page_cannot_run_code_in_its_kernel(server, browser, tmp_path):
    marker = tmp_path / "pwned"
    board = open_page(browser, server, "lead_conversion")
    got = board.tab.evaluate(ATTACK, {"code": f"open({str(marker)!r}, 'w').write('pwned')"})
    replies = {m["id"]: m["type"] for m in got if m["channel"] == "shell"}
    assert replies.get("control") == "kernel_info_reply", got  # the channel works: the allowed request is answered
    assert not {"run", "history", "inspect"} & set(replies), got  # the others never reach the kernel
    assert not any(m["id"] == "run" for m in got), got  # not even a busy status on iopub
    time.sleep(3)
    assert not marker.exists(), "code sent by the page ran in the kernel"
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert 'Received message of type "execute_request", which is not allowed' in log
    assert_no_code(board, server)  # nor did the attempt bring any code back
    board.tab.close()


def test_notebooks_params_and_server_apis_are_not_served(server):
    site = server.params.parent / "outputs" / "dashboard" / server.params.stem
    assert (site / "lead_conversion.ipynb").is_file()  # the paths below point at real files
    up = "../../.."  # from the site folder to the params file
    paths = [
        *(f"/voila/files/{name}.ipynb" for name in (*REPORTS, "index")),
        f"/voila/files/{up}/{server.params.name}",
        f"/voila/render/{up}/{server.params.name}",
        f"/voila/render/..%2F..%2F..%2F{server.params.name}",
        f"/voila/static/{up}/{up}/{server.params.name}",
        "/tree", "/api/contents", "/api/contents/lead_conversion.ipynb", "/files/lead_conversion.ipynb",
        "/api/kernels", "/api/sessions", "/lab", "/notebooks/lead_conversion.ipynb",
        "/nbconvert/script/lead_conversion.ipynb", "/voila/render/lead_conversion.ipynb?download=1",
    ]  # fmt: skip
    secrets = ("seed: 7", "kind: demo", "lk.load(", "params_file", '"cell_type"', "nbformat")
    served = {}
    for path in [*paths, "/", "/voila/tree"]:
        try:
            with urllib.request.urlopen(f"{server.url}{path}", timeout=120) as answer:
                served[path] = answer.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as refused:
            assert refused.code in (403, 404), (path, refused.code)
    for path, body in served.items():
        assert not [s for s in secrets if s in body], f"{path} gave away {[s for s in secrets if s in body]}"
        assert not any(mark in body for mark in TRACEBACK[:2]), path
    assert set(served) <= {"/", "/voila/tree", "/voila/render/lead_conversion.ipynb?download=1"}, set(served)
    for page in ("/", "/voila/tree"):  # Voilà's file listing names notebooks at most, never the params file
        assert server.params.name not in served[page]
        assert set(re.findall(r"[\w.-]+\.ipynb", served[page])) <= {f"{name}.ipynb" for name in (*REPORTS, "index")}


def test_a_failing_dashboard_says_what_is_wrong_in_one_paragraph_without_a_traceback(server, browser):
    original = server.params.read_text(encoding="utf-8")
    assert "\nperiod: 2025\n" in original
    try:  # each page starts a kernel that reads the params file again: a month 13 fails in the notebook
        server.params.write_text(original.replace("\nperiod: 2025\n", "\nperiod: 2025-13\n"), encoding="utf-8")
        board = open_page(browser, server, "lost_leads", report=False)
    finally:
        server.params.write_text(original, encoding="utf-8")
    assert "leadkit-report" not in board.document  # the cell did fail, and the cells after it did not run
    shown = board.tab.locator("p.leadkit-error").inner_text()  # one paragraph: what is wrong, who fixes it
    fixer = {"en": "whoever runs this dashboard needs to fix", "ru": "тому, кто ведёт эту панель, нужно исправить"}
    assert "2025-13" in shown and fixer[server.lang] in shown and server.params.name in shown
    assert "There was an error when executing cell" not in board.document and "Traceback" not in board.document
    assert_no_code(board, server)
    board.tab.close()
