"""Adding, removing and syncing accounts without a server: checks, rollback, profile id."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import open_store

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.clock import FixedClock, parse_instant
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.services.accounts import (
    add_imap_account,
    build_imap_account,
    edit_imap_account,
    profile_id,
    remove_account,
    sync_accounts,
)
from asyncdesk.services.secrets import MemorySecrets, Secrets, SecretsUnavailable
from asyncdesk.store.accounts import list_accounts

CLOCK = FixedClock(parse_instant("2026-11-23T09:00:00Z"))


class BrokenKeyring(MemorySecrets):
    def set(self, account: str, secret: str) -> None:
        raise SecretsUnavailable(f"cannot store the password of account {account!r}: locked")


def test_build_checks_everything_and_derives_the_identity() -> None:
    account = build_imap_account(
        "work", host=" mail.example.com ", port=993, security="tls", user="me"
    )
    assert account.kind is AccountKind.EMAIL
    assert account.identities == ("me@mail.example.com",)
    assert account.config == {
        "host": "mail.example.com",
        "port": 993,
        "security": "tls",
        "user": "me",
    }
    with_smtp = build_imap_account(
        "w",
        host="h",
        port=143,
        security="starttls",
        user="me@example.com",
        smtp_host="smtp.h",
        smtp_security="starttls",
    )
    assert with_smtp.identities == ("me@example.com",)
    assert with_smtp.config["smtp_port"] == 587
    for kwargs, message in [
        ({"port": 0}, "between 1 and 65535"),
        ({"port": 65536}, "between 1 and 65535"),
        ({"security": "ssl"}, "tls, starttls or plain"),
        ({"host": ""}, "needs a host name"),
        ({"user": " "}, "needs a user name"),
        ({"smtp_security": "tls"}, "need --smtp-host"),
        ({"addresses": ["jane"]}, "--address takes an email address"),
        ({"addresses": ["jane doe@example.com"]}, "--address takes an email address"),
        ({"display_name": "Jane\nBcc: x@y"}, "--display-name needs a name on one line"),
        ({"folders": ["inbox"]}, "INBOX is always synced"),
        ({"folders": [" "]}, "--folder takes a folder name"),
    ]:
        args: dict[str, object] = {"host": "h", "port": 993, "security": "tls", "user": "u"}
        args.update(kwargs)
        with pytest.raises(BadInput, match=message):
            build_imap_account("work", **args)  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="invalid account name"):
        build_imap_account("no way", host="h", port=993, security="tls", user="u")


def test_own_addresses_display_name_and_extra_folders() -> None:
    """A login that is not an address (jdoe) still knows which mail is the user's own."""
    account = build_imap_account(
        "work",
        host="imap.example.com",
        port=993,
        security="tls",
        user="jdoe",
        addresses=["Jane@Example.com", "jane.doe@example.com", "jane@example.com"],
        display_name=" Jane Doe ",
        folders=["Clients", "Clients"],
    )
    assert account.identities == ("jane@example.com", "jane.doe@example.com")
    assert account.config["display_name"] == "Jane Doe"
    assert account.config["folders"] == ["Clients"]


def test_profile_id_is_made_once_and_kept(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        first = profile_id(store)
        assert len(first) == 32
        assert profile_id(store) == first
    with open_store(tmp_path / "p") as store:
        assert profile_id(store) == first
    with open_store(tmp_path / "q") as store:
        assert profile_id(store) != first


def test_a_keyring_failure_leaves_no_account(tmp_path: Path) -> None:
    account = build_imap_account("work", host="h", port=993, security="tls", user="u")
    with open_store(tmp_path / "p") as store:
        with pytest.raises(SecretsUnavailable, match="locked"):
            add_imap_account(store, CLOCK, lambda _id: BrokenKeyring(), account, "pw", verify=False)
        with store.reading() as session:
            assert list_accounts(session) == []


def test_add_and_remove_keep_the_keyring_in_step(tmp_path: Path) -> None:
    keyring = MemorySecrets()
    namespaces: list[str] = []

    def factory(namespace: str) -> Secrets:
        namespaces.append(namespace)
        return keyring

    account = build_imap_account("work", host="h", port=993, security="tls", user="u")
    with open_store(tmp_path / "p") as store:
        added = add_imap_account(store, CLOCK, factory, account, "pw", verify=False)
        assert added.id is not None
        assert namespaces == [profile_id(store)]
        assert keyring.get("work") == "pw"
        with pytest.raises(BadInput, match="already exists"):
            add_imap_account(store, CLOCK, factory, account, "pw", verify=False)
        remove_account(store, keyring, "work")
        assert keyring.accounts() == []
        with store.reading() as session:
            assert list_accounts(session) == []
        with pytest.raises(BadInput, match="no account named"):
            remove_account(store, keyring, "work")


def test_sync_reports_a_missing_password_per_account(tmp_path: Path) -> None:
    account = build_imap_account("work", host="h", port=993, security="tls", user="u")
    with open_store(tmp_path / "p") as store:
        add_imap_account(store, CLOCK, lambda _id: MemorySecrets(), account, "pw", verify=False)
        (outcome,) = sync_accounts(store, CLOCK, MemorySecrets())
        assert not outcome.ok
        assert outcome.error is not None
        assert "no password for account 'work'" in outcome.error
        with pytest.raises(BadInput, match="no account named"):
            sync_accounts(store, CLOCK, MemorySecrets(), "nope")


def test_editing_an_account_keeps_its_messages_and_changes_only_what_was_asked(
    tmp_path: Path,
) -> None:
    keyring = MemorySecrets()
    account = build_imap_account("work", host="h", port=993, security="tls", user="u")
    with open_store(tmp_path / "p") as store:
        added = add_imap_account(store, CLOCK, lambda _id: keyring, account, "pw", verify=False)
        moved = build_imap_account(
            "work", host="new.example.org", port=143, security="starttls", user="u"
        )
        edited = edit_imap_account(store, lambda _id: keyring, moved, verify=False)
        assert edited.id == added.id  # the same account: its messages stay
        assert edited.config["host"] == "new.example.org"
        assert keyring.get("work") == "pw"  # no new password given: the old one stays
        edit_imap_account(store, lambda _id: keyring, moved, "new-pw", verify=False)
        assert keyring.get("work") == "new-pw"
        with pytest.raises(BadInput, match="empty password"):
            edit_imap_account(store, lambda _id: keyring, moved, "", verify=False)
        other = build_imap_account("home", host="h", port=993, security="tls", user="u")
        with pytest.raises(BadInput, match="no account named 'home'"):
            edit_imap_account(store, lambda _id: keyring, other, "pw", verify=False)
        assert keyring.get("work") == "new-pw"
        assert keyring.get("home") is None


def test_a_profile_that_cannot_be_written_puts_the_old_password_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = MemorySecrets()
    account = build_imap_account("work", host="h", port=993, security="tls", user="u")
    with open_store(tmp_path / "p") as store:
        add_imap_account(store, CLOCK, lambda _id: keyring, account, "pw", verify=False)

        def disk_full(*_: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("asyncdesk.store.accounts.update_account", disk_full)
        with pytest.raises(OSError, match="No space"):
            edit_imap_account(store, lambda _id: keyring, account, "other", verify=False)
        assert keyring.get("work") == "pw"


def test_editing_checks_the_login_with_the_kept_password(tmp_path: Path) -> None:
    """verify=True logs in with the new settings: a server that is not there refuses,
    and nothing changes."""
    keyring = MemorySecrets()
    account = build_imap_account("work", host="h", port=993, security="tls", user="u")
    with open_store(tmp_path / "p") as store:
        add_imap_account(store, CLOCK, lambda _id: keyring, account, "pw", verify=False)
        nowhere = build_imap_account("work", host="127.0.0.1", port=9, security="plain", user="u")
        with pytest.raises(AsyncDeskError, match="connection refused"):
            edit_imap_account(store, lambda _id: keyring, nowhere, "other")
        with store.reading() as session:
            (kept,) = list_accounts(session)
        assert kept.config["host"] == "h"
        assert keyring.get("work") == "pw"
