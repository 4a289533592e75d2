"""Sign-in throttling: after `limit` failed sign-ins for one username within `window_s`
seconds, further attempts for that username are refused until the window has passed.

Kept in memory per server process (bounded): it slows password guessing; it is not a
shared lockout across workers.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_TRACKED = 10_000


class SignInThrottle:
    def __init__(
        self, limit: int = 5, window_s: float = 600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, username: str) -> deque[float]:
        key = username.lower()
        times = self._failures.get(key, deque())
        cutoff = self.clock() - self.window_s
        while times and times[0] < cutoff:
            times.popleft()
        return times

    def blocked(self, username: str) -> bool:
        return len(self._recent(username)) >= self.limit

    def failed(self, username: str) -> None:
        key = username.lower()
        times = self._recent(key)
        times.append(self.clock())
        self._failures[key] = times
        self._failures.move_to_end(key)
        while len(self._failures) > MAX_TRACKED:
            self._failures.popitem(last=False)

    def succeeded(self, username: str) -> None:
        self._failures.pop(username.lower(), None)
