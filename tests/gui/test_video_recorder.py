"""Recording a video reply (Qt Multimedia): a real screen recording, then attached to the
reply or saved to a folder the user chose; and, without Qt Multimedia, one line that
says how to get it.

Qt Multimedia comes with PySide6-Addons, which AsyncDesk does not need to run: the tests
that record skip, saying so, when it is missing. Here (Qt 6.11, its FFmpeg 7.1 LGPL
backend) ``QScreenCapture`` captures the offscreen platform's screen too, so a real
file is recorded and read back with ``QMediaPlayer``; it is MPEG-4 Part 2 video, since
that FFmpeg build has no H.264 encoder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW
from PySide6.QtCore import QSize, Qt, QUrl
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.clock import FixedClock
from asyncdesk.store.database import Store
from asyncdesk.store.settings import get_setting
from asyncdesk.ui import video_recorder
from asyncdesk.ui.compose import ComposeWindow
from asyncdesk.ui.tasks import TaskRunner
from asyncdesk.ui.video_recorder import VideoRecorder, qt_multimedia, save_copy

# Qt Multimedia, as it starts, looks for a sound server and for hardware video
# encoders (VA-API); the test machines have neither, and it warns.
pytestmark = pytest.mark.qt_log_ignore(
    r"^PulseAudioService: pa_context_connect\(\) failed$",
    r"^Couldn't (load|resolve) [\w.()\s-]+ (library|symbols)$",
    extend=True,
)
needs_multimedia = pytest.mark.skipif(
    qt_multimedia() is None,
    reason="Qt Multimedia (PySide6-Addons) is not installed: pip install -e '.[recording]'",
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "profile") as opened:
        yield opened


def recorder(
    qtbot: QtBot, tasks: TaskRunner, store: Store, attach: Any = None, seconds: int = 180
) -> VideoRecorder:
    dialog = VideoRecorder(
        tasks, FixedClock(NOW), store, store.paths.root, attach=attach, max_seconds=seconds
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def record(qtbot: QtBot, dialog: VideoRecorder, *, stop_after_ms: int | None) -> Path:
    """Space starts; Space again (or the time limit) stops; the finished file."""
    with qtbot.waitSignal(dialog.recorded, timeout=20_000) as done:
        qtbot.keyClick(dialog, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: dialog.is_recording, timeout=5_000)
        assert dialog.start_button.text() == "&Stop (Space)"
        if stop_after_ms is not None:
            qtbot.wait(stop_after_ms)
            qtbot.keyClick(dialog, Qt.Key.Key_Space)
    return Path(done.args[0])


def probe(qtbot: QtBot, path: Path) -> tuple[bool, QSize, int]:
    """What a player reads in the file: a video stream?, its frame size, its length (ms)."""
    multimedia = qt_multimedia()
    player = multimedia.QMediaPlayer()
    loaded = multimedia.QMediaPlayer.MediaStatus.LoadedMedia
    with qtbot.waitSignal(player.mediaStatusChanged, check_params_cb=lambda s: s == loaded):
        player.setSource(QUrl.fromLocalFile(str(path)))
    size = player.metaData().value(multimedia.QMediaMetaData.Key.Resolution)
    found = (player.hasVideo(), size, player.duration())
    player.setSource(QUrl())
    player.deleteLater()
    return found


def test_without_qt_multimedia_the_dialog_says_how_to_get_it(
    qtbot: QtBot, tasks: TaskRunner, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(video_recorder, "qt_multimedia", lambda: None)
    dialog = recorder(qtbot, tasks, store, attach=lambda _: None)
    assert dialog.status.text() == (
        "Recording needs Qt Multimedia, which is not installed: "
        "pip install 'asyncdesk[recording]' (it adds PySide6-Addons)."
    )
    assert not dialog.start_button.isEnabled()
    assert not dialog.attach_button.isVisible()
    assert not dialog.save_button.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Space)  # nothing to start
    assert dialog.recording is None
    assert not (store.paths.root / "recordings").exists()


@needs_multimedia
def test_space_records_the_screen_into_a_real_video_file(
    qtbot: QtBot, tasks: TaskRunner, store: Store
) -> None:
    dialog = recorder(qtbot, tasks, store, attach=lambda _: None)
    assert dialog.source_box.itemText(0) == "Screen"
    assert dialog.countdown.text() == "Up to 3:00"
    path = record(qtbot, dialog, stop_after_ms=2000)
    assert path.parent == store.paths.root / "recordings"
    assert path.name == "video-reply-20261123-133000.mp4"
    assert path.stat().st_size > 10_000
    has_video, size, length = probe(qtbot, path)
    assert has_video
    assert size.width() > 0
    assert size.height() > 0
    assert 1500 <= length <= 4000
    assert dialog.status.text().startswith("Recorded 0:0")
    assert dialog.attach_button.isVisible()
    assert dialog.save_button.isVisible()
    assert dialog.start_button.text() == "Record a&gain (Space)"


@needs_multimedia
def test_the_time_limit_stops_the_recording_and_counts_down(
    qtbot: QtBot, tasks: TaskRunner, store: Store
) -> None:
    dialog = recorder(qtbot, tasks, store, seconds=2)
    shown: list[str] = []
    dialog._ticker.timeout.connect(lambda: shown.append(dialog.countdown.text()))
    path = record(qtbot, dialog, stop_after_ms=None)
    assert "0:02 left" in shown or "0:01 left" in shown
    assert shown[-1] in {"0:01 left", "0:00 left"}
    has_video, _, length = probe(qtbot, path)
    assert has_video
    assert length <= 3000
    assert not dialog.attach_button.isVisible()  # no reply to attach to: only Save


@needs_multimedia
def test_attach_hands_the_file_to_the_reply_and_closes(
    qtbot: QtBot, tasks: TaskRunner, store: Store
) -> None:
    attached: list[Path] = []
    dialog = recorder(qtbot, tasks, store, attach=attached.append)
    path = record(qtbot, dialog, stop_after_ms=1000)
    qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
    assert attached == [path]
    assert not dialog.isVisible()
    assert path.is_file()  # kept: the reply reads it when it is queued


@needs_multimedia
def test_save_to_folder_keeps_a_copy_and_remembers_the_folder(
    qtbot: QtBot, tasks: TaskRunner, store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "Videos"
    folder.mkdir()
    asked: list[Path] = []

    def ask(start: Path) -> Path:
        asked.append(start)
        return folder

    dialog = recorder(qtbot, tasks, store)
    dialog.ask_folder = ask
    path = record(qtbot, dialog, stop_after_ms=1000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert Path(saved.args[0]) == folder / path.name
    assert (folder / path.name).read_bytes() == path.read_bytes()
    assert dialog.status.text() == f"Saved {folder / path.name}"
    qtbot.waitUntil(lambda: setting(store) == str(folder), timeout=5_000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as again:
        dialog.save_button.click()
    assert Path(again.args[0]).name == f"{path.stem} (2).mp4"  # never over the first copy
    assert asked == [Path.home(), folder]  # the second time it starts where it saved


@needs_multimedia
def test_closing_deletes_a_recording_nobody_kept(
    qtbot: QtBot, tasks: TaskRunner, store: Store
) -> None:
    dialog = recorder(qtbot, tasks, store)
    path = record(qtbot, dialog, stop_after_ms=1000)
    assert path.is_file()
    dialog.close()
    assert not path.exists()


def test_a_saved_copy_never_replaces_a_file(tmp_path: Path) -> None:
    recording = tmp_path / "video-reply-1.mp4"
    recording.write_bytes(b"new")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "video-reply-1.mp4").write_bytes(b"old")
    assert save_copy(recording, folder) == folder / "video-reply-1 (2).mp4"
    assert (folder / "video-reply-1.mp4").read_bytes() == b"old"


def setting(store: Store) -> str:
    with store.reading() as session:
        return get_setting(session, declared.VIDEO_RECORDINGS_DIR)


@needs_multimedia
def test_record_video_in_a_reply_attaches_the_recording(
    qtbot: QtBot, tmp_path: Path, demo_reply: Callable[[], ComposeWindow]
) -> None:
    reply = demo_reply()
    qtbot.waitUntil(lambda: reply.body.isEnabled(), timeout=10_000)
    assert reply.record_button.text() == "Record &video…"
    dialog = reply.record_video()
    assert isinstance(dialog, VideoRecorder)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    path = record(qtbot, dialog, stop_after_ms=1000)
    qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
    assert reply.attachments() == [path]
    assert reply.attachment_list.item(0).text().startswith(path.name)
