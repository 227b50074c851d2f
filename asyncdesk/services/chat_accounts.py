"""Adding Matrix and Slack accounts, and opening the source of any account.

Secrets, as for email (services.accounts): in the keyring only. For Matrix the
password is used once, to log in; what is kept is the access token and the device id,
together in the keyring (the device id must stay the same, so the homeserver does not
list a new device at every start), and the user id in the account's config. For Slack
the user token goes to the keyring. Everything is checked before the profile is written
(spelling, name, a real login or ``auth.test``), so bad input or a refused login
changes nothing; if the keyring then refuses the secret, the account is removed again.

Thread contract: every function blocks on disk, network or the keyring; the CLI calls
them on its main thread, the UI from a worker.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from asyncdesk.core.accounts import Account, AccountKind, check_account_name
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import BadInput
from asyncdesk.services.accounts import (
    SecretsFactory,
    account_password,
    check_new_account_name,
    profile_secrets,
    update_account,
)
from asyncdesk.services.secrets import Secrets
from asyncdesk.sources.base import Source
from asyncdesk.store import accounts as stored
from asyncdesk.store.database import Store

if TYPE_CHECKING:
    from asyncdesk.sources.slack import SlackIdentity

log = logging.getLogger(__name__)

_MATRIX_USER = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d{1,5})?$")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}

Login = Callable[[str, str, str], object]


def check_homeserver(url: str) -> str:
    """An https URL (plain http only to this machine: the token would travel in clear)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BadInput(f"--homeserver takes a URL like https://matrix.example.org, not {url!r}")
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        raise BadInput(
            f"--homeserver {url}: plain http would send the password and token in clear; use https"
        )
    return url.strip().rstrip("/")


def check_matrix_user(user: str) -> str:
    if not _MATRIX_USER.match(user.strip()):
        raise BadInput(f"--user takes a Matrix id like @me:example.org, not {user!r}")
    return user.strip()


def build_matrix_account(name: str, *, homeserver: str, user: str) -> Account:
    """The account as the user described it (nothing stored, nothing contacted)."""
    user_id = check_matrix_user(user)
    return Account(
        check_account_name(name),
        AccountKind.MATRIX,
        (user_id,),
        config={"homeserver": check_homeserver(homeserver), "user_id": user_id},
    )


def add_matrix_account(
    store: Store,
    clock: Clock,
    secrets_factory: SecretsFactory,
    account: Account,
    password: str,
    *,
    login: Callable[..., object] | None = None,
) -> Account:
    """Log in with ``password`` (once) and store the account; its token in the keyring."""
    from asyncdesk.sources.matrix import Credentials
    from asyncdesk.sources.matrix import login as matrix_login

    if account.kind is not AccountKind.MATRIX:
        raise ValueError("add_matrix_account needs a Matrix account")
    if not password:
        raise BadInput(f"empty password for account {account.name!r}: nothing stored")
    check_new_account_name(store, account.name)
    homeserver = str(account.config["homeserver"])
    credentials = (login or matrix_login)(homeserver, account.identities[0], password)
    assert isinstance(credentials, Credentials)
    ready = dataclasses.replace(
        account,
        identities=(credentials.user_id,),
        config={**account.config, "user_id": credentials.user_id},
    )
    secret = json.dumps(
        {"access_token": credentials.access_token, "device_id": credentials.device_id}
    )
    added = _store(store, clock, secrets_factory, ready, secret)
    log.info("added Matrix account %s (%s on %s)", added.name, credentials.user_id, homeserver)
    return added


def build_slack_account(name: str, *, api_url: str | None = None) -> Account:
    config: dict[str, object] = {}
    if api_url:
        parts = urlsplit(api_url.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise BadInput(f"--api-url takes a URL like https://slack.com/api/, not {api_url!r}")
        if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
            raise BadInput(f"--api-url {api_url}: plain http would send the token in clear")
        config["api_url"] = api_url.strip()
    return Account(check_account_name(name), AccountKind.SLACK, (), config=config)


def verify_slack_token(account: Account, token: str) -> SlackIdentity:
    """Whose token it is (``auth.test``): network only, so the window runs it on its
    network pool and :func:`add_slack_account` with ``identity`` on its database worker."""
    from asyncdesk.sources.slack import SlackSource

    token = token.strip()
    if not token:
        raise BadInput(f"empty token for account {account.name!r}: nothing stored")
    source = SlackSource(account, token)
    try:
        return source.verify()
    finally:
        source.close()


def add_slack_account(
    store: Store,
    clock: Clock,
    secrets_factory: SecretsFactory,
    account: Account,
    token: str,
    *,
    identity: SlackIdentity | None = None,
) -> Account:
    """Check the token (``auth.test``, unless ``identity`` already says whose it is) and
    store the account; the token in the keyring."""
    if account.kind is not AccountKind.SLACK:
        raise ValueError("add_slack_account needs a Slack account")
    token = token.strip()
    if not token:
        raise BadInput(f"empty token for account {account.name!r}: nothing stored")
    check_new_account_name(store, account.name)
    if identity is None:
        identity = verify_slack_token(account, token)
    ready = dataclasses.replace(
        account,
        identities=(identity.user_id.lower(),),
        config={**account.config, "user_id": identity.user_id, "team": identity.team},
    )
    added = _store(store, clock, secrets_factory, ready, token)
    log.info("added Slack account %s (%s in %s)", added.name, identity.user, identity.team)
    return added


def _chat_account(store: Store, name: str, kind: AccountKind) -> Account:
    with store.reading() as session:
        account = stored.get_account(session, name)
    if account.kind is not kind:
        raise BadInput(f"account {name!r} is a {account.kind.value} account")
    return account


def _same_user(account: Account, user_id: str) -> None:
    """A new secret must belong to the same user: the messages kept are theirs."""
    expected = str(account.config.get("user_id") or "")
    if expected and user_id.lower() != expected.lower():
        raise BadInput(
            f"that signs in as {user_id}, but account {account.name!r} is {expected}: "
            "nothing changed (add another account for another user)"
        )


def renew_matrix_login(
    store: Store,
    secrets_factory: SecretsFactory,
    name: str,
    password: str,
    *,
    login: Callable[..., object] | None = None,
) -> Account:
    """Sign the Matrix account in again (its token was revoked, its password changed):
    a new token and device in the keyring; rooms, messages and the sync position stay."""
    from asyncdesk.sources.matrix import Credentials
    from asyncdesk.sources.matrix import login as matrix_login

    account = _chat_account(store, name, AccountKind.MATRIX)
    if not password:
        raise BadInput(f"empty password for account {name!r}: nothing changed")
    user = str(account.config.get("user_id") or account.identities[0])
    credentials = (login or matrix_login)(str(account.config["homeserver"]), user, password)
    assert isinstance(credentials, Credentials)
    _same_user(account, credentials.user_id)
    secret = json.dumps(
        {"access_token": credentials.access_token, "device_id": credentials.device_id}
    )
    return update_account(store, secrets_factory, account, secret)


def renew_slack_token(
    store: Store,
    secrets_factory: SecretsFactory,
    name: str,
    token: str,
    *,
    identity: SlackIdentity | None = None,
) -> Account:
    """Give the Slack account a new token (the old one was revoked or rotated), checked
    with ``auth.test`` unless ``identity`` already says whose it is."""
    account = _chat_account(store, name, AccountKind.SLACK)
    token = token.strip()
    if not token:
        raise BadInput(f"empty token for account {name!r}: nothing changed")
    if identity is None:
        identity = verify_slack_token(account, token)
    _same_user(account, identity.user_id)
    return update_account(store, secrets_factory, account, token)


def _store(
    store: Store, clock: Clock, secrets_factory: SecretsFactory, account: Account, secret: str
) -> Account:
    secrets = profile_secrets(store, secrets_factory)
    with store.writing() as session:
        added = stored.add_account(session, account, clock.now())
    try:
        secrets.set(added.name, secret)
    except BaseException:
        with store.writing() as session:
            stored.remove_account(session, added.name)
        raise
    return added


def _matrix_secret(secret: str) -> tuple[str, str]:
    """The access token and device id kept in the keyring (as one JSON object)."""
    try:
        data = json.loads(secret)
        return str(data["access_token"]), str(data.get("device_id") or "")
    except (ValueError, TypeError, KeyError):
        raise BadInput(
            "the keyring holds something else than this Matrix account's token: add the "
            "account again (asyncdesk account remove NAME, then account add matrix ...)"
        ) from None


def open_source(account: Account, secrets: Secrets) -> Source:
    """The source of any account, with its secret from the keyring (BadInput, saying how
    to fix it, when the keyring has none)."""
    secret = account_password(secrets, account)
    if account.kind is AccountKind.EMAIL:
        from asyncdesk.sources.imap import ImapSource

        return ImapSource(account, secret)
    if account.kind is AccountKind.MATRIX:
        from asyncdesk.sources.matrix import Credentials, MatrixSource

        token, device = _matrix_secret(secret)
        credentials = Credentials(str(account.config["user_id"]), token, device)
        homeserver = str(account.config["homeserver"])
        return MatrixSource(account, credentials, homeserver=homeserver)
    if account.kind is AccountKind.SLACK:
        from asyncdesk.sources.slack import SlackSource

        return SlackSource(account, secret)
    raise BadInput(f"account {account.name!r} is a {account.kind.value} account: not synced")
