"""``asyncdesk autoreply on|off|show [--json] [--at ISO8601]``: the published-availability
switch and a preview of the reply a first-time sender would get.

Sending happens in the sync (``asyncdesk.services.auto_replies``, see docs/CLI.md);
``on`` and ``off`` record the choice it reads.
Input (the action, ``--at``) is checked before the profile is opened, so bad input
writes nothing. No Qt here, as in :mod:`asyncdesk.cli`.
"""

from __future__ import annotations

import argparse
import json

from asyncdesk.core.clock import to_iso_z
from asyncdesk.services.auto_replies import recent_auto_replies
from asyncdesk.store.auto_replies import AutoReplyRecord

#: Auto-replies ``show`` lists: the log of what was sent on the user's behalf.
RECENT = 20

HOW_IT_SENDS = (
    "While the inbox is closed, the sync answers each person who writes first in a "
    "conversation, once per closed period; never lists, bulk or automated mail."
)


def cmd_autoreply(args: argparse.Namespace) -> int:
    # The CLI's helpers, imported here: asyncdesk.cli imports this module.
    from asyncdesk import cli
    from asyncdesk.services import autoreply

    clock = cli._clock(args)  # checks --at before anything is opened
    now = clock.now()
    with cli._open_existing(args) as store:
        if args.action in ("on", "off"):
            autoreply.set_enabled(store, args.action == "on")
            enabled = autoreply.is_enabled(store)
            if args.json:
                print(json.dumps({"enabled": enabled}))
            else:
                print(f"Auto-reply: {'on' if enabled else 'off'}. {HOW_IT_SENDS}")
            return 0
        shown = autoreply.preview(store, now)
        sent = recent_auto_replies(store, RECENT)
    if args.json:
        document = shown.as_json()
        document["sent"] = [_record_json(record) for record in sent]
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    facts = shown.facts
    state = "on" if shown.enabled else "off (turn it on with: asyncdesk autoreply on)"
    print(f"Auto-reply: {state}")
    print(HOW_IT_SENDS)
    print(f"Reply by: {to_iso_z(facts.reply_by)} ({facts.by_phrase()}, {facts.zone.key})")
    if facts.open_now:
        print("The inbox is open now: no auto-reply would be sent at this instant.")
    print()
    print("A first-time sender writing now would get:")
    print(f"Subject: {shown.reply.subject}")
    print()
    print(shown.reply.body.rstrip("\n"))
    print()
    if not sent:
        print("No auto-reply sent yet.")
        return 0
    print(f"Recent auto-replies (newest first, at most {RECENT}):")
    for record in sent:
        when = to_iso_z(record.sent_at or record.created_at)
        line = f"  {when}  {record.state.value:<7} {record.recipient} ({record.account})"
        print(f"{line}: {record.error}" if record.error else line)
    return 0


def _record_json(record: AutoReplyRecord) -> dict[str, object]:
    return {
        "account": record.account,
        "conversation": record.conversation,
        "recipient": record.recipient,
        "message_id": record.message_id,
        "state": record.state.value,
        "error": record.error,
        "window_key": to_iso_z(record.window_key),
        "created_at": to_iso_z(record.created_at),
        "sent_at": None if record.sent_at is None else to_iso_z(record.sent_at),
    }
