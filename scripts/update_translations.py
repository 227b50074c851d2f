#!/usr/bin/env python3
"""Extract the window's strings for translators, and build the translations.

    .venv/bin/python scripts/update_translations.py           # refresh, then build .qm
    .venv/bin/python scripts/update_translations.py --check   # exit 1 if the template is stale

Writes ``asyncdesk/ui/translations/asyncdesk.ts``, the template with every string of
``asyncdesk/ui`` (no file locations, so it changes only when a string does), refreshes
each ``asyncdesk_<lang>.ts`` a translator has made from it (keeping their work), and
compiles those into the ``asyncdesk_<lang>.qm`` files the app loads. Start a new
language with ``cp asyncdesk.ts asyncdesk_de.ts``, set ``language="de"`` in its ``<TS>``
tag, and translate it in Qt Linguist (``pyside6-linguist``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "asyncdesk" / "ui"
TRANSLATIONS = SOURCES / "translations"
TEMPLATE = TRANSLATIONS / "asyncdesk.ts"


def _tool(name: str) -> str:
    """The PySide6 tool installed next to this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def sources() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in SOURCES.glob("*.py"))


def extract(target: Path) -> None:
    """Run lupdate over the UI sources into ``target`` (created or merged)."""
    subprocess.run(
        [
            _tool("pyside6-lupdate"),
            *("-silent", "-locations", "none", "-no-obsolete"),
            *sources(),
            *("-ts", str(target)),
        ],
        cwd=ROOT,
        check=True,
    )


def is_current() -> bool:
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / TEMPLATE.name
        extract(fresh)
        return TEMPLATE.exists() and fresh.read_bytes() == TEMPLATE.read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say if the template is stale")
    args = parser.parse_args(argv)
    if args.check:
        if is_current():
            return 0
        print(
            "asyncdesk/ui/translations/asyncdesk.ts is stale: "
            "run scripts/update_translations.py and commit it",
            file=sys.stderr,
        )
        return 1
    TRANSLATIONS.mkdir(exist_ok=True)
    TEMPLATE.unlink(missing_ok=True)  # a template holds no translations to keep
    extract(TEMPLATE)
    for translated in sorted(TRANSLATIONS.glob("asyncdesk_*.ts")):
        extract(translated)
        subprocess.run(
            [_tool("pyside6-lrelease"), "-silent", str(translated)], cwd=ROOT, check=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
