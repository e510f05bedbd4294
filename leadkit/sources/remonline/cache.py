"""The local copy of one RemOnline account, safe for crashes and for several processes at once.

Cache folder:
  leads.parquet   one row per lead (the newest version seen), flattened from the API
  refs.json       lead types, statuses (with group codes), employees, branches
  state.json      ``synced_to``: epoch ms up to which every modification is in the cache
  journal/        an unfinished sync: its window and the pages fetched so far
  .sync.lock      held by the one process that syncs (a second one waits, then syncs what is left)
  .commit.lock    held while a sync replaces the three files above, shared while a reader reads them

So the journal has one writer at a time, and a reader sees the old or the new cache whole.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from leadkit.atomic import atomic_path, write_text
from leadkit.lock import locked

COLUMNS = ["id", "label", "created_at", "closed_at", "modified_at", "status_id", "status_name", "status_group",
           "lead_type_id", "manager_id", "branch_id", "client", "ad_campaign", "order_id", "sale_id",
           "seq"]  # fmt: skip
NUMBERS = ("created_at", "closed_at", "modified_at", "seq")
SYNC_WAIT_SECONDS = 30 * 60  # a long first sync of a big account takes minutes; a stuck one, forever
READ_WAIT_SECONDS = 5 * 60  # a commit rewrites three files: seconds, even for big caches
HINT = "give this run a cache of its own with source.cache"  # the way out when another process holds it


def frame_of(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Cache rows as a frame with the cache's columns and types."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in NUMBERS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
    for col in set(COLUMNS) - set(NUMBERS):
        frame[col] = frame[col].astype("string")
    return frame


class Cache:
    """The files of one RemOnline account's cache."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.journal = folder / "journal"

    @property
    def leads_path(self) -> Path:
        return self.folder / "leads.parquet"

    def syncing(self, timeout: float | None = None) -> contextlib.AbstractContextManager[None]:
        """Be the one process that syncs this cache, waiting for another one first."""
        busy = f"the RemOnline cache {self.folder} is being synced by another leadkit process"
        wait = SYNC_WAIT_SECONDS if timeout is None else timeout
        return locked(self.folder / ".sync.lock", exclusive=True, timeout=wait, busy=busy, hint=HINT)

    def reading(self) -> contextlib.AbstractContextManager[None]:
        """Read the cache files as one version: no commit runs meanwhile."""
        busy = f"the RemOnline cache {self.folder} is being updated by another leadkit process"
        return locked(self.folder / ".commit.lock", exclusive=False, timeout=READ_WAIT_SECONDS, busy=busy, hint=HINT)

    def state(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads((self.folder / "state.json").read_text(encoding="utf-8"))
            return data
        except (OSError, ValueError):
            return {}

    def is_empty(self) -> bool:
        return not self.leads_path.exists()

    def leads(self) -> pd.DataFrame:
        return pd.read_parquet(self.leads_path) if self.leads_path.exists() else frame_of([])

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
        """Merge the journal into the cache, newest version of each id winning; return the lead count.

        Call while ``syncing``: the journal and the cache then have no other writer.
        """
        frames = [f for f in ([] if full else [self.leads()]) + self.journal_frames() if not f.empty]
        merged = pd.concat(frames, ignore_index=True) if frames else frame_of([])
        # Stable: for equal modified_at the later row wins (journal after cache, later pages and passes last).
        merged = merged.sort_values("modified_at", na_position="first", kind="stable")
        merged = merged.drop_duplicates("id", keep="last").sort_values("id", kind="stable").reset_index(drop=True)
        busy = f"the RemOnline cache {self.folder} is being read by another leadkit process"
        with locked(self.folder / ".commit.lock", exclusive=True, timeout=READ_WAIT_SECONDS, busy=busy, hint=HINT):
            with atomic_path(self.leads_path) as tmp:
                merged.to_parquet(tmp, index=False)
            write_text(self.folder / "refs.json", json.dumps(refs, ensure_ascii=False))
            write_text(self.folder / "state.json", json.dumps({"synced_to": synced_to, "base_url": base_url}))
        shutil.rmtree(self.journal, ignore_errors=True)
        return len(merged)
