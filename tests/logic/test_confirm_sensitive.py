"""Sensitive actions: confirmation, PIN, lockout, expiry, and replies from elsewhere."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.confirm_sensitive import (
    ChallengeKind,
    OutcomeKind,
    SensitiveAction,
    SensitiveGuard,
    SensitivePolicy,
    service_for_intent,
    speech,
)
from custom_components.barrier_free.logic.pin import PinHash, PinLockout
from custom_components.barrier_free.logic.replies import (
    contains_pin,
    is_confirmation,
    is_denial,
    spoken_digits,
)

UNLOCK = SensitiveAction("lock", "unlock", "lock.front_door", "大门")
OPEN_GARAGE = SensitiveAction("cover", "open_cover", "cover.garage_door", "车库门", "garage")
FAST_PIN = 1_000  # PBKDF2 iterations kept low so the tests stay quick


class Clock:
    """Time the tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _guard(
    clock: Clock,
    pin: str | None = None,
    *,
    confirm_timeout: float = 20.0,
    pin_timeout: float = 30.0,
    max_wrong_pins: int = 3,
    lockout: PinLockout | None = None,
) -> SensitiveGuard:
    return SensitiveGuard(
        pin=PinHash.create(pin, iterations=FAST_PIN) if pin else None,
        clock=clock,
        confirm_timeout=confirm_timeout,
        pin_timeout=pin_timeout,
        lockout=lockout or PinLockout(clock, max_wrong_pins=max_wrong_pins),
    )


def _guess(guard: SensitiveGuard, conversation: str, station: str, reply: str) -> OutcomeKind:
    """Ask to unlock, confirm, and say `reply` as the PIN."""
    guard.request(conversation, station, UNLOCK)
    guard.answer(conversation, station, "确定")
    return guard.answer(conversation, station, reply).kind


@pytest.mark.parametrize(
    ("action", "sensitive"),
    [
        (UNLOCK, True),
        (SensitiveAction("lock", "lock", "lock.front_door", "大门"), False),
        (
            SensitiveAction(
                "alarm_control_panel", "alarm_disarm", "alarm_control_panel.home", "安防"
            ),
            True,
        ),
        (
            SensitiveAction(
                "alarm_control_panel", "alarm_arm_away", "alarm_control_panel.home", "安防"
            ),
            False,
        ),
        (OPEN_GARAGE, True),
        (SensitiveAction("cover", "open_cover", "cover.gate", "院门", "gate"), True),
        (SensitiveAction("cover", "close_cover", "cover.garage_door", "车库门", "garage"), False),
        (SensitiveAction("cover", "open_cover", "cover.curtain", "窗帘", "curtain"), False),
        (
            SensitiveAction(
                "cover",
                "set_cover_position",
                "cover.garage_door",
                "车库门",
                "garage",
                {"position": 0},
            ),
            False,
        ),
        (
            SensitiveAction(
                "cover",
                "set_cover_position",
                "cover.garage_door",
                "车库门",
                "garage",
                {"position": 50},
            ),
            True,
        ),
        (SensitiveAction("light", "turn_on", "light.kitchen", "厨房灯"), False),
    ],
)
def test_policy(action: SensitiveAction, sensitive: bool) -> None:
    assert SensitivePolicy().is_sensitive(action) is sensitive


def test_extra_entities_and_repair_candidates() -> None:
    gate_switch = SensitiveAction("switch", "turn_on", "switch.gate", "院门开关")
    assert not SensitivePolicy().is_sensitive(gate_switch)
    policy = SensitivePolicy(extra_entities=frozenset({"switch.gate"}))
    assert policy.is_sensitive(gate_switch)
    assert policy.sensitive_entities(
        [
            ("lock.front_door", None),
            ("cover.garage_door", "garage"),
            ("cover.curtain", "curtain"),
            ("switch.gate", None),
            ("light.kitchen", None),
        ]
    ) == ["lock.front_door", "cover.garage_door", "switch.gate"]


def test_intents_map_to_services() -> None:
    # Home Assistant's Mandarin "把大门打开" is HassTurnOff on the lock: it unlocks.
    assert service_for_intent("HassTurnOff", "lock") == "unlock"
    assert service_for_intent("HassTurnOn", "cover") == "open_cover"
    assert service_for_intent("HassTurnOn", "light") is None


def test_confirmed_without_pin_executes(clock: Clock) -> None:
    guard = _guard(clock)
    challenge = guard.request("conv", "hall", UNLOCK, "把大门打开")
    assert challenge.kind is ChallengeKind.CONFIRM
    assert speech(challenge, "zh") == "真的要打开大门吗？请说'对的'，或者说'算了'。"
    assert speech(challenge, "en") == (
        "Do you really want to unlock the 大门? Say 'go ahead', or say 'cancel'."
    )
    outcome = guard.answer("conv", "hall", "确定")
    assert outcome.kind is OutcomeKind.EXECUTE
    assert outcome.action == UNLOCK
    # Done: a second "确定" does not run it again.
    assert guard.answer("conv", "hall", "确定").kind is OutcomeKind.NOTHING_PENDING
    # The prompt asks for '对的', the word the built-in recogniser hears best; the others count.
    for word in ("对的", "确认", "确定", "go ahead", "yes go ahead", "yes do it", "confirm"):
        guard = _guard(clock)
        guard.request("conv", "hall", UNLOCK, "把大门打开")
        assert guard.answer("conv", "hall", word).kind is OutcomeKind.EXECUTE, word


def test_not_sensitive_runs_at_once(clock: Clock) -> None:
    guard = _guard(clock, "1234")
    light = SensitiveAction("light", "turn_on", "light.kitchen", "厨房灯")
    assert guard.request("conv", "hall", light).kind is ChallengeKind.NOT_SENSITIVE
    assert guard.pending_for("conv", "hall") is None


def test_confirmation_then_pin(clock: Clock) -> None:
    guard = _guard(clock, "1234")
    guard.request("conv", "hall", UNLOCK)
    outcome = guard.answer("conv", "hall", "是的")
    assert outcome.kind is OutcomeKind.PIN_REQUIRED
    assert speech(outcome, "zh") == "请说出密码，一个数字一个数字地说。"
    assert guard.answer("conv", "hall", "幺 二 三 四").kind is OutcomeKind.EXECUTE


def test_pin_checked_outside_the_guard(clock: Clock) -> None:
    """The glue checks the PIN in a worker thread (`pin_matches`) and hands in the verdict; the
    guard says when a PIN is being asked for (the station then hears digits)."""
    guard = _guard(clock, "1234")
    assert not guard.awaiting_pin
    guard.request("conv", "hall", UNLOCK)
    assert guard.pin_reply("conv", "hall", "一二三四") is None  # asked to confirm, not for a PIN
    assert not guard.awaiting_pin
    guard.answer("conv", "hall", "确定")
    assert guard.awaiting_pin
    assert guard.pin_reply("conv", "hall", "一二三四") == "1234"
    assert guard.pin_reply("conv", "hall", "打开客厅的灯") is None
    assert guard.pin_reply("other", "hall", "一二三四") is None
    assert guard.pin_matches("1234")
    assert not guard.pin_matches("4321")
    # the verdict handed in is the one used
    outcome = guard.answer("conv", "hall", "一二三四", pin_ok=False)
    assert outcome.kind is OutcomeKind.WRONG_PIN
    assert guard.answer("conv", "hall", "五五五五", pin_ok=True).kind is OutcomeKind.EXECUTE
    assert not guard.awaiting_pin
    # a PIN prompt whose time is up no longer counts
    guard.request("conv", "hall", UNLOCK)
    guard.answer("conv", "hall", "确定")
    clock.now += guard.pin_timeout + 1
    assert not guard.awaiting_pin
    assert not _guard(clock).pin_matches("1234")  # no PIN set


@pytest.mark.parametrize("reply", ["一二三四", "幺两三四", "1234", "one two three four", "1 2 3 4"])
def test_pin_spoken_in_many_ways(clock: Clock, reply: str) -> None:
    guard = _guard(clock, "1234")
    guard.request("conv", "hall", UNLOCK)
    guard.answer("conv", "hall", "yes")
    assert guard.answer("conv", "hall", reply).kind is OutcomeKind.EXECUTE


@pytest.mark.parametrize(
    "reply", ["算了", "取消", "不要", "不要打开", "no", "cancel it", "No, cancel."]
)
def test_denied(clock: Clock, reply: str) -> None:
    guard = _guard(clock)
    guard.request("conv", "hall", UNLOCK)
    outcome = guard.answer("conv", "hall", reply)
    assert outcome.kind is OutcomeKind.DENIED
    assert speech(outcome, "zh") == "好的，已取消，打开大门没有执行。"
    assert guard.pending_for("conv", "hall") is None


def test_something_else_is_asked_again_once_then_handled_as_a_command(clock: Clock) -> None:
    guard = _guard(clock)
    guard.request("conv", "hall", UNLOCK)
    # A misheard sentence is not a confirmation: the question is asked once more, saying what
    # is pending and how to answer.
    again = guard.answer("conv", "hall", "确定打开客厅的灯")
    assert again.kind is OutcomeKind.ASK_AGAIN
    assert speech(again, "zh") == "还在等你回答：要打开大门吗？请说'对的'，或者说'算了'。"
    assert guard.pending_for("conv", "hall") == UNLOCK
    # A second one drops it, and a later "确定" opens nothing.
    assert guard.answer("conv", "hall", "今天几号").kind is OutcomeKind.NOT_AN_ANSWER
    assert guard.answer("conv", "hall", "确定").kind is OutcomeKind.NOTHING_PENDING


def test_natural_yes_after_asking_again_runs(clock: Clock) -> None:
    guard = _guard(clock)
    guard.request("conv", "hall", UNLOCK)
    assert guard.answer("conv", "hall", "你说什么").kind is OutcomeKind.ASK_AGAIN
    assert guard.answer("conv", "hall", "行，开吧").kind is OutcomeKind.EXECUTE


def test_expiry(clock: Clock) -> None:
    guard = _guard(clock, confirm_timeout=20)
    guard.request("conv", "hall", UNLOCK)
    clock.now += 21
    outcome = guard.answer("conv", "hall", "确定")
    assert outcome.kind is OutcomeKind.EXPIRED
    assert speech(outcome, "zh") == "刚才的操作已取消，因为没有收到确认。"
    assert guard.pending_for("conv", "hall") is None


def test_expire_reports_for_announcement(clock: Clock) -> None:
    guard = _guard(clock, "1234", confirm_timeout=20, pin_timeout=30)
    guard.request("conv", "hall", UNLOCK)
    guard.request("other", "garage", OPEN_GARAGE)
    clock.now += 10
    guard.answer("conv", "hall", "确定")  # now waits for the PIN, with a fresh 30 s
    clock.now += 15
    (expired,) = guard.expire()
    assert expired.kind is OutcomeKind.EXPIRED
    assert expired.action == OPEN_GARAGE
    assert speech(expired, "en") == "The last action was cancelled because no confirmation came."
    assert guard.pending_for("conv", "hall") == UNLOCK
    clock.now += 20
    assert [o.action for o in guard.expire()] == [UNLOCK]


def test_reply_from_another_station_or_conversation_is_refused(clock: Clock) -> None:
    guard = _guard(clock)
    guard.request("conv", "hall", UNLOCK)
    other_station = guard.answer("conv", "bedroom", "确定")
    other_conversation = guard.answer("intruder", "hall", "确定")
    assert other_station.kind is OutcomeKind.OTHER_ORIGIN
    assert other_conversation.kind is OutcomeKind.OTHER_ORIGIN
    assert speech(other_station, "zh") == "这个确认要在发出命令的房间里说。"
    # The resident's own confirmation still works.
    assert guard.answer("conv", "hall", "确定").kind is OutcomeKind.EXECUTE


def test_wrong_pins_lock_out_and_notify(clock: Clock) -> None:
    guard = _guard(clock, "1234", max_wrong_pins=3)
    guard.request("conv", "hall", UNLOCK)
    guard.answer("conv", "hall", "确定")
    first = guard.answer("conv", "hall", "一二三五")
    assert first.kind is OutcomeKind.WRONG_PIN
    assert speech(first, "zh") == "密码不对。还可以再试两次。"
    assert guard.answer("conv", "hall", "一二三六").kind is OutcomeKind.WRONG_PIN
    third = guard.answer("conv", "hall", "一二三七")
    assert third.kind is OutcomeKind.LOCKED_OUT
    assert third.notify
    assert speech(third, "zh") == ("密码错了太多次，五分钟内不能用语音做这个操作。已经通知了家人。")
    # Locked out for everyone, even with the right PIN in a new conversation.
    refused = guard.request("new", "bedroom", UNLOCK)
    assert refused.kind is ChallengeKind.LOCKED_OUT
    assert speech(refused, "en") == (
        "For safety, this action is blocked by voice. Please try again in 5 minutes."
    )
    clock.now += 301
    assert guard.request("new", "bedroom", UNLOCK).kind is ChallengeKind.CONFIRM
    guard.answer("new", "bedroom", "确定")
    assert guard.answer("new", "bedroom", "一二三四").kind is OutcomeKind.EXECUTE


def test_wrong_pins_count_across_conversations(clock: Clock) -> None:
    guard = _guard(clock, "1234", max_wrong_pins=2)
    for conversation in ("a", "b"):
        guard.request(conversation, "hall", UNLOCK)
        guard.answer(conversation, "hall", "确定")
        outcome = guard.answer(conversation, "hall", "九九九九")
    assert outcome.kind is OutcomeKind.LOCKED_OUT


@pytest.mark.parametrize(
    "command",
    [
        "把大门打开密码一二三四",
        "把大门打开 1234",
        "unlock the front door one two three four",
        "打开大门，密码幺二三四",
        "unlock the front door, PIN 4321",
    ],
)
def test_pin_in_the_command_is_refused(clock: Clock, command: str) -> None:
    guard = _guard(clock, "1234")
    challenge = guard.request("conv", "hall", UNLOCK, command)
    assert challenge.kind is ChallengeKind.PIN_IN_COMMAND
    assert "密码" in (speech(challenge, "zh") or "")
    assert guard.pending_for("conv", "hall") is None


@pytest.mark.parametrize(
    "command",
    [
        "把大门打开",
        "把空调调到二十四度",
        "把亮度调到百分之五十",
        "set the temperature to twenty four",
    ],
)
def test_commands_without_pin(command: str) -> None:
    assert not contains_pin(command)


def test_pin_is_stored_hashed() -> None:
    stored = PinHash.create("2580", iterations=FAST_PIN)
    text = stored.to_string()
    assert "2580" not in text
    again = PinHash.from_string(text)
    assert again.matches("2580")
    assert not again.matches("2581")
    # A new salt each time: the same PIN never gives the same stored text.
    assert PinHash.create("2580", iterations=FAST_PIN).to_string() != text
    with pytest.raises(ValueError, match="4 to 8 digits"):
        PinHash.create("12a4")


def test_words() -> None:
    assert all(
        is_confirmation(w) for w in ("确定", "确认", "是的", "对", "yes", "Confirm.", "确定吧")
    )
    assert not any(
        is_confirmation(w)
        for w in (
            "不确定",
            "确定打开客厅的灯",
            "yes no",
            "嗯……那个",
            "it",
            "hmm",
            "what's the time",
        )
    )
    # How residents really say yes (issue 13, item 5)
    assert all(
        is_confirmation(w)
        for w in (
            *(
                "好",
                "好的",
                "好的好的",
                "行，开吧",
                "可以的",
                "是的，开门",
                "没问题，开吧",
                "嗯，确定",
            ),
            *("yes please", "sure, do it", "go ahead", "yeah, open it", "OK"),
        )
    )
    assert all(is_denial(w) for w in ("取消", "不要", "不", "no", "cancel", "no thanks"))
    assert all(is_denial(w) for w in ("算了", "不用了", "先不开了", "nope", "actually, don't"))
    assert not any(is_denial(w) for w in ("确定", "yes", "one two three four"))
    assert spoken_digits("幺洞拐勾") == "1079"
    assert spoken_digits("一二三四吧") is None


def test_one_lockout_for_every_station(clock: Clock) -> None:
    """Two stations, each with its own guard and PIN, share the household's record."""
    household = PinLockout(clock)
    hall = _guard(clock, "1234", lockout=household)
    bedroom = _guard(clock, "5678", lockout=household)
    assert _guess(hall, "a", "hall", "九九九九") is OutcomeKind.WRONG_PIN
    assert _guess(bedroom, "b", "bedroom", "九九九九") is OutcomeKind.WRONG_PIN
    assert _guess(hall, "a", "hall", "九九九九") is OutcomeKind.LOCKED_OUT
    assert bedroom.request("c", "bedroom", UNLOCK).kind is ChallengeKind.LOCKED_OUT


def test_lockouts_escalate_and_a_right_pin_resets(clock: Clock) -> None:
    household = PinLockout(clock)
    guard = _guard(clock, "1234", lockout=household)
    for minutes in (5, 15, 60, 24 * 60, 24 * 60):
        for _ in range(3):
            outcome = _guess(guard, "conv", "hall", "九九九九")
        assert outcome is OutcomeKind.LOCKED_OUT
        assert household.minutes_left() == minutes
        clock.now += minutes * 60 - 1
        assert guard.locked_out
        clock.now += 1
        assert not guard.locked_out
    assert _guess(guard, "conv", "hall", "一二三四") is OutcomeKind.EXECUTE
    assert household.as_dict() == {"wrong_pins": 0, "locked_until": None, "level": 0}
    for _ in range(3):
        _guess(guard, "conv", "hall", "九九九九")
    assert household.minutes_left() == 5


def test_the_record_is_a_plain_dict_that_loads_back(clock: Clock) -> None:
    first = PinLockout(clock)
    first.record_wrong()
    for _ in range(3):
        first.record_wrong()
    stored = first.as_dict()
    assert stored == {"wrong_pins": 1, "locked_until": clock.now + 300, "level": 1}
    again = PinLockout(clock)
    again.load(stored)
    assert again.locked_out
    assert again.as_dict() == stored
    assert again.remaining == 2


@pytest.mark.parametrize(
    "stored",
    [
        {},
        [1, None, 0],
        {"wrong_pins": "2", "locked_until": None, "level": 0},
        {"wrong_pins": -1, "locked_until": None, "level": 0},
        {"wrong_pins": 0, "locked_until": "tomorrow", "level": 0},
        {"wrong_pins": 0, "locked_until": None, "level": True},
    ],
)
def test_a_broken_record_is_refused_and_changes_nothing(
    clock: Clock, stored: dict[str, object]
) -> None:
    lockout = PinLockout(clock)
    lockout.record_wrong()
    with pytest.raises(ValueError, match="not a PIN lockout record"):
        lockout.load(stored)
    assert lockout.as_dict() == {"wrong_pins": 1, "locked_until": None, "level": 0}


def test_a_lockout_stored_under_a_wrong_clock_is_shortened(clock: Clock) -> None:
    lockout = PinLockout(clock)
    lockout.load({"wrong_pins": 5, "locked_until": clock.now + 10 * 365 * 86400, "level": 2})
    assert lockout.locked_until == clock.now + 86400
    assert lockout.remaining == 1  # never more wrong PINs than allow one more guess


def test_a_long_lockout_is_said_in_hours(clock: Clock) -> None:
    """The fourth lockout in a row lasts a day: "24 hours", not "1440 minutes"."""
    household = PinLockout(clock)
    household.load({"wrong_pins": 2, "locked_until": None, "level": 3})
    guard = _guard(clock, "1234", lockout=household)
    guard.request("conv", "hall", UNLOCK)
    guard.answer("conv", "hall", "确定")
    locked = guard.answer("conv", "hall", "九九九九")
    assert locked.kind is OutcomeKind.LOCKED_OUT
    assert speech(locked, "zh") == (
        "密码错了太多次，二十四小时内不能用语音做这个操作。已经通知了家人。"
    )
    clock.now += 22 * 3600 + 30 * 60
    refused = guard.request("conv", "hall", UNLOCK)
    assert speech(refused, "en") == (
        "For safety, this action is blocked by voice. Please try again in 1 hour and 30 minutes."
    )
    assert speech(refused, "zh") == "为了安全，语音开门暂时停用，请一小时三十分钟后再试。"
