"""``asyncdesk answers``: add, list, search, export through the command line."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from factories import add_test_account, chat, email, open_store, store_messages
from sqlalchemy import text

from asyncdesk.cli import main
from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.answers import EXPORT_MANIFEST, MAX_BODY_BYTES
from asyncdesk.store.messages import search


class _Stdin(io.TextIOWrapper):
    """Standard input as a pipe gives it: bytes underneath, not a terminal."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")

    def isatty(self) -> bool:
        return False


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: bytes = b"",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", _Stdin(stdin))
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(*roots: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for root in roots:
        for item in sorted(root.rglob("*")) if root.exists() else ():
            found[str(item)] = (
                hashlib.sha256(item.read_bytes()).hexdigest() if item.is_file() else "dir"
            )
    return found


@pytest.fixture
def profile(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A profile with an email whose body was fetched, one with headers only, and a
    chat thread; returns its folder and the message ids by name."""
    root = tmp_path / "profile"
    with open_store(root) as store:
        work = add_test_account(store, "work")
        store_messages(
            store,
            work,
            [
                email("full", subject="Pricing", body="Prices: see https://vimeo.com/99\nBye"),
                email("bare", subject="Headers", body="Only the preview text"),
            ],
        )
        with store.writing() as session:
            session.execute(text("UPDATE messages SET body_text = NULL WHERE remote_id = 'bare'"))
        team = add_test_account(store, "team", AccountKind.MATRIX, ("@me:example.org",))
        store_messages(store, team, [chat("$r", body="Chat line about releases", thread="$t")])
        with store.reading() as session:
            ids = {
                "full": search(session, "prices")[0].id,
                "bare": search(session, "headers")[0].id,
                "chat": search(session, "releases")[0].id,
            }
    return root, ids


def test_add_list_search_and_export(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: tuple[Path, dict[str, int]],
    tmp_path: Path,
) -> None:
    root, ids = profile
    p = ["--profile", str(root)]
    body = b"Ship it with `make release`.\nDemo: https://www.loom.com/share/abc\n"
    code, out, err = run(
        capsys, monkeypatch, "answers", "add", "--title", "Releases", "--tags", "Ops,ci",
        "--body-stdin", *p, stdin=body,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "Saved answer 1 (Releases); 1 recording link(s) kept.\n"

    code, out, _ = run(
        capsys, monkeypatch, "answers", "add", "--title", "Pricing",
        "--from-message", str(ids["full"]), *p,
    )  # fmt: skip
    assert code == 0
    assert f"from message {ids['full']}, its body" in out
    code, out, _ = run(
        capsys, monkeypatch, "answers", "add", "--title", "Preview only",
        "--from-message", str(ids["bare"]), *p,
    )  # fmt: skip
    assert code == 0
    assert "its preview only (the body was not fetched yet" in out

    code, out, _ = run(capsys, monkeypatch, "answers", "list", "--json", *p)
    rows = json.loads(out)
    assert [row["title"] for row in rows] == ["Preview only", "Pricing", "Releases"]
    assert set(rows[0]) >= {
        "id", "title", "tags", "created_at", "updated_at", "source", "links", "snippet",
    }  # fmt: skip
    releases = rows[2]
    assert releases["tags"] == ["ops", "ci"]
    assert releases["source"] is None
    assert releases["created_at"].endswith("Z")
    assert releases["links"] == [
        {"url": "https://www.loom.com/share/abc", "context": "Demo: https://www.loom.com/share/abc",
         "kind": "loom"}
    ]  # fmt: skip
    assert rows[1]["source"]["message_id"] == ids["full"]
    assert rows[1]["source"]["text"] == "body"
    assert rows[1]["links"][0]["url"] == "https://vimeo.com/99"
    assert rows[0]["source"]["text"] == "snippet"

    code, out, _ = run(capsys, monkeypatch, "answers", "list", *p)
    assert code == 0
    assert "Releases  [ops, ci]  (1 recording(s))" in out

    code, out, _ = run(capsys, monkeypatch, "answers", "search", "MAKE release", "--json", *p)
    assert [row["title"] for row in json.loads(out)] == ["Releases"]
    code, out, _ = run(capsys, monkeypatch, "answers", "search", "nothing-like-it", *p)
    assert (code, out) == (0, "No saved answer matches.\n")

    before = snapshot(root)
    folder = tmp_path / "kb"
    code, out, _ = run(capsys, monkeypatch, "answers", "export", str(folder), *p)
    assert code == 0
    assert out.startswith("Exported 3 answer(s) to ")
    assert sorted(p.name for p in folder.iterdir()) == [
        EXPORT_MANIFEST, "0001-releases.md", "0002-pricing.md", "0003-preview-only.md", "index.md",
    ]  # fmt: skip
    assert snapshot(root) == before
    code, _, _ = run(capsys, monkeypatch, "answers", "export", str(folder), *p)
    assert code == 0  # an earlier export may be written again


def test_a_chat_message_is_saved_alone(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: tuple[Path, dict[str, int]],
) -> None:
    root, ids = profile
    code, _, _ = run(
        capsys, monkeypatch, "answers", "add", "--title", "Chat", "--from-message",
        str(ids["chat"]), "--profile", str(root),
    )  # fmt: skip
    assert code == 0
    _, out, _ = run(capsys, monkeypatch, "answers", "list", "--json", "--profile", str(root))
    (row,) = json.loads(out)
    assert row["snippet"] == "Chat line about releases"
    assert row["source"]["account"] == "team"


def test_a_whole_chat_thread_is_saved_and_said_so(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: tuple[Path, dict[str, int]],
) -> None:
    root, ids = profile
    code, out, _ = run(
        capsys, monkeypatch, "answers", "add", "--title", "Releases", "--from-message",
        str(ids["chat"]), "--whole-thread", "--profile", str(root),
    )  # fmt: skip
    assert code == 0
    assert "its whole thread" in out
    _, out, _ = run(capsys, monkeypatch, "answers", "list", "--json", "--profile", str(root))
    (row,) = json.loads(out)
    assert row["source"]["text"] == "thread"
    assert "Chat line about releases" in row["snippet"]


def test_unicode_is_kept_and_found(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    p = ["--profile", str(tmp_path / "new")]  # add may create the profile
    body = "Grüße aus Köln — 東京 🎉\nCrème brûlée".encode()
    code, _, err = run(
        capsys, monkeypatch, "answers", "add", "--title", "Grüße 東京", "--body-stdin", *p,
        stdin=body,
    )  # fmt: skip
    assert (code, err) == (0, "")
    code, out, _ = run(capsys, monkeypatch, "answers", "search", "GRÜßE koln creme", "--json", *p)
    (row,) = json.loads(out)
    assert row["title"] == "Grüße 東京"
    assert "東京 🎉" in row["snippet"]


@pytest.mark.parametrize(
    "query", ['"', "*", "-", "NEAR(", 'a" OR "b', "x*", "-x", "AND", "title:x", "😀"]
)
def test_odd_queries_are_answered_or_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: tuple[Path, dict[str, int]],
    query: str,
) -> None:
    root, _ = profile
    before = snapshot(root)
    code, out, err = run(
        capsys, monkeypatch, "answers", "search", query, "--json", "--profile", str(root)
    )
    if code == 0:
        assert json.loads(out) == []
    else:
        assert code == 2
        assert out == ""
        assert err.count("\n") == 1
        assert "QUERY" in err
    assert "Traceback" not in err
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (["--title", "", "--body-stdin"], b"x", "--title needs some text"),
        (["--title", "t" * 201, "--body-stdin"], b"x", "at most 200 characters"),
        (["--title", "t", "--tags", "", "--body-stdin"], b"x", "at least one tag"),
        (["--title", "t", "--tags", "a b", "--body-stdin"], b"x", "is not a tag"),
        (["--title", "t", "--body-stdin"], b"", "the answer is empty"),
        (["--title", "t", "--body-stdin"], b"x" * (MAX_BODY_BYTES + 1), "over 1 MiB"),
        (["--title", "t", "--body-stdin"], b"caf\xe9", "not UTF-8"),
        (["--title", "t", "--body-stdin"], b"a\x00b", "NUL"),
        (["--title", "t", "--from-message", "99999"], b"", "no message with id 99999"),
        (["--title", "t", "--from-message", "x"], b"", "not a message id"),
        (["--title", "t"], b"", "one of the arguments --from-message --body-stdin is required"),
        (["--title", "t", "--body-stdin", "--whole-thread"], b"x", "give --from-message ID"),
    ],
)
def test_bad_additions_are_one_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: tuple[Path, dict[str, int]],
    args: list[str],
    stdin: bytes,
    expected: str,
) -> None:
    root, _ = profile
    before = snapshot(root)
    code, out, err = run(
        capsys, monkeypatch, "answers", "add", *args, "--profile", str(root), stdin=stdin
    )
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert expected in err
    assert snapshot(root) == before


def test_a_bad_body_creates_no_profile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = tmp_path / "none"
    code, _, err = run(
        capsys, monkeypatch, "answers", "add", "--title", "t", "--body-stdin",
        "--profile", str(root), stdin=b"  \n",
    )  # fmt: skip
    assert code == 2
    assert "empty" in err
    assert not root.exists()


def test_readers_refuse_a_missing_profile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = tmp_path / "none"
    for args in (["list"], ["search", "q"], ["export", str(tmp_path / "kb")]):
        code, _, err = run(capsys, monkeypatch, "answers", *args, "--profile", str(root))
        assert code == 2
        assert "no AsyncDesk profile" in err
    assert not root.exists()
    assert not (tmp_path / "kb").exists()


def test_export_into_a_busy_folder_is_refused_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: tuple[Path, dict[str, int]],
    tmp_path: Path,
) -> None:
    root, ids = profile
    p = ["--profile", str(root)]
    assert run(capsys, monkeypatch, "answers", "add", "--title", "A", "--from-message",
               str(ids["full"]), *p)[0] == 0  # fmt: skip
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "thesis.md").write_text("years of work", encoding="utf-8")
    before = snapshot(root, folder)
    code, out, err = run(capsys, monkeypatch, "answers", "export", str(folder), *p)
    assert (code, out) == (2, "")
    assert "is not empty and holds no earlier export of answers" in err
    assert err.count("\n") == 1
    assert snapshot(root, folder) == before
    for bad, why in (("", "needs a folder"), (str(folder / "thesis.md"), "is a file"),
                     (str(tmp_path / "no" / "kb"), "no such folder")):  # fmt: skip
        code, out, err = run(capsys, monkeypatch, "answers", "export", bad, *p)
        assert (code, out) == (2, "")
        assert why in err
    assert snapshot(root, folder) == before
