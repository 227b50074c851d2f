"""Chat invitations in the store: added, kept with their first date, replaced by a
complete list, and forgotten when answered or withdrawn."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from factories import T0, add_test_account, open_store

from asyncdesk.core.accounts import AccountKind
from asyncdesk.store.invitations import apply_invitations, pending_invitations


def test_invitations_follow_what_the_sync_says(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store, "chat", AccountKind.MATRIX, ("@me:x.org",))
        assert account.id is not None

        def apply(invited: list[tuple[str, str, str]], *, complete: bool = False,
                  gone: tuple[str, ...] = (), at: int = 0) -> list[tuple[str, str]]:  # fmt: skip
            with store.writing() as session:
                apply_invitations(
                    session, account.id or 0, invited, complete=complete, gone=gone,
                    now=T0 + timedelta(hours=at),
                )  # fmt: skip
            with store.reading() as session:
                return [(p.room_id, p.name) for p in pending_invitations(session)]

        assert apply([("!a", "Alpha", "@ann:x.org")]) == [("!a", "Alpha")]
        # Seen again later, renamed: one row, the first date kept (still listed first).
        assert apply([("!b", "Beta", "@bob:x.org")], at=1) == [("!a", "Alpha"), ("!b", "Beta")]
        assert apply([("!a", "Alpha 2", "@ann:x.org")], at=2) == [
            ("!a", "Alpha 2"),
            ("!b", "Beta"),
        ]
        assert apply([], gone=("!a",)) == [("!b", "Beta")]
        # A complete list: whatever is not in it was answered elsewhere.
        assert apply([("!c", "Gamma", "@cy:x.org")], complete=True, at=3) == [("!c", "Gamma")]
        with store.reading() as session:
            (only,) = pending_invitations(session)
        assert (only.account, only.inviter, only.invited_at) == (
            "chat",
            "@cy:x.org",
            T0 + timedelta(hours=3),
        )
