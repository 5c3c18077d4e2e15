"""Errors of the voice station, each with a stable code and a message in English and Mandarin.

This module is at the bottom of the import graph: it imports nothing of the station. It holds
the base class and the errors raised in more than one place (an unknown language; a speech
model that cannot be loaded, raised by every engine). Every other module defines its own
subclasses next to the code that raises them::

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


# --- loading a speech model (every engine, and the model store) -----------------------------


class ModelFolderMissing(VoiceError):
    code = "model_folder_missing"
    en = "The speech model folder {path} does not exist."
    zh = "语音模型文件夹 {path} 不存在。"


class NotAModel(VoiceError):
    code = "not_a_model"
    en = "{path} is not a {engine} speech model ({problem})."
    zh = "{path} 不是 {engine} 语音模型（{problem}）。"


class ModelLoadFailed(VoiceError):
    code = "model_load_failed"
    en = "The speech model in {path} could not be loaded ({detail})."
    zh = "无法加载 {path} 中的语音模型（{detail}）。"


class EngineUnavailable(VoiceError):
    code = "engine_unavailable"
    en = "The recogniser '{engine}' cannot be used for language '{language}': {detail}"
    zh = "识别引擎“{engine}”不能用于语言“{language}”：{detail}"
