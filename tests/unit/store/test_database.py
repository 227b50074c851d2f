"""The profile database on real SQLite files: creation, WAL, migrations, atomic batches."""

from __future__ import annotations

import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from factories import (
    T0,
    add_test_account,
    email,
    many_emails,
    open_store,
    profile_at_revision,
    store_messages,
)

from asyncdesk.core.errors import ProfileError
from asyncdesk.core.messages import Triage
from asyncdesk.store import migrate
from asyncdesk.store.database import Store
from asyncdesk.store.messages import (
    add_batch,
    count_messages,
    get_cursor,
    inbox_page,
    page_key,
    search,
)
from asyncdesk.store.profile import resolve_profile_dir
from asyncdesk.store.schema import Base, managed_by_models


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    return config


def test_new_profile_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    root = tmp_path / "a" / "profile"
    with Store.open(root) as store:
        assert store.journal_mode() == "wal"
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert (root / "asyncdesk.sqlite3").exists()


def test_the_database_and_its_journals_are_readable_by_the_user_only(tmp_path: Path) -> None:
    """SQLite would create the file by the umask (0644: mail readable by every local
    user if the folder were ever opened up); its -wal and -shm take the file's mode."""
    root = tmp_path / "profile"
    with Store.open(root) as store:
        add_test_account(store)
        files = [root / "asyncdesk.sqlite3", root / "asyncdesk.sqlite3-wal"]
        assert all(path.exists() for path in files)
        assert {oct(stat.S_IMODE(path.stat().st_mode)) for path in files} == {"0o600"}
    (root / "asyncdesk.sqlite3").chmod(0o644)  # made by an older version
    Store.open(root).close()
    assert stat.S_IMODE((root / "asyncdesk.sqlite3").stat().st_mode) == 0o600


def test_a_loose_existing_profile_directory_is_tightened(tmp_path: Path) -> None:
    root = tmp_path / "loose"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    Store.open(root).close()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_profile_dir_choice_flag_then_env_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASYNCDESK_PROFILE", str(tmp_path / "env"))
    assert resolve_profile_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert resolve_profile_dir(None) == tmp_path / "env"
    monkeypatch.delenv("ASYNCDESK_PROFILE")
    data_home = Path(__import__("os").environ["XDG_DATA_HOME"])
    assert resolve_profile_dir(None).is_relative_to(data_home)


def test_messages_round_trip_with_utc_instants(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(store, account, [email("a", subject="Zoë's quote", name="Zoë Müller")])
    with open_store(tmp_path / "p") as store, store.reading() as session:
        [row] = inbox_page(session, 10)
    assert row.subject == "Zoë's quote"
    assert row.sender == "Zoë Müller"
    assert row.received_at == T0
    assert row.received_at.utcoffset() == timedelta(0)
    assert row.due_at == T0 + timedelta(hours=48)
    assert row.message_id == "a@mail.example"
    assert row.account == "work"


def test_replaying_a_batch_duplicates_nothing(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        batch = [email(f"m{i}", at=T0 + timedelta(minutes=i)) for i in range(5)]
        assert store_messages(store, account, batch) == 5
        assert store_messages(store, account, batch) == 0
        with store.reading() as session:
            assert count_messages(session) == 5


def test_a_failed_batch_writes_neither_messages_nor_cursor(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        store_messages(store, account, [email("first")], cursor="1")

        class Crash(Exception):
            pass

        def crash_mid_batch() -> None:
            assert account.id is not None
            with store.writing() as session:
                batch = [(email("second"), Triage(False))]
                add_batch(session, account.id, batch, stream="INBOX", cursor="2", now=T0)
                raise Crash

        with pytest.raises(Crash):
            crash_mid_batch()
        with store.reading() as session:
            assert count_messages(session) == 1
            assert get_cursor(session, account.id, "INBOX") == "1"


def test_removing_an_account_removes_its_messages(tmp_path: Path) -> None:
    from asyncdesk.store.accounts import remove_account

    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(store, account, [email("a"), email("b")])
        with store.writing() as session:
            remove_account(session, "work")
        with store.reading() as session:
            assert count_messages(session) == 0
            assert search(session, "hello") == []


def test_full_text_search_finds_words_in_subject_sender_and_body(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(
            store,
            account,
            [
                email("a", subject="Invoice for October", body="Please find the invoice attached."),
                email("b", subject="Lunch?", sender="zoe@example.net", name="Zoë Müller"),
                email("c", subject="Kickoff", body="The quarterly roadmap is ready for review."),
            ],
        )
        with store.reading() as session:
            assert [m.subject for m in search(session, "roadmap")] == ["Kickoff"]
            assert [m.subject for m in search(session, "invoice")] == ["Invoice for October"]
            # Diacritics fold, and the last word matches as a prefix (search as you type).
            assert [m.subject for m in search(session, "muller")] == ["Lunch?"]
            assert [m.subject for m in search(session, "road")] == ["Kickoff"]
            # FTS syntax typed by a user is text, not an operator or an error.
            assert search(session, '"unbalanced AND (') == []
            assert search(session, "NOT") == []
            assert search(session, "   ") == []


def test_search_index_follows_updates(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(store, account, [email("a", subject="Draft agenda")])
        with store.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE messages SET subject = 'Final agenda'")
        with store.reading() as session:
            assert search(session, "draft") == []
            assert [m.subject for m in search(session, "final")] == ["Final agenda"]


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    script = ScriptDirectory.from_config(_alembic_config())
    assert script.get_current_head() == migrate.HEAD_REVISION
    revisions = [rev.revision for rev in script.walk_revisions()]
    assert sorted(revisions) == sorted(migrate.KNOWN_REVISIONS)


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p") as store, store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": managed_by_models})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_from_the_first_revision_keeps_and_indexes_old_messages(tmp_path: Path) -> None:
    root = tmp_path / "old"
    engine = profile_at_revision(root, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, name, kind, identities, config, created_at) VALUES "
            "(1, 'old', 'email', '[\"me@example.com\"]', '{}', '2026-01-01 00:00:00.000000')"
        )
        connection.exec_driver_sql(
            "INSERT INTO messages (account_id, remote_id, direction, medium, conversation, "
            '"references", sender_address, sender_name, to_addresses, cc_addresses, subject, '
            "snippet, headers, is_direct, mentions_me, received_at, needs_reply) VALUES "
            "(1, 'r1', 'inbound', 'email', 'c1', '[]', 'ann@example.org', 'Ann', '[]', '[]', "
            "'Quarterly planning', 'see attached', '{}', 0, 0, '2026-01-02 10:00:00.000000', 0)"
        )
    engine.dispose()

    with Store.open(root) as store:
        with store.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.HEAD_REVISION
        with store.reading() as session:
            assert [m.subject for m in search(session, "planning")] == ["Quarterly planning"]
            assert [m.sender for m in inbox_page(session, 10)] == ["Ann"]


def test_a_profile_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    root = tmp_path / "p"
    Store.open(root).close()
    with sqlite3.connect(root / "asyncdesk.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = (root / "asyncdesk.sqlite3").read_bytes()
    with pytest.raises(ProfileError, match="newer AsyncDesk"):
        Store.open(root)
    assert (root / "asyncdesk.sqlite3").read_bytes() == before


def test_a_damaged_database_file_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir(mode=0o700)
    (root / "asyncdesk.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(ProfileError, match=r"damaged \(file is not a database\) and there is no"):
        Store.open(root)


def test_a_profile_path_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ProfileError, match="not a directory"):
        Store.open(tmp_path / "file")


def test_inbox_pages_cover_every_message_once_newest_first(tmp_path: Path) -> None:
    """Keyset paging, including messages that share one received_at instant."""
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        same_minute = [email(f"tie{i}", at=T0 + timedelta(minutes=3)) for i in range(7)]
        store_messages(store, account, [*many_emails(20), *same_minute])
        seen: list[int] = []
        after = None
        with store.reading() as session:
            while page := inbox_page(session, 4, after):
                seen += [m.id for m in page]
                after = page_key(page[-1])
            everything = inbox_page(session, 100)
    assert seen == [m.id for m in everything]
    assert len(seen) == len(set(seen)) == 27
    times = [m.received_at for m in everything]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("where", ["/proc/asyncdesk-no/profile", "x" * 300])
def test_a_profile_path_that_cannot_exist_is_one_clear_error(where: str, tmp_path: Path) -> None:
    """The window and the command line both get a ProfileError (one line), not an
    OSError traceback, for a path under /proc or a name too long for the file system."""
    root = Path(where) if where.startswith("/") else tmp_path / where
    with pytest.raises(ProfileError, match="cannot use profile"):
        Store.open(root)
