"""Drafts of replies: saved as they are typed, so a crash loses at most a second.

One file per message answered (``drafts/<message id>.txt`` in the profile, 0600 in a
0700 folder), written to a temporary name and renamed over the old one, so a crash mid
write leaves the previous draft whole. Opening a reply to the same message again
brings the draft back; sending (or discarding) removes it. Files, not the database:
saving while typing must not queue behind a sync's writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from asyncdesk.store.profile import ProfilePaths


def _path(root: Path, message_pk: int) -> Path:
    return ProfilePaths(root).drafts / f"{int(message_pk)}.txt"


def save_draft(root: Path, message_pk: int, text: str) -> None:
    """Keep ``text`` as the draft answering ``message_pk`` (empty text: no draft)."""
    if not text.strip():
        discard_draft(root, message_pk)
        return
    folder = ProfilePaths(root).drafts
    folder.mkdir(mode=0o700, exist_ok=True)
    target = _path(root, message_pk)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_draft(root: Path, message_pk: int) -> str | None:
    try:
        return _path(root, message_pk).read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def discard_draft(root: Path, message_pk: int) -> None:
    _path(root, message_pk).unlink(missing_ok=True)
