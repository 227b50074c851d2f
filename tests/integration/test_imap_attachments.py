"""Attachments listed and saved on request, against a real private Dovecot: the three
steps of ``asyncdesk.services.attachments`` (plan, fetch, save), never marking mail
read, with safe names, no overwriting, the caps, and one-line errors."""

from __future__ import annotations

import base64
import errno
import os
import random
import re
import stat
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from servers.dovecot import Dovecot
from test_imap_bodies import T0, Profile
from test_imap_source import ME

from asyncdesk.core.errors import BadInput
from asyncdesk.services import attachments as service
from asyncdesk.services.attachments import (
    MessageAttachments,
    MessageGone,
    attachment_plan,
    attachments_of,
    fetch_attachments,
    save_attachment,
)
from asyncdesk.services.bodies import open_fetcher
from asyncdesk.sources.base import SourceError
from asyncdesk.sources.mail_attachments import list_attachments

PDF = b"%PDF-1.7\n" + random.Random(2026).randbytes(2 * 1024 * 1024) + b"\n%%EOF\n"
PHOTO = b"\xff\xd8\xff\xe0" + random.Random(1).randbytes(40_000)
LOGO = b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(3_000)


def letter(subject: str, *files: tuple[str, str, bytes]) -> bytes:
    """A message as mail clients send it: text and HTML with an inline logo (cid:),
    then ``files`` as ``(name, type, bytes)`` attachments."""
    message = EmailMessage()
    message["From"] = "Client <client@example.org>"
    message["To"] = ME
    message["Subject"] = subject
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@example.org>"
    message.set_content("The report is attached.")
    message.add_alternative('<p>The report is attached.</p><img src="cid:logo@example.org">')
    html = message.get_payload()[1]
    html.add_related(LOGO, "image", "png", cid="<logo@example.org>")
    for name, ctype, data in files:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


@pytest.fixture
def profile(dovecot: Dovecot, tmp_path: Path) -> Iterator[Profile]:
    made = Profile(dovecot, tmp_path)
    yield made
    made.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    chosen = tmp_path / "Downloads"
    chosen.mkdir()
    return chosen


def saved_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_list_and_save_without_marking_read(profile: Profile, folder: Path) -> None:
    profile.dovecot.deliver(
        profile.user,
        letter(
            "Quarterly report",
            ("Q3 report.pdf", "application/pdf", PDF),
            ("photo.jpg", "image/jpeg", PHOTO),
        ),
    )
    profile.append(letter("Other"), T0 + timedelta(minutes=1))
    assert profile.sync() == 2
    pk = profile.pk("Quarterly report")

    plan = attachment_plan(profile.store, pk)  # database only
    assert plan.places == (("INBOX", 1),)
    fetched = fetch_attachments(plan, profile.secrets)  # network only

    assert [(a.part, a.filename, a.mime_type, a.size, a.inline) for a in fetched.attachments] == [
        ("1.2.2", "attachment-1.png", "image/png", len(LOGO), True),
        ("2", "Q3 report.pdf", "application/pdf", len(PDF), False),
        ("3", "photo.jpg", "image/jpeg", len(PHOTO), False),
    ]
    assert [a.filename for a in fetched.files] == ["Q3 report.pdf", "photo.jpg"]
    assert fetched.attachments[0].content_id == "logo@example.org"
    assert (fetched.problems, fetched.partial, fetched.more) == ((), False, 0)
    assert "raw" not in repr(fetched)

    # Saved twice: the second does not overwrite the first. Disk only: the server is gone.
    profile.dovecot.stop()
    first = save_attachment(fetched, "2", folder)
    second = save_attachment(fetched, fetched.attachments[1], folder)
    assert (first, second) == (folder / "Q3 report.pdf", folder / "Q3 report (2).pdf")
    assert first.read_bytes() == PDF
    assert second.read_bytes() == PDF
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    logo = save_attachment(fetched, "1.2.2", folder, name="logo.png")
    assert logo.read_bytes() == LOGO
    assert saved_files(folder) == ["Q3 report (2).pdf", "Q3 report.pdf", "logo.png"]

    # Never marked read, on the server or in the store.
    profile.dovecot.start()
    assert all(b"\\seen" not in flags for flags in profile.server_flags().values())
    assert not any(profile.column("seen").values())


def test_hostile_names_are_made_safe(profile: Profile, tmp_path: Path, folder: Path) -> None:
    raw = letter(
        "Hostile",
        ("../../../.bashrc", "text/plain", b"rm -rf ~\n"),
        ("..\\..\\evil.sh", "application/x-sh", b"#!/bin/sh\n"),
        ("..", "application/octet-stream", b"dots"),
        ("CON", "application/octet-stream", b"device"),
    )
    # An encoded-word name hiding a path, written by hand (no library would send it).
    raw = raw.replace(b'filename="CON"', b'filename="=?UTF-8?B?Li4vLi4vdG1wL3guc2g=?="')
    profile.append(raw, T0)
    profile.sync()
    fetched = attachments_of(profile.store, profile.secrets, profile.pk("Hostile"))
    shown = [a.filename for a in fetched.files]
    assert shown == [".bashrc", "evil.sh", "..", "x.sh"]

    before = sorted(str(path) for path in tmp_path.rglob("*"))
    written = [save_attachment(fetched, a, folder) for a in fetched.files]
    assert [path.name for path in written] == ["bashrc", "evil.sh", "attachment", "x.sh"]
    assert all(path.parent == folder for path in written)
    after = sorted(str(path) for path in tmp_path.rglob("*"))
    assert sorted(set(after) - set(before)) == sorted(str(path) for path in written)
    assert (folder / "bashrc").read_bytes() == b"rm -rf ~\n"

    # A name the user types is made safe the same way.
    typed = save_attachment(fetched, fetched.files[0], folder, name="../../outside.txt")
    assert typed == folder / "outside.txt"


def test_message_expunged_meanwhile(profile: Profile) -> None:
    profile.append(letter("Doomed", ("a.pdf", "application/pdf", b"%PDF")), T0)
    profile.sync()
    pk = profile.pk("Doomed")
    plan = attachment_plan(profile.store, pk)
    profile.expunge("Doomed")

    with pytest.raises(MessageGone) as caught:
        fetch_attachments(plan, profile.secrets)
    assert caught.value.message == (
        f"message {pk} is no longer on the server (deleted or moved elsewhere since the last "
        "sync): sync the account to update the inbox"
    )
    assert caught.value.__context__ is None  # nothing for a crash handler to print

    # After the next sync the database knows: the plan says so without the server.
    profile.sync()
    profile.dovecot.stop()
    with pytest.raises(MessageGone, match=f"message {pk} is no longer on the server"):
        attachment_plan(profile.store, pk)


def test_renumbered_folder_never_gives_another_messages_files(profile: Profile) -> None:
    profile.append(letter("First", ("first.pdf", "application/pdf", b"1")), T0)
    profile.append(letter("Second", ("second.pdf", "application/pdf", b"2")), T0)
    profile.sync()
    plan = attachment_plan(profile.store, profile.pk("First"))
    profile.expunge("First")
    profile.source.close()
    profile.dovecot.reset_uidvalidity(profile.user)  # "Second" is now UID 1
    with pytest.raises(MessageGone, match="no longer where the last sync saw it"):
        fetch_attachments(plan, profile.secrets)


def test_big_messages_are_fetched_partly_and_big_parts_refused(
    profile: Profile, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile.append(
        letter(
            "Big",
            ("small.jpg", "image/jpeg", PHOTO),
            ("Q3 report.pdf", "application/pdf", PDF),
            ("after.txt", "text/plain", b"never reached"),
        ),
        T0,
    )
    profile.sync()
    plan = attachment_plan(profile.store, profile.pk("Big"))

    fetched = fetch_attachments(plan, profile.secrets, max_bytes=1024 * 1024)
    assert fetched.partial
    assert [(a.filename, a.complete) for a in fetched.files] == [
        ("small.jpg", True),
        ("Q3 report.pdf", False),
    ]
    assert (
        fetched.problems[0] == "the message is 2 MB: only attachments in its first 1 MB are listed"
    )
    assert save_attachment(fetched, "2", folder).read_bytes() == PHOTO
    with pytest.raises(BadInput) as caught:
        save_attachment(fetched, "3", folder)
    assert caught.value.message == (
        f"'Q3 report.pdf' was cut off: only the first 1 MB of message {plan.message_pk} were "
        "fetched"
    )

    whole = fetch_attachments(plan, profile.secrets)
    monkeypatch.setattr(service, "MAX_ATTACHMENT_BYTES", 1024 * 1024)
    with pytest.raises(BadInput) as too_big:
        save_attachment(whole, "3", folder)
    assert too_big.value.message == "'Q3 report.pdf' is 2 MB: attachments over 1 MB are not saved"
    assert saved_files(folder) == ["small.jpg"]  # nothing half-written, no temporary file
    assert all(b"\\seen" not in flags for flags in profile.server_flags().values())


def test_errors_are_one_line(profile: Profile, folder: Path) -> None:
    profile.append(letter("Hello", ("a.pdf", "application/pdf", b"%PDF")), T0)
    profile.sync()
    pk = profile.pk("Hello")
    with pytest.raises(BadInput, match="no message with id 999"):
        attachment_plan(profile.store, 999)
    plan = attachment_plan(profile.store, pk)
    fetched = fetch_attachments(plan, profile.secrets)
    with pytest.raises(BadInput, match=f"message {pk} has no attachment '1.1'"):
        save_attachment(fetched, "1.1", folder)
    with pytest.raises(BadInput, match="is not a folder"):
        save_attachment(fetched, "2", folder / "missing")


def test_disk_errors_are_one_line_and_leave_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched = offline(letter("x", ("a.pdf", "application/pdf", b"%PDF")))

    def full(handle: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(BadInput) as caught:
        save_attachment(fetched, "2", folder)
    assert caught.value.message == (
        f"cannot save 'a.pdf' in {str(folder)!r}: No space left on device"
    )
    assert saved_files(folder) == []  # the temporary file is gone too
    monkeypatch.undo()

    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root writes anywhere
            return
        with pytest.raises(BadInput) as denied:
            save_attachment(fetched, "2", folder)
        assert denied.value.message.endswith(": Permission denied")
    finally:
        folder.chmod(0o700)


def test_unreadable_message_is_refused_in_one_line(profile: Profile) -> None:
    profile.append(letter("Locked", ("a.pdf", "application/pdf", b"%PDF")), T0)
    profile.sync()
    maildir = profile.dovecot.maildir(profile.user)
    (locked,) = (
        path
        for sub in ("cur", "new")
        for path in (maildir / sub).iterdir()
        if re.search(rb"^Subject: Locked\r?$", path.read_bytes(), re.M)
    )
    os.chmod(locked, 0)
    with pytest.raises(SourceError, match="the server would not return message") as caught:
        attachments_of(profile.store, profile.secrets, profile.pk("Locked"))
    assert "\n" not in caught.value.message


def test_a_fetcher_is_reused(profile: Profile) -> None:
    for subject in ("One", "Two"):
        profile.append(letter(subject, (f"{subject}.pdf", "application/pdf", b"%PDF")), T0)
    profile.sync()
    with open_fetcher(profile.secrets, profile.account) as fetcher:
        names = [
            [
                a.filename
                for a in attachments_of(
                    profile.store, profile.secrets, profile.pk(subject), fetcher=fetcher
                ).files
            ]
            for subject in ("One", "Two")
        ]
    assert names == [["One.pdf"], ["Two.pdf"]]


# ------------------------------------------------------------- saving (disk only)


def offline(raw: bytes) -> MessageAttachments:
    listing = list_attachments(raw)
    return MessageAttachments(7, listing.attachments, listing.more, listing.problems, raw=raw)


def test_no_overwrite_without_hard_links(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched = offline(letter("x", ("a.tar.gz", "application/gzip", b"gz")))
    (folder / "a.tar.gz").write_bytes(b"mine")

    def no_links(source: object, target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    assert save_attachment(fetched, "2", folder) == folder / "a (2).tar.gz"
    assert save_attachment(fetched, "2", folder) == folder / "a (3).tar.gz"
    assert (folder / "a.tar.gz").read_bytes() == b"mine"
    assert (folder / "a (3).tar.gz").read_bytes() == b"gz"
    assert saved_files(folder) == ["a (2).tar.gz", "a (3).tar.gz", "a.tar.gz"]


def test_symbolic_links_at_the_name_are_not_followed(folder: Path, tmp_path: Path) -> None:
    fetched = offline(letter("x", ("notes.txt", "text/plain", b"new")))
    target = tmp_path / "elsewhere.txt"
    (folder / "notes.txt").symlink_to(target)  # dangling: writing through it would create it
    assert save_attachment(fetched, "2", folder) == folder / "notes (2).txt"
    assert not target.exists()


def test_base64_attachment_saved_from_a_hand_written_message(folder: Path) -> None:
    data = bytes(range(256)) * 100
    raw = (
        b"Subject: by hand\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
        b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(data)
        + b"--x--\r\n"
    )
    written = save_attachment(offline(raw), "1", folder)
    assert written == folder / "attachment-1.bin"
    assert written.read_bytes() == data
