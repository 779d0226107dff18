"""The packages form layers and every import points down (or within its own package).

config < corpus < index < answering < atr < jobs < bot < cws (the command line) < bench.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["config", "corpus", "index", "answering", "atr", "jobs", "bot", "cws", "bench"]


def _modules() -> list[Path]:
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py"))


def _imported(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _upward(path: Path) -> list[str]:
    own = path.relative_to(ROOT).parts[0]
    rank = LAYERS.index(own)
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module} ({module.split('.')[0]} is above {own})"
        for line, module in _imported(path)
        if module.split(".")[0] in LAYERS and LAYERS.index(module.split(".")[0]) > rank
    ]


def test_every_package_is_in_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages <= set(LAYERS), f"packages without a layer: {sorted(packages - set(LAYERS))}"


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_down(layer: str) -> None:
    problems = [p for path in _modules() if path.relative_to(ROOT).parts[0] == layer for p in _upward(path)]
    assert not problems, "\n".join(problems)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The parser finds imports anywhere in a module, lazy ones included."""
    module = tmp_path / "lazy.py"
    module.write_text("import os\n\ndef f():\n    from bot.app import create_app\n", encoding="utf-8")
    assert (4, "bot.app") in _imported(module)
