"""The autostart entry the Settings switch writes: what the session will run at login.

Real files in the test's own XDG_CONFIG_HOME; the entry is checked with the desktop's
own validator (desktop-file-validate), since a session silently skips a bad entry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from asyncdesk.core.errors import BadInput
from asyncdesk.services import autostart
from asyncdesk.store.profile import default_profile_dir


def exec_line(path: Path) -> list[str]:
    """The Exec key's arguments, read back by the Desktop Entry spec's rules."""
    (line,) = [x for x in path.read_text().splitlines() if x.startswith("Exec=")]
    value = line[len("Exec=") :].replace("\\\\", "\\")  # the string unescape first
    arguments: list[str] = []
    current, quoted, escaped, started = "", False, False, False
    for char in value:
        if escaped:
            current, escaped = current + char, False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if current or started:
                arguments.append(current)
            current, started = "", False
        else:
            current += char
    if current or started:
        arguments.append(current)
    return [argument.replace("%%", "%") for argument in arguments]


def test_switching_on_writes_an_entry_that_starts_this_profile_in_the_tray(
    tmp_path: Path,
) -> None:
    folder = autostart.autostart_dir()
    assert folder == Path(os.environ["XDG_CONFIG_HOME"]) / "autostart"
    assert not autostart.is_enabled()
    profile = tmp_path / 'my 100% "odd" $profile'
    assert autostart.set_enabled(True, profile, command=["/opt/AsyncDesk/asyncdesk"])
    entry = folder / "app.asyncdesk.AsyncDesk.desktop"
    assert autostart.is_enabled()
    assert exec_line(entry) == [
        "/opt/AsyncDesk/asyncdesk",
        "--background",
        "--profile",
        str(profile),
    ]
    assert [p.name for p in folder.iterdir()] == [entry.name]  # no partial file left
    validator = shutil.which("desktop-file-validate")
    if validator is None and os.geteuid() != 0:
        pytest.skip("desktop-file-validate is not installed (scripts/test installs it as root)")
    assert validator is not None
    checked = subprocess.run([validator, str(entry)], capture_output=True, text=True, check=False)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


def test_the_default_profile_needs_no_profile_argument() -> None:
    autostart.set_enabled(True, default_profile_dir(), command=["asyncdesk"])
    entry = autostart.autostart_dir() / autostart.FILE_NAME
    assert exec_line(entry) == ["asyncdesk", "--background"]


def test_switching_off_removes_it_and_a_desktop_that_hid_it_counts_as_off(
    tmp_path: Path,
) -> None:
    autostart.set_enabled(True, tmp_path / "p", command=["asyncdesk"])
    entry = autostart.autostart_dir() / autostart.FILE_NAME
    entry.write_text(entry.read_text() + "Hidden=true\n")  # GNOME's "Startup Applications"
    assert not autostart.is_enabled()
    assert not autostart.set_enabled(False, tmp_path / "p")
    assert not entry.exists()
    assert not autostart.set_enabled(False, tmp_path / "p")  # already off: fine


def test_a_folder_that_cannot_be_written_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "config"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocked))
    with pytest.raises(BadInput) as refused:
        autostart.set_enabled(True, tmp_path / "p", command=["asyncdesk"])
    assert refused.value.message.startswith(
        f"cannot change the autostart entry in {blocked / 'autostart'}: "
    )
    assert blocked.read_text() == "a file where the folder should be"


def test_inside_flatpak_the_switch_says_where_to_go_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLATPAK_ID", "app.asyncdesk.AsyncDesk")
    assert autostart.autostart_support() == (
        "inside Flatpak, let AsyncDesk run in the background in your system settings"
    )
    with pytest.raises(BadInput):
        autostart.set_enabled(True, tmp_path / "p")
    assert not autostart.autostart_dir().exists()


def test_the_launch_command_is_this_app() -> None:
    command = autostart.launch_command()
    assert command[0] == shutil.which("asyncdesk") or command[-2:] == ["-m", "asyncdesk"]
