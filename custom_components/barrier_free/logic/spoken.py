"""Everything the agent says, per language, in one table.

A blind resident only has what is spoken: every answer names the device and the room, or says
exactly what went wrong. `say(key, language, **params)` is the only way answers are built, so
that both languages always have the same answers with the same blanks (a test checks this).

Numbers, times and dates are spoken as words (Mandarin "下午两点十五分", not "下午2点15分"):
espeak-ng's Mandarin voices read digits unreliably, and words are what the resident hears anyway.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Final

from .languages import table_language
from .numbers import ZH_DIGITS, spoken_number, zh_integer

__all__ = [
    "RESPONSES",
    "device_noun",
    "join_names",
    "say",
    "say_date",
    "say_duration",
    "say_time",
]

RESPONSES: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        # Targets, used inside other answers.
        "target": "{device}",
        "target_in_area": "{area}的{device}",
        # Done.
        "turned_on": "已打开{target}。",
        "turned_off": "已关闭{target}。",
        "opened": "已打开{target}。",
        "closed": "已关上{target}。",
        "locked": "已锁上{target}。",
        "unlocked": "已打开{target}。",
        "disarmed": "已撤防{target}。",
        "set_temperature": "已把{target}设为{temperature}度。",
        "set_brightness": "已把{target}的亮度调到百分之{percent}。",
        "set_position": "已把{target}开到百分之{percent}。",
        "set_volume": "已把{target}的音量调到百分之{percent}。",
        "brighter": "已把{target}调亮了。",
        "dimmer": "已把{target}调暗了。",
        "media_paused": "已暂停{target}。",
        "media_resumed": "已继续播放{target}。",
        "stopped": "已停下{target}。",
        "armed": "已布防{target}。",
        "set_mode": "已把{target}调成{mode}模式。",
        "set_color": "已把{target}调成{color}。",
        "set_speed": "已把{target}调到百分之{percent}。",
        "volume_up": "已把{target}的声音调大了。",
        "volume_down": "已把{target}的声音调小了。",
        "muted": "已把{target}静音。",
        "next_track": "{target}已切到下一首。",
        "previous_track": "{target}已切到上一首。",
        "vacuum_started": "{target}开始打扫了。",
        "vacuum_docked": "{target}回去充电了。",
        # Could not do it.
        "not_understood": "没听清，请再说一遍。",
        "no_area": "没有找到叫做{area}的房间。",
        "no_device": "没有找到叫做{name}的设备。",
        "no_device_in_area": "{area}没有{device}。",
        "unavailable": "{target}现在连不上，请检查它的电源和网络。",
        "ambiguous": "有{count}个{device}，请说是哪个房间的。",
        "not_supported": "{target}不支持这个操作。",
        "failed": "没有成功：{target}没有响应，请稍后再试。",
        "done": "好的，已经办好了。",
        # Sensitive actions.
        "action_unlock": "打开{target}",
        "action_open": "打开{target}",
        "action_disarm": "撤防{target}",
        "action_lock": "锁上{target}",
        "action_close": "关上{target}",
        "action_turn_on": "打开{target}",
        "action_turn_off": "关闭{target}",
        "action_generic": "操作{target}",
        # '对的' and '算了': what the built-in recogniser hears best (确定, 确认, 取消... count too)
        "confirm_prompt": "真的要{action}吗？请说'对的'，或者说'算了'。",
        "pin_prompt": "请说出密码，一个数字一个数字地说。",
        "confirm_again": "还在等你回答：要{action}吗？请说'对的'，或者说'算了'。",
        "pin_again": "还在等密码：请一个数字一个数字地说，或者说'算了'。",
        "wrong_pin": "密码不对。还可以再试{remaining}次。",
        "locked_out": "密码错了太多次，{duration}内不能用语音做这个操作。已经通知了家人。",
        "still_locked_out": "为了安全，语音开门暂时停用，请{duration}后再试。",
        "lockout_notice": "请注意：在{station}连续说错了密码，{duration}内不能语音开门或撤防。",
        "expired": "刚才的操作已取消，因为没有收到确认。",
        "cancelled": "好的，已取消，{action}没有执行。",
        "pin_in_command": "为了安全，请不要在命令里说密码。请先说命令，听到提示后再说密码。",
        "answer_elsewhere": "这个确认要在发出命令的房间里说。",
        "nothing_to_confirm": "现在没有需要确认的操作。",
        # Time, help, voice.
        "time_now": "现在是{time}。",
        "date_today": "今天是{date}。",
        "help": "你可以说：{examples}。",
        "help_room": "在{area}，你可以说：{examples}。",
        "nothing_to_repeat": "我还没有说过话。",
        # The installer's speaker test (button on the station's device).
        "speaker_test": "这是音箱测试。您能听清楚这句话吗？",
        "slower": "好的，我会说慢一点。",
        "faster": "好的，我会说快一点。",
        "louder": "好的，我会大声一点。",
        "quieter": "好的，我会小声一点。",
        "slowest": "已经是最慢了。",
        "fastest": "已经是最快了。",
        "loudest": "已经是最大声了。",
        "quietest": "已经是最小声了。",
        # Answers to questions (questions.py).
        "q_yes": "是的，{fact}。",
        "q_no": "没有，{fact}。",
        "q_temperature": "{place}现在{temperature}度。",
        "q_temperature_indoor": "室内现在{temperature}度。",
        "q_humidity": "{place}的湿度是百分之{percent}。",
        "q_no_sensor": "{place}没有{kind}传感器。",
        "q_climate": "{target}设在{temperature}度，模式是{mode}，现在室温{current}度。",
        "q_battery": "{target}的电量还有百分之{percent}。",
        "q_battery_sensor": "{target}还有百分之{percent}。",
        "q_low_batteries": "{names}电量低，该换电池了。",
        "q_batteries_ok": "没有，电量都还够。",
        "q_brightness": "{target}的亮度是百分之{percent}。",
        "q_position": "{target}开到了百分之{percent}。",
        "q_volume": "{target}的音量是百分之{percent}。",
        "q_none_on": "{noun}都{state}。",
        "q_these_on": "{names}{state}。",
        "fact_state": "{target}{state}",
        "fact_states": "{target}{state}",
        "fact_all": "{noun}都{state}",
        "fact_leak": "{place}漏水了",
        "fact_no_leak": "{place}没有漏水",
        "fact_smoke": "{place}有烟雾",
        "fact_no_smoke": "{place}没有烟雾",
        "fact_someone": "{place}有人",
        "fact_nobody": "{place}没有人",
        # Home status.
        "status_alarm": "{name}在报警！",
        "status_leak": "{place}漏水！",
        "status_smoke": "{place}有烟雾！",
        "status_gas": "{place}检测到燃气！",
        "status_co": "{place}检测到一氧化碳！",
        "status_unlocked": "{names}没有锁。",
        "status_jammed": "{names}卡住了。",
        "status_open": "{names}开着。",
        "status_lights_on": "{areas}的灯开着。",
        "status_lights_named": "{names}开着。",
        "status_temperature": "室内温度{temperature}度。",
        "status_low_battery": "{names}电量低。",
        "status_unavailable": "{names}连不上。",
        "status_unavailable_many": "{names}等{count}个设备连不上。",
        "status_lights_which": "{lights}开着。",
        "light_in_area": "{area}的{name}",
        "light_named": "{name}",
        "status_all_clear": "家里一切正常。",
        "status_nothing_urgent": "家里没有紧急情况。",
        "status_all_locked": "门都锁好了。",
        "status_no_locks": "家里没有可以查看的门锁。",
        "status_lights_all_off": "灯都关着。",
        "status_no_lights": "家里没有可以查看的灯。",
    },
    "en": {
        "target": "the {device}",
        "target_in_area": "the {area} {device}",
        "turned_on": "Turned on {target}.",
        "turned_off": "Turned off {target}.",
        "opened": "Opened {target}.",
        "closed": "Closed {target}.",
        "locked": "Locked {target}.",
        "unlocked": "Unlocked {target}.",
        "disarmed": "Disarmed {target}.",
        "set_temperature": "Set {target} to {temperature} degrees.",
        "set_brightness": "Set {target} to {percent} percent brightness.",
        "set_position": "Opened {target} to {percent} percent.",
        "set_volume": "Set the volume of {target} to {percent} percent.",
        "brighter": "Made {target} brighter.",
        "dimmer": "Dimmed {target}.",
        "media_paused": "Paused {target}.",
        "media_resumed": "Resumed {target}.",
        "stopped": "Stopped {target}.",
        "armed": "Armed {target}.",
        "set_mode": "Set {target} to {mode} mode.",
        "set_color": "Set {target} to {color}.",
        "set_speed": "Set {target} to {percent} percent.",
        "volume_up": "Turned up {target}.",
        "volume_down": "Turned down {target}.",
        "muted": "Muted {target}.",
        "next_track": "Skipped to the next track on {target}.",
        "previous_track": "Went back to the previous track on {target}.",
        "vacuum_started": "{target} started cleaning.",
        "vacuum_docked": "Sent {target} back to its dock.",
        "not_understood": "Sorry, I didn't catch that, please say it again.",
        "no_area": "I couldn't find a room called {area}.",
        "no_device": "I couldn't find a device called {name}.",
        "no_device_in_area": "The {area} has no {device}.",
        "unavailable": "{target} is not responding. Please check its power and network.",
        "ambiguous": "There are {count} {device}s. Which room do you mean?",
        "not_supported": "{target} can't do that.",
        "failed": "That did not work: {target} did not respond. Please try again later.",
        "done": "OK, done.",
        "action_unlock": "unlock {target}",
        "action_open": "open {target}",
        "action_disarm": "disarm {target}",
        "action_lock": "lock {target}",
        "action_close": "close {target}",
        "action_turn_on": "turn on {target}",
        "action_turn_off": "turn off {target}",
        "action_generic": "operate {target}",
        # 'go ahead': pocketsphinx hears it on espeak-ng speech, 'confirm' hardly ever
        "confirm_prompt": "Do you really want to {action}? Say 'go ahead', or say 'cancel'.",
        "pin_prompt": "Please say your PIN, one digit at a time.",
        "confirm_again": (
            "I am still waiting for your answer: do you want to {action}? "
            "Say 'go ahead', or say 'cancel'."
        ),
        "pin_again": "I am still waiting for the PIN: say it one digit at a time, or say 'cancel'.",
        "wrong_pin": "That PIN is wrong. Attempts left: {remaining}.",
        "locked_out": (
            "Too many wrong PINs. This action is blocked by voice for {duration}. "
            "Your household has been notified."
        ),
        "still_locked_out": (
            "For safety, this action is blocked by voice. Please try again in {duration}."
        ),
        "lockout_notice": (
            "Attention: wrong PINs were said at the {station} station. Opening doors or "
            "disarming by voice is blocked for {duration}."
        ),
        "expired": "The last action was cancelled because no confirmation came.",
        "cancelled": "OK, cancelled. I did not {action}.",
        "pin_in_command": (
            "For safety, don't say the PIN together with the command. Say the command first, "
            "then the PIN when I ask for it."
        ),
        "answer_elsewhere": "Please confirm in the room where the command was given.",
        "nothing_to_confirm": "There is nothing to confirm right now.",
        "time_now": "It is {time}.",
        "date_today": "Today is {date}.",
        "help": "You can say: {examples}.",
        "help_room": "In the {area}, you can say: {examples}.",
        "nothing_to_repeat": "I haven't said anything yet.",
        "speaker_test": "This is a speaker test. Can you hear this sentence clearly?",
        "slower": "OK, I will speak more slowly.",
        "faster": "OK, I will speak faster.",
        "louder": "OK, I will speak louder.",
        "quieter": "OK, I will speak more quietly.",
        "slowest": "This is already my slowest speed.",
        "fastest": "This is already my fastest speed.",
        "loudest": "This is already my loudest volume.",
        "quietest": "This is already my quietest volume.",
        "q_yes": "Yes, {fact}.",
        "q_no": "No, {fact}.",
        "q_temperature": "It is {temperature} degrees {place}.",
        "q_temperature_indoor": "It is {temperature} degrees indoors.",
        "q_humidity": "The humidity {place} is {percent} percent.",
        "q_no_sensor": "There is no {kind} sensor {place}.",
        "q_climate": (
            "{target} is set to {temperature} degrees, mode {mode}; "
            "it is {current} degrees in the room."
        ),
        "q_battery": "The battery of {target} is at {percent} percent.",
        "q_battery_sensor": "{target} is at {percent} percent.",
        "q_low_batteries": "Low battery: {names}.",
        "q_batteries_ok": "No, all batteries are fine.",
        "q_brightness": "{target} is at {percent} percent brightness.",
        "q_position": "{target} is {percent} percent open.",
        "q_volume": "The volume of {target} is {percent} percent.",
        "q_none_on": "All the {noun}s are {state}.",
        "q_these_on": "These are {state}: {names}.",
        "fact_state": "{target} is {state}",
        "fact_states": "{target} are {state}",
        "fact_all": "all the {noun}s are {state}",
        "fact_leak": "there is a water leak {place}",
        "fact_no_leak": "there is no leak {place}",
        "fact_smoke": "there is smoke {place}",
        "fact_no_smoke": "there is no smoke {place}",
        "fact_someone": "someone is {place}",
        "fact_nobody": "nobody is {place}",
        "status_alarm": "The {name} is sounding!",
        "status_leak": "Water leak in the {place}!",
        "status_smoke": "Smoke in the {place}!",
        "status_gas": "Gas detected in the {place}!",
        "status_co": "Carbon monoxide in the {place}!",
        "status_unlocked": "{names} unlocked.",
        "status_jammed": "{names} jammed.",
        "status_open": "{names} open.",
        "status_lights_on": "Lights are on in the {areas}.",
        "status_lights_named": "{names} on.",
        "status_temperature": "Indoor temperature {temperature} degrees.",
        "status_low_battery": "Low battery: {names}.",
        "status_unavailable": "Not responding: {names}.",
        "status_unavailable_many": "{count} devices are not responding, including {names}.",
        "status_lights_which": "On: {lights}.",
        "light_in_area": "the {name} in the {area}",
        "light_named": "the {name}",
        "status_all_clear": "Everything at home is fine.",
        "status_nothing_urgent": "Nothing urgent at home.",
        "status_all_locked": "All doors are locked.",
        "status_no_locks": "There are no locks I can check.",
        "status_lights_all_off": "All lights are off.",
        "status_no_lights": "There are no lights I can check.",
    },
}

# What a device is called when it has no name of its own in the answer ("有6个灯").
_NOUNS: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "light": "灯",
        "switch": "开关",
        "fan": "风扇",
        "climate": "空调",
        "media_player": "音箱",
        "lock": "门锁",
        "alarm_control_panel": "报警器",
        "cover": "窗帘",
        "cover.curtain": "窗帘",
        "cover.blind": "百叶窗",
        "cover.shade": "遮阳帘",
        "cover.shutter": "百叶窗户",
        "cover.awning": "遮阳篷",
        "cover.garage": "车库门",
        "cover.gate": "大门",
        "cover.door": "门",
        "cover.window": "窗户",
        "sensor": "传感器",
        "binary_sensor": "传感器",
        "vacuum": "扫地机器人",
        "device": "设备",
    },
    "en": {
        "light": "light",
        "switch": "switch",
        "fan": "fan",
        "climate": "thermostat",
        "media_player": "speaker",
        "lock": "lock",
        "alarm_control_panel": "alarm",
        "cover": "cover",
        "cover.curtain": "curtain",
        "cover.blind": "blind",
        "cover.shade": "shade",
        "cover.shutter": "shutter",
        "cover.awning": "awning",
        "cover.garage": "garage door",
        "cover.gate": "gate",
        "cover.door": "door",
        "cover.window": "window",
        "sensor": "sensor",
        "binary_sensor": "sensor",
        "vacuum": "vacuum",
        "device": "device",
    },
}


def say(key: str, language: str, **params: object) -> str:
    """The answer `key` in `language`, with its blanks filled.

    Raises KeyError for an unknown key or a missing blank: a wrong call is a bug to find in
    tests, never a half sentence to speak.
    """
    language = table_language(language)
    template = RESPONSES[language][key]
    values = {
        name: _spoken_value(template, name, value, language) for name, value in params.items()
    }
    return template.format_map(values)


# Mandarin says 两 before a measure word ("两个灯", "两次"), 二 elsewhere ("百分之二十二").
_MEASURE_WORDS: Final = ("个", "次", "分钟", "扇", "盏", "台", "把", "位")


def _spoken_value(template: str, name: str, value: object, language: str) -> str:
    """Numbers in Mandarin answers are said as words; espeak-ng reads digits unreliably."""
    if language != "zh" or isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    words = spoken_number(value, "zh")
    after = template.partition("{" + name + "}")[2]
    if words == "二" and after.startswith(_MEASURE_WORDS):
        return "两"
    return words


def placeholders(template: str) -> frozenset[str]:
    """Names of the blanks in a response template."""
    return frozenset(
        field for _, field, _, _ in string.Formatter().parse(template) if field is not None
    )


def device_noun(domain: str, device_class: str | None, language: str) -> str:
    """A plain word for a kind of device ("窗帘", "garage door")."""
    nouns = _NOUNS[table_language(language)]
    return nouns.get(f"{domain}.{device_class}") or nouns.get(domain) or nouns["device"]


def join_names(names: Iterable[str], language: str) -> str:
    """ "客厅、卧室和厨房" / "living room, bedroom and kitchen"."""
    items = list(dict.fromkeys(names))
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if table_language(language) == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- Time and date -----------------------------------------------------------------------------


def say_duration(minutes: int, language: str) -> str:
    """A length of time in hours and minutes: "二十四小时", "一小时三十分钟" / "24 hours",
    "1 hour and 30 minutes" (a day-long lockout is never said as "1440 minutes")."""
    hours, rest = divmod(max(0, minutes), 60)
    counts = [(hours, "hour")] if hours else []
    if rest or not hours:
        counts.append((rest, "minute"))
    if table_language(language) == "zh":
        # 两 before a measure word: "两小时", never "二小时".
        zh_unit = {"hour": "小时", "minute": "分钟"}
        return "".join(
            ("两" if value == 2 else zh_integer(value)) + zh_unit[unit] for value, unit in counts
        )
    return " and ".join(f"{value} {unit}" + ("" if value == 1 else "s") for value, unit in counts)


def _zh_period(hour: int) -> str:
    if hour < 5:
        return "凌晨"
    if hour < 9:
        return "早上"
    if hour < 12:
        return "上午"
    if hour < 13:
        return "中午"
    if hour < 18:
        return "下午"
    return "晚上"


def say_time(moment: datetime, language: str) -> str:
    """ "现在是下午两点十五分。" / "It is 2:15 PM."."""
    hour, minute = moment.hour, moment.minute
    twelve = hour % 12 or 12
    if table_language(language) == "zh":
        hour_words = "两" if twelve == 2 else zh_integer(twelve)
        if minute == 0:
            minute_words = ""
        elif minute == 30:
            minute_words = "半"
        elif minute < 10:
            minute_words = "零" + ZH_DIGITS[minute] + "分"
        else:
            minute_words = zh_integer(minute) + "分"
        text = f"{_zh_period(hour)}{hour_words}点{minute_words}"
        return say("time_now", language, time=text)
    suffix = "AM" if hour < 12 else "PM"
    return say("time_now", language, time=f"{twelve}:{minute:02d} {suffix}")


_ZH_WEEKDAYS: Final = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def say_date(day: date, language: str) -> str:
    """ "今天是二零二六年十一月二十八日，星期六。" / "Today is Saturday, November 28, 2026."."""
    if table_language(language) == "zh":
        year = "".join(ZH_DIGITS[int(d)] for d in str(day.year))
        text = (
            f"{year}年{zh_integer(day.month)}月{zh_integer(day.day)}日，"
            f"{_ZH_WEEKDAYS[day.weekday()]}"
        )
        return say("date_today", language, date=text)
    return say("date_today", language, date=day.strftime("%A, %B ") + f"{day.day}, {day.year}")
