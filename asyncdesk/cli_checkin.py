"""``asyncdesk checkin add|list|results|remove``: check-ins from the command line.

Kept apart from ``cli.py``, whose parser names these handlers and whose helpers open
the profile (imported when a handler runs: ``cli`` imports this module). The name, the
days, the time and the question are checked before the profile is opened, and the
account and recipients before anything is written, so bad input is one line (exit 2)
and changes nothing. ``docs/CLI.md`` ("Check-ins") has the JSON shapes. Sending is the
sync's (``asyncdesk.services.checkins``). No Qt here, as in :mod:`asyncdesk.cli`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from asyncdesk.core import checkins as rules
from asyncdesk.core.clock import Clock, to_iso_z
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import format_clock, parse_clock, parse_days
from asyncdesk.store.checkins import RunRecord
from asyncdesk.store.database import Store

#: Bytes of standard input read at most for a question (UTF-8, 4 bytes a character).
_MAX_QUESTION_BYTES = rules.MAX_QUESTION_CHARS * 4


def _open_existing(args: argparse.Namespace) -> Store:
    from asyncdesk.cli import _open_existing as open_existing

    return open_existing(args)


def _clock() -> Clock:
    """The real clock (``ASYNCDESK_AT`` shifts it, as for ``sync``)."""
    from asyncdesk.cli import _live_clock

    return _live_clock()


def _read_question() -> str:
    if sys.stdin is None:
        raise BadInput("no standard input to read the question from")
    if sys.stdin.isatty():
        print(
            "Type the question; end it with Ctrl-D on a line of its own (Ctrl-C cancels):",
            file=sys.stderr,
        )
    binary = getattr(sys.stdin, "buffer", None)
    if binary is None:
        return rules.check_question(str(sys.stdin.read(_MAX_QUESTION_BYTES + 1)))
    data = binary.read(_MAX_QUESTION_BYTES + 1)
    try:
        text = str(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInput("the question on standard input is not UTF-8 text: nothing saved") from None
    return rules.check_question(text)


def add(args: argparse.Namespace) -> int:
    from asyncdesk.services.checkins import add_checkin, list_checkins

    rules.check_name(args.name)  # before the profile is opened or standard input read
    parse_days(args.days)
    parse_clock(args.at)
    clock = _clock()
    with _open_existing(args) as store:  # a missing profile is said before any typing
        question = _read_question()
        created = add_checkin(
            store,
            clock,
            name=args.name,
            days=args.days,
            at=args.at,
            to=args.to,
            account=args.account,
            question=question,
        )
        listed = next(i for i in list_checkins(store, clock) if i.checkin.id == created.id)
    people = len(created.recipients)
    print(
        f"Check-in {created.name!r} added: {created.days} {format_clock(created.minute)} "
        f"({listed.zone.key}), to {people} {'person' if people == 1 else 'people'} through "
        f"{created.account}; first asked at {to_iso_z(listed.next_due)} by the sync."
    )
    return 0


def remove(args: argparse.Namespace) -> int:
    from asyncdesk.services.checkins import remove_checkin

    with _open_existing(args) as store:
        gone = remove_checkin(store, args.name)
    print(f"Check-in {gone.name!r} removed (messages sent and answers stay in the inbox).")
    return 0


def _run_json(run: RunRecord | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "due_at": to_iso_z(run.due_at),
        "state": run.state.value,
        "sent_at": None if run.sent_at is None else to_iso_z(run.sent_at),
        "error": run.error,
    }


def list_(args: argparse.Namespace) -> int:
    from asyncdesk.services.checkins import list_checkins

    clock = _clock()
    with _open_existing(args) as store:
        listed = list_checkins(store, clock)
    if args.json:
        document = [
            {
                "name": item.checkin.name,
                "account": item.checkin.account,
                "days": item.checkin.days,
                "at": format_clock(item.checkin.minute),
                "zone": item.zone.key,
                "to": list(item.checkin.recipients),
                "question": item.checkin.question,
                "created_at": to_iso_z(item.checkin.created_at),
                "next_due": to_iso_z(item.next_due),
                "last_run": _run_json(item.last_run),
            }
            for item in listed
        ]
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    if not listed:
        print(
            "No check-ins yet (add one with: asyncdesk checkin add NAME --days fri --at 15:00 ...)"
        )
        return 0
    for item in listed:
        c = item.checkin
        last = item.last_run
        done = "never asked yet" if last is None else f"last {to_iso_z(last.due_at)} {last.state}"
        print(
            f"{c.name}: {c.days} {format_clock(c.minute)} ({item.zone.key}) through {c.account} "
            f"to {', '.join(c.recipients)}; next {to_iso_z(item.next_due)}; {done}"
        )
    return 0


def results(args: argparse.Namespace) -> int:
    from asyncdesk.services.checkins import results as gather

    with _open_existing(args) as store:
        found = gather(store, args.name)
    run = found.run
    if args.json:
        document = {
            "name": found.checkin.name,
            "account": found.checkin.account,
            "run": _run_json(run),
            "asked": list(found.asked),
            "answered": [
                {
                    "recipient": a.recipient,
                    "sender": a.sender,
                    "sender_name": a.sender_name,
                    "received_at": to_iso_z(a.received_at),
                    "text": rules.answer_preview(a.text),
                    "id": a.message_pk,
                }
                for a in found.answers
            ],
            "not_answered": list(found.not_answered),
            "pending": list(found.pending),
            "failed": [{"recipient": who, "error": why} for who, why in found.failed],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    if run is None:
        print(f"Check-in {found.checkin.name!r} has not been asked yet: no answers to show.")
        return 0
    print(f"Check-in {found.checkin.name!r}, asked {to_iso_z(run.due_at)} ({run.state}):")
    if not found.answers:
        print("  No answers yet.")
    for answer in found.answers:
        who = answer.sender_name or answer.sender
        print(f"  {who} ({to_iso_z(answer.received_at)}): {rules.answer_preview(answer.text)}")
    if found.not_answered:
        print(f"Not answered yet: {', '.join(found.not_answered)}")
    for who in found.pending:
        print(f"Waiting in the outbox for {who} (the next sync sends it)")
    for who, why in found.failed:
        print(f"Not sent to {who}: {why}")
    return 0
