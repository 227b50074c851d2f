"""Attachments of an email, listed and saved on request (the message view's "Save").

The window runs three steps on different workers, split as in
:mod:`asyncdesk.services.bodies` so the database, the network and the disk never wait
for each other:

1. :func:`attachment_plan` (database only): where the message sits on the server and
   its account.
2. :func:`fetch_attachments` (network only): the whole message over IMAP, once, with
   ``BODY.PEEK[]`` in a folder opened read-only, so the server never sets ``\\Seen``;
   its attachments listed by :func:`~asyncdesk.sources.mail_attachments.list_attachments`
   (why the bytes and not BODYSTRUCTURE: see there). The result keeps the bytes, so
   saving needs no second fetch.
3. :func:`save_attachment` (disk only): one attachment's decoded bytes into a folder the
   user chose.

:func:`attachments_of` runs steps 1 and 2 in one call (the CLI and tests).

Saving: the name is :func:`~asyncdesk.sources.mail_attachments.safe_filename` of the
attachment's name (no folders, no ``..``, no leading dot, nothing Windows refuses), so
the file always lands in the chosen folder. An existing file is never overwritten: the
next free ``name (2).pdf``, ``name (3).pdf``, ... is taken. The bytes go to a hidden
temporary file in the same folder first, are flushed to disk, and are then given their
name with a hard link, which fails instead of replacing anything (where a file system
has no hard links, the name is claimed with ``O_EXCL`` and the file renamed onto it); so
the name never shows a half-written file, and a crash leaves at most a
``.asyncdesk-*.part`` file. Files are created ``0600`` (owner only): mail is private,
and the app cannot know who else can read the folder the user picked; the user can
widen it. Symbolic links at the name are never followed.

Limits: a message is fetched up to :data:`FETCH_MAX_BYTES`; past that only its start is
fetched, and the attachment it cuts is listed with ``complete=False`` (later ones are
not listed; a problem says so). An attachment over :data:`MAX_ATTACHMENT_BYTES` is
listed but not saved.

Errors are one line (:class:`~asyncdesk.core.errors.AsyncDeskError`): the message is no
longer on the server: :class:`~asyncdesk.services.bodies.MessageGone`; network, login
and a refused message: :class:`~asyncdesk.sources.base.SourceError` subclasses; no such
message, not an email, no password, no such attachment, too big, a folder that cannot
be written: :class:`~asyncdesk.core.errors.BadInput`.

Thread contract: everything here blocks (database, network, disk); call it from a
task-runner worker, never the GUI thread. A
:class:`~asyncdesk.sources.imap_fetch.BodyFetcher` belongs to one worker at a time.
:class:`MessageAttachments` is immutable and may be handed between threads.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.errors import BadInput
from asyncdesk.services.bodies import MessageGone, open_fetcher
from asyncdesk.services.secrets import Secrets
from asyncdesk.sources.base import SourceError
from asyncdesk.sources.imap_fetch import BodyFetcher, FetchedRaw, MessageRefused
from asyncdesk.sources.mail_attachments import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    attachment_bytes,
    list_attachments,
    safe_filename,
)
from asyncdesk.store import bodies as stored_bodies
from asyncdesk.store.accounts import get_account
from asyncdesk.store.database import Store
from asyncdesk.store.locations import positions_of

__all__ = [
    "FETCH_MAX_BYTES",
    "MAX_ATTACHMENT_BYTES",
    "AttachmentPlan",
    "MessageAttachments",
    "MessageGone",
    "attachment_plan",
    "attachments_of",
    "fetch_attachments",
    "save_attachment",
]

log = logging.getLogger(__name__)

#: Bytes of a message fetched to list its attachments: room for one attachment of
#: :data:`MAX_ATTACHMENT_BYTES` in base64 (4/3 of it, plus line ends) and the rest.
FETCH_MAX_BYTES: Final = 160 * 1024 * 1024
#: Names tried in a folder before giving up: ``name.pdf``, ``name (2).pdf``, ...
MAX_NAME_TRIES: Final = 999

_MB: Final = 1024 * 1024
_DOUBLE_EXTENSIONS: Final = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst")


@dataclass(frozen=True, slots=True)
class AttachmentPlan:
    """What fetching a message's attachments needs (read from the database first):
    its account, remote id (to check it is the same message) and ``(folder, uid)``
    places."""

    message_pk: int
    account: Account
    remote_id: str
    places: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class MessageAttachments:
    """A message's attachments and the bytes they are read from.

    ``attachments`` are in the message's order, inline images included (``inline``);
    :attr:`files` leaves those out. ``more`` counts attachments past the listing cap,
    ``problems`` says what was odd, ``partial`` that only the first
    :data:`FETCH_MAX_BYTES` of the message were fetched. ``raw`` is the message as
    fetched (never shown in a repr).
    """

    message_pk: int
    attachments: tuple[Attachment, ...]
    more: int = 0
    problems: tuple[str, ...] = ()
    partial: bool = False
    raw: bytes = field(default=b"", repr=False)

    @property
    def files(self) -> tuple[Attachment, ...]:
        """The attachments but the inline images of the HTML."""
        return tuple(item for item in self.attachments if not item.inline)

    def find(self, part: str) -> Attachment | None:
        """The attachment at section ``part`` (``"2"``, ``"1.3"``), or ``None``."""
        return next((item for item in self.attachments if item.part == part), None)


# ---------------------------------------------------------------------- 1. database


def attachment_plan(store: Store, message_pk: int) -> AttachmentPlan:
    """Where message ``message_pk`` sits and its account (database only).

    Raises :class:`BadInput` (no such message, not an email), :class:`MessageGone`
    (expunged and synced since) or :class:`SourceError` (not placed yet), each one line.
    """
    with store.reading() as session:
        stored = stored_bodies.stored_body(session, message_pk)
        if stored is None:
            raise BadInput(f"no message with id {message_pk}")
        if stored.kind is not AccountKind.EMAIL:
            raise BadInput(
                f"message {message_pk} is a {stored.kind.value} message: only email "
                "attachments can be saved"
            )
        places = positions_of(session, message_pk)
        account = get_account(session, stored.account)
    if not places:
        if stored.removed:
            raise MessageGone(
                f"message {message_pk} is no longer on the server (deleted or moved "
                "elsewhere): its attachments cannot be fetched"
            )
        raise SourceError(
            f"message {message_pk} has not been placed on the server yet: sync account "
            f"{account.name} first"
        )
    return AttachmentPlan(message_pk, account, stored.remote_id, tuple(places))


# ----------------------------------------------------------------------- 2. network


def fetch_attachments(
    plan: AttachmentPlan,
    secrets: Secrets,
    *,
    fetcher: BodyFetcher | None = None,
    max_bytes: int = FETCH_MAX_BYTES,
) -> MessageAttachments:
    """Fetch the message once (``BODY.PEEK[]``, never marking it read) and list its
    attachments (network only; no database).

    ``fetcher`` reuses an open connection (else one is opened for this call and closed
    after it). Raises :class:`MessageGone`, a :class:`SourceError` (no connection, login
    refused, the server would not return the message) or :class:`BadInput` (no
    password), each one line.
    """
    own = fetcher is None
    active = open_fetcher(secrets, plan.account) if fetcher is None else fetcher
    try:
        fetched = _fetch_raw(active, plan, max_bytes)
    finally:
        if own:
            active.close()
    listing = list_attachments(fetched.raw, complete=not fetched.partial)
    problems = listing.problems
    if fetched.partial:
        problems = (
            f"the message is {fetched.size // _MB} MB: only attachments in its first "
            f"{len(fetched.raw) // _MB} MB are listed",
            *problems,
        )
    log.info(
        "listed %d attachments of message %d (%s, %d bytes%s)",
        len(listing.attachments),
        plan.message_pk,
        plan.account.name,
        fetched.size,
        ", partly fetched" if fetched.partial else "",
    )
    return MessageAttachments(
        plan.message_pk,
        listing.attachments,
        more=listing.more,
        problems=problems,
        partial=fetched.partial,
        raw=fetched.raw,
    )


def attachments_of(
    store: Store, secrets: Secrets, message_pk: int, *, fetcher: BodyFetcher | None = None
) -> MessageAttachments:
    """:func:`attachment_plan` then :func:`fetch_attachments`, in one call."""
    return fetch_attachments(attachment_plan(store, message_pk), secrets, fetcher=fetcher)


def _fetch_raw(fetcher: BodyFetcher, plan: AttachmentPlan, max_bytes: int) -> FetchedRaw:
    """The message from the first place that holds it; else raises why."""
    refused: str | None = None
    elsewhere = False
    for folder, uid in plan.places:
        try:
            found = fetcher.fetch_raw(folder, uid, max_bytes=max_bytes)
        except MessageRefused as error:
            refused = error.message
            continue
        if found is None:
            continue
        if found.matches(plan.remote_id):
            return found
        elsewhere = True
    pk = plan.message_pk
    if refused is not None:
        raise SourceError(f"the server would not return message {pk}: {refused}")
    if elsewhere:
        raise MessageGone(
            f"message {pk} is no longer where the last sync saw it (the folder was "
            "renumbered on the server): sync the account and try again"
        )
    raise MessageGone(
        f"message {pk} is no longer on the server (deleted or moved elsewhere since the "
        "last sync): sync the account to update the inbox"
    )


# -------------------------------------------------------------------------- 3. disk


def save_attachment(
    fetched: MessageAttachments,
    part: str | Attachment,
    folder: str | os.PathLike[str],
    *,
    name: str | None = None,
) -> Path:
    """Write one attachment's decoded bytes into ``folder`` (disk only); returns the
    path written.

    ``part`` is a section number or an :class:`Attachment` of ``fetched``; ``name``
    replaces the attachment's own name (made safe the same way). The file is new, never
    an existing one: see the module docstring for naming, atomicity and the ``0600``
    mode. Raises :class:`BadInput` (one line) for an unknown part, an attachment cut
    off or over :data:`MAX_ATTACHMENT_BYTES`, a folder that does not exist or cannot be
    written.
    """
    number = part if isinstance(part, str) else part.part
    attachment = fetched.find(number)
    if attachment is None or (isinstance(part, Attachment) and part != attachment):
        raise BadInput(f"message {fetched.message_pk} has no attachment {number!r}")
    shown = attachment.filename
    if not attachment.complete:
        raise BadInput(
            f"{shown!r} was cut off: only the first {len(fetched.raw) // _MB} MB of message "
            f"{fetched.message_pk} were fetched"
        )
    _check_size(shown, attachment.size)
    target = Path(folder)
    if not target.is_dir():
        raise BadInput(f"cannot save {shown!r}: {os.fspath(target)!r} is not a folder")
    data = attachment_bytes(fetched.raw, attachment)
    _check_size(shown, len(data))
    written = _write_new_file(target, safe_filename(name or shown), data)
    log.info("saved attachment %s of message %d (%d bytes)", number, fetched.message_pk, len(data))
    return written


def _check_size(shown: str, size: int) -> None:
    if size > MAX_ATTACHMENT_BYTES:
        raise BadInput(
            f"{shown!r} is {size / _MB:.0f} MB: attachments over "
            f"{MAX_ATTACHMENT_BYTES // _MB} MB are not saved"
        )


def _numbered(name: str, number: int) -> str:
    """``report.pdf`` -> ``report (2).pdf``; ``a.tar.gz`` -> ``a (2).tar.gz``."""
    if number == 1:
        return name
    lower = name.lower()
    for double in _DOUBLE_EXTENSIONS:
        if lower.endswith(double) and len(name) > len(double):
            return f"{name[: -len(double)]} ({number}){name[-len(double) :]}"
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({number})"
    return f"{stem} ({number}).{extension}"


# Errors of os.link that mean "this file system has no hard links", not "name taken".
_NO_LINKS: Final = frozenset(
    {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EOPNOTSUPP, errno.EACCES}
)


def _write_new_file(folder: Path, name: str, data: bytes) -> Path:
    """``data`` as a new file in ``folder`` named ``name`` or the first free
    ``name (N)``; atomic (see the module docstring). Raises :class:`BadInput`."""
    temporary: str | None = None
    failure: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".asyncdesk-", suffix=".part", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        for number in range(1, MAX_NAME_TRIES + 1):
            final = folder / _numbered(name, number)
            if _claim(temporary, final):
                temporary = None  # it is the final file now (renamed or linked)
                _sync_folder(folder)
                return final
    except OSError as error:
        failure = error.strerror or type(error).__name__
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    if failure is not None:
        raise BadInput(f"cannot save {name!r} in {os.fspath(folder)!r}: {failure}")
    raise BadInput(
        f"cannot save {name!r} in {os.fspath(folder)!r}: {MAX_NAME_TRIES} files of that "
        "name are there already"
    )


def _claim(temporary: str, final: Path) -> bool:
    """Give the temporary file the name ``final`` unless that name exists (as anything,
    even a dangling symbolic link); ``False`` if it does. On success the temporary name
    is gone."""
    try:
        os.link(temporary, final)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise
        # No hard links here (FAT, some network file systems): claim the name with
        # O_EXCL, then rename the finished file onto the empty one just made.
        try:
            os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            return False
        os.replace(temporary, final)
        return True
    with contextlib.suppress(OSError):  # the file is saved; a stray link is harmless
        os.unlink(temporary)
    return True


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (POSIX; a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
