"""Backups of the profile database on real SQLite files: consistent, private, rotated,
daily, before migrations; and the damage they are the way back from."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from factories import (
    T0,
    add_test_account,
    email,
    many_emails,
    open_store,
    profile_at_revision,
    store_messages,
)

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput, ProfileError
from asyncdesk.services.profile import restore_backup
from asyncdesk.store import backup, migrate
from asyncdesk.store.database import DamagedDatabase, Store
from asyncdesk.store.messages import count_messages
from asyncdesk.store.profile import ProfilePaths


def _count(database: Path) -> int:
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM messages").fetchone()[0])


def _profile_with_mail(root: Path, n: int = 30) -> Store:
    store = open_store(root)
    store_messages(store, add_test_account(store), many_emails(n))
    return store


def test_a_backup_is_a_consistent_private_copy_including_the_unmerged_wal(tmp_path: Path) -> None:
    with _profile_with_mail(tmp_path / "p") as store:
        # Committed, still only in the -wal file: a plain file copy would miss them.
        assert Path(f"{store.paths.database}-wal").stat().st_size > 0
        made = backup.make_backup(store.paths, FixedClock(T0))
    assert made.path == tmp_path / "p" / "backups" / "asyncdesk-20261116T090000Z.sqlite3"
    assert _count(made.path) == 30
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.path.parent.stat().st_mode) == 0o700
    assert sorted(os.listdir(made.path.parent)) == [made.path.name]  # no -wal, no partial


def test_the_newest_seven_are_kept_and_one_a_day_at_most(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    with _profile_with_mail(tmp_path / "p", 3) as store:
        made = []
        for _day in range(9):
            made.append(backup.backup_if_due(store.paths, clock))
            # The same day again: nothing new.
            clock.advance(timedelta(hours=23))
            assert backup.backup_if_due(store.paths, clock) is None
            clock.advance(timedelta(hours=1))
        kept = backup.list_backups(store.paths)
    assert all(one is not None for one in made)
    assert [one.taken_at for one in kept] == [T0 + timedelta(days=d) for d in range(8, 1, -1)]


def test_a_backup_that_cannot_be_written_is_logged_and_breaks_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with _profile_with_mail(tmp_path / "p", 3) as store:
        (tmp_path / "p" / "backups").write_text("a file where the folder should be")
        with caplog.at_level(logging.WARNING, "asyncdesk"):
            assert backup.backup_if_due(store.paths, FixedClock(T0)) is None
        assert "daily backup skipped: cannot back up the profile database" in caplog.text
        with store.reading() as session:
            assert count_messages(session) == 3


def test_a_damaged_database_is_not_backed_up_over_the_good_backups(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _profile_with_mail(root, 400).close()
    good = backup.make_backup(ProfilePaths(root), FixedClock(T0))
    database = ProfilePaths(root).database
    with open(database, "r+b") as file:  # garbage over pages in the middle
        file.seek(4096 * 8)
        file.write(b"\xff" * 4096 * 6)
    with pytest.raises(ProfileError, match=r"is damaged .* no backup was made"):
        backup.make_backup(ProfilePaths(root), FixedClock(T0 + timedelta(days=1)))
    assert backup.list_backups(ProfilePaths(root)) == [good]
    assert not list((root / "backups").glob(".partial-*"))


def test_a_migration_is_preceded_by_a_backup_of_the_old_schema(tmp_path: Path) -> None:
    root = tmp_path / "old"
    engine = profile_at_revision(root, "0001")
    engine.dispose()

    Store.open(root, FixedClock(T0)).close()
    [made] = backup.list_backups(ProfilePaths(root))
    assert made.path.name == (
        f"asyncdesk-20261116T090000Z-before-schema-{migrate.HEAD_REVISION}.sqlite3"
    )
    with sqlite3.connect(made.path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    # Opening a current profile makes none.
    Store.open(root, FixedClock(T0 + timedelta(days=3))).close()
    assert len(backup.list_backups(ProfilePaths(root))) == 1


def test_the_daily_backup_runs_beside_the_open_store(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    with _profile_with_mail(tmp_path / "p", 5) as store:
        thread = store.back_up_in_background(clock)
        assert thread is not None
        store_messages(store, add_test_account(store, "other"), [email("x", at=T0)])
        thread.join(30)
        assert store.back_up_in_background(clock) is None  # one a day
    [made] = backup.list_backups(ProfilePaths(tmp_path / "p"))
    assert _count(made.path) in (5, 6)


def test_damage_names_the_newest_backup_and_restore_brings_it_back(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _profile_with_mail(root, 12).close()
    backup.make_backup(ProfilePaths(root), FixedClock(T0))
    database = ProfilePaths(root).database
    os.truncate(database, database.stat().st_size // 3)

    with pytest.raises(DamagedDatabase) as raised:
        Store.open(root)
    message = raised.value.message
    assert "is damaged (database disk image is malformed)" in message
    assert "The newest backup is from 2026-11-16 09:00 UTC" in message
    assert f"run `asyncdesk --profile {root} profile restore`" in message
    assert raised.value.backup is not None

    picked, aside = restore_backup(root, FixedClock(T0 + timedelta(days=1)))
    assert picked.path == raised.value.backup
    assert aside.name == "asyncdesk.sqlite3.damaged-20261117T090000Z"
    assert aside.stat().st_size == database.stat().st_size // 3 or aside.exists()
    with Store.open(root) as store, store.reading() as session:
        assert count_messages(session) == 12


def test_restoring_something_that_is_not_a_backup_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _profile_with_mail(root, 2).close()
    before = ProfilePaths(root).database.read_bytes()
    (tmp_path / "notes.txt").write_text("not a database " * 500)
    with pytest.raises(BadInput, match="is not a usable backup"):
        restore_backup(root, FixedClock(T0), str(tmp_path / "notes.txt"))
    with pytest.raises(BadInput, match="has no backups"):
        restore_backup(root, FixedClock(T0))
    assert ProfilePaths(root).database.read_bytes() == before
    assert sorted(os.listdir(root)) == ["asyncdesk.sqlite3", "logs"]


def _profile_with_unmerged_wal(root: Path) -> Path:
    """A profile whose last transactions are only in its -wal (as after a power cut)."""
    Store.open(root).close()
    database = ProfilePaths(root).database
    keep = {}
    db = sqlite3.connect(database)
    db.execute("PRAGMA wal_autocheckpoint = 0")
    for n in range(4):
        db.execute(f"CREATE TABLE t{n} (x)")
        db.executemany(f"INSERT INTO t{n} VALUES (?)", [("x" * 300,)] * 60)
        db.commit()
    for suffix in ("", "-wal"):
        keep[suffix] = Path(f"{database}{suffix}").read_bytes()
    db.close()  # checkpoints and removes the -wal: put the files back as they were
    for suffix, data in keep.items():
        Path(f"{database}{suffix}").write_bytes(data)
    Path(f"{database}-shm").unlink(missing_ok=True)
    return database


@pytest.mark.parametrize(
    ("where", "damaged"),
    # Damage inside the frames is not judged: telling it from what a kill leaves needs
    # the whole log read and its checksums chained, at every open (store.database).
    [("header", True), ("torn last frame", False)],
)
def test_a_damaged_wal_is_reported_not_silently_dropped(
    tmp_path: Path, where: str, damaged: bool
) -> None:
    database = _profile_with_unmerged_wal(tmp_path / "p")
    wal = Path(f"{database}-wal")
    with open(wal, "r+b") as file:
        if where == "header":
            file.seek(16)  # the salts
            file.write(b"\x01\x02\x03\x04")
        elif where == "first frame":
            file.seek(32 + 24 + 100)
            file.write(b"\x00\xff" * 40)
        else:  # a crash while the last transaction was written: not damage
            file.truncate(wal.stat().st_size - 1000)
    if damaged:
        with pytest.raises(DamagedDatabase, match="its write-ahead log is damaged"):
            Store.open(tmp_path / "p")
        assert wal.stat().st_size > 0  # nothing overwrote it
    else:
        with Store.open(tmp_path / "p") as store, store.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM t2").scalar() == 60
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
