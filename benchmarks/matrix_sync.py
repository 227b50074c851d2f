"""AsyncDesk's initial Matrix sync of a user's rooms on a real Synapse; prints a Markdown table.

    .venv/bin/python benchmarks/matrix_sync.py [--messages 5000] [--rooms 50] [--repeat 3]
                                               [--senders 4] [--seed 7] [--cprofile FILE]

Builds (not timed) a private Synapse in a temporary directory (``tests/servers/synapse.py``;
Synapse's own venv, as ``scripts/test`` makes it), registers the user and 16
correspondents, creates ``--rooms`` rooms the user is in: 30 % DMs (listed in the user's
``m.direct``), the rest groups of 3-9 members, some with threads, some where people
mention the user (``m.mentions``); then fills them with ``--messages`` text messages in
all, room sizes skewed (a few long rooms, many short ones), about 15 % of them written by
the user (from "another client"). Sending costs Synapse ~15 ms of CPU a message, so the
rooms are filled from ``--senders`` threads at once, each room by one thread in order.

The server state is built once; the user logs in once (``asyncdesk.sources.matrix.login``,
not timed). Then ``--repeat`` rounds, each a fresh first sync: a new profile
(``Store.open`` on a new directory, the account added with ``add_account``) and a new
``MatrixSource``, synced with ``asyncdesk.services.sync.sync_source`` until it is done
(the ``/sync`` and every room paged back with ``/messages``). Messages/s = messages stored /
seconds of ``sync_source``. Every round must store exactly the events sent (the same
event ids, threads, DMs, mentions and the user's own messages); anything else fails the
run. Also measured per round: the batches, ``/sync`` and ``/messages`` requests and the
seconds spent waiting for them, the CPU seconds of Synapse and of this process, and a
plain HTTP client making the same requests in the same order (what Synapse alone needs).

``--cprofile FILE`` profiles one more first sync (untimed) in every thread of this
process (the committing one, the prefetching one and matrix-nio's event loop) into FILE
(pstats). Results also go to ``benchmarks/results/matrix_sync.json`` (not committed).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from servers.synapse import Synapse, find_synapse_python, synapse_venv  # noqa: E402

from asyncdesk.core.accounts import Account, AccountKind  # noqa: E402
from asyncdesk.core.clock import SystemClock  # noqa: E402
from asyncdesk.services.sync import sync_source  # noqa: E402
from asyncdesk.sources.matrix import (  # noqa: E402
    PAGE_SIZE,
    TIMELINE_LIMIT,
    Credentials,
    MatrixSource,
    login,
)
from asyncdesk.store.accounts import add_account  # noqa: E402
from asyncdesk.store.database import Store  # noqa: E402

T = TypeVar("T")

PASSWORD = "bench horse battery staple"
_PEOPLE = "ann bob chloe dmitri eva farid grace hiro ines jonas kemal lena mateo noor oskar priya"
PEOPLE = _PEOPLE.split()
DM_SHARE = 0.3
MY_SHARE = 0.15  # messages the user wrote from another client
THREAD_SHARE = 0.3  # of the messages of a room with threads, replies in a thread
MENTION_SHARE = 0.12  # of the others' messages of a room with mentions

_CHAT = (
    "the build is green again can you look at deploy tomorrow morning release notes are "
    "ready I pushed a fix for flaky test on staging customer asked about invoice numbers "
    "meeting moved to three please review my PR when you have a minute thanks lunch "
    "anyone dashboard shows latency spike after migration rollback done new design for "
    "the settings page what do you think about option B budget approved ship it Friday "
    "holiday schedule contract draft attached sorry late logs say timeout database"
)
WORDS = _CHAT.split()


# ------------------------------------------------------------------------- the world


@dataclass
class Person:
    name: str
    user_id: str
    token: str


@dataclass
class RoomPlan:
    name: str
    owner: Person
    members: list[Person]  # the user first
    direct: bool
    threads: bool
    mentions: bool
    size: int
    room_id: str = ""


@dataclass
class Sent:
    """What the build sent, to check each sync against."""

    event_ids: set[str] = field(default_factory=set)
    in_thread: int = 0
    direct: int = 0
    mentions: int = 0
    mine: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, event_id: str, *, thread: bool, direct: bool, mention: bool, mine: bool) -> None:
        with self.lock:
            self.event_ids.add(event_id)
            self.in_thread += thread
            self.direct += direct
            self.mentions += mention
            self.mine += mine

    def summary(self) -> dict[str, int]:
        return {
            "messages": len(self.event_ids),
            "in_thread": self.in_thread,
            "direct": self.direct,
            "mentions": self.mentions,
            "mine": self.mine,
        }


@dataclass
class World:
    server: Synapse
    me: Person
    rooms: list[RoomPlan]
    sent: Sent
    seconds: dict[str, float]


def _sizes(rng: random.Random, total: int, rooms: int) -> list[int]:
    """``total`` messages over ``rooms`` rooms, at least one each, skewed: a few long
    rooms (several ``/messages`` pages), many short ones (all in the first ``/sync``)."""
    if total < rooms:
        raise SystemExit(f"--messages ({total}) must be at least --rooms ({rooms})")
    weights = [min(rng.paretovariate(1.3), 25.0) for _ in range(rooms)]
    spare = total - rooms
    shares = [spare * w / sum(weights) for w in weights]
    sizes = [1 + int(share) for share in shares]
    by_remainder = sorted(range(rooms), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_remainder[: total - sum(sizes)]:
        sizes[index] += 1
    return sizes


def _text(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.choice((3, 5, 8, 12, 20, 40)))
    return " ".join(words).capitalize() + rng.choice((".", "?", "!", ""))


def build(work: Path, args: argparse.Namespace) -> World:
    rng = random.Random(args.seed)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    server = Synapse(work / "synapse")
    server.start()
    seconds["start"] = time.perf_counter() - started

    began = time.perf_counter()
    with ThreadPoolExecutor(args.senders) as pool:
        names = ["me", *PEOPLE]
        made = list(pool.map(lambda name: server.register(name, PASSWORD), names))
    me, *people = [Person(name, *pair) for name, pair in zip(names, made, strict=True)]
    seconds["register"] = time.perf_counter() - began

    sizes = _sizes(rng, args.messages, args.rooms)
    plans = []
    dms = round(args.rooms * DM_SHARE)
    for index, size in enumerate(sizes):
        if index < dms:
            other = people[index % len(people)]
            plans.append(RoomPlan(f"DM {other.name}", other, [me, other], True, False, False, size))
        else:
            group = rng.sample(people, rng.randint(2, 8))
            plans.append(
                RoomPlan(
                    f"{rng.choice(WORDS).capitalize()} {index}",
                    group[0],
                    [me, *group],
                    direct=False,
                    threads=rng.random() < 0.4,
                    mentions=rng.random() < 0.5,
                    size=size,
                )
            )
    rng.shuffle(plans)  # DMs and groups of every size, in no order

    def create(plan: RoomPlan) -> None:
        invite = [p.user_id for p in plan.members if p is not plan.owner]
        if plan.direct:
            plan.room_id = server.create_room(plan.owner.token, invite=invite, is_direct=True)
        else:
            plan.room_id = server.create_room(plan.owner.token, invite=invite, name=plan.name)
        for person in plan.members:
            if person is not plan.owner:
                server.join(person.token, plan.room_id)

    began = time.perf_counter()
    with ThreadPoolExecutor(args.senders) as pool:
        list(pool.map(create, plans))
    # The user's m.direct, as a client keeps it: the DM rooms by the other person.
    direct: dict[str, list[str]] = {}
    for plan in plans:
        if plan.direct:
            direct.setdefault(plan.owner.user_id, []).append(plan.room_id)
    path = f"/_matrix/client/v3/user/{quote(me.user_id, safe='')}/account_data/m.direct"
    server.request("PUT", path, me.token, direct)
    seconds["rooms"] = time.perf_counter() - began

    sent = Sent()
    scripts = []  # drawn here, in one order, so that --seed decides them whatever the threads
    for plan in plans:
        lines = []
        for _ in range(plan.size):
            mine = rng.random() < MY_SHARE
            sender = me if mine else rng.choice(plan.members[1:])
            thread = plan.threads and rng.random() < THREAD_SHARE
            mention = plan.mentions and not mine and rng.random() < MENTION_SHARE
            lines.append((sender, _text(rng), thread, mention, rng.random()))
        scripts.append((plan, lines))

    def fill(plan: RoomPlan, lines: list[tuple[Person, str, bool, bool, float]]) -> None:
        roots: list[str] = []  # the room's top-level messages, newest last
        for sender, text, thread, mention, pick in lines:
            root = roots[-1 - int(pick * min(len(roots), 5))] if thread and roots else None
            mentions = [me.user_id] if mention else []  # m.mentions always, as Element does
            if mention:
                text = f"{me.name}: {text}"
            event_id = server.send_text(
                sender.token, plan.room_id, text, thread_root=root, mentions=mentions
            )
            if root is None:
                roots.append(event_id)
            sent.add(
                event_id,
                thread=root is not None,
                direct=plan.direct,
                mention=mention,
                mine=sender is me,
            )

    began = time.perf_counter()
    done = 0
    with ThreadPoolExecutor(args.senders) as pool:
        # The longest rooms first, so that no thread is left with a long one at the end.
        futures = [
            pool.submit(fill, plan, lines)
            for plan, lines in sorted(scripts, key=lambda pair: -pair[0].size)
        ]
        for future in futures:
            future.result()
            done += 1
            if done % 10 == 0:
                _report(f"  {done} rooms filled, {len(sent.event_ids):,} messages")
    seconds["fill"] = time.perf_counter() - began
    seconds["total"] = time.perf_counter() - started
    return World(server, me, plans, sent, seconds)


# ------------------------------------------------------------------------- the sync


class CountingSource(MatrixSource):
    """The source as the app makes it, counting and timing its requests to the homeserver
    (``what`` is ``"sync"`` or ``"messages"``): the time from asking to having nio's
    parsed answer, on the thread that fetches."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requests: dict[str, int] = {}
        self.waited: dict[str, float] = {}

    def _run(self, coroutine: Coroutine[Any, Any, T], what: str) -> T:
        started = time.perf_counter()
        try:
            answer = super()._run(coroutine, what)
        finally:
            self.requests[what] = self.requests.get(what, 0) + 1
            self.waited[what] = self.waited.get(what, 0.0) + time.perf_counter() - started
        if what == "messages" and not getattr(answer, "chunk", True):
            self.requests["empty"] = self.requests.get("empty", 0) + 1
            self.waited["empty"] = self.waited.get("empty", 0.0) + time.perf_counter() - started
        return answer


def _cpu_of(pid: int | None) -> float:
    """CPU seconds (user + system) of process ``pid`` so far, from /proc (Linux)."""
    if pid is None:
        return float("nan")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stored(store: Store, account_id: int) -> dict[str, Any]:
    with store.reading() as session:
        db = session.connection()
        row = db.exec_driver_sql(
            "SELECT count(*), count(thread), sum(is_direct), sum(mentions_me),"
            " sum(direction = 'outbound') FROM messages WHERE account_id = ?",
            (account_id,),
        ).one()
        ids = {
            r[0]
            for r in db.exec_driver_sql(
                "SELECT remote_id FROM messages WHERE account_id = ?", (account_id,)
            )
        }
    keys = ("messages", "in_thread", "direct", "mentions", "mine")
    return {"counts": dict(zip(keys, (int(v or 0) for v in row), strict=True)), "ids": ids}


def bare_sync(world: World, credentials: Credentials) -> dict[str, Any]:
    """The same requests as the source makes, from a plain HTTP client (the fixture's
    urllib, ``json.loads`` and nothing else): what Synapse alone takes to serve them."""
    server, token = world.server, credentials.access_token
    sync_filter = {
        "room": {
            "timeline": {"limit": TIMELINE_LIMIT},
            "state": {"lazy_load_members": False},
            "ephemeral": {"types": []},
        },
        "presence": {"types": []},
    }
    query = {"timeout": "0", "full_state": "true", "filter": json.dumps(sync_filter)}
    synapse_cpu = _cpu_of(server.pid)
    started = time.perf_counter()
    answer = server.request("GET", "/_matrix/client/v3/sync", token, query=query)
    sync_seconds = time.perf_counter() - started
    events, pages = 0, 0
    for room_id, room in sorted(answer["rooms"]["join"].items()):
        timeline = room.get("timeline", {})
        events += sum(e.get("type") == "m.room.message" for e in timeline.get("events", []))
        token_from = timeline.get("prev_batch") if timeline.get("limited") else None
        while token_from:
            page = server.request(
                "GET",
                f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/messages",
                token,
                query={"from": token_from, "dir": "b", "limit": str(PAGE_SIZE)},
            )
            pages += 1
            chunk = page.get("chunk", [])
            events += sum(e.get("type") == "m.room.message" for e in chunk)
            token_from = page.get("end") if chunk else None
    seconds = time.perf_counter() - started
    if events != len(world.sent.event_ids):
        raise SystemExit(f"the plain client saw {events} messages of {len(world.sent.event_ids)}")
    return {
        "seconds": seconds,
        "sync_seconds": sync_seconds,
        "pages": pages,
        "synapse_cpu": _cpu_of(server.pid) - synapse_cpu,
    }


def first_sync(
    world: World, credentials: Credentials, profile: Path, *, cprofile: Path | None = None
) -> dict[str, Any]:
    """A fresh profile and source, then one ``sync_source`` until done (timed); checked
    against what was sent. With ``cprofile``, every thread of the sync is profiled."""
    store = Store.open(profile)
    try:
        with store.writing() as session:
            account = add_account(
                session,
                Account("chat", AccountKind.MATRIX, (credentials.user_id,)),
                datetime.now(UTC),
            )
        assert account.id is not None
        source = CountingSource(account, credentials, homeserver=world.server.base_url)
        profilers: list[cProfile.Profile] = []
        if cprofile is not None:

            def start_profiling(*_: object) -> None:
                # The first event of a new thread: a cProfile of its own replaces this.
                profiler = cProfile.Profile()
                profilers.append(profiler)
                profiler.enable()

            threading.setprofile(start_profiling)  # the fetching thread and nio's loop
            start_profiling()
        try:
            synapse_cpu, own_cpu = _cpu_of(world.server.pid), time.process_time()
            started = time.perf_counter()
            result = sync_source(store, source, SystemClock())
            seconds = time.perf_counter() - started
            synapse_cpu = _cpu_of(world.server.pid) - synapse_cpu
            own_cpu = time.process_time() - own_cpu
        finally:
            if cprofile is not None:
                threading.setprofile(None)
                profilers[0].disable()
            source.close()
        if cprofile is not None:
            stats = pstats.Stats(profilers[0])
            for profiler in profilers[1:]:
                stats.add(profiler)
            stats.dump_stats(cprofile)
        stored = _stored(store, account.id)
    finally:
        store.close()
    expected = world.sent.summary()
    if result.stopped or stored["counts"] != expected or stored["ids"] != world.sent.event_ids:
        missing = world.sent.event_ids - stored["ids"]
        extra = stored["ids"] - world.sent.event_ids
        raise SystemExit(
            f"the first sync did not store what was sent: stored {stored['counts']}, "
            f"sent {expected}; {len(missing)} sent but missing (e.g. {sorted(missing)[:3]}), "
            f"{len(extra)} stored but never sent (e.g. {sorted(extra)[:3]}); "
            f"sync_source said {result.new_messages} new, stopped={result.stopped}"
        )
    if result.new_messages != len(world.sent.event_ids):
        raise SystemExit(f"sync_source counted {result.new_messages} new messages")
    return {
        "seconds": seconds,
        "messages": stored["counts"]["messages"],
        "batches": result.batches,
        "syncs": source.requests.get("sync", 0),
        "pages": source.requests.get("messages", 0),
        "empty_pages": source.requests.get("empty", 0),
        "empty_wait": source.waited.get("empty", 0.0),
        "sync_wait": source.waited.get("sync", 0.0),
        "messages_wait": source.waited.get("messages", 0.0),
        "synapse_cpu": synapse_cpu,
        "own_cpu": own_cpu,
        "database_mb": (profile / "asyncdesk.sqlite3").stat().st_size / 1e6,
    }


# ------------------------------------------------------------------------- output


def _report(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _revision() -> str:
    def git(*args: str) -> str:
        run = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return run.stdout.strip()

    dirty = git("status", "--porcelain", "--", "asyncdesk")
    return git("rev-parse", "--short", "HEAD") + (" + uncommitted asyncdesk/" if dirty else "")


def _synapse_version() -> str:
    python = find_synapse_python()
    if python is None:
        return "?"
    code = "import synapse; print(synapse.__version__)"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.strip()


def print_table(results: dict[str, Any]) -> None:
    build, runs, sent = results["build"], results["runs"], results["sent"]
    print(
        f"built in {build['total']:.1f} s (Synapse start {build['start']:.1f} s, "
        f"{len(PEOPLE) + 1} users {build['register']:.1f} s, {results['rooms']} rooms "
        f"{build['rooms']:.1f} s, {sent['messages']:,} messages {build['fill']:.1f} s = "
        f"{sent['messages'] / build['fill']:.0f}/s from {results['senders']} threads); "
        f"{results['direct_rooms']} DMs, {sent['in_thread']:,} thread replies, "
        f"{sent['mentions']:,} mentions, {sent['mine']:,} from the user\n"
    )
    print(
        "| round | seconds | messages/s | batches | requests: `/sync` + `/messages` (empty) "
        "| waiting for them | Synapse CPU | AsyncDesk CPU | plain client, same requests |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for index, run in enumerate(runs, 1):
        print(
            f"| {index} | {run['seconds']:.2f} | {run['messages'] / run['seconds']:,.0f} "
            f"| {run['batches']} | {run['syncs']} + {run['pages']} ({run['empty_pages']}) "
            f"| {run['sync_wait']:.2f} + {run['messages_wait']:.2f} s "
            f"| {run['synapse_cpu']:.2f} s | {run['own_cpu']:.2f} s "
            f"| {run['bare_seconds']:.2f} s (Synapse CPU {run['bare_synapse_cpu']:.2f} s) |"
        )
    median = results["median_seconds"]
    bare = statistics.median(run["bare_seconds"] for run in runs)
    print(
        f"| **median of {len(runs)}** | **{median:.2f}** | "
        f"**{sent['messages'] / median:,.0f}** | | | | | | {bare:.2f} s "
        f"({sent['messages'] / bare:,.0f} messages/s) |"
    )
    print(f"\n(the benchmark took {results['seconds_total'] / 60:.1f} min)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--senders", type=int, default=4, help="threads filling the rooms")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cprofile", metavar="FILE", help="also profile one more first sync into FILE (pstats)"
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the results as JSON to FILE (benchmarks/all.py reads it)",
    )
    args = parser.parse_args()
    if find_synapse_python() is None:
        raise SystemExit(f"needs Synapse in {synapse_venv()} (scripts/test installs it)")

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="asyncdesk-matrix-bench-"))
    try:
        world = build(work, args)
        try:
            sent = world.sent.summary()
            _report(f"built in {world.seconds['total']:.1f} s: {sent}")
            credentials = login(world.server.base_url, world.me.user_id, PASSWORD)
            runs = []
            for index in range(args.repeat):
                run = first_sync(world, credentials, work / f"profile-{index}")
                shutil.rmtree(work / f"profile-{index}")
                bare = bare_sync(world, credentials)
                run.update({f"bare_{key}": value for key, value in bare.items()})
                runs.append(run)
                _report(
                    f"round {index + 1}: {run['seconds']:.2f} s, "
                    f"{run['messages'] / run['seconds']:,.0f} messages/s, "
                    f"{run['batches']} batches, {run['pages']} pages; "
                    f"plain client {bare['seconds']:.2f} s, {bare['pages']} pages"
                )
            if args.cprofile:
                first_sync(
                    world, credentials, work / "profiled", cprofile=Path(args.cprofile).resolve()
                )
        finally:
            world.server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    median = statistics.median(run["seconds"] for run in runs)
    results = {
        "date": datetime.now(UTC).date().isoformat(),
        "rooms": args.rooms,
        "direct_rooms": sum(plan.direct for plan in world.rooms),
        "room_sizes": sorted((plan.size for plan in world.rooms), reverse=True),
        "senders": args.senders,
        "sent": sent,
        "build": {k: round(v, 2) for k, v in world.seconds.items()},
        "runs": [{k: round(v, 3) for k, v in run.items()} for run in runs],
        "median_seconds": round(median, 3),
        "messages_per_second": round(sent["messages"] / median),
        # A plain client making the same requests: what this Synapse serves one client.
        "bare_median_seconds": round(statistics.median(run["bare_seconds"] for run in runs), 3),
        "seconds_total": round(time.perf_counter() - started),
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "synapse": _synapse_version(),
        "asyncdesk": _revision(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    (RESULTS / "matrix_sync.json").write_text(text, "utf-8")
    if args.json is not None:
        args.json.write_text(text, "utf-8")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
