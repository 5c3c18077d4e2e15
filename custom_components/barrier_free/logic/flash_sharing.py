"""Which alert flashes a light that several alerts want, and when a light goes back.

Rules: the highest priority flashes a shared light (on a tie, the alert that came first keeps
it, so a second doorbell does not restart the first); a lower alert waits and takes the light
over if it is still running when the higher one ends; a light goes back (one restore, to how it
was before the first alert) only once no alert wants it any more. A light the resident has
switched is given up by every alert and never restored: the resident's choice stands.
Home-Assistant-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import count

__all__ = ["SharedLights"]


@dataclass(slots=True)
class _Claim:
    rank: int
    order: int
    lights: set[str] = field(default_factory=set)


class SharedLights:
    def __init__(self) -> None:
        self._claims: dict[str, _Claim] = {}
        self._order = count()

    def claim(self, alert_id: str, rank: int, lights: Iterable[str]) -> set[str]:
        """`alert_id` wants `lights` (replacing what it wanted before, keeping its place in the
        queue). Returns the lights it wanted before and no alert wants now: restore them."""
        before = self._claims.get(alert_id)
        order = before.order if before is not None else next(self._order)
        self._claims[alert_id] = _Claim(rank, order, set(lights))
        return self._unwanted(before.lights if before is not None else set())

    def release(self, alert_id: str, light: str | None = None) -> set[str]:
        """`alert_id` ended (or gave up `light`). Returns the lights no alert wants now."""
        claim = self._claims.get(alert_id)
        if claim is None:
            return set()
        if light is None:
            del self._claims[alert_id]
            return self._unwanted(claim.lights)
        claim.lights.discard(light)
        return self._unwanted({light})

    def resident_took(self, light: str) -> None:
        """The resident switched `light`: no alert flashes it any more, nothing restores it."""
        for claim in self._claims.values():
            claim.lights.discard(light)

    def owner(self, light: str) -> str | None:
        """The alert that flashes `light` now, if any."""
        wanting = [(c.rank, -c.order, a) for a, c in self._claims.items() if light in c.lights]
        return max(wanting)[2] if wanting else None

    def wanted(self, light: str) -> bool:
        return any(light in claim.lights for claim in self._claims.values())

    def _unwanted(self, lights: set[str]) -> set[str]:
        return {light for light in lights if not self.wanted(light)}
