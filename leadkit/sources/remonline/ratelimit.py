"""A pace for API calls that holds as the server counts: at most ``rate`` requests in any second.

Spacing request *starts* is not enough: the server sees a request when it arrives, which
may be anywhere between our start and the end of its answer. So a new request may start
only a full window after the *end* of the request ``n`` places before it: then, whatever
the latencies, no window of the server's clock holds more than ``n`` arrivals.
"""

from __future__ import annotations

import collections
import math
import threading
import time


class RateLimiter:
    """Call ``wait()`` before a request and ``done()`` when its answer (or failure) is in."""

    def __init__(self, rate: float, margin: float = 0.02) -> None:
        self.n = max(1, math.floor(rate))
        self.window = self.n / rate + margin
        self._ends: collections.deque[float] = collections.deque(maxlen=self.n)
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            if len(self._ends) == self.n:
                pause = self._ends[0] + self.window - time.monotonic()
                if pause > 0:
                    time.sleep(pause)

    def done(self) -> None:
        with self._lock:
            self._ends.append(time.monotonic())
