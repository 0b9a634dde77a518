"""Capped exponential back-off for reconnecting to a broker or mail server."""
from __future__ import annotations

import random


class Backoff:
    def __init__(self, initial: float = 0.2, maximum: float = 30.0, factor: float = 2.0):
        if initial <= 0 or maximum < initial or factor < 1:
            raise ValueError("back-off needs 0 < initial <= maximum and factor >= 1")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self._next = initial

    def next_delay(self) -> float:
        """The next wait; jittered so many processes do not reconnect in lock-step."""
        delay = self._next
        self._next = min(self.maximum, self._next * self.factor)
        return delay * random.uniform(0.8, 1.0)

    def reset(self) -> None:
        self._next = self.initial
