"""Errors of the voice station, each with a stable code and a message in English and Mandarin.

Every module defines its own subclasses next to the code that raises them::

    class ChecksumMismatch(ModelError):
        code = "checksum_mismatch"
        en = "The archive {name} has SHA-256 {actual}, expected {expected}."
        zh = "文件 {name} 的 SHA-256 是 {actual}，应为 {expected}。"

    raise ChecksumMismatch(name="x.zip", actual="ab..", expected="cd..")

The message templates are formatted with the keyword arguments given when raising, so that
a command line, a log and a spoken answer can all say exactly what went wrong.
"""

from __future__ import annotations

from typing import Any, ClassVar

LANGUAGES = ("en", "zh")


class VoiceError(Exception):
    """Base class: a problem the user (resident or installer) must be told about."""

    code: ClassVar[str] = "voice_error"
    en: ClassVar[str] = "The voice station could not do this: {detail}"
    zh: ClassVar[str] = "语音站无法完成此操作：{detail}"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str = "en") -> str:
        """The message in `language` ('zh' or 'en'; other values fall back to English)."""
        template = self.zh if language.startswith("zh") else self.en
        try:
            return template.format(**self.params)
        except KeyError, IndexError:  # a template/parameter mismatch must not hide the error
            return f"{template} {self.params}"

    def as_dict(self) -> dict[str, Any]:
        """Serialisable form: code, both messages and the parameters."""
        return {
            "code": self.code,
            "message": self.message("en"),
            "message_zh": self.message("zh"),
            "params": {k: str(v) for k, v in self.params.items()},
        }


class UnknownLanguage(VoiceError):
    code = "unknown_language"
    en = "Unknown language '{language}'. Use one of: {supported}."
    zh = "不支持的语言“{language}”。可用语言：{supported}。"
