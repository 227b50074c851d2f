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
    if args.json:
        print(json.dumps(shown.as_json(), indent=2, ensure_ascii=False))
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
    return 0
