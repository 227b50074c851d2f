"""Render the AsyncDesk icon SVG to the PNG sizes desktops and installers expect.

Run from anywhere:  python resources/make_icons.py

The single source of truth is ``asyncdesk/ui/resources/asyncdesk.svg``. This script writes
``resources/icons/hicolor/<N>x<N>/apps/app.asyncdesk.AsyncDesk.png`` for every size in
``SIZES``, copies the SVG to ``resources/icons/hicolor/scalable/apps/``, and writes the
256 px window-icon fallback ``asyncdesk/ui/resources/asyncdesk-256.png``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# Must be set before QGuiApplication is created so no display is needed.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

APP_ID = "app.asyncdesk.AsyncDesk"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

REPO = Path(__file__).resolve().parent.parent
SOURCE_SVG = REPO / "asyncdesk" / "ui" / "resources" / "asyncdesk.svg"
HICOLOR = REPO / "resources" / "icons" / "hicolor"
WINDOW_ICON_PNG = REPO / "asyncdesk" / "ui" / "resources" / "asyncdesk-256.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """Return the icon rendered into a transparent, antialiased ``size`` x ``size`` image."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def save(image: QImage, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    print(f"wrote {path.relative_to(REPO)}")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE_SVG))
    if not renderer.isValid():
        print(f"error: cannot read {SOURCE_SVG}", file=sys.stderr)
        return 1

    for size in SIZES:
        save(render(renderer, size), HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png")
    save(render(renderer, 256), WINDOW_ICON_PNG)

    scalable = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE_SVG, scalable)
    print(f"wrote {scalable.relative_to(REPO)}")

    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
