"""``asyncdesk autoreply on|off|show [--json] [--at ISO8601]`` and ``autoreply feed FILE``:
the published-availability switch, a preview of the reply a first-time sender would
get and of the chat status, what was sent or set on the user's behalf, and the
calendar feed of the windows written to a file.

Sending happens in the sync (``asyncdesk.services.auto_replies`` for email,
``asyncdesk.services.presence`` for the Matrix and Slack status, see docs/CLI.md);
``on`` and ``off`` record the choice it reads.
Input (the action, ``FILE``, ``--at``) is checked before the profile is opened, so bad
input writes nothing. No Qt here, as in :mod:`asyncdesk.cli`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from asyncdesk.core.clock import to_iso_z
from asyncdesk.core.errors import BadInput
from asyncdesk.services.auto_replies import recent_auto_replies
from asyncdesk.store.auto_replies import AutoReplyRecord

if TYPE_CHECKING:
    from asyncdesk.core.clock import Clock
    from asyncdesk.store.database import Store

#: Auto-replies ``show`` lists: the log of what was sent on the user's behalf.
RECENT = 20

HOW_IT_SENDS = (
    "While the inbox is closed, the sync answers each person who writes first in a "
    "conversation, once per closed period; never lists, bulk or automated mail. "
    "Matrix and Slack accounts show a status with the next window, and Slack does not "
    "disturb during deep work."
)


def feed_target(args: argparse.Namespace) -> Path | None:
    """The file ``autoreply feed`` writes (None for the other actions); BadInput, before
    anything is opened, for a FILE without ``feed``, ``feed`` without one, or a folder."""
    text = getattr(args, "file", None)
    if args.action != "feed":
        if text is not None:
            raise BadInput(
                f"autoreply {args.action} takes no FILE (autoreply feed FILE writes one)"
            )
        return None
    if not text:
        raise BadInput("autoreply feed needs a FILE to write the calendar to (e.g. windows.ics)")
    path = Path(text).expanduser()
    if path.is_dir():
        raise BadInput(f"{text!r} is a folder: give the name of the .ics file to write")
    if not path.parent.is_dir():
        raise BadInput(f"cannot write {text!r}: there is no folder {str(path.parent)!r}")
    return path


def cmd_autoreply(args: argparse.Namespace) -> int:
    # The CLI's helpers, imported here: asyncdesk.cli imports this module.
    from asyncdesk import cli
    from asyncdesk.services import autoreply, presence

    clock = cli._clock(args)  # checks --at before anything is opened
    now = clock.now()
    target = feed_target(args)
    with cli._open_existing(args) as store:
        if target is not None:
            return _write_feed(store, clock, target, args.json)
        if args.action in ("on", "off"):
            autoreply.set_enabled(store, args.action == "on")
            presence.nudge()
            enabled = autoreply.is_enabled(store)
            if args.json:
                print(json.dumps({"enabled": enabled}))
            else:
                print(f"Auto-reply: {'on' if enabled else 'off'}. {HOW_IT_SENDS}")
            return 0
        shown = autoreply.preview(store, now)
        sent = recent_auto_replies(store, RECENT)
        status = presence.status_now(store, now)
        statuses = presence.recent_statuses(store, RECENT, now=now)
    if args.json:
        document = shown.as_json()
        document["sent"] = [_record_json(record) for record in sent]
        document["status"] = {
            "mode": status.mode.value,
            "text": status.text,
            "until": None if status.until is None else to_iso_z(status.until),
            "do_not_disturb_until": None
            if status.snooze_until is None
            else to_iso_z(status.snooze_until),
        }
        document["statuses"] = [record.as_json() for record in statuses]
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
    print(f"Matrix and Slack status now: {status.text}")
    if status.snooze_until is not None:
        print(f"Slack: do not disturb until {to_iso_z(status.snooze_until)}")
    print()
    if not sent:
        print("No auto-reply sent yet.")
    else:
        print(f"Recent auto-replies (newest first, at most {RECENT}):")
        for record in sent:
            when = to_iso_z(record.sent_at or record.created_at)
            line = f"  {when}  {record.state.value:<7} {record.recipient} ({record.account})"
            print(f"{line}: {record.error}" if record.error else line)
    if not statuses:
        print("No chat status set yet.")
        return 0
    print(f"Recent chat statuses (newest first, at most {RECENT}):")
    for change in statuses:
        print(f"  {to_iso_z(change.at)}  {change.line()}")
    return 0


def _write_feed(store: Store, clock: Clock, target: Path, as_json: bool) -> int:
    from asyncdesk.services.availability_feed import FEED_WEEKS, write_feed
    from asyncdesk.services.presence import remember_feed

    try:
        write_feed(store, clock, target)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise BadInput(f"cannot write the calendar feed to {str(target)!r}: {reason}") from None
    # While published availability is on, the sync keeps this file current.
    remember_feed(store, clock, target)
    if as_json:
        print(json.dumps({"path": str(target), "weeks": FEED_WEEKS}))
    else:
        print(f"Wrote the calendar of your windows ({FEED_WEEKS} weeks) to {target}")
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
