"""Warnings that a peer can cause over and over, logged once per interval with a count.

An attacker on the LAN (or a fault) can open thousands of sockets a second; one log line
each filled 31 MB of log in 22 s. The first occurrence is logged at once, later ones are
counted and reported with the next line after the interval.
"""

from __future__ import annotations

import logging
import time


class ThrottledLog:
    """`warning(key, text)`: at most one line per `key` per `interval` seconds."""

    def __init__(self, logger: logging.Logger, interval: float) -> None:
        self._logger = logger
        self._interval = interval
        self._last: dict[str, float] = {}
        self._counts: dict[str, int] = {}

    def warning(self, key: str, text: str) -> None:
        now = time.monotonic()
        count = self._counts.get(key, 0) + 1
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            self._counts[key] = count
            return
        self._counts[key] = 0
        self._last[key] = now
        if count == 1:
            self._logger.warning("%s", text)
        else:
            self._logger.warning("%s (%d times since %.0f s ago)", text, count, now - (last or now))
