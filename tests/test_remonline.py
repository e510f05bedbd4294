"""The RemOnline source against a fake server on 127.0.0.1: exact tables under every fault."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import params_for
from fake_remonline import EMPLOYEES, STATUSES, TYPES, FakeRemonline

from leadkit.api import lead_conversion
from leadkit.exceptions import ApiError, ParamsError
from leadkit.leads import load_leads
from leadkit.params import parse_params
from leadkit.sources import read_source
from leadkit.sources.remonline import cache_of, fetch

KEY = "SENTINEL-KEY-7f3a9c"
GROUPS = {1: "new", 2: "in_progress", 6: "won", 7: "lost"}


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv("LEADKIT_REMONLINE_API_KEY", KEY)


def source(server: FakeRemonline, cache: Path, **extra: Any) -> dict[str, Any]:
    return {"kind": "remonline", "base_url": server.url, "cache": str(cache), "timeout": 0.5, "backoff": 0.02, **extra}


def expected_frame(server: FakeRemonline) -> pd.DataFrame:
    """The server's leads, mapped by hand: what the canonical table must equal."""
    types = {t["id"]: t["name"] for t in TYPES}
    people = {e["id"]: f"{e['first_name']} {e['last_name']}" for e in EMPLOYEES}
    rows = [
        {
            "lead_id": str(lead["id"]),
            "lead_type": types[lead["lead_type_id"]],
            "status": lead["status"]["name"],
            "status_group": GROUPS[lead["status"]["group"]],
            "manager": people.get(lead["manager_id"], "(unassigned)"),
            "created_at": pd.Timestamp(lead["created_at"], unit="ms"),
        }
        for lead in server.state.leads.values()
    ]
    return pd.DataFrame(rows).sort_values("lead_id").reset_index(drop=True)


def table_of(params) -> pd.DataFrame:
    frame = read_source(params, refresh="never").frame
    cols = ["lead_id", "lead_type", "status", "status_group", "manager", "created_at"]
    out = (
        frame[cols].astype({c: object for c in cols if c != "created_at"}).sort_values("lead_id").reset_index(drop=True)
    )
    out["created_at"] = out["created_at"].astype("datetime64[ns]")
    return out


def assert_same(params, server):
    got, want = table_of(params), expected_frame(server)
    want["created_at"] = want["created_at"].astype("datetime64[ns]")
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_full_sync_of_several_thousand_leads_within_the_rate_limit(tmp_path):
    with FakeRemonline(KEY, n=3100) as server:
        params = params_for(source(server, tmp_path / "cache"))
        report = fetch(params)
        assert report.leads == 3100 and report.cached == 3100 and report.pages == 63
        assert server.max_per_second() <= 3
        assert_same(params, server)


FAULTS = {
    "429 with Retry-After": {2: {"kind": "429", "retry_after": 1}},
    "503 burst": {2: {"kind": "503"}, 3: {"kind": "503"}, 4: {"kind": "503"}},
    "slow beyond the timeout": {3: {"kind": "slow", "seconds": 1.5}},
    "dropped connection": {2: {"kind": "drop"}, 5: {"kind": "drop"}},
    "malformed JSON": {4: {"kind": "malformed"}},
    "success false": {2: {"kind": "success_false"}},
    "a page served twice": {4: {"kind": "repeat_previous"}},
    "duplicate ids in a page": {3: {"kind": "duplicate"}},
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_fault_still_gives_the_servers_exact_table(tmp_path, fault):
    with FakeRemonline(KEY, n=400, faults=dict(FAULTS[fault])) as server:
        params = params_for(source(server, tmp_path / "cache"))
        report = fetch(params)
        assert not server.state.faults  # every fault was met
        if fault == "a page served twice":
            assert report.rewalks == 1  # too few distinct ids: the window was walked again
        elif fault != "duplicate ids in a page":
            assert report.retries >= 1
        assert server.max_per_second() <= 3
        assert_same(params, server)


def test_a_lead_modified_between_two_pages_is_neither_lost_nor_doubled(tmp_path):
    with FakeRemonline(KEY, n=400, modify_after_page=(2, 350)) as server:
        params = params_for(source(server, tmp_path / "cache"))
        report = fetch(params)
        assert report.rewalks == 1 and report.passes == 2
        assert_same(params, server)
        assert table_of(params).set_index("lead_id").loc["350", "status"] == "Canceled"


def test_incremental_sync_fetches_only_what_changed(tmp_path):
    with FakeRemonline(KEY, n=300) as server:
        params = params_for(source(server, tmp_path / "cache", overlap_minutes=0))
        assert fetch(params).leads == 300
        import time

        now = int(time.time() * 1000)
        server.state.leads[5]["status"] = dict(STATUSES[4])
        server.state.leads[5]["modified_at"] = now + 10
        server.state.leads[301] = {
            **server.state.leads[1],
            "id": 301,
            "lead_id_label": "L-00301",
            "modified_at": now + 20,
        }
        again = fetch(params)
        assert again.leads == 2 and again.cached == 301
        assert_same(params, server)


def test_a_lead_seen_in_both_passes_counts_once(tmp_path, monkeypatch):
    # Windows are inclusive at both ends: with no overlap, a lead modified exactly at the
    # first window's end is in the second window too. The report counts leads, not items.
    sync = importlib.import_module("leadkit.sources.remonline.sync")
    with FakeRemonline(KEY, n=100) as server:
        params = params_for(source(server, tmp_path / "cache", overlap_minutes=0))
        fetch(params)
        end = sync.now_ms() + 60_000
        monkeypatch.setattr(sync, "now_ms", lambda: end)
        server.state.leads[5]["modified_at"] = end
        again = fetch(params)
        assert again.passes == 2 and again.requests >= 2
        assert again.leads == 1 and again.cached == 100
        assert_same(params, server)


def test_legacy_token_flow_renews_an_expired_token_once(tmp_path):
    with FakeRemonline(KEY, n=200, auth="token", token_lifetime=3) as server:
        params = params_for(source(server, tmp_path / "cache", auth="token"))
        fetch(params)
        assert len(server.state.tokens) >= 2  # renewed after expiry
        assert_same(params, server)


@pytest.mark.parametrize("auth", ["bearer", "token"])
def test_a_bad_key_stops_at_once_with_a_clear_message(tmp_path, monkeypatch, auth):
    monkeypatch.setenv("LEADKIT_REMONLINE_API_KEY", "wrong-key-123")
    with FakeRemonline(KEY, n=10, auth=auth) as server:
        params = params_for(source(server, tmp_path / "cache", auth=auth))
        with pytest.raises(ApiError) as err:
            fetch(params)
        assert "401" in str(err.value) and "LEADKIT_REMONLINE_API_KEY" in str(err.value)
        assert "wrong-key-123" not in str(err.value)
        assert len(server.state.log) == 1  # no retry on 401


def test_404_is_not_retried_and_persistent_failure_gives_up(tmp_path):
    with FakeRemonline(KEY, n=10) as server:
        params = params_for(source(server, tmp_path / "c1", base_url=server.url + "/v9"))
        with pytest.raises(ApiError, match="404.*check source.base_url"):
            fetch(params)
        assert len(server.state.log) == 1
    faults = {i: {"kind": "503"} for i in range(1, 20)}
    with FakeRemonline(KEY, n=10, faults=faults) as server:
        params = params_for(source(server, tmp_path / "c2", retries=2))
        with pytest.raises(ApiError, match="still failing after 3 attempts"):
            fetch(params)


def test_the_key_comes_from_the_environment_only(tmp_path, monkeypatch):
    monkeypatch.delenv("LEADKIT_REMONLINE_API_KEY")
    with FakeRemonline(KEY, n=10) as server:
        with pytest.raises(ParamsError, match="set the environment variable LEADKIT_REMONLINE_API_KEY"):
            fetch(params_for(source(server, tmp_path / "cache")))
        with pytest.raises(ParamsError, match="holds a secret"):
            parse_params({"source": {**source(server, tmp_path), "api_key": KEY}})
        with pytest.raises(ParamsError, match="credentials"):
            parse_params({"source": {**source(server, tmp_path), "base_url": f"https://u:{KEY}@api.remonline.app"}})


def test_compute_reads_the_cache_and_syncs_only_when_empty(tmp_path):
    with FakeRemonline(KEY, n=120) as server:
        params = params_for(source(server, tmp_path / "cache"))
        first = lead_conversion(load_leads(params))  # empty cache: syncs
        calls = len(server.state.log)
        second = lead_conversion(load_leads(params))
        assert len(server.state.log) == calls  # read from the cache
        assert first.total == second.total and first.total["leads"] == 120
        want = expected_frame(server)
        assert first.total["won"] == (want["status_group"] == "won").sum()
        assert cache_of(params.source, params).leads_path.exists()


def test_the_pace_holds_against_slow_answers():
    """Arrivals can bunch when answers are slow; the limiter counts from ends, so they cannot."""
    import time as clock

    from leadkit.sources.remonline.ratelimit import RateLimiter

    limiter, starts = RateLimiter(3.0), []
    for i in range(10):
        limiter.wait()
        starts.append(clock.monotonic())
        clock.sleep(0.3 if i % 3 == 0 else 0.0)  # a slow answer, then quick ones
        limiter.done()
    # every fourth start comes a full second after the first of the three before it ended
    assert all(b - a >= 1.0 for a, b in zip(starts, starts[3:], strict=False))


@pytest.mark.parametrize(
    ("char", "named"),
    [("а", "U+0430 CYRILLIC SMALL LETTER A"), ("’", "U+2019 RIGHT SINGLE QUOTATION MARK"),
     ("\u00a0", "U+00A0 NO-BREAK SPACE"), ("\u200b", "U+200B ZERO WIDTH SPACE"), ("\n", "U+000A a control character"),
     (" ", "a space")],
)  # fmt: skip
@pytest.mark.parametrize("auth", ["bearer", "token"])
def test_a_key_that_cannot_go_in_a_header_is_one_clear_error(tmp_path, monkeypatch, char, named, auth):
    key = f"{KEY[:6]}{char}{KEY[6:]}"
    monkeypatch.setenv("LEADKIT_REMONLINE_API_KEY", key)
    with FakeRemonline(KEY, n=10, auth=auth) as server:
        with pytest.raises(ParamsError) as err:
            fetch(params_for(source(server, tmp_path / "cache", auth=auth)))
        assert not server.state.log  # refused before any request
    text = str(err.value)
    assert f"character 7 of {len(key)} is {named}" in text and "cannot be sent in an HTTP header" in text
    assert "LEADKIT_REMONLINE_API_KEY" in text and "Copy the key again" in text
    assert KEY[:6] not in text and KEY[6:] not in text
