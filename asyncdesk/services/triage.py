"""Triage replies for the window: the text (and the invitation) that the keys T, O
and I put into a reply, and the labels of a page of the inbox.

:func:`triage_draft` reads the message and the schedule and returns a
:class:`TriageDraft`: the text from :mod:`asyncdesk.core.triage_replies`, and for an
email that offers office hours an ``.ics`` invitation to the first slot
(:mod:`asyncdesk.core.ics_invite`) from the account's address to the person the reply
goes to. Nothing is sent here: the window shows the draft and the user sends it.

:func:`page_labels` gives the labels of the messages of one inbox page (as ``inbox
--json`` has them) in one reading transaction of at most two statements, whatever the
page's size (:mod:`asyncdesk.store.labels`); the window asks for them after the page
is shown, so labels never hold up the listing. Who the user has exchanged messages
with is read once per listing (one scan of the messages table: 0.48 s at 100,000
messages, where reading it for each page's senders took 0.37-0.70 s a page); after
that a page's labels take its bodies (2 ms) and the detectors (6 ms for 200 rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import getaddresses
from enum import StrEnum

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.ics_invite import invitation_attachment, office_hours_invitation
from asyncdesk.core.labels import message_labels
from asyncdesk.core.office_hours import Slot, next_office_hours, next_windows
from asyncdesk.core.outgoing_attachment import OutgoingAttachment
from asyncdesk.core.triage_replies import ask_for_topic, offer_office_hours, propose_introduction
from asyncdesk.services.schedule import load_schedule
from asyncdesk.store.database import Store
from asyncdesk.store.labels import ContactHistory, body_texts, contact_history
from asyncdesk.store.messages import StoredMessage
from asyncdesk.store.outbox import ReplyTarget, find_reply_target

__all__ = ["NO_OFFICE_HOURS", "TriageAction", "TriageDraft", "page_labels", "triage_draft"]

NO_OFFICE_HOURS = (
    "no office hours in the schedule: add them with asyncdesk schedule officehours add "
    "--days tue,thu --start 15:00 --end 16:00"
)


class TriageAction(StrEnum):
    ASK_TOPIC = "ask_topic"
    OFFER_OFFICE_HOURS = "offer_office_hours"
    PROPOSE_INTRODUCTION = "propose_introduction"


@dataclass(frozen=True, slots=True)
class TriageDraft:
    """What goes into the reply: ``text``; ``attachments`` (email only); ``slots``
    offered (empty for ask-for-topic); ``chat`` whether it is answered in chat."""

    text: str
    attachments: tuple[OutgoingAttachment, ...] = ()
    slots: tuple[Slot, ...] = ()
    chat: bool = False


def _attendee(target: ReplyTarget) -> str:
    """Whom the reply (and so the invitation) goes to: Reply-To, else the sender."""
    reply_to = [a for _n, a in getaddresses([target.headers.get("reply-to", "")]) if "@" in a]
    return reply_to[0] if reply_to else target.sender_address


def _invitation(target: ReplyTarget, slot: Slot, clock: Clock, note: str) -> OutgoingAttachment:
    account = target.account
    organizer = account.identities[0] if account.identities else ""
    if "@" not in organizer:
        raise BadInput(f"account {account.name!r} has no email address to invite from")
    data = office_hours_invitation(
        slot,
        organizer=organizer,
        organizer_name=str(account.config.get("display_name") or ""),
        attendee=_attendee(target),
        attendee_name=target.sender_name,
        now=clock.now(),
        description=note,
    )
    return invitation_attachment(data)


def triage_draft(store: Store, clock: Clock, message_pk: int, action: TriageAction) -> TriageDraft:
    """The reply ``action`` proposes for stored message ``message_pk`` (see the module
    doc). Raises :class:`BadInput` when there is no such message, or office hours are
    offered without any in the schedule."""
    with store.reading() as session:
        target = find_reply_target(session, message_pk)
    if target is None:
        raise BadInput(f"no message {message_pk} (see: asyncdesk inbox)")
    chat = target.account.kind in (AccountKind.MATRIX, AccountKind.SLACK)
    email = not chat  # the demo too: its reply is never sent, but shows the invitation
    name = target.sender_name
    if action is TriageAction.ASK_TOPIC:
        return TriageDraft(ask_for_topic(name), chat=chat)
    schedule = load_schedule(store)
    now = clock.now()
    hours = tuple(next_office_hours(schedule, now))
    if action is TriageAction.OFFER_OFFICE_HOURS:
        if not hours:
            raise BadInput(NO_OFFICE_HOURS)
        attached = (
            (_invitation(target, hours[0], clock, f"Re: {target.subject}".strip()),)
            if email
            else ()
        )
        text = offer_office_hours(name, hours, invitation=bool(attached))
        return TriageDraft(text, attached, hours, chat)
    slots = hours or tuple(next_windows(schedule, now))
    attached = ()
    if hours and email:
        attached = (_invitation(target, hours[0], clock, "A short introduction."),)
    text = propose_introduction(name, slots, office_hours=bool(hours), invitation=bool(attached))
    return TriageDraft(text, attached, slots, chat)


def page_labels(
    store: Store, messages: Sequence[StoredMessage], history: ContactHistory | None = None
) -> dict[int, tuple[str, ...]]:
    """The labels of each message of one page, by id (see the module doc).

    ``history``: the listing's, kept by the caller from page to page; an empty one is
    filled with every address's on first use. Without it, only the page's senders are
    read. Call it from one thread at a time (it is updated).
    """
    if not messages:
        return {}
    with store.reading() as session:
        if history is None:
            history = contact_history(session, {m.sender_address for m in messages})
        elif not history.complete:
            history.merge(contact_history(session, None))
        bodies = body_texts(session, (m.id for m in messages))
    return {
        m.id: tuple(
            message_labels(
                subject=m.subject,
                text=bodies.get(m.id, m.snippet),
                needs_reply=m.needs_reply,
                first_contact=history.is_first_contact(m.sender_address, m.received_at),
            )
        )
        for m in messages
    }
