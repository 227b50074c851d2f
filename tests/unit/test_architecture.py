"""The layers of DESIGN.md, kept by tests rather than by discipline (STYLE.md habit 1)."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import asyncdesk

PACKAGE = Path(asyncdesk.__file__).parent

# What each layer may import from the project (itself included).
ALLOWED = {
    "core": {"core"},
    "store": {"core", "store"},
    "sources": {"core", "sources"},
    "services": {"core", "store", "sources", "services"},
}


def _modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages([str(PACKAGE)], prefix="asyncdesk.")
        if not info.name.startswith("asyncdesk.ui")
        and ".migrations" not in info.name
        and not info.name.endswith("__main__")
    ]
    return sorted(names)


def test_nothing_outside_the_ui_loads_qt() -> None:
    modules = [*_modules(), "asyncdesk.cli"]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('PySide6'))))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(completed.stdout) == []
    assert "asyncdesk.store.database" in modules
    assert "asyncdesk.sources.demo" in modules


def test_each_layer_imports_only_the_layers_below_it() -> None:
    problems = []
    for layer, allowed in ALLOWED.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                targets: list[str] = []
                if isinstance(node, ast.Import):
                    targets = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    targets = [node.module]
                for target in targets:
                    parts = target.split(".")
                    if parts[0] == "PySide6":
                        problems.append(f"{path.name} imports {target}")
                    if (
                        parts[0] == "asyncdesk"
                        and len(parts) > 1
                        and parts[1] in {"core", "store", "sources", "services", "ui", "cli"}
                        and parts[1] not in allowed
                    ):
                        problems.append(f"{layer}/{path.name} imports {target}")
    assert problems == []


def test_the_core_does_no_io() -> None:
    forbidden = {"socket", "sqlite3", "sqlalchemy", "requests", "imapclient", "subprocess"}
    offenders = []
    for path in (PACKAGE / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert offenders == []
