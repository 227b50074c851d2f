"""The user's reply-by choices, saved before a change and put back after it (undo).

The app offers "Undo" after dismissing, snoozing or overriding a message and after a
sender or domain rule. Undo is a *restore*, not an inverse operation: before the change
the app saves what the user had decided (:func:`save_choices`, :func:`save_rule`) and
undo writes that back (:func:`restore_choices`, :func:`restore_rule`). A rule change
re-classifies every message it covers and forgets their dismissals and snoozes, so the
rule's snapshot keeps those too.

What happened meanwhile wins over the snapshot: a message answered since stays
answered (a restored "open" becomes "replied" when a reply exists), and one that needs
no reply any more gets no state back.

Thread contract: every function blocks on disk; the UI calls them on its database
worker, like :mod:`asyncdesk.services.deadlines`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from asyncdesk.core.clock import Clock
from asyncdesk.core.messages import ReplyState
from asyncdesk.services.deadlines import (
    load_rules,
    normalize_target,
    override_message,
    remove_reply_rule,
    set_reply_rule,
)
from asyncdesk.store import promises
from asyncdesk.store.database import Store
from asyncdesk.store.messages import messages_by_id

log = logging.getLogger(__name__)

# States a user sets on a commitment (an answer is a fact, not a choice).
_CHOSEN = (ReplyState.OPEN, ReplyState.SNOOZED, ReplyState.DISMISSED)


@dataclass(frozen=True, slots=True)
class Choice:
    """One message's needs-reply override and reply-by state, as the user left them."""

    message_pk: int
    override: bool | None
    state: ReplyState | None
    snoozed_until: datetime | None


@dataclass(frozen=True, slots=True)
class RuleChoice:
    """A sender or domain rule as it was (``needs_reply`` None: there was none), and
    the dismissed or snoozed messages it covers."""

    kind: str
    key: str
    needs_reply: bool | None
    covered: tuple[Choice, ...]


def save_choices(store: Store, message_pks: Iterable[int]) -> list[Choice]:
    """What the user decided about these messages (ids that are no message are left out)."""
    with store.reading() as session:
        found = messages_by_id(session, message_pks)
    return [
        Choice(message.id, message.override, message.state, message.snoozed_until)
        for message in sorted(found, key=lambda message: message.id)
    ]


def restore_choices(store: Store, choices: Iterable[Choice]) -> None:
    """Put each saved override back, then the state the user had chosen."""
    for choice in choices:
        _restore(store, choice)


def _restore(store: Store, choice: Choice) -> None:
    with store.reading() as session:
        found = messages_by_id(session, [choice.message_pk])
    if not found:
        return
    if found[0].override != choice.override:
        override_message(store, choice.message_pk, choice.override)
    if choice.state not in _CHOSEN:
        return  # replied or needing no reply: the rules (just restored) decide
    with store.writing() as session:
        now = promises.target(session, choice.message_pk)
        if now is None or now.state not in _CHOSEN:
            return  # answered meanwhile, or no longer needing a reply
        replied = (
            None
            if choice.state is ReplyState.DISMISSED
            else promises.first_reply_after(session, choice.message_pk)
        )
        if replied is not None:  # answered while it was dismissed: a fact, kept
            promises.set_state(session, choice.message_pk, ReplyState.REPLIED)
            promises.set_replied_at(session, choice.message_pk, replied)
            return
        until = choice.snoozed_until if choice.state is ReplyState.SNOOZED else None
        promises.set_state(session, choice.message_pk, choice.state, snoozed_until=until)
    log.info("restored the reply-by state of message %d", choice.message_pk)


def save_rule(store: Store, kind: str, value: str) -> RuleChoice:
    """The rule for this sender or domain as it is now, before the user changes it."""
    key = normalize_target(kind, value, store)
    reply = load_rules(store).reply
    before = (reply.senders if kind == "sender" else reply.domains).get(key)
    with store.reading() as session:
        if kind == "sender":
            items = promises.inbound_matching(session, sender=key)
        else:
            items = promises.inbound_matching(session, domain=key)
    chosen = [item.id for item in items if item.state in (ReplyState.SNOOZED, ReplyState.DISMISSED)]
    return RuleChoice(kind, key, before, tuple(save_choices(store, chosen)))


def restore_rule(store: Store, clock: Clock, saved: RuleChoice) -> None:
    """Put the rule back as it was (or remove it), then the covered messages' states."""
    reply = load_rules(store).reply
    now = (reply.senders if saved.kind == "sender" else reply.domains).get(saved.key)
    if saved.needs_reply is None:
        if now is not None:
            remove_reply_rule(store, saved.kind, saved.key)
    elif now != saved.needs_reply:
        set_reply_rule(store, clock, saved.kind, saved.key, saved.needs_reply)
    restore_choices(store, saved.covered)
