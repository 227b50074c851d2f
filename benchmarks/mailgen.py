"""A realistic mailbox, generated and written into a Dovecot user's Maildir.

Used by ``imap_sync.py``. :func:`write_mailbox` writes ``inbox`` inbound messages and the
user's replies (15 % as many, in Sent) spread over two years, in time order:

- person-to-person mail from 1,500 correspondents writing with Outlook, Gmail, Apple Mail,
  Thunderbird or a webmail (each with its Message-ID style, MIME structure and headers),
  display names plain, quoted ("Last, First") or in RFC 2047 encoded words (UTF-8,
  ISO-8859-1), To/Cc lists, subjects in several languages and scripts, Date headers in the
  sender's time zone (DST included), and threads: replies carry In-Reply-To/References,
  quote what they answer and go back and forth with the user's replies;
- mailing lists (List-Id, Precedence: list, threads of their own), newsletters
  (Precedence: bulk, List-Unsubscribe, big HTML), GitHub notifications, monitoring alerts
  and auto-replies (Auto-Submitted);
- the way in: Received hops, DKIM signatures, ARC and Exchange antispam headers;
- sizes: mostly 2-5 KB, newsletters 10-40 KB, ~5 % with base64 attachments (30-200 KB);
  ~9 KB on average.

Flags: inbound mail is read (\\Seen) except the newest 1.5 %, some is flagged, and what
the user answered is \\Answered. The same seed gives the same mailbox.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path
from random import Random
from urllib.parse import quote
from zoneinfo import ZoneInfo

USER_NAME, USER = "Alex Doe", "alex.doe@example.com"  # the Dovecot login is the address
USER_ZONE = ZoneInfo("Europe/Berlin")
SENT_SHARE = 0.15
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=2 * 365)

FIRST = [
    "Anna", "Jörg", "Zoë", "Marie-Claire", "John", "Priya", "Björn", "Łukasz", "Chen", "Yuki",
    "Olga", "Ahmed", "Søren", "Inês", "Kevin", "Sarah", "François", "Mehmet", "Aiko", "Liam",
    "Fatima", "Diego", "Hannah", "Matteo", "Ngozi", "Sven", "Camille", "Raj", "Elif", "Tomás",
    "Emily", "Michael", "Laura", "David", "Julia", "Thomas", "Sophie", "Daniel", "Lena", "Paul",
]  # fmt: skip
LAST = [
    "Müller", "Smith", "Schröder", "Nováková", "O'Brien", "García", "Nguyen", "Kowalski",
    "Johansson", "Dubois", "Rossi", "Tanaka", "Ivanova", "Øster", "Papadopoulos", "Brown",
    "Yılmaz", "Fernández", "Okafor", "Lindqvist", "Moreau", "Sharma", "Weiß", "Kim",
    "Wagner", "Becker", "Taylor", "Martin", "Jones", "Wilson", "Fischer", "Meyer",
]  # fmt: skip
COMPANIES = [
    ("Acme GmbH", "acme.de"), ("Northwind Traders", "northwind.example.com"),
    ("Contoso Ltd", "contoso.example.co.uk"), ("Initech", "initech.example.net"),
    ("Globex Corporation", "globex.example.com"), ("Umbrella Consulting", "umbrella.example.org"),
    ("Müller & Söhne KG", "mueller-soehne.example.de"), ("Société Générale Démo", "sgd.example.fr"),
    ("Hooli", "hooli.example.com"), ("Universität Heidelberg", "uni-heidelberg.example.de"),
    ("Stark Industries", "stark.example.com"), ("Wayne Enterprises", "wayne.example.com"),
]  # fmt: skip
FREEMAIL = ["gmail.com", "outlook.com", "web.de", "gmx.de", "yahoo.co.uk", "icloud.com"]
ZONES = [
    "America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "Europe/London",
    "Europe/Berlin", "Europe/Berlin", "Europe/Berlin", "Europe/Paris", "Europe/Warsaw",
    "Europe/Istanbul", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "UTC",
]  # fmt: skip
TOPICS = [
    "Quarterly report draft", "Invoice {n}", "Meeting notes from Tuesday",
    "Budget for the Berlin offsite", "Contract renewal – please review",
    "Server migration weekend", "Ticket #{n}: login fails", "Lunch on Friday?",
    "Angebot für die Website-Überarbeitung", "Réunion de lancement du projet {n}",
    "Feedback on the onboarding flow", "Deadline moved to next week", "Order {n} shipped",
    "Hiring plan Q{q}", "Your slides for the board meeting", "Travel booking {n}",
    "Kündigung Mietvertrag Büro {n}", "Données clients – export {n}", "Roadmap {y}",
    "Security review of the payment API", "Question about the last delivery",
    "会議の件について", "見積書の送付（{n}）", "关于下周会议的安排", "季度报告 {n}",
    "Reminder: timesheets", "Can we move our call?", "Draft agreement v{q}",
]  # fmt: skip
_WORDS_TEXT = (
    "the project budget meeting review draft proposal client contract deadline update team "
    "schedule report numbers quarter launch design feedback changes version release plan "
    "please could you would we should next week today tomorrow Monday Friday morning "
    "afternoon call agenda notes follow up action items customer server database migration "
    "invoice payment order delivery shipment pricing offer discount renewal support ticket "
    "issue bug fix test staging production rollout approval legal finance marketing sales "
    "and or but so because if when then also still already just only really quite very "
    "thanks for your quick reply sorry about the delay I think it looks good to me let me "
    "know what you think attached is the latest we discussed last time as agreed in our is "
    "are was were have has had will can may might need want see check send share"
)
WORDS = _WORDS_TEXT.split()
LISTS = [
    ("python-dev", "Python core development", "python.org"),
    ("debian-devel", "Debian developers", "lists.debian.org"),
    ("dovecot", "Dovecot mailing list", "dovecot.org"),
    ("sqlite-users", "SQLite users", "mailinglists.sqlite.org"),
    ("team-all", "Everyone at Acme", "acme.de"),
    ("qt-interest", "Qt interest", "qt-project.org"),
]  # fmt: skip
BRANDS = [
    ("Example Shop", "shop.example"), ("TechCrunch Daily", "news.techcrunch.example"),
    ("Lufthansa Miles & More", "mailing.milesandmore.example"), ("Zalando", "news.zalando.example"),
    ("The Economist", "e.economist.example"), ("Süddeutsche Zeitung", "newsletter.sz.example"),
    ("LinkedIn", "linkedin.example.com"), ("Medium Daily Digest", "medium.example.com"),
]  # fmt: skip
REPOS = ["acme/web", "acme/api", "psf/requests", "pallets/flask", "acme/infra"]
ATTACHMENTS = [
    ("application/pdf", "Angebot_{n}.pdf"), ("application/pdf", "Invoice-{n}.pdf"),
    ("image/jpeg", "IMG_{n}.JPG"), ("image/png", "Screenshot {y}-11-0{q} at 10.4{q}.png"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "Vertrag Entwurf v{q}.docx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Übersicht {y}.xlsx"),
]  # fmt: skip
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    name: str
    address: str
    mailbox: str  # what their mailer writes in From/To
    zone: tzinfo
    mailer: str  # outlook, gmail, apple, thunderbird, web
    domain: str
    company: str


@dataclass(slots=True)
class Thread:
    """What a reply needs to know about the message it answers."""

    subject: str  # without Re:
    message_id: str
    references: list[str]
    sender: Person | None  # None: the user wrote it
    others: list[Person]
    when: datetime
    path: Path | None = None  # the file, to flag it answered
    tag: int = 0  # which of LISTS a list thread is on


@dataclass(slots=True)
class MailboxStats:
    inbox: int = 0
    sent: int = 0
    bytes: int = 0
    sizes: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        sizes = sorted(self.sizes)

        def pct(p: float) -> int:
            return sizes[min(len(sizes) - 1, int(p * len(sizes)))]

        return {
            "inbox": self.inbox,
            "sent": self.sent,
            "total": self.inbox + self.sent,
            "megabytes": round(self.bytes / 1e6, 1),
            "mean_kb": round(self.bytes / len(sizes) / 1024, 1),
            "median_kb": round(pct(0.5) / 1024, 1),
            "p10_kb": round(pct(0.1) / 1024, 1),
            "p90_kb": round(pct(0.9) / 1024, 1),
            "share_2_to_5_kb": round(sum(2048 <= s <= 5120 for s in sizes) / len(sizes), 3),
            "share_over_30_kb": round(sum(s > 30 * 1024 for s in sizes) / len(sizes), 3),
            "max_kb": round(sizes[-1] / 1024, 1),
            "write_seconds": round(self.seconds, 1),
        }


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.-]", "", folded.lower())


def _encoded(text: str, rng: Random) -> str:
    """A header value as mailers write it: ASCII as is, else RFC 2047 encoded words."""
    if text.isascii():
        return text
    if text.encode("latin-1", "ignore").decode("latin-1") == text and rng.random() < 0.3:
        return Header(text, "iso-8859-1").encode(maxlinelen=76)
    return Header(text, "utf-8").encode(maxlinelen=76)


def make_people(rng: Random, count: int) -> list[Person]:
    people = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company, domain = rng.choice(COMPANIES)
        if rng.random() < 0.25:
            company, domain = "", rng.choice(FREEMAIL)
        local = f"{_ascii(first)}.{_ascii(last)}{n if rng.random() < 0.3 else ''}"
        address = f"{local}@{domain}"
        name = f"{first} {last}"
        style = rng.random()
        if style < 0.08:
            mailbox = address
        elif style < 0.2:
            mailbox = formataddr((f"{last}, {first}", address), charset="utf-8")
            if name.isascii():
                mailbox = f'"{last}, {first}" <{address}>'
        elif name.isascii() or style < 0.3:
            mailbox = formataddr((name, address), charset="utf-8")
        else:
            latin = name.encode("latin-1", "ignore").decode("latin-1") == name
            charset = "iso-8859-1" if latin and rng.random() < 0.3 else "utf-8"
            mailbox = formataddr((name, address), charset=charset)
        mailer = rng.choices(
            ["outlook", "gmail", "apple", "thunderbird", "web"], weights=[35, 30, 12, 10, 13]
        )[0]
        if domain == "gmail.com":
            mailer = "gmail"
        zone = ZoneInfo(rng.choice(ZONES))
        people.append(Person(first, name, address, mailbox, zone, mailer, domain, company))
    return people


def _uuid(rng: Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def message_id(rng: Random, mailer: str, domain: str) -> str:
    if mailer == "outlook":
        server = (
            f"{rng.choice(['AM', 'DB', 'VI', 'PA'])}{rng.randint(0, 9)}PR{rng.randint(10, 99)}MB"
        )
        server += str(rng.randint(1000, 9999))
        token = "".join(rng.choices(ALNUM, k=28))
        return f"<{server}{token}@{server}.eurprd{rng.randint(1, 9):02}.prod.outlook.com>"
    if mailer == "gmail":
        alphabet = B64.replace("/", "_") + "-="
        return f"<CA{''.join(rng.choices(alphabet, k=44))}@mail.gmail.com>"
    if mailer == "apple":
        return f"<{_uuid(rng).upper()}@{domain}>"
    if mailer == "thunderbird":
        return f"<{_uuid(rng)}@{domain}>"
    return f"<{rng.getrandbits(64):x}.{rng.randint(1, 99999)}@{domain}>"


def date_header(when: datetime, zone: tzinfo, rng: Random) -> str:
    local = when.astimezone(zone)
    if local.utcoffset() == timedelta(0) and rng.random() < 0.5:
        return format_datetime(when.astimezone(UTC), usegmt=True)
    text = format_datetime(local)
    abbreviation = local.tzname()
    if abbreviation and abbreviation.isalpha() and rng.random() < 0.2:
        text += f" ({abbreviation})"
    return text


def _fold(name: str, value: str) -> str:
    """``Name: value`` folded at spaces before 78 characters (LF line ends, as in Maildir)."""
    if "\n" in value:  # encoded words come folded already
        return f"{name}: {value}"
    line, lines = f"{name}:", []
    for word in value.split(" "):
        if len(line) + 1 + len(word) > 78 and line.strip():
            lines.append(line)
            line = " " + word
        else:
            line = f"{line} {word}"
    lines.append(line)
    return "\n".join(lines)


def _topic(rng: Random) -> str:
    return rng.choice(TOPICS).format(
        n=rng.randint(1000, 99999), q=rng.randint(1, 4), y=rng.choice([2025, 2026])
    )


def _sentence(rng: Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 18))
    return " ".join(words).capitalize() + rng.choice(".....?!")


def text_body(rng: Random, size: int) -> str:
    paragraphs, length = [], 0
    while length < size:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        # Lines wrapped at 72, as most mailers send plain text.
        lines, line = [], ""
        for word in paragraph.split(" "):
            if len(line) + len(word) >= 72:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        paragraphs.append("\n".join(lines))
        length += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def _size(rng: Random, median: float, sigma: float, low: int, high: int) -> int:
    return max(low, min(high, int(rng.lognormvariate(0, sigma) * median)))


def signature(person: Person) -> str:
    lines = [person.name]
    if person.company:
        lines += [person.company, person.address, "+49 30 1234567"]
    return "\n".join(lines)


def quoted(rng: Random, parent: Thread, size: int) -> str:
    who = parent.sender.name if parent.sender else USER_NAME
    stamp = parent.when.strftime("%a, %d %b %Y at %H:%M")
    body = text_body(rng, size)
    return f"On {stamp}, {who} wrote:\n" + "\n".join(f"> {line}" for line in body.splitlines())


def html_body(text: str, mailer: str) -> str:
    paragraphs = text.split("\n\n")
    if mailer == "outlook":
        span = "<span style='font-size:11.0pt;font-family:\"Calibri\",sans-serif'>"
        inner = "".join(
            f"<p class=MsoNormal>{span}{p.replace(chr(10), ' ')}<o:p></o:p></span></p>\n"
            for p in paragraphs
        )
        return (
            '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-'
            'microsoft-com:office:office">\n<head>\n<meta http-equiv="Content-Type" '
            'content="text/html; charset=utf-8">\n<style><!--\n'
            '@font-face {font-family:"Cambria Math"; panose-1:2 4 5 3 5 4 6 3 2 4;}\n'
            "@font-face {font-family:Calibri; panose-1:2 15 5 2 2 2 4 3 2 4;}\n"
            "p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt;"
            ' font-family:"Calibri",sans-serif;}\n'
            "a:link, span.MsoHyperlink {mso-style-priority:99; color:#0563C1;"
            " text-decoration:underline;}\n"
            '.MsoChpDefault {mso-style-type:export-only; font-family:"Calibri",sans-serif;}\n'
            "@page WordSection1 {size:612.0pt 792.0pt; margin:70.85pt 70.85pt 2.0cm 70.85pt;}\n"
            "div.WordSection1 {page:WordSection1;}\n--></style>\n</head>\n"
            f'<body lang=DE link="#0563C1">\n<div class=WordSection1>\n{inner}'
            "</div>\n</body>\n</html>\n"
        )
    inner = "".join(f"<div>{p.replace(chr(10), ' ')}</div><div><br></div>" for p in paragraphs)
    return f'<div dir="ltr">{inner}</div>\n'


def _qp(text: str) -> str:
    return binascii.b2a_qp(text.encode("utf-8")).decode("ascii")


class Blobs:
    """Base64 text of random bytes, sliced into attachments (generating each is slow)."""

    def __init__(self, rng: Random) -> None:
        self._lines = base64.encodebytes(rng.randbytes(57 * 4000)).decode("ascii")
        self._count = 4000

    def take(self, rng: Random, raw_size: int) -> str:
        lines = min(self._count - 1, max(1, raw_size // 57))
        start = rng.randrange(0, self._count - lines)
        return self._lines[start * 77 : (start + lines) * 77]


def attachment_parts(rng: Random, blobs: Blobs, when: datetime) -> list[str]:
    parts = []
    count = rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
    # The message ends up at 30-200 KB: 22-145 KB of content (log-uniform) in base64.
    total = int(22_000 * (145 / 22) ** rng.random())
    for _ in range(count):
        kind, pattern = rng.choice(ATTACHMENTS)
        name = pattern.format(n=rng.randint(1000, 99999), q=rng.randint(1, 9), y=when.year)
        raw = total // count
        if name.isascii():
            disposition = f'attachment; filename="{name}"'
            type_name = f'name="{name}"'
        else:
            disposition = f"attachment; filename*=utf-8''{quote(name)}"
            type_name = f'name="{Header(name, "utf-8").encode()}"'
        parts.append(
            f"Content-Type: {kind};\n\t{type_name}\n"
            f"Content-Disposition: {disposition}; size={raw}\n"
            f"Content-Transfer-Encoding: base64\n\n{blobs.take(rng, raw)}"
        )
    return parts


def body_parts(
    rng: Random, text: str, mailer: str, html: str | None, attachments: list[str]
) -> tuple[list[str], str]:
    """The MIME header lines and the body of a message: ``text`` as text/plain, with
    ``html`` as its text/html alternative if given, and the attachments after them."""
    if text.isascii() and mailer != "outlook":
        text_part = ('text/plain; charset="us-ascii"', "7bit", text + "\n")
    elif mailer in {"gmail", "outlook"}:
        text_part = ('text/plain; charset="UTF-8"', "quoted-printable", _qp(text + "\n"))
    else:
        text_part = ("text/plain; charset=utf-8; format=flowed", "8bit", text + "\n")
    leaf = f"Content-Type: {text_part[0]}\nContent-Transfer-Encoding: {text_part[1]}\n\n"
    leaf += text_part[2]
    if html is not None:
        boundary = f"000000000000{rng.getrandbits(48):012x}"
        if mailer == "outlook":
            boundary = f"_000_{''.join(rng.choices(ALNUM, k=40))}_"
        body = (
            f"--{boundary}\n{leaf}\n--{boundary}\n"
            'Content-Type: text/html; charset="UTF-8"\n'
            f"Content-Transfer-Encoding: quoted-printable\n\n{_qp(html)}\n"
            f"--{boundary}--\n"
        )
        leaf = f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n{body}'
    if not attachments:
        head, _, body = leaf.partition("\n\n")
        return ["MIME-Version: 1.0", *head.split("\n")], body
    boundary = f"Apple-Mail=_{_uuid(rng).upper()}"
    body = f"--{boundary}\n{leaf}\n"
    for part in attachments:
        body += f"--{boundary}\n{part}\n"
    body += f"--{boundary}--\n"
    return ["MIME-Version: 1.0", f'Content-Type: multipart/mixed; boundary="{boundary}"'], body


def transport(rng: Random, sender_domain: str, when: datetime, outlook: bool) -> list[str]:
    """What the way in adds: Return-Path, Received hops, DKIM, ARC, SPF/DMARC results."""
    stamp = format_datetime(when.astimezone(UTC))
    lines = [f"Return-Path: <bounce-{rng.getrandbits(32):x}@{sender_domain}>"]
    lines.append(f"Delivered-To: {USER}")
    for hop in range(rng.randint(2, 4)):
        ip = f"{rng.choice([40, 52, 185, 209])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{hop}"
        lines.append(
            f"Received: from mail{hop}.{sender_domain} (mail{hop}.{sender_domain} [{ip}])\n"
            f"\tby mx.example.com (Postfix) with ESMTPS id 4X{''.join(rng.choices(ALNUM, k=10))}"
            f"\n\tfor <{USER}>; {stamp}"
        )
    signature = "".join(rng.choices(B64, k=344))
    b = "\n\t ".join(signature[i : i + 70] for i in range(0, 344, 70))
    dkim = (
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={sender_domain};\n"
        "\ts=selector1; h=From:Date:Subject:Message-ID:Content-Type:MIME-Version;\n"
        f"\tbh={''.join(rng.choices(B64, k=43))}=;\n\tb={b}"
    )
    lines.append(dkim)
    if outlook:
        lines.append(
            f"ARC-Seal: i=1; a=rsa-sha256; s=arcselector9901; d=microsoft.com; cv=none;\n\tb={b}"
        )
        lines.append(
            "X-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;LANG:de;SCL:1;SRV:;\n"
            "\tIPV:NLI;SFV:NSPM;H:AM0PR10MB1234.EURPRD10.PROD.OUTLOOK.COM;PTR:;CAT:NONE;\n"
            "\tSFS:(13230031)(366004)(376002)(346002)(39860400002)(136003)(396003);DIR:OUT;"
        )
        lines.append("X-MS-Has-Attach: \nX-MS-TNEF-Correlator: \nContent-Language: de-DE")
    lines.append(
        f"Authentication-Results: mx.example.com;\n\tdkim=pass (2048-bit key) "
        f"header.d={sender_domain} header.s=selector1;\n\tspf=pass smtp.mailfrom="
        f"{sender_domain};\n\tdmarc=pass (p=quarantine dis=none) header.from={sender_domain}"
    )
    return lines


def _re(rng: Random, subject: str, person: Person | None) -> str:
    if person is not None and person.domain.endswith(".de") and rng.random() < 0.5:
        return "AW: " + subject
    return rng.choice(["Re: ", "Re: ", "Re: ", "RE: "]) + subject


def _addresses(people: list[Person]) -> str:
    return ", ".join(p.mailbox for p in people)


def _refs(parent: Thread) -> list[str]:
    return [*parent.references, parent.message_id][-20:]


def make_message(
    rng: Random,
    kind: str,
    when: datetime,
    people: list[Person],
    blobs: Blobs,
    parent: Thread | None,
    me: str,
) -> tuple[str, Thread | None]:
    """One inbound message of ``kind``; returns its text and, for mail a user answers,
    what a reply needs (else None)."""
    headers: list[str] = []
    mid: str
    thread: Thread | None = None
    html: str | None = None
    attachments: list[str] = []
    if kind == "personal":
        if parent is not None:
            sender = parent.sender or rng.choice(parent.others or people)
            if sender is parent.sender and parent.others and rng.random() < 0.3:
                sender = rng.choice(parent.others)
            others = [p for p in parent.others if p is not sender]
            subject = parent.subject
            refs = _refs(parent)
            shown = _re(rng, subject, sender)
        else:
            sender = rng.choice(people)
            others = rng.sample(people, rng.choice([0, 0, 0, 1, 1, 2, 3, 6]))
            subject = _topic(rng)
            refs = []
            shown = subject
        mid = message_id(rng, sender.mailer, sender.domain)
        to = [me] + [p.mailbox for p in others[: len(others) // 2]]
        headers += [f"From: {sender.mailbox}", f"To: {', '.join(to)}"]
        if others[len(others) // 2 :]:
            headers.append(f"Cc: {_addresses(others[len(others) // 2 :])}")
        headers.append(f"Subject: {_encoded(shown, rng)}")
        if refs:
            headers += [f"In-Reply-To: {refs[-1]}", f"References: {' '.join(refs)}"]
        if sender.mailer == "outlook":
            topic = _encoded(subject, rng)
            index = "".join(rng.choices(B64, k=32 + 24 * min(len(refs), 8)))
            headers += [f"Thread-Topic: {topic}", f"Thread-Index: {index}"]
        elif sender.mailer == "apple":
            headers.append("X-Mailer: iPhone Mail (20H19)")
        elif sender.mailer == "thunderbird":
            headers.append(
                "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
                "Thunderbird/128.5.0"
            )
        text = f"Hi {USER_NAME.split()[0]},\n\n" + text_body(rng, _size(rng, 700, 0.8, 80, 9000))
        text += f"\n\nBest regards,\n{signature(sender)}"
        if parent is not None and rng.random() < 0.8:
            text += "\n\n" + quoted(rng, parent, _size(rng, 500, 0.9, 60, 6000))
        if sender.mailer in {"outlook", "gmail", "apple"}:
            html = html_body(text, sender.mailer)
        if rng.random() < 0.06:
            attachments = attachment_parts(rng, blobs, when)
        thread = Thread(subject, mid, refs, sender, others, when)
        domain, zone, mailer = sender.domain, sender.zone, sender.mailer
    elif kind == "list":
        name, description, host = LISTS[parent.tag] if parent else rng.choice(LISTS)
        sender = rng.choice(people)
        address = f"{name}@{host}"
        mid = message_id(rng, sender.mailer, sender.domain)
        base = _topic(rng) if parent is None else parent.subject
        subject = f"[{name}] " + (base if parent is None else _re(rng, base, None))
        headers += [
            f"From: {sender.mailbox}",
            f"To: {address}",
            f"Subject: {_encoded(subject, rng)}",
            f"List-Id: {description} <{name}.{host}>",
            f"List-Unsubscribe: <https://{host}/mailman/options/{name}>,\n"
            f" <mailto:{name}-request@{host}?subject=unsubscribe>",
            f"List-Archive: <https://{host}/pipermail/{name}/>",
            f"List-Post: <mailto:{address}>",
            f"List-Help: <mailto:{name}-request@{host}?subject=help>",
            "Precedence: list",
            f'Sender: "{name}" <{name}-bounces+{USER.replace("@", "=")}@{host}>',
            "X-Mailman-Version: 2.1.39",
        ]
        if parent is not None:
            refs = _refs(parent)
            headers += [f"In-Reply-To: {refs[-1]}", f"References: {' '.join(refs)}"]
        else:
            refs = []
        text = text_body(rng, _size(rng, 1200, 0.8, 100, 12000))
        if parent is not None and rng.random() < 0.7:
            text = quoted(rng, parent, _size(rng, 400, 0.8, 60, 3000)) + "\n\n" + text
        text += f"\n\n-- \n{sender.name}\n\n_______________________________________________\n"
        text += f"{name} mailing list\n{address}\nhttps://{host}/mailman/listinfo/{name}"
        tag = LISTS.index((name, description, host))
        thread = Thread(base, mid, refs, sender, [], when, tag=tag)
        domain, zone, mailer = sender.domain, sender.zone, "web"
    elif kind == "newsletter":
        brand, host = rng.choice(BRANDS)
        mid = f"<{rng.getrandbits(96):x}@{host}>"
        token = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=rng.randint(80, 300)))
        headers += [
            f"From: {formataddr((brand, f'news@{host}'), charset='utf-8')}",
            f"To: {me}",
            f"Subject: {_encoded(_topic(rng) + ' – this week', rng)}",
            f"List-Unsubscribe: <https://{host}/unsubscribe?u={token}>,\n <mailto:unsub@{host}>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            f"List-Id: <newsletter.{host}>",
            "Precedence: bulk",
            f"Feedback-ID: {rng.randint(1, 99)}:{rng.randint(100, 999)}:campaign:esp",
            f"X-Campaign-Id: {rng.getrandbits(40):x}",
        ]
        text = text_body(rng, _size(rng, 2000, 0.5, 500, 8000))
        # The HTML of a newsletter: tables, inline styles, tracking links.
        rows = "".join(
            f'<tr><td style="padding:12px 24px;font-family:Helvetica,Arial,sans-serif;'
            f'font-size:15px;color:#333333"><a href="https://click.{host}/?u={token[:40]}&amp;'
            f'l={i}" style="color:#0b5cad">{_sentence(rng)}</a></td></tr>\n'
            for i in range(_size(rng, 11000, 0.6, 3000, 60000) // 260)
        )
        html = f'<table width="100%" cellpadding="0" cellspacing="0">\n{rows}</table>\n'
        domain, zone, mailer = host, UTC, "gmail"
    elif kind == "notification":
        repo = rng.choice(REPOS)
        org, name = repo.split("/")
        number = rng.randint(1, 4000)
        sender = rng.choice(people)
        login = sender.address.partition("@")[0].replace(".", "-")
        root = f"<{repo}/issues/{number}@github.com>"
        mid = f"<{repo}/issues/{number}/c{rng.randint(10**8, 10**9)}@github.com>"
        headers += [
            f"From: {formataddr((sender.name, 'notifications@github.com'), charset='utf-8')}",
            f"Reply-To: {repo} <reply+{rng.getrandbits(96):X}@reply.github.com>",
            f"To: {repo} <{name}@noreply.github.com>",
            f"Cc: {me}, Mention <mention@noreply.github.com>",
            f"Subject: {_encoded(f'Re: [{repo}] {_topic(rng)} (Issue #{number})', rng)}",
            f"In-Reply-To: {root}",
            f"References: {root}",
            f"List-ID: {repo} <{name}.{org}.github.com>",
            f"List-Archive: https://github.com/{repo}",
            f"List-Unsubscribe: <mailto:unsub+{rng.getrandbits(96):X}@reply.github.com>,\n"
            f" <https://github.com/notifications/unsubscribe/{rng.getrandbits(160):X}>",
            "X-GitHub-Reason: mention",
            f"X-GitHub-Sender: {login}",
            "X-Auto-Response-Suppress: All",
            "Precedence: list",
        ]
        text = text_body(rng, _size(rng, 500, 0.7, 60, 4000))
        text += "\n\n-- \nReply to this email directly or view it on GitHub:\n"
        text += f"https://github.com/{repo}/issues/{number}#issuecomment-{rng.getrandbits(30)}"
        html = html_body(text, "gmail")
        domain, zone, mailer = "github.com", UTC, "gmail"
    else:  # an auto-reply, or an alert from a monitoring system
        sender = rng.choice(people)
        mid = message_id(rng, "web", sender.domain)
        if parent is not None:
            prefix = rng.choice(["Automatic reply: ", "Abwesenheitsnotiz: ", "Out of office: "])
            headers += [
                f"From: {sender.mailbox}",
                f"To: {me}",
                f"Subject: {_encoded(prefix + parent.subject, rng)}",
                f"In-Reply-To: {parent.message_id}",
                "Auto-Submitted: auto-replied",
                "X-Auto-Response-Suppress: All",
                "Precedence: auto_reply",
            ]
        else:
            headers += [
                "From: Monitoring <alerts@monitoring.example.net>",
                f"To: {me}",
                f"Subject: [FIRING:{rng.randint(1, 9)}] HighLatency api-{rng.randint(1, 20)}",
                "Auto-Submitted: auto-generated",
                "Precedence: bulk",
            ]
        text = text_body(rng, _size(rng, 300, 0.5, 60, 2000))
        domain, zone, mailer = sender.domain, sender.zone, "web"
    headers_mime, body = body_parts(rng, text, mailer, html, attachments)
    headers = transport(rng, domain, when, mailer == "outlook") + headers
    headers += [f"Date: {date_header(when, zone, rng)}", f"Message-ID: {mid}", *headers_mime]
    return "\n".join(_fold_all(headers)) + "\n\n" + body, thread


def _fold_all(headers: list[str]) -> list[str]:
    folded = []
    for line in headers:
        name, _, value = line.partition(": ")
        folded.append(line if "\n" in line else _fold(name, value))
    return folded


def make_reply(rng: Random, parent: Thread, when: datetime, blobs: Blobs) -> tuple[str, Thread]:
    """The user's reply to ``parent`` (in Sent), from Thunderbird."""
    assert parent.sender is not None
    to = [parent.sender]
    cc = parent.others if rng.random() < 0.4 else []
    refs = _refs(parent)
    mid = message_id(rng, "thunderbird", "example.com")
    headers = [
        f"Message-ID: {mid}",
        f"Date: {date_header(when, USER_ZONE, rng)}",
        "User-Agent: Mozilla Thunderbird",
        f"Subject: {_encoded(_re(rng, parent.subject, None), rng)}",
        f"To: {_addresses(to)}",
    ]
    if cc:
        headers.append(f"Cc: {_addresses(cc)}")
    headers += [
        f"From: {formataddr((USER_NAME, USER))}",
        f"In-Reply-To: {refs[-1]}",
        f"References: {' '.join(refs)}",
        "Content-Language: en-US",
    ]
    text = f"Hi {parent.sender.first},\n\n" + text_body(rng, _size(rng, 450, 0.8, 40, 5000))
    text += f"\n\nBest,\nAlex\n\n{quoted(rng, parent, _size(rng, 700, 0.8, 60, 6000))}"
    attachments = attachment_parts(rng, blobs, when) if rng.random() < 0.05 else []
    headers_mime, body = body_parts(rng, text, "thunderbird", None, attachments)
    raw = "\n".join(_fold_all(headers + headers_mime)) + "\n\n" + body
    return raw, Thread(parent.subject, mid, refs, None, [parent.sender, *cc], when)


class MaildirWriter:
    """Messages straight into a Dovecot user's Maildir++, as its MDA would leave them.

    Files go to ``cur/`` with LF line ends, Dovecot's ``S=`` (size) and ``W=`` (size
    with CRLF) in the name and the delivery time as mtime (Dovecot's INTERNALDATE).
    Dovecot gives them UIDs, in file-name (time) order, when the folder is first opened.
    """

    def __init__(self, maildir: Path, owner: tuple[int, int], sent: str) -> None:
        self._owner = owner
        self.folders = {"INBOX": maildir, sent: maildir / f".{sent}"}
        for folder in self.folders.values():
            self._mkdir(folder)
            for sub in ("cur", "new", "tmp"):
                self._mkdir(folder / sub)
        marker = self.folders[sent] / "maildirfolder"
        marker.touch()
        os.chown(marker, *owner)
        self._seq = 0

    def _mkdir(self, path: Path) -> None:
        path.mkdir(mode=0o700, exist_ok=True)
        os.chown(path, *self._owner)

    def write(self, folder: str, data: bytes, when: datetime, flags: str) -> Path:
        self._seq += 1
        stamp = when.timestamp()
        vsize = len(data) + data.count(b"\n")
        name = (
            f"{int(stamp)}.M{int(stamp % 1 * 1e6)}P{self._seq}.bench,S={len(data)},W={vsize}"
            f":2,{flags}"
        )
        path = self.folders[folder] / "cur" / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fchown(fd, *self._owner)
        finally:
            os.close(fd)
        os.utime(path, (stamp, stamp))
        return path

    @staticmethod
    def mark_answered(path: Path) -> Path:
        base, _, flags = path.name.partition(":2,")
        new = path.with_name(f"{base}:2,{''.join(sorted(set(flags + 'R')))}")
        path.rename(new)
        return new


def write_mailbox(
    writer: MaildirWriter, sent_name: str, inbox: int, seed: int, stats: MailboxStats
) -> None:
    """``inbox`` inbound messages and 15 % as many replies by the user, over two years."""
    started = time.perf_counter()
    rng = Random(seed)
    people = make_people(rng, 1500)
    blobs = Blobs(rng)
    me = formataddr((USER_NAME, USER))
    sent_total = round(inbox * SENT_SHARE)
    total = inbox + sent_total
    offsets = sorted(rng.random() for _ in range(total))
    awaiting: deque[Thread] = deque(maxlen=300)  # personal mail the user may answer
    threads: deque[Thread] = deque(maxlen=400)  # conversations that may go on
    lists: deque[Thread] = deque(maxlen=200)
    mine: deque[Thread] = deque(maxlen=100)  # the user's replies, for auto-replies
    sent_left = sent_total
    for index, offset in enumerate(offsets):
        when = NOW - SPAN + SPAN * offset
        left = total - index
        if sent_left and awaiting and (sent_left >= left or rng.random() < sent_left / left):
            parent = awaiting[-1 - min(len(awaiting) - 1, int(rng.expovariate(1 / 15)))]
            awaiting.remove(parent)
            raw, reply = make_reply(rng, parent, when, blobs)
            data = raw.encode("utf-8")
            writer.write(sent_name, data, when + timedelta(seconds=1), "S")
            if parent.path is not None:
                parent.path = writer.mark_answered(parent.path)
            threads.append(reply)
            mine.append(reply)
            sent_left -= 1
            stats.sent += 1
        else:
            kind = rng.choices(
                ["personal", "reply", "list", "newsletter", "notification", "auto"],
                weights=[27, 26, 16, 11, 16, 4],
            )[0]
            parent = None
            if kind == "reply":
                if threads:
                    parent = threads[-1 - min(len(threads) - 1, int(rng.expovariate(1 / 40)))]
                kind = "personal"
            elif kind == "list" and lists and rng.random() < 0.55:
                parent = lists[-1 - min(len(lists) - 1, int(rng.expovariate(1 / 20)))]
            elif kind == "auto" and mine and rng.random() < 0.5:
                parent = mine[-1]
            raw, thread = make_message(rng, kind, when, people, blobs, parent, me)
            data = raw.encode("utf-8")
            recent = offset > 0.985
            flags = ("F" if rng.random() < 0.015 else "") + ("" if recent else "S")
            delivered = when + timedelta(seconds=rng.randint(2, 90))
            path = writer.write("INBOX", data, delivered, flags)
            if thread is not None:
                thread.path = path
                if kind == "list":
                    lists.append(thread)
                else:
                    threads.append(thread)
                    if rng.random() < 0.6:
                        awaiting.append(thread)
            stats.inbox += 1
        stats.bytes += len(data)
        stats.sizes.append(len(data))
    stats.seconds = time.perf_counter() - started
