"""Which inbound messages need a reply from the user.

Direct human messages do (To: the user, a DM, a mention); bulk and machine mail does
not (List-Id, Precedence bulk/list/junk, Auto-Submitted other than "no", no-reply
senders), nor mail where the user is only in Cc, nor group chatter without a mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from asyncdesk.core.messages import Direction, Medium, Message

_NO_REPLY_LOCALPART = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|mailer-daemon|postmaster|"
    r"bounces?|alerts?)([+-].*)?$"
)


def is_no_reply_sender(address: str) -> bool:
    local = address.partition("@")[0].lower()
    return bool(_NO_REPLY_LOCALPART.match(local))


def is_bulk(message: Message) -> bool:
    headers = message.headers
    if "list-id" in headers or "list-unsubscribe" in headers:
        return True
    if headers.get("precedence", "").strip().lower() in {"bulk", "list", "junk"}:
        return True
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return True
    return is_no_reply_sender(message.sender.address)


def needs_reply(message: Message, identities: Iterable[str]) -> bool:
    """Whether ``message`` expects an answer from the owner of ``identities``."""
    if message.direction is not Direction.INBOUND:
        return False
    mine = {identity.lower() for identity in identities}
    if message.sender.address in mine:
        return False
    if message.medium is Medium.CHAT:
        return message.is_direct or message.mentions_me
    if is_bulk(message):
        return False
    return any(address in mine for address in message.to)
