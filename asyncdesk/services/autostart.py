"""Starting AsyncDesk with the desktop session: an XDG autostart entry.

Reminders and the headless sync only happen while the app runs, so people who batch
their messages want it started at login — in the tray, without a window popping up
(``asyncdesk --background``). The XDG Autostart spec's way is a desktop entry in
``$XDG_CONFIG_HOME/autostart/``, named after the app id so that a desktop's own
"Startup applications" list shows the same entry and switching it off there (it writes
``Hidden=true`` or removes the file) is what the Settings switch reads.

The entry starts the profile it was switched on for (``--profile``, unless that is the
default one) with the command that runs this app: the bundle's executable when frozen
by PyInstaller, ``asyncdesk`` when that is on the PATH, else this Python with ``-m``.
Inside Flatpak the sandbox cannot write there; the Background portal is the way, which
this module does not speak: :func:`autostart_support` says so, and Settings shows it.

The file is written whole to a temporary name and renamed, so a crash leaves either
the old entry or the new one, never half of one.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from asyncdesk import APP_ID
from asyncdesk.core.errors import BadInput
from asyncdesk.store.profile import default_profile_dir

FILE_NAME = f"{APP_ID}.desktop"
# Characters the Desktop Entry spec says must be quoted in an Exec argument.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def autostart_dir(environ: os._Environ[str] | dict[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/autostart`` (``~/.config/autostart`` by default)."""
    env = os.environ if environ is None else environ
    config = env.get("XDG_CONFIG_HOME", "").strip()
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "autostart"


def autostart_support(environ: os._Environ[str] | dict[str, str] | None = None) -> str | None:
    """``None`` when the switch can work here; else why not, in one line."""
    env = os.environ if environ is None else environ
    if env.get("FLATPAK_ID") or Path("/.flatpak-info").exists():
        return "inside Flatpak, let AsyncDesk run in the background in your system settings"
    if sys.platform != "linux" and not sys.platform.startswith("freebsd"):
        return "starting with the session is only offered on Linux and BSD desktops"
    return None


def _quote(argument: str) -> str:
    """One Exec argument as the Desktop Entry spec asks: ``%`` doubled; quoted, with
    ``"`$\\`` escaped by a backslash, when it holds a reserved character; then every
    backslash doubled, since string values are unescaped before the Exec rules."""
    argument = argument.replace("%", "%%")
    if argument and not any(c in _RESERVED for c in argument):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'.replace("\\", "\\\\")


def launch_command() -> list[str]:
    """The command that starts this AsyncDesk, as a list of arguments."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    found = shutil.which("asyncdesk")
    if found:
        return [found]
    return [sys.executable, "-m", "asyncdesk"]


def entry_text(profile_root: Path, command: list[str] | None = None) -> str:
    """The autostart desktop entry for the profile at ``profile_root``."""
    arguments = [*(command or launch_command()), "--background"]
    root = profile_root.expanduser().absolute()
    if root != default_profile_dir():
        arguments += ["--profile", str(root)]
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=AsyncDesk\n"
        "Comment=Start AsyncDesk in the tray when you log in\n"
        f"Exec={' '.join(_quote(a) for a in arguments)}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def is_enabled(directory: Path | None = None) -> bool:
    """Whether the session will start AsyncDesk: our entry exists and is not hidden."""
    path = (directory or autostart_dir()) / FILE_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # absent, or not ours to read
        return False
    lines = {line.strip().replace(" ", "").lower() for line in text.splitlines()}
    return "hidden=true" not in lines and "x-gnome-autostart-enabled=false" not in lines


def set_enabled(
    enabled: bool,
    profile_root: Path,
    *,
    directory: Path | None = None,
    command: list[str] | None = None,
) -> bool:
    """Switch starting with the session on (write the entry) or off (remove it).

    Returns the state now. :class:`BadInput` (one line) when it cannot be done here or
    the folder cannot be written; nothing is half-written.
    """
    why_not = autostart_support()
    if why_not is not None:
        raise BadInput(why_not)
    folder = directory or autostart_dir()
    path = folder / FILE_NAME
    try:
        if not enabled:
            path.unlink(missing_ok=True)
            return False
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{FILE_NAME}.partial"
        partial.write_text(entry_text(profile_root, command), encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        raise BadInput(
            f"cannot change the autostart entry in {folder}: {error.strerror or error}"
        ) from None
    return True
