"""Adding and removing email accounts, syncing every account: the database, the keyring
and the server (Matrix and Slack accounts are added by services.chat_accounts).

Secrets: an account's password lives only in the keyring, under the profile's stable id
(:func:`profile_id`), never in the database, a log or an error message. Adding an
account checks everything first (the spelling, then a real login), so bad input or a
refused login writes nothing; if the keyring then refuses the password, the account is
removed again.

Thread contract: every function here blocks on disk, network or the keyring (which may
wait for an unlock prompt); the CLI calls them on its main thread, the UI from a worker.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind, check_account_name
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.services.secrets import KeyringSecrets, Secrets
from asyncdesk.services.sync import SyncProgress, SyncResult, sync_source
from asyncdesk.sources.imap import ImapSettings, connect
from asyncdesk.sources.tls import SECURITIES, is_fingerprint, normalize_fingerprint
from asyncdesk.store import accounts as stored
from asyncdesk.store.database import Store
from asyncdesk.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

_SMTP_DEFAULT_PORTS = {"tls": 465, "starttls": 587, "plain": 25}

SecretsFactory = Callable[[str], Secrets]
"""Makes the secrets store of a profile from its id (``KeyringSecrets`` by default)."""


def profile_id(store: Store) -> str:
    """The profile's stable id (setting ``profile.id``), made and saved on first need."""
    with store.reading() as session:
        current = get_setting(session, declared.PROFILE_ID)
    if current:
        return current
    with store.writing() as session:
        current = get_setting(session, declared.PROFILE_ID)  # another writer may have won
        if not current:
            current = uuid.uuid4().hex
            set_setting(session, declared.PROFILE_ID, current)
            log.info("made the profile id")
    return current


def profile_secrets(store: Store, factory: SecretsFactory = KeyringSecrets) -> Secrets:
    """The secrets of this profile's accounts."""
    return factory(profile_id(store))


# ----------------------------------------------------------------------------- adding


def _check_port(option: str, port: int) -> int:
    if not 1 <= port <= 65535:
        raise BadInput(f"{option} must be between 1 and 65535, not {port}")
    return port


def _check_security(option: str, security: str) -> str:
    if security not in SECURITIES:
        raise BadInput(f"{option} must be tls, starttls or plain, not {security!r}")
    return security


def _check_host(option: str, host: str) -> str:
    host = host.strip()
    shown = host if len(host) <= 60 else host[:57] + "..."
    if not host or any(ch.isspace() for ch in host) or "/" in host:
        raise BadInput(f"{option} needs a host name or address, not {shown!r}")
    try:
        # What the socket layer will do with it: a name longer than DNS allows (253, or
        # a label over 63) or one IDNA cannot spell would fail there with a traceback.
        encoded = host.encode("idna")
    except UnicodeError:
        raise BadInput(f"{option}: {shown!r} is not a valid host name") from None
    if len(encoded) > 253:
        raise BadInput(f"{option}: {shown!r} is longer than a host name can be") from None
    return host


def build_imap_account(
    name: str,
    *,
    host: str,
    port: int,
    security: str,
    user: str,
    smtp_host: str | None = None,
    smtp_port: int | None = None,
    smtp_security: str | None = None,
    trust_cert: str | None = None,
    smtp_trust_cert: str | None = None,
    addresses: Sequence[str] = (),
    display_name: str | None = None,
    folders: Sequence[str] = (),
) -> Account:
    """The account the user described, checked; nothing is stored or contacted.

    ``addresses`` are the user's own (the first sends replies); without them the user
    name is the address if it looks like one, else ``user@host``.
    """
    check_account_name(name)
    host = _check_host("--host", host)
    _check_port("--port", port)
    _check_security("--security", security)
    if not user.strip() or any(ch in user for ch in "\r\n\t"):
        raise BadInput(f"--user needs a user name, not {user!r}")
    config: dict[str, Any] = {"host": host, "port": port, "security": security, "user": user}
    if smtp_host is None:
        if smtp_port is not None or smtp_security is not None:
            raise BadInput("--smtp-port and --smtp-security need --smtp-host")
    else:
        chosen = _check_security("--smtp-security", smtp_security or "tls")
        config["smtp_host"] = _check_host("--smtp-host", smtp_host)
        config["smtp_port"] = _check_port(
            "--smtp-port", smtp_port if smtp_port is not None else _SMTP_DEFAULT_PORTS[chosen]
        )
        config["smtp_security"] = chosen
    if trust_cert is not None:
        config["trusted_cert_sha256"] = check_fingerprint("--trust-cert", trust_cert)
    if smtp_trust_cert is not None:
        if smtp_host is None:
            raise BadInput("--smtp-trust-cert needs --smtp-host")
        config["smtp_trusted_cert_sha256"] = check_fingerprint("--smtp-trust-cert", smtp_trust_cert)
    if display_name is not None:
        if not display_name.strip() or any(ch in display_name for ch in "\r\n"):
            raise BadInput(f"--display-name needs a name on one line, not {display_name!r}")
        config["display_name"] = display_name.strip()
    extra = [_check_folder(folder) for folder in folders]
    if extra:
        config["folders"] = list(dict.fromkeys(extra))
    identities = tuple(dict.fromkeys(_check_address(address) for address in addresses))
    if not identities:
        identities = (user if "@" in user else f"{user}@{host}",)
    return Account(name, AccountKind.EMAIL, identities, config)


def _check_address(text: str) -> str:
    address = text.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in address):
        raise BadInput(f"--address takes an email address like you@example.com, not {text!r}")
    return address


def _check_folder(text: str) -> str:
    folder = text.strip()
    if not folder or any(ch in folder for ch in "\r\n\0"):
        raise BadInput(f"--folder takes a folder name, not {text!r}")
    if folder.upper() == "INBOX":
        raise BadInput("INBOX is always synced: --folder is for other folders")
    return folder


def check_fingerprint(flag: str, text: str) -> str:
    """A certificate's SHA-256 fingerprint as the user pasted it (hex, colons allowed)."""
    cleaned = normalize_fingerprint(text)
    if not is_fingerprint(cleaned):
        raise BadInput(f"{flag} takes a SHA-256 fingerprint (64 hex digits), not {text!r}")
    return cleaned


def verify_imap_login(account: Account, password: str) -> None:
    """Connect and log in once; raises the source's one-line error if that fails."""
    client = connect(ImapSettings.from_account(account), password)
    with contextlib.suppress(Exception):
        client.logout()


def check_new_account_name(store: Store, name: str) -> None:
    with store.reading() as session:
        if stored.find_account(session, name) is not None:
            raise BadInput(f"an account named {name!r} already exists")


def add_imap_account(
    store: Store,
    clock: Clock,
    secrets_factory: SecretsFactory,
    account: Account,
    password: str,
    *,
    verify: bool = True,
) -> Account:
    """Store ``account`` (from :func:`build_imap_account`) and its password in the keyring.

    With ``verify``, logs in first. On any failure nothing is left behind.
    """
    if account.kind is not AccountKind.EMAIL:
        raise ValueError("add_imap_account needs an email account")
    if not password:
        raise BadInput(f"empty password for account {account.name!r}: nothing stored")
    check_new_account_name(store, account.name)
    if verify:
        verify_imap_login(account, password)
    secrets = profile_secrets(store, secrets_factory)
    with store.writing() as session:
        added = stored.add_account(session, account, clock.now())
    try:
        secrets.set(added.name, password)
    except BaseException:
        with store.writing() as session:
            stored.remove_account(session, added.name)
        raise
    log.info("added account %s (%s)", added.name, ImapSettings.from_account(added).url)
    return added


# --------------------------------------------------------------------------- changing


def update_account(
    store: Store, secrets_factory: SecretsFactory, account: Account, secret: str | None = None
) -> Account:
    """Keep ``account``'s new settings and, when ``secret`` is given, its new secret.

    The account is found by name (names are how the keyring and the user know it, so
    they do not change) and must be of the same kind. Its messages, deadlines and sync
    state stay. The keyring is written first; if the profile then cannot be written,
    the previous secret is put back, so the two never disagree.
    """
    with store.reading() as session:
        before = stored.get_account(session, account.name)
    if before.kind is not account.kind:
        raise BadInput(f"account {account.name!r} is a {before.kind.value} account")
    secrets = profile_secrets(store, secrets_factory)
    previous = secrets.get(account.name) if secret is not None else None
    if secret is not None:
        secrets.set(account.name, secret)
    try:
        with store.writing() as session:
            updated = stored.update_account(session, account)
    except BaseException:
        if secret is not None:
            if previous is None:
                secrets.delete(account.name)
            else:
                secrets.set(account.name, previous)
        raise
    log.info("changed account %s%s", account.name, " and its secret" if secret else "")
    return updated


def edit_imap_account(
    store: Store,
    secrets_factory: SecretsFactory,
    account: Account,
    password: str | None = None,
    *,
    verify: bool = True,
) -> Account:
    """Change an email account's settings (from :func:`build_imap_account`, same name)
    and, if given, its password. With ``verify``, logs in with the new settings first
    (and the new password, or the one kept); on any failure nothing changes."""
    if account.kind is not AccountKind.EMAIL:
        raise ValueError("edit_imap_account needs an email account")
    if password is not None and not password:
        raise BadInput(f"empty password for account {account.name!r}: nothing changed")
    if verify:
        login_with = password
        if login_with is None:
            login_with = account_password(profile_secrets(store, secrets_factory), account)
        verify_imap_login(account, login_with)
    return update_account(store, secrets_factory, account, password)


# --------------------------------------------------------------------------- removing


def check_account_exists(store: Store, name: str) -> Account:
    """The account called ``name``; BadInput (one line) if there is none."""
    with store.reading() as session:
        return stored.get_account(session, name)


def remove_account(store: Store, secrets: Secrets, name: str) -> None:
    """Remove the account, its messages and sync state (by cascade) and its secret.

    The secret goes first: if the keyring fails, nothing is removed.
    """
    with store.reading() as session:
        stored.get_account(session, name)
    secrets.delete(name)
    with store.writing() as session:
        stored.remove_account(session, name)
    log.info("removed account %s", name)


# ---------------------------------------------------------------------------- syncing


@dataclass(slots=True)
class AccountSync:
    """How syncing one account went: ``result`` when it worked, else ``error``."""

    account: str
    seconds: float = 0.0
    result: SyncResult | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def sync_accounts(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    account: str | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
) -> list[AccountSync]:
    """Sync every account (or the one named) once; one failure stops no other."""
    return [
        _sync_one(store, clock, secrets, one, progress) for one in syncable_accounts(store, account)
    ]


SYNCED_KINDS = (AccountKind.EMAIL, AccountKind.MATRIX, AccountKind.SLACK)


def syncable_accounts(store: Store, name: str | None = None) -> list[Account]:
    """Every account a sync reaches (email and chat), or the one named (BadInput if it
    is not one: the demo account has nothing to sync)."""
    with store.reading() as session:
        if name is None:
            return [a for a in stored.list_accounts(session) if a.kind in SYNCED_KINDS]
        one = stored.get_account(session, name)
    if one.kind not in SYNCED_KINDS:
        raise BadInput(f"account {one.name!r} is a {one.kind.value} account: not synced")
    return [one]


def email_accounts(store: Store, name: str | None = None) -> list[Account]:
    """Every email account, or the one named (BadInput if it is not an email account)."""
    with store.reading() as session:
        if name is None:
            return [a for a in stored.list_accounts(session) if a.kind is AccountKind.EMAIL]
        one = stored.get_account(session, name)
    if one.kind is not AccountKind.EMAIL:
        raise BadInput(f"account {one.name!r} is a {one.kind.value} account: not synced")
    return [one]


def account_password(secrets: Secrets, account: Account) -> str:
    """The account's password from the keyring; BadInput (saying how to fix it) if none."""
    password = secrets.get(account.name)
    if not password:
        what = "password" if account.kind is AccountKind.EMAIL else "token"
        kind = {AccountKind.EMAIL: "imap"}.get(account.kind, account.kind.value)
        raise BadInput(
            f"no {what} for account {account.name!r} in the keyring: add the account "
            f"again (asyncdesk account remove {account.name}, then account add {kind} ...)"
        )
    return password


def _sync_one(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    account: Account,
    progress: Callable[[SyncProgress], None] | None,
) -> AccountSync:
    outcome = AccountSync(account.name)
    started = time.monotonic()
    failure: str | None = None
    try:
        from asyncdesk.services.chat_accounts import open_source

        source = open_source(account, secrets)
        try:
            outcome.result = sync_source(store, source, clock, progress=progress, secrets=secrets)
        finally:
            source.close()
    except AsyncDeskError as error:
        failure = error.message
    outcome.seconds = time.monotonic() - started
    if failure is not None:
        log.warning("sync of %s failed: %s", account.name, failure)
        outcome.error = failure
    return outcome


def failed(outcomes: Sequence[AccountSync]) -> list[AccountSync]:
    return [outcome for outcome in outcomes if not outcome.ok]
