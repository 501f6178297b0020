"""A clock for the console's tests: sleep and monotonic that agree, and never really wait."""

from __future__ import annotations


class FakeTime:
    """sleep and monotonic that agree with each other, recording every nap."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.naps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now
