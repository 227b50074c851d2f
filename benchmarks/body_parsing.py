"""How fast whole messages are read into text and HTML; prints a Markdown table.

    .venv/bin/python benchmarks/body_parsing.py [--messages 5000] [--repeat 3] [--seed 7]

Generates ``--messages`` messages of about 9 KB each (the median size of a person's
mail), in the shapes a mailbox holds: plain text (UTF-8, quoted-printable), Gmail and
Outlook style ``multipart/alternative`` (plain + HTML), HTML-only newsletters (base64),
``multipart/mixed`` with a small attachment, and replies with long quoted history in
ISO-8859-1. Then times, best of ``--repeat`` runs on one core:

- ``parse_body`` (asyncdesk.sources.mail_body), for each shape and for the mix;
- the stdlib as a reference: ``email.message_from_bytes(..., policy=email.policy.default)``
  with ``get_body(("plain", "html")).get_content()`` and the attachment names (no HTML to
  text: the stdlib has none).

The background fetch reads up to ``sync.body_budget_mb`` (200 MB) after a first sync:
about 22,000 such messages, whose parsing should stay small next to their download.
"""

from __future__ import annotations

import argparse
import base64
import email
import email.policy
import quopri
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asyncdesk.sources.mail_body import parse_body

WORDS = [
    *("the", "report", "meeting", "budget", "quarter", "review", "draft", "invoice"),
    *("schedule", "customer", "project", "deadline", "release", "contract", "update"),
    *("proposal", "feedback", "design", "server", "migration", "team", "Grüße", "Straße"),
    *("Müller", "naïve", "café", "señor", "déjà", "vu", "résumé", "über", "Zoë"),
]
TARGET = 9 * 1024


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + rng.choice(".!?")


def _paragraphs(rng: random.Random, size: int) -> list[str]:
    out: list[str] = []
    total = 0
    while total < size:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        out.append(paragraph)
        total += len(paragraph.encode()) + 2
    return out


def _wrap(text: str, width: int = 72) -> str:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            if len(line) + len(word) + 1 > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "\n".join(lines)


def _head(rng: random.Random, n: int, ctype: str, extra: str = "") -> bytes:
    return (
        f"From: Person {n % 97} <person{n % 97}@example.org>\r\nTo: alex.doe@example.com\r\n"
        f"Subject: Message {n}\r\nDate: Mon, 16 Nov 2026 09:{n % 60:02d}:00 +0100\r\n"
        f"Message-ID: <{n}.{rng.getrandbits(40):x}@example.org>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {ctype}\r\n{extra}\r\n"
    ).encode()


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _html(paragraphs: list[str]) -> str:
    cells = "".join(
        f'<tr><td style="padding:8px;font-family:Arial">{p}</td></tr>' for p in paragraphs
    )
    return (
        '<html><head><meta charset="utf-8"><style>td{color:#333}</style></head><body>'
        f'<table width="100%" cellpadding="0">{cells}</table>'
        '<p style="font-size:11px">You receive this because you subscribed. '
        '<a href="https://example.org/unsubscribe?u=123&amp;id=456">Unsubscribe</a></p></body></html>'
    )


def plain(rng: random.Random, n: int, size: int) -> bytes:
    text = _wrap("\n\n".join(_paragraphs(rng, size - 400)))
    body = quopri.encodestring(_crlf(text.encode()))
    return (
        _head(
            rng, n, "text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable\r\n"
        )
        + body
    )


def alternative(rng: random.Random, n: int, size: int) -> bytes:
    paragraphs = _paragraphs(rng, (size - 800) // 2)
    text = _wrap("\n\n".join(paragraphs))
    html = "".join(f'<div dir="ltr">{p}</div><div><br></div>' for p in paragraphs)
    boundary = f"000000000000{rng.getrandbits(48):012x}"
    body = (
        f'--{boundary}\r\nContent-Type: text/plain; charset="UTF-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode() + quopri.encodestring(_crlf(text.encode()))
    body += (
        f'\r\n--{boundary}\r\nContent-Type: text/html; charset="UTF-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode() + quopri.encodestring(html.encode())
    body += f"\r\n--{boundary}--\r\n".encode()
    return _head(rng, n, f'multipart/alternative; boundary="{boundary}"') + body


def newsletter(rng: random.Random, n: int, size: int) -> bytes:
    html = _html(_paragraphs(rng, (size - 1500) * 3 // 4 - 600))
    body = base64.encodebytes(html.encode()).replace(b"\n", b"\r\n")
    return _head(rng, n, "text/html; charset=utf-8", "Content-Transfer-Encoding: base64\r\n") + body


def with_attachment(rng: random.Random, n: int, size: int) -> bytes:
    text = _wrap("\n\n".join(_paragraphs(rng, 1500)))
    attachment = base64.encodebytes(rng.randbytes((size - 2500) * 3 // 4)).replace(b"\n", b"\r\n")
    body = (
        "--mixed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text.replace("\n", "\r\n")
    ).encode()
    body += (
        (
            f'\r\n--mixed\r\nContent-Type: application/pdf; name="scan-{n}.pdf"\r\n'
            f'Content-Disposition: attachment; filename="scan-{n}.pdf"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + attachment
        + b"\r\n--mixed--\r\n"
    )
    return _head(rng, n, 'multipart/mixed; boundary="mixed"') + body


def quoted_reply(rng: random.Random, n: int, size: int) -> bytes:
    reply = _wrap(" ".join(_sentence(rng) for _ in range(3)))
    history = _wrap("\n\n".join(_paragraphs(rng, size - 1200)))
    quoted = "\n".join("> " + line for line in history.split("\n"))
    text = f"{reply}\n\nOn Mon, 16 Nov 2026, Person wrote:\n{quoted}\n"
    body = _crlf(text.encode("latin-1", "replace"))
    return (
        _head(rng, n, "text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: 8bit\r\n")
        + body
    )


SHAPES: dict[str, Callable[[random.Random, int, int], bytes]] = {
    "plain text (QP, UTF-8)": plain,
    "alternative plain + HTML": alternative,
    "HTML only (base64)": newsletter,
    "text + PDF attachment": with_attachment,
    "reply with quotes (8-bit Latin-1)": quoted_reply,
}
# How often each shape comes in the mix (a person's mailbox, roughly).
WEIGHTS = (25, 35, 20, 10, 10)


def make_messages(count: int, seed: int, shape: str | None = None) -> list[bytes]:
    """``count`` messages of about :data:`TARGET` bytes each (whole, as fetched)."""
    rng = random.Random(seed)
    names = list(SHAPES)
    picks = [shape] * count if shape else rng.choices(names, WEIGHTS, k=count)
    return [_fitted(SHAPES[name], seed * 1_000_003 + n, n) for n, name in enumerate(picks)]


def _fitted(build: Callable[[random.Random, int, int], bytes], seed: int, n: int) -> bytes:
    """Build once, then again with the text scaled so the whole message is near TARGET
    (encodings such as quoted-printable grow text by a shape-dependent factor)."""
    first = build(random.Random(seed), n, TARGET)
    scale = TARGET / len(first)
    return build(random.Random(seed), n, int(TARGET * scale))


def read_stdlib(raw: bytes) -> object:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(("plain", "html"))  # type: ignore[attr-defined]
    text = part.get_content() if part is not None else ""
    names = [a.get_filename() for a in message.iter_attachments()]  # type: ignore[attr-defined]
    return text, names


def best_rate(reader: Callable[[bytes], object], messages: Sequence[bytes], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for raw in messages:
            reader(raw)
        times.append(time.perf_counter() - start)
    return len(messages) / min(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    rows = []
    for shape in [None, *SHAPES]:
        messages = make_messages(args.messages, args.seed, shape)
        sizes = [len(raw) for raw in messages]
        ours = best_rate(parse_body, messages, args.repeat)
        stdlib = best_rate(read_stdlib, messages, args.repeat)
        megabytes = ours * statistics.mean(sizes) / 1e6
        rows.append(
            f"| {shape or 'the mix'} | {statistics.median(sizes):,.0f} | {ours:,.0f} /s "
            f"({1e6 / ours:,.0f} µs, {megabytes:.0f} MB/s) | "
            f"{stdlib:,.0f} /s ({1e6 / stdlib:,.0f} µs) |"
        )
    print(
        f"{args.messages:,} messages per row, best of {args.repeat}, "
        f"Python {sys.version.split()[0]}\n"
    )
    print("| messages | size (median bytes) | `parse_body` | `email.policy.default` |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
