"""A file to send with a message: what the compose window, the invitation builder and
SMTP composing agree on.

The bytes travel in the value (not a path) because the message is composed once and
stored whole in the outbox; a file read later could have changed or gone. Parameters of
the content type (``method=REQUEST`` for a calendar invitation) are kept apart, so the
composer can hand them to the MIME header as they are.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from asyncdesk.core.errors import BadInput

__all__ = ["OutgoingAttachment"]


@dataclass(frozen=True, slots=True)
class OutgoingAttachment:
    """``content_type`` is ``maintype/subtype`` without parameters; ``params`` are the
    extra ``name=value`` pairs of its header (e.g. ``(("method", "REQUEST"),)``)."""

    filename: str
    content_type: str
    data: bytes
    params: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        maintype, slash, subtype = self.content_type.partition("/")
        if not slash or not maintype or not subtype or ";" in self.content_type:
            raise BadInput(f"not a content type: {self.content_type!r} (e.g. text/calendar)")
        if not self.filename.strip() or "/" in self.filename or "\\" in self.filename:
            raise BadInput(f"not a file name: {self.filename!r}")

    @property
    def maintype(self) -> str:
        return self.content_type.partition("/")[0].lower()

    @property
    def subtype(self) -> str:
        return self.content_type.partition("/")[2].lower()
