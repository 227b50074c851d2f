"""Record a video reply: a short screen or camera recording, attached or saved.

**Record video…** in a reply opens this dialog. The source is the screen (Qt's
``QScreenCapture``) or a camera when the system has one (``QMediaDevices.videoInputs``);
sound is recorded too when there is a microphone and the box is ticked. **Start**
(Space) records into a private folder of the profile, with a visible countdown to the
time limit (:data:`MAX_SECONDS`, so a reply stays a short message, not a meeting);
**Stop** (Space again) or the limit ends it. Then **Attach to reply** hands the file to
the reply (it is read when the reply is queued), **Save to folder…** copies it into a
folder the user picks (remembered as ``video.recordings_dir``; never over an existing
file), and **Record again** starts over. A recording neither attached nor saved is
deleted when the dialog closes; kept ones older than a week are cleared from the
profile the next time the dialog opens.

Qt Multimedia is not part of PySide6-Essentials, which AsyncDesk needs; it comes with
PySide6-Addons (``pip install 'asyncdesk[recording]'``). Without it the dialog says so
in one line and records nothing. It is imported by name (:func:`qt_multimedia`), so the
app, its type checks and its bundle do without it.

The container is MPEG-4 with H.264 where the FFmpeg backend can encode it, else MPEG-4
Part 2 video (PySide6's LGPL FFmpeg build has no H.264 encoder), with AAC sound; 15
frames a second at about 600 kbit/s keeps three minutes near 14 MB, under the common
25 MB mail limit.

Where capture works (Qt 6.11's FFmpeg backend, the only one PySide6 ships for Linux):
on X11, Xvfb included (the whole screen), and on Qt's ``offscreen`` platform too, which
hands over its own windows' pixels — so the tests record for real. No camera or
microphone on such machines: the source list then holds only the screen, and the sound
box is off.

Threading contract: GUI thread only (Qt Multimedia does its encoding on its own
threads); copying and the setting run on the task pools.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.store.database import Store
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

MAX_SECONDS = 180
FRAME_RATE = 15
VIDEO_BIT_RATE = 600_000
KEEP_SECONDS = 7 * 24 * 3600
TICK_MS = 200

_multimedia: Any = None
_looked = False


def qt_multimedia() -> Any | None:
    """The ``PySide6.QtMultimedia`` module, or ``None`` when PySide6-Addons is missing."""
    global _multimedia, _looked
    if not _looked:
        _looked = True
        try:
            _multimedia = importlib.import_module("PySide6.QtMultimedia")
        except ImportError as error:
            log.info("Qt Multimedia is not available: %s", error)
            _multimedia = None
    return _multimedia


def missing_text() -> str:
    """The one line that says how to get recording."""
    return QCoreApplication.translate(
        "VideoRecorder",
        "Recording needs Qt Multimedia, which is not installed: "
        "pip install 'asyncdesk[recording]' (it adds PySide6-Addons).",
    )


def recordings_dir(root: Path) -> Path:
    """Where recordings wait, private, until they are sent or saved."""
    return root / "recordings"


def save_copy(recording: Path, folder: Path) -> Path:
    """Copy ``recording`` into ``folder`` under its name, or ``name (2)``… when taken;
    never over an existing file."""
    if not folder.is_dir():
        raise AsyncDeskError(f"{folder} is not a folder")
    for number in range(1, 1000):
        suffix = "" if number == 1 else f" ({number})"
        target = folder / f"{recording.stem}{suffix}{recording.suffix}"
        try:
            with recording.open("rb") as source, target.open("xb") as copy:
                shutil.copyfileobj(source, copy)
        except FileExistsError:
            continue
        except OSError as error:
            raise AsyncDeskError(f"the recording could not be saved: {error}") from None
        return target
    raise AsyncDeskError(f"{folder} already holds too many copies of {recording.name}")


def _clear_old(folder: Path, now: float) -> None:
    try:
        for old in folder.glob("video-reply-*"):
            if now - old.stat().st_mtime > KEEP_SECONDS:
                old.unlink(missing_ok=True)
    except OSError as error:
        log.info("old recordings were not cleared: %s", error)


def _clock_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


class VideoRecorder(QDialog):
    """The "Record a video reply" dialog (see the module docstring).

    ``attach`` is given the finished file on **Attach to reply** (no attach button
    without it). ``ask_folder`` is how a folder is asked for (tests replace it).

    Signals (GUI thread): ``recorded(str)`` a recording ended, with its file;
    ``saved(str)`` a copy was saved there; ``attached(str)``; ``failed(str)`` one line.
    """

    recorded = Signal(str)
    saved = Signal(str)
    attached = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        tasks: TaskRunner,
        clock: Clock,
        store: Store | None,
        profile_root: Path,
        *,
        attach: Callable[[Path], None] | None = None,
        max_seconds: int = MAX_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("videoRecorder")
        self.setWindowTitle(self.tr("Record a video reply"))
        self._tasks = tasks
        self._clock = clock
        self._store = store
        self._folder = recordings_dir(profile_root)
        self._attach = attach
        self.max_seconds = max_seconds
        self.ask_folder: Callable[[Path], Path | None] = self._ask_folder
        self.recording: Path | None = None
        self._kept = False
        self._session: Any = None
        self._recorder: Any = None
        self._source: Any = None
        self._audio: Any = None
        self._started = 0.0
        self._duration_ms = 0
        self._target: Path | None = None
        self._closing = False
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self.qt: Any = qt_multimedia()

        self.source_box = QComboBox(self)
        self.source_box.setAccessibleName(self.tr("Record from"))
        self.sound_box = QCheckBox(self.tr("Record so&und"), self)
        self.countdown = QLabel(self)
        self.countdown.setObjectName("recorderCountdown")
        font = self.countdown.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.countdown.setFont(font)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel(self)
        self.status.setObjectName("recorderStatus")
        self.status.setWordWrap(True)
        self.start_button = QPushButton(self)
        self.start_button.setObjectName("recordButton")
        self.start_button.clicked.connect(self.toggle)
        self.attach_button = QPushButton(self.tr("&Attach to reply"), self)
        self.attach_button.setToolTip(self.tr("Send the recording with the reply"))
        self.attach_button.clicked.connect(self.attach)
        self.save_button = QPushButton(self.tr("Save to f&older…"), self)
        self.save_button.setToolTip(self.tr("Keep a copy in a folder you choose"))
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton(self.tr("&Close"), self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        for button in (self.attach_button, self.save_button):
            button.setAutoDefault(False)
        self.space = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        self.space.activated.connect(self.toggle)

        form = QFormLayout()
        form.addRow(self.tr("Record &from:"), self.source_box)
        form.addRow("", self.sound_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addStretch(1)
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.countdown)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        if self.qt is None:
            self.status.setText(missing_text())
            for widget in (self.source_box, self.sound_box, self.start_button, self.countdown):
                widget.setEnabled(False)
            self.start_button.setText(self.tr("Start (Space)"))
            self.attach_button.hide()
            self.save_button.hide()
            self.space.setEnabled(False)
            return
        devices = self.qt.QMediaDevices
        self.source_box.addItem(self.tr("Screen"), None)
        for camera in devices.videoInputs():
            self.source_box.addItem(
                self.tr("Camera: {name}").format(name=camera.description()), camera
            )
        microphones = devices.audioInputs()
        self.sound_box.setEnabled(bool(microphones))
        self.sound_box.setChecked(bool(microphones))
        if not microphones:
            self.sound_box.setToolTip(self.tr("No microphone was found"))
        _clear_old(self._folder, time.time())
        self._show_idle()

    # -- states -------------------------------------------------------------------------

    @property
    def is_recording(self) -> bool:
        return self._recorder is not None and self._recorder.recorderState() == (
            self.qt.QMediaRecorder.RecorderState.RecordingState
        )

    def _show_idle(self) -> None:
        self.start_button.setText(self.tr("&Start (Space)"))
        self.start_button.setToolTip(self.tr("Start recording"))
        self.start_button.setEnabled(True)
        self.source_box.setEnabled(True)
        self.sound_box.setEnabled(bool(self.qt.QMediaDevices.audioInputs()))
        done = self.recording is not None
        self.attach_button.setVisible(done and self._attach is not None)
        self.save_button.setVisible(done)
        self.countdown.setText(self.tr("Up to {limit}").format(limit=_clock_text(self.max_seconds)))
        if done:
            self.start_button.setText(self.tr("Record a&gain (Space)"))

    def _show_recording(self) -> None:
        self.start_button.setText(self.tr("&Stop (Space)"))
        self.start_button.setToolTip(self.tr("Stop recording"))
        self.source_box.setEnabled(False)
        self.sound_box.setEnabled(False)
        self.attach_button.hide()
        self.save_button.hide()
        self.status.setText(self.tr("Recording…"))
        self._tick()

    def _tick(self) -> None:
        if self._recorder is None:
            return
        # The encoder's clock, or the wall's if frames are late: the limit holds either way.
        elapsed = max(self._duration_ms / 1000, time.monotonic() - self._started)
        left = max(0, round(self.max_seconds - elapsed))
        self.countdown.setText(self.tr("{left} left").format(left=_clock_text(left)))
        if elapsed >= self.max_seconds:
            self.stop()

    # -- recording ----------------------------------------------------------------------

    def toggle(self) -> None:
        """Space: start, or stop when recording."""
        if self.qt is None:
            return
        if self._recorder is not None:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        qt = self.qt
        if qt is None or self._recorder is not None:
            return
        self._discard()
        try:
            self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            self._fail(self.tr("The recording could not start: {error}").format(error=error))
            return
        stamp = self._clock.now().strftime("%Y%m%d-%H%M%S")
        target = self._folder / f"video-reply-{stamp}.mp4"
        session = qt.QMediaCaptureSession(self)
        camera = self.source_box.currentData()
        if camera is None:
            source = qt.QScreenCapture(self)
            screen = self.screen()
            source.setScreen(screen)
            session.setScreenCapture(source)
        else:
            source = qt.QCamera(camera, self)
            session.setCamera(source)
        source.errorOccurred.connect(self._on_source_error)
        if self.sound_box.isChecked() and self.sound_box.isEnabled():
            self._audio = qt.QAudioInput(self)
            session.setAudioInput(self._audio)
        recorder = qt.QMediaRecorder(self)
        recorder.setMediaFormat(self._format())
        recorder.setVideoFrameRate(FRAME_RATE)
        recorder.setEncodingMode(qt.QMediaRecorder.EncodingMode.AverageBitRateEncoding)
        recorder.setVideoBitRate(VIDEO_BIT_RATE)
        recorder.setOutputLocation(QUrl.fromLocalFile(str(target)))
        recorder.recorderStateChanged.connect(self._on_state)
        recorder.durationChanged.connect(self._on_duration)
        recorder.errorOccurred.connect(self._on_recorder_error)
        session.setRecorder(recorder)
        self._session, self._source, self._recorder = session, source, recorder
        self._target, self._duration_ms = target, 0
        source.setActive(True)
        recorder.record()
        self._started = time.monotonic()
        self._ticker.start()
        self._show_recording()

    def _format(self) -> Any:
        formats = self.qt.QMediaFormat
        chosen = formats(formats.FileFormat.MPEG4)
        encodable = chosen.supportedVideoCodecs(formats.ConversionMode.Encode)
        for codec in (formats.VideoCodec.H264, formats.VideoCodec.MPEG4):
            if codec in encodable:
                chosen.setVideoCodec(codec)
                break
        chosen.setAudioCodec(formats.AudioCodec.AAC)
        return chosen

    def stop(self) -> None:
        """End the recording (the file is complete once the recorder says it stopped)."""
        if self._recorder is not None and self.is_recording:
            self.start_button.setEnabled(False)
            self.status.setText(self.tr("Finishing the recording…"))
            self._recorder.stop()

    def _on_duration(self, duration: int) -> None:
        self._duration_ms = duration

    def _on_state(self, state: Any) -> None:
        recorder = self._recorder
        if recorder is None or state != self.qt.QMediaRecorder.RecorderState.StoppedState:
            return
        self._ticker.stop()
        location = recorder.actualLocation().toLocalFile() or str(self._target or "")
        error = recorder.error() != recorder.Error.NoError
        self._release()
        path = Path(location) if location else None
        if self._closing or error or path is None or not _has_data(path):
            if path is not None:
                path.unlink(missing_ok=True)  # a broken or abandoned file helps nobody
            if not self._closing:
                self._show_idle()
            return
        self.recording = path
        self._kept = False
        self._show_idle()
        seconds = min(max(1, round(self._duration_ms / 1000)), self.max_seconds)
        self.status.setText(
            self.tr("Recorded {length} ({size}).").format(
                length=_clock_text(seconds), size=self._size_text(path.stat().st_size)
            )
        )
        self.recorded.emit(str(path))

    def _on_recorder_error(self, _error: Any, text: str) -> None:
        self._fail(self.tr("The recording failed: {error}").format(error=text))

    def _on_source_error(self, _error: Any, text: str) -> None:
        self._fail(self.tr("The picture could not be captured: {error}").format(error=text))
        if self._recorder is not None:
            self._recorder.stop()

    def _fail(self, message: str) -> None:
        log.info("recording: %s", message)
        self.status.setText(message)
        self.failed.emit(message)

    def _release(self) -> None:
        if self._source is not None:
            self._source.setActive(False)
        for part in (self._recorder, self._source, self._audio, self._session):
            if part is not None:
                part.deleteLater()
        self._session = self._recorder = self._source = self._audio = None

    def _size_text(self, size: int) -> str:
        if size >= 1024 * 1024:
            return self.tr("{size} MB").format(size=f"{size / (1024 * 1024):.1f}")
        return self.tr("{size} KB").format(size=f"{max(1, size // 1024)}")

    # -- what becomes of it -------------------------------------------------------------

    def attach(self) -> None:
        """Hand the recording to the reply and close."""
        if self.recording is None or self._attach is None:
            return
        self._attach(self.recording)
        self._kept = True
        self.attached.emit(str(self.recording))
        self.accept()

    def save(self) -> None:
        """Copy the recording into a folder the user picks (remembered)."""
        recording, store = self.recording, self._store
        if recording is None:
            return

        def start_in(remembered: str) -> None:
            folder = self.ask_folder(Path(remembered) if remembered else Path.home())
            if folder is None:
                return
            self.save_button.setEnabled(False)
            self.status.setText(self.tr("Saving…"))

            def saved(target: Path) -> None:
                self._kept = True
                self.save_button.setEnabled(True)
                self.status.setText(self.tr("Saved {path}").format(path=target))
                self.saved.emit(str(target))
                if store is not None:
                    self._tasks.run_db(lambda: _remember(store, folder))

            self._tasks.run_net(
                lambda: save_copy(recording, folder), success=saved, failure=self._on_save_failed
            )

        if store is None:
            start_in("")
        else:
            self._tasks.run_db(
                lambda: _remembered(store), success=start_in, failure=self._on_save_failed
            )

    def _on_save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._fail(error.message if isinstance(error, AsyncDeskError) else str(error))

    def _ask_folder(self, start: Path) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Save the recording in"), str(start)
        )
        return Path(chosen) if chosen else None

    def _discard(self) -> None:
        """Delete a recording that was neither attached nor saved."""
        if self.recording is not None and not self._kept:
            self.recording.unlink(missing_ok=True)
        self.recording = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self._abandon()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            self._abandon()
        super().done(result)

    def _abandon(self) -> None:
        """Closed: a recording under way is stopped and its file deleted when the
        recorder lets go of it; one finished but neither attached nor saved, at once."""
        self._ticker.stop()
        if self._recorder is not None:
            self._closing = True
            if self.is_recording:
                self._recorder.stop()
            else:
                self._release()
        self._discard()


def _has_data(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _remembered(store: Store) -> str:
    from asyncdesk.core import settings as declared
    from asyncdesk.services.profile import read_setting

    return read_setting(store, declared.VIDEO_RECORDINGS_DIR)


def _remember(store: Store, folder: Path) -> None:
    from asyncdesk.core import settings as declared
    from asyncdesk.services.profile import write_setting

    write_setting(store, declared.VIDEO_RECORDINGS_DIR, str(folder))
