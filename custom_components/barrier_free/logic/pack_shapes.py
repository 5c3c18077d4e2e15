"""The shapes every installer-written YAML file is checked against: mappings with known keys,
texts in both languages, lists, numbers and ids, each problem with its line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .pack_errors import PackError
from .pack_yaml import Located

__all__ = ["ID", "LANGUAGES", "MAX_PHRASE", "MAX_PHRASES", "MAX_TEXT", "ShapeCheck", "Text"]

LANGUAGES: Final = ("zh", "en")
ID: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
# Texts end up in the recogniser's phrase list and in spoken answers: keep them speakable.
MAX_TEXT: Final = 400
MAX_PHRASE: Final = 40
MAX_PHRASES: Final = 20


@dataclass(frozen=True, slots=True)
class Text:
    """A text in both languages."""

    zh: str
    en: str

    def in_language(self, language: str) -> str:
        """The text in `language` ("zh…" for Mandarin, anything else English)."""
        return self.zh if language.lower().startswith("zh") else self.en


class ShapeCheck:
    """Checks of the shapes in one file; problems pile up in `errors`, each with its line."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[PackError] = []

    def error(self, line: int | None, code: str, **params: object) -> None:
        self.errors.append(PackError(self.file, line, code, {k: str(v) for k, v in params.items()}))

    def sorted_errors(self) -> list[PackError]:
        return sorted(self.errors, key=lambda error: error.line or 0)

    # Shapes.

    def mapping(
        self,
        node: Located,
        where: str,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        line: int | None = None,
    ) -> dict[str, Located] | None:
        """The allowed keys of a mapping; unknown and missing keys are problems (a missing key
        is reported at `line`, the mapping's own key, when given)."""
        if not isinstance(node.value, dict):
            self.error(node.line, "expected_mapping", key=where)
            return None
        lines = node.key_lines or {}
        for key in node.value:
            if key not in allowed:
                self.error(
                    lines.get(key, node.line), "unknown_key", key=key, allowed=", ".join(allowed)
                )
        for key in required:
            if key not in node.value:
                self.error(line or node.line, "missing_key", key=f"{where}.{key}" if where else key)
        return {key: value for key, value in node.value.items() if key in allowed}

    def text(self, node: Located, where: str, limit: int = MAX_TEXT) -> str | None:
        if not isinstance(node.value, str):
            self.error(node.line, "expected_text", key=where)
            return None
        value = node.value.strip()
        if not value:
            self.error(node.line, "blank_text", key=where)
            return None
        if len(value) > limit:
            self.error(node.line, "too_long", key=where, length=len(value), limit=limit)
            return None
        return value

    def ident(self, node: Located, where: str) -> str | None:
        value = self.text(node, where)
        if value is not None and not ID.fullmatch(value):
            self.error(node.line, "invalid_id", value=value)
            return None
        return value

    def items(self, node: Located, where: str) -> list[Located]:
        if not isinstance(node.value, list):
            self.error(node.line, "expected_list", key=where)
            return []
        if not node.value:
            self.error(node.line, "empty_list", key=where)
        return node.value

    def both(self, node: Located, where: str) -> Text | None:
        """A {zh, en} pair of texts."""
        fields = self.mapping(node, where, LANGUAGES)
        if fields is None:
            return None
        for language in LANGUAGES:
            if language not in fields:
                self.error(node.line, "missing_language", key=where, language=language)
        zh = self.text(fields["zh"], f"{where}.zh") if "zh" in fields else None
        en = self.text(fields["en"], f"{where}.en") if "en" in fields else None
        return Text(zh, en) if zh is not None and en is not None else None

    def phrases(
        self, node: Located, where: str, most: int = MAX_PHRASES
    ) -> dict[str, tuple[str, ...]]:
        """Per language, a list of short phrases."""
        fields = self.mapping(node, where, LANGUAGES) or {}
        found: dict[str, tuple[str, ...]] = {}
        for language in LANGUAGES:
            if language not in fields:
                self.error(node.line, "missing_language", key=where, language=language)
                continue
            items = self.items(fields[language], f"{where}.{language}")
            if len(items) > most:
                self.error(
                    fields[language].line,
                    "too_many",
                    key=f"{where}.{language}",
                    count=len(items),
                    limit=most,
                )
            said = [self.text(item, f"{where}.{language}", MAX_PHRASE) for item in items[:most]]
            found[language] = tuple(p for p in said if p is not None)
        return found

    def number(self, node: Located, where: str) -> float | None:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            self.error(node.line, "expected_number", key=where)
            return None
        return node.value
