"""The household's PIN as stored: salted PBKDF2, never the PIN itself."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from .replies import MAX_PIN_LENGTH, MIN_PIN_LENGTH


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
