"""Incremental sync of RemOnline leads into a local cache (see ``cache``) that survives crashes.

A sync walks ``GET /lead/`` over a window of ``modified_at`` [from, to] with ``to`` fixed
when the window starts, so leads created or modified during the walk fall outside it and
cannot shift pages; if the server's count still changes, the window is walked again. A
follow-up window from ``to`` minus the overlap picks up what changed meanwhile. Pages go
to the journal first; only a finished sync merges them into the cache (keeping each id's
newest version) and moves ``synced_to``. A killed sync resumes from its journal. One
process syncs a cache at a time: a second one waits for the first, then syncs what is left.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leadkit.exceptions import ApiError
from leadkit.log import get_logger
from leadkit.sources.remonline.cache import Cache, frame_of
from leadkit.sources.remonline.client import RemonlineClient

log = get_logger("remonline.sync")
REFERENCES = {
    "lead_types": "/lead/types/",
    "statuses": "/statuses/leads/",
    "employees": "/employees/",
    "branches": "/branches/",
}
MAX_REWALKS = 5


def now_ms() -> int:
    return int(time.time() * 1000)


def _dig(item: dict[str, Any], path: str | None) -> Any:
    value: Any = item
    for part in (path or "").split(".") if path else []:
        value = value.get(part) if isinstance(value, dict) else None
    return None if value in (None, "") or not path else value


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _part(item: dict[str, Any], key: str) -> dict[str, Any]:
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def flatten(item: dict[str, Any], order_field: str | None, sale_field: str | None, seq: int) -> dict[str, Any]:
    """One lead item of the API as a flat cache row."""
    if item.get("id") is None:
        raise ApiError("RemOnline API: a lead item without an id; the answer is malformed")
    status, client, campaign = (_part(item, k) for k in ("status", "client", "ad_campaign"))
    return {
        "id": str(item["id"]),
        "label": _text(item.get("lead_id_label")),
        "created_at": item.get("created_at"),
        "closed_at": item.get("closed_at"),
        "modified_at": item.get("modified_at"),
        "status_id": _text(status.get("id")),
        "status_name": _text(status.get("name")),
        "status_group": _text(status.get("group")),
        "lead_type_id": _text(item.get("lead_type_id")),
        "manager_id": _text(item.get("manager_id")),
        "branch_id": _text(item.get("branch_id")),
        "client": _text(client.get("name")) or _text(item.get("contact_name")),
        "ad_campaign": _text(campaign.get("name")),
        "order_id": _text(_dig(item, order_field)),
        "sale_id": _text(_dig(item, sale_field)),
        "seq": seq,
    }


@dataclass
class SyncReport:
    pages: int = 0
    leads: int = 0  # distinct leads received: a lead seen again in the overlap or a rewalk counts once
    passes: int = 0
    rewalks: int = 0
    resumed: bool = False
    cached: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    ids: set[str] = field(default_factory=set, repr=False)


Progress = Callable[[SyncReport], None]


def _walk(client: RemonlineClient, cache: Cache, window: dict[str, Any], fields: tuple[str | None, str | None],
          report: SyncReport, progress: Progress) -> None:  # fmt: skip
    """Fetch every page of one window into the journal, walking again if the count moves.

    A walk is complete when the count stayed the same and it yielded at least that many
    distinct ids: repeated or shifted pages fail that test and the window is walked again.
    """
    while True:
        start_page, counts = window["next_page"], set()
        prefix = f"w{window['pass']:02d}-r{window['rewalk']:02d}-"
        seen = {i for f in cache.journal_frames(prefix) for i in f["id"]}  # pages before a resume
        params = {"modified_at[]": [window["from"], window["to"]]}
        for page, items, count in client.pages("/lead/", params, first_page=start_page):
            counts.add(count)
            if window.get("count") is None:
                window["count"] = count
            rows = [flatten(i, *fields, seq=window["seq"] + n) for n, i in enumerate(items) if isinstance(i, dict)]
            seen.update(r["id"] for r in rows)
            window["seq"] += len(items)
            cache.save_page(f"{prefix}p{page:05d}", frame_of(rows))
            window["next_page"] = page + 1
            cache.save_window(window)
            report.pages += 1
            report.ids.update(r["id"] for r in rows)
            report.leads = len(report.ids)
            progress(report)
        if counts <= {window["count"]} and len(seen) >= (window["count"] or 0):
            return
        if window["rewalk"] >= MAX_REWALKS:
            raise ApiError("RemOnline API: the lead list kept changing during the sync; run `leadkit fetch` again")
        log.info("walk incomplete (counts %s, %d distinct ids); walking again", sorted(counts), len(seen))
        window.update(next_page=1, count=None, rewalk=window["rewalk"] + 1)
        report.rewalks += 1
        cache.save_window(window)


def _window(cache: Cache, base_url: str, full: bool, overlap_ms: int, report: SyncReport) -> dict[str, Any]:
    """The journal's window to resume, or a new one from the watermark (from 0 with ``full``)."""
    state = cache.state()
    if state.get("base_url") not in (None, base_url):
        full = True  # another account's cache: start over
    window = cache.window()
    if window is not None and window.get("base_url") == base_url and window.get("full", False) == full:
        report.resumed = True
        log.info("resuming an interrupted sync from page %d", window["next_page"])
        return window
    shutil.rmtree(cache.journal, ignore_errors=True)
    since = 0 if full or "synced_to" not in state else max(0, int(state["synced_to"]) - overlap_ms)
    window = {"from": since, "to": now_ms(), "pass": 1, "next_page": 1, "count": None, "rewalk": 0,
              "seq": 0, "base_url": base_url, "full": full}  # fmt: skip
    cache.save_window(window)
    return window


def sync(client: RemonlineClient, cache: Cache, *, base_url: str, full: bool = False, overlap_ms: int = 3_600_000,
         order_field: str | None = None, sale_field: str | None = None, if_empty: bool = False,
         progress: Progress = lambda _: None) -> SyncReport:  # fmt: skip
    """Bring the cache up to date (everything with ``full``; nothing with ``if_empty`` unless it is empty).

    Holds the cache's sync lock throughout: another process's sync is waited for first.
    """
    started = time.monotonic()
    report = SyncReport()
    with cache.syncing():
        if if_empty and not cache.is_empty():
            return report  # another process filled it while this one waited
        window = _window(cache, base_url, full, overlap_ms, report)
        refs = {name: client.reference(path) for name, path in REFERENCES.items()}
        for _ in range(2):  # the window, then what changed while it was walked
            _walk(client, cache, window, (order_field, sale_field), report, progress)
            report.passes += 1
            if window["pass"] >= 2:
                break
            window.update(**{"from": max(0, window["to"] - overlap_ms), "to": now_ms(), "pass": 2, "next_page": 1,
                             "count": None, "rewalk": 0})  # fmt: skip
            cache.save_window(window)
        report.cached = cache.commit(window["to"], base_url, refs, window["full"])
    report.requests, report.retries = client.requests, client.retried
    report.seconds = time.monotonic() - started
    return report
