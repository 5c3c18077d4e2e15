"""The household's PIN: as stored (salted PBKDF2, never the PIN itself), and the wrong-PIN record.

The record (`PinLockout`) is one for every station: it reads and gives a plain dict, which the
glue keeps in Home Assistant's storage so that no restart or reload lifts a lockout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeIs

from .replies import MAX_PIN_LENGTH, MIN_PIN_LENGTH

MAX_WRONG_PINS: Final = 3
# Each lockout in a row lasts longer; a right PIN starts again from the first.
LOCKOUT_STEPS: Final = (5 * 60.0, 15 * 60.0, 60 * 60.0, 24 * 60 * 60.0)

type Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class PinHash:
    """A PIN as stored in the config entry: salted PBKDF2, never the PIN itself.

    A 4–8 digit PIN has few possibilities, so the hash only keeps it from being read off a
    backup or diagnostics; the lockout is what protects against guessing.
    """

    salt: bytes
    digest: bytes
    iterations: int = 120_000

    @classmethod
    def create(cls, pin: str, *, iterations: int = 120_000) -> PinHash:
        """Hash a new PIN (digits only, 4–8 of them)."""
        if not valid_pin(pin):
            raise ValueError("A PIN is 4 to 8 digits")
        salt = secrets.token_bytes(16)
        return cls(salt, _derive(pin, salt, iterations), iterations)

    def matches(self, pin: str) -> bool:
        """True if `pin` is the stored PIN (constant-time comparison)."""
        return hmac.compare_digest(self.digest, _derive(pin, self.salt, self.iterations))

    def to_string(self) -> str:
        """Storable form: "pbkdf2_sha256$<iterations>$<salt>$<digest>"."""
        salt = base64.b64encode(self.salt).decode()
        digest = base64.b64encode(self.digest).decode()
        return f"pbkdf2_sha256${self.iterations}${salt}${digest}"

    @classmethod
    def from_string(cls, stored: str) -> PinHash:
        """Read the storable form back."""
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            raise ValueError(f"Unknown PIN hash scheme {scheme}")
        return cls(base64.b64decode(salt), base64.b64decode(digest), int(iterations))


def valid_pin(pin: str) -> bool:
    """A PIN is 4 to 8 ASCII digits."""
    return pin.isascii() and pin.isdigit() and MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH


def _derive(pin: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)


# --- The household's wrong-PIN record ------------------------------------------------------------


class PinLockout:
    """Wrong PINs of the whole household, and the lockout they lead to.

    One record for every station: three wrong guesses spread over two stations lock both.
    Times are wall-clock seconds (what `clock` returns), so a stored record means the same
    after a restart.
    """

    def __init__(
        self,
        clock: Clock = time.time,
        *,
        max_wrong_pins: int = MAX_WRONG_PINS,
        steps: tuple[float, ...] = LOCKOUT_STEPS,
    ) -> None:
        self._clock = clock
        self.max_wrong_pins = max_wrong_pins
        self.steps = steps
        self.wrong_pins = 0
        """Wrong PINs since the last right one or the last lockout."""
        self.locked_until: float | None = None
        self.level = 0
        """Lockouts in a row (without a right PIN between them): picks the next duration."""

    @property
    def locked_out(self) -> bool:
        """True while voice access to sensitive actions is locked out."""
        return self.locked_until is not None and self._clock() < self.locked_until

    @property
    def remaining(self) -> int:
        """Wrong PINs still allowed before the next lockout."""
        return self.max_wrong_pins - self.wrong_pins

    def minutes_left(self) -> int:
        """Whole minutes of the lockout left, rounded up (0 when none)."""
        if not self.locked_out:
            return 0
        assert self.locked_until is not None
        return max(1, -int(-(self.locked_until - self._clock()) // 60))

    def record_wrong(self) -> bool:
        """Count a wrong PIN; True when it starts a lockout (the household is to be told)."""
        self.wrong_pins += 1
        if self.wrong_pins < self.max_wrong_pins:
            return False
        self.wrong_pins = 0
        self.locked_until = self._clock() + self.steps[min(self.level, len(self.steps) - 1)]
        self.level += 1
        return True

    def record_right(self) -> None:
        """A right PIN: the count and the escalation start again."""
        self.wrong_pins = 0
        self.level = 0
        self.locked_until = None

    def as_dict(self) -> dict[str, Any]:
        """The record to store."""
        return {
            "wrong_pins": self.wrong_pins,
            "locked_until": self.locked_until,
            "level": self.level,
        }

    def load(self, data: object) -> None:
        """Take over a stored record; raises ValueError (and changes nothing) if it is not one.

        A lockout that would end later than the longest step from now was stored under a
        wrong clock: it is shortened to that step, so that it cannot last for years.
        """
        fields = data if isinstance(data, Mapping) else {}
        wrong, until, level = (fields.get(k) for k in ("wrong_pins", "locked_until", "level"))
        if not _count(wrong) or not _count(level) or not _time_or_none(until):
            raise ValueError(f"not a PIN lockout record: {data!r}")
        self.wrong_pins = min(int(wrong), self.max_wrong_pins - 1)
        self.level = int(level)
        self.locked_until = None if until is None else float(until)
        if self.locked_until is not None:
            self.locked_until = min(self.locked_until, self._clock() + max(self.steps))


def _count(value: object) -> TypeIs[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _time_or_none(value: object) -> TypeIs[float | None]:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
