"""Deciding, as a message arrives, whether it needs a reply and by when."""

from __future__ import annotations

from datetime import timedelta

from asyncdesk.core.accounts import Account
from asyncdesk.core.classify import needs_reply
from asyncdesk.core.messages import Message, Triage


def triage(message: Message, account: Account, sla: timedelta) -> Triage:
    """Needs-reply by the classification rules; due ``sla`` after receipt if it does."""
    if needs_reply(message, account.identities):
        return Triage(needs_reply=True, due_at=message.received_at + sla)
    return Triage(needs_reply=False)
