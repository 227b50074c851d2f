"""`account add imap`, `sync --once` and `account remove` against a real private Dovecot.

The password goes to the keyring the test environment names (keyrings.alt's plaintext
file under the per-test XDG_DATA_HOME, see tests/conftest.py), never to the profile.
"""

from __future__ import annotations

import io
import json
import secrets
from email.message import EmailMessage
from pathlib import Path

import pytest
from servers.dovecot import Dovecot

from asyncdesk.cli import main
from asyncdesk.core import settings as declared
from asyncdesk.services.profile import read_setting
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.store.database import Store
from asyncdesk.store.messages import count_messages
from asyncdesk.store.profile import ProfilePaths


def mail(n: int, to: str = "me@example.com") -> bytes:
    message = EmailMessage()
    message["From"] = f"Client {n} <client{n}@example.org>"
    message["To"] = to
    message["Subject"] = f"Question {n}"
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = f"<q{n}-{secrets.token_hex(4)}@example.org>"
    message.set_content("Could you have a look?\n")
    return bytes(message)


def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main([*args, "--profile", str(root)])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def add_args(dovecot: Dovecot, user: str, name: str = "work", security: str = "plain") -> list[str]:
    port = dovecot.tls_port if security == "tls" else dovecot.plain_port
    return [
        "account",
        "add",
        "imap",
        name,
        "--host",
        dovecot.host,
        "--port",
        str(port),
        "--security",
        security,
        "--user",
        user,
        "--password-stdin",
    ]


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    return lines[0]


def inbox_count(capsys: pytest.CaptureFixture[str], root: Path) -> int:
    code = main(["inbox", "--json", "--break-glass", "x", "--profile", str(root)])
    out, _ = capsys.readouterr()
    assert code == 0
    return len(json.loads(out))


def keyring_of(root: Path) -> KeyringSecrets:
    with Store.open(root) as store:
        profile_id = read_setting(store, declared.PROFILE_ID)
    assert profile_id
    return KeyringSecrets(profile_id)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "profile"


def test_add_sync_and_remove_an_imap_account(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    root: Path,
) -> None:
    user, password = mail_user
    for n in range(7):
        dovecot.deliver(user, mail(n))

    code, out, err = cli(capsys, monkeypatch, root, *add_args(dovecot, user), stdin=password + "\n")
    assert (code, err) == (0, "")
    url = f"imap://{user}@{dovecot.host}:{dovecot.plain_port}"
    assert one_line(out) == f"Added account work ({url})."
    assert keyring_of(root).get("work") == password

    code, out, _ = cli(capsys, monkeypatch, root, "account", "list", "--json")
    assert code == 0
    assert json.loads(out) == [
        {"name": "work", "kind": "email", "identities": [f"{user}@{dovecot.host}"]}
    ]

    code, out, err = cli(capsys, monkeypatch, root, "sync", "--once")
    assert (code, err) == (0, "")
    assert one_line(out).startswith("work: 7 new messages in ")
    assert inbox_count(capsys, root) == 7

    code, out, err = cli(capsys, monkeypatch, root, "sync", "--once", "--account", "work")
    assert (code, err) == (0, "")
    assert one_line(out).startswith("work: 0 new messages in ")
    assert inbox_count(capsys, root) == 7

    dovecot.deliver(user, mail(8))
    assert cli(capsys, monkeypatch, root, "sync", "--once")[0] == 0
    assert inbox_count(capsys, root) == 8

    code, out, err = cli(capsys, monkeypatch, root, "account", "remove", "work")
    assert (code, err) == (0, "")
    assert one_line(out) == "Removed account work and its messages."
    code, out, _ = cli(capsys, monkeypatch, root, "account", "list", "--json")
    assert json.loads(out) == []
    assert inbox_count(capsys, root) == 0
    with Store.open(root) as store, store.reading() as session:
        assert count_messages(session) == 0
    assert keyring_of(root).get("work") is None

    code, _, err = cli(capsys, monkeypatch, root, "account", "remove", "work")
    assert code == 2
    assert "no account named 'work'" in one_line(err)


def test_wrong_password_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    root: Path,
) -> None:
    user, _password = mail_user
    code, out, err = cli(capsys, monkeypatch, root, *add_args(dovecot, user), stdin="wrong\n")
    assert code == 2
    assert out == ""
    assert "wrong user name or password" in one_line(err)
    assert not root.exists()


def test_wrong_password_with_an_existing_profile_adds_no_account(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    root: Path,
) -> None:
    user, password = mail_user
    args = add_args(dovecot, user)
    assert cli(capsys, monkeypatch, root, *args, stdin=password + "\n")[0] == 0
    other = add_args(dovecot, user, name="other")
    code, _, err = cli(capsys, monkeypatch, root, *other, stdin="wrong\n")
    assert code == 2
    assert "wrong user name or password" in one_line(err)
    code, out, _ = cli(capsys, monkeypatch, root, "account", "list", "--json")
    assert [row["name"] for row in json.loads(out)] == ["work"]
    assert keyring_of(root).get("other") is None

    code, _, err = cli(capsys, monkeypatch, root, *args, stdin=password + "\n")
    assert code == 2
    assert "already exists" in one_line(err)


def test_untrusted_certificate_is_refused_naming_its_fingerprint(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    root: Path,
) -> None:
    user, password = mail_user
    args = add_args(dovecot, user, security="tls")
    code, out, err = cli(capsys, monkeypatch, root, *args, stdin=password + "\n")
    assert code == 2
    assert out == ""
    line = one_line(err)
    assert "not trusted" in line
    assert dovecot.cert_sha256 in line
    assert password not in line
    assert not root.exists()


def test_a_certificate_trusted_by_its_fingerprint_is_accepted(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    root: Path,
) -> None:
    user, password = mail_user
    dovecot.deliver(user, mail(1))
    wrong = "ab" * 32
    args = add_args(dovecot, user, security="tls")
    code, _, err = cli(
        capsys, monkeypatch, root, *args, "--trust-cert", wrong, stdin=password + "\n"
    )
    assert code == 2
    assert wrong in one_line(err) or "does not match" in one_line(err)
    assert not root.exists()
    pasted = ":".join(dovecot.cert_sha256[i : i + 2] for i in range(0, 64, 2)).upper()
    code, out, err = cli(
        capsys, monkeypatch, root, *args, "--trust-cert", pasted, stdin=password + "\n"
    )
    assert (code, err) == (0, "")
    assert out.startswith("Added account work")
    code, out, _ = cli(capsys, monkeypatch, root, "sync", "--once")
    assert code == 0
    assert "1 new message" in out


def test_one_failing_account_does_not_stop_the_others(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    root: Path,
) -> None:
    user, password = mail_user
    dovecot.deliver(user, mail(1))
    for name in ("alpha", "beta"):
        args = add_args(dovecot, user, name=name)
        assert cli(capsys, monkeypatch, root, *args, stdin=password + "\n")[0] == 0
    keyring_of(root).delete("alpha")

    code, out, err = cli(capsys, monkeypatch, root, "sync", "--once")
    assert code == 2
    assert one_line(out).startswith("beta: 1 new message in ")
    line = one_line(err)
    assert line.startswith("asyncdesk: sync of alpha failed: no password for account 'alpha'")
    assert "add the account again" in line


def test_the_password_is_in_no_file_of_the_profile_and_no_log(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    dovecot: Dovecot,
    root: Path,
) -> None:
    password = "Zq-" + secrets.token_hex(16)
    user, _ = dovecot.add_user(f"scan{secrets.token_hex(4)}", password)
    for n in range(3):
        dovecot.deliver(user, mail(n))
    outputs = []
    code, out, err = cli(capsys, monkeypatch, root, *add_args(dovecot, user), stdin=password + "\n")
    assert code == 0
    outputs += [out, err]
    for command in (["sync", "--once"], ["account", "list", "--json"], ["sync", "--once"]):
        code, out, err = cli(capsys, monkeypatch, root, *command)
        assert code == 0
        outputs += [out, err]
    assert inbox_count(capsys, root) == 3
    assert keyring_of(root).get("work") == password  # it is in the keyring, and only there

    needle = password.encode()
    scanned = [path for path in root.rglob("*") if path.is_file()]
    assert ProfilePaths(root).database in scanned
    assert any(p.parent.name == "logs" and p.stat().st_size > 0 for p in scanned)
    leaks = [str(path.relative_to(root)) for path in scanned if needle in path.read_bytes()]
    assert leaks == []
    assert not any(password in text for text in outputs)
    assert caplog.records
    assert not any(password in record.getMessage() for record in caplog.records)
    assert not any(password in str(record.args) for record in caplog.records)
