"""Writing a new email (a ``mailto:`` link clicked elsewhere on the desktop).

It travels exactly as a reply does (services.reply): composed, queued in the outbox
with its outbound copy in one transaction, then flushed — SMTP, then filed in Sent —
so a crash or kill at any point neither loses it nor sends it twice, and the sync of
Sent later finds the copy already stored. Everything is checked before anything is
written: bad input is :class:`~asyncdesk.core.errors.BadInput` and leaves nothing.

Thread contract: :func:`queue_new` touches only the database (the window runs it on
its database worker); :func:`~asyncdesk.services.reply.send_queued` then sends it from
the network pool.
"""

from __future__ import annotations

import email.policy
import logging
from dataclasses import dataclass

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.mailto import MailtoDraft, addresses_in, unique_addresses
from asyncdesk.core.messages import normalize_message_id
from asyncdesk.services.reply import QueuedReply, outbound_message
from asyncdesk.sources.base import SourceError
from asyncdesk.sources.smtp import SmtpSettings, compose_new
from asyncdesk.store import outbox
from asyncdesk.store.accounts import list_accounts
from asyncdesk.store.database import Store

log = logging.getLogger(__name__)

#: Recipients of one message at most: more is a mailing list, not a message.
MAX_RECIPIENTS = 100


@dataclass(frozen=True, slots=True)
class Sender:
    """An email account that can send: its name and the address it sends from."""

    account: str
    address: str


def _sends(account: Account) -> str | None:
    """The address ``account`` sends from, if it is an email account with SMTP."""
    if account.kind is not AccountKind.EMAIL:
        return None
    try:
        SmtpSettings.from_account(account)
    except SourceError:
        return None
    address = account.identities[0] if account.identities else ""
    return address if "@" in address else None


def senders(store: Store) -> list[Sender]:
    """The accounts a new message can be sent from, in the profile's order."""
    with store.reading() as session:
        accounts = list_accounts(session)
    found = [(account.name, _sends(account)) for account in accounts]
    return [Sender(name, address) for name, address in found if address is not None]


def check_draft(draft: MailtoDraft) -> None:
    """:class:`BadInput` unless ``draft`` can be sent as it is."""
    if not draft.recipients:
        raise BadInput("the message has no recipient: add an address in To")
    if len(draft.recipients) > MAX_RECIPIENTS:
        raise BadInput(f"the message has more than {MAX_RECIPIENTS} recipients")
    if not draft.body.strip():
        raise BadInput("the message is empty: nothing sent")


def draft_from_fields(
    to: str, cc: str, bcc: str, subject: str, body: str, *, in_reply_to: str | None = None
) -> MailtoDraft:
    """The New message window's fields as a draft (addresses separated by commas or
    semicolons, each once across To, Cc and Bcc); :class:`BadInput` names the first
    bad address."""
    seen: set[str] = set()
    return MailtoDraft(
        to=unique_addresses(addresses_in(to, "To"), seen),
        cc=unique_addresses(addresses_in(cc, "Cc"), seen),
        bcc=unique_addresses(addresses_in(bcc, "Bcc"), seen),
        subject=" ".join(subject.split()),
        body=body,
        in_reply_to=in_reply_to,
    )


def queue_new(store: Store, clock: Clock, account_name: str, draft: MailtoDraft) -> QueuedReply:
    """Compose ``draft`` as a message from ``account_name`` and put it in the outbox
    with its outbound copy (database only). :class:`BadInput` writes nothing."""
    check_draft(draft)
    with store.reading() as session:
        accounts = {account.name: account for account in list_accounts(session)}
    account = accounts.get(account_name)
    if account is None:
        raise BadInput(f"no account named {account_name!r}")
    from_address = _sends(account)
    if from_address is None:
        raise BadInput(f"account {account_name!r} cannot send email (it has no SMTP server)")
    assert account.id is not None
    now = clock.now()
    message = compose_new(
        from_address=from_address,
        from_name=str(account.config.get("display_name") or ""),
        to=draft.to,
        cc=draft.cc,
        subject=draft.subject,
        body=draft.body,
        now=now,
        domain=from_address.rpartition("@")[2],
        in_reply_to=draft.in_reply_to,
    )
    raw = message.as_bytes(policy=email.policy.SMTP)
    message_id = normalize_message_id(str(message["Message-ID"]))
    assert message_id is not None  # compose_new always sets one
    copy = outbound_message(raw, conversation=None, at=now, body=draft.body)
    recipients = list(draft.recipients)
    with store.writing() as session:
        item_id = outbox.enqueue(
            session,
            account_id=account.id,
            reply_to_pk=None,
            message_id=message_id,
            raw=raw,
            envelope_from=from_address,
            recipients=recipients,
            now=now,
        )
        outbox.record_outbound(session, account.id, copy, answers=None, now=now)
    log.info("queued new message %s (%s)", message_id, account.name)
    return QueuedReply(
        item_id, account.name, message_id, draft.to, draft.cc, draft.subject, new=True
    )
