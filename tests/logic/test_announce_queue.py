"""Announcements waiting for a station that is away: order, expiry, bound, and nothing unseen."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from custom_components.barrier_free.logic.announce_queue import (
    AnnouncementQueue,
    Dropped,
    DropReason,
    WaitingAnnouncement,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _ids(items: Sequence[WaitingAnnouncement | Dropped]) -> list[str]:
    return [(i.announcement if isinstance(i, Dropped) else i).id for i in items]


def test_most_urgent_first_then_first_come(clock: Clock) -> None:
    queue = AnnouncementQueue(clock)
    for ident, priority in [("a", "low"), ("b", "high"), ("c", "normal"), ("d", "alarm")]:
        assert queue.add(queue.create(ident, ident, "zh", priority)) == []
    queue.add(queue.create("e", "e", "zh", "high"))
    due, dropped = queue.take_due()
    assert _ids(due) == ["d", "b", "e", "c", "a"]
    assert dropped == []
    assert len(queue) == 0


@pytest.mark.parametrize(
    ("priority", "minutes"), [("alarm", 60), ("high", 10), ("normal", 2), ("low", 2)]
)
def test_each_priority_has_its_expiry(clock: Clock, priority: str, minutes: int) -> None:
    queue = AnnouncementQueue(clock)
    item = queue.create("x", "text", "en", priority)
    queue.add(item)
    clock.now += minutes * 60
    assert _ids(queue.waiting()) == ["x"]
    clock.now += 1
    due, dropped = queue.take_due()
    assert due == []
    assert dropped == [Dropped(item, DropReason.EXPIRED)]


def test_an_explicit_expiry_wins_and_an_expired_one_is_refused(clock: Clock) -> None:
    queue = AnnouncementQueue(clock)
    late = queue.create("late", "text", "en", "alarm", expires_in=-1)
    assert queue.add(late) == [Dropped(late, DropReason.EXPIRED)]
    assert len(queue) == 0


def test_full_queue_drops_the_least_urgent_oldest(clock: Clock) -> None:
    queue = AnnouncementQueue(clock, max_waiting=3)
    for ident, priority in [("low1", "low"), ("low2", "low"), ("high", "high")]:
        queue.add(queue.create(ident, ident, "en", priority))
    (dropped,) = queue.add(queue.create("alarm", "alarm", "en", "alarm"))
    assert dropped.announcement.id == "low1"
    assert dropped.reason is DropReason.CROWDED_OUT
    # As urgent as the newcomer and older: the older one makes room.
    (older,) = queue.add(queue.create("chat", "chat", "en", "low"))
    assert older.announcement.id == "low2"
    assert _ids(queue.waiting()) == ["alarm", "high", "chat"]


def test_a_newcomer_less_urgent_than_all_is_the_one_dropped(clock: Clock) -> None:
    queue = AnnouncementQueue(clock, max_waiting=1)
    queue.add(queue.create("alarm", "alarm", "en", "alarm"))
    dropped = queue.add(queue.create("low", "low", "en", "low"))
    assert _ids(dropped) == ["low"]
    assert _ids(queue.waiting()) == ["alarm"]


def test_put_back_goes_ahead_of_its_priority(clock: Clock) -> None:
    queue = AnnouncementQueue(clock)
    for ident in ("a", "b", "c"):
        queue.add(queue.create(ident, ident, "en", "high"))
    due, _ = queue.take_due()
    queue.add(queue.create("new", "new", "en", "high"))
    queue.add(queue.create("alarm", "alarm", "en", "alarm"))
    assert queue.put_back(due[1:]) == []  # "a" was delivered, then the station left again
    assert _ids(queue.waiting()) == ["alarm", "b", "c", "new"]


def test_unknown_priority_is_a_bug(clock: Clock) -> None:
    with pytest.raises(ValueError, match="priority"):
        AnnouncementQueue(clock).create("x", "text", "en", "urgent")
