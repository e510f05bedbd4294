"""A process-wide pace for API calls: at most ``rate`` request starts in any second."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    """Spaces request starts at least ``1/rate`` seconds apart (plus a small margin).

    Even spacing is stricter than a token bucket: no one-second window, sliding or not,
    ever holds more than ``rate`` starts, whatever the server measures.
    """

    def __init__(self, rate: float, margin: float = 0.01) -> None:
        self.interval = 1.0 / rate + margin
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)
