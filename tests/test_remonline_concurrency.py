"""Several processes on one RemOnline cache: one syncs at a time, readers see a whole version, no page is lost."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import threading
import time

import pandas as pd
import pytest
from conftest import params_for
from fake_remonline import FakeRemonline
from test_remonline import KEY, source
from test_remonline_e2e import cached, cli, fetch_until_pages, write_params

from leadkit.exceptions import SourceError
from leadkit.lock import locked
from leadkit.sources import read_source
from leadkit.sources.remonline import cache_of, fetch

pytestmark = pytest.mark.xdist_group("remonline-processes")
WAITING = "is being synced by another leadkit process"


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv("LEADKIT_REMONLINE_API_KEY", KEY)


def change_the_server(server: FakeRemonline, round_: int) -> None:
    """Between rounds: a few leads change status, a few new ones appear (all created in 2025-Q2)."""
    now = int(time.time() * 1000)
    with server.state.lock:
        leads = server.state.leads
        for i in range(1, 6):
            leads[i * 7 + round_]["status"] = dict(leads[i * 11]["status"])
            leads[i * 7 + round_]["modified_at"] = now
        for n in range(5):
            new = max(leads) + 1
            leads[new] = {**leads[1], "id": new, "lead_id_label": f"L-{new:05d}", "created_at": 1_745_000_000_000,
                          "modified_at": now + n}  # fmt: skip


def q2_total(server: FakeRemonline) -> int:
    start, end = pd.Timestamp("2025-04-01").value // 10**6, pd.Timestamp("2025-07-01").value // 10**6
    return sum(1 for lead in server.state.leads.values() if start <= lead["created_at"] < end)


ROUNDS = (
    (["fetch"], ["fetch"], ["check"], ["compute", "--report", "lead_conversion", "--format", "json"]),
    (["fetch"], ["fetch", "--full"], ["compute", "--report", "lead_conversion", "--format", "json"], ["check"]),
    (["fetch", "--full"], ["fetch"], ["fetch"], ["compute", "--report", "lead_conversion", "--format", "json"]),
)


def test_four_processes_at_once_in_several_rounds_end_with_an_uninterrupted_syncs_cache(tmp_path):
    with FakeRemonline(KEY, n=600) as server:
        params = write_params(tmp_path, server, "shared")
        waited, before = False, None
        for round_, commands in enumerate(ROUNDS):
            after = q2_total(server)
            procs = [cli(*command, str(params)) for command in commands]
            for command, proc in zip(commands, procs, strict=True):
                out, err = proc.communicate(timeout=600)
                assert proc.returncode == 0 and "Traceback" not in err, (round_, command, err)
                waited |= WAITING in err
                if command[0] == "compute":  # the old cache whole, or the new one whole
                    assert json.loads(out)["total"]["leads"] in {before, after}, (round_, out)
            before = after
            change_the_server(server, round_)
        assert waited  # some process found another one syncing, and said so
        last = cli("fetch", str(params))
        assert last.wait(timeout=300) == 0
        clean = cli("fetch", str(write_params(tmp_path, server, "clean", "q.yaml")))
        assert clean.wait(timeout=300) == 0
    shared = tmp_path / "shared"
    pd.testing.assert_frame_equal(cached(shared), cached(tmp_path / "clean"))
    assert len(cached(shared)) == 600 + 5 * len(ROUNDS)
    assert json.loads((shared / "refs.json").read_text()) == json.loads((tmp_path / "clean" / "refs.json").read_text())
    assert not (shared / "journal").exists()


def test_a_waiting_sync_takes_over_the_journal_of_one_killed_mid_sync(tmp_path):
    with FakeRemonline(KEY, n=1200) as server:
        params = write_params(tmp_path, server, "shared")
        first = fetch_until_pages(params, tmp_path / "shared" / "journal", 3)
        os.killpg(first.pid, signal.SIGSTOP)  # stalled mid-sync, holding the lock
        second = cli("fetch", str(params))
        said: list[str] = []
        threading.Thread(target=lambda: said.extend(line for line in second.stderr), daemon=True).start()
        deadline = time.monotonic() + 120
        while not any(WAITING in line for line in said):
            assert second.poll() is None and time.monotonic() < deadline, said
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        assert second.wait(timeout=300) == 0, said
        out = second.stdout.read()
        assert re.search(r"resumed an interrupted sync\W+yes", out), out
        clean = cli("fetch", str(write_params(tmp_path, server, "clean", "q.yaml")))
        assert clean.wait(timeout=300) == 0
    pd.testing.assert_frame_equal(cached(tmp_path / "shared"), cached(tmp_path / "clean"))


def test_a_second_writer_waits_then_gives_up_with_a_clear_message(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("leadkit.sources.remonline.cache.SYNC_WAIT_SECONDS", 0.6)
    with FakeRemonline(KEY, n=10) as server:
        params = params_for(source(server, tmp_path / "cache"))
        with cache_of(params.source, params).syncing(), pytest.raises(SourceError) as err:
            fetch(params)
        assert not server.state.log  # it never started
    text = str(err.value)
    assert f"the RemOnline cache {tmp_path / 'cache'} is being synced by another leadkit process" in text
    assert f"(pid {os.getpid()})" in text and "for more than 0.01 min" in text and "source.cache" in text
    assert any(r.levelno == logging.WARNING and "waiting for it" in r.getMessage() for r in caplog.records)


def test_a_reader_waits_for_a_commit_in_progress(tmp_path):
    with FakeRemonline(KEY, n=60) as server:
        params = params_for(source(server, tmp_path / "cache"))
        fetch(params)
        done: list[int] = []
        folder = cache_of(params.source, params).folder
        with locked(folder / ".commit.lock", exclusive=True, timeout=1, busy="a test commits", hint="wait"):
            reader = threading.Thread(target=lambda: done.append(len(read_source(params, refresh="never").frame)))
            reader.start()
            time.sleep(0.8)
            assert not done  # blocked while the commit holds the lock
        reader.join(timeout=30)
        assert done == [60]


def test_a_cache_whose_lock_cannot_be_created_is_still_read(tmp_path, monkeypatch):
    """A read-only cache (synced by another user) is read without the lock rather than not at all."""
    with FakeRemonline(KEY, n=30) as server:
        params = params_for(source(server, tmp_path / "cache"))
        fetch(params)
    real_open = os.open

    def refuse_locks(path, *args, **kw):
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kw)

    monkeypatch.setattr("leadkit.lock.os.open", refuse_locks)
    assert len(read_source(params, refresh="never").frame) == 30
    with pytest.raises(SourceError, match=r"cannot create the lock file .*\.sync\.lock: Permission denied"):
        fetch(params)
