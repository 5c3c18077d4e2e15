"""The words of home commands (`commands.py`): verbs, words for a kind of device, fillers,
numbers, colours and climate modes, in Mandarin and English. Tables only; the parsing is in
`commands.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

# Verbs, most specific first: (action, pattern). The action is refined by the device's domain.
VERBS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "zh": (
        ("mute", r"静音|声音关(?![小大])"),
        ("mode", r"制冷|制热|自动|除湿|送风|暖气模式|暖风|冷风"),
        ("color", r"[红蓝绿黄白紫橙粉](色|的)|暖光|冷光"),
        ("volume_up", r"大声|声音.{0,2}[大高]|音量.{0,3}[大高]|[调开]大|响一?点"),
        ("volume_down", r"小声|声音.{0,2}[小低]|音量.{0,3}[小低]|[调开关]小|太吵|太响"),
        ("brighter", r"亮一?[点些]|调亮|再亮|亮度.{0,2}高"),
        ("dimmer", r"暗一?[点些]|调暗|再暗|太亮|亮度.{0,2}低|柔和"),
        ("warmer", r"高.{0,2}度|调高|升高|太冷|暖和一?点|[加升].{0,2}度"),
        ("cooler", r"低.{0,2}度|调低|降低|凉快一?点|[降减].{0,2}度"),
        ("next", r"换一首|下一首|切歌|下一曲|换首"),
        ("previous", r"上一首|上一曲"),
        ("pause", r"暂停|停一停|停一下|先停|停了|停下|别动|^停"),
        ("play", r"继续|接着放|播放"),
        ("dock", r"回去充电|回充|去充电|回去|回家"),
        ("clean", r"扫一下地|扫地|打扫|开始扫|扫一扫|扫扫|开工"),
        ("disarm", r"撤防|解除布防|撤了"),
        ("arm", r"布防|设防"),
        ("unlock", r"解锁|开锁"),
        ("lock", r"锁上|锁好|锁起来|锁一下|锁门|锁了|锁锁|^锁"),
        ("set", r"调到|调成|调为|设成|设为|设到|设置成|开到|调至"),
        ("off", r"拉起来|拉一下|拉一拉|关特"),
        ("on", r"打开|开启|开|点亮|插上电|烧|升起|拉开|启动|起来"),
        ("off", r"关闭|关掉|关上|关了|关|熄|拉上|拉拢|合上|降下|放下|拔掉"),
    ),
    "en": (
        ("mute", r"\b(mute|silence)\b"),
        (
            "mode",
            r"\b(heat|cool|heating|cooling|auto) mode\b|\bmode\b|\bon (heating|cooling|auto)\b",
        ),
        (
            "set",
            r"\b(set|to full|at half|as bright as|half brightness|full brightness|\d+ percent)\b"
            r"|\bto \d+|\d+ ?%|\bto \w+ (percent|degrees)",
        ),
        ("brighter", r"\b(brighter|brighten|lighter)\b"),
        ("dimmer", r"\b(dimmer|dim|darker)\b"),
        ("warmer", r"\b(warmer)\b"),
        ("cooler", r"\b(cooler)\b"),
        ("volume_up", r"\b(louder|turn (\w+ ){0,2}up|volume up|up the volume|raise|up)\b"),
        ("volume_down", r"\b(quieter|softer|turn (\w+ ){0,2}down|volume down|lower|drop|down)\b"),
        ("next", r"\b(next|skip)\b"),
        ("previous", r"\b(previous|go back)\b"),
        ("pause", r"\b(pause|stop)\b"),
        ("play", r"\b(resume|play|playing|continue|unpause|carry on)\b"),
        ("dock", r"\b(dock|go home|return|charge|charging)\b"),
        ("clean", r"\b(clean|vacuum the|start cleaning|hoover|run)\b"),
        ("disarm", r"\bdisarm\b"),
        ("arm", r"\b(arm|set the alarm)\b"),
        ("unlock", r"\b(unlock(ing)?|let me in|let them in)\b"),
        ("lock", r"\block(ing)?\b"),
        ("color", r"\b(red|blue|green|yellow|white|purple|orange|pink)\b"),
        ("on", r"\b(turn on|switch on|power on|on|open(ing)?|start|boil|pull (\w+ ){0,2}back)\b"),
        ("off", r"\b(turn off|switch off|power off|off|clos(e|ing)|shut(ting)?|kill|draw)\b"),
    ),
}
# Words for a kind of device: (pattern, domain, device_class or None).
NOUNS: Final[Mapping[str, tuple[tuple[str, str, str | None], ...]]] = {
    "zh": (
        (r"车库门|车库", "cover", "garage"),
        (r"窗帘|百叶窗|遮光帘", "cover", None),
        (r"空调|暖气|温度", "climate", None),
        (r"电视", "media_player", "tv"),
        (r"音箱|音乐|声音|音量|歌|收音机", "media_player", None),
        (r"风扇|电扇|排风|换气", "fan", None),
        (r"扫地机器人|扫地机|扫地", "vacuum", None),
        (r"安防|警报|报警", "alarm_control_panel", None),
        (r"(?<!出)门", "lock", None),
        (r"(?<![解开])锁", "lock", None),
        (r"灯", "light", None),
        (r"东西|电器|设备", "*", None),
    ),
    "en": (
        (r"\bgarage( door)?\b", "cover", "garage"),
        (r"\b(curtains?|blinds?|drapes)\b", "cover", None),
        (r"\b(ac|a/c|air ?con\w*|heating|thermostat|temperature)\b", "climate", None),
        (r"\b(tv|telly|television)\b", "media_player", "tv"),
        (r"\b(speaker|music|radio|volume|song|track)\b", "media_player", None),
        (r"\bfan\b", "fan", None),
        (r"\b(vacuum|robot|hoover)\b", "vacuum", None),
        (r"\b(alarm|security)\b", "alarm_control_panel", None),
        (r"\bdoors?\b", "lock", None),
        (r"\b(lights?|lamps?)\b", "light", None),
        (r"\beverything\b", "*", None),
    ),
}
ALL: Final = {
    "zh": r"所有|全部|全家|全屋|统统|全",
    "en": r"\b(all|every|everything|everywhere)\b",
}
# Everything a command may also contain: a sentence with anything else is not a command.
FILLERS_ZH: Final = (
    *(
        "帮我",
        "帮忙",
        "麻烦你",
        "麻烦",
        "请你",
        "请",
        "给我",
        "能不能",
        "可不可以",
        "可以",
        "你",
        "我",
    ),
    *("把", "将", "拿", "的", "了", "吧", "啊", "呀", "嘛", "呢", "哦", "吗", "一下", "下", "一点"),
    *("点", "一些", "些", "再", "都", "全部", "全家", "全屋", "所有", "统统", "全", "那个", "这个"),
    *("个", "一", "来", "上", "掉", "脱", "伊", "好", "让", "开始", "快", "赶紧", "里", "房间"),
    *("家里", "屋里", "这里", "这儿", "那边", "这边", "有点", "太", "热", "冷", "壶", "水", "热水"),
    *("度", "百分之", "%", "最大", "最小", "一半", "模式", "色", "亮度", "位置", "给", "儿", "要"),
    *("楼下", "楼上", "地", "着", "在", "就", "先", "出门", "我要", "电", "首", "暗", "放"),
    *("改成", "变成", "换成", "换个", "变", "半", "一楼", "二楼", "三楼", "离家", "在家"),
    *("快递", "到了", "来了", "有人", "客人", "车", "密码", "洗澡", "睡觉", "看", "天亮", "晒"),
    *(
        "不好听",
        "一个不留",
        "那边",
        "屋里厢",
        "厢",
        "档",
        "最亮",
        "颜色",
        "光",
        "柔和",
        "别动",
        "停",
    ),
    *("调一调", "调一下", "调", "成", "亮", "拉", "大", "小"),
)


def _words(text: str) -> list[str]:
    return text.split()


FILLERS_EN: Final = frozenset(
    _words(
        """the a an please thanks thank you can could would will mind me my our for to up down
        on off in here of all every it is it's its hot cold bit little some now just okay ok hey
        um uh so and then again percent degrees degree mode set make turn switch put get kill
        shut close open start stop pause resume play next skip previous back track song music
        volume louder quieter softer brighter dimmer darker lighter warmer cooler lower raise
        pull draw unlock lock arm disarm house home whole room everything them let at this that
        i'm im heading out going bed want need power turning switching setting too lot more
        less much quite very way be wanna like someone's someone there's there somebody's pin
        code full goes as bright brightness half max maximum everywhere by warm drop carry
        playing run send dock shower movie time heating heat cool cooling auto air conditioning
        conditioner dark dim i'd i've opening closing"""
    )
)
ZH_NUMBER: Final = re.compile(r"[零一二两三四五六七八九十百点]+|\d+(?:\.\d+)?")
EN_NUMBER: Final = re.compile(
    r"\b\d+(?:\.\d+)?\b|\b(?:(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|point)[\s-]?)+\b"
)
COLORS: Final[Mapping[str, str]] = {
    **{
        "红": "red",
        "蓝": "blue",
        "绿": "green",
        "黄": "yellow",
        "白": "white",
        "紫": "purple",
        "橙": "orange",
        "粉": "pink",
    },
    **{c: c for c in ("red", "blue", "green", "yellow", "white", "purple", "orange", "pink")},
}
MODES: Final[Mapping[str, str]] = {
    "暖气": "heat",
    "暖风": "heat",
    "冷风": "cool",
    "制冷": "cool",
    "制热": "heat",
    "自动": "auto",
    "除湿": "dry",
    "送风": "fan_only",
    "heat": "heat",
    "heating": "heat",
    "cool": "cool",
    "cooling": "cool",
    "auto": "auto",
}
