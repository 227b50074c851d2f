"""Odd mail never stops a sync, and every message can be opened.

Mail in the wild is broken in every way MIME allows and some it does not. Here a real
private Dovecot serves CPython's own test messages (``tests/data/cpython_email``) and
messages made below (broken MIME, lying charsets, raw 8-bit and NUL bytes, a 25 MB
attachment, a thousand recipients, ...). They are synced the way a user syncs, through
the command line (``account add imap``, ``sync --once``), and each is then opened the
way the message view opens it (``asyncdesk/ui/message_view.py``): its body fetched,
stored and sanitised, its attachments listed. What a user would notice is asserted:
every message the server holds is in the inbox, none stopped the sync, and each opens
without an error within a few seconds.
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers.dovecot import Dovecot

from asyncdesk.cli import main
from asyncdesk.core.accounts import Account
from asyncdesk.core.clock import SystemClock
from asyncdesk.services.accounts import profile_secrets
from asyncdesk.services.attachments import attachment_plan, fetch_attachments
from asyncdesk.services.bodies import (
    MessageBody,
    body_or_plan,
    fetch_planned,
    open_fetcher,
    save_fetched,
)
from asyncdesk.services.safe_html import sanitize
from asyncdesk.sources.imap_fetch import BodyFetcher
from asyncdesk.store.accounts import list_accounts
from asyncdesk.store.database import Store

CPYTHON = Path(__file__).parents[1] / "data" / "cpython_email"
ME = "me@example.com"
#: Seconds opening one message may take (body and attachments) before a person gives up.
OPEN_SECONDS = 5.0


# ----------------------------------------------------------------------- the messages


def _head(subject: str, *extra: str, message_id: str | None = None, eol: str = "\r\n") -> str:
    lines = [
        "From: Odd Sender <odd@example.org>",
        f"To: {ME}",
        f"Subject: {subject}",
        "Date: Mon, 16 Nov 2026 09:00:00 +0000",
        f"Message-ID: <{message_id or subject.replace(' ', '.')}@odd.example.org>",
        "MIME-Version: 1.0",
        *extra,
    ]
    return eol.join(lines) + eol


def _nested(depth: int) -> bytes:
    """``depth`` multiparts each inside the last, a text at the bottom."""
    body = b"Content-Type: text/plain\r\n\r\nAt the bottom of the well.\r\n"
    for level in range(depth, 0, -1):
        boundary = f"level{level}".encode()
        body = (
            b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n"
            b"--" + boundary + b"\r\n" + body + b"\r\n--" + boundary + b"--\r\n"
        )
    head, _, rest = body.partition(b"\r\n\r\n")
    return _head("nested fifty deep").encode() + head + b"\r\n\r\n" + rest


def odd_messages() -> dict[str, bytes]:
    """Broken and hostile messages by name; all but the 25 MB one (see ``huge``)."""
    rng = random.Random(2026)
    pdf = b"%PDF-1.4\n" + rng.randbytes(30_000)
    pdf64 = base64.encodebytes(pdf).replace(b"\n", b"\r\n")
    made: dict[str, bytes] = {
        "no boundary parameter": _head(
            "no boundary parameter", "Content-Type: multipart/mixed"
        ).encode()
        + b"\r\n--xyz\r\nContent-Type: text/plain\r\n\r\nHello\r\n--xyz--\r\n",
        "boundary never appears": _head(
            "boundary never appears", 'Content-Type: multipart/mixed; boundary="nothere"'
        ).encode()
        + b"\r\nJust some text, no parts at all.\r\n",
        "no closing boundary": _head(
            "no closing boundary", 'Content-Type: multipart/mixed; boundary="b1"'
        ).encode()
        + b"\r\n--b1\r\nContent-Type: text/plain\r\n\r\nFirst\r\n--b1\r\n"
        b"Content-Type: application/pdf; name=cut.pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"\r\n" + pdf64[:2000],
        "nested fifty deep": _nested(50),
        "base64 label on plain text": _head(
            "base64 label on plain text",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
        ).encode()
        + b"\r\nThis is not base64 at all, it is plain text!\r\n",
        "unknown transfer encoding": _head(
            "unknown transfer encoding",
            "Content-Type: text/plain",
            "Content-Transfer-Encoding: x-rot13",
        ).encode()
        + b"\r\nUryyb jbeyq\r\n",
        "broken quoted-printable": _head(
            "broken quoted-printable",
            "Content-Type: text/plain; charset=iso-8859-1",
            "Content-Transfer-Encoding: quoted-printable",
        ).encode()
        + b"\r\nCaf=E9 =ZZ =\r\nsoft =3 end=\r\n",
        "truncated base64 attachment": _head(
            "truncated base64 attachment", 'Content-Type: multipart/mixed; boundary="b2"'
        ).encode()
        + b"\r\n--b2\r\nContent-Type: text/plain\r\n\r\nSee attached\r\n--b2\r\n"
        b'Content-Type: application/pdf; name="report.pdf"\r\n'
        b"Content-Disposition: attachment; filename=report.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + pdf64[:10_001] + b"\r\n--b2--\r\n",
        "unknown charset": _head(
            "unknown charset", "Content-Type: text/plain; charset=x-klingon-8"
        ).encode()
        + b"\r\nQapla\xe2\x80\x99 \xff\xfe batlh\r\n",
        "lying charset": _head("lying charset", "Content-Type: text/plain; charset=utf-8").encode()
        + "\r\nGrüße aus Köln, Straße\r\n".encode("latin-1"),
        "iso-2022-jp that is utf-8": _head(
            "iso-2022-jp that is utf-8", "Content-Type: text/plain; charset=iso-2022-jp"
        ).encode()
        + "\r\nこんにちは\r\n".encode(),
        "utf-16 label on ascii": _head(
            "utf-16 label on ascii", "Content-Type: text/html; charset=utf-16"
        ).encode()
        + b"\r\n<p>odd length</p>\r\n\r\n!",
        "raw 8-bit headers": (
            "From: Jürgen Müller <jürgen@bücher.example>\r\n"
            "To: Zoë <me@example.com>\r\n"
            "Subject: Grüße — 你好 — Привет\r\n"
            "Date: Mon, 16 Nov 2026 09:00:00 +0000\r\n"
            "Message-ID: <raw8bit@odd.example.org>\r\n\r\nBody\r\n"
        ).encode()
        + b"X-Latin: caf\xe9\r\n",
        "latin-1 raw headers": (
            "From: Fran\xe7ois <francois@example.fr>\r\nTo: me@example.com\r\n"
            "Subject: R\xe9union d\xe9cal\xe9e\r\nMessage-ID: <latin1@odd.example.org>\r\n\r\n"
            "Body\r\n"
        ).encode("latin-1"),
        "encoded words gone wrong": (
            b"From: =?utf-8?B?!!!notbase64?= <ew@example.org>\r\n"
            b"To: =?unknown-charset?Q?Someone?= <me@example.com>\r\n"
            b"Subject: =?utf-8?Q?unterminated =?utf-8?B?w6k?= =?iso-8859-1?q?caf=E9?="
            b"=?utf-8?B?8J+YgA?= =?x-none?B?AAAA?= =?utf-8?Q?=ZZ?=\r\n"
            b"Date: Mon, 16 Nov 2026 09:00:00 +0000\r\n"
            b"Message-ID: <encoded-words@odd.example.org>\r\n"
            b"Content-Type: text/plain; name==?utf-8?B?Zm9v?=\r\n\r\nBody\r\n"
        ),
        "thousand recipients": (
            "From: Bulk <bulk@example.org>\r\n"
            "To: "
            + ",\r\n ".join(f"Person {i} <person{i}@example.net>" for i in range(1000))
            + f",\r\n {ME}\r\n"
            "Subject: thousand recipients\r\nDate: Mon, 16 Nov 2026 09:00:00 +0000\r\n"
            "Message-ID: <thousand@odd.example.org>\r\n\r\nHello all\r\n"
        ).encode(),
        "no date and no message-id": (
            b"From: Nobody <nobody@example.org>\r\nTo: me@example.com\r\n"
            b"Subject: no date and no message-id\r\n\r\nWhen was this sent?\r\n"
        ),
        "crlf and lf mixed": (
            b"From: Mixed <mixed@example.org>\nTo: me@example.com\r\n"
            b"Subject: crlf and lf mixed\r\nDate: Mon, 16 Nov 2026 09:00:00 +0000\n"
            b"Message-ID: <mixed@odd.example.org>\r\n"
            b'Content-Type: multipart/alternative; boundary="m"\n\r\n'
            b"--m\r\nContent-Type: text/plain\n\nplain\r\n--m\n"
            b"Content-Type: text/html\r\n\r\n<b>html</b>\n--m--\r\n"
        ),
        "bare cr line ends": (
            b"From: Mac <mac@example.org>\rTo: me@example.com\rSubject: bare cr line ends\r"
            b"Message-ID: <cr@odd.example.org>\r\rOld Mac mail\r"
        ),
        "nul bytes": (
            b"From: Nul\x00 <nul@example.org>\r\nTo: me@example.com\r\n"
            b"Subject: nul\x00bytes\r\nMessage-ID: <nul@odd.example.org>\r\n"
            b"Content-Type: text/html\r\n\r\n<p>a\x00b</p>\x00\x00<img src=x\x00>\r\n"
        ),
        "empty message": b"",
        "headers only": b"Subject: headers only\r\nMessage-ID: <headers-only@odd.example.org>\r\n",
        "ten megabyte single line": _head(
            "ten megabyte single line", "Content-Type: text/plain"
        ).encode()
        + b"\r\n"
        + b"word " * (2 * 1024 * 1024)
        + b"\r\n",
        "html unterminated markup": _head(
            "html unterminated markup", "Content-Type: text/html"
        ).encode()
        + b"\r\n"
        + b"<a " * 200_000
        + b"<!--" * 50_000,
        "thousands of parts": _head(
            "thousands of parts", 'Content-Type: multipart/mixed; boundary="p"'
        ).encode()
        + b"\r\n"
        + b"".join(
            b"--p\r\nContent-Type: application/octet-stream; name=f%d.bin\r\n\r\nx\r\n" % i
            for i in range(3000)
        )
        + b"--p--\r\n",
        "rfc2231 names gone wrong": _head(
            "rfc2231 names gone wrong", 'Content-Type: multipart/mixed; boundary="r"'
        ).encode()
        + b"\r\n--r\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*0*=x-bogus''%FF%FE; filename*1=\"../../"
        b'etc/passwd"; filename*3=gap\r\n\r\nabc\r\n--r\r\n'
        b"Content-Type: image/png; name*=utf-8''%E2%80%AEgpj.exe\r\n\r\nxyz\r\n--r--\r\n",
    }
    return made


#: What a person sees on opening some of them (by subject): a fragment of the text.
#: (Not the NUL one: Dovecot serves each NUL byte as 0x80, read as windows-1252 "€".)
SHOWN = {
    "no boundary parameter": "Hello",
    "boundary never appears": "Just some text, no parts at all.",
    "no closing boundary": "First\n\n[attachment: cut.pdf]",
    "truncated base64 attachment": "[attachment: report.pdf]",
    "unknown transfer encoding": "Uryyb jbeyq",
    "broken quoted-printable": "Café",
    "lying charset": "Grüße aus Köln, Straße",
    "Grüße — 你好 — Привет": "Body",
    "Réunion décalée": "Body",
    "thousand recipients": "Hello all",
    "no date and no message-id": "When was this sent?",
    "crlf and lf mixed": "plain",
    "bare cr line ends": "Old Mac mail",
    "ten megabyte single line": "longer than 4 MB]",
    "rfc2231 names gone wrong": "[attachment: passwdgap]",
    # A text part sent with a base64 label it does not have reads as the text it is.
    "base64 label on plain text": "This is not base64 at all, it is plain text!",
    # UTF-8 under an ISO-2022-JP label (a 7-bit charset) reads as UTF-8, not as "���".
    "iso-2022-jp that is utf-8": "こんにちは",
    # Nesting past the cap says so, instead of showing an empty message.
    "nested fifty deep": "parts nested more than 30 levels deep are not shown]",
}


def huge() -> bytes:
    """A message with a 25 MB attachment: more than a body fetch reads at once."""
    data = random.Random(25).randbytes(25 * 1024 * 1024)
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (
        _head("twenty-five megabytes", 'Content-Type: multipart/mixed; boundary="big"').encode()
        + b"\r\n--big\r\nContent-Type: text/plain\r\n\r\nThe video is attached.\r\n--big\r\n"
        b'Content-Type: video/mp4; name="holiday.mp4"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + encoded
        + b"\r\n--big--\r\n"
    )


def cpython_messages() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(CPYTHON.glob("msg_*.txt"))}


# ----------------------------------------------------------------------- the servers


def put(dovecot: Dovecot, user: str, raws: list[bytes]) -> None:
    """Drop messages byte for byte into the user's Maildir ``new/``, as a local MDA does
    (``doveadm save`` would cost a process each, and may touch the bytes)."""
    maildir = dovecot.maildir(user)
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    owner = maildir.parent.stat()
    for path in (maildir, maildir / "tmp", maildir / "new", maildir / "cur"):
        os.chown(path, owner.st_uid, owner.st_gid)
    for number, raw in enumerate(raws):
        name = f"{time.time_ns()}.M{number}P{os.getpid()}.asyncdesk-test"
        tmp = maildir / "tmp" / name
        tmp.write_bytes(raw)
        os.chown(tmp, owner.st_uid, owner.st_gid)
        tmp.rename(maildir / "new" / name)


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
        stdin: str = "") -> tuple[int, str, str]:  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def synced_profile(
    dovecot: Dovecot,
    raws: list[bytes],
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> list[dict[str, object]]:
    """A profile with an account on ``dovecot`` holding ``raws``, synced once through
    the CLI; returns ``inbox --json``."""
    user, password = dovecot.add_user("odd")
    put(dovecot, user, raws)
    profile = ["--profile", str(root)]
    code, _, err = cli(
        monkeypatch, capsys, "account", "add", "imap", "odd", "--host", dovecot.host,
        "--port", str(dovecot.plain_port), "--security", "plain", "--user", user,
        "--password-stdin", *profile, stdin=password + "\n",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli(monkeypatch, capsys, "sync", "--once", *profile)
    assert code == 0, f"sync stopped: {err or out}"
    code, out, err = cli(monkeypatch, capsys, "inbox", "--json", "--break-glass", "test", *profile)
    assert code == 0, err
    listed: list[dict[str, object]] = json.loads(out)
    return listed


def open_like_the_window(
    store: Store, message_id: int, fetcher: BodyFetcher | None = None
) -> tuple[MessageBody, int]:
    """Open message ``message_id`` the way ``MessageView`` does: body (stored or fetched,
    then stored), its HTML sanitised for showing, then the attachment list. Returns the
    body and the number of attachments listed. ``fetcher``: one connection for many
    messages (the window opens one per message; the reading is the same)."""
    found = body_or_plan(store, message_id)
    secrets = profile_secrets(store)
    if isinstance(found, MessageBody):
        body = found
    else:
        text, html = fetch_planned(found, secrets, fetcher=fetcher)
        body = save_fetched(store, SystemClock(), found, text, html)
    if body.html is not None:
        sanitize(body.html)
    listed = fetch_attachments(attachment_plan(store, message_id), secrets, fetcher=fetcher)
    return body, len(listed.attachments)


@dataclass
class Opened:
    """How opening one message went: its text, or what failed, and how long it took."""

    subject: str
    text: str = ""
    failure: str = ""
    seconds: float = 0.0


def open_all(root: Path, listed: list[dict[str, object]]) -> list[Opened]:
    """Open every listed message over one IMAP connection, collecting what happened."""
    results: list[Opened] = []
    with Store.open(root) as store, closing(open_fetcher(
        profile_secrets(store), accounts(store)[0]
    )) as fetcher:  # fmt: skip
        for row in listed:
            opened = Opened(str(row["subject"]))
            began = time.perf_counter()
            try:
                opened.text = open_like_the_window(store, int(str(row["id"])), fetcher)[0].text
            except Exception as error:  # collected: every message is tried
                opened.failure = f"{type(error).__name__}: {error}"
            opened.seconds = time.perf_counter() - began
            results.append(opened)
    return results


def accounts(store: Store) -> list[Account]:
    with store.reading() as session:
        return list_accounts(session)


# ----------------------------------------------------------------------- the tests


def test_every_odd_message_is_synced_and_opens(
    dovecot: Dovecot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CPython's test messages and the broken ones made above: all of them reach the
    inbox in one sync, and each opens (text, HTML, attachments) within seconds."""
    messages = {**cpython_messages(), **odd_messages()}
    listed = synced_profile(dovecot, list(messages.values()), tmp_path / "p", monkeypatch, capsys)
    assert len(listed) == len(messages)  # five reuse one Message-ID, six have no headers
    results = open_all(tmp_path / "p", listed)
    failed = {opened.subject: opened.failure for opened in results if opened.failure}
    assert not failed, f"messages that would not open: {failed}"
    slow = {opened.subject: round(opened.seconds, 2) for opened in results}
    slow = {subject: seconds for subject, seconds in slow.items() if seconds > OPEN_SECONDS}
    assert not slow, f"messages that took too long to open: {slow}"
    texts = {opened.subject: opened.text for opened in results}
    for subject, shown in SHOWN.items():
        assert shown in texts.get(subject, ""), (
            f"{subject!r} shows {texts.get(subject, list(texts))!r}"
        )


def test_a_25_mb_attachment_syncs_opens_and_is_listed(
    dovecot: Dovecot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 25 MB video (34 MB on the wire): the sync reads headers only, opening shows the
    text at once, and the attachment is listed whole with its decoded size."""
    listed = synced_profile(dovecot, [huge()], tmp_path / "p", monkeypatch, capsys)
    assert [row["subject"] for row in listed] == ["twenty-five megabytes"]
    with Store.open(tmp_path / "p") as store:
        began = time.perf_counter()
        body, _ = open_like_the_window(store, int(str(listed[0]["id"])))
        seconds = time.perf_counter() - began
        files = fetch_attachments(
            attachment_plan(store, int(str(listed[0]["id"]))), profile_secrets(store)
        ).files
    assert body.text.startswith("The video is attached.")
    assert [(f.filename, f.size, f.complete) for f in files] == [
        ("holiday.mp4", 25 * 1024 * 1024, True)
    ]
    assert seconds < 3 * OPEN_SECONDS


def test_two_different_messages_with_the_same_message_id_are_both_kept(
    dovecot: Dovecot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Broken mailers reuse Message-IDs (CPython's corpus has five messages with one id,
    and header-less messages all hash alike): two messages that differ are both in the
    inbox, and each opens to its own text; a message delivered twice is still one; and
    a resync or a refetch after a UIDVALIDITY change keeps every one under its id."""
    first = _head("Invoice 1", "Content-Type: text/plain", message_id="same").encode()
    second = _head("Invoice 2", "Content-Type: text/plain", message_id="same").encode()
    bare = b"\r\n".join((b"Content-Type: text/plain", b"", b"no headers, body %d"))
    raws = [
        first + b"\r\nFirst text\r\n",
        second + b"\r\nSecond text\r\n",
        first + b"\r\nFirst text\r\n",  # a copy: one message, delivered twice
        bare % 1,
        bare % 22,
    ]
    root = tmp_path / "p"
    listed = synced_profile(dovecot, raws, root, monkeypatch, capsys)
    texts = sorted((o.subject, o.text) for o in open_all(root, listed))
    assert texts == [
        ("", "no headers, body 1"),
        ("", "no headers, body 22"),
        ("Invoice 1", "First text"),
        ("Invoice 2", "Second text"),
    ]
    ids = sorted(int(str(row["id"])) for row in listed)
    # Stable: neither a resync nor a refetch after a new UIDVALIDITY adds or renames one.
    profile = ["--profile", str(root)]
    dovecot.reset_uidvalidity("odd")
    for _ in range(2):
        code, out, err = cli(monkeypatch, capsys, "sync", "--once", *profile)
        assert code == 0, err or out
        code, out, err = cli(
            monkeypatch, capsys, "inbox", "--json", "--break-glass", "test", *profile
        )
        assert code == 0, err
        again = json.loads(out)
        assert sorted(int(str(row["id"])) for row in again) == ids
    assert sorted((o.subject, o.text) for o in open_all(root, again)) == texts
