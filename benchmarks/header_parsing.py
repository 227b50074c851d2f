"""How fast the first sync reads header blocks; prints a Markdown table.

    .venv/bin/python benchmarks/header_parsing.py [--blocks 20000] [--repeat 3] [--seed 7]
                                                  [--people 2000] [--whole]

Generates ``--blocks`` realistic header blocks of one mailbox of ~9 KB messages, as
``BODY.PEEK[HEADER.FIELDS (...)]`` returns them (``--whole``: the whole header, as
``BODY.PEEK[HEADER]`` would, with Received, DKIM and ARC lines besides): mail from
``--people`` correspondents, person to person and in Outlook and Gmail reply chains with
long References, names and subjects in encoded words (UTF-8, ISO-8859-1, ISO-2022-JP,
GB2312), mailing lists, GitHub notifications, newsletters with long List-Unsubscribe
URLs, auto-replies. Then times each reader over all the blocks, best of ``--repeat``
runs on one core (``parse_headers`` starts each run with empty caches, as a first sync):

- ``parse_headers`` (asyncdesk.sources.mail_headers);
- ``email.message_from_bytes(..., policy=email.policy.default)``, reading the same fields
  (the path measured in the issue at ~1,500 messages a second end to end);
- ``compat32`` with ``decode_header``/``getaddresses``/``parsedate_to_datetime``.

Goal (the header-parsing issue): well over 20,000 blocks a second for ``parse_headers``.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header, decode_header, make_header
from email.utils import format_datetime, formataddr, getaddresses, parsedate_to_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asyncdesk.sources import mail_headers
from asyncdesk.sources.mail_headers import HEADER_FIELDS, parse_headers

FIRST = [
    "Anna", "Jörg", "Zoë", "Marie-Claire", "John", "Priya", "Björn", "Łukasz", "Chen", "Yuki",
    "Olga", "Ahmed", "Søren", "Inês", "Kevin", "Sarah", "François", "Mehmet", "Aiko", "Liam",
    "Fatima", "Diego", "Hannah", "Matteo", "Ngozi", "Sven", "Camille", "Raj", "Elif", "Tomás",
]  # fmt: skip
LAST = [
    "Müller", "Smith", "Schröder", "Nováková", "O'Brien", "García", "Nguyen", "Kowalski",
    "Johansson", "Dubois", "Rossi", "Tanaka", "Ivanova", "Øster", "Papadopoulos", "Brown",
    "Yılmaz", "Fernández", "Okafor", "Lindqvist", "Moreau", "Sharma", "Weiß", "Kim",
]  # fmt: skip
DOMAINS = [
    "example.com", "example.org", "firma.de", "uni-heidelberg.de", "corp.example.net",
    "mail.example.co.uk", "bücher.example", "startup.io", "agency.example.fr", "gmail.com",
    "outlook.com", "web.de", "client-{n}.example", "partner{n}.example.net",
]  # fmt: skip
TOPICS = [
    "Quarterly report draft", "Invoice {n}", "Meeting notes from Tuesday",
    "Budget for the Berlin offsite", "Contract renewal – please review",
    "Server migration weekend", "Ticket #{n}: login fails", "Lunch on Friday?",
    "Angebot für die Website-Überarbeitung", "Réunion de lancement du projet {n}",
    "Feedback on the onboarding flow", "Deadline moved to next week", "Order {n} shipped",
]  # fmt: skip
JAPANESE = ["会議の件について", "見積書の送付（{n}）", "来週の打ち合わせ"]
CHINESE = ["关于下周会议的安排", "季度报告 {n}", "合同续签"]
PREFIXES = ["Re: ", "RE: ", "AW: ", "WG: ", "Fwd: ", "FW: ", "Re: AW: ", "AW: RE: WG: "]
LISTS = ["python-dev", "debian-devel", "linux-kernel", "announce", "users", "dev"]
ME = ("Alex Doe", "alex.doe@example.com")
ZONES = [timezone(timedelta(hours=h)) for h in (-8, -5, 0, 1, 2, 5.5, 9)]


def _latin(text: str) -> bool:
    return text.encode("latin-1", "ignore").decode("latin-1") == text


@dataclass(frozen=True)
class Person:
    name: str
    address: str
    mailbox: str  # the From/To form their mailer writes


def _people(rng: random.Random, count: int) -> list[Person]:
    people = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = rng.choice(DOMAINS).format(n=n).encode("idna").decode()
        local = f"{first}.{last}".lower().encode("ascii", "ignore").decode().replace("'", "")
        address = f"{local}{n if rng.random() < 0.3 else ''}@{domain}"
        name = f"{first} {last}"
        style = rng.random()
        if style < 0.1:
            mailbox = address
        elif style < 0.25:
            mailbox = f'"{last}, {first}" <{address}>'
            if not name.isascii():
                mailbox = formataddr((f"{last}, {first}", address), charset="utf-8")
        elif name.isascii():
            mailbox = formataddr((name, address))
        else:
            charset = "iso-8859-1" if _latin(name) and rng.random() < 0.3 else "utf-8"
            mailbox = formataddr((name, address), charset=charset)
        people.append(Person(name, address, mailbox))
    return people


def _message_id(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.4:  # Outlook / Exchange Online
        server = f"AM{rng.randint(0, 9)}PR{rng.randint(10, 99)}MB{rng.randint(1000, 9999)}"
        token = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=28))
        return f"<{server}{token}@{server}.eurprd{rng.randint(1, 9):02}.prod.outlook.com>"
    if style < 0.7:  # Gmail
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+="
        return f"<CA{''.join(rng.choices(alphabet, k=44))}@mail.gmail.com>"
    return f"<{rng.getrandbits(64):x}.{rng.randint(1, 99999)}@mail.example.net>"


def _encoded(text: str, charset: str) -> str:
    return Header(text, charset).encode(maxlinelen=76)


def _subject(rng: random.Random) -> str:
    n = rng.randint(1000, 99999)
    style = rng.random()
    if style < 0.55:
        topic = rng.choice(TOPICS).format(n=n)
        return topic if topic.isascii() else _encoded(topic, "utf-8")
    if style < 0.7:
        emoji = rng.choice(["🎉", "✅", "📅"])
        return _encoded(f"{rng.choice(TOPICS).format(n=n)} {emoji}", "utf-8")
    if style < 0.8:
        return _encoded(rng.choice(JAPANESE).format(n=n), "iso-2022-jp")
    if style < 0.85:
        return _encoded(rng.choice(CHINESE).format(n=n), "gb2312")
    topic = rng.choice([t for t in TOPICS if _latin(t)]).format(n=n)
    return _encoded(topic, "iso-8859-1")


def _fold(name: str, value: str) -> str:
    """``Name: value`` folded at spaces before 78 characters, as mailers send it."""
    if "\n" in value:  # already folded by email.header
        return f"{name}: {value}".replace("\n", "\r\n")
    line, lines = f"{name}:", []
    for word in value.split(" "):
        if len(line) + 1 + len(word) > 78 and line.strip():
            lines.append(line)
            line = " " + word
        else:
            line = f"{line} {word}"
    lines.append(line)
    return "\r\n".join(lines)


def _transport(rng: random.Random, sent: datetime) -> list[tuple[str, str]]:
    """What a whole header adds: Received hops, DKIM, ARC, MIME and client lines."""
    stamp = format_datetime(sent)
    hops = [
        ("Received", f"from mx{i}.example.net (mx{i}.example.net [192.0.2.{i}]) by "
                     f"mail.example.com with ESMTPS id {rng.getrandbits(48):x}; {stamp}")
        for i in range(rng.randint(2, 6))
    ]  # fmt: skip
    signature = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789+/", k=344))
    return [
        ("Return-Path", "<bounces+1234@mail.example.net>"),
        ("Delivered-To", ME[1]),
        *hops,
        ("ARC-Seal", f"i=1; a=rsa-sha256; t=1700000000; cv=none; d=example.net; b={signature}"),
        ("DKIM-Signature", f"v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; "
                           f"s=s1; h=from:to:subject:date; bh=abc=; b={signature}"),
        ("Authentication-Results", "mail.example.com; dkim=pass; spf=pass; dmarc=pass"),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'multipart/alternative; boundary="000000000000abcdef"'),
        ("X-Mailer", "Microsoft Outlook 16.0"),
    ]  # fmt: skip


def make_block(
    rng: random.Random, people: Sequence[Person], now: datetime, *, whole: bool = False
) -> bytes:
    kind = rng.choices(
        ["personal", "thread", "list", "github", "newsletter", "autoreply"],
        weights=[20, 35, 15, 15, 10, 5],
    )[0]
    sent = (now - timedelta(seconds=rng.randint(0, 90 * 86400))).astimezone(rng.choice(ZONES))
    me = formataddr(ME)
    sender = rng.choice(people)
    subject = _subject(rng)
    message_id = _message_id(rng)
    fields: list[tuple[str, str]] = []
    if kind in {"personal", "thread"}:
        fields.append(("From", sender.mailbox))
        others = [p.mailbox for p in rng.sample(people, rng.choice([0, 0, 1, 2, 3, 5]))]
        fields.append(("To", ", ".join([me, *others])))
        if rng.random() < 0.5:
            cc = [p.mailbox for p in rng.sample(people, rng.randint(1, 8))]
            fields.append(("Cc", ", ".join(cc)))
        if kind == "thread":
            subject = rng.choice(PREFIXES) + subject
            references = [_message_id(rng) for _ in range(rng.randint(2, 20))]
            fields.append(("In-Reply-To", references[-1]))
            fields.append(("References", " ".join(references)))
    elif kind == "list":
        name = rng.choice(LISTS)
        fields.append(("From", sender.mailbox))
        fields.append(("To", f"{name}@lists.example.org"))
        fields.append(("Reply-To", f"{name}@lists.example.org"))
        subject = f"[{name}] " + (rng.choice(PREFIXES) if rng.random() < 0.5 else "") + subject
        fields.append(("List-Id", f"{name.title()} discussion <{name}.lists.example.org>"))
        fields.append(
            (
                "List-Unsubscribe",
                f"<https://lists.example.org/mailman/options/{name}>, "
                f"<mailto:{name}-request@lists.example.org?subject=unsubscribe>",
            )
        )
        fields.append(("Precedence", "list"))
        if rng.random() < 0.6:
            references = [_message_id(rng) for _ in range(rng.randint(1, 8))]
            fields.append(("In-Reply-To", references[-1]))
            fields.append(("References", " ".join(references)))
    elif kind == "github":
        repo = f"{rng.choice(['acme', 'pallets', 'psf'])}/{rng.choice(['web', 'api', 'docs'])}"
        number = rng.randint(1, 9999)
        login = sender.address.partition("@")[0].replace(".", "-")
        fields.append(("From", formataddr((login, "notifications@github.com"))))
        fields.append(("Reply-To", f"{repo} <reply+{rng.getrandbits(96):X}@reply.github.com>"))
        fields.append(("To", f"{repo} <{repo.split('/')[1]}@noreply.github.com>"))
        fields.append(("Cc", f"{me}, Mention <mention@noreply.github.com>"))
        subject = f"Re: [{repo}] {rng.choice(TOPICS).format(n=number)} (PR #{number})"
        subject = subject if subject.isascii() else _encoded(subject, "utf-8")
        root = f"<{repo}/pull/{number}@github.com>"
        fields.append(("In-Reply-To", root))
        fields.append(("References", root))
        fields.append(("List-ID", f"{repo} <{repo.split('/')[1]}.{repo.split('/')[0]}.github.com>"))
        fields.append(
            (
                "List-Unsubscribe",
                f"<mailto:unsub+{rng.getrandbits(96):X}@reply.github.com>, "
                f"<https://github.com/notifications/unsubscribe/{rng.getrandbits(160):X}>",
            )
        )
        fields.append(("Precedence", "list"))
        message_id = f"<{repo}/pull/{number}/c{rng.randint(10**8, 10**9)}@github.com>"
    elif kind == "newsletter":
        fields.append(("From", formataddr(("Example Shop Newsletter", "news@shop.example"))))
        fields.append(("To", me))
        fields.append(("Reply-To", "no-reply@shop.example"))
        token = "".join(
            rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=rng.randint(120, 360))
        )
        fields.append(
            (
                "List-Unsubscribe",
                f"<https://click.shop.example/unsubscribe?u={token}>, "
                "<mailto:unsubscribe@shop.example>",
            )
        )
        fields.append(("Precedence", "bulk"))
    else:
        fields.append(("From", sender.mailbox))
        fields.append(("To", me))
        prefix = rng.choice(["Automatische Antwort: ", "Automatic reply: ", "Absence: "])
        subject = prefix + rng.choice(TOPICS).format(n=rng.randint(1000, 99999))
        subject = subject if subject.isascii() else _encoded(subject, "utf-8")
        fields.append(("Auto-Submitted", "auto-replied"))
        fields.append(("Precedence", rng.choice(["bulk", "auto_reply"])))
    fields.append(("Subject", subject))
    fields.append(("Date", format_datetime(sent)))
    fields.append(("Message-ID", message_id))
    rng.shuffle(fields)
    if whole:
        fields = _transport(rng, sent) + fields
    lines = [_fold(name, value) for name, value in fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def make_blocks(count: int, seed: int, people: int = 2000, *, whole: bool = False) -> list[bytes]:
    rng = random.Random(seed)
    pool = _people(rng, people)
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    return [make_block(rng, pool, now, whole=whole) for _ in range(count)]


# The readers being compared: each reads the same fields from one block.


def read_policy_default(block: bytes) -> object:
    message = email.message_from_bytes(block, policy=email.policy.default)
    values: list[object] = []
    for name in ("from", "to", "cc", "reply-to"):
        header = message[name]
        addresses = getattr(header, "addresses", ())
        values.append([(a.display_name, a.addr_spec) for a in addresses])
    values.append(getattr(message["date"], "datetime", None))
    for name in ("subject", "message-id", "in-reply-to", "references", "list-id",
                 "list-unsubscribe", "precedence", "auto-submitted"):  # fmt: skip
        values.append(str(message[name]) if message[name] is not None else None)
    return values


def read_compat32(block: bytes) -> object:
    message = email.message_from_bytes(block, policy=email.policy.compat32)
    values: list[object] = []
    for name in ("from", "to", "cc", "reply-to"):
        values.append(getaddresses([str(v) for v in message.get_all(name, [])]))
    try:
        values.append(parsedate_to_datetime(str(message["date"])))
    except (TypeError, ValueError):
        values.append(None)
    for name in ("subject", "message-id", "in-reply-to", "references", "list-id",
                 "list-unsubscribe", "precedence", "auto-submitted"):  # fmt: skip
        raw = message[name]
        values.append(str(make_header(decode_header(str(raw)))) if raw is not None else None)
    return values


def _clear_parse_caches() -> None:
    """Every cache of mail_headers emptied: each timed run starts as a first sync."""
    for value in vars(mail_headers).values():
        clear = getattr(value, "cache_clear", None)
        if callable(clear):
            clear()


def best_rate(
    reader: Callable[[bytes], object], blocks: Sequence[bytes], repeat: int, *, cold: bool
) -> float:
    """Blocks per second of the fastest of ``repeat`` runs over every block."""
    timings = []
    for _ in range(repeat):
        if cold:
            _clear_parse_caches()
        start = time.perf_counter()
        for block in blocks:
            reader(block)
        timings.append(time.perf_counter() - start)
    return len(blocks) / min(timings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--blocks", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--people", type=int, default=2000, help="distinct correspondents")
    parser.add_argument("--whole", action="store_true", help="whole headers, not the fields")
    args = parser.parse_args(argv)

    blocks = make_blocks(args.blocks, args.seed, args.people, whole=args.whole)
    sizes = [len(block) for block in blocks]
    what = "whole headers" if args.whole else f"the fields {', '.join(HEADER_FIELDS)}"
    print(f"{len(blocks)} header blocks ({what}) from {args.people} correspondents")
    print(
        f"block size in bytes: median {statistics.median(sizes):.0f}, "
        f"p90 {statistics.quantiles(sizes, n=10)[-1]:.0f}, max {max(sizes)}"
    )
    with_problems = sum(bool(parse_headers(block).problems) for block in blocks)
    print(f"blocks with problems: {with_problems}")
    rows = [
        ("parse_headers", best_rate(parse_headers, blocks, args.repeat, cold=True)),
        ("email.policy.default", best_rate(read_policy_default, blocks, args.repeat, cold=False)),
        ("compat32 + decode_header", best_rate(read_compat32, blocks, args.repeat, cold=False)),
    ]
    baseline = rows[1][1]
    print()
    print(f"| reader (best of {args.repeat}, one core) | blocks/s | µs/block | vs policy.default |")
    print("|---|---:|---:|---:|")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} | {1e6 / rate:.1f} | {rate / baseline:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
