"""Every word the window shows can be translated, and a translation is picked up.

The test makes a pseudo-translation the way translators' tools do: it extracts the
strings with ``pyside6-lupdate`` (as ``scripts/update_translations.py`` does), turns
every source text into ``⟦source⟧``, compiles it with ``pyside6-lrelease`` and installs
it through the app's own loader. Then it tours the app on a real profile: any menu,
button, label, title, tooltip, placeholder, tab, header or accessible name still shown
without the brackets is a string a translator could never reach (a literal outside
``tr``, or a ``tr`` whose context lupdate and Qt disagree on). Texts that are the
user's data (senders, subjects, account names, times) are told apart by what they say.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTabWidget,
    QWidget,
)

from asyncdesk.ui.translations import install_translators, remove_translators

ROOT = Path(__file__).resolve().parents[2]
WAIT = 10_000
OPEN, CLOSE = "⟦", "⟧"


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``asyncdesk_eo.qm``: every string of asyncdesk/ui in brackets."""
    folder = tmp_path_factory.mktemp("translations")
    ts = folder / "asyncdesk_eo.ts"
    sources = sorted(str(p) for p in (ROOT / "asyncdesk" / "ui").glob("*.py"))
    subprocess.run(
        [_tool("pyside6-lupdate"), "-silent", "-locations", "none", *sources, "-ts", str(ts)],
        check=True,
    )
    tree = ElementTree.parse(ts)
    tree.getroot().set("language", "eo")
    for message in tree.getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        translation.attrib.pop("type", None)
        forms = translation.findall("numerusform")
        for form in forms or [translation]:
            form.text = f"{OPEN}{source}{CLOSE}"
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    subprocess.run([_tool("pyside6-lrelease"), "-silent", str(ts)], check=True)
    assert (folder / "asyncdesk_eo.qm").exists()
    return folder


@pytest.fixture
def pseudo_locale(qapp: QApplication, pseudo_translations: Path) -> Iterator[None]:
    installed = install_translators(qapp, QLocale("eo"), directory=pseudo_translations)
    assert installed, "the app's loader did not load asyncdesk_eo.qm"
    yield
    remove_translators(qapp, installed)


def test_the_loader_finds_a_translation_by_locale(
    qapp: QApplication, pseudo_translations: Path
) -> None:
    german = install_translators(qapp, QLocale("de"), directory=pseudo_translations)
    try:  # Qt ships German for its own strings; there is no asyncdesk_de here
        assert QCoreApplication.translate("ScheduleSection", "Time zone") == "Time zone"
    finally:
        remove_translators(qapp, german)
    installed = install_translators(qapp, QLocale("eo"), directory=pseudo_translations)
    try:
        assert QCoreApplication.translate("ScheduleSection", "Time zone") == (
            f"{OPEN}Time zone{CLOSE}"
        )
    finally:
        remove_translators(qapp, installed)
    assert QCoreApplication.translate("ScheduleSection", "Time zone") == "Time zone"


def _qts_own(widget: QWidget) -> bool:
    """Qt's own controls (a dialog's standard Close, a tab bar's arrows), translated
    by Qt's catalogue (qtbase_<lang>.qm, which the app loads too)."""
    box = widget.parentWidget()
    if isinstance(box, QDialogButtonBox) and isinstance(widget, QAbstractButton):
        return box.standardButton(widget) != QDialogButtonBox.StandardButton.NoButton
    name = widget.objectName()
    return name in ("ScrollLeftButton", "ScrollRightButton") or name.startswith("qt_")


def _texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of interface text under ``root``."""
    for widget in [root, *root.findChildren(QWidget)]:
        if _qts_own(widget):
            continue
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        if widget.isWindow():
            yield where + " title", widget.windowTitle()
        yield where + " tooltip", widget.toolTip()
        yield where + " name", widget.accessibleName()
        if isinstance(widget, QAbstractButton) or (
            isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.RichText
        ):
            yield where, widget.text()
        elif isinstance(widget, QGroupBox):
            yield where, widget.title()
        elif isinstance(widget, QLineEdit):
            yield where + " placeholder", widget.placeholderText()
        elif isinstance(widget, QMenu):
            yield where, widget.title()
        elif isinstance(widget, QTabWidget):
            for tab in range(widget.count()):
                yield where + f" tab {tab}", widget.tabText(tab)
        elif isinstance(widget, QHeaderView) and widget.model() is not None:
            orientation = widget.orientation()
            if orientation is Qt.Orientation.Horizontal:
                for section in range(widget.count()):
                    header = widget.model().headerData(section, orientation)
                    yield where + f" header {section}", str(header or "")
        for action in widget.actions():
            yield f"{where} action", action.text()
            yield f"{where} action tip", action.statusTip()


# Words of the user's data in the fixture profile (gui/conftest.py), and Qt's own
# or the system's: a text made only of these is not ours to translate.
_DATA = re.compile(
    r"Ada Lovelace|Grace Hopper|Linus Pauling|Katherine Johnson|Newsletter|"
    r"[\w.+-]+@[\w.-]+|Quarterly report[^⟦]*|Lunch on Friday[^⟦]*|Disk usage[^⟦]*|"
    r"Conference travel[^⟦]*|Trajectory numbers[^⟦]*|This week in batched[^⟦]*|"
    r"Hello, this is message number \d+\.|^Re: |Europe/Berlin|\bwork\b|AsyncDesk|"
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
    r"Nov|Dec)\w*\b|\b(AM|PM|UTC|CET)\b|"
    # examples in empty fields: what to type, not words
    r"^[\w@:/.-]*example\.org$|^HH:MM$|^xoxp-…$"
)


def _from_the_services(where: str, text: str) -> bool:
    """A one-line message of the layers below (an error the command line prints too):
    English for now (asyncdesk.ui.translations says so); they start in lower case."""
    return where.startswith("QLabel") and text[:1].islower()


def _untranslated(text: str) -> bool:
    outside, inner = text, re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while inner.search(outside):  # translated parts, innermost first
        outside = inner.sub(" ", outside)
    outside = _DATA.sub(" ", outside)
    return re.search(r"[A-Za-z]{2,}", outside) is not None


def test_every_interface_text_goes_through_the_translator(
    pseudo_locale: None, every_surface: list[QWidget]
) -> None:
    """(The pseudo-translation is installed before the window is made.)"""
    missed = sorted(
        {
            f"{type(surface).__name__}: {where}: {text!r}"
            for surface in every_surface
            for where, text in _texts(surface)
            if text and _untranslated(text) and not _from_the_services(where, text)
        }
    )
    assert missed == [], "\n".join(missed)


def test_the_template_for_translators_has_every_string() -> None:
    """asyncdesk/ui/translations/asyncdesk.ts is what translators start from: it must
    hold today's strings (scripts/update_translations.py refreshes it)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_translations.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    template = ElementTree.parse(ROOT / "asyncdesk" / "ui" / "translations" / "asyncdesk.ts")
    contexts = {context.findtext("name") for context in template.getroot().iter("context")}
    assert {"MainWindow", "SettingsDialog", "StatsWindow", "ComposeWindow", "GateView"} <= contexts
