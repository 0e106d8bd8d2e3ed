"""The foreground gate: the window's worker gives way to the GUI thread while a document opens (ADR 0016).

The GUI thread holds the gate from the start of an open until the article has been painted; the worker waits on it
at its pause points. Python threads share one interpreter lock: a worker running pure Python (the rules on a long
article) makes every GIL release of the opening thread (each row step of a database read) a wait of up to the
switch interval, and an open of 90 ms took 500. Every wait is finite: a hold ends by itself LONGEST_HOLD_S after it
began, so a release that never comes (a bug, a window never painted) delays suggestions by that much at most.

Plain threading, no Qt: the worker's side is tested with plain threads.
"""

from __future__ import annotations

import threading
import time

LONGEST_HOLD_S = 1.5  # an open of a 1 MB article takes 0.1-0.5 s; past this the worker goes on whatever happens


class ForegroundGate:
    """Held by one thread (`hold`, `release`), waited on by another (`wait`); a hold ends by itself after
    `longest_hold` seconds (LONGEST_HOLD_S when None)."""

    def __init__(self, longest_hold: float | None = None) -> None:
        self._longest = LONGEST_HOLD_S if longest_hold is None else longest_hold
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Lock()
        self._hold = 0  # the number of the latest hold: the late release of an earlier one does not end it
        self._until = 0.0  # when the latest hold ends by itself (time.monotonic)

    def hold(self) -> int:
        """Close the gate (GUI thread); returns the hold's number, for `release`."""
        with self._lock:
            self._hold += 1
            self._until = time.monotonic() + self._longest
            self._open.clear()
            return self._hold

    def release(self, hold: int | None = None) -> None:
        """Open the gate: the hold numbered `hold` ends (a later hold stays), or whichever is held (None)."""
        with self._lock:
            if hold is None or hold == self._hold:
                self._open.set()

    @property
    def held(self) -> bool:
        return not self._open.is_set() and time.monotonic() < self._until

    def wait(self) -> None:
        """Wait (worker) while the gate is held, at most until the hold ends by itself."""
        while not self._open.is_set():
            with self._lock:
                left = self._until - time.monotonic()
            if left <= 0:
                return
            self._open.wait(left)
