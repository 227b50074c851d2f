"""Sending mail over SMTP: composing a reply, and handing it to the server (smtplib glue).

Everything smtplib, ``ssl`` and ``socket`` raise stops here (STYLE.md habit 4): callers
see :class:`~asyncdesk.sources.imap.CertificateRejected`,
:class:`~asyncdesk.sources.imap.AuthFailed`,
:class:`~asyncdesk.sources.imap.ConnectionFailed` or a plain
:class:`~asyncdesk.sources.base.SourceError`, each with a one-line message that never
holds the password.

Trust, as in :mod:`asyncdesk.sources.imap`: implicit TLS and STARTTLS always get an
explicit context (smtplib without ``context=`` verifies nothing), which checks the chain
and host name with the system trust store; or, when the account pins a certificate by
the SHA-256 of its DER form (``smtp_trusted_cert_sha256``), the chain is not checked and
the fingerprint is compared right after the handshake. ``security = "plain"`` is the
only way to send without TLS.

Reply decisions, each also a test:
- To is the original's Reply-To, else its From. When that is one of the user's own
  identities (a reply to a message the user sent), To is the original's To instead.
- Reply-all adds the original's To and Cc to Cc, without the user's own identities,
  without anything already in To, without duplicates (addresses compared lower-cased).
- Subject: every leading reply prefix (``Re:``, ``RE:``, ``Re[2]:``, ``AW:``, ``Sv:``,
  ``Antw:``, ``Vs:``, ...) is dropped and one ``Re: `` put in front, so ``Re: Re: x``
  and ``AW: x`` both become ``Re: x``. Forward prefixes (``Fwd:``) are kept.
- References: the original's References (or, without them, its In-Reply-To) followed by
  its Message-ID, at most :data:`MAX_REFERENCES` ids: the first (the thread root, which
  :func:`~asyncdesk.sources.mail_headers.conversation_key` reads) and the latest ones.

Envelope: the sender is ``from_address``; the recipients are To, Cc and Bcc (Bcc is
removed from the bytes sent). The EHLO name is ``[127.0.0.1]``, so the machine's host
name does not leak into every message's Received header.

What a failure says about delivery, for callers that must never send twice (the outbox):
a failure before the message's content is handed over (connecting, TLS, AUTH, MAIL,
RCPT, a refused DATA command) means nothing was delivered; :class:`SmtpRefused` says
whether the refusal was temporary (4xx: try again later) or not. A connection lost
after the content went out raises :class:`DeliveryUnknown`: the server may have
accepted it, and SMTP offers no way to ask. :class:`SmtpPartlyRefused` means some
recipients got it.
"""

from __future__ import annotations

import contextlib
import copy
import email.policy
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses, make_msgid
from typing import Final, cast

from asyncdesk.core.accounts import Account
from asyncdesk.core.outgoing_attachment import OutgoingAttachment
from asyncdesk.sources.base import AuthFailed, CertificateRejected, ConnectionFailed, SourceError
from asyncdesk.sources.mail_headers import normalize_mail_address, parse_headers
from asyncdesk.sources.tls import (
    SECURITIES,
    Security,
    check_pin,
    client_context,
    network_reason,
    normalize_fingerprint,
    peer_fingerprint,
    unverified_context,
)

log = logging.getLogger(__name__)

_DEFAULT_PORTS: Final = {"tls": 465, "starttls": 587, "plain": 25}

#: At most this many ids in a reply's References: the root and the latest ones.
MAX_REFERENCES: Final = 20
#: The EHLO argument (RFC 5321 address literal): no host name leaks.
EHLO_NAME: Final = "[127.0.0.1]"

#: The words that make a reply prefix ("Re:", "AW:", ...); "Fwd:" and "WG:" are not.
_REPLY_WORDS: Final = frozenset({"re", "aw", "sv", "vs", "antw", "odp", "res", "rif"})
_PREFIX_WORD: Final = re.compile(r"^\s*([a-z]+)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]", re.IGNORECASE)


class SmtpRefused(SourceError):
    """The server refused the sender, a recipient or the message itself; nothing was sent.

    ``temporary`` is true when every refusal was a 4xx reply (greylisting, a full queue):
    the same message may be accepted later, so it is worth sending again.
    """

    def __init__(self, message: str, *, temporary: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary


class SmtpPartlyRefused(SmtpRefused):
    """The server accepted the message for some recipients and refused the others.

    The message went out: sending it again would reach the accepted ones twice.
    """


class DeliveryUnknown(ConnectionFailed):
    """The connection failed after the message's content was handed to the server.

    The server may or may not have accepted it (the final reply was lost); sending it
    again may deliver it twice.
    """


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to reach an SMTP server; ``timeout`` is in seconds (connect and each read).

    ``trusted_cert_sha256`` is lowercase hex without colons (``from_account`` normalises).
    """

    host: str
    port: int
    security: Security
    user: str
    trusted_cert_sha256: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_account(cls, account: Account) -> SmtpSettings:
        """Read ``smtp_host``, ``smtp_port``, ``smtp_security`` (default ``tls``),
        ``smtp_user`` (default: the IMAP ``user``), ``smtp_trusted_cert_sha256`` and
        ``smtp_timeout`` (default: ``timeout``, else 30 s)."""
        config = account.config
        security = str(config.get("smtp_security", "tls")).lower()
        if security not in SECURITIES:
            raise SourceError(
                f"account {account.name}: smtp_security must be tls, starttls or plain, "
                f"not {security!r}"
            )
        host = config.get("smtp_host")
        if not host:
            raise SourceError(f"account {account.name}: no smtp_host configured")
        user = config.get("smtp_user") or config.get("user")
        if not user:
            raise SourceError(f"account {account.name}: no smtp_user (or user) configured")
        fingerprint = config.get("smtp_trusted_cert_sha256")
        try:
            port = int(config.get("smtp_port", _DEFAULT_PORTS[security]))
            timeout = float(config.get("smtp_timeout", config.get("timeout", 30.0)))
        except (TypeError, ValueError):
            raise SourceError(
                f"account {account.name}: smtp_port and smtp_timeout must be numbers"
            ) from None
        return cls(
            host=str(host),
            port=port,
            security=cast(Security, security),
            user=str(user),
            trusted_cert_sha256=normalize_fingerprint(fingerprint) if fingerprint else None,
            timeout=timeout,
        )

    @property
    def url(self) -> str:
        return f"smtp://{self.user}@{self.host}:{self.port}"


# ------------------------------------------------------------------------------ compose


def reply_subject(subject: str) -> str:
    """``"Re: "`` and the subject without its leading reply prefixes (see the module doc)."""
    rest = subject.strip()
    while True:
        match = _PREFIX_WORD.match(rest)
        if match is None or match.group(1).lower() not in _REPLY_WORDS:
            break
        rest = rest[match.end() :].lstrip()
    return f"Re: {rest}" if rest else "Re:"


def _cap_references(ids: list[str]) -> list[str]:
    if len(ids) <= MAX_REFERENCES:
        return ids
    return [ids[0], *ids[-(MAX_REFERENCES - 1) :]]


def _header_line(name: str, value: str) -> bytes:
    """One header line; the value on one line (stored values are already unfolded)."""
    return f"{name}: {' '.join(value.split())}\r\n".encode()


def header_block(
    *,
    sender: tuple[str, str],
    to: Sequence[str],
    cc: Sequence[str],
    reply_to: str | None,
    subject: str,
    message_id: str | None,
    in_reply_to: str | None,
    references: Sequence[str],
) -> bytes:
    """A header block with what a reply is built from (the stored values, unfolded)."""
    block = _header_line("From", formataddr(sender))
    if to:
        block += _header_line("To", ", ".join(to))
    if cc:
        block += _header_line("Cc", ", ".join(cc))
    if reply_to:
        block += _header_line("Reply-To", reply_to)
    block += _header_line("Subject", subject)
    if message_id:
        block += _header_line("Message-ID", f"<{message_id}>")
    if in_reply_to:
        block += _header_line("In-Reply-To", f"<{in_reply_to}>")
    if references:
        block += _header_line("References", " ".join(f"<{mid}>" for mid in references))
    return block + b"\r\n"


def compose_reply(
    original_raw_headers: bytes,
    *,
    from_address: str,
    from_name: str,
    body: str,
    reply_all: bool,
    identities: Sequence[str],
    now: datetime,
    domain: str,
    attachments: Sequence[OutgoingAttachment] = (),
) -> EmailMessage:
    """A text/plain UTF-8 reply to the message whose header block is given.

    ``identities`` are the user's own addresses (``from_address`` always counts as one);
    ``now`` must be aware. Recipients, Subject and References follow the module doc.
    With ``attachments`` it becomes multipart/mixed: the text first, then each file
    (:func:`attach`).
    """
    original = parse_headers(original_raw_headers)
    own = {normalize_mail_address(address) for address in (*identities, from_address)}
    own.discard("")

    to: list[tuple[str, str]] = []  # (name, address)
    if original.reply_to:
        to = [("", address) for address in original.reply_to]
    elif original.sender.address:
        to = [(original.sender.name, original.sender.address)]
    if all(address in own for _name, address in to):
        # A reply to the user's own message goes to whom it went to.
        to = [("", address) for address in original.to if address not in own] or to
    seen = {address for _name, address in to}
    cc: list[str] = []
    if reply_all:
        for address in (*original.to, *original.cc):
            if address and address not in own and address not in seen:
                seen.add(address)
                cc.append(address)

    message = EmailMessage()
    message["From"] = Address(display_name=from_name, addr_spec=from_address)
    if to:
        message["To"] = [Address(display_name=name, addr_spec=address) for name, address in to]
    if cc:
        message["Cc"] = [Address(addr_spec=address) for address in cc]
    message["Subject"] = reply_subject(original.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=domain)
    if original.message_id:
        message["In-Reply-To"] = f"<{original.message_id}>"
    parents = list(original.references)
    if not parents and original.in_reply_to:
        parents = [original.in_reply_to]
    if original.message_id and original.message_id not in parents:
        parents.append(original.message_id)
    if parents:
        message["References"] = " ".join(f"<{mid}>" for mid in _cap_references(parents))
    if body.isascii():
        message.set_content(body, charset="utf-8")
    else:
        message.set_content(body, charset="utf-8", cte="quoted-printable")
    attach(message, attachments)
    return message


def attach(message: EmailMessage, attachments: Sequence[OutgoingAttachment]) -> None:
    """Add each file as an attachment part (base64), turning the message into
    multipart/mixed; the content type's parameters (``method=REQUEST``) are kept."""
    for item in attachments:
        message.add_attachment(
            item.data,
            maintype=item.maintype,
            subtype=item.subtype,
            filename=item.filename,
            params=dict(item.params),
        )


def compose_new(
    *,
    from_address: str,
    from_name: str,
    to: Sequence[str],
    cc: Sequence[str],
    subject: str,
    body: str,
    now: datetime,
    domain: str,
    in_reply_to: str | None = None,
) -> EmailMessage:
    """A new text/plain UTF-8 message (from a ``mailto:`` link or the New message
    window). Bcc recipients are not headers: the caller gives them to the envelope
    only, so nobody else learns of them."""
    message = EmailMessage()
    message["From"] = Address(display_name=from_name, addr_spec=from_address)
    if to:
        message["To"] = [Address(addr_spec=address) for address in to]
    if cc:
        message["Cc"] = [Address(addr_spec=address) for address in cc]
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=domain)
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    if body.isascii():
        message.set_content(body, charset="utf-8")
    else:
        message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


def compose_reply_as(
    account: Account,
    from_address: str,
    original_raw_headers: bytes,
    body: str,
    *,
    reply_all: bool,
    now: datetime,
    attachments: Sequence[OutgoingAttachment] = (),
) -> EmailMessage:
    """:func:`compose_reply` from ``account``: its display name and addresses, the
    Message-ID's domain taken from ``from_address``."""
    return compose_reply(
        original_raw_headers,
        from_address=from_address,
        from_name=str(account.config.get("display_name") or ""),
        body=body,
        reply_all=reply_all,
        identities=account.identities,
        now=now,
        domain=from_address.rpartition("@")[2],
        attachments=attachments,
    )


# --------------------------------------------------------------------------------- send


def _open(settings: SmtpSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    """Connect, secure the channel as ``settings.security`` says, and EHLO; no AUTH yet."""
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            local_hostname=EHLO_NAME,
            timeout=settings.timeout,
            context=context,
        )
    else:
        smtp = smtplib.SMTP(
            settings.host, settings.port, local_hostname=EHLO_NAME, timeout=settings.timeout
        )
    try:
        smtp.ehlo()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise ConnectionFailed(
                    f"{settings.host}:{settings.port} does not offer STARTTLS; "
                    "use smtp_security = tls, or plain to send unencrypted"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _check_pin(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    if settings.security != "plain":
        check_pin(smtp.sock, settings.trusted_cert_sha256, f"{settings.host}:{settings.port}")


def _fetch_fingerprint(settings: SmtpSettings) -> str:
    """The SHA-256 of the server's certificate, read over an unverified connection."""
    try:
        smtp = _open(settings, unverified_context())
    except (OSError, smtplib.SMTPException, SourceError):
        return ""
    try:
        return peer_fingerprint(smtp.sock)
    finally:
        smtp.close()


def _reason(error: BaseException) -> str:
    reason = network_reason(error)
    if reason is not None:
        return reason
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # smtplib turns a read timeout into "disconnected", raised while handling it.
        if isinstance(error.__context__, TimeoutError):
            return "timed out"
        return "connection closed by the server"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_server_text(error.smtp_error)}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return _one_line(str(error) or type(error).__name__)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _server_text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return _one_line(reply)


def _refused(error: smtplib.SMTPRecipientsRefused) -> str:
    parts = [
        f"{address} ({code} {_server_text(reply)})"
        for address, (code, reply) in error.recipients.items()
    ]
    return ", ".join(parts)


def _recipients(message: EmailMessage) -> list[str]:
    fields = [str(value) for name in ("To", "Cc", "Bcc") for value in message.get_all(name, [])]
    found: list[str] = []
    for _name, address in getaddresses(fields):
        if address and address not in found:
            found.append(address)
    return found


def send(settings: SmtpSettings, password: str, message: EmailMessage) -> None:
    """Send ``message`` to its To, Cc and Bcc from its From (the envelope sender).

    See :func:`send_raw` for what is raised.
    """
    sender = getaddresses([str(message.get("From", ""))])
    from_address = sender[0][1] if sender else ""
    recipients = _recipients(message)
    if not from_address or not recipients:
        raise SourceError("the message needs a From address and at least one recipient")
    outgoing = message
    if "Bcc" in message:
        outgoing = copy.deepcopy(message)
        del outgoing["Bcc"]
    send_raw(
        settings, password, outgoing.as_bytes(policy=email.policy.SMTP), from_address, recipients
    )


def envelope_recipients(message: EmailMessage) -> list[str]:
    """The addresses a message goes to: its To, Cc and Bcc, each once, in that order."""
    return _recipients(message)


def send_raw(
    settings: SmtpSettings,
    password: str,
    data: bytes,
    envelope_from: str,
    recipients: Sequence[str],
) -> None:
    """Hand ``data`` (a whole message, CRLF line ends) to the server, exactly as given.

    Logs in only when the server offers AUTH. Raises :class:`CertificateRejected`,
    :class:`AuthFailed`, :class:`ConnectionFailed` (nothing was delivered),
    :class:`DeliveryUnknown` (it may have been), :class:`SmtpRefused` (nothing was
    delivered) or :class:`SmtpPartlyRefused` (some recipients got it); never anything
    from smtplib, ``ssl`` or ``socket``.
    """
    if not envelope_from or not recipients:
        raise SourceError("the message needs a From address and at least one recipient")
    try:
        smtp = _open(settings, client_context(settings.trusted_cert_sha256))
    except ssl.SSLCertVerificationError:
        fingerprint = _fetch_fingerprint(settings) or "unknown"
        raise CertificateRejected(
            f"the server's certificate is not trusted (self-signed?): {settings.host}:"
            f"{settings.port} presented a certificate the system does not trust; its "
            f"SHA-256 fingerprint is {fingerprint}; if you know it is the server's, trust it "
            f"explicitly (asyncdesk account add imap ... --smtp-trust-cert {fingerprint})"
        ) from None
    except (OSError, smtplib.SMTPException, EOFError) as error:
        raise _connection_failed(settings, error) from None
    try:
        _check_pin(smtp, settings)
        _login(smtp, settings, password)
        _transmit(smtp, settings, data, envelope_from, list(recipients))
    except (OSError, smtplib.SMTPException, EOFError) as error:
        smtp.close()
        raise _connection_failed(settings, error) from None
    except BaseException:
        smtp.close()
        raise
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.quit()
    smtp.close()


def _temporary(code: int) -> bool:
    return 400 <= code < 500


def _reset(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.rset()


def _transmit(
    smtp: smtplib.SMTP,
    settings: SmtpSettings,
    data: bytes,
    envelope_from: str,
    recipients: list[str],
) -> None:
    """MAIL, RCPT and DATA one by one (what ``sendmail`` does), so that a failure is
    known to have happened before the content went out, or after it."""
    options: list[str] = []
    if smtp.does_esmtp and smtp.has_extn("size"):
        options.append(f"size={len(data)}")
    if not all(address.isascii() for address in (envelope_from, *recipients)):
        if not smtp.has_extn("smtputf8"):
            raise SmtpRefused(
                f"{settings.host} cannot take non-ASCII addresses (no SMTPUTF8): "
                f"{', '.join(a for a in (envelope_from, *recipients) if not a.isascii())}"
            )
        options.append("SMTPUTF8")
    code, reply = smtp.mail(envelope_from, options)
    if code != 250:
        _reset(smtp)
        raise SmtpRefused(
            f"{settings.host} refused the sender {envelope_from}: {code} {_server_text(reply)}",
            temporary=_temporary(code),
        )
    refused: dict[str, tuple[int, bytes]] = {}
    for address in recipients:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
    if len(refused) == len(recipients):
        _reset(smtp)
        raise SmtpRefused(
            f"{settings.host} refused every recipient: "
            f"{_refused(smtplib.SMTPRecipientsRefused(refused))}",
            temporary=all(_temporary(code) for code, _reply in refused.values()),
        )
    try:
        code, reply = smtp.data(data)
    except smtplib.SMTPDataError as error:  # DATA itself refused: nothing went out
        _reset(smtp)
        raise SmtpRefused(
            f"{settings.host} refused the message: "
            f"{error.smtp_code} {_server_text(error.smtp_error)}",
            temporary=_temporary(error.smtp_code),
        ) from None
    except (OSError, smtplib.SMTPException, EOFError) as error:
        raise DeliveryUnknown(
            f"the connection to {settings.host}:{settings.port} broke after the message was "
            f"handed over, before the server confirmed it ({_reason(error)})"
        ) from None
    if code != 250:
        _reset(smtp)
        raise SmtpRefused(
            f"{settings.host} refused the message: {code} {_server_text(reply)}",
            temporary=_temporary(code),
        )
    if refused:
        raise SmtpPartlyRefused(
            f"sent, but {settings.host} refused {_refused(smtplib.SMTPRecipientsRefused(refused))}"
        )


def _login(smtp: smtplib.SMTP, settings: SmtpSettings, password: str) -> None:
    if not smtp.has_extn("auth"):
        log.debug("%s offers no AUTH; sending without logging in", settings.host)
        return
    try:
        smtp.login(settings.user, password)
    except smtplib.SMTPAuthenticationError:
        raise AuthFailed(f"wrong user name or password for {settings.url}") from None
    except UnicodeEncodeError:
        raise AuthFailed(
            f"{settings.url}: smtplib cannot send a user name or password with non-ASCII characters"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise AuthFailed(f"{settings.url} offers no login method smtplib knows") from None
    except smtplib.SMTPException as error:
        if "No suitable authentication method" in str(error):
            raise AuthFailed(f"{settings.url} offers no login method smtplib knows") from None
        raise


def _connection_failed(settings: SmtpSettings, error: BaseException) -> ConnectionFailed:
    return ConnectionFailed(f"cannot talk to {settings.host}:{settings.port}: {_reason(error)}")
