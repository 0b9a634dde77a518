"""Test controls: the next stamp requests fail ("down") or hang ("slow"), as a PAC does on a bad day.

Posted by tests only (README). A hung request waits until its time is up or the controls go back
to "normal", whichever comes first, and then stamps as usual: the PAC that stamped while its client
had given up, which the client's retry must then find (307 with the same UUID).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

NORMAL, DOWN, SLOW = "normal", "down", "slow"
MODES = (NORMAL, DOWN, SLOW)


@dataclass(frozen=True)
class Fault:
    mode: str
    seconds: float
    released: threading.Event


class Controls:
    def __init__(self, *, slow_seconds: float, slow_limit_seconds: float):
        self._lock = threading.Lock()
        self._default_seconds = min(slow_seconds, slow_limit_seconds)
        self._limit = slow_limit_seconds
        self._mode, self._remaining, self._seconds = NORMAL, 0, 0.0
        self._released = threading.Event()

    def set(self, mode: str, *, requests: int = 1, seconds: float | None = None) -> dict:
        """The next `requests` stamp requests go `mode`; "normal" also frees every hung request."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if requests < 1:
            raise ValueError("requests must be at least 1")
        if seconds is not None and not 0 < seconds <= self._limit:
            raise ValueError(f"seconds must be more than 0 and at most {self._limit:g}")
        with self._lock:
            if mode == NORMAL:
                self._mode, self._remaining = NORMAL, 0
                self._released.set()
                self._released = threading.Event()
            else:
                self._mode, self._remaining = mode, requests
                self._seconds = seconds if seconds is not None else self._default_seconds
            return self._state()

    def state(self) -> dict:
        with self._lock:
            return self._state()

    def _state(self) -> dict:
        return {"mode": self._mode, "requests": self._remaining,
                "seconds": self._seconds if self._mode == SLOW else None}

    def take(self) -> Fault | None:
        """The fault the coming stamp request plays, if any; counts it."""
        with self._lock:
            if self._remaining == 0:
                return None
            self._remaining -= 1
            fault = Fault(self._mode, self._seconds, self._released)
            if self._remaining == 0:
                self._mode = NORMAL
            return fault
