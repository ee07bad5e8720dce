"""When to try a file again: back-off after a fault of the machine, and the limit for files that kill workers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

KILL_LIMIT = 3  # a file whose worker died this many times is set aside in input/loi/
RETRY_FIRST_SECONDS = 2.0  # watch mode: first wait after a system fault, doubled each time
RETRY_MAX_SECONDS = 60.0
WATCH_LOCK_WAIT = 2.0  # watch mode: how long one attempt waits for a locked ledger before retrying later


@dataclass
class Backoff:
    """Per file name: how many system faults in a row, and the earliest time of the next attempt."""

    first: float = RETRY_FIRST_SECONDS
    cap: float = RETRY_MAX_SECONDS
    faults: dict[str, int] = field(default_factory=dict)
    not_before: dict[str, float] = field(default_factory=dict)

    def defer(self, key: str, name: str, now: float | None = None) -> float:
        """Note a system fault for `name` (queued as `key`); returns the seconds until its next attempt."""
        count = self.faults[name] = self.faults.get(name, 0) + 1
        delay = min(self.cap, self.first * 2 ** (count - 1))
        self.not_before[key] = (time.monotonic() if now is None else now) + delay
        return delay

    def due(self, key: str, now: float | None = None) -> bool:
        return self.not_before.get(key, 0.0) <= (time.monotonic() if now is None else now)

    def next_due(self) -> float | None:
        """Monotonic time of the earliest deferred attempt, or None."""
        return min(self.not_before.values(), default=None)

    def started(self, key: str) -> None:
        self.not_before.pop(key, None)

    def clear(self, name: str) -> None:
        """The file was handled: its next fault starts the back-off again from the first wait."""
        self.faults.pop(name, None)
