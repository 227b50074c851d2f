"""Attachments listed from whole messages, and their bytes read out, by
``asyncdesk.sources.mail_attachments``: the odd real-world shapes of ``mail_corpus/bodies``
and hand-made ones (winmail.dat, attached messages, nested multiparts, hostile names,
broken MIME), the caps, and properties over random and mangled messages.

The contract under test: ``list_attachments`` never raises; every listed attachment has
a name to show and a span whose bytes can be read; ``safe_filename`` never leaves the
folder.
"""

from __future__ import annotations

import base64
import random
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncdesk.sources import mail_attachments
from asyncdesk.sources.mail_attachments import (
    MAX_DEPTH,
    MAX_LISTED,
    MAX_NAME_BYTES,
    MAX_PARTS,
    Attachment,
    AttachmentList,
    attachment_bytes,
    extension_for,
    list_attachments,
    part_bytes,
    safe_filename,
)

CORPUS = Path(__file__).parent / "mail_corpus" / "bodies"
HEAD = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: files\r\nMIME-Version: 1.0\r\n"


def summary(found: AttachmentList) -> list[tuple[str, str, str, bool]]:
    return [(a.part, a.filename, a.mime_type, a.inline) for a in found.attachments]


def mixed(*parts: bytes, boundary: bytes = b"b0", head: bytes = HEAD) -> bytes:
    """A multipart/mixed message of hand-written parts (each: headers, blank line, body)."""
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return (
        head + b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
        b"preamble\r\n" + body + b"--" + boundary + b"--\r\nepilogue\r\n"
    )


def b64part(data: bytes, headers: bytes) -> bytes:
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return headers + b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded


TEXT = b"Content-Type: text/plain; charset=utf-8\r\n\r\nSee the files."


# ----------------------------------------------------------------------- the corpus


CORPUS_EXPECTED: dict[str, list[tuple[str, str, str, bool]]] = {
    "apple_mail_inline_pdf.eml": [("2.2", "contract-signed.pdf", "application/pdf", False)],
    "attachment_names.eml": [
        ("2", "Geschäftsbericht – Q3.pdf", "application/pdf", False),
        ("3", "Übersicht.xlsx", "application/vnd.ms-excel", False),
        ("4", "фото.jpg", "image/jpeg", False),
        ("5", "notes.bin", "application/octet-stream", False),  # a Windows path, folders cut
        ("6", "winmail.dat", "application/ms-tnef", False),
        ("7", "attachment-6.png", "image/png", False),
        ("8", "server.log", "text/plain", False),  # text with a name: a file
    ],
    "outlook_related_attachment.eml": [
        ("1.2", "image001.png", "image/png", True),  # the logo of the HTML
        (
            "2",
            "Angebot_2026-11_v2.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            False,
        ),
    ],
    "nested_forwards.eml": [
        ("2", "Fwd: Budget 2027.eml", "message/rfc822", False),
        ("2.2", "Budget 2027.eml", "message/rfc822", False),
    ],
    "calendar_invite.eml": [
        ("1.3", "attachment-1.ics", "text/calendar", False),
        ("2", "invite.ics", "application/ics", False),
    ],
    "bounce_report.eml": [("3", "attachment-1.txt", "text/rfc822-headers", False)],
    "missing_boundary_parameter.eml": [("2", "scan0001.pdf", "application/pdf", False)],
    "missing_closing_boundary.eml": [("2", "IMG_2041.JPG", "image/jpeg", False)],
    "pgp_signed.eml": [],  # the signature is not an attachment
    "pgp_encrypted.eml": [],
    "gmail_alternative_utf8.eml": [],
    "newsletter_html_only.eml": [],
    "uuencode_and_unknown_encoding.eml": [],  # text parts, read as the message's text
}


@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_messages_list_what_a_person_expects(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    found = list_attachments(raw)
    assert summary(found) == CORPUS_EXPECTED[name]
    for attachment in found.attachments:
        assert len(attachment_bytes(raw, attachment)) == attachment.size


def test_every_corpus_message_is_read_without_raising() -> None:
    for path in sorted(CORPUS.glob("*.eml")):
        raw = path.read_bytes()
        found = list_attachments(raw)
        check_invariants(raw, found)


def test_corpus_notes_and_bytes() -> None:
    raw = (CORPUS / "attachment_names.eml").read_bytes()
    found = list_attachments(raw)
    tnef = found.find("6")
    assert tnef is not None
    assert tnef.note == "Outlook's winmail.dat (TNEF): the files inside are not unpacked"
    log = found.find("8")
    assert log is not None
    assert attachment_bytes(raw, log) == b"ERROR 42 should not be inlined"

    encrypted = list_attachments((CORPUS / "pgp_encrypted.eml").read_bytes())
    assert encrypted.problems == ("the message is encrypted: its attachments cannot be listed",)

    outlook = list_attachments((CORPUS / "outlook_related_attachment.eml").read_bytes())
    assert [a.filename for a in outlook.files] == ["Angebot_2026-11_v2.docx"]
    assert outlook.attachments[0].content_id == "image001.png@01DB38A1.5C3F2E10"

    forwards = list_attachments((CORPUS / "nested_forwards.eml").read_bytes())
    assert [a.within for a in forwards.attachments] == [None, "2"]


# ------------------------------------------------------------------------ names


def test_names_rfc2231_encoded_words_and_fallbacks() -> None:
    raw = mixed(
        TEXT,
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
        b" filename*=iso-8859-1'de'Pr%FCfung%20%282%29.pdf\r\n\r\nxx",
        b'Content-Type: application/pdf; name="=?ISO-8859-1?Q?R=E9sum=E9?= final.pdf"\r\n\r\nxx',
        b"Content-Type: image/jpeg\r\n\r\nxx",
        b"Content-Type: application/x-unknown-thing\r\n\r\nxx",
        b"Content-Type: text/csv\r\nContent-Disposition: attachment\r\n\r\na,b",
        b'Content-Type: application/pdf; name=""\r\n\r\nxx',
    )
    assert [a.filename for a in list_attachments(raw).attachments] == [
        "Prüfung (2).pdf",
        "Résumé final.pdf",
        "attachment-3.jpg",
        "attachment-4.bin",
        "attachment-5.csv",
        "attachment-6.pdf",
    ]


@pytest.mark.parametrize(
    ("sent", "shown", "saved"),
    [
        ("../../etc/passwd", "passwd", "passwd"),
        ("..\\..\\Windows\\evil.bat", "evil.bat", "evil.bat"),
        ("/home/me/.bashrc", ".bashrc", "bashrc"),
        ("..", "..", "attachment"),
        ("report/..", "..", "attachment"),
        ("a:b?.pdf", "a:b?.pdf", "a_b_.pdf"),
        ("\u202efdp.exe", "fdp.exe", "fdp.exe"),  # a bidi override would show "exe.pdf"
        ("  spaced\t name .pdf  ", "spaced name .pdf", "spaced name .pdf"),
    ],
)
def test_hostile_names_never_leave_the_folder(sent: str, shown: str, saved: str) -> None:
    quoted = sent.replace("\\", "\\\\").encode("utf-8")
    raw = mixed(
        TEXT,
        b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="'
        + quoted
        + b'"\r\n\r\nxx',
    )
    (attachment,) = list_attachments(raw).attachments
    assert attachment.filename == shown
    assert safe_filename(attachment.filename) == saved


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../../x", "x"),
        ("C:\\Users\\me\\Desktop\\notes.txt", "notes.txt"),
        ("...", "attachment"),
        ("", "attachment"),
        (".hidden", "hidden"),
        ("trailing. ", "trailing"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("console.txt", "console.txt"),
        ("bell\x07and\x00nul.txt", "bellandnul.txt"),
        ("line\nbreak.txt", "line break.txt"),
        ("Cafe\u0301.txt", "Café.txt"),  # NFC
        ("zero\u200bwidth.txt", "zerowidth.txt"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_safe_filename_keeps_the_extension_of_long_names() -> None:
    long = safe_filename("ä" * 300 + ".pdf")
    assert long.endswith(".pdf")
    assert len(long.encode("utf-8")) <= MAX_NAME_BYTES
    assert safe_filename("x" * 1000) == "x" * MAX_NAME_BYTES
    assert safe_filename("", fallback="../.eml") == "eml"


def test_extensions_are_the_same_on_every_machine() -> None:
    assert extension_for("image/jpeg") == ".jpg"
    assert extension_for("application/pdf") == ".pdf"
    assert extension_for("message/rfc822") == ".eml"
    assert extension_for("application/ms-tnef") == ".dat"
    assert extension_for("application/x-made-up") == ".bin"


# -------------------------------------------------------------------- structures


def test_nested_multiparts_number_parts_as_imap_does() -> None:
    html = b'<p>Hi <img src="cid:logo@x"></p>'
    related = (
        b'Content-Type: multipart/related; boundary="rel"\r\n\r\n'
        b"--rel\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n"
        b"--alt\r\nContent-Type: text/plain\r\n\r\nHi\r\n"
        b"--alt\r\nContent-Type: text/html\r\n\r\n" + html + b"\r\n--alt--\r\n"
        b"--rel\r\n"
        + b64part(b"PNG", b"Content-Type: image/png\r\nContent-ID: <logo@x>\r\n")
        # Sent with a name and as an attachment: a file as well as an image of the HTML.
        + b"--rel\r\n"
        + b64part(
            b"GIF",
            b"Content-Type: image/gif\r\nContent-ID: <both@x>\r\n"
            b'Content-Disposition: attachment; filename="both.gif"\r\n',
        )
        + b"--rel--\r\n"
    )
    inner_mixed = (
        b'Content-Type: multipart/mixed; boundary="in"\r\n\r\n'
        b"--in\r\n"
        + b64part(b"ZIP", b'Content-Type: application/zip; name="a.zip"\r\n')
        # A Content-ID outside multipart/related (Outlook sets one on every file): a file.
        + b"--in\r\n"
        + b64part(b"JPG", b'Content-Type: image/jpeg; name="photo.jpg"\r\nContent-ID: <p@x>\r\n')
        + b"--in--\r\n"
    )
    raw = mixed(
        related,
        b64part(b"%PDF-1.7", b'Content-Type: application/pdf; name="report.pdf"\r\n'),
        inner_mixed,
    )
    found = list_attachments(raw)
    assert summary(found) == [
        ("1.2", "attachment-1.png", "image/png", True),
        ("1.3", "both.gif", "image/gif", False),
        ("2", "report.pdf", "application/pdf", False),
        ("3.1", "a.zip", "application/zip", False),
        ("3.2", "photo.jpg", "image/jpeg", False),
    ]
    assert [a.filename for a in found.files] == [
        "both.gif",
        "report.pdf",
        "a.zip",
        "photo.jpg",
    ]
    assert part_bytes(raw, "1.2") == b"PNG"
    assert part_bytes(raw, "3.2") == b"JPG"
    assert part_bytes(raw, "1.1") is None  # the text is not an attachment
    assert found.problems == ()


def test_inline_disposition_without_content_id_is_a_file() -> None:
    raw = mixed(
        TEXT,
        b64part(b"JPG", b"Content-Type: image/jpeg\r\nContent-Disposition: inline\r\n"),
        b"Content-Type: text/plain\r\nContent-Disposition: inline\r\n\r\nfooter text",
    )
    assert summary(list_attachments(raw)) == [("2", "attachment-1.jpg", "image/jpeg", False)]


def test_attached_message_lists_its_own_attachments_under_it() -> None:
    inner = mixed(
        TEXT,
        b64part(b"inner pdf", b'Content-Type: application/pdf; name="inner.pdf"\r\n'),
        boundary=b"inner",
        head=b"From: c@example.org\r\nSubject: =?UTF-8?Q?Angebot_f=C3=BCr/2027?=\r\n",
    )
    raw = mixed(
        TEXT,
        b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + inner,
        b"Content-Type: message/rfc822\r\n\r\nSubject: single\r\n\r\njust text",
    )
    found = list_attachments(raw)
    assert summary(found) == [
        ("2", "Angebot für_2027.eml", "message/rfc822", False),
        ("2.2", "inner.pdf", "application/pdf", False),
        ("3", "single.eml", "message/rfc822", False),
    ]
    assert [a.within for a in found.attachments] == [None, "2", None]
    eml = found.attachments[0]
    assert attachment_bytes(raw, eml) == inner
    assert part_bytes(raw, "2.2") == b"inner pdf"


def test_single_part_messages() -> None:
    pdf = HEAD + b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    raw = pdf + base64.encodebytes(b"%PDF only")
    assert summary(list_attachments(raw)) == [("1", "attachment-1.pdf", "application/pdf", False)]
    assert part_bytes(raw, "1") == b"%PDF only"
    assert list_attachments(HEAD + b"\r\nplain text, no MIME at all\r\n") == AttachmentList()
    forwarded = HEAD + b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nhello"
    assert summary(list_attachments(forwarded)) == [("1", "inner.eml", "message/rfc822", False)]


def test_winmail_dat_and_smime_are_listed_with_a_note() -> None:
    raw = mixed(
        TEXT,
        b64part(b"\x78\x9f\x3e\x22", b'Content-Type: application/ms-tnef; name="winmail.dat"\r\n'),
        b64part(b"p7m", b'Content-Type: application/pkcs7-mime; name="smime.p7m"\r\n'),
    )
    found = list_attachments(raw)
    assert [(a.filename, a.note) for a in found.attachments] == [
        ("winmail.dat", "Outlook's winmail.dat (TNEF): the files inside are not unpacked"),
        ("smime.p7m", "S/MIME content: encrypted or signed, not opened here"),
    ]
    assert part_bytes(raw, "2") == b"\x78\x9f\x3e\x22"


# ------------------------------------------------------------------- encodings


def test_transfer_encodings_are_decoded() -> None:
    payload = bytes(range(256)) * 3
    uu = b"begin 644 x.bin\r\n" + b"".join(
        __import__("binascii").b2a_uu(payload[i : i + 45]).replace(b"\n", b"\r\n")
        for i in range(0, len(payload), 45)
    )
    raw = mixed(
        TEXT,
        b64part(payload, b'Content-Type: application/octet-stream; name="b64.bin"\r\n'),
        b'Content-Type: text/plain; name="qp.txt"\r\nContent-Transfer-Encoding: quoted-printable'
        b"\r\n\r\nCaf=C3=A9 long line =\r\ncontinued\r\nsecond line",
        b'Content-Type: application/octet-stream; name="uu.bin"\r\n'
        b"Content-Transfer-Encoding: x-uuencode\r\n\r\n" + uu + b"`\r\nend",
        b'Content-Type: text/plain; name="crlf.txt"\r\n\r\none\r\ntwo',
        b'Content-Type: application/octet-stream; name="odd.bin"\r\n'
        b"Content-Transfer-Encoding: x-gzip64\r\n\r\nraw bytes",
    )
    found = list_attachments(raw)
    expected = [
        payload,
        "Café long line continued\r\nsecond line".encode(),
        payload,
        b"one\r\ntwo",  # a text file is saved as sent, CRLF and all
        b"raw bytes",
    ]
    assert [part_bytes(raw, a.part) for a in found.attachments] == expected
    assert [a.size for a in found.attachments] == [len(data) for data in expected]
    assert found.attachments[4].note == "unknown transfer encoding 'x-gzip64': saved as sent"


def test_lf_and_crlf_mail_give_the_same_files() -> None:
    payload = random.Random(7).randbytes(5000)
    crlf = mixed(TEXT, b64part(payload, b'Content-Type: image/png; name="x.png"\r\n'))
    lf = crlf.replace(b"\r\n", b"\n")
    cr = crlf.replace(b"\r\n", b"\r")  # old Mac mail
    for raw in (crlf, lf, cr):
        (attachment,) = list_attachments(raw).attachments
        assert (attachment.filename, attachment.size) == ("x.png", 5000)
        assert attachment_bytes(raw, attachment) == payload


def test_broken_base64_is_read_as_far_as_it_goes_and_the_rest_still_listed() -> None:
    good = base64.b64encode(b"first half ")
    raw = mixed(
        TEXT,
        b'Content-Type: application/pdf; name="broken.pdf"\r\nContent-Transfer-Encoding: base64'
        b"\r\n\r\n" + good + b"!!##\r\n" + base64.b64encode(b"second") + b"\r\nQQ",
        b64part(b"fine", b'Content-Type: image/png; name="after.png"\r\n'),
    )
    found = list_attachments(raw)
    assert [a.filename for a in found.attachments] == ["broken.pdf", "after.png"]
    broken = found.attachments[0]
    assert broken.note == "broken base64: saved what could be read"
    assert attachment_bytes(raw, broken).startswith(b"first half second")
    assert part_bytes(raw, "3") == b"fine"


def test_missing_and_wrong_boundaries() -> None:
    part = b64part(b"data", b'Content-Type: application/zip; name="a.zip"\r\n')
    no_closing = mixed(TEXT, part).rsplit(b"--b0--", 1)[0]
    found = list_attachments(no_closing)
    assert [a.filename for a in found.attachments] == ["a.zip"]
    assert found.problems == ("a multipart without its closing boundary: read to the end",)
    assert part_bytes(no_closing, "2") == b"data"

    never = HEAD + b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\njust some text\r\n'
    assert list_attachments(never).problems == (
        "a multipart without its boundary: no attachments found in it",
    )

    wrong = mixed(TEXT, part).replace(b'boundary="b0"', b'boundary="other"')
    assert [a.filename for a in list_attachments(wrong).attachments] == ["a.zip"]

    # Lines that only start like the delimiter "--b0" are content.
    content = b"--b0x\r\n--b0 not\r\n--b0\tx\r\ndata"
    lookalike = mixed(TEXT, b"Content-Type: application/octet-stream\r\n\r\n" + content)
    assert part_bytes(lookalike, "2") == content


def test_partial_message_marks_the_cut_part() -> None:
    payload = random.Random(1).randbytes(30_000)
    raw = mixed(
        TEXT,
        b64part(b"small", b'Content-Type: image/png; name="first.png"\r\n'),
        b64part(payload, b'Content-Type: application/pdf; name="big.pdf"\r\n'),
    )
    start = raw[: len(raw) // 2]
    found = list_attachments(start, complete=False)
    assert [(a.filename, a.complete) for a in found.attachments] == [
        ("first.png", True),
        ("big.pdf", False),
    ]
    assert found.attachments[1].note == "cut off: only the start of the message was fetched"
    assert 10_000 < found.attachments[1].size < 30_000
    # The same bytes read as a whole message: a missing closing boundary, not a cut.
    assert list_attachments(start).attachments[1].complete


def test_parts_over_the_cap_are_measured_without_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mail_attachments, "MAX_ATTACHMENT_BYTES", 1000)
    calls: list[int] = []
    real = mail_attachments._decode

    def counting(data: bytes, start: int, end: int, encoding: str, problems: list[str]) -> bytes:
        calls.append(end - start)
        return real(data, start, end, encoding, problems)

    monkeypatch.setattr(mail_attachments, "_decode", counting)
    for size in (1001, 1002, 1003, 5000):
        raw = mixed(
            TEXT, b64part(bytes(size), b'Content-Type: application/pdf; name="big.pdf"\r\n')
        )
        assert list_attachments(raw).attachments[0].size == size  # exact for clean base64
    assert calls == []


# ------------------------------------------------------------------------- caps


def test_many_parts_are_capped_not_fatal() -> None:
    many = mixed(
        *(
            b64part(b"x", f'Content-Type: image/png; name="{i}.png"\r\n'.encode())
            for i in range(MAX_LISTED + 20)
        )
    )
    found = list_attachments(many)
    assert len(found.attachments) == MAX_LISTED
    assert found.more == 20
    assert found.problems == (f"more than {MAX_LISTED} attachments: the rest are counted",)

    huge = mixed(*(b"Content-Type: image/png\r\n\r\nx" for _ in range(MAX_PARTS + 50)))
    found = list_attachments(huge)
    assert len(found.attachments) + found.more == MAX_PARTS - 1  # the message is a part too
    assert f"more than {MAX_PARTS} MIME parts: the rest are not read" in found.problems


def test_deep_nesting_is_capped() -> None:
    body = b64part(b"deep", b'Content-Type: image/png; name="deep.png"\r\n')
    for level in range(MAX_DEPTH + 10):
        boundary = f"n{level}".encode()
        body = (
            b'Content-Type: multipart/mixed; boundary="'
            + boundary
            + b'"\r\n\r\n--'
            + boundary
            + b"\r\n"
            + body
            + b"\r\n--"
            + boundary
            + b"--"
        )
    found = list_attachments(HEAD + body)
    assert found.attachments == ()
    assert found.problems == (f"multiparts nested more than {MAX_DEPTH} deep: not read",)

    message = HEAD + b"Content-Type: text/plain\r\n\r\nbottom"
    for _ in range(MAX_DEPTH + 10):
        message = HEAD + b"Content-Type: message/rfc822\r\n\r\n" + message
    found = list_attachments(message)
    assert len(found.attachments) == MAX_DEPTH + 1
    assert found.problems == (f"attached messages nested more than {MAX_DEPTH} deep: not read",)


def test_hostile_shapes_stay_fast() -> None:
    shapes = [
        HEAD + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + b"--b\r\n" * 200_000,
        HEAD + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + b"--b" * 500_000,
        HEAD
        + b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b"=" * 3_000_000,
        HEAD + b"X-Long: " + b"a" * 2_000_000 + b"\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=b\n" * 50_000,
    ]
    for raw in shapes:
        began = time.perf_counter()
        list_attachments(raw)
        assert time.perf_counter() - began < 2.0


# ------------------------------------------------------------------- properties


def check_invariants(raw: bytes, found: AttachmentList) -> None:
    parts = [a.part for a in found.attachments]
    assert len(parts) == len(set(parts))
    assert len(found.attachments) <= MAX_LISTED
    for attachment in found.attachments:
        assert isinstance(attachment, Attachment)
        assert attachment.filename
        assert attachment.filename.isprintable()
        assert "/" not in attachment.filename
        assert "\\" not in attachment.filename
        assert attachment.size >= 0
        assert "/" in attachment.mime_type
        assert attachment.note is None or "\n" not in attachment.note
        data = attachment_bytes(raw, attachment)
        assert len(data) == attachment.size or not attachment.complete


def mutate(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        action = rng.randrange(5)
        at = rng.randrange(len(data) + 1)
        if action == 0:  # cut
            del data[at:]
        elif action == 1:  # insert a line that looks like structure
            data[at:at] = rng.choice(
                [
                    b"\r\n--b0\r\n",
                    b"\n--f--\n",
                    b"\r\n\r\n",
                    b"Content-Type: multipart/mixed\r\n",
                    b"=",
                    b"\x00",
                    b"Content-Transfer-Encoding: base64\n",
                    b"--",
                ]
            )
        elif action == 2 and data:  # flip a byte
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif action == 3:  # drop a piece
            del data[at : at + rng.randrange(200)]
        else:  # duplicate a piece
            data[at:at] = data[at : at + rng.randrange(400)]
        if not data:
            break
    return bytes(data)


SEEDS = sorted(path.read_bytes() for path in CORPUS.glob("*.eml"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SEEDS) - 1), st.randoms(use_true_random=False))
def test_mangled_real_messages_never_raise(seed: int, rng: random.Random) -> None:
    raw = mutate(SEEDS[seed], rng)
    found = list_attachments(raw)
    check_invariants(raw, found)
    assert list_attachments(raw, complete=False).attachments is not None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    check_invariants(raw, list_attachments(raw))
    check_invariants(HEAD + raw, list_attachments(HEAD + raw))


MIME_PIECES = st.sampled_from(
    [
        b"Content-Type: multipart/mixed; boundary=b0\r\n",
        b"Content-Type: multipart/related; boundary=b0\r\n",
        b"Content-Type: multipart/alternative; boundary=b1\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Content-Type: image/png; name*0*=utf-8''%E2%82; name*1=.png\r\n",
        b"Content-Type: text/plain; name==?utf-8?B?w6k=?=\r\n",
        b'Content-Disposition: attachment; filename="../x"\r\n',
        b"Content-Disposition: inline\r\n",
        b"Content-ID: <a@b>\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Transfer-Encoding: x-uuencode\r\n",
        b"\r\n",
        b"\n",
        b"--b0\r\n",
        b"--b0--\r\n",
        b"--b1\r\n",
        b"--b1--\n",
        b"QUJD\r\n",
        b"=41=\r\n",
        b"begin 644 a\r\n#86)C\r\n`\r\nend\r\n",
        b"text\r\n",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(MIME_PIECES, max_size=40))
def test_random_mime_structures_never_raise(pieces: list[bytes]) -> None:
    raw = HEAD + b"".join(pieces)
    check_invariants(raw, list_attachments(raw))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_safe_filename_always_stays_in_the_folder(name: str) -> None:
    safe = safe_filename(name)
    assert safe
    assert safe.isprintable()
    assert not safe.startswith((".", " "))
    assert not safe.endswith((".", " "))
    assert not set(safe) & set('/\\<>:"|?*')
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    for flavour in (PurePosixPath, PureWindowsPath):
        folder = flavour("folder")
        assert (folder / safe).parent == folder
        assert (folder / safe).name == safe


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=80),
    st.binary(max_size=3000),
    st.sampled_from(["image/png", "application/pdf", "text/plain"]),
)
def test_any_name_and_content_round_trip(name: str, content: bytes, ctype: str) -> None:
    message = EmailMessage(policy=SMTP)
    message["Subject"] = "round trip"
    message.set_content("body")
    maintype, subtype = ctype.split("/")
    message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    raw = bytes(message)
    found = list_attachments(raw)
    check_invariants(raw, found)
    (attachment,) = found.attachments
    assert attachment_bytes(raw, attachment) == content
    assert attachment.size == len(content)
    assert attachment.mime_type == ctype
    plain = " ".join(name.split())
    if plain and plain.isprintable() and not set(plain) & set("/\\") and "=?" not in plain:
        assert attachment.filename == plain  # RFC 2231 and quoting decoded as sent
