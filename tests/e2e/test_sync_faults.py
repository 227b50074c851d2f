"""Faults a user's machine meets, played for real against real servers.

What a user would notice is asserted, never an internal step: after ``kill -9`` at any
moment, a server that dies mid-fetch, or a connection reset in the middle of a sync,

- the next normal run finishes, and the profile holds exactly what the server holds:
  no message lost, none twice (compared with the server's own listing);
- a reply is delivered at most once, and is never silently lost: it is in the outbox,
  sent and filed in Sent once, or visibly "unsure";
- the command says what went wrong in one line, with no traceback, and the running
  ``asyncdesk sync`` comes back by itself once the network works again;
- SQLite's ``PRAGMA integrity_check`` says ``ok``.

Servers: Dovecot (IMAP), aiosmtpd (SMTP), Synapse (Matrix); a ``FaultyProxy``
(tests/servers/proxy.py) sits between the app and a server to reset connections.
AsyncDesk runs as the installed command in a subprocess (tests/live_process.py), so a
signal hits a real process.

Random moments are seeded: the seed is printed (and named in every assertion message),
and ``ASYNCDESK_TEST_SEED=N`` replays a run. Kill moments are drawn inside the part of a
run where work happens (after start-up, within the time the remaining work takes at the
measured rate), so 20 kills cost about 20 short runs rather than 20 whole syncs.
"""

from __future__ import annotations

import io
import os
import random
import secrets
import signal
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from imapclient import IMAPClient
from live_process import AsyncdeskProcess, SyncProcess, mail, put_many, wait_until
from servers.dovecot import Dovecot, find_dovecot
from servers.proxy import FaultyProxy
from servers.smtp import SmtpServer
from servers.synapse import Synapse, find_synapse_python, synapse_venv
from servers.tls import SelfSignedCert, make_self_signed_cert

from asyncdesk.cli import main
from asyncdesk.store.profile import ProfilePaths

SEED_ENV = "ASYNCDESK_TEST_SEED"
MATRIX_PASSWORD = "correct horse battery staple"


# ------------------------------------------------------------------------------ helpers


def seeded(what: str) -> tuple[random.Random, str]:
    """A random generator for the test's moments, and the words that replay it."""
    seed = int(os.environ.get(SEED_ENV) or secrets.randbits(32))
    replay = f"seed {seed} (replay: {SEED_ENV}={seed} pytest ... -k {what})"
    print(replay)
    return random.Random(seed), replay


def cli(monkeypatch: pytest.MonkeyPatch, root: Path, *args: str, stdin: str = "") -> int:
    """The command line in this process (fast), for set-up steps only."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        return main([*args, "--profile", str(root)])
    except SystemExit as exit_:
        return int(exit_.code or 0)


def add_imap(
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    port: int,
    user: str,
    password: str,
    *smtp: str,
) -> Path:
    code = cli(
        monkeypatch,
        root,
        *("account", "add", "imap", "work", "--host", "127.0.0.1", "--port", str(port)),
        *("--security", "plain", "--user", user, "--password-stdin", *smtp),
        stdin=password + "\n",
    )
    assert code == 0
    return root


def add_matrix(monkeypatch: pytest.MonkeyPatch, root: Path, homeserver: str, user: str) -> Path:
    code = cli(
        monkeypatch,
        root,
        *("account", "add", "matrix", "chat", "--homeserver", homeserver, "--user", user),
        "--password-stdin",
        stdin=MATRIX_PASSWORD + "\n",
    )
    assert code == 0
    return root


def query(root: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(ProfilePaths(root).database) as db:
        return list(db.execute(sql))


def row_count(root: Path) -> int:
    return int(query(root, "SELECT count(*) FROM messages")[0][0])  # type: ignore[call-overload]


def integrity(root: Path) -> str:
    return str(query(root, "PRAGMA integrity_check")[0][0])


def stored_mail(root: Path, direction: str = "inbound") -> Counter[str]:
    """Message-ID -> how many visible rows of the profile carry it."""
    rows = query(
        root,
        f"SELECT message_id FROM messages WHERE removed_at IS NULL AND direction = '{direction}'",
    )
    return Counter(str(message_id).strip("<>").lower() for (message_id,) in rows)


def server_mail(dovecot: Dovecot, user: str, password: str, folder: str = "INBOX") -> Counter[str]:
    """Message-ID -> how many messages of *folder* carry it, as the server lists them."""
    client = IMAPClient(dovecot.host, port=dovecot.plain_port, ssl=False)
    found: Counter[str] = Counter()
    try:
        client.login(user, password)
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        item = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"
        for offset in range(0, len(uids), 2000):
            chunk = uids[offset : offset + 2000]
            for data in client.fetch(chunk, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]).values():
                header = data[item].decode("ascii", "replace")
                value = header.partition(":")[2].strip().strip("<>").lower()
                found[value] += 1
    finally:
        client.logout()
    return found


def timed_sync(root: Path) -> float:
    started = time.monotonic()
    process = SyncProcess(root, "--once")
    assert process.wait(120) == 0, process.stderr
    return time.monotonic() - started


def session_processes(dovecot: Dovecot, name: bytes = b"imap") -> list[int]:
    """Dovecot's processes named *name* (``imap`` serves one logged-in client)."""
    found = []
    for pid in dovecot.pids():
        try:
            argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:
            continue
        if argv0.split(b" ", 1)[0].rsplit(b"/", 1)[-1] == name:
            found.append(pid)
    return found


def failure_lines(stderr: str) -> list[str]:
    lines = stderr.strip().splitlines()
    assert "Traceback" not in stderr
    return lines


# ----------------------------------------------------------------------------- fixtures


def _memory_dir() -> str | None:
    """``/dev/shm`` when it is a usable tmpfs with room to spare, else None."""
    try:
        room = os.statvfs("/dev/shm")
    except OSError:
        return None
    if room.f_bavail * room.f_frsize < 512 * 2**20 or not os.access("/dev/shm", os.W_OK):
        return None
    return "/dev/shm"


@pytest.fixture
def dovecot(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dovecot]:
    """A private Dovecot per test (ready in ~0.05 s; see tests/integration/conftest.py),
    its mail in memory when it can be: on this ext4 disk, writing the thousands of
    messages a first-sync test needs took 2 s (0.3 ms a file), and removing them as
    long; in /dev/shm, a tenth of that."""
    if find_dovecot() is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; scripts/test does)")
    with monkeypatch.context() as patched:
        memory = _memory_dir()
        if memory is not None:
            patched.setattr(tempfile, "tempdir", memory)
        server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """One Synapse for this module (~2 s to start); each test registers its own users."""
    if find_synapse_python() is None:
        reason = f"Synapse is not installed in {synapse_venv()} (scripts/test installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def smtp_cert(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    return make_self_signed_cert(tmp_path_factory.mktemp("smtp-cert"), "smtp")


# ---------------------------------------------------------------------- IMAP: kill -9


def test_imap_sync_killed_at_20_random_moments_loses_and_doubles_nothing(
    dovecot: Dovecot, mail_user: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kill -9`` of ``asyncdesk sync --once`` at 20 random moments: 8 during a first
    sync of 4,000 messages, 5 while a new UIDVALIDITY makes it fetch everything again,
    7 during resyncs that each bring 200 new messages. The next normal run holds every
    message of the server once, the rows a user knew keep their identity across the
    UIDVALIDITY change (their ids, so everything attached to them), and the database
    is intact."""
    rng, replay = seeded("imap_sync_killed")
    user, password = mail_user
    put_many(dovecot, user, [mail(n, "first") for n in range(4000)])

    # The run's shape, on a profile of its own: a whole first sync, and one with
    # nothing to do (start-up, connect, log in, look).
    measure = add_imap(monkeypatch, tmp_path / "measure", dovecot.plain_port, user, password)
    first = timed_sync(measure)
    idle = timed_sync(measure)
    rate = 4001 / max(first - idle, 0.1)
    context = f"{replay}; first sync {first:.2f} s, no-op {idle:.2f} s"
    print(context)

    root = add_imap(monkeypatch, tmp_path / "profile", dovecot.plain_port, user, password)
    expected = 4001
    kills: list[tuple[float, int]] = []
    known: dict[str, int] = {}
    for round_ in range(20):
        if round_ == 8:
            # What the user knew before the server renumbered everything.
            known = {
                str(message_id): int(pk)
                for pk, message_id in query(root, "SELECT id, message_id FROM messages")
            }
            dovecot.reset_uidvalidity(user)
        if round_ >= 13:
            put_many(dovecot, user, [mail(n, f"r{round_}-") for n in range(200)])
            expected += 201
        if 8 <= round_ < 13:
            work = first - idle  # everything is fetched again; progress is not countable
        else:
            work = (expected - sum(stored_mail(root).values())) / rate
        delay = rng.uniform(0.6 * idle, idle + work)
        process = SyncProcess(root, "--once")
        time.sleep(delay)
        process.kill()
        assert "Traceback" not in process.stderr, context
        kills.append((round(delay, 2), sum(stored_mail(root).values())))
    context += f"; (kill after s, rows then) {kills}"

    final = SyncProcess(root, "--once")
    assert final.wait(120) == 0, f"{final.stderr} {context}"
    on_server = server_mail(dovecot, user, password)
    assert sum(on_server.values()) == expected, context
    stored = stored_mail(root)
    assert stored == on_server, context  # nothing lost, nothing twice
    assert integrity(root) == "ok", context
    after = dict(query(root, "SELECT message_id, id FROM messages"))
    assert {mid: after.get(mid) for mid in known} == known, context


# ------------------------------------------------------------------------ IMAP: server


def test_imap_server_dying_mid_fetch_is_one_line_and_the_next_sync_completes(
    dovecot: Dovecot, mail_user: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big first sync loses its server twice: first Dovecot's ``imap`` process serving
    it is killed (the server stays up), then the whole server. Each time the command
    ends with one clear line and exit code 2 (the contract's "failed, nothing more to
    do"), keeping the batches it had; the sync after the restart completes the mailbox
    with no duplicate."""
    user, password = mail_user
    put_many(dovecot, user, [mail(n) for n in range(6000)])  # three batches
    root = add_imap(monkeypatch, tmp_path / "profile", dovecot.plain_port, user, password)

    def stored() -> int:
        return row_count(root)

    process = SyncProcess(root, "--once")
    wait_until(lambda: stored() > 0, timeout=30, step=0.005)
    for pid in session_processes(dovecot):
        os.kill(pid, signal.SIGKILL)
    assert process.wait(30) == 2
    (line,) = failure_lines(process.stderr)
    assert line.startswith(
        f"asyncdesk: sync of work failed: cannot talk to 127.0.0.1:{dovecot.plain_port}: "
    )
    partial = stored()
    assert 0 < partial < 6001

    again = SyncProcess(root, "--once")
    wait_until(lambda: stored() > partial, timeout=30, step=0.005)
    dovecot.kill()
    assert again.wait(30) == 2
    (line,) = failure_lines(again.stderr)
    assert line.startswith("asyncdesk: sync of work failed: cannot talk to 127.0.0.1:")

    dovecot.start()
    final = SyncProcess(root, "--once")
    assert final.wait(60) == 0, final.stderr
    assert stored_mail(root) == server_mail(dovecot, user, password)
    assert sum(stored_mail(root).values()) == 6001
    assert integrity(root) == "ok"


# ------------------------------------------------------------------- IMAP: resets


def test_imap_connection_reset_mid_sync_and_in_idle_the_running_sync_recovers(
    dovecot: Dovecot, mail_user: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running ``asyncdesk sync`` talks to Dovecot through a proxy that resets its
    connection 200 KB into the first sync's header fetch, and later resets it while it
    waits in IDLE. Each time it says so in one line and retries by itself with backoff;
    once the connection works it completes, new mail still arrives by push, and the
    profile holds what the server holds, once."""
    user, password = mail_user
    put_many(dovecot, user, [mail(n) for n in range(3000)])
    with FaultyProxy(dovecot.plain_port) as proxy:
        root = add_imap(monkeypatch, tmp_path / "profile", proxy.port, user, password)
        proxy.cut_after(200_000)
        process = SyncProcess(root)
        try:
            wait_until(lambda: "retrying in" in process.stderr, timeout=30)
            proxy.heal()
            lines = failure_lines(process.stderr)
            prefix = f"asyncdesk: sync of work failed: cannot talk to 127.0.0.1:{proxy.port}: "
            assert lines
            assert all(line.startswith(prefix) for line in lines), lines
            assert "connection closed by the server" in lines[0], lines
            wait_until(lambda: sum(stored_mail(root).values()) == 3001, timeout=30)
            assert process.proc.poll() is None

            # In IDLE now (the first sync said how it went); reset under it.
            wait_until(lambda: "new messages" in process.stdout, timeout=10)
            failures = len(failure_lines(process.stderr))
            time.sleep(0.5)
            assert proxy.reset_all() >= 1
            wait_until(lambda: len(failure_lines(process.stderr)) > failures, timeout=15)
            dovecot.deliver(user, mail(1, "after-reset"))
            wait_until(lambda: "after-reset1@example.org" in stored_mail(root), timeout=20)
            assert process.proc.poll() is None  # it never gave up
            assert process.stop() == 0
        finally:
            if process.proc.poll() is None:
                process.kill()
    assert "Traceback" not in process.stderr
    assert stored_mail(root) == server_mail(dovecot, user, password)
    assert integrity(root) == "ok"


# ----------------------------------------------------------------------- Matrix


def _chat_people(synapse: Synapse) -> dict[str, tuple[str, str]]:
    tag = secrets.token_hex(4)
    return {name: synapse.register(f"{name}-{tag}", MATRIX_PASSWORD) for name in ("me", "bob")}


def stored_bodies(root: Path) -> Counter[str]:
    return Counter(str(body) for (body,) in query(root, "SELECT body_text FROM messages"))


def test_matrix_sync_killed_at_20_random_moments_loses_and_doubles_nothing(
    synapse: Synapse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kill -9`` of ``asyncdesk sync --once`` at 20 random moments of Matrix syncs: a
    first sync that pages back through two rooms of 60 messages (a batch a page), then
    syncs that each bring a few new messages. The next normal run holds every message
    sent, once."""
    rng, replay = seeded("matrix_sync_killed")
    people = _chat_people(synapse)
    (me, my_token), (_, bob_token) = people["me"], people["bob"]
    rooms = []
    for name in ("Alpha", "Beta", "Gamma"):
        room = synapse.create_room(bob_token, invite=[me], name=name)
        synapse.join(my_token, room)
        rooms.append(room)
    # Two rooms longer than the first /sync's 50 events (paged back), one short.
    sent = [(0, f"Alpha line {n}") for n in range(60)] + [(1, f"Beta line {n}") for n in range(60)]
    sent += [(2, f"Gamma line {n}") for n in range(5)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda one: synapse.send_text(bob_token, rooms[one[0]], one[1]), sent))
    texts = [text for _, text in sent]

    measure = add_matrix(monkeypatch, tmp_path / "measure", synapse.base_url, me)
    first = timed_sync(measure)
    idle = timed_sync(measure)
    context = f"{replay}; first sync {first:.2f} s, no-op {idle:.2f} s"
    print(context)

    root = add_matrix(monkeypatch, tmp_path / "profile", synapse.base_url, me)
    kills: list[tuple[float, int]] = []
    for round_ in range(20):
        if round_ >= 6:
            for n in range(rng.randint(1, 3)):
                text = f"round {round_} new {n}"
                synapse.send_text(bob_token, rng.choice(rooms), text)
                texts.append(text)
        # Most of a run is start-up; the work (and every commit) is at its end.
        end = first if sum(stored_bodies(root).values()) < 125 else idle
        delay = rng.uniform(0.7 * idle, end + 0.3)
        process = SyncProcess(root, "--once")
        time.sleep(delay)
        process.kill()
        assert "Traceback" not in process.stderr, context
        kills.append((round(delay, 2), sum(stored_bodies(root).values())))
    context += f"; (kill after s, rows then) {kills}"

    final = SyncProcess(root, "--once")
    assert final.wait(120) == 0, f"{final.stderr} {context}"
    assert stored_bodies(root) == Counter(texts), context
    assert integrity(root) == "ok", context


def test_matrix_connection_reset_mid_sync_and_in_the_long_poll_the_running_sync_recovers(
    synapse: Synapse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running ``asyncdesk sync`` reaches Synapse through a proxy that resets the
    first sync's connection 8 KB into its answer (one line, a retry by itself), and
    later resets the long-poll that waits for news. Every message sent arrives once,
    including one sent right after the second reset."""
    people = _chat_people(synapse)
    (me, my_token), (_, bob_token) = people["me"], people["bob"]
    room = synapse.create_room(bob_token, invite=[me], name="Resets")
    synapse.join(my_token, room)
    sent = [f"before {n}" for n in range(60)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda text: synapse.send_text(bob_token, room, text), sent))
    with FaultyProxy(synapse.port) as proxy:
        homeserver = f"http://127.0.0.1:{proxy.port}"
        root = add_matrix(monkeypatch, tmp_path / "profile", homeserver, me)
        proxy.cut_after(8_000)
        process = SyncProcess(root)
        try:
            wait_until(lambda: "retrying in" in process.stderr, timeout=30)
            proxy.heal()
            lines = failure_lines(process.stderr)
            assert lines
            assert all(line.startswith("asyncdesk: sync of chat failed: ") for line in lines), lines
            wait_until(lambda: stored_bodies(root) == Counter(sent), timeout=30)

            wait_until(lambda: "new messages" in process.stdout, timeout=10)
            time.sleep(0.5)  # in the long-poll now
            assert proxy.reset_all() >= 1
            synapse.send_text(bob_token, room, "after the reset")
            sent.append("after the reset")
            # matrix-nio retries a request once when its connection fails, so this
            # reset may pass without a word; what counts is that the message comes.
            wait_until(lambda: stored_bodies(root) == Counter(sent), timeout=20)
            assert process.proc.poll() is None
            for line in failure_lines(process.stderr):
                assert line.startswith("asyncdesk: sync of chat failed: "), line
            assert process.stop() == 0
        finally:
            if process.proc.poll() is None:
                process.kill()
    assert "Traceback" not in process.stderr
    assert integrity(root) == "ok"


# ------------------------------------------------------------------------ send


def test_reply_killed_at_20_random_moments_is_never_lost_or_sent_twice(
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    smtp_cert: SelfSignedCert,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``kill -9`` of ``asyncdesk reply`` at 20 random instants spread over its normal run
    (start-up, queueing, SMTP, APPEND to Sent and the commits between them), then a
    normal ``sync --once``, which flushes the outbox. Each reply reaches the SMTP server
    at most once; every reply the server got is in the outbox; every reply is filed in
    Sent once or visibly "unsure"; a reply whose command said "sent" was received once;
    and the next sync adds no row."""
    rng, replay = seeded("reply_killed")
    user, password = mail_user
    smtp = SmtpServer({user: password}, tls="starttls", cert=smtp_cert)
    smtp.start()
    try:
        root = add_imap(
            monkeypatch,
            tmp_path / "profile",
            dovecot.plain_port,
            user,
            password,
            *("--smtp-host", smtp.host, "--smtp-port", str(smtp.port)),
            *("--smtp-security", "starttls", "--smtp-trust-cert", smtp.cert_sha256),
            *("--address", "me@example.com"),
        )
        count = 20
        put_many(dovecot, user, [mail(n, "ask") for n in range(count + 1)])
        assert cli(monkeypatch, root, "sync", "--once") == 0
        ids = {
            str(subject): int(pk) for pk, subject in query(root, "SELECT id, subject FROM messages")
        }
        body = tmp_path / "body.txt"
        body.write_text("Thanks, will do.\n", encoding="utf-8")

        began = time.monotonic()
        normal = AsyncdeskProcess(
            root, "reply", str(ids["Question ask0"]), "--body-stdin", stdin=body
        )
        assert normal.wait(60) == 0, normal.stderr
        took = time.monotonic() - began
        delays = [took * (slot + rng.random()) / count for slot in range(count)]
        context = f"{replay}; normal run {took:.2f} s, delays {[round(d, 2) for d in delays]}"
        said_sent = []
        for n, delay in enumerate(delays, start=1):
            process = AsyncdeskProcess(
                root, "reply", str(ids[f"Question ask{n}"]), "--body-stdin", stdin=body
            )
            time.sleep(delay)
            process.kill()
            assert "Traceback" not in process.stderr, context
            if process.stdout.startswith("sent "):
                said_sent.append(ids[f"Question ask{n}"])

        def outbox() -> dict[str, tuple[str, int | None]]:
            rows = query(root, "SELECT message_id, state, reply_to_pk FROM outbox")
            return {str(mid).strip("<>"): (str(state), pk) for mid, state, pk in rows}  # type: ignore[misc]

        def received() -> Counter[str]:
            return Counter(str(m.message["Message-ID"]).strip("<>") for m in smtp.messages)

        # Before any flush: whatever the server got is in the outbox, marked as far as known.
        held = outbox()
        got = received()
        assert set(got) <= set(held), context
        for message_id, (state, _pk) in held.items():
            if state in ("sent", "filed"):
                assert got[message_id] == 1, context

        flush = SyncProcess(root, "--once")
        assert flush.wait(60) == 0, f"{flush.stderr} {context}"
        assert "outbox" not in flush.stderr, context
        held = outbox()
        got = received()
        assert all(n == 1 for n in got.values()), context  # never twice
        assert set(got) <= set(held), context
        for message_id, (state, _pk) in held.items():
            assert state in ("filed", "unsure"), context
            assert got[message_id] == 1 or state == "unsure", context
        answered = {pk for state, pk in held.values() if state == "filed"}
        assert set(said_sent) <= answered, context
        in_sent = server_mail(dovecot, user, password, "Sent")
        assert all(n == 1 for n in in_sent.values()), context
        filed = {mid.lower() for mid, (state, _) in held.items() if state == "filed"}
        assert filed <= set(in_sent), context

        # Every stored reply is one outbound row (next to the questions and put_many's
        # seed message), and the next sync adds none.
        rows = len(query(root, "SELECT id FROM messages"))
        assert timed_sync(root) > 0
        assert len(query(root, "SELECT id FROM messages")) == rows == count + 2 + len(held)
        assert integrity(root) == "ok", context
    finally:
        smtp.stop()
