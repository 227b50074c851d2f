"""Sending the published-availability auto-reply while the inbox is closed (RFC 3834).

:func:`prepare` is called by the sync (:func:`asyncdesk.services.sync.sync_source`) once
per run of an email account; it returns ``None`` unless ``autoreply.enabled`` is on and
the sync has the keyring (secrets). After each committed batch the sync hands the
:class:`Responder` the inbound messages that batch stored for the first time, and
:meth:`Responder.answer` sends at most one auto-reply per conversation per closed period
to each person who wrote for the first time in it:

1. the rules of :mod:`asyncdesk.core.auto_reply` (never lists, bulk or automated mail,
   never the user's own addresses, never an auto-reply; only mail that needs a reply,
   arrived in this closed period) and the store's "first in its conversation";
2. the reply is composed (To = Reply-To or From, ``Re:`` subject, In-Reply-To and
   References, ``Auto-Submitted: auto-replied``, :data:`~asyncdesk.core.auto_reply.
   MARKER_NAME`, ``X-Auto-Response-Suppress: All``), its text from
   :mod:`asyncdesk.core.availability` for that sender (their promise);
3. it is claimed in ``auto_replies`` (committed) *before* SMTP hears of it, then marked
   ``sent`` or ``failed``. A crash between claim and answer leaves it ``queued``, and
   no process sends it again (:mod:`asyncdesk.store.auto_replies`).

Auto-replies are not message rows and are not filed in Sent: they never mark a
conversation replied and never count in the stats. A server that files its own copy in
Sent (Gmail) is handled by the sync, which skips outbound messages with the marker.

Deviation from RFC 3834 3.3 (a null envelope sender): the envelope sender is the
account's address, as submission servers require an authenticated sender.

Errors never stop the sync: a network or server failure is one log line and a
``failed`` row; every auto-reply sent is logged (never its body). Thread contract: runs
on the sync's thread (blocks on disk and network).
"""

from __future__ import annotations

import email.policy
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.auto_reply import (
    MARKER_NAME,
    closed_period_key,
    recipient_problem,
    skip_reason,
)
from asyncdesk.core.availability import availability, render_auto_reply
from asyncdesk.core.clock import Clock
from asyncdesk.core.deadlines import SlaRules
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.messages import Message, Triage, normalize_message_id
from asyncdesk.core.schedule import Schedule
from asyncdesk.services import autoreply
from asyncdesk.services.schedule import load_schedule
from asyncdesk.services.secrets import Secrets
from asyncdesk.sources.smtp import (
    DeliveryUnknown,
    SmtpPartlyRefused,
    SmtpSettings,
    compose_reply_as,
    envelope_recipients,
    header_block,
    send_raw,
)
from asyncdesk.store import auto_replies as stored
from asyncdesk.store.auto_replies import AutoReplyRecord
from asyncdesk.store.database import Store

log = logging.getLogger(__name__)


def prepare(
    store: Store, clock: Clock, secrets: Secrets | None, account: Account, sla: SlaRules
) -> Responder | None:
    """A responder for one sync run of ``account``, or ``None`` when nothing may be
    sent (auto-reply off, not an email account, no keyring). Rows a dead process left
    ``queued`` are marked failed (interrupted) here."""
    if account.kind is not AccountKind.EMAIL or account.id is None or secrets is None:
        return None
    if not autoreply.is_enabled(store):
        return None
    with store.writing() as session:
        interrupted = stored.fail_interrupted(session, clock.now())
    for row_id in interrupted:
        log.warning("auto-reply %d was interrupted before the server answered: not resent", row_id)
    return Responder(
        store=store,
        clock=clock,
        secrets=secrets,
        account=account,
        schedule=load_schedule(store),
        sla=sla,
        template=autoreply.template(store),
    )


def recent_auto_replies(store: Store, limit: int = 50) -> list[AutoReplyRecord]:
    """The newest ``limit`` auto-replies (queued, sent or failed), newest first."""
    with store.reading() as session:
        return stored.recent(session, limit)


@dataclass(slots=True)
class Responder:
    store: Store
    clock: Clock
    secrets: Secrets
    account: Account
    schedule: Schedule
    sla: SlaRules
    template: str

    def answer(self, fresh: Sequence[tuple[Message, Triage]]) -> int:
        """Send what is due for these newly stored inbound messages; returns how many
        were sent. Never raises for a network, server or keyring failure."""
        sent = 0
        for message, triage in fresh:
            try:
                sent += self._answer_one(message, triage.needs_reply)
            except AsyncDeskError as error:
                log.warning(
                    "auto-reply for a message of %s not sent: %s", self.account.name, error.message
                )
        return sent

    def _answer_one(self, message: Message, needs_reply: bool) -> int:
        account = self.account
        assert account.id is not None
        reason = skip_reason(message, account.identities, needs_reply)
        if reason is not None:
            log.debug("no auto-reply to %s: %s", message.sender.address, reason)
            return 0
        now = self.clock.now()
        key = closed_period_key(self.schedule, message.received_at, now)
        if key is None:
            return 0
        with self.store.reading() as session:
            first = stored.is_first_in_conversation(session, account.id, message.remote_id)
        if not first:
            log.debug("no auto-reply to %s: not the first in its conversation", message.sender)
            return 0
        from_address = account.identities[0] if account.identities else ""
        if "@" not in from_address:
            log.warning("no auto-reply from %s: the account has no address", account.name)
            return 0
        facts = availability(
            self.schedule, self.sla, message.received_at, message.sender.address, account.name
        )
        body = render_auto_reply(facts, message.subject, self.template).body
        composed = compose_reply_as(
            account, from_address, _original_headers(message), body, reply_all=False, now=now
        )
        composed["Auto-Submitted"] = "auto-replied"
        composed[MARKER_NAME] = "1"
        composed["X-Auto-Response-Suppress"] = "All"
        recipients = envelope_recipients(composed)
        problem = recipient_problem(recipients, account.identities)
        if problem is not None:
            log.info("no auto-reply to %s: %s", message.sender.address, problem)
            return 0
        message_id = normalize_message_id(str(composed["Message-ID"])) or ""
        with self.store.writing() as session:
            row_id = stored.claim(
                session,
                account_id=account.id,
                conversation=message.conversation,
                window_key=key,
                recipient=", ".join(recipients),
                message_id=message_id,
                now=now,
            )
        if row_id is None:
            log.debug("auto-reply for this conversation already claimed in this closed period")
            return 0
        raw = composed.as_bytes(policy=email.policy.SMTP)
        return self._send(row_id, raw, from_address, recipients, message_id)

    def _send(
        self, row_id: int, raw: bytes, sender: str, recipients: list[str], message_id: str
    ) -> int:
        account = self.account
        note: str | None = None
        try:
            password = self.secrets.get(account.name)
            if not password:
                raise AsyncDeskError(f"no password for account {account.name!r} in the keyring")
            settings = SmtpSettings.from_account(account)
            send_raw(settings, password, raw, sender, recipients)
        except SmtpPartlyRefused as error:
            note = error.message
        except DeliveryUnknown as error:
            self._failed(row_id, f"may or may not have been sent: {error.message}", recipients)
            return 0
        except AsyncDeskError as error:
            self._failed(row_id, error.message, recipients)
            return 0
        with self.store.writing() as session:
            stored.mark_sent(session, row_id, self.clock.now(), note)
        log.info(
            "auto-reply %s sent from %s to %s%s",
            message_id,
            account.name,
            ", ".join(recipients),
            f" ({note})" if note else "",
        )
        return 1

    def _failed(self, row_id: int, error: str, recipients: list[str]) -> None:
        with self.store.writing() as session:
            stored.mark_failed(session, row_id, error)
        log.warning(
            "auto-reply from %s to %s not sent: %s", self.account.name, ", ".join(recipients), error
        )


def _original_headers(message: Message) -> bytes:
    """The answered message's header block, rebuilt from what the sync keeps."""
    return header_block(
        sender=(message.sender.name, message.sender.address),
        to=message.to,
        cc=(),
        reply_to=message.headers.get("reply-to"),
        subject=message.subject,
        message_id=message.message_id,
        in_reply_to=message.in_reply_to,
        references=message.references,
    )
