"""Mandarin test speech: home commands as residents say them, and speech that is not a command.

The commands are phrases of the list that the integration generates for the test home
(tests/logic/home.py) as heard by the living-room station; `test_whisper` checks that each
is in that list, so a change to the phrase generator cannot make this set quietly untestable.
"""

from __future__ import annotations

from typing import Final

from custom_components.barrier_free.logic.phrase_list import build_phrase_list

from ..logic.home import HOMES
from ..speech import synth

STATION_AREA: Final = "living_room"

# Everyday forms: polite openers, verb-result forms, particles, short questions, numbers.
COMMANDS: Final = (
    # lights
    "打开卫生间灯", "关闭客厅灯", "把卫生间灯打开", "打开客厅落地灯", "关闭浴室灯",
    "卧室灯开一下", "卧室灯关一下吧", "厨房灯开一下", "厨房灯关一下", "客厅的灯开一下",
    "客厅主灯关一下", "卫生间灯关一下吧", "把家里全部灯打开", "打开家里全部灯", "把一楼灯打开",
    "关掉车库门", "打开一楼厨房灯", "关闭一楼卧室灯", "关闭床头灯", "关闭落地灯",
    "卧室灯亮点", "厨房灯暗点", "床头灯调亮点", "把灯调亮", "把灯光调暗",
    "把浴室灯调亮", "把客厅主灯调暗", "把卧室灯亮度五十", "把落地灯亮度四十", "把厨房灯绿色",
    # curtains, fan, water heater, speaker
    "卧室窗帘开一下", "客厅窗帘关一下", "帮我把客厅窗帘拉开", "把卧室窗帘设置为五十",
    "关掉卧室窗帘",
    "卧室风扇开一下", "卧室风扇关一下", "把卧室风扇风速三十", "帮我打开热水器", "请把热水器关掉",
    "客厅音箱关一下", "暂停", "继续", "下一首", "上一首",
    "静音", "取消静音", "把声音调大", "音量小一点", "声音调到五十",
    "把音量调低", "客厅音箱下一曲", "暂停客厅音乐", "把声音关掉", "声音大一点",
    # climate and temperature
    "客厅空调温度调到十九度吧", "卧室空调温度调到十八度吧", "把温度调到十七度", "把空调调到三十度",
    "把客厅空调调成二十四", "客厅温度是多少", "卧室有多热", "现在温度是多少",
    # questions about the home
    "家里怎么样", "家里现在怎么样", "家里一切正常吗", "说说家里情况", "查看家里状态",
    "门锁了吗", "门都锁了吗", "门锁好没有", "锁都锁好了吗", "有哪些灯亮着",
    "还有灯开着吗", "灯都关了吗", "有哪些灯开着",
    # time, date
    "现在几点", "几点了", "今天几号", "现在是几号", "告诉我今天几号", "告诉我现在时间",
    # accessibility
    "再说一遍", "再说一次", "你刚才说什么", "刚才说什么", "说慢点", "慢一点说",
    "说快点", "讲快一点", "大点声", "说大声一点", "小点声", "说小声一点",
    "帮助", "你能做什么", "我可以说什么", "有什么命令",
    # replies and dismissals
    "确定", "确认", "是的", "不用了", "取消", "不要了", "算了", "没事了", "再见",
    # sensitive: opening the garage
    "开车库门", "开一楼的车库门", "把车库门设置为五十",
)  # fmt: skip

# Speech that is no command of this home: chat, news, questions, a command for a room or a
# device the home does not have. None of it may be acted on.
OUT_OF_DOMAIN: Final = (
    "今天天气真不错", "你吃饭了吗", "我明天要去医院看病", "这个菜有点咸",
    "新闻说明天有大雨", "我的孙子下个月结婚", "请问去火车站怎么走", "这本书很有意思",
    "我们下午去公园散步吧", "电视里在演什么节目", "你好我叫王小明", "我想给女儿打电话",
    "超市的鸡蛋又涨价了", "周末我们去看电影", "妈妈做的饺子真好吃", "银行几点开门",
    "外面的风很大", "我的眼镜放在哪里了", "小猫在沙发上睡觉", "这件衣服多少钱",
    "打开书房的空调", "关闭阳台的灯", "打开洗衣机", "把电视换到中央一台",
    "明天早上六点叫我起床", "给我讲一个故事", "唱一首歌吧", "北京今天多少度",
    "我的药吃完了", "医生说要多喝水", "楼下的邻居很热情", "这个周末是中秋节",
)  # fmt: skip

SENSITIVE_WORDS: Final = ("车库门", "大门", "安防", "门锁")  # a phrase naming one is sensitive


def is_sensitive(phrase: str) -> bool:
    """A phrase acting on the garage door, the front door lock or the alarm (not a question)."""
    return any(w in phrase for w in SENSITIVE_WORDS) and not phrase.endswith(("吗", "没有"))


def phrase_list() -> tuple[str, ...]:
    """What the integration sends the living-room station of the test home."""
    return tuple(build_phrase_list(HOMES["zh"], "zh", station_area_id=STATION_AREA).phrases)


# (espeak-ng voice, words per minute): three speaking rates and a second voice
VOICES: Final = (
    ("cmn-latn-pinyin", 150),
    ("cmn-latn-pinyin", 120),
    ("cmn-latn-pinyin+f3", 175),
)


def mandarin(text: str, voice: str = "cmn-latn-pinyin", speed: int = 150) -> bytes:
    """16 kHz PCM of `text` read by espeak-ng's pinyin Mandarin voice (not plain `cmn`,
    which on Debian 12 reads the pinyin of each character as English)."""
    return synth(text, voice, 16000, speed)
