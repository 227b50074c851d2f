"""Saved answers (the knowledge base): what a valid one is, its recording links, and
how it is written out as Markdown. Pure: no I/O, no SQL.

An answer has a title (one line, at most :data:`MAX_TITLE` characters), tags (each
``[a-z0-9_-]``, at most :data:`MAX_TAG` characters, at most :data:`MAX_TAGS` of them)
and a body (not blank, at most :data:`MAX_BODY_BYTES` bytes of UTF-8). Links to
recordings in the body (Loom, Zoom recordings, YouTube, Vimeo, plain video files) are
kept with the line that explains them, so an answer that says "the walkthrough is
here: <loom link>" keeps saying so in a list of links.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Final

from asyncdesk.core.clock import to_iso_z
from asyncdesk.core.errors import BadInput
from asyncdesk.core.quoting import own_lines
from asyncdesk.core.video_links import URL, recording_kind, trimmed_url

MAX_TITLE: Final = 200
MAX_TAG: Final = 40
MAX_TAGS: Final = 20
#: 1 MiB of UTF-8: room for any written answer, not for a pasted log file or video.
MAX_BODY_BYTES: Final = 1_048_576
#: Characters of a search query (far more than words anyone types).
MAX_QUERY: Final = 500
#: Characters of a link's context line.
MAX_CONTEXT: Final = 300

_TAG: Final = re.compile(r"[a-z0-9_-]+")
# Line breaks other than \n that would split a "one line" title where it is shown.
_BREAKS: Final = frozenset({"Cc", "Zl", "Zp", "Cs"})


@dataclass(frozen=True, slots=True)
class RecordingLink:
    """A link to a recording: ``kind`` is loom, zoom, youtube, vimeo or video."""

    url: str
    context: str
    kind: str

    def as_json(self) -> dict[str, str]:
        return {"url": self.url, "context": self.context, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class AnswerSource:
    """Where an answer came from: one stored message. ``message_id`` is the message's
    id in the store while it is there (None once its account was removed); account,
    remote id, sender and subject stay. ``text`` says which text was taken: ``body``
    (the fetched body), ``snippet`` (the preview, the body not being fetched) or
    ``thread`` (the conversation it belongs to, see :func:`thread_transcript`)."""

    message_id: int | None
    account: str
    remote_id: str
    sender: str
    subject: str
    received_at: datetime
    text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "account": self.account,
            "remote_id": self.remote_id,
            "sender": self.sender,
            "subject": self.subject,
            "received_at": to_iso_z(self.received_at),
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """A saved answer; instants are UTC. ``snippet`` is one line for lists (for a
    search, the part of the body around the words found)."""

    id: int
    title: str
    tags: tuple[str, ...]
    body: str
    created_at: datetime
    updated_at: datetime
    source: AnswerSource | None
    links: tuple[RecordingLink, ...]
    snippet: str = ""

    def as_json(self) -> dict[str, Any]:
        """The row of ``answers list --json`` / ``answers search --json`` (docs/CLI.md)."""
        return {
            "id": self.id,
            "title": self.title,
            "tags": list(self.tags),
            "created_at": to_iso_z(self.created_at),
            "updated_at": to_iso_z(self.updated_at),
            "source": None if self.source is None else self.source.as_json(),
            "links": [link.as_json() for link in self.links],
            "snippet": self.snippet,
        }


@dataclass(frozen=True, slots=True)
class ThreadPart:
    """One message of a thread being saved: who, when (UTC), and its text."""

    sender: str
    at: datetime
    text: str


def thread_transcript(parts: Sequence[ThreadPart], zone: tzinfo) -> str:
    """A thread as one answer: each message oldest first under "Sender · Mon 23 Nov
    2026 14:18" (local time), only what each person wrote (an email reply quotes the
    whole thread before it: kept, the answer would hold every message many times).
    A message with no words of its own is left out."""
    blocks: list[str] = []
    for part in sorted(parts, key=lambda p: p.at):
        lines = own_lines(part.text)
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if not lines:
            continue
        when = part.at.astimezone(zone).strftime("%a %d %b %Y %H:%M")
        blocks.append(f"{part.sender} · {when}\n" + "\n".join(lines))
    return "\n\n".join(blocks)


# ---------------------------------------------------------------- checking the input


def check_title(title: str) -> str:
    """The title without surrounding spaces; one line of 1 to :data:`MAX_TITLE` characters."""
    cleaned = title.strip()
    if not cleaned:
        raise BadInput("--title needs some text")
    if any(unicodedata.category(ch) in _BREAKS for ch in cleaned):
        raise BadInput("--title must be one line of text")
    if len(cleaned) > MAX_TITLE:
        raise BadInput(f"--title: at most {MAX_TITLE} characters, please ({len(cleaned)} given)")
    return cleaned


def parse_tags(text: str | None) -> tuple[str, ...]:
    """``a, B ,a`` → ``("a", "b")``: comma-separated, trimmed, lower-case, first
    occurrence kept; empty pieces are skipped, but at least one tag must remain."""
    if text is None:
        return ()
    found: list[str] = []
    for piece in text.split(","):
        tag = piece.strip().lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG or _TAG.fullmatch(tag) is None:
            shown = tag if len(tag) <= 40 else tag[:37] + "..."
            raise BadInput(
                f"--tags: {shown!r} is not a tag (letters a-z, digits, - and _, "
                f"up to {MAX_TAG} characters)"
            )
        if tag not in found:
            found.append(tag)
    if not found:
        raise BadInput("--tags needs at least one tag, e.g. --tags pricing,onboarding")
    if len(found) > MAX_TAGS:
        raise BadInput(f"--tags: at most {MAX_TAGS} tags, please ({len(found)} given)")
    return tuple(found)


def check_body(body: str) -> str:
    """The body with line ends made ``\\n``; refused when blank, too big or holding
    NUL (which no text file or search index keeps)."""
    if len(body) > MAX_BODY_BYTES or len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise BadInput(f"the answer is over {MAX_BODY_BYTES // 1_048_576} MiB: nothing saved")
    if "\x00" in body:
        raise BadInput("the answer contains a NUL character: nothing saved")
    if any("\ud800" <= ch <= "\udfff" for ch in body):
        raise BadInput("the answer is not valid text: nothing saved")
    normal = body.replace("\r\n", "\n").replace("\r", "\n")
    if not normal.strip():
        raise BadInput("the answer is empty: nothing saved")
    return normal


def check_query(query: str) -> str:
    if len(query) > MAX_QUERY:
        raise BadInput(f"QUERY: at most {MAX_QUERY} characters, please")
    if not any(ch.isalnum() for ch in query):
        raise BadInput("QUERY has no words to search for (letters or digits)")
    return query


_TERM: Final = re.compile(r'"([^"]*)"?|(\S+)')


def query_words(query: str) -> list[str]:
    """The words and ``"quoted phrases"`` of a query, as typed (a quote left open runs
    to the end); parts without a letter or digit are left out. The store quotes each
    one, so nothing here is full-text syntax (``NEAR``, ``*``, ``-`` are text)."""
    found = []
    for match in _TERM.finditer(query):
        part = match.group(1) if match.group(1) is not None else match.group(2)
        if any(ch.isalnum() for ch in part):
            found.append(part)
    return found


# ------------------------------------------------------------------ recording links


def _context(lines: Sequence[str], index: int, url: str) -> str:
    """The line holding the link; when the link stands alone on its line, the nearest
    line with words before it (else after it), which is what introduces it."""
    line = lines[index].strip()
    if line.replace(url, "").strip(" \t-*•:<>()[]"):
        return _one_line(line)
    for step in (-1, 1):
        other = index + step
        while 0 <= other < len(lines):
            text = lines[other].strip()
            if text and not URL.fullmatch(text.strip("<>()[]-*• ")):
                return _one_line(text)
            other += step
    return _one_line(line)


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_CONTEXT else flat[: MAX_CONTEXT - 1] + "…"


def recording_links(body: str) -> tuple[RecordingLink, ...]:
    """The links to recordings in ``body``, in order, each once, with its context."""
    lines = body.split("\n")
    found: list[RecordingLink] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        for match in URL.finditer(line):
            url = trimmed_url(match.group(0))
            kind = recording_kind(url)
            if kind is None or url in seen:
                continue
            seen.add(url)
            found.append(RecordingLink(url, _context(lines, index, url), kind))
    return tuple(found)


# ---------------------------------------------------------------------- Markdown export

#: The file in an export folder that says it is one, and which files it wrote.
EXPORT_MANIFEST: Final = ".asyncdesk-answers.json"
EXPORT_FILE: Final = re.compile(r"[0-9]{4,}-[a-z0-9-]+\.md")


def slug(title: str) -> str:
    """A file-name part from a title: ASCII letters and digits joined by ``-``, at most
    60 characters (``answer`` when nothing is left, e.g. for a title in Japanese)."""
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_.lower())
    text = ""
    for word in words:
        candidate = f"{text}-{word}" if text else word
        if len(candidate) > 60:
            break
        text = candidate
    return text or (words[0][:60] if words else "answer")


def file_name(answer: Answer) -> str:
    return f"{answer.id:04d}-{slug(answer.title)}.md"


def _scalar(value: Any) -> str:
    """A JSON value, which YAML also reads (a double-quoted string, a flow list)."""
    return json.dumps(value, ensure_ascii=False)


def to_markdown(answer: Answer) -> str:
    """One answer as Markdown: front matter (title, tags, created, updated, source,
    links), the body as saved, and its recordings as a list."""
    lines = [
        "---",
        f"id: {answer.id}",
        f"title: {_scalar(answer.title)}",
        f"tags: {_scalar(list(answer.tags))}",
        f"created: {to_iso_z(answer.created_at)}",
        f"updated: {to_iso_z(answer.updated_at)}",
    ]
    if answer.source is None:
        lines.append("source: null")
    else:
        lines.append("source:")
        lines += [f"  {key}: {_scalar(value)}" for key, value in answer.source.as_json().items()]
    if not answer.links:
        lines.append("links: []")
    else:
        lines.append("links:")
        for link in answer.links:
            lines.append(f"  - url: {_scalar(link.url)}")
            lines.append(f"    context: {_scalar(link.context)}")
            lines.append(f"    kind: {_scalar(link.kind)}")
    lines += ["---", "", f"# {_md_text(answer.title)}", "", answer.body.rstrip("\n"), ""]
    if answer.links:
        lines += ["## Recordings", ""]
        lines += [f"- <{link.url}> — {_md_text(link.context)}" for link in answer.links]
        lines.append("")
    return "\n".join(lines)


def _md_text(text: str) -> str:
    """Text shown as written in Markdown (its markup characters escaped)."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def index_markdown(answers: Sequence[Answer]) -> str:
    """The export's ``index.md``: every answer, newest first, linked to its file."""
    lines = ["# Saved answers", ""]
    if not answers:
        lines.append("No saved answers yet.")
    for answer in answers:
        tags = f" — {', '.join(answer.tags)}" if answer.tags else ""
        recordings = f" — {len(answer.links)} recording(s)" if answer.links else ""
        day = to_iso_z(answer.created_at)[:10]
        lines.append(f"- [{_md_text(answer.title)}]({file_name(answer)}) ({day}){tags}{recordings}")
    lines.append("")
    return "\n".join(lines)
