"""Incremental sync of RemOnline leads into a local cache that survives crashes.

Cache folder:
  leads.parquet   one row per lead (the newest version seen), flattened from the API
  refs.json       lead types, statuses (with group codes), employees, branches
  state.json      ``synced_to``: epoch ms up to which every modification is in the cache
  journal/        an unfinished sync: its window and the pages fetched so far

A sync walks ``GET /lead/`` over a window of ``modified_at`` [from, to] with ``to`` fixed
when the window starts, so leads created or modified during the walk fall outside it and
cannot shift pages; if the server's count still changes, the window is walked again. A
follow-up window from ``to`` minus the overlap picks up what changed meanwhile. Pages go
to the journal first; only a finished sync merges them into the cache (keeping each id's
newest version) and moves ``synced_to``. A killed sync resumes from its journal.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from leadkit.atomic import atomic_path, write_text
from leadkit.exceptions import ApiError
from leadkit.log import get_logger
from leadkit.sources.remonline.client import RemonlineClient

log = get_logger("remonline.sync")
COLUMNS = ["id", "label", "created_at", "closed_at", "modified_at", "status_id", "status_name", "status_group",
           "lead_type_id", "manager_id", "branch_id", "client", "ad_campaign", "order_id", "sale_id",
           "seq"]  # fmt: skip
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


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("created_at", "closed_at", "modified_at", "seq"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
    for col in set(COLUMNS) - {"created_at", "closed_at", "modified_at", "seq"}:
        frame[col] = frame[col].astype("string")
    return frame


@dataclass
class SyncReport:
    pages: int = 0
    leads: int = 0
    passes: int = 0
    rewalks: int = 0
    resumed: bool = False
    cached: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0


class Cache:
    """The files of one RemOnline account's cache."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.journal = folder / "journal"

    @property
    def leads_path(self) -> Path:
        return self.folder / "leads.parquet"

    def state(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads((self.folder / "state.json").read_text(encoding="utf-8"))
            return data
        except (OSError, ValueError):
            return {}

    def is_empty(self) -> bool:
        return not self.leads_path.exists()

    def leads(self) -> pd.DataFrame:
        return pd.read_parquet(self.leads_path) if self.leads_path.exists() else _frame([])

    def refs(self) -> dict[str, list[dict[str, Any]]]:
        data: dict[str, list[dict[str, Any]]] = json.loads((self.folder / "refs.json").read_text(encoding="utf-8"))
        return data

    def window(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads((self.journal / "window.json").read_text(encoding="utf-8"))
            return data
        except (OSError, ValueError):
            return None

    def save_window(self, window: dict[str, Any]) -> None:
        write_text(self.journal / "window.json", json.dumps(window))

    def save_page(self, name: str, frame: pd.DataFrame) -> None:
        with atomic_path(self.journal / f"{name}.parquet") as tmp:
            frame.to_parquet(tmp, index=False)

    def journal_frames(self, prefix: str = "") -> list[pd.DataFrame]:
        return [pd.read_parquet(p) for p in sorted(self.journal.glob(f"{prefix}*.parquet"))]

    def commit(self, synced_to: int, base_url: str, refs: dict[str, Any], full: bool) -> int:
        """Merge the journal into the cache, newest version of each id winning; return the lead count."""
        frames = ([] if full else [self.leads()]) + self.journal_frames()
        merged = (
            pd.concat([f for f in frames if not f.empty], ignore_index=True)
            if any(not f.empty for f in frames)
            else _frame([])
        )
        # Stable: for equal modified_at the later row wins (journal after cache, later pages and passes last).
        merged = merged.sort_values("modified_at", na_position="first", kind="stable")
        merged = merged.drop_duplicates("id", keep="last").sort_values("id", kind="stable").reset_index(drop=True)
        with atomic_path(self.leads_path) as tmp:
            merged.to_parquet(tmp, index=False)
        write_text(self.folder / "refs.json", json.dumps(refs, ensure_ascii=False))
        write_text(self.folder / "state.json", json.dumps({"synced_to": synced_to, "base_url": base_url}))
        shutil.rmtree(self.journal, ignore_errors=True)
        return len(merged)


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
            cache.save_page(f"{prefix}p{page:05d}", _frame(rows))
            window["next_page"] = page + 1
            cache.save_window(window)
            report.pages += 1
            report.leads += len(rows)
            progress(report)
        if counts <= {window["count"]} and len(seen) >= (window["count"] or 0):
            return
        if window["rewalk"] >= MAX_REWALKS:
            raise ApiError("RemOnline API: the lead list kept changing during the sync; run `leadkit fetch` again")
        log.info("walk incomplete (counts %s, %d distinct ids); walking again", sorted(counts), len(seen))
        window.update(next_page=1, count=None, rewalk=window["rewalk"] + 1)
        report.rewalks += 1
        cache.save_window(window)


def sync(client: RemonlineClient, cache: Cache, *, base_url: str, full: bool = False, overlap_ms: int = 3_600_000,
         order_field: str | None = None, sale_field: str | None = None,
         progress: Progress = lambda _: None) -> SyncReport:  # fmt: skip
    """Bring the cache up to date (everything with ``full``); see the module docstring."""
    started = time.monotonic()
    report = SyncReport()
    cache.folder.mkdir(parents=True, exist_ok=True)
    state = cache.state()
    if state.get("base_url") not in (None, base_url):
        full = True  # another account's cache: start over
    window = cache.window()
    if window is not None and window.get("base_url") == base_url and window.get("full", False) == full:
        report.resumed = True
        log.info("resuming an interrupted sync from page %d", window["next_page"])
    else:
        shutil.rmtree(cache.journal, ignore_errors=True)
        since = 0 if full or "synced_to" not in state else max(0, int(state["synced_to"]) - overlap_ms)
        window = {"from": since, "to": now_ms(), "pass": 1, "next_page": 1, "count": None, "rewalk": 0,
                  "seq": 0, "base_url": base_url, "full": full}  # fmt: skip
        cache.save_window(window)
    refs = {name: client.reference(path) for name, path in REFERENCES.items()}
    for _ in range(2):  # the window, then what changed while it was walked
        _walk(client, cache, window, (order_field, sale_field), report, progress)
        report.passes += 1
        if window["pass"] >= 2:
            break
        window.update(**{"from": max(0, window["to"] - overlap_ms), "to": now_ms(), "pass": 2, "next_page": 1,
                         "count": None, "rewalk": 0})  # fmt: skip
        cache.save_window(window)
    report.cached = cache.commit(window["to"], base_url, refs, full)
    report.requests, report.retries = client.requests, client.retried
    report.seconds = time.monotonic() - started
    return report
