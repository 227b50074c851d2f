"""The auto-reply's switch and the text it would send, read from the profile.

Only the published-availability part: whether the user turned it on, and what a sender
writing at a given instant would be told (:mod:`asyncdesk.core.availability`). Sending
it (once per conversation per window, never to lists or automated mail) is
:mod:`asyncdesk.services.auto_replies`' job, and the chat status
:mod:`asyncdesk.services.presence`'s; nothing here sends anything.

Thread contract: every function blocks on disk; the CLI calls them on its main thread,
the UI from the task runner's database worker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asyncdesk.core import settings as declared
from asyncdesk.core.availability import (
    AutoReply,
    Availability,
    availability,
    check_template,
    render_auto_reply,
)
from asyncdesk.core.clock import to_iso_z
from asyncdesk.core.errors import BadInput
from asyncdesk.services.deadlines import load_rules
from asyncdesk.services.profile import read_setting, write_setting
from asyncdesk.services.schedule import load_schedule
from asyncdesk.store.database import Store

log = logging.getLogger(__name__)

#: The subject a preview answers when no real message is given.
PREVIEW_SUBJECT = "your message"


@dataclass(frozen=True, slots=True)
class Preview:
    """Whether the auto-reply is on, the facts it states and the reply itself."""

    enabled: bool
    facts: Availability
    reply: AutoReply

    def as_json(self) -> dict[str, Any]:
        """The ``autoreply show --json`` object (docs/CLI.md)."""
        upcoming = self.facts.next_window
        return {
            "enabled": self.enabled,
            "windows": [group.as_json() for group in self.facts.windows],
            "zone": self.facts.zone.key,
            "reply_by": to_iso_z(self.facts.reply_by),
            "next_window": None
            if upcoming is None
            else {"start": to_iso_z(upcoming.start), "end": to_iso_z(upcoming.end)},
            "text": self.reply.body,
        }


def set_enabled(store: Store, enabled: bool) -> None:
    write_setting(store, declared.AUTOREPLY_ENABLED, enabled)


def is_enabled(store: Store) -> bool:
    return read_setting(store, declared.AUTOREPLY_ENABLED)


def template(store: Store) -> str:
    """The user's template, or "" (the built-in text) when the stored one is unusable
    (a hand-edited profile): that is logged, and the built-in text is used."""
    text = read_setting(store, declared.AUTOREPLY_TEMPLATE)
    try:
        check_template(text)
    except BadInput as error:
        log.warning("ignoring the auto-reply template: %s", error.message)
        return ""
    return text


def preview(
    store: Store,
    now: datetime,
    *,
    sender: str = "",
    account: str = "",
    subject: str = PREVIEW_SUBJECT,
) -> Preview:
    """What ``sender`` (in ``account``) writing about ``subject`` at ``now`` (aware)
    would be told; sender and account choose the promise as for a real message."""
    facts = availability(load_schedule(store), load_rules(store).sla, now, sender, account)
    reply = render_auto_reply(facts, subject, template(store))
    return Preview(enabled=is_enabled(store), facts=facts, reply=reply)
