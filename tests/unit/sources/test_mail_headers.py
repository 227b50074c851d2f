"""Header blocks as IMAP returns them, read by ``parse_headers``: the odd real-world ones in
``mail_corpus/`` (each with its expected values), tables of dates, addresses, encoded
words and Message-IDs, the work caps, and properties over random and mutated blocks.

The contract under test: ``parse_headers`` never raises; what it cannot read is left out
and named in ``problems``; addresses are lower-case, dates aware UTC or ``None``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from factories import email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncdesk.core.classify import needs_reply
from asyncdesk.core.messages import Sender
from asyncdesk.sources.mail_headers import (
    CLASSIFY_HEADERS,
    HEADER_FIELDS,
    MAX_BLOCK_BYTES,
    MAX_PROBLEMS,
    MAX_REFERENCES,
    ParsedHeaders,
    content_hash,
    conversation_key,
    normalize_mail_address,
    parse_headers,
)

CORPUS = Path(__file__).parent / "mail_corpus"
ME = "alex.doe@example.com"


@dataclass(frozen=True)
class Expected:
    """What a corpus block must read as; ``problems`` are fragments, one per problem."""

    sender: str
    name: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    subject: str = ""
    date: str | None = None  # UTC, ISO 8601 with a Z
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    classify: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    needs_reply: bool = False  # from alex.doe@example.com's point of view


THREAD = tuple(f"thread-{i:03d}@lists.example.org" for i in range(25))

EXPECTED: dict[str, Expected] = {
    "address_edge_cases.eml": Expected(
        "alex.doe@example.com",
        name="Doe, Alex",
        to=(
            "carol@example.com",
            "dave@example.com",
            "c@example.org",
            "dave.jones@example.com",
            "eve@example.com",
            "frank@example.com",
            '"john doe"@example.com',
            "john@example.net",
        ),
        reply_to=("alex.doe+reply@example.com",),
        subject="address edge cases",
        date="2026-12-04T10:00:00Z",
        message_id="edge-1@example.com",
        problems=("To: stray text around an address ignored: 'frank@example.com> (bogus)'",),
    ),
    "bare_cr_and_military_zone.eml": Expected(
        "mac@example.com",
        name="Classic Mac",
        to=(ME,),
        subject="written with CR only",
        date="2026-12-11T10:00:00Z",  # "Q": a military zone, read as UTC (RFC 5322 4.3)
        message_id="cr-1@example.com",
        needs_reply=True,
    ),
    "bounce_postfix.eml": Expected(
        "mailer-daemon@mx.example.org",
        name="Mail Delivery System",
        to=(ME,),
        subject="Undelivered Mail Returned to Sender",
        date="2026-11-19T09:15:00Z",
        message_id="20261119091500.4C9F21A0B3@mx.example.org",
        classify={"auto-submitted": "auto-replied", "return-path": "<>"},
    ),
    "bounce_sendmail_no_domain.eml": Expected(
        "mailer-daemon",
        name="Mail Delivery Subsystem",
        to=(ME,),
        subject="Returned mail: see transcript for details",
        date="2026-11-19T09:02:03Z",
        message_id="202611190902.2AJ923ab012345@relay.example.net",
        classify={"auto-submitted": "auto-generated (failure)"},
    ),
    "calendar_invite_google.eml": Expected(
        "anna.schmidt@firma.de",
        name="Anna Schmidt",
        to=(ME,),
        reply_to=("anna.schmidt@firma.de",),
        subject=(
            "Einladung: Team Sync @ Mi. 25. Nov. 2026 10:00 – 10:30 (MEZ) (alex.doe@example.com)"
        ),
        date="2026-11-23T09:00:01Z",
        message_id="calendar-3f2e1d0c-b9a8-7654-3210-fedcba987654@google.com",
        needs_reply=True,
    ),
    "calendar_invite_outlook.eml": Expected(
        "anna.smith@firma.de",
        name="Smith, Anna",
        to=(ME, "team-platform@firma.de"),
        subject="Quarterly planning",
        date="2026-11-24T16:30:00Z",
        message_id="PAXPR10MB5555E1E2E3E4E5E6@PAXPR10MB5555.EURPRD10.PROD.OUTLOOK.COM",
        needs_reply=True,
    ),
    "chinese_gb2312.eml": Expected(
        "wang.xiaoming@example.cn",
        name="王小明",
        to=(ME,),
        subject="关于下周会议的安排（朱镕基）",  # 镕 is GBK, not GB2312: read as GB18030
        date="2026-11-11T06:05:33Z",
        message_id="202611111405331234567@example.cn",
        needs_reply=True,
    ),
    "cron_mez_zone.eml": Expected(
        "cron@server.example.de",
        name="Old Script",
        to=("root",),
        subject="Cron <root@server> /usr/local/bin/backup.sh",
        date="2026-12-10T02:00:01Z",
        message_id="20261210020001.ABCD1234@server.example.de",
        classify={"precedence": "bulk", "auto-submitted": "auto-generated"},
    ),
    "cyrillic_koi8r_cp1251.eml": Expected(
        "ivan@example.ru",
        name="Иван Петров",
        to=(ME,),
        subject="Отчет за ноябрь",
        date="2026-11-13T15:45:00Z",
        message_id="1605285900.123456@example.ru",
        needs_reply=True,
    ),
    "duplicate_headers.eml": Expected(
        "first@example.com",
        name="First",
        to=("one@example.com", "two@example.com"),
        cc=("three@example.com", "four@example.com"),
        subject="the first subject",
        date="2026-12-05T10:00:00Z",
        message_id="dup-1@example.com",
        problems=(
            "duplicate From header: kept the first",
            "duplicate Subject header: kept the first",
            "duplicate Date header: kept the first",
            "duplicate Message-ID header: kept the first",
        ),
    ),
    "empty_to_header_case.eml": Expected(
        "someone@example.com",
        name="Someone",
        subject="lower-case names, no Date",
        message_id="case-1@example.com",
        in_reply_to="case-0@example.com",
        classify={"list-id": "<announce.example.com>"},
        problems=("no Date header",),
    ),
    "encoded_words_split_midchar.eml": Expected(
        "renee.dupont@agence.example.fr",
        name="Renée Dupont",
        to=(ME,),
        subject="Grüße zum Jubiläum 🎉",
        date="2026-11-30T10:11:11Z",
        message_id="renee.20261130111111@agence.example.fr",
        needs_reply=True,
    ),
    "github_notification.eml": Expected(
        "notifications@github.com",
        name="octocat",
        to=("web@noreply.github.com",),
        cc=(ME, "review_requested@noreply.github.com"),
        reply_to=("reply+aaaxyz5b2eibqcrtb5wevvf5nsbhevbnhhchkj3z2u@reply.github.com",),
        subject="Re: [acme/web] Fix login redirect loop on Safari (PR #1234)",
        date="2026-11-16T20:01:44Z",
        message_id="acme/web/pull/1234/review/987654321@github.com",
        in_reply_to="acme/web/pull/1234@github.com",
        references=("acme/web/pull/1234@github.com",),
        classify={
            "list-id": "acme/web <web.acme.github.com>",
            "list-unsubscribe": (
                "<mailto:unsub+AAAXYZ5B2EIBQCRTB5WEVVF5NSBHEVBNHHCHKJ3Z2U@reply.github.com>, "
                "<https://github.com/notifications/unsubscribe/"
                "AAAXYZ2JRDNHCXLJPE3D5VK3NSBHEANCNFSM4ABCDEFG>"
            ),
            "precedence": "list",
        },
    ),
    "japanese_iso2022jp.eml": Expected(
        "tanaka@example.co.jp",
        name="田中 太郎",
        to=(ME,),
        subject="会議の件について",
        date="2026-11-10T00:30:00Z",
        message_id="20261110093000.4F2A1B@mail.example.co.jp",
        needs_reply=True,
    ),
    "jira_notification.eml": Expected(
        "jira@acme.atlassian.net",
        name="Jane Doe (Jira)",
        to=(ME,),
        subject="[JIRA] (PROJ-123) Login fails on Safari",
        date="2026-11-29T20:14:07Z",
        message_id="JIRA.10123.1701288847000.55.1701288847123@Atlassian.JIRA",
        in_reply_to="JIRA.10123.1701200000000@Atlassian.JIRA",
        references=("JIRA.10123.1701200000000@Atlassian.JIRA",),
        classify={"precedence": "bulk", "auto-submitted": "auto-generated"},
    ),
    "korean_ks_c_5601.eml": Expected(
        "kim@example.co.kr",
        name="김순진",
        to=(ME,),
        subject="회의 일정 안내",
        date="2026-11-12T01:00:00Z",
        message_id="000001d7b2c3$4a5b6c70$df0e4550$@example.co.kr",
        needs_reply=True,
    ),
    "lf_folded_long.eml": Expected(
        "long@lists.example.org",
        name="Long Folder",
        to=("list@lists.example.org",),
        subject=(
            "This is a very long subject line that was folded by a mailer that uses tabs for "
            "continuation lines, with runs of spaces and a third line"
        ),
        date="2026-12-07T10:00:00Z",
        message_id="thread-025@lists.example.org",
        in_reply_to="thread-024@lists.example.org",
        references=THREAD,
    ),
    "mailman_list_dmarc.eml": Expected(
        "python-dev@python.org",
        name="Guido van Rossum via Python-Dev",
        to=("python-dev@python.org",),
        reply_to=("guido@python.example",),
        subject="[Python-Dev] Re: PEP 999 -- Deferred evaluation, take two",
        date="2026-11-15T04:59:59Z",
        message_id="CAP7+vJJx3Yt0aZ=qWqQk7fX4o5D_e1kP0m+Zt2rKzq4T8Zy9bA@mail.gmail.com",
        in_reply_to="5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b@python.example",
        references=(
            "CAEfz+TzA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3@mail.gmail.com",
            "5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b@python.example",
        ),
        classify={
            "list-id": '"Python core developers\' discussion" <python-dev.python.org>',
            "list-unsubscribe": (
                "<https://mail.python.org/mailman3/lists/python-dev.python.org/>, "
                "<mailto:python-dev-leave@python.org>"
            ),
            "precedence": "list",
            "return-path": "<python-dev-bounces+alex.doe=example.com@python.org>",
        },
    ),
    "mbox_from_line.eml": Expected(
        "bob@example.com",
        name="Bob",
        to=(ME,),
        subject="lunch?",
        date="2026-12-09T09:00:00Z",
        message_id="lunch-1@example.com",
        classify={"return-path": "<bob@example.com>"},
        problems=("not a header line: 'From alex.doe@example.com  Wed Dec  9 10:00:00 2026'",),
        needs_reply=True,
    ),
    "message_id_no_brackets.eml": Expected(
        "legacy@example.net",
        to=(ME,),
        subject="legacy mailer",
        date="2026-12-08T22:00:00Z",  # two-digit year, EST
        message_id="1234567.890@mail.example.net",
        problems=("no message id in In-Reply-To: 'Your message of Monday'",),
        needs_reply=True,
    ),
    "message_id_oddities.eml": Expected(
        "odd@example.com",
        to=(ME,),
        subject="Re: odd ids",
        date="2026-12-08T10:00:00Z",
        message_id="oddidwithspaces@example.com",
        in_reply_to="orig-1@example.com",
        references=("root-1@example.com", "orig-1@example.com"),
        needs_reply=True,
    ),
    "mislabelled_charsets.eml": Expected(
        "joerg@example.de",
        name="Jörg Bräuer",
        to=("melanie@example.fr", "elise@example.fr"),
        subject="Grüße aus Köln",
        date="2026-12-01T07:00:00Z",
        message_id="mislabelled-1@example.de",
        problems=(
            "From: 8-bit text labelled us-ascii, read as windows-1252",
            "Subject: text labelled iso-8859-1 is UTF-8, read as UTF-8",
        ),
    ),
    "newsletter_esp.eml": Expected(
        "news@shop.example",
        name="Example Shop",
        to=(ME,),
        reply_to=("no-reply@shop.example",),
        subject="🎉 Black Friday: 30 % auf alles – nur heute!",  # with a no-break space
        date="2026-11-27T06:00:00Z",
        message_id=(
            "0100018c1a2b3c4d-5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b-000000@email.amazonses.com"
        ),
        classify={
            "list-id": (
                "4f3e2d1c0b9a8f7e6d5c4b3a2mc list "
                "<4f3e2d1c0b9a8f7e6d5c4b3a2.123456.list-id.mcsv.net>"
            ),
            "list-unsubscribe": (
                "<mailto:unsubscribe-a1b2c3d4e5@shop.example?subject=unsubscribe>, "
                "<https://click.shop.example/unsubscribe?"
                "u=4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0"
                "&id=98f7e6d5c4b&e=a1b2c3d4e5&c=abcdef>"
            ),
            "precedence": "bulk",
        },
    ),
    "no_from_empty_subject.eml": Expected(
        "",
        to=(ME,),
        problems=(
            "no From header",
            "unparseable Date: 'Sat, 12 Dec 2026 25:61:00 +0100'",
            "no message id in Message-ID: '<>'",
        ),
        needs_reply=True,
    ),
    "out_of_office_exchange.eml": Expected(
        "bernd.schoen@firma.de",
        name="Bernd Schoen",
        to=(ME,),
        subject="Automatische Antwort: Angebot für Q3",
        date="2026-11-17T06:02:11Z",
        message_id="7b1c0f2e9d8a4c6b@AM6PR10MB2222.EURPRD10.PROD.OUTLOOK.COM",
        in_reply_to="d4e5f6a7b8c9@mail.example.com",
        references=("d4e5f6a7b8c9@mail.example.com",),
        classify={"auto-submitted": "auto-replied"},
    ),
    "out_of_office_vacation.eml": Expected(
        "priya@startup.example",
        name="Priya Sharma",
        to=(ME,),
        subject="Out of office until 30 November",
        date="2026-11-17T22:50:00Z",
        message_id="vacation-CAJ8m2Yp1@mail.gmail.com",
        in_reply_to="original-1@mail.example.com",
        classify={"precedence": "bulk", "auto-submitted": "auto-replied"},
    ),
    "outlook_reply_chain.eml": Expected(
        "joerg.mueller@firma.de",
        name="Müller, Jörg",
        to=(ME, "anna.smith@firma.de"),
        cc=("bernd.schoen@firma.de",),
        subject="AW: WG: RE: Angebot für Q3 – bitte prüfen",
        date="2026-11-09T08:15:02Z",
        message_id=(
            "AM0PR07MB6124A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6@AM0PR07MB6124.eurprd07.prod.outlook.com"
        ),
        in_reply_to="VI1PR03MB3333CCCC4444DDDD@VI1PR03MB3333.eurprd03.prod.outlook.com",
        references=(
            "DB7PR02MB1111AAAA2222BBBB@DB7PR02MB1111.eurprd02.prod.outlook.com",
            "AM0PR07MB6124F0E1D2C3B4A5@AM0PR07MB6124.eurprd07.prod.outlook.com",
            "VI1PR03MB3333CCCC4444DDDD@VI1PR03MB3333.eurprd03.prod.outlook.com",
        ),
        needs_reply=True,
    ),
    "raw_latin1_headers.eml": Expected(
        "juergen@example.de",
        name="Jürgen Köhler",
        to=(ME,),
        subject="Grüße aus Köln – Rechnung für März",
        date="2026-12-03T08:15:00Z",
        message_id="latin1-1@example.de",
        problems=(
            "raw 8-bit text, not UTF-8, read as windows-1252: 'From: Jürgen Köhler",
            "raw 8-bit text, not UTF-8, read as windows-1252: 'Subject: Grüße aus Köln",
        ),
        needs_reply=True,
    ),
    "raw_utf8_headers.eml": Expected(
        "zoe@universität.example",
        name="Zoë Ångström",
        to=("info@bücher.example", "user@bücher.example"),
        subject="Grüße aus Zürich – 東京 📦",
        date="2026-12-02T11:00:00Z",
        message_id="utf8-1@universität.example",
    ),
    "spam_garbage.eml": Expected(
        "winner@prize.example",
        name="WINNER NOTIFICATION",
        subject="You have won! £££ 1.000.000 € GEWINN!!!",
        date="2026-11-20T03:00:00Z",
        message_id="1234567890.ABCDEF@prize.example",
        problems=(
            "raw 8-bit text, not UTF-8, read as windows-1252: 'Subject:",
            "not a header line: 'From spammer@bulk.example",
            "not a header line: 'this line is not a header at all'",
            "not a header line: '\\x01\\x02binary junk\\x7f'",
            "From: stray text around an address ignored: 'WINNER NOTIFICATION",
            "impossible time zone '+9900' in Date: read as UTC",
        ),
    ),
    "spam_nul_broken_base64.eml": Expected(
        "sales@pharma.example",
        name="Cheap Meds",
        to=(ME,),
        subject="Best prices on meds!!!äöü",
        message_id="spam-1@pharma.example",
        problems=(
            "NUL bytes in the header block: removed",
            "unparseable Date: 'yesterday at noon'",
            "Subject: broken base64 in an encoded word",
            "Subject: unknown charset 'unknown-8bit', guessed",
        ),
        needs_reply=True,
    ),
}


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_problems(actual: tuple[str, ...], fragments: tuple[str, ...]) -> bool:
    return len(actual) == len(fragments) and all(
        f in a for a, f in zip(actual, fragments, strict=True)
    )


def _corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def _readings(parsed: ParsedHeaders) -> tuple[object, ...]:
    """Everything but ``raw``, for comparing two parses of the same message."""
    return (
        parsed.sender,
        parsed.to,
        parsed.cc,
        parsed.reply_to,
        parsed.subject,
        parsed.date,
        parsed.message_id,
        parsed.in_reply_to,
        parsed.references,
        parsed.classify_headers,
    )


# ------------------------------------------------------------------------------ corpus


def test_every_corpus_block_has_its_expected_values() -> None:
    files = sorted(path.name for path in CORPUS.glob("*.eml"))
    assert files == sorted(EXPECTED)
    assert len(files) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_block_reads_as_expected(name: str) -> None:
    raw = _corpus(name)
    expected = EXPECTED[name]
    parsed = parse_headers(raw)
    assert (parsed.sender.address, parsed.sender.name) == (expected.sender, expected.name)
    assert parsed.to == expected.to
    assert parsed.cc == expected.cc
    assert parsed.reply_to == expected.reply_to
    assert parsed.subject == expected.subject
    assert _iso(parsed.date) == expected.date
    assert parsed.message_id == expected.message_id
    assert parsed.in_reply_to == expected.in_reply_to
    assert parsed.references == expected.references
    assert parsed.classify_headers == expected.classify
    assert _same_problems(parsed.problems, expected.problems), parsed.problems
    assert parsed.raw is raw


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_block_reads_the_same_with_any_line_ending(name: str) -> None:
    raw = _corpus(name)
    lf = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    crlf = lf.replace(b"\n", b"\r\n")
    first, *others = (parse_headers(block) for block in (raw, lf, crlf, lf.replace(b"\n", b"\r")))
    assert all(_readings(other) == _readings(first) for other in others)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_block_classifies_through_the_core(name: str) -> None:
    """The parsed values feed core.classify as the IMAP source will hand them over."""
    parsed = parse_headers(_corpus(name))
    message = email(
        name,
        sender=parsed.sender.address,
        to=parsed.to,
        cc=parsed.cc,
        subject=parsed.subject,
        headers=parsed.classify_headers,
    )
    assert needs_reply(message, [ME]) is EXPECTED[name].needs_reply


# ------------------------------------------------------------------------------- dates


def _block(**headers: str) -> bytes:
    lines = [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


@pytest.mark.parametrize(
    ("value", "expected", "problems"),
    [
        ("Mon, 9 Nov 2026 08:15:02 +0000", "2026-11-09T08:15:02Z", ()),
        ("Mon,  9 Nov 2026 08:15:02 +0100 (CET)", "2026-11-09T07:15:02Z", ()),
        ("  Mon, 9 Nov 2026\t08:15:02   +0000  ", "2026-11-09T08:15:02Z", ()),
        ("9 Nov 2026 08:15 -0500", "2026-11-09T13:15:00Z", ()),
        ("Mon, 9 NOV 2026 08:15:02 +0000", "2026-11-09T08:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 +0530", "2026-11-09T02:45:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 +0100 (GMT+01:00)", "2026-11-09T07:15:02Z", ()),
        ("Tue, 10 Nov 2026 09:30:00 +0900 (東京 (標準時))", "2026-11-10T00:30:00Z", ()),
        ("Mon, 09 Nov 26 08:15:02 EST", "2026-11-09T13:15:02Z", ()),
        ("Mon, 9 Nov 99 08:15:02 +0000", "1999-11-09T08:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 GMT", "2026-11-09T08:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 UT", "2026-11-09T08:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 PDT", "2026-11-09T15:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 CEST", "2026-11-09T06:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 MEZ", "2026-11-09T07:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 JST", "2026-11-08T23:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 Z", "2026-11-09T08:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 A", "2026-11-09T08:15:02Z", ()),  # military: UTC
        ("Mon, 9 Nov 2026 08:15:02 -0000", "2026-11-09T08:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 +01:00", "2026-11-09T07:15:02Z", ()),
        ("Montag, 9 Nov 2026 08:15:02 +0100", "2026-11-09T07:15:02Z", ()),
        ("9-Nov-2026 08:15:02 +0000", "2026-11-09T08:15:02Z", ()),
        ("Mon, 9 Nov 2026 8:15:02 pm +0000", "2026-11-09T20:15:02Z", ()),
        ("Mon, 9 Nov 2026 08.15.02 +0000", "2026-11-09T08:15:02Z", ()),
        ("Mon, 9 Nov 2026 23:59:60 +0000", "2026-11-09T23:59:59Z", ()),  # leap second
        ("2026-11-09T08:15:02+01:00", "2026-11-09T07:15:02Z", ()),
        ("Mon, 9 Nov 2026 08:15:02 XYZ", "2026-11-09T08:15:02Z", ("unknown time zone 'XYZ'",)),
        ("Mon, 9 Nov 2026 08:15:02 +2400", "2026-11-09T08:15:02Z", ("impossible time zone",)),
        ("Mon, 9 Nov 2026 08:15:02", "2026-11-09T08:15:02Z", ("no time zone",)),
        ("Mon Nov  9 08:15:02 2026", "2026-11-09T08:15:02Z", ("no time zone",)),  # asctime
        ("2026-11-09 08:15:02", "2026-11-09T08:15:02Z", ("no time zone",)),
        ("yesterday", None, ("unparseable Date: 'yesterday'",)),
        ("Mon, 31 Feb 2026 08:15:02 +0000", None, ("unparseable Date",)),
        ("Mon, 9 Nov 2026 25:61:00 +0100", None, ("unparseable Date",)),
        ("Fri, 31 Dec 9999 23:59:59 -1200", None, ("unparseable Date",)),
        ("12.03.2024 10:00 +0100", None, ("unparseable Date",)),
        ("", None, ("empty Date header",)),
    ],
)
def test_dates_in_any_zone_become_utc(
    value: str, expected: str | None, problems: tuple[str, ...]
) -> None:
    parsed = parse_headers(_block(From="a@example.com", Date=value))
    assert _iso(parsed.date) == expected
    assert parsed.date is None or parsed.date.tzinfo is UTC
    assert _same_problems(parsed.problems, problems), parsed.problems


def test_a_missing_date_is_none_and_said() -> None:
    parsed = parse_headers(_block(From="a@example.com"))
    assert parsed.date is None
    assert parsed.problems == ("no Date header",)


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("value", "address", "name"),
    [
        ("John Doe <John.Doe@Example.COM>", "john.doe@example.com", "John Doe"),
        ('"Doe, John" <j@x.org>', "j@x.org", "Doe, John"),
        ("Doe, John <j@x.org>", "j@x.org", "Doe, John"),  # unquoted comma
        ("'John Doe' <j@x.org>", "j@x.org", "John Doe"),  # Outlook's quotes
        ("j@x.org (John Doe)", "j@x.org", "John Doe"),
        ("<j@x.org>", "j@x.org", ""),
        ("j@x.org", "j@x.org", ""),
        ('"j@x.org" <J@X.org>', "j@x.org", ""),
        ('"=?utf-8?q?J=C3=B6rg?=" <j@x.org>', "j@x.org", "Jörg"),  # encoded inside quotes
        ("=?utf-8?b?5byg5LiJ?= <zhang@x.cn>", "zhang@x.cn", "张三"),
        ("=?utf-8?q?Doe=2C_John?= <j@x.org>", "j@x.org", "Doe, John"),  # encoded comma
        ("Jira: Project <jira@x.org>", "jira@x.org", "Jira: Project"),
        ("John <mailto:J@X.org>", "j@x.org", "John"),
        ('"John \\"JD\\" Doe" <j@x.org>', "j@x.org", 'John "JD" Doe'),
        ("John Doe john@x.org", "john@x.org", "John Doe"),  # missing brackets
        ("John Q. Public <jqp@x.org>", "jqp@x.org", "John Q. Public"),
        ('"Fabian (GitHub)" <noreply@github.com>', "noreply@github.com", "Fabian (GitHub)"),
        ("<@a.example,@b.example:joe@x.org>", "joe@x.org", ""),  # obsolete route
        ("john . doe @ example . com", "john.doe@example.com", ""),  # obsolete spacing
        ("user@xn--bcher-kva.example", "user@bücher.example", ""),
        ("a@x.org, b@y.org", "a@x.org", ""),  # the first of several
        ("MAILER-DAEMON", "mailer-daemon", ""),
        ("=?UTF-8?Q?=E2=80=AEevil?= <e@x.org>", "e@x.org", "evil"),  # bidi override dropped
        ('"" <j@x.org>', "j@x.org", ""),
    ],
)
def test_from_reads_address_and_display_name(value: str, address: str, name: str) -> None:
    parsed = parse_headers(_block(From=value, Date="Mon, 9 Nov 2026 08:15:02 +0000"))
    assert (parsed.sender.address, parsed.sender.name) == (address, name)
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("value", "address", "name", "problem"),
    [
        ("John Doe", "", "John Doe", "no address in From: 'John Doe'"),
        ("<>", "", "", "no address in From: '<>'"),
        ("", "", "", "empty From header"),
        ("Joe <joe@x.org> garbage", "joe@x.org", "Joe", "From: stray text around an address"),
        ('"unclosed <j@x.org>', "j@x.org", "unclosed", "From: stray text around an address"),
    ],
)
def test_from_that_cannot_be_read_whole(value: str, address: str, name: str, problem: str) -> None:
    parsed = parse_headers(_block(From=value, Date="Mon, 9 Nov 2026 08:15:02 +0000"))
    assert (parsed.sender.address, parsed.sender.name) == (address, name)
    assert _same_problems(parsed.problems, (problem,)), parsed.problems


@pytest.mark.parametrize(
    ("value", "addresses", "problems"),
    [
        ("undisclosed-recipients:;", (), ()),
        ("Undisclosed recipients: ;", (), ()),
        ("", (), ()),
        ("a@x.org, , b@y.org,", ("a@x.org", "b@y.org"), ()),
        ("A@X.org, a@x.org", ("a@x.org",), ()),  # duplicates once
        ('"Doe, John" <j@x.org>, "Roe, Jane" <r@x.org>', ("j@x.org", "r@x.org"), ()),
        ("Team: a@x.org, b@y.org;, c@z.org", ("a@x.org", "b@y.org", "c@z.org"), ()),
        ("a@x.org (Alice), b@y.org (Bob, the builder)", ("a@x.org", "b@y.org"), ()),
        ("<a@x.org>,<b@y.org>", ("a@x.org", "b@y.org"), ()),
        ("a@x.org;b@y.org", ("a@x.org", "b@y.org"), ()),
        ("=?utf-8?q?Doe=2C_John?= <j@x.org>, k@x.org", ("j@x.org", "k@x.org"), ()),
        ('"john doe"@example.com', ('"john doe"@example.com',), ()),
        ("info@Bücher.example", ("info@bücher.example",), ()),
        ("a@x.org b@y.org", ("a@x.org", "b@y.org"), ("To: addresses without commas",)),
        ("a@x.org, John Doe, b@y.org", ("a@x.org", "b@y.org"), ("To: no address in part",)),
        ("a@x.org>", ("a@x.org",), ("To: stray text around an address",)),
        ("@, a@, @b, a@b.org", ("a@b.org",), ("To: no address in part",)),
    ],
)
def test_to_reads_every_address(
    value: str, addresses: tuple[str, ...], problems: tuple[str, ...]
) -> None:
    parsed = parse_headers(_block(From="me@x.org", To=value, Date="Mon, 9 Nov 2026 08:15 GMT"))
    assert parsed.to == addresses
    assert _same_problems(parsed.problems, problems), parsed.problems


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  Alex.Doe@Example.COM ", "alex.doe@example.com"),
        ("mailto:a@x.org", "a@x.org"),
        ("'a@x.org'", "a@x.org"),
        ("a@xn--bcher-kva.example", "a@bücher.example"),
        ("a@xn--invalid-.example", "a@xn--invalid-.example"),
        ("ZOE@UNIVERSITÄT.example", "zoe@universität.example"),
        ("a@", ""),
        ("", ""),
    ],
)
def test_normalize_mail_address(raw: str, normalised: str) -> None:
    assert normalize_mail_address(raw) == normalised


def test_a_remembered_from_still_reports_its_problem() -> None:
    block = _block(From="Joe <joe@x.org> trailing junk", Date="Mon, 9 Nov 2026 08:15 GMT")
    first, second = parse_headers(block), parse_headers(block)
    assert first.problems == second.problems != ()


# ------------------------------------------------------------------------ encoded words


@pytest.mark.parametrize(
    ("value", "subject", "problems"),
    [
        ("=?utf-8?q?caf=C3=A9?=", "café", ()),
        ("Re: =?utf-8?q?caf=C3=A9?= =?utf-8?q?_au_lait?=", "Re: café au lait", ()),
        ("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", ()),
        ("=?UTF-8?B?w6k=?=", "é", ()),
        ("=?utf-8?b?w6k?=", "é", ("Subject: broken base64",)),  # padding missing
        ("=?utf-8*en?q?hello?=", "hello", ()),  # RFC 2231 language
        ("=?utf-8?q?hello world?=", "hello world", ()),  # unencoded space
        ("=?iso-8859-1?q?caf=E9?==?utf-8?q?caf=C3=A9?=", "cafécafé", ()),  # mixed charsets
        ("prefix=?utf-8?q?x?=suffix", "prefixxsuffix", ()),
        ("=?utf-8?x?abc?=", "=?utf-8?x?abc?=", ()),  # not an encoding: left as it is
        ("=?utf-8?q?unterminated", "=?utf-8?q?unterminated", ()),
        ("=?utf-8?q?caf=E9?=", "café", ("Subject: text labelled utf-8 is not UTF-8",)),
        ("=?windows-1252?q?=93quoted=94?=", "“quoted”", ()),
        ("=?iso-8859-1?q?=93quoted=94?=", "“quoted”", ()),  # Latin-1 read as windows-1252
        ("=?ISO-8859-15?Q?=A4uro?=", "€uro", ()),
        ("=?gb2312?b?1tDOxA==?=", "中文", ()),
        ("=?euc-kr?b?x9Gx27mu?=", "한글문", ()),
        ("=?utf-16?b?//5oAGkA?=", "hi", ()),
        ("=?x-unknown?q?=C3=A9t=C3=A9?=", "été", ("Subject: unknown charset 'x-unknown'",)),
        ("=?rot13?q?uryyb?=", "uryyb", ()),  # a codec, but not a charset: ignored
        ("=?utf-8?Q?a=00b=07c?=", "a b c", ()),  # controls become spaces
        ("=?utf-8?q?=E2=80=AEtxt.exe?=", "txt.exe", ()),  # bidi override dropped
        ("tab\there  and   there", "tab here and there", ()),
    ],
)
def test_subject_encoded_words(value: str, subject: str, problems: tuple[str, ...]) -> None:
    parsed = parse_headers(_block(From="a@x.org", Subject=value, Date="Mon, 9 Nov 2026 08:15 GMT"))
    assert parsed.subject == subject
    assert _same_problems(parsed.problems, problems), parsed.problems


def test_an_encoded_word_split_mid_character_joins_its_bytes() -> None:
    # "€" is E2 82 AC; a mailer split it across two words
    parsed = parse_headers(b"Subject: =?utf-8?q?5_=E2=82?= =?utf-8?q?=AC?=\n")
    assert parsed.subject == "5 €"


# ------------------------------------------------------------------------- message ids


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a@b.example>", "a@b.example"),
        ("  <a@b.example>  ", "a@b.example"),
        ("<a b@c.example>", "ab@c.example"),  # whitespace inside removed
        ("<a@b.example> <c@d.example>", "a@b.example"),
        ("a@b.example", "a@b.example"),  # without brackets
        ("<a@b.example> (added by postmaster)", "a@b.example"),
        ("<1234567890>", "1234567890"),
        ("<>", None),
        ("", None),
        ("no id here", None),
    ],
)
def test_message_id(value: str, expected: str | None) -> None:
    assert parse_headers(_block(Message_ID=value)).message_id == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a@x> <b@x>\t<c@x>", ("a@x", "b@x", "c@x")),
        ("<a@x><b@x>", ("a@x", "b@x")),
        ("<a@x> <a@x> <b@x>", ("a@x", "b@x")),
        ("a@x b@x", ("a@x", "b@x")),
        ("<a@x> junk <b c@x>", ("a@x", "bc@x")),
        ("<> junk", ()),
    ],
)
def test_references(value: str, expected: tuple[str, ...]) -> None:
    assert parse_headers(_block(References=value)).references == expected


# ------------------------------------------------------------------------ the splitter


@pytest.mark.parametrize("raw", [b"", b"\r\n", b"\n\n\n", b"   ", b"\x00"])
def test_an_empty_block_reads_as_nothing(raw: bytes) -> None:
    parsed = parse_headers(raw)
    assert _readings(parsed) == (Sender(""), (), (), (), "", None, None, None, (), {})
    assert parsed.problems[-2:] == ("no From header", "no Date header")


def test_the_block_ends_at_the_first_empty_line() -> None:
    parsed = parse_headers(b"\n\nSubject: one\n\nSubject: two\nFrom: x@y.org\n")
    assert parsed.subject == "one"
    assert parsed.sender.address == ""


def test_header_names_in_any_case_and_space_before_the_colon() -> None:
    parsed = parse_headers(b"fROM : A <A@X.ORG>\nSUBJECT:\tHi\nmessage-id:<m@x>\n")
    assert (parsed.sender.address, parsed.subject, parsed.message_id) == ("a@x.org", "Hi", "m@x")


def test_lines_that_are_not_headers_are_skipped_and_named() -> None:
    raw = b" leading continuation\n\xef\xbb\xbfX: y\nSubj\xc3\xa9ct: 8-bit name\nSubject: kept\n"
    parsed = parse_headers(raw)
    assert parsed.subject == "kept"
    assert sum(p.startswith("not a header line") for p in parsed.problems) == 3


def test_a_byte_order_mark_at_the_start_is_ignored() -> None:
    parsed = parse_headers(b"\xef\xbb\xbfSubject: hi\n")
    assert (parsed.subject, parsed.problems) == ("hi", ("no From header", "no Date header"))


def test_a_bug_is_a_problem_not_an_exception() -> None:
    parsed = parse_headers("From: a@example.com")  # type: ignore[arg-type]
    assert parsed.sender.address == ""
    assert parsed.problems[0].startswith("internal error while parsing: TypeError")


def test_header_fields_cover_what_classification_reads() -> None:
    fetched = {name.lower() for name in HEADER_FIELDS}
    assert set(CLASSIFY_HEADERS) <= fetched
    assert {"from", "to", "cc", "subject", "date", "message-id", "references"} <= fetched


# ---------------------------------------------------------------------------- the caps


def test_a_megabyte_of_references_keeps_the_root_and_the_latest() -> None:
    ids = [f"<id{i}@example.com>" for i in range(60_000)]
    parsed = parse_headers(b"References: " + " ".join(ids).encode() + b"\r\n")
    assert len(parsed.references) == MAX_REFERENCES
    assert parsed.references[0] == "id0@example.com"
    assert parsed.references[-1] == "id59999@example.com"
    assert conversation_key(parsed, "fallback") == "id0@example.com"
    assert any(p.startswith("References of") for p in parsed.problems)


def test_a_huge_block_is_cut_and_said() -> None:
    raw = b"Subject: big\r\n" + b"X-Filler: " + b"y" * MAX_BLOCK_BYTES + b"\r\n"
    parsed = parse_headers(raw)
    assert parsed.subject == "big"
    assert any(p.startswith("header block of") for p in parsed.problems)


def test_problems_are_capped() -> None:
    parsed = parse_headers(b"".join(b"junk line %d\n" % i for i in range(1000)))
    assert len(parsed.problems) == MAX_PROBLEMS + 1
    assert parsed.problems[-1] == "more problems not listed"


def test_many_to_headers_are_joined_and_capped() -> None:
    raw = b"".join(b"To: user%d@example.com\r\n" % i for i in range(20_000))
    parsed = parse_headers(raw)
    assert parsed.to[:2] == ("user0@example.com", "user1@example.com")
    assert len(parsed.to) < 20_000
    assert any(p.startswith("To of") for p in parsed.problems)


def test_an_overlong_message_id_is_not_an_id() -> None:
    parsed = parse_headers(b"Message-ID: <" + b"a" * 2000 + b"@x>\n")
    assert parsed.message_id is None
    assert any("an id of 2002 characters ignored" in p for p in parsed.problems)


# ---------------------------------------------------------------- threading and hashing


@pytest.mark.parametrize(
    ("headers", "key"),
    [
        ({"Message_ID": "<m@x>", "In_Reply_To": "<p@x>", "References": "<r@x> <p@x>"}, "r@x"),
        ({"Message_ID": "<m@x>", "In_Reply_To": "<p@x>"}, "p@x"),
        ({"Message_ID": "<m@x>"}, "m@x"),
        ({"Subject": "no ids at all"}, "fallback"),
    ],
)
def test_conversation_key_is_the_thread_root(headers: dict[str, str], key: str) -> None:
    assert conversation_key(parse_headers(_block(**headers)), "fallback") == key


def test_content_hash_is_stable_and_reads_only_normalised_values() -> None:
    plain = _block(
        From="Anna <Anna@Example.org>",
        To="me@example.com",
        Subject="Grüße",
        Date="Mon, 9 Nov 2026 09:15:02 +0100",
    )
    encoded = (
        b"To: <ME@example.com>\n"
        b"Date: Mon, 9 Nov 2026 08:15:02 GMT\n"
        b"Subject: =?iso-8859-1?q?Gr=FC=DFe?=\n"
        b"From: anna@example.org\n"
    )
    assert content_hash(parse_headers(plain)) == content_hash(parse_headers(encoded))
    assert content_hash(parse_headers(plain)) == "1c9dab0f3d75e14f6a8d9f756f1e59fb"
    other = plain.replace(b"Gr\xc3\xbc\xc3\x9fe", b"Hallo")
    assert content_hash(parse_headers(other)) != content_hash(parse_headers(plain))
    assert len(content_hash(parse_headers(b""))) == 32


# ---------------------------------------------------------------------------- properties

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _assert_contract(raw: bytes) -> ParsedHeaders:
    parsed = parse_headers(raw)
    assert isinstance(parsed, ParsedHeaders)
    assert parsed.raw is raw
    assert not any(p.startswith("internal error") for p in parsed.problems), parsed.problems
    assert len(parsed.problems) <= MAX_PROBLEMS + 1
    for address in (parsed.sender.address, *parsed.to, *parsed.cc, *parsed.reply_to):
        assert address == address.lower()
        assert address.strip() == address
    for text in (parsed.subject, parsed.sender.name, *parsed.classify_headers.values()):
        assert text == " ".join(text.split())
        assert not any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in text)
    if parsed.date is not None:
        assert parsed.date.tzinfo is UTC
        assert parsed.date.utcoffset() == timedelta(0)
    ids = [parsed.message_id, parsed.in_reply_to, *parsed.references]
    for found in filter(None, ids):
        assert found == "".join(found.split())
    assert len(parsed.references) <= MAX_REFERENCES
    assert set(parsed.classify_headers) <= set(CLASSIFY_HEADERS)
    assert len(content_hash(parsed)) == 32
    return parsed


@PROPERTY_SETTINGS
@given(st.binary(max_size=3000))
def test_parse_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    _assert_contract(raw)


NAMES = [*HEADER_FIELDS, *(n.upper() for n in HEADER_FIELDS), "X-Junk", "Received", ""]
PIECES = [
    *"abcXYZ019 \t.,;:@<>\"'()\\[]=?_-+/",
    "=?utf-8?q?",
    "=?UTF-8?B?",
    "=?iso-2022-jp?b?",
    "=?gb2312?b?",
    "=?x-unknown?q?",
    "=?utf-8*en?q?",
    "?=",
    "=C3",
    "=A9",
    "=E2=82",
    "w6k=",
    "GyRC",
    "\r\n ",
    "\n\t",
    "\r\n",
    "\n",
    "\r",
    "\x00",
    "\x1b",
    "é",
    "東",
    "\u202e",
    "xn--bcher-kva",
    "mailto:",
    "undisclosed-recipients:;",
    "+0100",
    "-9999",
    "GMT",
    "EST",
    "Nov",
    "Mon,",
    "2026",
    "99",
    "12:30:60",
    "25:61",
]


@st.composite
def header_blocks(draw: st.DrawFn) -> bytes:
    """Blocks of real field names with values made of the pieces parsers trip over."""
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        name = draw(st.sampled_from(NAMES))
        value = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=30)))
        lines.append(f"{name}:{value}")
    text = draw(st.sampled_from(["\r\n", "\n"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "latin-1"]))
    return text.encode(encoding, "replace")


@PROPERTY_SETTINGS
@given(header_blocks())
def test_parse_never_raises_on_header_like_blocks(raw: bytes) -> None:
    _assert_contract(raw)


@st.composite
def mutated_corpus_blocks(draw: st.DrawFn) -> bytes:
    """A corpus block with bytes flipped, inserted, deleted, duplicated or cut."""
    name = draw(st.sampled_from(sorted(EXPECTED)))
    data = bytearray(_corpus(name))
    rng = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 8))):
        where = rng.randrange(len(data) + 1)
        action = rng.randrange(5)
        if action == 0 and where < len(data):
            data[where] = rng.randrange(256)
        elif action == 1:
            data[where:where] = rng.choice(
                [b"\r\n", b"\n ", b"=?", b"?=", b"<", b'"', b"(", b"\x00"]
            )
        elif action == 2:
            del data[where : where + rng.randrange(1, 40)]
        elif action == 3:
            data[where:where] = data[where : where + rng.randrange(1, 200)]
        else:
            del data[where:]
    return bytes(data)


@PROPERTY_SETTINGS
@given(mutated_corpus_blocks())
def test_parse_never_raises_on_mutated_corpus_blocks(raw: bytes) -> None:
    _assert_contract(raw)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_blocks_keep_the_contract(name: str) -> None:
    _assert_contract(_corpus(name))
