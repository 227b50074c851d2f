"""Composing replies, and sending them to a real aiosmtpd server (tests/servers/smtp.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
from servers.net import HOST, free_port
from servers.smtp import SmtpServer

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.sources.base import SourceError
from asyncdesk.sources.imap import AuthFailed, CertificateRejected, ConnectionFailed
from asyncdesk.sources.smtp import (
    MAX_REFERENCES,
    SmtpSettings,
    compose_reply,
    reply_subject,
    send,
)

ME = "me@example.com"
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def headers(**fields: str) -> bytes:
    base = {
        "From": "Client <client@example.org>",
        "To": f"Me <{ME}>, colleague@example.org",
        "Subject": "Offer",
        "Message-ID": "<orig@example.org>",
    }
    base.update({name.replace("_", "-"): value for name, value in fields.items()})
    return "".join(f"{name}: {value}\r\n" for name, value in base.items()).encode() + b"\r\n"


def reply(raw: bytes, *, reply_all: bool = False, body: str = "Thanks!") -> EmailMessage:
    return compose_reply(
        raw,
        from_address=ME,
        from_name="Me Myself",
        body=body,
        reply_all=reply_all,
        identities=[ME, "Me.Alias@Example.com"],
        now=NOW,
        domain="asyncdesk.example",
    )


def addresses(message: EmailMessage, name: str) -> list[str]:
    value = message[name]
    return [] if value is None else [a.addr_spec for a in value.addresses]


# ------------------------------------------------------------------------------ compose


def test_reply_goes_to_the_sender_only() -> None:
    message = reply(headers(Cc="other@example.org"))
    assert str(message["From"]) == f"Me Myself <{ME}>"
    assert addresses(message, "To") == ["client@example.org"]
    assert str(message["To"]) == "Client <client@example.org>"
    assert message["Cc"] is None


def test_reply_honours_reply_to() -> None:
    message = reply(headers(Reply_To="list@example.org"))
    assert addresses(message, "To") == ["list@example.org"]


def test_reply_all_drops_own_identities_and_duplicates() -> None:
    raw = headers(
        To=f"{ME}, Colleague <colleague@example.org>, me.alias@example.com",
        Cc="COLLEAGUE@example.org, third@example.org, client@example.org, Me <ME@Example.COM>",
    )
    message = reply(raw, reply_all=True)
    assert addresses(message, "To") == ["client@example.org"]
    assert addresses(message, "Cc") == ["colleague@example.org", "third@example.org"]


def test_reply_all_with_reply_to_keeps_the_sender_in_cc() -> None:
    message = reply(headers(Reply_To="list@example.org"), reply_all=True)
    assert addresses(message, "To") == ["list@example.org"]
    assert addresses(message, "Cc") == ["colleague@example.org"]


def test_reply_to_own_message_goes_to_its_recipients() -> None:
    message = reply(headers(From=ME, To="client@example.org"))
    assert addresses(message, "To") == ["client@example.org"]


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("Offer", "Re: Offer"),
        ("Re: Offer", "Re: Offer"),
        ("Re: Re: Offer", "Re: Offer"),
        ("RE: re:Offer", "Re: Offer"),
        ("AW: Offer", "Re: Offer"),  # decided: foreign reply prefixes become one "Re:"
        ("Sv: AW: Re[2]: Offer", "Re: Offer"),
        ("Fwd: Offer", "Re: Fwd: Offer"),  # forward prefixes are kept
        ("Regarding the offer", "Re: Regarding the offer"),
        ("", "Re:"),
    ],
)
def test_subject_prefix_is_not_doubled(original: str, expected: str) -> None:
    assert reply_subject(original) == expected


def test_threading_headers_message_id_and_date() -> None:
    raw = headers(References="<root@example.org> <mid@example.org>")
    message = reply(raw)
    assert message["Subject"] == "Re: Offer"
    assert message["In-Reply-To"] == "<orig@example.org>"
    assert message["References"].split() == [
        "<root@example.org>",
        "<mid@example.org>",
        "<orig@example.org>",
    ]
    assert message["Message-ID"].startswith("<")
    assert message["Message-ID"].endswith("@asyncdesk.example>")
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == "Thanks!\n"


def test_references_fall_back_to_in_reply_to_and_are_capped() -> None:
    message = reply(headers(In_Reply_To="<parent@example.org>"))
    assert message["References"].split() == ["<parent@example.org>", "<orig@example.org>"]

    many = " ".join(f"<id{n}@example.org>" for n in range(50))
    ids = reply(headers(References=many))["References"].split()
    assert len(ids) == MAX_REFERENCES
    assert ids[0] == "<id0@example.org>"  # the thread root is kept
    assert ids[-2:] == ["<id49@example.org>", "<orig@example.org>"]


def test_compose_survives_garbage_headers() -> None:
    message = reply(b"\x00\xff garbage\r\nnot a header\r\n\r\n", body="Grüße")
    assert message["To"] is None
    assert message["In-Reply-To"] is None
    assert message["References"] is None
    assert message.get_content() == "Grüße\n"


# --------------------------------------------------------------------------- settings


def test_settings_from_account() -> None:
    account = Account(
        name="work",
        kind=AccountKind.EMAIL,
        identities=(ME,),
        config={
            "host": "imap.example.com",
            "user": ME,
            "smtp_host": "smtp.example.com",
            "smtp_security": "STARTTLS",
            "smtp_trusted_cert_sha256": "AB:CD:EF",
        },
    )
    settings = SmtpSettings.from_account(account)
    assert settings == SmtpSettings(
        host="smtp.example.com",
        port=587,
        security="starttls",
        user=ME,
        trusted_cert_sha256="abcdef",
        timeout=30.0,
    )
    with pytest.raises(SourceError, match="smtp_host"):
        SmtpSettings.from_account(Account(name="x", kind=AccountKind.EMAIL, identities=()))


# ------------------------------------------------------------------------------- send


def settings_for(
    server: SmtpServer, user: str, *, security: str, pinned: str | None
) -> SmtpSettings:
    return SmtpSettings(
        host=HOST,
        port=server.port,
        security=security,  # type: ignore[arg-type]
        user=user,
        trusted_cert_sha256=pinned,
        timeout=5.0,
    )


def outgoing(user: str) -> EmailMessage:
    raw = headers(
        From="Client <client@example.org>",
        To=f"{user}, colleague@example.org",
        Cc="third@example.org",
        References="<root@example.org>",
    )
    return compose_reply(
        raw,
        from_address=user,
        from_name="Me",
        body="Grüße, and a line.\n",
        reply_all=True,
        identities=[user],
        now=NOW,
        domain="asyncdesk.example",
    )


@pytest.mark.parametrize("kind", ["starttls", "tls"])
def test_send_records_one_message(
    kind: str,
    smtp_server: SmtpServer,
    smtp_tls_server: SmtpServer,
    smtp_user: tuple[str, str],
) -> None:
    server = smtp_server if kind == "starttls" else smtp_tls_server
    user, password = smtp_user
    message = outgoing(user)
    send(settings_for(server, user, security=kind, pinned=server.cert_sha256), password, message)

    (received,) = server.wait_for(1)
    assert received.auth_user == user
    assert received.mail_from == user
    assert set(received.rcpt_tos) == {
        "client@example.org",
        "colleague@example.org",
        "third@example.org",
    }
    got = received.message
    assert str(got["From"]) == f"Me <{user}>"
    assert str(got["To"]) == "Client <client@example.org>"
    assert [a.addr_spec for a in got["Cc"].addresses] == [
        "colleague@example.org",
        "third@example.org",
    ]
    assert got["Subject"] == "Re: Offer"
    assert got["In-Reply-To"] == "<orig@example.org>"
    assert got["References"].split() == ["<root@example.org>", "<orig@example.org>"]
    assert got["Message-ID"] == message["Message-ID"]
    assert got.get_content().replace("\r\n", "\n") == "Grüße, and a line.\n"
    assert b"\r\n" in received.raw
    assert len(server.messages) == 1


def test_bcc_is_an_envelope_recipient_only(
    smtp_server: SmtpServer, smtp_user: tuple[str, str]
) -> None:
    user, password = smtp_user
    message = outgoing(user)
    message["Bcc"] = "hidden@example.org"
    send(
        settings_for(smtp_server, user, security="starttls", pinned=smtp_server.cert_sha256),
        password,
        message,
    )
    (received,) = smtp_server.wait_for(1)
    assert "hidden@example.org" in received.rcpt_tos
    assert b"hidden@example.org" not in received.raw
    assert message["Bcc"] == "hidden@example.org"  # the caller's message is untouched


@pytest.mark.parametrize("kind", ["starttls", "tls"])
def test_default_verification_refuses_self_signed(
    kind: str,
    smtp_server: SmtpServer,
    smtp_tls_server: SmtpServer,
    smtp_user: tuple[str, str],
) -> None:
    server = smtp_server if kind == "starttls" else smtp_tls_server
    user, password = smtp_user
    with pytest.raises(CertificateRejected) as caught:
        send(settings_for(server, user, security=kind, pinned=None), password, outgoing(user))
    text = str(caught.value)
    assert server.cert_sha256 is not None
    assert server.cert_sha256 in text
    assert "\n" not in text
    assert server.messages == []


def test_wrong_pin_is_refused(smtp_tls_server: SmtpServer, smtp_user: tuple[str, str]) -> None:
    user, password = smtp_user
    settings = settings_for(smtp_tls_server, user, security="tls", pinned="00" * 32)
    with pytest.raises(CertificateRejected, match="not the trusted one"):
        send(settings, password, outgoing(user))
    assert smtp_tls_server.messages == []


def test_wrong_password_is_auth_failed(smtp_server: SmtpServer, smtp_user: tuple[str, str]) -> None:
    user, _password = smtp_user
    wrong = "wrong-Secret-123"
    settings = settings_for(smtp_server, user, security="starttls", pinned=smtp_server.cert_sha256)
    with pytest.raises(AuthFailed) as caught:
        send(settings, wrong, outgoing(user))
    text = str(caught.value)
    assert "\n" not in text
    assert wrong not in text
    assert caught.value.__cause__ is None
    assert smtp_server.messages == []


def test_nothing_listening_is_connection_failed(smtp_user: tuple[str, str]) -> None:
    user, password = smtp_user
    settings = SmtpSettings(host=HOST, port=free_port(), security="tls", user=user, timeout=2.0)
    with pytest.raises(ConnectionFailed, match="connection refused") as caught:
        send(settings, password, outgoing(user))
    assert "\n" not in str(caught.value)
    assert password not in str(caught.value)
