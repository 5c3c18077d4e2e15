"""Light-flash alerts in a real Home Assistant with real light entities (issue 17 item 3).

The pattern's clock is the test's: each wait of the pattern is held until the test releases it,
so a test looks at the lights in the middle of a pattern without waiting real seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from logging import WARNING
from typing import Any

import pytest
from homeassistant.components import persistent_notification
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant

from custom_components.barrier_free import flash
from custom_components.barrier_free.flash import (
    FLASH_ALERTS,
    FlashAlerts,
    async_flash_alert,
    async_stop_flash,
    flash_alerts,
)
from custom_components.barrier_free.logic.flash_patterns import KINDS

from .flash_lights import HomeLight, async_setup_lights

SAFETY_LIMIT = 60.0  # seconds: only so that a broken test fails instead of hanging
COLOUR_LIGHTS = ["light.hall", "light.bedroom", "light.kitchen", "light.desk", "light.study"]


class StepClock:
    """The pattern's clock: every wait is held until `release`, or returns at once once
    `run_free` (recording each wait's seconds and what `look` sees then)."""

    def __init__(self, look: Callable[[], Any] = lambda: None) -> None:
        self.pending: list[asyncio.Future[None]] = []
        self.seen: list[tuple[float, Any]] = []
        self._look = look
        self._free = False
        self._changed = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.seen.append((seconds, self._look()))
        if self._free:
            await asyncio.sleep(0)
            return
        waiting = asyncio.get_running_loop().create_future()
        self.pending.append(waiting)
        self._changed.set()
        try:
            await waiting
        finally:
            if waiting in self.pending:
                self.pending.remove(waiting)

    async def waiting(self, count: int = 1) -> None:
        """Until `count` patterns wait: their current step is on the lights."""
        async with asyncio.timeout(SAFETY_LIMIT):
            while len(self.pending) < count:
                self._changed.clear()
                await self._changed.wait()

    def release(self) -> None:
        """Let the pattern that has waited longest go on to its next step."""
        self.pending.pop(0).set_result(None)

    def run_free(self) -> None:
        self._free = True
        while self.pending:
            self.release()


@pytest.fixture
async def lights(hass: HomeAssistant) -> dict[str, HomeLight]:
    return await async_setup_lights(hass)


@pytest.fixture
def clock(hass: HomeAssistant) -> StepClock:
    clock = StepClock()
    flash_alerts(hass, clock)
    return clock


def look(hass: HomeAssistant, entity_id: str) -> tuple[str, dict[str, Any]]:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state, dict(state.attributes)


async def finish(hass: HomeAssistant, clock: StepClock, alert_id: str) -> None:
    clock.run_free()
    async with asyncio.timeout(SAFETY_LIMIT):
        await hass.data[FLASH_ALERTS].async_wait(alert_id)


async def test_each_kind_flashes_its_own_pattern(
    hass: HomeAssistant, lights: dict[str, HomeLight]
) -> None:
    """Doorbell ≠ smoke ≠ leak ...: on a colour light in colour and rhythm, on an on/off-only
    light in count and rhythm alone; every light is back as it was after each."""
    before = {e: look(hass, e) for e in ("light.hall", "light.porch")}
    on_colour: dict[str, list[tuple[float, Any]]] = {}
    on_off: dict[str, list[tuple[float, Any]]] = {}
    for kind in KINDS:

        def seen() -> tuple[Any, ...]:
            hall, porch = hass.states.get("light.hall"), hass.states.get("light.porch")
            assert hall is not None and porch is not None
            return hall.state, hall.attributes.get("hs_color"), porch.state

        clock = StepClock(seen)
        hass.data[FLASH_ALERTS] = FlashAlerts(hass, clock)
        clock.run_free()
        await async_flash_alert(hass, kind, kind, "info", ["light.hall", "light.porch"])
        await finish(hass, clock, kind)
        on_colour[kind] = [(s, (hall, hs)) for s, (hall, hs, _) in clock.seen]
        on_off[kind] = [(s, porch) for s, (_, _, porch) in clock.seen]
        assert {e: look(hass, e) for e in before} == before, kind
    assert len({repr(p) for p in on_colour.values()}) == len(KINDS)
    assert len({repr(p) for p in on_off.values()}) == len(KINDS)
    # The brief's examples: two slow white-ish pulses, red bursts, blue double pulses.
    assert [s for s, (state, _) in on_colour["doorbell"] if state == "on"] == [0.8, 0.8]
    smoke_colours = {hs for _, (state, hs) in on_colour["smoke"] if state == "on"}
    leak_colours = {hs for _, (state, hs) in on_colour["leak"] if state == "on"}
    assert smoke_colours == {(0.0, 100.0)}
    assert leak_colours == {(230.0, 100.0)}
    assert len([1 for _, (state, _) in on_colour["leak"] if state == "on"]) == 2


async def test_priority_sets_how_often_it_repeats(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    counts = {}
    for priority in ("info", "warning", "alarm"):
        clock.seen.clear()
        await async_flash_alert(hass, priority, "doorbell", priority, ["light.porch"])
        await finish(hass, clock, priority)
        counts[priority] = len(clock.seen)
        clock._free = False
    assert counts["info"] < counts["warning"] < counts["alarm"]


async def test_every_light_comes_back_exactly(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    """On/off, brightness and colour in the light's own mode (hs, colour temperature, xy,
    rgb with its effect, brightness only); the off light goes back off."""
    flashed = [*COLOUR_LIGHTS, "light.porch"]
    before = {e: look(hass, e) for e in flashed}
    await async_flash_alert(hass, "a1", "smoke", "warning", flashed)
    await clock.waiting()
    # Mid-pattern every light shows the smoke pattern, so the restore has work to do.
    assert all(look(hass, e)[0] == "on" for e in flashed)
    assert look(hass, "light.hall")[1]["hs_color"] == (0.0, 100.0)
    assert look(hass, "light.bedroom")[1]["color_temp_kelvin"] == 2200
    assert look(hass, "light.desk")[1]["effect"] is None
    # No fade on a lamp that has one: a burst must be a burst.
    assert lights["light.hall"].calls[0] == (
        "turn_on",
        {"transition": 0, "brightness": 255, "hs_color": (0.0, 100.0)},
    )
    await finish(hass, clock, "a1")
    assert {e: look(hass, e) for e in flashed} == before
    # The light driven in xy gets xy back, not a conversion.
    assert lights["light.kitchen"].calls[-1] == (
        "turn_on",
        {"brightness": 200, "xy_color": (0.3, 0.4)},
    )


async def test_overlap_higher_priority_wins_one_restore(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    hall = lights["light.hall"]
    before = {e: look(hass, e) for e in ("light.hall", "light.porch")}
    await async_flash_alert(hass, "bell", "doorbell", "info", ["light.hall", "light.porch"])
    await clock.waiting(1)
    await async_flash_alert(hass, "smoke", "smoke", "alarm", ["light.hall"])
    await clock.waiting(2)
    assert look(hass, "light.hall")[1]["hs_color"] == (0.0, 100.0)  # smoke's red
    assert look(hass, "light.porch")[0] == "on"  # the doorbell goes on on the porch
    calls_on_hall = len(hall.calls)
    clock.release()  # the doorbell's next step (dark): not on the hall, which smoke holds
    await clock.waiting(2)
    assert look(hass, "light.porch")[0] == "off"
    assert look(hass, "light.hall")[0] == "on"
    assert len(hall.calls) == calls_on_hall
    # A lower alert arriving later waits too.
    await async_flash_alert(hass, "battery", "low_battery", "info", ["light.hall"])
    await clock.waiting(3)
    assert len(hall.calls) == calls_on_hall
    await async_stop_flash(hass, "smoke")
    await async_stop_flash(hass, "battery")
    # Smoke is over, but the doorbell still runs: the hall is not restored in between.
    assert look(hass, "light.hall") != before["light.hall"]
    await finish(hass, clock, "bell")
    assert {e: look(hass, e) for e in before} == before
    restores = [c for c in hall.calls if c[1].get("brightness") == 120]
    assert len(restores) == 1


async def test_resident_switching_a_light_stops_it_there(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    hall, porch = lights["light.hall"], lights["light.porch"]
    porch_before = look(hass, "light.porch")
    await async_flash_alert(hass, "leak", "leak", "warning", ["light.hall", "light.porch"])
    await clock.waiting()
    # The resident dims the hall light from the wall panel (its own context, not ours).
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.hall", "brightness": 10}, blocking=True
    )
    chosen = look(hass, "light.hall")
    calls_on_hall, calls_on_porch = len(hall.calls), len(porch.calls)
    clock.release()
    await clock.waiting()
    assert len(porch.calls) == calls_on_porch + 1  # the porch goes on flashing
    await finish(hass, clock, "leak")
    assert len(hall.calls) == calls_on_hall  # never touched again, not even to restore
    assert look(hass, "light.hall") == chosen
    assert look(hass, "light.porch") == porch_before


async def test_a_resident_light_is_flashed_again_by_the_next_alert(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    await async_flash_alert(hass, "one", "doorbell", "info", ["light.hall"])
    await clock.waiting()
    await hass.services.async_call("light", "turn_off", {"entity_id": "light.hall"}, blocking=True)
    await finish(hass, clock, "one")
    chosen = look(hass, "light.hall")
    clock._free = False
    await async_flash_alert(hass, "two", "doorbell", "info", ["light.hall"])
    await clock.waiting()
    assert look(hass, "light.hall")[0] == "on"
    await finish(hass, clock, "two")
    assert look(hass, "light.hall") == chosen


async def test_a_light_reporting_something_else_is_not_the_resident(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    before = look(hass, "light.hall")
    await async_flash_alert(hass, "bell", "doorbell", "info", ["light.hall"])
    await clock.waiting()
    state = hass.states.get("light.hall")
    assert state is not None
    hass.states.async_set("light.hall", state.state, {**state.attributes, "power": 7})
    await finish(hass, clock, "bell")
    assert look(hass, "light.hall")[1]["brightness"] == before[1]["brightness"]
    assert look(hass, "light.hall")[1]["hs_color"] == before[1]["hs_color"]


async def test_unavailable_and_missing_lights_are_skipped(
    hass: HomeAssistant,
    lights: dict[str, HomeLight],
    clock: StepClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = look(hass, "light.garage")
    await async_flash_alert(
        hass,
        "bell",
        "doorbell",
        "info",
        ["light.garage", "light.cellar", "light.nowhere", "switch.heater", "light.porch"],
    )
    await clock.waiting()
    assert look(hass, "light.porch")[0] == "on"
    await finish(hass, clock, "bell")
    assert lights["light.garage"].calls == []
    assert lights["light.cellar"].calls == []  # unknown: nothing to restore it to
    assert look(hass, "light.garage") == before
    assert look(hass, "light.cellar")[0] == "unknown"
    assert "light.nowhere does not exist" in caplog.text
    assert "switch.heater is not a light" in caplog.text


async def test_a_light_going_away_mid_pattern_is_left_alone(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    await async_flash_alert(hass, "bell", "doorbell", "warning", ["light.hall", "light.porch"])
    await clock.waiting()
    hall = lights["light.hall"]
    hall._attr_available = False
    hall.async_write_ha_state()
    calls = len(hall.calls)
    await finish(hass, clock, "bell")
    assert len(hall.calls) == calls
    assert look(hass, "light.porch")[0] == "off"


async def test_a_failing_light_is_reported_once(
    hass: HomeAssistant,
    lights: dict[str, HomeLight],
    clock: StepClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = look(hass, "light.porch")
    await async_flash_alert(hass, "smoke", "smoke", "alarm", ["light.attic", "light.porch"])
    await finish(hass, clock, "smoke")
    failures = [
        r for r in caplog.records if "light.attic" in r.getMessage() and r.levelno >= WARNING
    ]
    assert len(failures) == 1
    assert len(lights["light.porch"].calls) > 20  # the other light flashed the whole alarm
    assert look(hass, "light.porch") == before


async def test_a_light_that_never_answers_does_not_hold_the_others(
    hass: HomeAssistant,
    lights: dict[str, HomeLight],
    clock: StepClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(flash, "CALL_TIMEOUT", 0.01)
    hall = lights["light.hall"]
    hall.hang = asyncio.Event()
    before = look(hass, "light.porch")
    await async_flash_alert(hass, "smoke", "smoke", "warning", ["light.hall", "light.porch"])
    await finish(hass, clock, "smoke")
    assert len(lights["light.porch"].calls) > 10
    assert look(hass, "light.porch") == before
    reported = [
        r for r in caplog.records if "light.hall" in r.getMessage() and r.levelno >= WARNING
    ]
    assert len(reported) == 1
    assert "no answer" in reported[0].getMessage()
    hall.hang.set()  # the lamp answers at last; nothing of ours is waiting for it
    await hass.async_block_till_done()


async def test_a_restore_that_fails_is_reported(
    hass: HomeAssistant,
    lights: dict[str, HomeLight],
    clock: StepClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await async_flash_alert(hass, "bell", "doorbell", "info", ["light.porch"])
    await clock.waiting()
    lights["light.porch"].fail = True
    # The next step fails (reported) and the restore right after it is not reported again.
    await finish(hass, clock, "bell")
    reported = [
        r for r in caplog.records if "light.porch" in r.getMessage() and r.levelno >= WARNING
    ]
    assert len(reported) == 1


async def test_stop_restores_at_once_and_unknown_ids_are_fine(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    before = look(hass, "light.hall")
    await async_flash_alert(hass, "alarm", "alarm", "alarm", ["light.hall"])
    await clock.waiting()
    assert look(hass, "light.hall") != before
    await async_stop_flash(hass, "alarm")
    assert look(hass, "light.hall") == before
    await async_stop_flash(hass, "alarm")
    await async_stop_flash(hass, "never-started")


async def test_home_assistant_stopping_puts_the_lights_back(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    before = {e: look(hass, e) for e in ("light.hall", "light.porch")}
    await async_flash_alert(hass, "smoke", "smoke", "alarm", ["light.hall"])
    await async_flash_alert(hass, "bell", "doorbell", "info", ["light.porch"])
    await clock.waiting(2)
    assert look(hass, "light.porch") != before["light.porch"]
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert {e: look(hass, e) for e in before} == before
    assert clock.pending == []


async def test_the_same_alert_again_restarts_without_restoring(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    hall = lights["light.hall"]
    before = look(hass, "light.hall")
    await async_flash_alert(hass, "door", "door_open", "warning", ["light.hall", "light.porch"])
    await clock.waiting()
    await async_flash_alert(hass, "door", "door_open", "warning", ["light.hall"])
    await clock.waiting()
    assert look(hass, "light.porch")[0] == "off"  # no longer wanted: back at once
    await finish(hass, clock, "door")
    assert [c for c in hall.calls if c[1].get("brightness") == 120] == [
        ("turn_on", {"brightness": 120, "hs_color": (200.0, 40.0)})
    ]
    assert look(hass, "light.hall") == before


async def test_wrong_kind_or_priority_is_refused(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    with pytest.raises(ValueError, match="kind"):
        await async_flash_alert(hass, "x", "fireworks", "info", ["light.hall"])
    with pytest.raises(ValueError, match="priority"):
        await async_flash_alert(hass, "x", "doorbell", "urgent", ["light.hall"])


@pytest.mark.parametrize(
    ("language", "title", "message"),
    [
        ("en", "Light alert: Doorbell", "Doorbell: flashing Hall and Porch."),
        ("zh-Hans", "灯光提醒：门铃", "门铃：正在闪灯的有Hall和Porch。"),
    ],
)
async def test_the_household_is_notified(
    hass: HomeAssistant,
    lights: dict[str, HomeLight],
    clock: StepClock,
    language: str,
    title: str,
    message: str,
) -> None:
    await hass.config.async_update(language=language)
    await async_flash_alert(hass, "bell", "doorbell", "info", ["light.hall", "light.porch"])
    notices = persistent_notification._async_get_or_create_notifications(hass)
    notice = notices["barrier_free_flash_bell"]
    assert (notice["title"], notice["message"]) == (title, message)
    await async_stop_flash(hass, "bell")


async def test_the_household_hears_of_it_when_no_light_can_flash(
    hass: HomeAssistant, lights: dict[str, HomeLight], clock: StepClock
) -> None:
    await async_flash_alert(hass, "leak", "leak", "alarm", ["light.garage"])
    notice = persistent_notification._async_get_or_create_notifications(hass)[
        "barrier_free_flash_leak"
    ]
    assert notice["message"] == "Water leak: no light could flash."
    await finish(hass, clock, "leak")


async def test_real_clock_alert_can_be_stopped(
    hass: HomeAssistant, lights: dict[str, HomeLight]
) -> None:
    """Without a test clock the pattern waits real seconds; stopping it restores at once."""
    before = look(hass, "light.hall")
    await async_flash_alert(hass, "bell", "doorbell", "info", ["light.hall"])
    await async_stop_flash(hass, "bell")
    assert look(hass, "light.hall") == before
