"""Whole messages as ``BODY[]`` returns them, read by ``parse_body``: the odd real-world
ones in ``mail_corpus/bodies/`` (each with what a person expects to see), tables of
charsets, transfer encodings, MIME structures and HTML, the work caps, and properties
over random and mutated messages.

The contract under test: ``parse_body`` never raises; the text has no control characters
but tab and line feed; HTML is kept as sent; attachments are listed, never inlined.
"""

from __future__ import annotations

import base64
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncdesk.sources.mail_body import (
    MAX_ATTACHMENTS,
    MAX_DEPTH,
    MAX_PART_BYTES,
    MAX_PARTS,
    ParsedBody,
    html_to_text,
    parse_body,
)

CORPUS = Path(__file__).parent / "mail_corpus" / "bodies"


@dataclass(frozen=True)
class Expected:
    """What a corpus message must read as. ``text`` fragments must appear in order;
    ``not_text`` must not appear; ``html`` is a fragment of the HTML, or ``None`` when
    the message has none; ``problems`` are fragments, one per expected problem."""

    text: tuple[str, ...]
    not_text: tuple[str, ...] = ()
    html: str | None = None
    attachments: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


EXPECTED: dict[str, Expected] = {
    "outlook_related_attachment.eml": Expected(
        text=(
            "Hi Alex,\n\nplease find the revised offer attached – the prices in section\xa03",
            "Best regards\nPriya",
            "[attachment: Angebot_2026-11_v2.docx]",
        ),
        # The inline logo belongs to the HTML (multipart/related): not an attachment.
        not_text=("image001.png]\n[attachment", "[attachment: image001.png]", "MsoNormal"),
        html='<p class="MsoNormal">Hi Alex,',
        attachments=("Angebot_2026-11_v2.docx",),
    ),
    "gmail_alternative_utf8.eml": Expected(
        text=(
            "Hallo Alex,\n\nkönnen wir das Gespräch auf Donnerstag verschieben? 🙏\n\nGrüße\nJörg",
        ),
        not_text=("<div",),
        html='<div dir="ltr">Hallo Alex,',
    ),
    "newsletter_html_only.eml": Expected(
        text=(
            "Nur heute: 30 % auf alles\n\nBlack Friday bei Example Shop\n\n",
            "Liebe Kundin, lieber Kunde,\nunsere Preise fallen – nur heute!",
            "Jacke 49,00 €\nSchal 9,99 €",
            "Jetzt einkaufen »",
            "© 2026 Example Shop <info@shop.example>",
        ),
        not_text=("tracking", "not text", "margin", "<p>", "&nbsp;", "\u200c", "\u034f", "\xa0"),
        html="<!DOCTYPE html",
    ),
    "apple_mail_inline_pdf.eml": Expected(
        text=("Here is the signed contract.", "Thanks, Priya", "[attachment: contract-signed.pdf]"),
        not_text=("<html",),
        html="<div>Thanks, Priya</div>",
        attachments=("contract-signed.pdf",),
    ),
    "broken_base64.eml": Expected(
        text=("Die Rechnung ist überfällig. Bitte zahlen Sie bis Freitag.",),
        problems=("broken base64",),
    ),
    "missing_boundary_parameter.eml": Expected(
        text=("Scanned on the office copier.", "[attachment: scan0001.pdf]"),
        not_text=("multi-part message", "--=_NextPart"),
        attachments=("scan0001.pdf",),
        problems=("boundary parameter is missing or wrong",),
    ),
    "wrong_boundary_parameter.eml": Expected(
        text=("The plain version.",),
        not_text=("HTML", "_Part_"),
        html="<p>The <i>HTML</i> version.</p>",
        problems=("boundary parameter is missing or wrong",),
    ),
    "missing_closing_boundary.eml": Expected(
        text=("Here are the photos – more tomorrow.", "[attachment: IMG_2041.JPG]"),
        not_text=("/9j/",),
        attachments=("IMG_2041.JPG",),
        problems=("without its closing boundary",),
    ),
    "nested_forwards.eml": Expected(
        text=(
            "Alex, this concerns you too.",
            "---------- Forwarded message ----------\n"
            "From: Priya Raman <priya.raman@client.example>\n"
            "Date: 2026-11-16 21:00 UTC\nSubject: Fwd: Budget 2027\nTo: team@client.example",
            "FYI, see below.",
            "From: Bo Chen <bo@partner.example.net>\nDate: 2026-11-16 20:30 UTC\n"
            "Subject: Budget 2027",
            "The budget for 2027 is approved: 120.000 € (naïve estimate).",
        ),
        not_text=("Budget 2027.eml",),
    ),
    "eight_bit_no_charset_latin.eml": Expected(text=("Le café est prêt – “venez” à 10h.",)),
    "eight_bit_no_charset_utf8.eml": Expected(text=("Привет! Встреча в 10:00 — не опаздывай.",)),
    "unknown_8bit.eml": Expected(text=("Looks good to me – Søren’s fix works.",)),
    "utf7.eml": Expected(text=("Grüße aus Köln, ¡hola! ",), not_text=("+AOQ",)),
    "utf7_label_unicode11.eml": Expected(text=("Schöne Grüße",)),
    "iso2022jp.eml": Expected(text=("お世話になっております。明日の会議は１０時からです。ｶﾀｶﾅ",)),
    "lying_charsets.eml": Expected(
        text=(
            "Zoë’s café — naïve.",
            "Price: 50 €, Müller",
            "Łukasz wrote",
            "안녕하세요",
            "你好，世界",
        ),
        problems=("labelled iso-8859-1 is UTF-8", "not valid utf-8", "unknown charset"),
    ),
    "format_flowed.eml": Expected(
        text=(
            "> This is a long quoted line that was wrapped by the mailer.\n",
            "This is my answer which is also quite long and was wrapped by the mailer at 72 "
            "columns.\nFrom the stuffed line.\n\n-- \nAlex",
        ),
    ),
    "format_flowed_delsp.eml": Expected(text=("Donaudampfschifffahrtsgesellschaft\nkapitän",)),
    "bounce_report.eml": Expected(
        text=(
            "could not\nbe delivered",
            "550 5.1.1 User unknown",
            "Final-Recipient: rfc822; nobody@nowhere.example\nAction: failed",
            "[attachment: text/rfc822-headers]",
        ),
        not_text=("MIME-encapsulated",),
        attachments=("text/rfc822-headers",),
    ),
    "pgp_signed.eml": Expected(
        text=("The release tarball is signed with my new key.",),
        not_text=("PGP", "OpenPGP/MIME"),
    ),
    "pgp_encrypted.eml": Expected(text=("[this message is encrypted",), not_text=("hQEMA",)),
    "calendar_invite.eml": Expected(
        text=(
            "You have been invited to: Weekly sync\nTuesday 24 Nov 2026 15:00 - 15:30 (CET)",
            "[attachment: text/calendar]\n[attachment: invite.ics]",
        ),
        not_text=("BEGIN:VCALENDAR",),
        html="<b>Weekly sync</b>",
        attachments=("text/calendar", "invite.ics"),
    ),
    "attachment_names.eml": Expected(
        text=("See the files.", "-- \nMailing list footer"),
        not_text=("ERROR 42", "xx"),
        attachments=(
            "Geschäftsbericht – Q3.pdf",
            "Übersicht.xlsx",
            "фото.jpg",
            "notes.bin",
            "winmail.dat",
            "image/png",
            "server.log",
        ),
    ),
    "uuencode_and_unknown_encoding.eml": Expected(
        text=("Hello from 1998!", "plain words"),
        not_text=("begin 644",),
        problems=("unknown transfer encoding 'x-gzip64'",),
    ),
    "bare_cr_nul_no_blank_line.eml": Expected(
        text=("Line one with NUL\nLine two",),
        not_text=("Subject", "\x00", "\r", "\ufeff"),
        problems=("no empty line after the headers",),
    ),
}


def read(name: str) -> ParsedBody:
    return parse_body((CORPUS / name).read_bytes())


def check_invariants(body: ParsedBody) -> None:
    assert isinstance(body.text, str)
    assert body.html is None or isinstance(body.html, str)
    assert "\r" not in body.text
    assert re.search(r"[\x00-\x08\x0b-\x1f\x7f]", body.text) is None
    assert body.text == body.text.rstrip()
    assert not any(problem.startswith("internal error") for problem in body.problems)
    for name in body.attachments:
        assert name
        assert name.isprintable()
        assert f"[attachment: {name}]" in body.text


def test_every_corpus_message_has_an_expectation() -> None:
    files = sorted(path.name for path in CORPUS.glob("*.eml"))
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus(name: str) -> None:
    expected = EXPECTED[name]
    body = read(name)
    check_invariants(body)
    position = 0
    for fragment in expected.text:
        found = body.text.find(fragment, position)
        assert found >= 0, f"{fragment!r} not in (or out of order in) {body.text!r}"
        position = found + len(fragment)
    for fragment in expected.not_text:
        assert fragment not in body.text
    if expected.html is None:
        assert body.html is None
    else:
        assert body.html is not None
        assert expected.html in body.html
    assert body.attachments == expected.attachments
    assert len(body.problems) == len(expected.problems), body.problems
    for fragment, problem in zip(expected.problems, body.problems, strict=True):
        assert fragment in problem


def test_html_is_kept_as_sent() -> None:
    raw = (CORPUS / "newsletter_html_only.eml").read_bytes()
    body = parse_body(raw)
    assert body.html is not None
    assert "<script>var tracking" in body.html  # sanitising is for whoever shows it
    assert 'src="https://shop.example/open.gif?u=abc"' in body.html


# ---------------------------------------------------------------------------- builders


def message(
    body: bytes,
    content_type: str | None = "text/plain; charset=utf-8",
    encoding: str | None = None,
    *,
    extra: str = "",
) -> bytes:
    head = "From: a@example.org\r\nTo: b@example.org\r\nSubject: t\r\n"
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    if encoding is not None:
        head += f"Content-Transfer-Encoding: {encoding}\r\n"
    return (head + extra + "\r\n").encode("latin-1") + body


def multipart(subtype: str, *parts: bytes, boundary: str = "b0undary") -> bytes:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    body += b"--" + boundary.encode() + b"--\r\n"
    return (f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n').encode() + body


def part(content_type: str, body: bytes, *, headers: str = "") -> bytes:
    return f"Content-Type: {content_type}\r\n{headers}\r\n".encode() + body


# ------------------------------------------------------------------------------ charsets

CHARSETS = [
    # (label, body bytes, expected text)
    ("utf-8", "naïve café".encode(), "naïve café"),
    ("UTF8", "naïve".encode(), "naïve"),
    ('"utf-8"', "naïve".encode(), "naïve"),
    ("iso-8859-1", b"na\xefve \x80", "naïve €"),  # read as windows-1252 (HTML5 does too)
    ("windows-1252", b"\x93quoted\x94", "“quoted”"),
    ("us-ascii", b"caf\xe9", "café"),  # 8-bit under us-ascii: windows-1252
    ("us-ascii", "café".encode(), "café"),  # ... unless it is UTF-8
    ("iso-8859-15", b"\xa4", "€"),
    ("koi8-r", "привет".encode("koi8-r"), "привет"),
    ("windows-1251", "привет".encode("cp1251"), "привет"),
    ("gb2312", "汉字".encode("gb18030"), "汉字"),
    ("big5", "中文".encode("big5"), "中文"),
    ("shift_jis", "日本語".encode("cp932"), "日本語"),
    ("euc-kr", "한국어".encode("cp949"), "한국어"),
    ("utf-7", "Grüße".encode("utf-7"), "Grüße"),
    ("unknown-8bit", "Grüße".encode(), "Grüße"),
    ("unknown-8bit", b"Gr\xfc\xdfe", "Grüße"),
    ("x-unknown", b"plain", "plain"),
    ("no-such-charset", "Grüße".encode(), "Grüße"),
    ("unicode_escape", b"\\u0041", "\\u0041"),  # a Python codec, not a mail charset
    ("base64", b"SGk=", "SGk="),  # a bytes codec: not a charset either
    ("utf-8", b"Gr\xfc\xdfe", "Grüße"),  # mostly not UTF-8: windows-1252
    ("utf-8", "Grüße, Jörg, schöne ".encode() + b"\xff", "Grüße, Jörg, schöne \ufffd"),
    ("utf-16", "hi".encode("utf-16"), "hi"),
    ("utf-8", b"\x81\x8d\x8f\x90\x9d", ""),  # bytes windows-1252 lacks: controls, removed
]


@pytest.mark.parametrize(("label", "data", "text"), CHARSETS)
def test_charsets(label: str, data: bytes, text: str) -> None:
    body = parse_body(message(data, f"text/plain; charset={label}"))
    check_invariants(body)
    assert body.text == text


def test_no_content_type_is_plain_text_and_8bit_is_guessed() -> None:
    assert parse_body(message("Grüße".encode(), None)).text == "Grüße"
    assert parse_body(message(b"Gr\xfc\xdfe", None)).text == "Grüße"


def test_html_meta_charset_used_without_a_mime_charset() -> None:
    html = '<html><head><meta charset="windows-1251"></head><body>привет</body></html>'
    body = parse_body(message(html.encode("cp1251"), "text/html"))
    assert body.text == "привет"
    assert body.html is not None
    assert "привет" in body.html


def test_mime_charset_wins_over_meta() -> None:
    html = '<meta charset="iso-8859-1"><p>Grüße</p>'
    body = parse_body(message(html.encode(), "text/html; charset=utf-8"))
    assert body.text == "Grüße"


# ---------------------------------------------------------------------- transfer codings

BASE64 = [
    (base64.encodebytes("Grüße aus Köln".encode()), "Grüße aus Köln"),
    (base64.b64encode("Grüße aus Köln".encode()).rstrip(b"="), "Grüße aus Köln"),  # no padding
    (b"R3LDv!!MOfZSBh\ndXMg\x00S8O2bG4=", "Grüße aus Köln"),  # junk inside
    (base64.b64encode(b"one ") + b"\r\n" + base64.b64encode(b"two"), "one two"),  # padded chunks
    (b"=", ""),
    (b"", ""),
    (b"QQ", "A"),
    (b"Q", ""),  # one character cannot be decoded
]


@pytest.mark.parametrize(("encoded", "text"), BASE64)
def test_base64(encoded: bytes, text: str) -> None:
    body = parse_body(message(encoded, "text/plain; charset=utf-8", "base64"))
    check_invariants(body)
    assert body.text == text


@pytest.mark.parametrize(
    ("encoded", "text"),
    [
        (b"caf=C3=A9 soft=\r\nbreak", "café softbreak"),
        (b"bad =ZZ escape and trailing =", "bad =ZZ escape and trailing"),
        (b"=E2=82=AC=", "€"),
    ],
)
def test_quoted_printable(encoded: bytes, text: str) -> None:
    assert (
        parse_body(message(encoded, "text/plain; charset=utf-8", "Quoted-Printable")).text == text
    )


def test_transfer_encoding_on_a_forwarded_message_is_decoded() -> None:
    inner = message(b"inner words", "text/plain")
    raw = message(base64.encodebytes(inner), "message/rfc822", "base64")
    assert "inner words" in parse_body(raw).text


# --------------------------------------------------------------------------- structures


def test_alternative_prefers_plain_for_text_and_keeps_the_last_html() -> None:
    raw = b"Subject: x\r\n" + multipart(
        "alternative",
        part("text/plain; charset=utf-8", b"plain words"),
        part("text/html; charset=utf-8", b"<p>first html</p>"),
        part("text/html; charset=utf-8", b"<p>richest html</p>"),
    )
    body = parse_body(raw)
    assert body.text == "plain words"
    assert body.html == "<p>richest html</p>"


def test_alternative_with_only_html_makes_text_from_it() -> None:
    raw = b"Subject: x\r\n" + multipart(
        "alternative",
        part("text/plain", b"  \r\n"),  # an empty plain alternative does not count
        part("text/html", b"<p>Hello<br>world</p>"),
    )
    body = parse_body(raw)
    assert body.text == "Hello\nworld"
    assert body.html == "<p>Hello<br>world</p>"


def test_mixed_joins_inline_parts_and_their_html() -> None:
    raw = b"Subject: x\r\n" + multipart(
        "mixed",
        part("text/html", b"<p>Body</p>"),
        part("text/plain", b"List footer"),
        part(
            "application/zip",
            b"PK",
            headers='Content-Disposition: attachment; filename="a.zip"\r\n',
        ),
    )
    body = parse_body(raw)
    assert body.text == "Body\n\nList footer\n\n[attachment: a.zip]"
    assert body.html is not None
    assert body.html.startswith("<p>Body</p>\n<pre")
    assert "List footer" in body.html
    assert body.attachments == ("a.zip",)


def test_related_reads_its_start_part() -> None:
    raw = b"Subject: x\r\n" + multipart(
        "related",
        part("image/png", b"png", headers="Content-ID: <img1>\r\n"),
        part("text/html", b"<p>root</p>", headers="Content-ID: <root>\r\n"),
        boundary="rel",
    ).replace(b'boundary="rel"', b'boundary="rel"; start="<root>"')
    body = parse_body(raw)
    assert body.text == "root"
    assert body.attachments == ()


def test_digest_parts_default_to_messages() -> None:
    raw = b"Subject: digest\r\n" + multipart(
        "digest",
        # Each part: its own (empty) headers, then the message (RFC 2046 5.1.5).
        b"\r\nFrom: one@example.org\r\nSubject: First\r\n\r\nfirst text",
        b"\r\nFrom: two@example.org\r\nSubject: Second\r\n\r\nsecond text",
    )
    text = parse_body(raw).text
    assert "Subject: First" in text
    assert text.index("first text") < text.index("Subject: Second") < text.index("second text")


def test_inline_text_with_a_name_is_inlined_and_named_text_attachment_is_not() -> None:
    raw = b"Subject: x\r\n" + multipart(
        "mixed",
        part(
            "text/x-diff; name=fix.patch", b"+fixed line", headers="Content-Disposition: inline\r\n"
        ),
        part(
            "text/csv", b"a,b", headers='Content-Disposition: attachment; filename="data.csv"\r\n'
        ),
    )
    body = parse_body(raw)
    assert body.text == "+fixed line\n\n[attachment: data.csv]"


def test_invalid_content_types_are_the_default() -> None:
    # RFC 2045 5.2: a Content-Type that does not parse is read as text/plain (or the
    # default of where it sits), never as a file named after the garbage.
    raw = b"Subject: x\r\n" + multipart(
        "mixed",
        b"Content-Type: multip\xff\x00art/mixed\r\n\r\nstill text",
        b"Content-Type: text/h<tml>\r\n\r\n<p>x</p>",
    )
    body = parse_body(raw)
    assert body.text == "still text\n\n<p>x</p>"
    assert body.attachments == ()


def test_related_root_without_a_content_type_is_text() -> None:
    raw = b"Subject: x\r\n" + multipart(
        "related", b"\r\nroot without headers", part("image/png", b"png")
    )
    assert parse_body(raw) == ParsedBody(text="root without headers", html=None)


def test_a_whole_message_that_is_one_file() -> None:
    raw = message(b"PK", 'application/zip; name="all.zip"', "base64")
    assert parse_body(raw) == ParsedBody(
        text="[attachment: all.zip]", html=None, attachments=("all.zip",)
    )


def test_nested_boundaries_that_share_a_prefix() -> None:
    inner = multipart("alternative", part("text/plain", b"inner plain"), boundary="b")
    raw = b"Subject: x\r\n" + multipart("mixed", inner, part("text/plain", b"outer"), boundary="b-")
    # "--b-" starts with "--b" but is not the inner boundary, and the reverse.
    assert parse_body(raw).text == "inner plain\n\nouter"


def test_transport_padding_after_a_boundary() -> None:
    raw = (
        b"Subject: x\r\nContent-Type: multipart/mixed; boundary=pad\r\n\r\n"
        b"--pad  \t\r\n\r\nhello\r\n--pad-- \r\n"
    )
    assert parse_body(raw).text == "hello"


def test_a_part_that_is_only_headers() -> None:
    raw = b"Subject: x\r\n" + multipart(
        "mixed", part("text/plain", b"body"), b"Content-Type: text/plain; charset=utf-8"
    )
    assert parse_body(raw).text == "body"


def test_multipart_without_any_boundary_is_plain_text() -> None:
    raw = b"Subject: x\r\nContent-Type: multipart/mixed\r\n\r\njust words\r\n"
    body = parse_body(raw)
    assert body.text == "just words"
    assert body.problems == ("a multipart without its boundary: read as plain text",)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("attachment; filename=report.pdf", "report.pdf"),
        ("attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf", "€ rates.pdf"),
        ("attachment; filename*=iso-8859-1'de'M%FCller.txt", "Müller.txt"),
        ('attachment; filename*0="long "; filename*1="name.txt"', "long name.txt"),
        ('attachment; filename="=?iso-8859-1?Q?M=FCller=2Epdf?="', "Müller.pdf"),
        ('attachment; filename="C:\\Users\\me\\x.doc"', "x.doc"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="a\\"b.txt"', 'a"b.txt'),
        ('attachment; filename="line\tbreak.txt"', "line break.txt"),
        ('attachment; filename="invoice\u202efdp.exe"', "invoicefdp.exe"),  # no RTL override
        ("attachment", "application/octet-stream"),
    ],
)
def test_attachment_names(header: str, expected: str) -> None:
    raw = b"Subject: x\r\n" + multipart(
        "mixed",
        part("text/plain", b"body"),
        part("application/octet-stream", b"x", headers=f"Content-Disposition: {header}\r\n"),
    )
    body = parse_body(raw)
    assert body.attachments == (expected,)
    assert body.text == f"body\n\n[attachment: {expected}]"


def test_raw_utf8_attachment_name() -> None:
    header = 'Content-Disposition: attachment; filename="Grüße.txt"\r\n'.encode()
    raw = b"Subject: x\r\n" + multipart(
        "mixed", part("text/plain", b"b"), b"Content-Type: image/png\r\n" + header + b"\r\nx"
    )
    assert parse_body(raw).attachments == ("Grüße.txt",)


def test_content_type_oddities() -> None:
    cases = {
        "TEXT/HTML; CHARSET=UTF-8": "html",
        "text/html;charset=utf-8": "html",
        "text/html (comment)": "html",
        "text/html charset=utf-8": "html",  # no semicolon
        "text": "plain",
        "": "plain",
        "garbage": "plain",
    }
    for value, kind in cases.items():
        body = parse_body(message("<b>Grüße</b>".encode(), value))
        assert (body.html is not None) == (kind == "html"), value
        assert body.text == ("Grüße" if kind == "html" else "<b>Grüße</b>"), value


# ---------------------------------------------------------------------------- html text

HTML = [
    ("<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("One<br>Two<br/><br />Three", "One\nTwo\n\nThree"),
    ("<div>a</div><div>b</div>", "a\nb"),
    ("<ul><li>x</li><li>y</li></ul>", "- x\n- y"),
    ("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>", "a b\nc d"),
    ("a   b\n\n\tc", "a b c"),
    ("<pre>  x\n    y</pre>after", "x\n    y\n\nafter"),
    ("&lt;tag&gt; &amp;amp; &#x41;&#66; &nbsp;&euro; &bogus; &", "<tag> &amp; AB € &bogus; &"),
    ("<script>alert('<p>x</p>')</script>visible", "visible"),
    ("<STYLE>p {}</STYLE>visible", "visible"),
    ("<title>T</title>visible", "visible"),
    ("<!-- hidden <p>x</p> -->visible", "visible"),
    ("<!--[if mso]><p>Outlook only</p><![endif]-->visible", "visible"),
    ("<![if !mso]>shown<![endif]>", "shown"),
    ('<img alt="a > b" src="x">after', "after"),
    ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2"),
    ("a <b>bold</b> word", "a bold word"),
    ("x<", "x<"),
    ("x<p", "x"),
    ("<!DOCTYPE html><?xml version='1.0'?>text", "text"),
    ("<h1>Title</h1>text", "Title\n\ntext"),
    ("<blockquote>q</blockquote>a", "q\n\na"),
    ("zero\u200bwidth\u00adsoft", "zerowidthsoft"),
    ("<p>\u00a0</p><p>x</p>", "x"),
    ("<é>text", "<é>text"),
    ("", ""),
]


@pytest.mark.parametrize(("markup", "text"), HTML)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


HOSTILE = [
    "<a" * 100_000,
    "<!--" * 50_000,
    "</" * 100_000,
    "<?" * 100_000,
    "<!" * 100_000,
    "<![" * 70_000,
    '<a b=">' * 30_000,
    '<a b="' + "x" * 200_000,
    "<style>" * 30_000,
    "<" * 200_000,
    "&" * 200_000,
]


@pytest.mark.parametrize("markup", HOSTILE, ids=lambda markup: repr(markup[:8]))
def test_html_to_text_finishes_on_hostile_markup(markup: str) -> None:
    # html.parser takes minutes on most of these (quadratic); this scanner is linear.
    assert isinstance(html_to_text(markup), str)


# -------------------------------------------------------------------------------- caps


def test_a_huge_text_part_is_cut_with_a_note() -> None:
    line = "Grüße aus Köln! " * 8 + "\n"
    data = (line * (MAX_PART_BYTES // len(line.encode()) + 1000)).encode()
    body = parse_body(message(data))
    check_invariants(body)
    assert len(body.text) < MAX_PART_BYTES
    assert body.text.startswith("Grüße aus Köln!")
    assert body.text.endswith("longer than 4 MB]")
    assert "\ufffd" not in body.text  # a character cut in two is dropped, not replaced
    assert any("cut" in problem for problem in body.problems)


def test_a_huge_html_part_is_cut_too() -> None:
    data = ("<p>Grüße</p>" * (MAX_PART_BYTES // 10)).encode()
    body = parse_body(message(data, "text/html; charset=utf-8"))
    assert body.html is not None
    assert len(body.html.encode()) <= MAX_PART_BYTES
    assert body.text.endswith("longer than 4 MB]")


def test_too_many_parts() -> None:
    parts = [part("text/plain", f"p{i}".encode()) for i in range(MAX_PARTS + 50)]
    body = parse_body(b"Subject: x\r\n" + multipart("mixed", *parts))
    assert "p0\n\np1" in body.text
    assert f"p{MAX_PARTS + 10}" not in body.text
    assert any(str(MAX_PARTS) in problem for problem in body.problems)


@pytest.mark.parametrize("kind", ["multipart", "message"])
def test_deep_nesting(kind: str) -> None:
    raw = b"Content-Type: text/plain\r\n\r\ninnermost"
    for level in range(MAX_DEPTH * 4):
        if kind == "multipart":
            raw = multipart("mixed", raw, boundary=f"level{level}")
        else:
            raw = b"Content-Type: message/rfc822\r\n\r\nSubject: level\r\n" + raw
    body = parse_body(b"Subject: deep\r\n" + raw)
    check_invariants(body)
    assert "innermost" not in body.text
    assert any(f"more than {MAX_DEPTH} deep" in problem for problem in body.problems)


def test_attachment_list_is_capped() -> None:
    parts = [
        part("image/png", b"x", headers=f'Content-Disposition: attachment; filename="{i}.png"\r\n')
        for i in range(MAX_ATTACHMENTS + 5)
    ]
    body = parse_body(b"Subject: x\r\n" + multipart("mixed", *parts))
    assert len(body.attachments) == MAX_ATTACHMENTS
    assert body.text.endswith("[5 more attachments]")


# -------------------------------------------------------------------------- properties


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise(raw: bytes) -> None:
    check_invariants(parse_body(raw))


_PIECES = [
    b"Content-Type: multipart/mixed; boundary=b\r\n",
    b'Content-Type: multipart/alternative; boundary="c"\r\n',
    b"Content-Type: multipart/related; boundary=b; start=<x>\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Type: text/html; charset=utf-7\r\n",
    b"Content-Type: text/plain; charset=unknown-8bit; format=flowed; delsp=yes\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Transfer-Encoding: x-uuencode\r\n",
    b"Content-Disposition: attachment; filename*0*=utf-8''%E2%82; filename*1=x\r\n",
    b"Content-ID: <x>\r\n",
    b"--b\r\n",
    b"--c\r\n",
    b"--b--\r\n",
    b"\r\n",
    b" folded\r\n",
    b"SGVsbG8=",
    b"=E9=\r\n",
    b"<p>hi<br></p><!--",
    b'<a href="',
    b"\xff\xfe\x00",
    b"caf\xe9 \xc3\xa9",
    b"+AGE-",
    b"begin 644 f\r\n",
    b"From: x@y\r\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_random_mime_never_raises(pieces: list[bytes]) -> None:
    check_invariants(parse_body(b"".join(pieces)))


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(EXPECTED)),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    edits=st.integers(min_value=1, max_value=20),
)
def test_mutated_corpus_never_raises(name: str, seed: int, edits: int) -> None:
    rng = random.Random(seed)
    data = bytearray((CORPUS / name).read_bytes())
    for _ in range(edits):
        where = rng.randrange(len(data) + 1)
        action = rng.randrange(4)
        if action == 0 and data:
            del data[where : where + rng.randint(1, 50)]
        elif action == 1:
            data[where:where] = rng.randbytes(rng.randint(1, 20))
        elif action == 2:
            data[where:where] = rng.choice(_PIECES)
        else:
            data = data[:where]
    check_invariants(parse_body(bytes(data)))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_html_to_text_never_raises(markup: str) -> None:
    text = html_to_text(markup)
    assert text == text.strip()
    assert "\r" not in text
