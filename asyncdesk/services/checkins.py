"""Check-ins: asking a recurring question of a list of people, and gathering answers.

:func:`add_checkin` checks everything before it writes (bad input is one line and
leaves nothing). The sync calls :func:`after_sync` once a pass of an account has
committed (:func:`asyncdesk.services.sync.sync_source`), so ``asyncdesk sync`` and the
window's background sync both ask on time. For each of that account's check-ins,
:func:`send_due`:

1. finds the run due now (:func:`asyncdesk.core.checkins.due_instant`: the latest
   asking time not after now, at most 24 hours old; older runs are skipped with a log
   line, never sent late);
2. claims it (``checkin_runs``, unique per check-in and due instant) in its own
   transaction, committed before anything is sent: a second process, or a restart
   after a crash, finds the claim and sends nothing;
3. sends one message per person, so answers are private and each message's id says
   whose answer a reply is. Email: composed like a new message and enqueued in the
   outbox with its copy for Sent *in the claim's transaction*, then the account's
   outbox is flushed; the outbox's own states make delivery at most once (a crash
   before SMTP sends it on the next flush, never twice). Chat: Matrix and Slack post
   into the direct conversation with the person (or the room given), through the sync's
   own connection; a send row left ``queued`` by a dead process is never retried.

Answers are the stored inbound messages that answer a run's message
(:mod:`asyncdesk.store.checkins`). They need no reply: the user asked for them, and a
deadline on each would turn a team's weekly update into a pile of overdue promises and
a worse "commitment kept" figure. After each pass the new answers are marked so
through the needs-reply override (with the reason shown where the inbox explains its
decision); the user can still mark one as needing a reply, and that call is kept. The
check-in itself is an outbound message that answers nothing (a new conversation), so
it clears no deadline and has no response time.

Failures never stop the sync: one log line and a ``failed`` state on the run or the
person. Thread contract: everything here blocks on disk (and :func:`send_due` on the
network); the CLI calls it on its thread, the window from the sync's worker.
"""

from __future__ import annotations

import email.policy
import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from asyncdesk.core import checkins as rules
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.core.messages import normalize_message_id
from asyncdesk.core.schedule import format_clock, format_days, parse_clock, parse_days
from asyncdesk.services.schedule import load_schedule
from asyncdesk.services.secrets import Secrets
from asyncdesk.sources.base import Source, SourceError
from asyncdesk.sources.smtp import SmtpSettings, compose_new
from asyncdesk.store import checkins as stored
from asyncdesk.store import outbox
from asyncdesk.store.accounts import list_accounts
from asyncdesk.store.checkins import Answer, CheckinRecord, RunRecord, SendState
from asyncdesk.store.database import Store
from asyncdesk.store.outbox import OutboxState

log = logging.getLogger(__name__)

_MEDIUM = {
    AccountKind.EMAIL: rules.Medium.EMAIL,
    AccountKind.MATRIX: rules.Medium.MATRIX,
    AccountKind.SLACK: rules.Medium.SLACK,
}


# -- defining -----------------------------------------------------------------------------


def _can_send(account: Account) -> bool:
    if account.kind is AccountKind.EMAIL:
        try:
            SmtpSettings.from_account(account)
        except SourceError:
            return False
        return bool(account.identities) and "@" in account.identities[0]
    return account.kind in (AccountKind.MATRIX, AccountKind.SLACK)


def _pick_account(accounts: list[Account], name: str | None) -> Account:
    if name is not None:
        found = next((a for a in accounts if a.name == name), None)
        if found is None:
            raise BadInput(f"no account named {name!r}")
        if not _can_send(found):
            raise BadInput(f"account {name!r} cannot send (an email account needs an SMTP server)")
        return found
    senders = [a for a in accounts if _can_send(a)]
    if len(senders) == 1:
        return senders[0]
    if not senders:
        raise BadInput("no account can send a check-in: add an email account with SMTP, or chat")
    names = ", ".join(a.name for a in senders)
    raise BadInput(f"several accounts can send ({names}): choose one with --account")


def add_checkin(
    store: Store,
    clock: Clock,
    *,
    name: str,
    days: str,
    at: str,
    to: str,
    account: str | None,
    question: str,
) -> CheckinRecord:
    """Define a check-in; :class:`BadInput` (nothing written) for anything wrong."""
    clean_name = rules.check_name(name)
    chosen_days = parse_days(days)
    minute = parse_clock(at)
    text = rules.check_question(question)
    with store.reading() as session:
        accounts = list_accounts(session)
        if stored.find(session, clean_name) is not None:
            raise BadInput(f"there is already a check-in named {clean_name!r}")
    sender = _pick_account(accounts, account)
    assert sender.id is not None
    recipients = rules.parse_recipients(to, _MEDIUM[sender.kind])
    with store.writing() as session:
        stored.add(
            session,
            name=clean_name,
            account_id=sender.id,
            days=format_days(chosen_days),
            minute=minute,
            recipients=recipients,
            question=text,
            now=clock.now(),
        )
        created = stored.find(session, clean_name)
    assert created is not None
    log.info("check-in %r added (%s, %d people)", clean_name, sender.name, len(recipients))
    return created


def remove_checkin(store: Store, name: str) -> CheckinRecord:
    """Forget a check-in and its runs (sent messages and answers stay in the inbox)."""
    with store.writing() as session:
        found = stored.find(session, name)
        if found is None:
            raise BadInput(f"there is no check-in named {name.strip()!r}")
        stored.remove(session, found.id)
    return found


def cadence_of(checkin: CheckinRecord) -> rules.Cadence:
    return rules.Cadence(parse_days(checkin.days), checkin.minute)


def describe(checkin: CheckinRecord) -> str:
    return f"{checkin.days} {format_clock(checkin.minute)}"


@dataclass(frozen=True, slots=True)
class Listed:
    checkin: CheckinRecord
    zone: ZoneInfo
    next_due: datetime
    last_run: RunRecord | None


def list_checkins(store: Store, clock: Clock) -> list[Listed]:
    zone = load_schedule(store).zone
    now = clock.now()
    with store.reading() as session:
        found = stored.all_checkins(session)
        last = {c.id: next(iter(stored.runs(session, c.id, 1)), None) for c in found}
    return [Listed(c, zone, cadence_of(c).next_after(now, zone), last[c.id]) for c in found]


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Results:
    """The latest run of a check-in: who answered (each answer) and who has not."""

    checkin: CheckinRecord
    run: RunRecord | None
    answers: tuple[Answer, ...]
    not_answered: tuple[str, ...]

    @property
    def asked(self) -> tuple[str, ...]:
        return tuple(send.recipient for send in self.run.sends) if self.run else ()

    @property
    def failed(self) -> tuple[tuple[str, str], ...]:
        """(recipient, why) of the messages that could not be sent (or may not have
        been: the outbox's ``unsure``); never sent again by themselves."""
        sends = self.run.sends if self.run else ()
        why = {s.recipient: s.error or f"the outbox says {s.delivery}" for s in sends}
        return tuple((s.recipient, why[s.recipient]) for s in sends if _failed(s))

    @property
    def pending(self) -> tuple[str, ...]:
        """Recipients whose email still waits in the outbox (the server was not
        reached yet); a later sync sends it."""
        sends = self.run.sends if self.run else ()
        return tuple(s.recipient for s in sends if _pending(s))


def _pending(send: stored.SendRecord) -> bool:
    return send.delivery in (OutboxState.QUEUED.value, OutboxState.SENDING.value)


def _failed(send: stored.SendRecord) -> bool:
    unsure = (OutboxState.FAILED.value, OutboxState.UNSURE.value)
    return send.state is SendState.FAILED or send.delivery in unsure


def _results(store: Store, checkin: CheckinRecord) -> Results:
    with store.reading() as session:
        latest = stored.runs(session, checkin.id, 1)
        if not latest:
            return Results(checkin, None, (), ())
        run = latest[0]
        found = stored.answers(session, checkin, run)
    answered = {a.recipient for a in found}
    waiting = tuple(
        send.recipient
        for send in run.sends
        if send.recipient not in answered and not _failed(send) and not _pending(send)
    )
    return Results(checkin, run, tuple(found), waiting)


def results(store: Store, name: str) -> Results:
    """:class:`BadInput` when there is no such check-in."""
    with store.reading() as session:
        checkin = stored.find(session, name)
    if checkin is None:
        raise BadInput(f"there is no check-in named {name.strip()!r}")
    return _results(store, checkin)


def all_results(store: Store) -> list[Results]:
    """The latest run of every check-in that has one (for the window's panel)."""
    with store.reading() as session:
        found = stored.all_checkins(session)
    gathered = [_results(store, checkin) for checkin in found]
    return [r for r in gathered if r.run is not None]


# -- sending ------------------------------------------------------------------------------


def after_sync(
    store: Store,
    clock: Clock,
    secrets: Secrets | None,
    account: Account,
    source: Source | None = None,
) -> int:
    """What a committed sync pass of ``account`` does for check-ins: mark the answers
    it brought as needing no reply, then send the account's due runs. Never raises
    for a failure of the network, a server or the keyring; returns the runs sent."""
    with store.reading() as session:
        mine = [c for c in stored.all_checkins(session) if c.account_id == account.id]
    if not mine:
        return 0  # the common case: a read, no write transaction per pass
    try:
        classify_answers(store, clock, account)
        if secrets is not None and account.kind is AccountKind.EMAIL:
            _fetch_answer_bodies(store, clock, secrets, account)
        return send_due(store, clock, secrets, account=account, source=source)
    except AsyncDeskError as error:
        log.warning("check-ins of %s: %s", account.name, error.message)
        return 0


def _fetch_answer_bodies(store: Store, clock: Clock, secrets: Secrets, account: Account) -> None:
    """The sync fetches headers only: an answer's text is fetched now, so the list of
    answers shows what people wrote (each once: a stored body is not fetched again)."""
    # Imported here: services.bodies reaches services.sync, which calls this module.
    from asyncdesk.services.bodies import fetch_body

    with store.reading() as session:
        wanted = [
            answer.message_pk
            for checkin, run in stored.recent_runs(session, clock.now())
            if checkin.account_id == account.id
            for answer in stored.answers(session, checkin, run)
            if not answer.text.strip()
        ]
    for message_pk in wanted:
        try:
            fetch_body(store, clock, secrets, message_pk)
        except AsyncDeskError as error:
            log.warning("the text of a check-in answer was not fetched: %s", error.message)


def any_chat_sends(store: Store) -> bool:
    """Whether a check-in ever posted in chat (the sync's quick test before it looks
    for check-in questions among the user's own chat messages)."""
    with store.reading() as session:
        return stored.any_chat_sends(session)


def classify_answers(store: Store, clock: Clock, account: Account | None = None) -> int:
    """Recent runs' answers need no reply (unless the user said otherwise)."""
    changed = 0
    with store.writing() as session:
        for checkin, run in stored.recent_runs(session, clock.now()):
            if account is None or checkin.account_id == account.id:
                changed += stored.mark_answers_no_reply(session, checkin, run)
    if changed:
        log.info("%d check-in answers marked as needing no reply", changed)
    return changed


def send_due(
    store: Store,
    clock: Clock,
    secrets: Secrets | None,
    *,
    account: Account | None = None,
    source: Source | None = None,
) -> int:
    """Send every run due now (of ``account``'s check-ins, or all); returns how many
    runs were claimed and sent. Without the keyring (``secrets``) nothing is sent."""
    if secrets is None:
        return 0
    now = clock.now()
    zone = load_schedule(store).zone
    with store.writing() as session:
        for run_id in stored.fail_interrupted(session, now):
            log.warning("check-in run %d was interrupted while sending: not resent", run_id)
        checkins = stored.all_checkins(session)
        accounts = {a.id: a for a in list_accounts(session)}
    sent = 0
    for checkin in checkins:
        if account is not None and checkin.account_id != account.id:
            continue
        sender = accounts.get(checkin.account_id)
        if sender is None:
            continue
        due = rules.due_instant(cadence_of(checkin), zone, now, checkin.created_at)
        if due is None:
            continue
        try:
            sent += _send_run(store, clock, secrets, checkin, sender, due, zone, source)
        except AsyncDeskError as error:
            log.warning("check-in %r not sent: %s", checkin.name, error.message)
    return sent


def _user_name(account: Account) -> str:
    name = str(account.config.get("display_name") or "").strip()
    if name:
        return name
    me = account.identities[0] if account.identities else account.name
    return me.split("@")[0] if account.kind is AccountKind.EMAIL else me.lstrip("@").split(":")[0]


def _send_run(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    checkin: CheckinRecord,
    account: Account,
    due: datetime,
    zone: ZoneInfo,
    source: Source | None,
) -> int:
    now = clock.now()
    body = rules.message_text(checkin.question, _user_name(account))
    subject = rules.subject(checkin.name, due, zone)
    if account.kind is AccountKind.EMAIL:
        return _send_email_run(store, clock, secrets, checkin, account, due, subject, body, now)
    with store.writing() as session:
        run_id = stored.claim_run(session, checkin.id, due, now)
        if run_id is None:
            return 0
        send_ids = {r: stored.add_send(session, run_id, r) for r in checkin.recipients}
    _send_chat(store, clock, secrets, account, body, send_ids, source)
    with store.writing() as session:
        state = stored.finish_run(session, run_id, clock.now())
    log.info("check-in %r asked in %s (%s): %s", checkin.name, account.name, due, state.value)
    return 1


def _send_email_run(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    checkin: CheckinRecord,
    account: Account,
    due: datetime,
    subject: str,
    body: str,
    now: datetime,
) -> int:
    # Imported here: services.reply reaches services.sync, which calls this module.
    from asyncdesk.services.reply import flush_outbox, outbound_message

    assert account.id is not None
    from_address = account.identities[0]
    composed = []
    for recipient in checkin.recipients:
        message = compose_new(
            from_address=from_address,
            from_name=str(account.config.get("display_name") or ""),
            to=[recipient],
            cc=[],
            subject=subject,
            body=body,
            now=now,
            domain=from_address.rpartition("@")[2],
        )
        raw = message.as_bytes(policy=email.policy.SMTP)
        message_id = normalize_message_id(str(message["Message-ID"]))
        assert message_id is not None  # compose_new always sets one
        composed.append((recipient, raw, message_id))
    # The claim, the outbox items and their copies for Sent: one transaction.
    with store.writing() as session:
        run_id = stored.claim_run(session, checkin.id, due, now)
        if run_id is None:
            return 0
        for recipient, raw, message_id in composed:
            outbox.enqueue(
                session,
                account_id=account.id,
                reply_to_pk=None,
                message_id=message_id,
                raw=raw,
                envelope_from=from_address,
                recipients=[recipient],
                now=now,
            )
            copy = outbound_message(raw, conversation=None, at=now, body=body)
            outbox.record_outbound(session, account.id, copy, answers=None, now=now)
            stored.add_send(session, run_id, recipient, message_id=message_id)
    result = flush_outbox(store, clock, secrets, account=account.name)
    for error in result.errors:
        log.warning("check-in %r from %s: %s", checkin.name, account.name, error)
    with store.writing() as session:
        run = stored.run_by_id(session, run_id)
        assert run is not None
        for send in run.sends:
            delivery = send.delivery
            if delivery in (OutboxState.SENT.value, OutboxState.FILED.value):
                stored.mark_send(session, send.id, SendState.SENT, now=clock.now())
            elif delivery == OutboxState.FAILED.value:
                item = outbox.items(session, (OutboxState.FAILED,))
                why = next((i.error for i in item if i.message_id == send.message_id), None)
                stored.mark_send(
                    session, send.id, SendState.FAILED, now=clock.now(), error=why or "refused"
                )
        state = stored.finish_run(session, run.id, clock.now())
    log.info(
        "check-in %r sent from %s to %d people: %s",
        checkin.name,
        account.name,
        len(composed),
        state.value,
    )
    return 1


def _send_chat(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    account: Account,
    body: str,
    send_ids: dict[str, int],
    source: Source | None,
) -> None:
    """Post ``body`` to each person's direct conversation (or the room given)."""
    from asyncdesk.services.chat_accounts import open_source

    assert account.id is not None
    own = source is None
    try:
        chat = open_source(account, secrets) if source is None else source
    except AsyncDeskError as error:
        with store.writing() as session:
            for send_id in send_ids.values():
                stored.mark_send(
                    session, send_id, SendState.FAILED, now=clock.now(), error=error.message
                )
        log.warning("check-in from %s not sent: %s", account.name, error.message)
        return
    try:
        for recipient, send_id in send_ids.items():
            try:
                where, remote_id = _post(store, account, chat, recipient, body)
            except AsyncDeskError as error:
                with store.writing() as session:
                    stored.mark_send(
                        session, send_id, SendState.FAILED, now=clock.now(), error=error.message
                    )
                log.warning(
                    "check-in to %s (%s) not sent: %s", recipient, account.name, error.message
                )
                continue
            with store.writing() as session:
                stored.mark_send(
                    session,
                    send_id,
                    SendState.SENT,
                    now=clock.now(),
                    conversation=where,
                    remote_id=remote_id,
                )
    finally:
        if own:
            chat.close()


def _post(
    store: Store, account: Account, chat: Source, recipient: str, body: str
) -> tuple[str, str]:
    assert account.id is not None
    text = body.rstrip("\n")
    if rules.is_room(recipient):
        room: str | None = recipient
    else:
        with store.reading() as session:
            room = stored.direct_conversation(session, account.id, recipient)
    if account.kind is AccountKind.MATRIX:
        from asyncdesk.sources.matrix import MatrixSource

        assert isinstance(chat, MatrixSource)
        if room is None:
            raise BadInput(f"no direct conversation with {recipient} yet: start one first")
        return room, chat.send_reply(room, text)
    from asyncdesk.sources.slack import SlackSource

    assert isinstance(chat, SlackSource)
    # Slack opens the direct conversation itself when given a user id.
    remote_id = chat.send_reply(room or recipient, text)
    return remote_id.rpartition(":")[0] or (room or recipient), remote_id
