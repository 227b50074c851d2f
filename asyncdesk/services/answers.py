"""Saved answers: save one (typed, or from a stored message), list, search, export.

Every input is checked (``core.answers``) before anything is written, so bad input is
one :class:`BadInput` line and an unchanged profile. Instants are UTC, from the
injected clock.

Export writes Markdown into a folder that is new, empty, or an earlier export of
answers (it holds :data:`EXPORT_MANIFEST`, the list of files that export wrote); any
other folder with something in it is refused before a byte is written. Each file is
written to a temporary file beside it and renamed over it, so a file is whole or not
there. The manifest is written first (old and new files together) and again last
(the new files), so a folder an interrupted export left behind is still known as one;
files of an earlier export that no answer needs any more are removed, other files
are left alone.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from asyncdesk.core.answers import (
    EXPORT_FILE,
    EXPORT_MANIFEST,
    Answer,
    AnswerSource,
    ThreadPart,
    check_body,
    check_query,
    check_title,
    file_name,
    index_markdown,
    parse_tags,
    query_words,
    recording_links,
    thread_transcript,
    to_markdown,
)
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import BadInput
from asyncdesk.services.stats import write_atomically
from asyncdesk.store import answers as stored
from asyncdesk.store.database import Store

log = logging.getLogger(__name__)

INDEX = "index.md"


@dataclass(frozen=True, slots=True)
class Saved:
    """What :func:`add_answer` saved: the answer, and for one made from a message,
    which text was taken (``body`` or ``snippet``)."""

    answer: Answer

    @property
    def taken(self) -> str | None:
        return None if self.answer.source is None else self.answer.source.text


def add_answer(
    store: Store,
    clock: Clock,
    *,
    title: str,
    tags: str | None,
    body: str | None = None,
    from_message: int | None = None,
    whole_thread: bool = False,
) -> Saved:
    """Save an answer with ``body``, or with the text of the stored message
    ``from_message`` (its fetched body, else its preview), or with ``whole_thread``
    the thread it belongs to (:func:`asyncdesk.core.answers.thread_transcript`: each
    message's own words under who wrote it and when). Exactly one text is given."""
    if (body is None) == (from_message is None):
        raise BadInput("give the answer's text: --body-stdin or --from-message ID")
    if whole_thread and from_message is None:
        raise BadInput("--whole-thread saves the thread of a message: give --from-message ID")
    title = check_title(title)
    tag_list = parse_tags(tags)
    source: AnswerSource | None = None
    if from_message is not None:
        with store.reading() as session:
            message = stored.source_message(session, from_message)
        if message is None:
            raise BadInput(f"no message with id {from_message} (see: asyncdesk inbox --json)")
        taken = "body" if message.body is not None and message.body.strip() else "snippet"
        body = message.body if taken == "body" else message.snippet
        if whole_thread:
            taken = "thread"
            body = _thread_text(store, from_message)
        if not (body or "").strip():
            raise BadInput(f"message {from_message} has no text to save")
        source = AnswerSource(
            message_id=message.id,
            account=message.account,
            remote_id=message.remote_id,
            sender=message.sender,
            subject=message.subject,
            received_at=message.received_at,
            text=taken,
        )
    assert body is not None
    body = check_body(body)
    links = recording_links(body)
    now = clock.now()
    with store.writing() as session:
        answer_id = stored.add_answer(
            session, title=title, body=body, tags=tag_list, links=links, source=source, now=now
        )
    log.info("saved answer %d (%d tags, %d recording links)", answer_id, len(tag_list), len(links))
    with store.reading() as session:
        found = stored.get_answer(session, answer_id)
    assert found is not None
    return Saved(found)


def _thread_text(store: Store, message_pk: int) -> str:
    """The thread of a stored message as one text, in the schedule's time zone."""
    from asyncdesk.services.schedule import load_schedule

    zone = load_schedule(store).zone
    with store.reading() as session:
        messages = stored.thread_messages(session, message_pk)
    return thread_transcript(
        [
            ThreadPart(m.sender, m.received_at, m.body if m.body and m.body.strip() else m.snippet)
            for m in messages
        ],
        zone,
    )


def iter_answers(store: Store) -> Iterator[Answer]:
    """Every answer, newest first."""
    with store.reading() as session:
        yield from stored.iter_answers(session)


def search_answers(store: Store, query: str, *, limit: int = 200) -> list[Answer]:
    """Answers holding every word (or ``"phrase"``) of ``query`` in title, body or
    tags, best first. A query without a letter or digit, or over ``MAX_QUERY``
    characters, is :class:`BadInput`."""
    words = query_words(check_query(query))
    with store.reading() as session:
        return stored.search_answers(session, words, limit=limit)


# ------------------------------------------------------------------------------ export


@dataclass(frozen=True, slots=True)
class Exported:
    folder: Path
    answers: int
    removed: int


def _shown(folder: Path) -> str:
    text = str(folder)
    return text if len(text) <= 80 else text[:77] + "..."


def _earlier_files(folder: Path) -> set[str] | None:
    """The files an earlier export wrote into ``folder`` (by its manifest), or None if
    the folder is not an earlier export."""
    try:
        data = json.loads((folder / EXPORT_MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, list):
        return None
    # Only names this module writes: a manifest can never point elsewhere.
    return {name for name in files if isinstance(name, str) and EXPORT_FILE.fullmatch(name)}


def check_export_folder(folder: Path) -> set[str]:
    """Refuse a folder export must not write into (:class:`BadInput`); returns the
    files of an earlier export there (empty for a new or empty folder)."""
    shown = _shown(folder)
    try:
        if folder.exists() and not folder.is_dir():
            raise BadInput(f"{shown} is a file: give a folder for the export")
        if not folder.exists():
            if not folder.parent.is_dir():
                raise BadInput(f"no such folder {_shown(folder.parent)!r} to make {shown} in")
            return set()
        if not any(folder.iterdir()):
            return set()
    except OSError as error:  # a name too long, a folder we may not read
        raise BadInput(f"cannot use {shown!r}: {error.strerror or error}") from None
    earlier = _earlier_files(folder)
    if earlier is None:
        raise BadInput(
            f"{shown} is not empty and holds no earlier export of answers: "
            "give a new or empty folder"
        )
    return earlier


def _manifest(files: set[str]) -> str:
    return json.dumps({"format": 1, "files": sorted(files)}, indent=1) + "\n"


def export_answers(store: Store, folder: Path) -> Exported:
    """Write every answer as ``NNNN-slug.md`` and an ``index.md`` into ``folder``."""
    earlier = check_export_folder(folder)
    with store.reading() as session:
        answers = list(stored.iter_answers(session))
    files = {file_name(answer): to_markdown(answer) for answer in answers}
    try:
        folder.mkdir(exist_ok=True)
        write_atomically(folder / EXPORT_MANIFEST, _manifest(earlier | set(files)))
        for name, content in files.items():
            write_atomically(folder / name, content)
        write_atomically(folder / INDEX, index_markdown(answers))
        stale = earlier - set(files)
        for name in stale:
            (folder / name).unlink(missing_ok=True)
        write_atomically(folder / EXPORT_MANIFEST, _manifest(set(files)))
    except OSError as error:
        raise BadInput(
            f"cannot write the export into {_shown(folder)!r}: {error.strerror or error}"
        ) from None
    log.info("exported %d answers to %s", len(answers), os.fspath(folder))
    return Exported(folder, len(answers), len(stale))
