"""Errors of the station client: what can go wrong talking to a station."""

from __future__ import annotations

from wyoming.event import Event

# `error` codes with which a station refuses the pairing token.
AUTH_ERROR_CODES = frozenset({"bad_token"})


class StationError(Exception):
    """Base class of everything that can go wrong talking to a station."""


class CannotConnect(StationError):
    """The station could not be reached, or the connection broke."""


class InvalidAuth(StationError):
    """The station refused the pairing token."""


class StationNotProven(InvalidAuth):
    """The station did not prove that it holds the token: the token is wrong, or this is
    not the station (nothing secret was sent to it)."""


class NotAStation(StationError):
    """Something answered at this address, but not a Barrier-Free voice station."""


class StationRequestError(StationError):
    """The station answered a request with an `error` event."""

    def __init__(self, code: str, text: str, text_zh: str | None = None) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text
        self.text_zh = text_zh or text

    @classmethod
    def from_event(cls, event: Event) -> StationRequestError:
        data = event.data
        return cls(
            str(data.get("code") or "error"), str(data.get("text") or ""), data.get("text_zh")
        )
