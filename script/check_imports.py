"""Import boundaries between the project's two halves and inside the integration.

Run by `script/lint`. Rules (see ARCHITECTURE.md):
- `voice/` never imports Home Assistant or the integration;
- the integration never imports `voice/` (it talks to stations over the network);
- the integration's `logic/` (plain decisions) and `client/` (the station protocol client)
  never import Home Assistant, and `logic/` never imports the Home Assistant glue around it.
Exits 1 and names each file, line and import that breaks a rule.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = "custom_components/barrier_free"


@dataclass(frozen=True)
class Rule:
    folder: str  # files under this folder (relative to the repository root)
    forbidden: tuple[str, ...]  # absolute module prefixes they must not import
    why: str
    # Imports of the folder's own package are allowed even where a forbidden prefix covers it.
    stays_inside: bool = False


RULES = (
    Rule("voice", ("homeassistant", "custom_components"), "the station is independent of HA"),
    Rule(INTEGRATION, ("voice",), "the integration talks to stations only over the network"),
    Rule(
        f"{INTEGRATION}/logic",
        ("homeassistant", "custom_components.barrier_free"),
        "plain decisions: testable without Home Assistant",
        stays_inside=True,
    ),
    Rule(
        f"{INTEGRATION}/client",
        ("homeassistant", "custom_components.barrier_free"),
        "the station client is a library",
        stays_inside=True,
    ),
)


def _module_of(path: Path, root: Path) -> list[str]:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return parts


def _imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in `path`, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_of(path, root)
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append((node.lineno, node.module or ""))
                continue
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.append((node.lineno, target))
    return found


def check(root: Path = ROOT) -> list[str]:
    """One line per import that breaks a rule, as `file:line: imports X (why)`."""
    problems: list[str] = []
    for rule in RULES:
        folder = root / rule.folder
        if not folder.is_dir():
            continue
        own = ".".join(Path(rule.folder).parts)
        for path in sorted(folder.rglob("*.py")):
            for line, module in _imports(path, root):
                inside = module == own or module.startswith(own + ".")
                for prefix in rule.forbidden:
                    hit = module == prefix or module.startswith(prefix + ".")
                    if hit and not (rule.stays_inside and inside):
                        rel = path.relative_to(root)
                        problems.append(f"{rel}:{line}: imports {module} ({rule.why})")
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} import(s) cross a boundary", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
