"""``asyncdesk reply`` refusing bad input: one line, exit 2, nothing written, no server.

Sending itself is tested against real servers in tests/integration/test_reply.py.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from factories import T0, add_test_account, chat, email, open_store, store_messages

from asyncdesk.cli import main
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.services.accounts import profile_secrets
from asyncdesk.store import outbox
from asyncdesk.store.accounts import add_account
from asyncdesk.store.messages import count_messages, inbox_page
from asyncdesk.store.outbox import OutboxState

SMTP = {"host": "imap.invalid", "user": "me@example.com", "smtp_host": "smtp.invalid"}


def make_profile(root: Path, *, smtp: bool = True, password: bool = True) -> dict[str, int]:
    """A profile with an email account (``work``), a Matrix one and a demo one, one
    message in each; returns the ids by subject."""
    with open_store(root) as store:
        with store.writing() as session:
            work = add_account(
                session,
                Account("work", AccountKind.EMAIL, ("me@example.com",), SMTP if smtp else {}),
                T0,
            )
        store_messages(store, work, [email("q1", subject="Offer")])
        matrix = add_test_account(store, "chat", AccountKind.MATRIX, ("@me:example.org",))
        store_messages(store, matrix, [chat("$e1")])
        demo = add_test_account(store, "demo", AccountKind.DEMO)
        store_messages(store, demo, [email("d1", subject="Demo question")])
        if password:
            profile_secrets(store).set("work", "s3cret-Pw")
        with store.reading() as session:
            return {m.subject: m.id for m in inbox_page(session, 10)}


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    *args: str,
    stdin: str | None = "Thanks!\n",
) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main(["--profile", str(root), "reply", *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    return lines[0]


def nothing_written(root: Path, messages: int = 3) -> None:
    with open_store(root) as store, store.reading() as session:
        assert outbox.items(session, list(OutboxState)) == []
        assert count_messages(session) == messages


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.mark.parametrize(
    ("subject", "args", "stdin", "expected"),
    [
        (None, ["999", "--body-stdin"], "Hi\n", "no message with id 999"),
        ("Offer", ["--body-stdin"], "  \n\n", "the reply is empty: nothing sent"),
        ("Offer", ["--body-stdin"], "", "the reply is empty"),
        # A chat account without its token in the keyring (added by hand here).
        ("!room:example.org", ["--body-stdin"], "Hi\n", "no token for account"),
        ("!room:example.org", ["--all", "--body-stdin"], "Hi\n", "--all is for email"),
        ("Demo question", ["--body-stdin"], "Hi\n", "only email accounts can be answered"),
        ("Offer", [], "Hi\n", "pass --body-stdin"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    subject: str | None,
    args: list[str],
    stdin: str,
    expected: str,
) -> None:
    ids = make_profile(root)
    target = [] if subject is None else [str(ids[subject])]
    code, out, err = run(capsys, monkeypatch, root, *target, *args, stdin=stdin)
    assert (code, out) == (2, "")
    assert expected in one_line(err)
    nothing_written(root)


def test_an_account_that_cannot_send_says_how_to_fix_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    ids = make_profile(root, smtp=False)
    code, _, err = run(capsys, monkeypatch, root, str(ids["Offer"]), "--body-stdin")
    assert code == 2
    line = one_line(err)
    assert "no smtp_host configured" in line
    assert "--smtp-host" in line
    nothing_written(root)


def test_no_password_in_the_keyring_sends_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    ids = make_profile(root, password=False)
    code, _, err = run(capsys, monkeypatch, root, str(ids["Offer"]), "--body-stdin")
    assert code == 2
    assert "no password for account 'work' in the keyring" in one_line(err)
    nothing_written(root)


def test_a_missing_profile_is_not_created(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    code, out, err = run(capsys, monkeypatch, root, "3", "--body-stdin")
    assert (code, out) == (2, "")
    assert "no AsyncDesk profile" in one_line(err)
    assert not root.exists()


def test_reply_has_help_naming_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["reply", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--body-stdin" in out
    assert "--all" in out
