"""Loading the user's language: Qt's own strings and AsyncDesk's.

Every string the window shows goes through Qt's translator (``self.tr`` in widgets,
``QCoreApplication.translate`` elsewhere), so a translation is a file, not a code
change: ``scripts/update-translations`` extracts the strings into
``asyncdesk/ui/translations/asyncdesk.ts`` (the template translators copy to
``asyncdesk_<lang>.ts`` and open in Qt Linguist), and ``pyside6-lrelease`` turns a
translated file into the ``asyncdesk_<lang>.qm`` this module loads.

The language is the system's (``LANGUAGE``/``LC_ALL``/``LANG`` on Linux, as Qt reads
them); ``ASYNCDESK_LANG`` overrides it, e.g. to check a translation without changing
the session's locale. A missing translation is not an error: the English source text
is shown. Messages from the layers below the UI (services' one-line errors, which the
command line prints too) and the exported reports are English only for now.
"""

from __future__ import annotations

import logging
import os
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

LANG_ENV = "ASYNCDESK_LANG"
CATALOGUE = "asyncdesk"

log = logging.getLogger(__name__)


def translations_dir() -> Path:
    """Where the shipped ``asyncdesk_<lang>.qm`` files are (package data)."""
    return Path(str(resources.files("asyncdesk.ui") / "translations"))


def user_locale() -> QLocale:
    """The locale to translate into: ``ASYNCDESK_LANG`` if set, else the system's."""
    chosen = os.environ.get(LANG_ENV, "").strip()
    return QLocale(chosen) if chosen else QLocale.system()


def install_translators(
    app: QCoreApplication, locale: QLocale | None = None, directory: Path | None = None
) -> list[QTranslator]:
    """Install Qt's and AsyncDesk's translators for ``locale`` into ``app``.

    Returns the installed translators: the caller keeps them (a translator that is
    garbage-collected stops translating) and may remove them again.
    """
    locale = locale or user_locale()
    installed: list[QTranslator] = []
    for catalogue, where in (
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        (CATALOGUE, str(directory or translations_dir())),
    ):
        translator = QTranslator(app)
        # Tries asyncdesk_de_AT.qm, asyncdesk_de.qm, ... in the locale's UI languages.
        if translator.load(locale, catalogue, "_", where) and app.installTranslator(translator):
            installed.append(translator)
            log.info("translation %s loaded for %s", catalogue, locale.name())
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
