"""Reading installer-written YAML safely, keeping the line of every value.

Packs and household files come from installers and from other homes, so they are untrusted:
the text is composed into PyYAML's node tree (never constructed into objects), refused when
it is too big, too deep, uses more than a few anchors/aliases or expands to too many values
(anchor bombs), or carries any tag beyond plain text, numbers, booleans, null, lists and
mappings. What comes out is a tree of `Located` values that remember their line, so that a
checker can say `file:line` for every mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# PyYAML ships with Home Assistant; its type stubs are not installed here.
import yaml  # type: ignore[import-untyped]
from yaml.events import AliasEvent  # type: ignore[import-untyped]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode  # type: ignore[import-untyped]

from .pack_errors import PackError

__all__ = ["MAX_ALIASES", "MAX_BYTES", "MAX_DEPTH", "MAX_VALUES", "Located", "parse_yaml"]

MAX_BYTES: Final = 256 * 1024
MAX_ALIASES: Final = 16  # anchors and aliases together
MAX_DEPTH: Final = 24
MAX_VALUES: Final = 20_000  # after aliases are expanded

_TAG: Final = "tag:yaml.org,2002:"
_SCALAR_TAGS: Final = frozenset(_TAG + name for name in ("str", "int", "float", "bool", "null"))

type Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Located:
    """A YAML value and the (1-based) line it starts on."""

    value: Scalar | dict[str, Located] | list[Located]
    line: int
    key_lines: dict[str, int] | None = None  # for mappings: the line of each key


class _Refused(Exception):
    def __init__(self, line: int | None, code: str, **params: object) -> None:
        super().__init__(code)
        self.line = line
        self.code = code
        self.params = {key: str(value) for key, value in params.items()}


class _BoundedLoader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader's composer with limits on depth and on anchors and aliases."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(line, "too_many_aliases", limit=MAX_ALIASES)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(line, "too_deep", limit=MAX_DEPTH)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(data: bytes, file: str) -> tuple[Located | None, PackError | None]:
    """The value tree of one YAML document, or the one problem that stops reading it."""
    if len(data) > MAX_BYTES:
        return None, PackError(
            file, None, "too_big", {"size": str(len(data)), "limit": str(MAX_BYTES)}
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, PackError(file, None, "not_utf8")
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, PackError(file, None, "empty")
        return _Converter(loader).convert(root, 1), None
    except _Refused as refused:
        return None, PackError(file, refused.line, refused.code, refused.params)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = error.problem or error.context or "?"
        return None, PackError(
            file, mark.line + 1 if mark else None, "yaml_syntax", {"detail": detail}
        )
    except yaml.YAMLError as error:
        return None, PackError(file, None, "yaml_syntax", {"detail": str(error)})
    finally:
        loader.dispose()


class _Converter:
    """Node tree to `Located` tree; counts values as aliases expand."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self._loader = loader
        self._values = 0

    def convert(self, node: Node, depth: int) -> Located:
        line = node.start_mark.line + 1
        self._values += 1
        if self._values > MAX_VALUES:
            raise _Refused(line, "too_many_values", limit=MAX_VALUES)
        if depth > MAX_DEPTH:  # a recursive alias (&a [*a]) ends here
            raise _Refused(line, "too_deep", limit=MAX_DEPTH)
        if isinstance(node, ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise _Refused(line, "tag_not_allowed", tag=_short(node.tag))
            value = self._loader.construct_object(node)
            return Located(value, line)
        if isinstance(node, SequenceNode):
            if node.tag != _TAG + "seq":
                raise _Refused(line, "tag_not_allowed", tag=_short(node.tag))
            return Located([self.convert(item, depth + 1) for item in node.value], line)
        if isinstance(node, MappingNode) and node.tag == _TAG + "map":
            items: dict[str, Located] = {}
            key_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, ScalarNode) or key_node.tag != _TAG + "str":
                    if key_node.tag == _TAG + "merge":
                        raise _Refused(key_line, "tag_not_allowed", tag="<< (merge)")
                    raise _Refused(key_line, "key_not_text")
                key = str(key_node.value)
                if key in items:
                    raise _Refused(key_line, "duplicate_key", key=key)
                items[key] = self.convert(value_node, depth + 1)
                key_lines[key] = key_line
            return Located(items, line, key_lines)
        raise _Refused(line, "tag_not_allowed", tag=_short(node.tag))


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
