"""A server that echoes the key and the token, transformed, in every refusal: none of it is repeated."""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, unquote_plus

import pytest
import yaml
from fake_remonline import ECHOES, FakeRemonline
from hypothesis import given, settings
from hypothesis import strategies as st

from leadkit.exceptions import ApiError
from leadkit.redact import LIMIT, Redactor
from leadkit.sources.remonline.client import RemonlineClient
from leadkit.sources.remonline.ratelimit import RateLimiter

ROOT = Path(__file__).resolve().parents[1]
KEY = "Sk-9fA/b+Q=Zx7_Mn0pLw"  # '/', '+', '=': its URL and base64 encodings differ from it
ECHOED_STATUSES = (302, 400, 401, 403, 404, 422, 500, 503)


def _views(text: str) -> set[str]:
    """``text`` as a reader could decode it: URL (twice), HTML and JSON escapes undone."""
    views = {text}
    for _ in range(2):
        views |= {unquote(v) for v in views} | {unquote_plus(v) for v in views}
    views |= {html.unescape(v) for v in views}
    return views | {re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), v) for v in views}


def _decoded(text: str) -> list[bytes]:
    """Every base64 and hex run of ``text`` decoded at every alignment."""
    blobs = []
    for run in re.findall(r"[A-Za-z0-9+/_=-]{6,}", text):
        for start in range(4):
            chunk = run[start:].rstrip("=")
            chunk = chunk[: len(chunk) - (len(chunk) % 4 == 1)]
            for alt in (b"+/", b"-_"):
                with contextlib.suppress(binascii.Error, ValueError):
                    blobs.append(base64.b64decode(chunk + "=" * (-len(chunk) % 4), altchars=alt))
    for run in re.findall(r"[0-9a-fA-F]{8,}", text):
        blobs += [bytes.fromhex(run[s:][: (len(run) - s) // 2 * 2]) for s in (0, 1)]
    return blobs


def leaks(secret: str, text: str) -> bool:
    """Whether ``secret`` can be read back from ``text``, in any case or common encoding."""
    return any(secret.lower() in v.lower() for v in _views(text)) or any(
        secret.encode() in blob for blob in _decoded(text)
    )


def test_the_leak_oracle_sees_every_echoed_form():
    for form, encode in ECHOES.items():
        assert leaks(KEY, f"x {encode(KEY)} y"), form
    assert not leaks(KEY, "x *** y")


def test_the_redactor_masks_every_echoed_form_and_caps_the_text():
    redact = Redactor(KEY)
    for form, encode in ECHOES.items():
        assert not leaks(KEY, redact(f"refused {encode(KEY)}.")), form
    assert len(redact.echo("x" * 1000)) == LIMIT
    assert redact.message({"message": {"token": "t", "password": "p", "detail": "no"}}) == (
        '{"token": "***", "password": "***", "detail": "no"}'
    )
    assert redact("GET https://h/lead/?page=1&token=abc") == "GET https://h/lead/?…"
    assert redact("Authorization: Bearer abc.def") == "Authorization: *** ***"


@settings(max_examples=300, deadline=None)
@given(
    secret=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=12, max_size=48),
    form=st.sampled_from(sorted(ECHOES)),
    before=st.text(max_size=30),
    after=st.text(max_size=30),
)
def test_any_header_safe_secret_in_any_echoed_form_is_masked(secret, form, before, after):
    redact = Redactor(secret)
    assert not leaks(secret, redact(f"{before}{ECHOES[form](secret)}{after}"))


@pytest.fixture
def http_debug(caplog, monkeypatch):
    """Every log line at DEBUG, httpx's and httpcore's included (they log URLs and answer headers).

    Loggers are turned back on first: the CLI's set-up (run in-process by other tests) stops
    leadkit's from propagating, and some libraries' dictConfig disables existing loggers.
    """
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("leadkit", "httpx", "httpcore")]
    for logger in map(logging.getLogger, names):
        monkeypatch.setattr(logger, "disabled", False)
        monkeypatch.setattr(logger, "propagate", True)
    for name in ("", "leadkit", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.mark.parametrize("auth", ["bearer", "token"])
def test_echoed_credentials_reach_no_message_and_no_log_line(auth, http_debug):
    messages = {}
    with FakeRemonline(KEY, n=10, auth=auth) as server:
        client = RemonlineClient(server.url, KEY, auth=auth, retries=1, backoff=0, limiter=RateLimiter(1000))
        with client:
            for status in ECHOED_STATUSES:
                for form in ECHOES:
                    server.state.echo = (status, form)
                    with pytest.raises(ApiError) as err:
                        client.request("GET", "/lead/", {"page": 1})
                    messages[status, form] = str(err.value)
        secrets = [KEY, *server.state.tokens]
    assert len(secrets) == (1 if auth == "bearer" else 1 + 1 + len(ECHOES))  # a renewal after each 401 form
    assert "HTTP Request" in http_debug.text and "retrying after" in http_debug.text
    for (status, form), text in messages.items():
        assert not any(leaks(s, text) for s in secrets), (status, form, text)
        assert f"GET /lead/ answered {status}" in text or "still failing" in text
    assert not any(leaks(s, http_debug.text) for s in secrets)
    # What is left still says what happened.
    assert "(request /lead/?…" in messages[400, "hex"] and "LEADKIT_REMONLINE_API_KEY" in messages[401, "hex"]
    assert "a redirect to https://moved.example/***/lead/ — set source.base_url" in messages[302, "hex"]
    assert "server error 503" in messages[503, "hex"]


def test_a_failed_cli_fetch_leaks_nothing_to_output_log_or_files(tmp_path):
    with FakeRemonline(KEY, n=10, auth="token") as server:
        params = tmp_path / "p.yaml"
        source = {"kind": "remonline", "base_url": server.url, "auth": "token", "retries": 1, "backoff": 0.01}
        params.write_text(yaml.safe_dump({"source": source, "output": {"dir": "out"}}), encoding="utf-8")
        env = {**os.environ, "LEADKIT_REMONLINE_API_KEY": KEY}
        runs = []
        for status, form in ((400, "query pair"), (503, "base64"), (404, "URL-encoded")):
            server.state.echo = (status, form)
            runs.append(subprocess.run([sys.executable, "-m", "leadkit", "-vv", "fetch", str(params)], cwd=ROOT,
                                       env=env, capture_output=True, text=True, timeout=120))  # fmt: skip
        secrets = [KEY, *server.state.tokens]
    for run in runs:
        assert run.returncode == 1 and "leadkit: error: RemOnline API" in run.stderr and "Traceback" not in run.stderr
        assert not any(leaks(s, run.stdout + run.stderr) for s in secrets), run.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "window.json" for p in written)
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace")
        assert not any(leaks(s, text) for s in secrets), path
