"""Problems found in scene packs and household files: file, line and what is wrong, in both
languages, each with a stable code.

A problem is collected, not raised: one file can have several, and a broken file never stops
the others from loading. `MESSAGES` is the one table of texts (a test checks that both
languages have the same blanks).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["MESSAGES", "PackError"]

# code: (English, Mandarin)
MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    # Reading the file.
    "unreadable": ("The file cannot be read: {detail}.", "无法读取文件：{detail}。"),
    "not_a_folder": ("{path} is not a folder.", "{path} 不是文件夹。"),
    "too_big": (
        "The file has {size} bytes; a pack may have at most {limit}.",
        "文件有 {size} 字节，场景文件最多 {limit} 字节。",
    ),
    "not_utf8": ("The file is not UTF-8 text.", "文件不是 UTF-8 编码的文本。"),
    "yaml_syntax": ("This is not valid YAML: {detail}.", "YAML 格式有误：{detail}。"),
    "empty": ("The file is empty.", "文件是空的。"),
    "too_deep": (
        "Values are nested more than {limit} levels deep.",
        "嵌套超过了 {limit} 层。",
    ),
    "too_many_aliases": (
        "More than {limit} YAML anchors and aliases (&name, *name); packs do not need them.",
        "YAML 锚点和别名（&名字、*名字）超过了 {limit} 个；场景文件用不到它们。",
    ),
    "too_many_values": (
        "The file expands to more than {limit} values (aliases repeated inside aliases).",
        "文件展开后超过 {limit} 个值（别名里套别名）。",
    ),
    "tag_not_allowed": (
        "The YAML tag {tag} is not allowed: write plain text, numbers, lists and mappings"
        " (put dates and times in quotes).",
        "不允许使用 YAML 标签 {tag}：只能写文字、数字、列表和映射（日期和时间请加引号）。",
    ),
    "key_not_text": ("A key must be plain text.", "键必须是普通文字。"),
    "duplicate_key": ("The key {key} appears twice.", "键 {key} 出现了两次。"),
    # Shape.
    "wrong_kind": (
        "The file must start with pack: (scenes) or profile: (a profile).",
        "文件开头必须是 pack:（场景包）或 profile:（用户配置）。",
    ),
    "expected_mapping": ("{key} must be a mapping (key: value).", "{key} 必须是映射（键: 值）。"),
    "expected_list": ("{key} must be a list.", "{key} 必须是列表。"),
    "expected_text": ("{key} must be text.", "{key} 必须是文字。"),
    "expected_number": ("{key} must be a number.", "{key} 必须是数字。"),
    "expected_yes_no": ("{key} must be true or false.", "{key} 必须是 true 或 false。"),
    "missing_key": ("{key} is missing.", "缺少 {key}。"),
    "unknown_key": (
        "Unknown key {key}; allowed here: {allowed}.",
        "未知的键 {key}；这里可以用：{allowed}。",
    ),
    "invalid_id": (
        "{value} is not a valid id: use lowercase letters, digits and _.",
        "{value} 不是有效的标识：只能用小写字母、数字和下划线。",
    ),
    "missing_language": (
        "{key} needs both languages; {language} is missing.",
        "{key} 需要中英文两种；缺少 {language}。",
    ),
    "blank_text": ("{key} is empty.", "{key} 是空的。"),
    "empty_list": ("{key} needs at least one entry.", "{key} 至少要有一项。"),
    "too_long": (
        "{key} has {length} characters; at most {limit} are allowed.",
        "{key} 有 {length} 个字符，最多只能有 {limit} 个。",
    ),
    "too_many": (
        "{key} has {count} entries; at most {limit} are allowed.",
        "{key} 有 {count} 项，最多只能有 {limit} 项。",
    ),
    # Scenes.
    "unknown_role": (
        "Unknown role {role} (the roles are listed in scenes/README.md).",
        "未知的角色 {role}（角色列表见 scenes/README.md）。",
    ),
    "sensitive_action": (
        "{action} on {role} is a sensitive action (unlock, open a door, garage or gate, disarm):"
        " a scene never does it; the resident does it by voice, with confirmation and PIN.",
        "在 {role} 上执行 {action} 是敏感操作（开锁、开门、开车库门或大门、撤防）："
        "场景永远不能做；只能由住户用语音确认并说出密码来做。",
    ),
    "unknown_action": (
        "{action} is not an action scenes can use; allowed: {allowed}.",
        "场景不能使用 {action}；可以用：{allowed}。",
    ),
    "action_not_for_role": (
        "{action} does not apply to {role}, which is a {domains} device.",
        "{action} 不适用于 {role}，它是 {domains} 设备。",
    ),
    "unknown_option": (
        "{action} has no option {option}; allowed: {allowed}.",
        "{action} 没有选项 {option}；可以用：{allowed}。",
    ),
    "missing_option": ("{action} needs the option {option}.", "{action} 需要选项 {option}。"),
    "out_of_range": (
        "{option} must be between {low} and {high}, not {value}.",
        "{option} 必须在 {low} 到 {high} 之间，而不是 {value}。",
    ),
    "not_reportable": (
        "{role} has no on or open state to report.",
        "{role} 没有可以报告的开关状态。",
    ),
    "duplicate_scene": (
        "The scene {scene} is already defined in {other}.",
        "场景 {scene} 已经在 {other} 里定义过了。",
    ),
    "duplicate_phrase": (
        "The phrase {phrase} already starts the scene {scene}.",
        "说法“{phrase}”已经用于场景 {scene}。",
    ),
    # Profiles.
    "unknown_scene": (
        "Unknown scene {scene} (no valid pack defines it).",
        "未知的场景 {scene}（没有哪个有效的场景包定义它）。",
    ),
    "duplicate_profile": (
        "The profile {profile} is already defined in {other}.",
        "用户配置 {profile} 已经在 {other} 里定义过了。",
    ),
    "unknown_event": (
        "Unknown event {event}; known: {known}.",
        "未知的事件 {event}；可以用：{known}。",
    ),
    "unknown_how": (
        "{value} is not a way to announce; use speech, flash or both.",
        "{value} 不是提醒方式；请用 speech（语音）、flash（闪灯）或 both（两者）。",
    ),
    "minutes_required": (
        "{event} needs after_minutes (how long open before the announcement).",
        "{event} 需要 after_minutes（开着多少分钟后提醒）。",
    ),
    "minutes_not_allowed": (
        "{event} happens at once; after_minutes does not apply.",
        "{event} 会立即提醒；不能设置 after_minutes。",
    ),
    # Household files.
    "wrong_version": (
        "This household file has version {version}; this integration reads version {expected}.",
        "这个家庭设置文件的版本是 {version}；本集成只能读取版本 {expected}。",
    ),
    "unknown_profile": ("Unknown profile {profile}.", "未知的用户配置 {profile}。"),
    "unknown_language": (
        "Unknown language {language}; use zh or en.",
        "未知的语言 {language}；请用 zh 或 en。",
    ),
}


@dataclass(frozen=True, slots=True)
class PackError:
    """One problem: where it is and what is wrong."""

    file: str
    line: int | None  # 1-based; None when the problem is the whole file
    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    def message(self, language: str = "en") -> str:
        """What is wrong, in `language` ("zh…" for Mandarin, anything else English)."""
        en, zh = MESSAGES[self.code]
        return (zh if language.lower().startswith("zh") else en).format_map(self.params)

    @property
    def where(self) -> str:
        """`file:line`, or the file alone."""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def as_dict(self) -> dict[str, object]:
        """Serialisable form (diagnostics, an action's response), like the station's errors."""
        return {
            "file": self.file,
            "line": self.line,
            "code": self.code,
            "message": self.message("en"),
            "message_zh": self.message("zh"),
            "params": dict(self.params),
        }

    def __str__(self) -> str:
        return f"{self.where}: {self.message('en')}\n{self.where}: {self.message('zh')}"


def placeholders(template: str) -> frozenset[str]:
    """The blanks of a message template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
