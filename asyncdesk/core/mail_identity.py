"""Telling copies of one mail message from different messages that share its identity.

A mail message is known by ``"in:"``/``"sent:"`` and its Message-ID (or, without one,
a hash of its headers): that is what lets a refetch after a UIDVALIDITY change, and a
copy of a message in a second folder, match the stored row instead of doubling it.
Broken mailers reuse Message-IDs, though, and header-less messages all hash alike, so
the identity alone would merge different messages and hide all but the first.

Copies of one message on one IMAP server keep its bytes (COPY and MOVE keep the
message as it is), so a sender, subject or size that differs means a different
message. That message is stored under a *variant* of the identity, derived only from
the message itself: a later sync, a refetch and the body fetch all arrive at the same
variant, whatever order the server lists the messages in.

Sizes are compared for received mail only: a reply the app stored when it sent it
and the copy the mail server files in Sent may differ in added headers, and must
stay one message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What must agree for two messages with one identity to be copies of one."""

    sender: str
    subject: str
    size: int | None

    def same_message(self, other: Fingerprint) -> bool:
        if self.sender != other.sender or self.subject != other.subject:
            return False
        return self.size is None or other.size is None or self.size == other.size


def fingerprint(remote_id: str, sender: str, subject: str, size: int | None) -> Fingerprint:
    """The fingerprint of a message stored (or to be stored) under ``remote_id``."""
    received = remote_id.startswith("in:")
    return Fingerprint(sender=sender, subject=subject, size=size if received else None)


def variant_id(remote_id: str, of: Fingerprint) -> str:
    """The identity a message gets when ``remote_id`` already names a different one."""
    key = "\x1f".join((of.sender, of.subject, "" if of.size is None else str(of.size)))
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{remote_id}#{digest}"


def is_identity_of(
    remote_id: str, identity: str, sender: str, subject: str, size: int | None
) -> bool:
    """Whether ``remote_id`` is what the sync gave a message with this identity (its
    normalised Message-ID or header hash), sender, subject and size on the server."""
    kind, colon, rest = remote_id.partition(":")
    if not colon:
        return False
    plain = f"{kind}:{identity}"
    if rest == identity:
        return True
    return remote_id == variant_id(plain, fingerprint(plain, sender, subject, size))
