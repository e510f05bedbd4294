"""The newest request wins: debounce a burst of changes, work off the kernel's thread, drop stale results.

A panel submits a job (the slow part: compute and render) and a ``show`` step (the quick
part: put the output into widgets). Each submit bumps a generation counter; a job whose
generation is no longer the newest when it finishes is dropped, never shown, and the
check and the showing happen under one lock, so a newer submit cannot slip in between.
A request may have a second stage (``later``: the panel's charts, drawn after the tables
are on screen): it runs on the same worker after the first is shown, asks ``stale()``
between pieces of work, and its output is dropped like any stale one.
With ``delay=None`` everything runs at once on the caller's thread (tests, benchmarks).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Job = Callable[[], Any]
Show = Callable[[Any], None]
Later = tuple[Callable[[Any], Any], Show]  # a second stage: its work on the first stage's output, and its show


class LatestWins:
    """One worker, one pending request, a generation counter."""

    def __init__(self, delay: float | None = 0.3) -> None:
        self.delay = delay
        self.generation = 0
        self.dropped = 0  # jobs computed but never shown: a newer request had arrived
        self._lock = threading.RLock()
        self._pending: tuple[int, Job, Show, Later | None] | None = None
        self._running = 0  # the generation the worker is working on
        self._timer: threading.Timer | None = None
        self._worker: threading.Thread | None = None
        self._idle = threading.Event()  # everything asked for is done (second stages too)
        self._idle.set()
        self._shown = threading.Event()  # the newest request's first stage is on screen
        self._shown.set()

    def submit(self, job: Job, show: Show, later: Later | None = None) -> int:
        """Ask for ``show(job())`` (then ``later``); any earlier request not yet shown is dropped."""
        with self._lock:
            self.generation += 1
            generation = self.generation
            self._pending = (generation, job, show, later)
            if self.delay is None:
                self._run_pending()
                return generation
            self._idle.clear()
            self._shown.clear()
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self._wake)
            self._timer.daemon = True
            self._timer.start()
        return generation

    def is_current(self, generation: int) -> bool:
        return generation == self.generation

    def stale(self) -> bool:
        """Whether the work running now has been overtaken by a newer request (its output would be dropped)."""
        return self._running != self.generation

    def wait(self, timeout: float = 120.0) -> bool:
        """Block until the newest request has been shown, second stage too (or dropped); False on timeout."""
        return self._idle.wait(timeout)

    @property
    def busy(self) -> bool:
        """The newest request is not on screen yet (its second stage may still be running after it is)."""
        return not self._shown.is_set()

    def _wake(self) -> None:
        with self._lock:
            self._timer = None
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._drain, name="leadkit-panel", daemon=True)
                self._worker.start()

    def _drain(self) -> None:
        while True:
            with self._lock:
                if self._pending is None or self._timer is not None:  # nothing, or a burst still settling
                    if self._pending is None and self._timer is None:
                        self._shown.set()
                        self._idle.set()
                    self._worker = None
                    return
            try:
                self._run_pending()
            except Exception:  # the panel reports its own errors; never leave the worker dead and busy
                log.exception("the panel's update failed")

    def _run_pending(self) -> None:
        with self._lock:
            if self._pending is None:
                return
            generation, job, show, later = self._pending
            self._pending = None
            self._running = generation
        output = job()  # the slow part, outside the lock: a newer submit may arrive meanwhile
        with self._lock:
            if not self.is_current(generation):
                self.dropped += 1
                return
            show(output)
            self._shown.set()
        if later is None:
            return
        work, show_later = later
        finished = work(output)  # asks stale() as it goes
        with self._lock:
            if self.is_current(generation):
                show_later(finished)
            else:
                self.dropped += 1
