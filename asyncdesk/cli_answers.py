"""``asyncdesk answers add|list|search|export``: the saved answers of the command line.

Kept apart from ``cli.py``, whose parser names these handlers and whose helpers open
the profile (imported when a handler runs: ``cli`` imports this module). Input is
checked before the profile is opened or a folder made; ``docs/CLI.md`` ("Saved
answers") has the JSON shapes and the rules.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from asyncdesk.core.answers import (
    MAX_BODY_BYTES,
    Answer,
    check_body,
    check_query,
    check_title,
    parse_tags,
)
from asyncdesk.core.clock import SystemClock, to_iso_z
from asyncdesk.core.errors import BadInput
from asyncdesk.store.database import Store


def _open_existing(args: argparse.Namespace) -> Store:
    """The profile, which must exist (``cli._open_existing``)."""
    from asyncdesk.cli import _open_existing as open_existing

    return open_existing(args)


def _open_or_create(args: argparse.Namespace) -> Store:
    """The profile, made if it is not there yet (as ``schedule`` commands do)."""
    from asyncdesk.cli import _profile_root, _store

    return _store(_profile_root(args))


def _read_body() -> str:
    """Standard input, refused past :data:`MAX_BODY_BYTES` without reading it all."""
    if sys.stdin is None:
        raise BadInput("no standard input to read the answer from")
    binary = getattr(sys.stdin, "buffer", None)
    if binary is not None:
        data = binary.read(MAX_BODY_BYTES + 1)
        if len(data) > MAX_BODY_BYTES:
            raise BadInput(f"the answer is over {MAX_BODY_BYTES // 1_048_576} MiB: nothing saved")
        try:
            return str(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise BadInput(
                "the answer on standard input is not UTF-8 text: nothing saved"
            ) from None
    text = sys.stdin.read(MAX_BODY_BYTES + 1)
    return str(text)


def add(args: argparse.Namespace) -> int:
    from asyncdesk.services.answers import add_answer

    check_title(args.title)  # before the profile is opened or standard input read
    parse_tags(args.tags)
    if args.whole_thread and args.from_message is None:
        raise BadInput("--whole-thread saves the thread of a message: give --from-message ID")
    if args.from_message is not None:
        with _open_existing(args) as store:
            saved = add_answer(
                store,
                SystemClock(),
                title=args.title,
                tags=args.tags,
                from_message=args.from_message,
                whole_thread=args.whole_thread,
            )
    else:
        if sys.stdin is not None and sys.stdin.isatty():
            print(
                "Type the answer; end it with Ctrl-D on a line of its own (Ctrl-C cancels):",
                file=sys.stderr,
                flush=True,
            )
        body = _read_body()
        check_body(body)  # an empty or huge answer creates no profile
        with _open_or_create(args) as store:
            saved = add_answer(store, SystemClock(), title=args.title, tags=args.tags, body=body)
    answer = saved.answer
    taken = ""
    if answer.source is not None:
        what = {
            "body": "its body",
            "thread": "its whole thread",
        }.get(
            saved.taken or "",
            "its preview only (the body was not fetched yet: open it in the app first)",
        )
        taken = f" from message {answer.source.message_id}, {what}"
    links = f"; {len(answer.links)} recording link(s) kept" if answer.links else ""
    print(f"Saved answer {answer.id} ({answer.title}){taken}{links}.")
    return 0


def _print_rows(answers: list[Answer], json_out: bool, empty: str) -> None:
    if json_out:
        out = sys.stdout
        out.write("[")
        for index, answer in enumerate(answers):
            out.write("\n  " if index == 0 else ",\n  ")
            out.write(json.dumps(answer.as_json(), ensure_ascii=False))
        out.write("\n]\n" if answers else "]\n")
        return
    if not answers:
        print(empty)
    for answer in answers:
        tags = f"  [{', '.join(answer.tags)}]" if answer.tags else ""
        links = f"  ({len(answer.links)} recording(s))" if answer.links else ""
        print(f"{answer.id:>5}  {to_iso_z(answer.created_at)[:10]}  {answer.title}{tags}{links}")
        if answer.snippet:
            print(f"       {answer.snippet[:100]}")


def list_(args: argparse.Namespace) -> int:
    from asyncdesk.services.answers import iter_answers

    with _open_existing(args) as store:
        answers = list(iter_answers(store))
    _print_rows(
        answers,
        args.json,
        "No saved answers. Save one with: asyncdesk answers add --title T --body-stdin",
    )
    return 0


def search(args: argparse.Namespace) -> int:
    from asyncdesk.services.answers import search_answers

    check_query(args.query)
    with _open_existing(args) as store:
        found = search_answers(store, args.query)
    _print_rows(found, args.json, "No saved answer matches.")
    return 0


def export(args: argparse.Namespace) -> int:
    from asyncdesk.services.answers import check_export_folder, export_answers

    if not args.dir.strip():
        raise BadInput("answers export needs a folder")
    folder = Path(args.dir).expanduser()
    check_export_folder(folder)  # before the profile is opened
    with _open_existing(args) as store:
        done = export_answers(store, folder)
    removed = f"; removed {done.removed} file(s) of answers no longer saved" if done.removed else ""
    print(f"Exported {done.answers} answer(s) to {done.folder} (index.md){removed}.")
    return 0
