"""The alert decisions without Home Assistant: texts, debounce, repeats, quiet hours,
acknowledgement, expiry, what state changes mean, and the resident's alert sentences."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.alert_events import ROLE_EVENTS, battery_low, change_of
from custom_components.barrier_free.logic.alert_kinds import (
    FLASH_KIND,
    KINDS,
    STATION_PRIORITY,
    alert_text,
    clock,
)
from custom_components.barrier_free.logic.alert_words import command_of, phrases, summary
from custom_components.barrier_free.logic.alerts import AlertBook, Policy, QuietHours
from custom_components.barrier_free.logic.flash_patterns import KINDS as FLASH_PATTERNS
from custom_components.barrier_free.logic.home_status import LOW_BATTERY_PERCENT
from custom_components.barrier_free.logic.scene_roles import EVENTS, ROLES

TEXTS = {"zh": "门铃响了", "en": "The doorbell rang"}


def book(**policy: float) -> AlertBook:
    return AlertBook(Policy(**policy))  # type: ignore[arg-type]


def test_every_kind_has_a_text_in_both_languages_naming_device_and_room() -> None:
    for kind in KINDS:
        zh = alert_text(kind, "前门门铃", "门厅", "zh", minutes=3)
        en = alert_text(kind, "front doorbell", "hallway", "en-US", minutes=3)
        assert "门厅的前门门铃" in zh, kind
        assert "the front doorbell in the hallway" in en.casefold(), kind
        assert en[0].isupper()
    assert "三分钟" in alert_text("door_left_open", "大门", None, "zh", minutes=3)
    assert "3 minutes" in alert_text("door_left_open", "Front door", None, "en", minutes=3)
    # a room already in the name is not said twice
    assert alert_text("leak", "Kitchen leak sensor", "Kitchen", "en").count("Kitchen") == 1
    assert alert_text("help_pressed", None, "卧室", "zh") == "卧室有人语音呼救，正在通知看护人。"
    assert alert_text("help_pressed", None, None, "en") == (
        "Someone called for help by voice; the caregiver is being notified."
    )
    assert "客厅语音站的求助键" in alert_text("help_pressed", None, None, "zh", station="客厅")


def test_kinds_match_roles_events_and_flash_patterns() -> None:
    assert set(ROLE_EVENTS) <= set(ROLES)
    assert set(ROLE_EVENTS.values()) <= set(KINDS)
    assert set(EVENTS) <= set(KINDS)
    assert set(FLASH_KIND.values()) <= set(FLASH_PATTERNS)
    assert set(STATION_PRIORITY.values()) == {"alarm", "high", "normal"}
    assert KINDS["smoke"].priority == "alarm"
    assert KINDS["doorbell"].chime == "doorbell"
    assert KINDS["low_battery"].priority == "info"


@pytest.mark.parametrize(
    ("hour", "minute", "zh", "en"),
    [
        (15, 5, "下午三点零五分", "3:05 PM"),
        (2, 0, "凌晨两点", "2:00 AM"),
        (9, 30, "上午九点三十分", "9:30 AM"),
        (12, 15, "中午十二点十五分", "12:15 PM"),
        (20, 45, "晚上八点四十五分", "8:45 PM"),
    ],
)
def test_clock(hour: int, minute: int, zh: str, en: str) -> None:
    assert clock(hour, minute, "zh") == zh
    assert clock(hour, minute, "en") == en


@pytest.mark.parametrize(
    ("text", "language", "command"),
    [
        ("知道了", "zh", "acknowledge"),
        ("我知道了。", "zh", "acknowledge"),
        ("got it", "en", "acknowledge"),
        ("Got it!", "en", "acknowledge"),
        ("有什么提醒", "zh-Hans", "summary"),
        ("any alerts", "en", "summary"),
        ("救命", "zh", "help"),
        ("help me", "en", "help"),
        ("help", "en", None),  # the agent's own "what can I say"
        ("打开客厅灯", "zh", None),
        ("turn on the kitchen light", "en", None),
    ],
)
def test_alert_sentences(text: str, language: str, command: str | None) -> None:
    assert command_of(text, language) == command


def test_alert_phrases_for_the_station() -> None:
    assert "知道了" in phrases("zh")
    assert "got it" in phrases("en-US")
    assert "救命" not in phrases("en")


def test_a_flapping_sensor_raises_one_alert() -> None:
    alerts = book(debounce=60)
    first = alerts.raise_alert("leak", TEXTS, 0.0, source="binary_sensor.leak")
    assert first is not None
    assert alerts.raise_alert("leak", TEXTS, 1.0, source="binary_sensor.leak") is None
    alerts.acknowledge("Kitchen", 2.0)
    # acknowledged, but the sensor flapped again within the debounce: still nothing new
    assert alerts.raise_alert("leak", TEXTS, 30.0, source="binary_sensor.leak") is None
    # another sensor is another alert
    assert alerts.raise_alert("leak", TEXTS, 31.0, source="binary_sensor.other") is not None


def test_an_open_alarm_is_not_raised_again_even_after_the_debounce() -> None:
    alerts = book(debounce=10)
    assert alerts.raise_alert("smoke", TEXTS, 0.0, source="s") is not None
    assert alerts.raise_alert("smoke", TEXTS, 100.0, source="s") is None
    alerts.acknowledge("x", 101.0)
    assert alerts.raise_alert("smoke", TEXTS, 200.0, source="s") is not None


def test_one_call_for_help_at_a_time_whatever_raised_it() -> None:
    alerts = book()
    first = alerts.raise_alert("help_pressed", TEXTS, 0.0, source="station:Living room:None")
    assert first is not None
    # the same call asked for by voice, or with a bound help button: the open call stays
    assert alerts.raise_alert("help_pressed", TEXTS, 1.0, source="station:voice:None") is None
    assert alerts.raise_alert("help_pressed", TEXTS, 2.0, source="binary_sensor.sos") is None
    # other kinds are still one alert per device
    assert alerts.raise_alert("leak", TEXTS, 3.0, source="binary_sensor.a") is not None
    assert alerts.raise_alert("leak", TEXTS, 3.0, source="binary_sensor.b") is not None
    # acknowledged, help can be called again
    alerts.acknowledge("The caregiver", 4.0, first.id)
    assert alerts.raise_alert("help_pressed", TEXTS, 500.0, source="station:voice:None")


def test_alarm_repeats_until_acknowledged_with_a_bound() -> None:
    alerts = book(alarm_repeats=3, alarm_interval=10)
    alarm = alerts.raise_alert("smoke", TEXTS, 0.0, source="s")
    assert alarm is not None and alarm.requires_ack
    said = []
    for now in range(0, 60, 5):
        due, _ = alerts.due(float(now), 600)
        said += [(now, a.id) for a in due]
    assert said == [(0, alarm.id), (10, alarm.id), (20, alarm.id)]
    # said as often as allowed, but still waiting for its acknowledgement
    assert alerts.unacknowledged() == [alarm]
    assert alerts.next_wakeup() is None
    assert [a.id for a in alerts.acknowledge("Bedroom", 61.0)] == [alarm.id]
    assert alarm.acknowledged_by == "Bedroom"
    assert alerts.unacknowledged() == []


def test_acknowledged_alarm_is_not_said_again() -> None:
    alerts = book(alarm_interval=10)
    alarm = alerts.raise_alert("leak", TEXTS, 0.0, source="s")
    assert alarm is not None
    assert alerts.due(0.0, 0)[0] == [alarm]
    alerts.acknowledge("x", 5.0, alarm.id)
    assert alerts.due(10.0, 0)[0] == []
    assert alerts.acknowledge("x", 6.0) == []  # nothing left to acknowledge


def test_warnings_repeat_a_few_times_info_once() -> None:
    alerts = book(warning_repeats=2, warning_interval=10)
    warning = alerts.raise_alert("doorbell", TEXTS, 0.0, source="d")
    info = alerts.raise_alert("low_battery", TEXTS, 0.0, source="b")
    assert warning is not None and info is not None
    assert not warning.requires_ack and not info.requires_ack
    spoken = [a.kind for now in range(0, 50, 5) for a in alerts.due(float(now), 600)[0]]
    assert spoken == ["doorbell", "low_battery", "doorbell"]
    assert alerts.unacknowledged() == []


def test_most_urgent_first() -> None:
    alerts = book()
    alerts.raise_alert("low_battery", TEXTS, 0.0, source="b")
    alerts.raise_alert("doorbell", TEXTS, 0.0, source="d")
    alerts.raise_alert("smoke", TEXTS, 0.0, source="s")
    assert [a.priority for a in alerts.due(0.0, 0)[0]] == ["alarm", "warning", "info"]


def test_quiet_hours_hold_info_and_warnings_never_alarms() -> None:
    alerts = book()
    alerts.quiet = QuietHours.parse("22:00", "07:00")
    alerts.raise_alert("low_battery", TEXTS, 0.0, source="b")
    alerts.raise_alert("door_left_open", TEXTS, 0.0, source="d")
    alerts.raise_alert("smoke", TEXTS, 0.0, source="s")
    night = 23 * 60
    due, _ = alerts.due(0.0, night)
    assert [a.kind for a in due] == ["smoke"]
    held = [a for a in alerts.alerts.values() if a.held]
    assert {a.kind for a in held} == {"low_battery", "door_left_open"}
    # held until the quiet hours end, eight hours later
    assert all(a.next_at == 8 * 3600 for a in held)
    morning, _ = alerts.due(8 * 3600.0, 7 * 60)
    assert [a.kind for a in morning] == [
        "smoke",
        "door_left_open",
        "low_battery",
    ]  # smoke: a repeat


def test_held_doorbell_expires_and_is_reported() -> None:
    alerts = book()
    alerts.quiet = QuietHours(0, 24 * 60 - 1)
    bell = alerts.raise_alert("doorbell", TEXTS, 0.0, source="d")
    assert bell is not None and bell.expires_at == 120
    assert alerts.due(0.0, 60) == ([], [])
    assert alerts.next_wakeup() == 120
    due, expired = alerts.due(120.0, 62)
    assert due == [] and expired == [bell]
    assert not bell.open


@pytest.mark.parametrize(
    ("start", "end", "minute", "holds"),
    [
        ("22:00", "07:00", 23 * 60, True),
        ("22:00", "07:00", 6 * 60 + 59, True),
        ("22:00", "07:00", 7 * 60, False),
        ("13:00", "14:30:00", 14 * 60, True),
        ("13:00", "14:30", 12 * 60, False),
        ("08:00", "08:00", 8 * 60, False),
    ],
)
def test_quiet_hours(start: str, end: str, minute: int, holds: bool) -> None:
    quiet = QuietHours.parse(start, end)
    assert quiet is not None
    assert quiet.holds(minute) is holds
    assert (quiet.minutes_left(minute) > 0) is holds


@pytest.mark.parametrize(("start", "end"), [(None, "07:00"), ("25:00", "07:00"), ("7", "x:y")])
def test_bad_quiet_hours_are_none(start: str | None, end: str) -> None:
    assert QuietHours.parse(start, end) is None


def test_ending_a_condition_stops_warnings_not_alarms() -> None:
    alerts = book()
    door = alerts.raise_alert("door_left_open", TEXTS, 0.0, source="d")
    leak = alerts.raise_alert("leak", TEXTS, 0.0, source="l")
    assert door is not None and leak is not None
    assert alerts.end("door_left_open", "d") == [door]
    assert alerts.end("leak", "l") == []  # the leak still waits for an acknowledgement
    assert alerts.unacknowledged() == [leak]


def test_an_announcement_without_source_is_never_debounced_and_can_ask_for_ack() -> None:
    alerts = book()
    first = alerts.raise_alert("announcement", TEXTS, 0.0, priority="info", requires_ack=True)
    second = alerts.raise_alert("announcement", TEXTS, 0.0, priority="info", expires_in=5)
    assert first is not None and second is not None and first.id != second.id
    assert first.requires_ack and first.chime == "info" and second.expires_at == 5
    alerts.due(0.0, 0)
    assert alerts.unacknowledged() == [first]
    alerts.forget(before=100.0)
    assert set(alerts.alerts) == {first.id}


def test_summary() -> None:
    alerts = book()
    assert summary([], "zh") == "现在没有未确认的提醒。"
    assert summary([], "en") == "There are no alerts waiting."
    leak = alerts.raise_alert("leak", {"zh": "厨房漏水！", "en": "Kitchen leak!"}, 0.0, source="l")
    assert leak is not None
    assert summary([leak], "en") == "One alert waiting: Kitchen leak. Say got it to acknowledge."
    door = alerts.raise_alert("door_left_open", {"zh": "门开着。", "en": "Door open."}, 1.0)
    assert door is not None
    assert summary(alerts.unacknowledged(), "zh") == (
        "有两条未确认的提醒：厨房漏水；门开着。说“知道了”确认。"
    )
    assert summary(alerts.unacknowledged(), "en").startswith("2 alerts waiting: Kitchen leak; ")


@pytest.mark.parametrize(
    ("role", "domain", "old", "new", "meaning"),
    [
        ("doorbell", "event", "2026-01-01T00:00:00", "2026-01-01T00:01:00", ("raise", "doorbell")),
        ("doorbell", "event", "unavailable", "2026-01-01T00:01:00", None),
        ("doorbell", "event", None, "2026-01-01T00:01:00", None),
        ("doorbell", "event", "unknown", "2026-01-01T00:01:00", ("raise", "doorbell")),
        ("leak_sensor", "binary_sensor", None, "on", ("raise", "leak")),  # wet at start: said
        ("doorbell", "binary_sensor", "off", "on", ("raise", "doorbell")),
        ("door_sensor", "binary_sensor", "off", "on", ("start", "door_left_open")),
        ("door_sensor", "binary_sensor", "on", "off", ("end", "door_left_open")),
        ("door_sensor", "binary_sensor", "unavailable", "off", None),
        ("door_sensor", "binary_sensor", "on", "unavailable", None),
        ("garage_door", "cover", "closed", "open", ("start", "garage_left_open")),
        ("leak_sensor", "binary_sensor", "off", "on", ("raise", "leak")),
        ("smoke_sensor", "binary_sensor", "on", "off", ("end", "smoke")),
        ("smoke_sensor", "binary_sensor", "on", "on", None),
        (
            "alarm_panel",
            "alarm_control_panel",
            "armed_away",
            "triggered",
            ("raise", "alarm_triggered"),
        ),
        ("alarm_panel", "alarm_control_panel", "triggered", "disarmed", ("end", "alarm_triggered")),
        ("alarm_panel", "alarm_control_panel", "armed_away", "disarmed", None),
        ("appliance_power", "sensor", "120.5", "1.0", ("raise", "appliance_finished")),
        ("appliance_power", "sensor", "5", "1.0", None),
        ("appliance_power", "sensor", "120", "50", None),
        ("appliance_power", "sensor", "oops", "1", None),
        ("tv", "media_player", "off", "on", None),
    ],
)
def test_change_of(
    role: str, domain: str, old: str | None, new: str, meaning: tuple[str, str] | None
) -> None:
    assert change_of(role, domain, old, new) == meaning


def test_battery_low() -> None:
    assert battery_low("sensor", "10")
    # the one threshold of the status answer too: below 20 % is low, 20 % is not
    assert LOW_BATTERY_PERCENT == 20
    assert battery_low("sensor", "18") and battery_low("sensor", "19.9")
    assert not battery_low("sensor", "20")
    assert not battery_low("sensor", "80")
    assert not battery_low("sensor", "unknown")
    assert not battery_low("sensor", None)
    assert battery_low("binary_sensor", "on")
    assert not battery_low("binary_sensor", "off")


def test_two_is_liang_before_a_measure_word() -> None:
    assert "两分钟" in alert_text("door_left_open", "大门", None, "zh", minutes=2)
    assert "十二分钟" in alert_text("door_left_open", "大门", None, "zh", minutes=12)


def test_acknowledging_all_can_keep_a_kind() -> None:
    alerts = book()
    help_call = alerts.raise_alert("help_pressed", TEXTS, 0.0, source="h")
    leak = alerts.raise_alert("leak", TEXTS, 0.0, source="l")
    assert help_call is not None and leak is not None
    assert alerts.acknowledge("Kitchen", 1.0, keep=("help_pressed",)) == [leak]
    assert alerts.unacknowledged() == [help_call]
    assert alerts.acknowledge("Daughter", 2.0, help_call.id, keep=("help_pressed",)) == [help_call]


def test_a_saved_book_is_restored_alarms_said_again_expired_dropped() -> None:
    book = AlertBook(Policy(alarm_repeats=1))
    texts = {"en": "x", "zh": "x"}
    smoke = book.raise_alert("smoke", texts, 0.0, source="binary_sensor.smoke")
    bell = book.raise_alert("doorbell", texts, 0.0, source="binary_sensor.bell")
    info = book.raise_alert("appliance_finished", texts, 0.0, source="sensor.washer")
    assert smoke and bell and info
    said, _ = book.due(0.0, 0)
    assert {a.id for a in said} == {smoke.id, bell.id, info.id}
    assert book.next_wakeup() == 120.0  # the doorbell's repeat; the alarm was said enough
    restored, expired = AlertBook.restore(book.as_dict(), 500.0)
    assert [a.id for a in expired] == [bell.id]  # a doorbell is stale after two minutes
    # the info was said once and is closed: not kept; the alarm is due again at once
    assert list(restored.alerts) == [smoke.id]
    again, _ = restored.due(500.0, 0)
    assert [a.id for a in again] == [smoke.id]
    # the debounce and the ids carry on
    assert restored.raise_alert("smoke", texts, 501.0, source="binary_sensor.smoke") is None
    new = restored.raise_alert("leak", texts, 502.0, source="binary_sensor.leak")
    assert new is not None and new.id not in {smoke.id, bell.id, info.id}


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"alerts": [], "last": []},
        {"alerts": [{"id": "a"}], "last": [], "next_id": 0},
        {"alerts": [{"bad": 1}], "last": [], "next_id": 0},
        {"alerts": [], "last": [["a"]], "next_id": 0},
    ],
)
def test_a_saved_book_of_another_shape_is_refused(data: object) -> None:
    with pytest.raises(ValueError, match="not a saved alert book"):
        AlertBook.restore(data, 0.0)
