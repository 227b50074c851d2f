"""Who gets the published-availability auto-reply, and for which closed period.

Pure (no Qt, no I/O). The auto-reply (RFC 3834) goes only to a person who wrote, while
the inbox is closed, a message that needs a reply. :func:`skip_reason` says why a
message gets none, or ``None`` when it may get one; the rules, the first that applies
decides:

- not an inbound email, or sent from one of the user's own addresses;
- an auto-reply itself: our marker header (:data:`MARKER_HEADER`), ``Auto-Submitted``
  other than ``no`` (RFC 3834), or anything :func:`asyncdesk.core.classify.machine_reason`
  calls automated;
- a list or bulk mail (``List-Id``, ``List-Unsubscribe``, ``Precedence: bulk/list/junk``),
  a notification service or a no-reply sender (``noreply@``, ``mailer-daemon@``,
  ``postmaster@``...): :func:`~asyncdesk.core.classify.machine_reason` again, so the
  rules are the classifier's, never a second copy;
- an empty ``Return-Path`` (``<>``: a bounce or another automatic message);
- a message that needs no reply (the FYI view: Cc only, the user's "never" rules).

The recipients of the composed reply are checked by :func:`recipient_problem` (never
the user's own address, never a no-reply address). Whether the sender writes for the
first time in the conversation is a question for the store.

:func:`closed_period_key` says whether ``now`` is in a closed period (the mode is not
``window``) that the message arrived in, and names the period by the start of the window
that ends it: the key of "at most one auto-reply per conversation per closed period".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from asyncdesk.core.classify import is_no_reply_sender, machine_reason
from asyncdesk.core.clock import utc
from asyncdesk.core.messages import Direction, Medium, Message, normalize_address
from asyncdesk.core.schedule import Mode, Schedule

#: Set on every auto-reply we send, so our own copy (a server that files it in Sent)
#: is never read back as the user's reply. ``Message.headers`` keys are lower-case.
MARKER_NAME: Final = "X-AsyncDesk-Auto-Reply"
MARKER_HEADER: Final = MARKER_NAME.lower()
#: A message older than this when it is first seen gets no auto-reply: the reply is for
#: people waiting now, not for a first sync of an old mailbox or a machine that was off.
MAX_AGE: Final = timedelta(hours=24)

_NOT_AUTOMATIC: Final = frozenset({"", "no"})


def skip_reason(message: Message, identities: Iterable[str], needs_reply: bool) -> str | None:
    """Why ``message`` gets no auto-reply (one short sentence), or ``None`` if it may.

    ``needs_reply`` is the message's triage (the classifier with the user's rules).
    """
    if message.medium is not Medium.EMAIL or message.direction is not Direction.INBOUND:
        return "not an inbound email"
    own = {normalize_address(identity) for identity in identities}
    sender = normalize_address(message.sender.address)
    if not sender:
        return "no sender address"
    if sender in own:
        return "your own address"
    headers = message.headers
    if MARKER_HEADER in headers:
        return "an AsyncDesk auto-reply"
    auto = _token(headers.get("auto-submitted", ""))
    if auto not in _NOT_AUTOMATIC:
        return f"automated (Auto-Submitted: {auto})"
    machine = machine_reason(message)
    if machine is not None:
        return machine
    if "return-path" in headers and not headers["return-path"].strip(" \t<>"):
        return "empty Return-Path (a bounce or automatic mail)"
    if not needs_reply:
        return "needs no reply"
    return None


def recipient_problem(recipients: Iterable[str], identities: Iterable[str]) -> str | None:
    """Why the reply may not go to ``recipients`` (none, the user's own, no-reply)."""
    own = {normalize_address(identity) for identity in identities}
    found = [normalize_address(address) for address in recipients]
    if not any(found):
        return "no address to reply to"
    for address in found:
        if address in own:
            return f"the reply would go to your own address {address}"
        if is_no_reply_sender(address):
            return f"the reply would go to a no-reply address {address}"
    return None


def closed_period_key(schedule: Schedule, received_at: datetime, now: datetime) -> datetime | None:
    """The start of the next window (UTC) when ``now`` is outside every window and the
    message, received at ``received_at``, arrived in this same closed period (not in a
    window, no window since, at most :data:`MAX_AGE` ago); otherwise ``None``. Also
    ``None`` when no window is coming: there is nothing to promise."""
    now = utc(now)
    if schedule.mode_at(now) is Mode.WINDOW:
        return None
    upcoming = schedule.next_window(now)
    if upcoming is None:
        return None
    received = min(utc(received_at), now)
    if now - received > MAX_AGE or schedule.mode_at(received) is Mode.WINDOW:
        return None
    then = schedule.next_window(received)
    if then is None or then.start != upcoming.start:
        return None
    return upcoming.start


def _token(value: str) -> str:
    return value.split(";", 1)[0].split("(", 1)[0].strip().lower()
