"""The command-line contract of DESIGN.md: every command, flag, exit code and JSON key.

Exit codes: 0 ok, 2 bad input (one line on stderr, nothing written), 3 inbox closed.
Commands whose capability has not shipped yet exist with their ``--help`` and say so
in one line (exit 2). Input is checked before the profile is opened, so bad input
writes nothing. This module must not import Qt: the GUI is imported only when opened.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from asyncdesk import __version__, cli_answers, cli_checkin
from asyncdesk.cli_autoreply import cmd_autoreply
from asyncdesk.core.clock import (
    Clock,
    FixedClock,
    ShiftedClock,
    SystemClock,
    parse_instant,
    to_iso_z,
)
from asyncdesk.core.errors import EXIT_BAD_INPUT, AsyncDeskError, BadInput
from asyncdesk.core.mailto import is_mailto, parse_mailto
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths, resolve_profile_dir

if TYPE_CHECKING:
    from asyncdesk.services.sync import SyncProgress

Handler = Callable[[argparse.Namespace], int]

#: The longest break-glass reason taken (characters).
MAX_REASON = 500


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors, as the contract promises (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


# --- helpers -----------------------------------------------------------------------------


def _profile_root(args: argparse.Namespace) -> Path:
    explicit = getattr(args, "profile", None)
    if explicit is not None and not explicit.strip():
        # Not "the default profile": an empty value is a mistake (an unset variable in
        # a script), and the default is where the user's real mail lives.
        raise BadInput("--profile needs a folder, not an empty value")
    return resolve_profile_dir(explicit)


def _store(root: Path) -> Store:
    """Open (creating if needed) the profile at ``root``: a place where no profile can
    be made (inside a file, a read-only or a pseudo file system, a name too long) is
    bad input in one line, not a traceback."""
    try:
        return Store.open(root)
    except OSError as error:
        raise BadInput(f"cannot use profile {root}: {error.strerror or error}") from None


def _open_existing(args: argparse.Namespace) -> Store:
    """Open the profile for a command that only reads: a missing profile is bad input."""
    root = _profile_root(args)
    if not ProfilePaths(root).exists():
        raise BadInput(
            f"no AsyncDesk profile at {root} (try: asyncdesk demo --no-gui, "
            "or asyncdesk --profile DIR ...)"
        )
    return _store(root)


def _clock(args: argparse.Namespace) -> Clock:
    at = getattr(args, "at", None)
    if at is None:
        return SystemClock()
    try:
        return FixedClock(parse_instant(at))
    except ValueError as error:
        raise BadInput(f"--at: {error}") from None


# The same variable as the GUI's (asyncdesk.ui.app.AT_ENV, which the CLI may not import).
_AT_ENV = "ASYNCDESK_AT"


def _live_clock() -> Clock:
    """The real clock, or with ``ASYNCDESK_AT=ISO8601`` one that starts at that instant
    and runs at real speed (as the GUI does): for demos and for tests of a running
    ``sync`` that must meet a window's start a few seconds away."""
    at = os.environ.get(_AT_ENV, "").strip()
    if not at:
        return SystemClock()
    try:
        return ShiftedClock(parse_instant(at))
    except ValueError as error:
        raise BadInput(f"{_AT_ENV}: {error}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def _message_id(text: str) -> int:
    """A message id as ``inbox --json`` shows it: a positive whole number that fits the
    database's integers (a longer one would overflow SQLite, not just find nothing)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a message id: {text[:40]!r}") from None
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"not a message id: {text[:40]!r}")
    return value


def _write_json_list(rows: Iterable[Any], out: TextIO) -> None:
    """Stream a JSON list row by row, so a 100,000-message inbox never sits in memory."""
    out.write("[")
    first = True
    for row in rows:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(row, ensure_ascii=False))
        first = False
    out.write("\n]\n" if not first else "]\n")


@contextlib.contextmanager
def _profile_log(store: Store) -> Iterator[None]:
    """The profile's log file for the length of one command."""
    from asyncdesk.services.logs import remove_logging, setup_logging

    logger = logging.getLogger("asyncdesk")
    level = logger.level
    handler = setup_logging(store.paths, level=min(level or logging.INFO, logging.INFO))
    try:
        yield
    finally:
        remove_logging(handler)
        logger.setLevel(level)


# --- commands ----------------------------------------------------------------------------


def _check_display(root: Path) -> None:
    """Qt aborts the process when it finds no display; say so in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise AsyncDeskError(
        f"cannot open the window: no display (DISPLAY and WAYLAND_DISPLAY are unset); "
        f"the profile is at {root}, and every command works without a display"
    )


def _open_gui(root: Path, *, mailto: str | None = None, background: bool = False) -> int:
    if mailto is not None:
        parse_mailto(mailto)  # a link that cannot be read is one line, before any window
    _check_display(root)
    from asyncdesk.ui.app import run

    return run(root, mailto=mailto, background=background)


def _cmd_gui(args: argparse.Namespace) -> int:
    return _open_gui(
        _profile_root(args),
        mailto=getattr(args, "mailto", None),
        background=bool(getattr(args, "background", False)),
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from asyncdesk.services.demo import build_demo, check_demo_size, default_demo_profile_dir

    if args.messages is not None:
        check_demo_size(args.messages)
    explicit = getattr(args, "profile", None) or os.environ.get("ASYNCDESK_PROFILE")
    root = Path(explicit).expanduser() if explicit else default_demo_profile_dir()
    with _store(root) as store:
        result = build_demo(store, SystemClock(), messages=args.messages, seed=args.seed)
    verb = "created" if result.created else "kept"
    print(
        f"Demo profile {verb} at {root}: {result.total_messages:,} messages "
        f"({result.new_messages:,} new, seed {result.seed})."
    )
    if args.no_gui:
        return 0
    return _open_gui(root)


def _cmd_inbox(args: argparse.Namespace) -> int:
    from asyncdesk.services import inbox
    from asyncdesk.services.schedule import open_inbox

    if args.break_glass is not None and not args.break_glass.strip():
        raise BadInput("--break-glass needs a reason, e.g. --break-glass 'client outage'")
    if args.break_glass is not None and len(args.break_glass) > MAX_REASON:
        # It is kept, counted and printed in every weekly report: a reason, not a file.
        raise BadInput(f"--break-glass: a reason of at most {MAX_REASON} characters, please")
    clock = _clock(args)
    with _open_existing(args) as store:
        open_inbox(store, clock, args.break_glass)
        rows = inbox.iter_inbox(store)
        if args.json:
            _write_json_list(inbox.iter_inbox_json(store), sys.stdout)
            return 0
        any_rows = False
        for row in rows:
            any_rows = True
            due = f"  due {to_iso_z(row.due_at)}" if row.due_at and row.state else ""
            state = f" [{row.state.value}]" if row.state else ""
            print(
                f"{row.id:>7}  {to_iso_z(row.received_at)}  {row.account:<12} "
                f"{row.sender:<28.28} {row.subject:.60}{state}{due}"
            )
        if not any_rows:
            print("Inbox is empty.")
    return 0


def _cmd_account_list(args: argparse.Namespace) -> int:
    from asyncdesk.store.accounts import list_accounts

    with _open_existing(args) as store, store.reading() as session:
        accounts = list_accounts(session)
    if args.json:
        rows = [
            {"name": a.name, "kind": a.kind.value, "identities": list(a.identities)}
            for a in accounts
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not accounts:
        print("No accounts. Add one with: asyncdesk account add imap|matrix|slack NAME ...")
    for account in accounts:
        print(f"{account.name:<20} {account.kind.value:<7} {', '.join(account.identities)}")
    return 0


def _root_for_new_account(args: argparse.Namespace, name: str) -> Path:
    """The profile's folder, once no account there is called ``name``: said before a
    password or token is asked for, and without creating a profile that is not there."""
    from asyncdesk.services.accounts import check_new_account_name

    root = _profile_root(args)
    if ProfilePaths(root).exists():
        with _store(root) as store:
            check_new_account_name(store, name)
    return root


def _cmd_account_add_imap(args: argparse.Namespace) -> int:
    from asyncdesk.services.accounts import (
        add_imap_account,
        build_imap_account,
        verify_imap_login,
    )
    from asyncdesk.services.secrets import KeyringSecrets, read_secret_from_stdin
    from asyncdesk.sources.imap import ImapSettings

    # Everything is checked before the profile is written: spelling, name, login.
    account = build_imap_account(
        args.name,
        host=args.host,
        port=args.port,
        security=args.security,
        user=args.user,
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        smtp_security=args.smtp_security,
        trust_cert=args.trust_cert,
        smtp_trust_cert=args.smtp_trust_cert,
        addresses=args.address or (),
        display_name=args.display_name,
        folders=args.folder or (),
    )
    root = _root_for_new_account(args, account.name)
    password = read_secret_from_stdin(
        sys.stdin, prompt=sys.stdin.isatty() and not args.password_stdin
    )
    verify_imap_login(account, password)
    with _store(root) as store, _profile_log(store):
        added = add_imap_account(
            store, SystemClock(), KeyringSecrets, account, password, verify=False
        )
    print(f"Added account {added.name} ({ImapSettings.from_account(added).url}).")
    return 0


def _cmd_account_add_matrix(args: argparse.Namespace) -> int:
    from asyncdesk.services.chat_accounts import add_matrix_account, build_matrix_account
    from asyncdesk.services.secrets import KeyringSecrets, read_secret_from_stdin
    from asyncdesk.sources.matrix import login

    account = build_matrix_account(args.name, homeserver=args.homeserver, user=args.user)
    root = _root_for_new_account(args, account.name)
    password = read_secret_from_stdin(
        sys.stdin, prompt=sys.stdin.isatty() and not args.password_stdin
    )
    # Logged in before the profile is opened: a refused password creates nothing.
    credentials = login(str(account.config["homeserver"]), account.identities[0], password)
    with _store(root) as store, _profile_log(store):
        added = add_matrix_account(
            store, SystemClock(), KeyringSecrets, account, password, login=lambda *_: credentials
        )
    print(
        f"Added account {added.name} ({added.identities[0]} on "
        f"{added.config['homeserver']}); the password was used once and is not kept."
    )
    return 0


def _cmd_account_add_slack(args: argparse.Namespace) -> int:
    from asyncdesk.services.chat_accounts import (
        add_slack_account,
        build_slack_account,
        verify_slack_token,
    )
    from asyncdesk.services.secrets import KeyringSecrets, read_secret_from_stdin

    account = build_slack_account(args.name, api_url=args.api_url)
    root = _root_for_new_account(args, account.name)
    token = read_secret_from_stdin(
        sys.stdin, prompt=sys.stdin.isatty() and not args.token_stdin, what="token"
    )
    # Checked before the profile is opened: a refused token creates nothing.
    identity = verify_slack_token(account, token)
    with _store(root) as store, _profile_log(store):
        added = add_slack_account(
            store, SystemClock(), KeyringSecrets, account, token, identity=identity
        )
    print(f"Added account {added.name} (Slack workspace {added.config.get('team', '?')}).")
    return 0


def _cmd_account_remove(args: argparse.Namespace) -> int:
    from asyncdesk.services.accounts import (
        check_account_exists,
        profile_secrets,
        remove_account,
    )

    with _open_existing(args) as store:
        check_account_exists(store, args.name)  # before the profile gets an id for secrets
        with _profile_log(store):
            remove_account(store, profile_secrets(store), args.name)
    print(f"Removed account {args.name} and its messages.")
    return 0


_NO_ACCOUNTS = "No accounts to sync. Add one with: asyncdesk account add imap|matrix|slack NAME ..."


def _cmd_sync(args: argparse.Namespace) -> int:
    from asyncdesk.services.accounts import (
        failed,
        profile_secrets,
        sync_accounts,
        syncable_accounts,
    )

    progress = _SyncProgressPrinter(sys.stdout.isatty())
    clock = _live_clock()
    if not args.once:
        return _sync_forever(args, progress, clock)
    from asyncdesk.services.presence import apply_once
    from asyncdesk.services.reply import flush_if_waiting
    from asyncdesk.services.stats import export_due_report

    with _open_existing(args) as store, _profile_log(store):
        syncable_accounts(store, args.account)  # a wrong name is refused before anything
        store.back_up_in_background(clock)  # the daily backup, beside the sync
        secrets = profile_secrets(store)
        outcomes = sync_accounts(store, clock, secrets, args.account, progress.step)
        # Replies queued while offline go out with the sync that reaches their server.
        flushed = {
            outcome.account: flush_if_waiting(store, clock, secrets, outcome.account)
            for outcome in outcomes
            if outcome.ok
        }
        exported = export_due_report(store, clock)
        # Published availability: the Matrix and Slack status, if it must change.
        statuses = apply_once(store, clock, secrets, syncable_accounts(store, args.account))
    for path in exported:
        print(f"Wrote the weekly report {path}")
    for status in statuses:
        print(status.line(), file=sys.stderr if status.error else sys.stdout)
    for account, flush in flushed.items():
        if flush is not None and flush.sent:
            noun = "reply" if flush.sent == 1 else "replies"
            print(f"{account}: sent {flush.sent} queued {noun}")
        for error in flush.errors if flush is not None else ():
            print(f"asyncdesk: outbox of {account}: {error}", file=sys.stderr)
    if not outcomes:
        print(_NO_ACCOUNTS)
    for outcome in outcomes:
        if outcome.result is not None:
            progress.done(outcome.account, outcome.result.new_messages, outcome.seconds)
    failures = failed(outcomes)
    for outcome in failures:
        print(f"asyncdesk: sync of {outcome.account} failed: {outcome.error}", file=sys.stderr)
    return EXIT_BAD_INPUT if failures else 0


class _SyncProgressPrinter:
    """Counts and rate while a stream syncs (on a terminal, one line rewritten in place),
    and one line per finished sync that brought something."""

    def __init__(self, terminal: bool) -> None:
        self._terminal = terminal
        self._started: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def step(self, step: SyncProgress) -> None:
        if not self._terminal or not step.total:
            return
        key = (step.account, step.stream)
        now = time.monotonic()
        started = self._started.setdefault(key, now)
        rate = step.done / (now - started) if now > started else 0.0
        with self._lock:
            print(
                f"\r{step.account}: {step.stream} {step.done:,}/{step.total:,}"
                + (f" ({rate:,.0f}/s)" if rate else "")
                + "\x1b[K",
                end="" if step.done < step.total else "\n",
                flush=True,
            )
        if step.done >= step.total:
            self._started.pop(key, None)

    def done(self, account: str, new: int, seconds: float, *, quiet_if_none: bool = False) -> None:
        if quiet_if_none and not new:
            return
        rate = f", {new / seconds:,.0f}/s" if new and seconds > 0 else ""
        noun = "message" if new == 1 else "messages"
        with self._lock:
            print(f"{account}: {new:,} new {noun} in {seconds:.1f} s{rate}", flush=True)


def _sync_forever(args: argparse.Namespace, progress: _SyncProgressPrinter, clock: Clock) -> int:
    """``asyncdesk sync``: keep every email account in step until SIGINT or SIGTERM, and
    notify by the policy meanwhile (services.notifications), as the app does."""
    from asyncdesk.services.accounts import profile_secrets, syncable_accounts
    from asyncdesk.services.live_sync import LiveEvent, keep_syncing
    from asyncdesk.services.notifications import Notifier, Shown

    stop = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)

    first: dict[str, bool] = {}

    def report(event: LiveEvent) -> None:
        if event.kind == "progress" and event.progress is not None:
            progress.step(event.progress)
        elif event.kind == "synced":
            # The first catch-up always says how it went; later ones only when mail came.
            progress.done(
                event.account,
                event.new_messages,
                event.seconds,
                quiet_if_none=first.setdefault(event.account, False),
            )
            first[event.account] = True
        elif event.kind == "replies":
            noun = "reply" if event.new_messages == 1 else "replies"
            print(f"{event.account}: sent {event.new_messages} queued {noun}", flush=True)
        elif event.kind == "failed":
            retry = "" if event.retry_in is None else f"; retrying in {event.retry_in:.0f} s"
            print(
                f"asyncdesk: sync of {event.account} failed: {event.error}{retry}", file=sys.stderr
            )

    def notified(shown: Shown) -> None:
        """A line for each notification shown, for whoever reads a headless sync's output;
        one on stderr when the desktop cannot show them (then once per outage)."""
        if shown.problem is not None:
            print(
                f"asyncdesk: cannot show notifications ({shown.problem}); they are still counted",
                file=sys.stderr,
                flush=True,
            )
        if shown.delivered:
            print(f"notified: {shown.decision.title} · {shown.decision.body}", flush=True)

    with _open_existing(args) as store, _profile_log(store):
        accounts = syncable_accounts(store, args.account)  # a wrong name: refused first
        store.back_up_in_background(clock)  # the daily backup, beside the sync
        if not accounts:
            print(_NO_ACCOUNTS)
            return 0
        names = ", ".join(account.name for account in accounts)
        print(f"Syncing {names}; new mail arrives as it comes (Ctrl+C stops).", flush=True)
        notifier = Notifier(store, clock, report=notified)

        def report_and_notify(event: LiveEvent) -> None:
            report(event)
            notifier.sync_report(event)

        notifier.start()
        try:
            keep_syncing(
                store,
                clock,
                profile_secrets(store),
                accounts,
                stop,
                report=report_and_notify,
                statuses=lambda status: print(
                    status.line(), file=sys.stderr if status.error else sys.stdout, flush=True
                ),
            )
        finally:
            notifier.stop()
    print("Sync stopped.", flush=True)
    return 0


def _block_times(args: argparse.Namespace) -> tuple[int, int]:
    from asyncdesk.core.schedule import check_range, parse_clock

    start, end = parse_clock(args.start), parse_clock(args.end, end=True)
    check_range(start, end)
    return start, end


def _cmd_schedule_block(args: argparse.Namespace) -> int:
    from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_days
    from asyncdesk.services.schedule import change_schedule

    kind = BlockKind.WINDOW if args.block == "window" else BlockKind.DEEP_WORK
    days = parse_days(args.days)
    start, end = _block_times(args)
    block = WeeklyBlock(kind, days, start, end)
    with _store(_profile_root(args)) as store:
        if args.action == "add":
            change_schedule(store, SystemClock(), lambda s: s.with_weekly(block))
            print(f"Added {block.describe()}.")
        else:
            change_schedule(
                store, SystemClock(), lambda s: s.without_weekly(kind, days, start, end)
            )
            print(f"Removed {block.describe()}.")
    return 0


def _cmd_office_hours(args: argparse.Namespace) -> int:
    from asyncdesk.core.schedule import DEFAULT_OFFICE_HOURS_TITLE, OfficeHoursBlock, parse_days
    from asyncdesk.services.schedule import add_office_hours

    days = parse_days(args.days)
    start, end = _block_times(args)
    block = OfficeHoursBlock(
        days, start, end, DEFAULT_OFFICE_HOURS_TITLE if args.title is None else args.title
    )
    with _store(_profile_root(args)) as store:
        add_office_hours(store, SystemClock(), block)
    print(f"Added {block.describe()}.")
    return 0


def _cmd_override(args: argparse.Namespace) -> int:
    from asyncdesk.core.schedule import (
        BlockKind,
        OneOffBlock,
        Schedule,
        SkipWindow,
        parse_clock,
        parse_date,
    )
    from asyncdesk.services.schedule import change_schedule

    day = parse_date(args.date)
    change: Callable[[Schedule], Schedule]
    if args.override == "skip":
        skip = SkipWindow(day, None if args.start is None else parse_clock(args.start))
        change, done = (lambda s: s.with_skip(skip)), skip.describe()
    elif args.override in {"window", "deepwork"}:
        kind = BlockKind.WINDOW if args.override == "window" else BlockKind.DEEP_WORK
        block = OneOffBlock(kind, day, *_block_times(args))
        change, done = (lambda s: s.with_one_off(block)), block.describe()
    elif args.override == "closed":
        change, done = (lambda s: s.with_closed_day(day)), f"closed day {day.isoformat()}"
    else:
        change = lambda s: s.without_overrides_on(day)  # noqa: E731
        done = f"cleared the overrides of {day.isoformat()}"
    with _store(_profile_root(args)) as store:
        change_schedule(store, SystemClock(), change)
    print(done[0].upper() + done[1:] + ".")
    return 0


def _cmd_import_ics(args: argparse.Namespace) -> int:
    from asyncdesk.services.schedule import import_calendar

    path = Path(args.file).expanduser()
    try:
        found = path.is_file()
    except OSError as error:  # a name too long, say
        raise BadInput(f"cannot read {args.file[:60]!r}: {error.strerror or error}") from None
    if not found:
        raise BadInput(f"no such file: {path}")
    with _store(_profile_root(args)) as store:
        report = import_calendar(store, SystemClock(), path)
    print(f"Imported {report.imported} deep-work blocks from {path.name}.")
    if report.all_day_skipped:
        print(f"Left out {report.all_day_skipped} all-day events (they are not deep work).")
    if report.overlapping:
        print(f"Left out {len(report.overlapping)} events that overlap a window:")
        for line in report.overlapping:
            print(f"  {line}")
    return 0


def _cmd_schedule_clear(args: argparse.Namespace) -> int:
    from asyncdesk.services.schedule import clear_schedule

    with _store(_profile_root(args)) as store:
        clear_schedule(store, SystemClock())
    print("Schedule cleared: the inbox is always open again.")
    return 0


def _cmd_schedule_timezone(args: argparse.Namespace) -> int:
    from asyncdesk.services.schedule import set_timezone

    with _store(_profile_root(args)) as store:
        set_timezone(store, SystemClock(), args.zone)
    print(f"Time zone set to {args.zone}.")
    return 0


def _cmd_schedule_show(args: argparse.Namespace) -> int:
    from asyncdesk.core.schedule import DEFAULT_OFFICE_HOURS_TITLE
    from asyncdesk.core.schedule_document import to_document
    from asyncdesk.services.schedule import describe_wait, load_schedule

    with _open_existing(args) as store:
        schedule = load_schedule(store)
    document = to_document(schedule)
    sources: dict[str, list[datetime]] = {}
    for block in schedule.imported:
        sources.setdefault(block.source, []).append(block.start)
    document["imported"] = [
        {
            "source": source,
            "blocks": len(starts),
            "first": to_iso_z(min(starts)),
            "last": to_iso_z(max(starts)),
        }
        for source, starts in sorted(sources.items())
    ]
    document["always_open"] = not schedule.has_windows
    document.setdefault("office_hours", [])
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0

    def blocks(key: str) -> str:
        items = [f"{b['days']} {b['start']}-{b['end']}" for b in document[key]]
        return ", ".join(items) or "none"

    rows = [
        ("Time zone", document["timezone"]),
        ("Windows", blocks("windows")),
        ("Deep work", blocks("deep_work")),
        (
            "Office hours",
            ", ".join(
                f"{b['days']} {b['start']}-{b['end']}"
                + ("" if b["title"] == DEFAULT_OFFICE_HOURS_TITLE else f" ({b['title']})")
                for b in document["office_hours"]
            )
            or "none",
        ),
    ]
    for override in document["overrides"]:
        times = "-".join(t for t in (override["start"], override["end"]) if t)
        rows.append(("Override", f"{override['date']} {override['kind']} {times}".rstrip()))
    for source in document["imported"]:
        rows.append(("Imported", f"{source['blocks']} blocks from {source['source']}"))
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        print(f"{label + ':':<{width}}{value}")
    now = SystemClock().now()
    if document["always_open"]:
        print("No window yet: the inbox is always open.")
    else:
        upcoming = schedule.next_window(now)
        mode = schedule.mode_at(now).value.replace("_", " ")
        if upcoming is not None:
            print(f"Now: {mode}; next window {describe_wait(upcoming.start, now, schedule.zone)}.")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from asyncdesk.services.schedule import describe_wait, status

    clock = _clock(args)
    with _open_existing(args) as store:
        result = status(store, clock)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
        return 0
    now = clock.now()
    mode = result.mode.value.replace("_", " ")
    until = (
        "" if result.until is None else f" until {describe_wait(result.until, now, result.zone)}"
    )
    print(f"Mode: {mode}{until}")
    if result.next_window is not None:
        print(f"Next window: {describe_wait(result.next_window.start, now, result.zone)}")
    print(
        f"Waiting: {result.waiting} messages; {result.due_before_next_window} replies due "
        f"before the next window; {result.overdue} overdue"
    )
    return 0


def _cmd_deadlines(args: argparse.Namespace) -> int:
    from asyncdesk.services.deadlines import deadlines
    from asyncdesk.services.profile import user_timezone
    from asyncdesk.services.schedule import format_duration

    clock = _clock(args)
    now = clock.now()
    with _open_existing(args) as store:
        found = deadlines(store, now, overdue=args.overdue)
        zone = user_timezone(store)
    if args.json:
        rows = [
            {
                "id": item.id,
                "message_id": item.message_id,
                "sender": item.sender,
                "subject": item.subject,
                "received_at": to_iso_z(item.received_at),
                "due_at": to_iso_z(item.due_at),
                "overdue": item.due_at < now,
            }
            for item in found
        ]
        _write_json_list(rows, sys.stdout)
        return 0
    if not found:
        print("No overdue replies." if args.overdue else "No open reply-by deadlines.")
        return 0
    for item in found:
        due = item.due_at.astimezone(zone)
        when = f"{due:%a %d %b %H:%M}"
        if item.due_at < now:
            left = f"overdue by {format_duration(now - item.due_at)}"
        else:
            left = f"in {format_duration(item.due_at - now)}"
        print(f"{item.id:>7}  due {when} ({left})  {item.sender}: {item.subject}")
    return 0


def _cmd_deadlines_dismiss(args: argparse.Namespace) -> int:
    from asyncdesk.services.deadlines import dismiss

    with _open_existing(args) as store:
        found = dismiss(store, args.id)
    print(f"Dismissed: no reply needed for {found.id} ({found.subject or 'no subject'}).")
    return 0


def _cmd_deadlines_snooze(args: argparse.Namespace) -> int:
    from asyncdesk.services.deadlines import snooze
    from asyncdesk.services.profile import user_timezone

    try:
        until = parse_instant(args.until)
    except ValueError as error:
        raise BadInput(f"--until: {error}") from None
    with _open_existing(args) as store:
        found = snooze(store, SystemClock(), args.id, until)
        zone = user_timezone(store)
    local = until.astimezone(zone)
    print(f"Snoozed {found.id} ({found.subject or 'no subject'}) until {local:%a %d %b %H:%M}.")
    return 0


def _moved(count: int) -> str:
    return (
        "no open deadline moved"
        if count == 0
        else ("1 open deadline moved" if count == 1 else f"{count} open deadlines moved")
    )


def _cmd_sla_default(args: argparse.Namespace) -> int:
    from asyncdesk.core.deadlines import format_duration, parse_duration
    from asyncdesk.services.deadlines import set_default_sla

    delta = parse_duration(args.duration)
    with _open_existing(args) as store:
        moved = set_default_sla(store, delta)
    print(f"Promise: reply within {format_duration(delta)} ({_moved(moved)}).")
    return 0


def _sla_target(args: argparse.Namespace) -> tuple[str, str]:
    for kind in ("sender", "domain", "account"):
        value = getattr(args, kind, None)
        if value is not None:
            return kind, value
    raise BadInput("say whom the rule is for: --sender ADDR, --domain D or --account NAME")


def _cmd_sla_add(args: argparse.Namespace) -> int:
    from asyncdesk.core.deadlines import format_duration, parse_duration
    from asyncdesk.services.deadlines import add_sla_rule, normalize_target

    delta = parse_duration(args.duration)
    kind, value = _sla_target(args)
    if kind != "account":
        value = normalize_target(kind, value)  # checked before the profile is opened
    with _open_existing(args) as store:
        moved = add_sla_rule(store, SystemClock(), kind, value, delta)
    print(f"Promise for {kind} {value}: reply within {format_duration(delta)} ({_moved(moved)}).")
    return 0


def _cmd_sla_remove(args: argparse.Namespace) -> int:
    from asyncdesk.services.deadlines import remove_sla_rule

    kind, value = _sla_target(args)
    with _open_existing(args) as store:
        moved = remove_sla_rule(store, kind, value)
    print(f"Removed the promise for {kind} {value} ({_moved(moved)}).")
    return 0


def _cmd_sla_working_hours(args: argparse.Namespace) -> int:
    from asyncdesk.core.schedule import check_range, parse_days
    from asyncdesk.services.deadlines import set_working_hours

    if args.off:
        if args.days or args.start or args.end:
            raise BadInput("--off takes no --days, --start or --end")
        with _open_existing(args) as store:
            moved = set_working_hours(store, None, "", "")
        print(f"Deadlines count every hour again ({_moved(moved)}).")
        return 0
    missing = [flag for flag in ("days", "start", "end") if getattr(args, flag) is None]
    if missing:
        raise BadInput(
            "the following arguments are required: " + ", ".join(f"--{flag}" for flag in missing)
        )
    parse_days(args.days)
    check_range(*_block_times(args))
    with _open_existing(args) as store:
        moved = set_working_hours(store, args.days, args.start, args.end)
    print(
        f"Deadlines count only {args.days} {args.start}-{args.end} in your time zone "
        f"({_moved(moved)})."
    )
    return 0


def _cmd_sla_show(args: argparse.Namespace) -> int:
    from asyncdesk.core.deadlines import format_duration
    from asyncdesk.services.deadlines import summary

    with _open_existing(args) as store:
        found = summary(store, SystemClock())
    if args.json:
        print(json.dumps(found.to_json(), indent=2))
        return 0
    print(f"Promise: reply within {format_duration(found.default)}")
    hours = found.working_hours or "every hour"
    print(f"Counting: {hours} ({found.timezone})")
    for rule in found.rules:
        sla = format_duration(timedelta(minutes=rule.minutes))
        print(f"  {rule.kind} {rule.value}: {sla}")
    print(f"Open commitments: {found.open_commitments}")
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from asyncdesk.services.stats import compute, render, write_atomically, zone_week

    if args.auto_export is not None:
        return _set_auto_export(args)
    clock = _clock(args)
    target: Path | None = None
    if args.output not in (None, "-"):
        target = Path(args.output)
        shown = args.output if len(args.output) <= 60 else args.output[:57] + "..."
        try:
            if not args.output or target.is_dir():
                raise BadInput(f"-o {shown}: is a directory; name a file")
            if not target.parent.is_dir():
                raise BadInput(f"-o {shown}: no such directory {str(target.parent)!r}")
        except OSError as error:  # a name too long, say
            raise BadInput(f"-o {shown}: {error.strerror or error}") from None
    with _open_existing(args) as store:
        week = zone_week(store, args.week, clock)
        content = render(compute(store, week, clock.now()), args.format)
    if target is None:
        sys.stdout.write(content)
        return 0
    try:
        write_atomically(target, content)
    except OSError as error:
        raise BadInput(f"-o {args.output}: {error.strerror or error}") from None
    print(f"Wrote the stats of {week.label} to {target}.", file=sys.stderr)
    return 0


def _set_auto_export(args: argparse.Namespace) -> int:
    from asyncdesk.services.stats import set_export_folder

    if args.week or args.output or args.at:
        raise BadInput("--auto-export only changes the setting: give it alone")
    if not args.auto_export.strip():
        raise BadInput("--auto-export needs a folder (or off), not an empty value")
    wanted = None if args.auto_export == "off" else Path(args.auto_export)
    with _open_existing(args) as store:
        folder = set_export_folder(store, wanted)
    if folder is None:
        print("Weekly reports are no longer written automatically.")
    else:
        print(f"Each finished week's report will be written to {folder}.")
    return 0


def _cmd_reply(args: argparse.Namespace) -> int:
    from asyncdesk.services.accounts import profile_secrets
    from asyncdesk.services.reply import check_reply_target, reply

    if not args.body_stdin and not sys.stdin.isatty():
        raise BadInput(
            "standard input is not a terminal: pass --body-stdin to read the reply from it"
        )
    with _open_existing(args) as store, _profile_log(store):
        check_reply_target(store, args.id)  # before the user types anything
        if not args.body_stdin:
            print(
                "Type your reply; end it with Ctrl-D on a line of its own (Ctrl-C cancels):",
                file=sys.stderr,
                flush=True,
            )
        try:
            body = sys.stdin.read()
        except UnicodeDecodeError:
            raise BadInput("the reply on standard input is not valid text: nothing sent") from None
        outcome = reply(
            store, SystemClock(), profile_secrets(store), args.id, body, reply_all=args.all
        )
    if outcome.ok:
        print(outcome.describe())
        return 0
    print(f"asyncdesk: {outcome.describe()}", file=sys.stderr)
    return 1  # not (fully) sent: the reply is in the outbox, in the state the line names


# --- the parser --------------------------------------------------------------------------


def _cmd_profile_restore(args: argparse.Namespace) -> int:
    """``asyncdesk profile restore [--list] [FILE]``: the way back from a damaged
    database (the message that reports the damage names this command)."""
    from asyncdesk.services.profile import list_backups, restore_backup

    root = _profile_root(args)
    if args.list:
        if args.file is not None:
            raise BadInput("profile restore: give --list or FILE, not both")
        backups = list_backups(root)
        if not backups:
            print(f"No backups of profile {root}.")
        for one in backups:
            taken = one.taken_at.strftime("%Y-%m-%d %H:%M UTC")
            print(f"{taken}  {one.size / 1e6:8.1f} MB  {one.path}")
        return 0
    picked, aside = restore_backup(root, SystemClock(), args.file)
    print(f"Restored the backup {picked.path.name}; the previous database is kept as {aside}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--profile",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="profile directory (default: $ASYNCDESK_PROFILE, else the user data directory)",
    )
    parser = _Parser(
        prog="asyncdesk",
        description="One batched inbox for email and chat that opens only in your "
        "communication windows. Without a command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"asyncdesk {__version__}")
    parser.add_argument(
        "--background",
        action="store_true",
        help="open the app in the system tray without showing its window (as autostart does)",
    )
    parser.set_defaults(handler=_cmd_gui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    def command(
        group: Any, name: str, help_text: str, handler: Handler | None = None
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = group.add_parser(
            name, help=help_text, description=help_text, parents=[common]
        )
        if handler is not None:
            sub.set_defaults(handler=handler)
        return sub

    # demo
    demo = command(
        commands, "demo", "create a demo profile with realistic email and chat", _cmd_demo
    )
    demo.add_argument("--no-gui", action="store_true", help="create the data, do not open the app")
    demo.add_argument(
        "--messages", type=_positive_int, metavar="N", help="how many messages (default 300)"
    )
    demo.add_argument("--seed", type=int, metavar="S", help="random seed (default 47)")

    # account
    account = command(commands, "account", "add, list and remove accounts")
    account_cmds = account.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    add = command(account_cmds, "add", "add an account")
    add_kinds = add.add_subparsers(metavar="KIND", parser_class=_Parser, required=True)
    imap = command(add_kinds, "imap", "an email account (IMAP in, SMTP out)", _cmd_account_add_imap)
    imap.add_argument("name", metavar="NAME")
    imap.add_argument("--host", required=True, metavar="H")
    imap.add_argument("--port", required=True, type=int, metavar="P")
    imap.add_argument("--security", required=True, choices=["tls", "starttls", "plain"])
    imap.add_argument("--user", required=True, metavar="U")
    imap.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (it goes to the keyring)",
    )
    imap.add_argument("--smtp-host", metavar="H")
    imap.add_argument("--smtp-port", type=int, metavar="P")
    imap.add_argument("--smtp-security", choices=["tls", "starttls", "plain"])
    imap.add_argument(
        "--trust-cert",
        metavar="SHA256",
        help="trust exactly this certificate (its SHA-256 fingerprint), e.g. a self-signed one",
    )
    imap.add_argument("--smtp-trust-cert", metavar="SHA256", help="the same for the SMTP server")
    imap.add_argument(
        "--address",
        action="append",
        metavar="ADDR",
        help="your address in this account (repeat for aliases; the first one sends); "
        "default: the user name if it is an address",
    )
    imap.add_argument("--display-name", metavar="NAME", help="the name your replies are sent with")
    imap.add_argument(
        "--folder",
        action="append",
        metavar="NAME",
        help="another folder to sync besides INBOX and Sent (repeatable)",
    )
    matrix = command(add_kinds, "matrix", "a Matrix chat account", _cmd_account_add_matrix)
    matrix.add_argument("name", metavar="NAME")
    matrix.add_argument("--homeserver", required=True, metavar="URL")
    matrix.add_argument("--user", required=True, metavar="@me:server")
    matrix.add_argument("--password-stdin", action="store_true")
    slack = command(add_kinds, "slack", "a Slack workspace", _cmd_account_add_slack)
    slack.add_argument("name", metavar="NAME")
    slack.add_argument("--token-stdin", action="store_true")
    slack.add_argument("--api-url", metavar="URL", help="a Slack-compatible API endpoint")
    account_list = command(account_cmds, "list", "list accounts", _cmd_account_list)
    account_list.add_argument("--json", action="store_true")
    account_remove = command(
        account_cmds, "remove", "remove an account and its messages", _cmd_account_remove
    )
    account_remove.add_argument("name", metavar="NAME")

    # sync
    sync = command(commands, "sync", "sync accounts headless and notify by the policy", _cmd_sync)
    sync.add_argument("--account", metavar="NAME")
    sync.add_argument("--once", action="store_true", help="catch up, then exit")

    # schedule
    schedule = command(commands, "schedule", "communication windows and deep-work blocks")
    schedule_cmds = schedule.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    show = command(schedule_cmds, "show", "show the weekly schedule", _cmd_schedule_show)
    show.add_argument("--json", action="store_true")
    for block, what in (("window", "communication windows"), ("deepwork", "deep-work blocks")):
        group = command(schedule_cmds, block, what)
        actions = group.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
        for action in ("add", "remove"):
            sub = command(actions, action, f"{action} {what}", _cmd_schedule_block)
            sub.set_defaults(block=block, action=action)
            sub.add_argument("--days", required=True, metavar="mon-fri")
            sub.add_argument("--start", required=True, metavar="HH:MM")
            sub.add_argument("--end", required=True, metavar="HH:MM")
    office_hours = command(schedule_cmds, "officehours", "recurring office hours (group sessions)")
    office_hours_cmds = office_hours.add_subparsers(
        metavar="ACTION", parser_class=_Parser, required=True
    )
    hours_add = command(office_hours_cmds, "add", "add office hours", _cmd_office_hours)
    hours_add.add_argument("--days", required=True, metavar="tue,thu")
    hours_add.add_argument("--start", required=True, metavar="HH:MM")
    hours_add.add_argument("--end", required=True, metavar="HH:MM")
    hours_add.add_argument("--title", metavar="T", help="default: Office hours")
    override = command(
        schedule_cmds,
        "override",
        "one-off changes: skip a window, a one-off window or block, a closed day",
    )
    override_cmds = override.add_subparsers(metavar="KIND", parser_class=_Parser, required=True)
    skip = command(override_cmds, "skip", "skip a window on one date", _cmd_override)
    skip.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    skip.add_argument("--start", metavar="HH:MM", help="the window's start (default: every one)")
    for kind, what in (("window", "a one-off window"), ("deepwork", "a one-off deep-work block")):
        one_off = command(override_cmds, kind, what, _cmd_override)
        one_off.add_argument("--date", required=True, metavar="YYYY-MM-DD")
        one_off.add_argument("--start", required=True, metavar="HH:MM")
        one_off.add_argument("--end", required=True, metavar="HH:MM")
    closed = command(
        override_cmds, "closed", "a closed day (holiday): no windows or blocks", _cmd_override
    )
    closed.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    clear_day = command(override_cmds, "clear", "remove the overrides of one date", _cmd_override)
    clear_day.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    for name, sub in override_cmds.choices.items():
        sub.set_defaults(override=name)
    ics = command(
        schedule_cmds, "import-ics", "deep-work blocks from an iCalendar file", _cmd_import_ics
    )
    ics.add_argument("file", metavar="FILE")
    command(
        schedule_cmds,
        "clear",
        "remove every window, block and office hours (always open again)",
        _cmd_schedule_clear,
    )
    timezone = command(
        schedule_cmds, "timezone", "set the schedule's time zone", _cmd_schedule_timezone
    )
    timezone.add_argument("zone", metavar="ZONE")

    # status
    status = command(
        commands, "status", "mode, until when, next window, waiting, due soon", _cmd_status
    )
    status.add_argument("--at", metavar="ISO8601", help="as if it were this instant")
    status.add_argument("--json", action="store_true")

    # inbox
    inbox = command(commands, "inbox", "list the inbox (exit 3 outside a window)", _cmd_inbox)
    inbox.add_argument("--json", action="store_true")
    inbox.add_argument(
        "--break-glass",
        metavar="REASON",
        help="open the inbox outside a window on purpose; logged and counted",
    )
    inbox.add_argument("--at", metavar="ISO8601", help="as if it were this instant")

    # deadlines
    deadlines = command(commands, "deadlines", "open reply-by commitments", _cmd_deadlines)
    deadlines.add_argument("--json", action="store_true")
    deadlines.add_argument("--at", metavar="ISO8601")
    deadlines.add_argument("--overdue", action="store_true")
    deadline_cmds = deadlines.add_subparsers(metavar="ACTION", parser_class=_Parser)
    dismiss = command(deadline_cmds, "dismiss", "no reply needed", _cmd_deadlines_dismiss)
    dismiss.add_argument("id", metavar="ID", type=_message_id)
    snooze = command(deadline_cmds, "snooze", "hide until a later instant", _cmd_deadlines_snooze)
    snooze.add_argument("id", metavar="ID", type=_message_id)
    snooze.add_argument("--until", required=True, metavar="ISO8601")

    # reply
    reply = command(commands, "reply", "answer a message through its own account", _cmd_reply)
    reply.add_argument("id", metavar="ID", type=_message_id)
    reply.add_argument(
        "--body-stdin", action="store_true", help="read the reply from standard input"
    )
    reply.add_argument(
        "--all", action="store_true", help="reply to all: the original's To and Cc in Cc"
    )

    # sla
    sla = command(commands, "sla", "the reply-by promise and its rules")
    sla_cmds = sla.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    sla_default = command(sla_cmds, "default", "the default promise, e.g. 48h", _cmd_sla_default)
    sla_default.add_argument("duration", metavar="DURATION")
    sla_add = command(sla_cmds, "add", "a rule for a sender, domain or account", _cmd_sla_add)
    target = sla_add.add_mutually_exclusive_group(required=True)
    target.add_argument("--sender", metavar="ADDR")
    target.add_argument("--domain", metavar="D")
    target.add_argument("--account", metavar="NAME")
    sla_add.add_argument("duration", metavar="DURATION")
    sla_remove = command(sla_cmds, "remove", "remove a rule", _cmd_sla_remove)
    removed = sla_remove.add_mutually_exclusive_group(required=True)
    removed.add_argument("--sender", metavar="ADDR")
    removed.add_argument("--domain", metavar="D")
    removed.add_argument("--account", metavar="NAME")
    hours = command(sla_cmds, "working-hours", "count only these hours", _cmd_sla_working_hours)
    hours.add_argument("--days", metavar="mon-fri")
    hours.add_argument("--start", metavar="HH:MM")
    hours.add_argument("--end", metavar="HH:MM")
    hours.add_argument("--off", action="store_true", help="count every hour again")
    sla_show = command(sla_cmds, "show", "show the rules", _cmd_sla_show)
    sla_show.add_argument("--json", action="store_true")

    # profile
    profile = command(commands, "profile", "the profile's backups")
    profile_cmds = profile.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    restore = command(
        profile_cmds,
        "restore",
        "put a backup in place of the profile's database (quit AsyncDesk first)",
        _cmd_profile_restore,
    )
    restore.add_argument("--list", action="store_true", help="list the backups, newest first")
    restore.add_argument(
        "file", nargs="?", metavar="FILE", help="the backup to restore (default: the newest)"
    )

    # stats
    stats = command(commands, "stats", "weekly communication stats", _cmd_stats)
    stats.add_argument(
        "--week", metavar="2026-W47", help="an ISO week (default: the last complete one)"
    )
    stats.add_argument("--format", choices=["csv", "json", "html"], default="json")
    stats.add_argument("--at", metavar="ISO8601", help="export as if it were this instant")
    stats.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (replaced whole); - or none: stdout"
    )
    stats.add_argument(
        "--auto-export",
        metavar="DIR",
        help="from now on, write each finished week's report into DIR (off: stop)",
    )

    # autoreply
    autoreply = command(
        commands,
        "autoreply",
        "while closed: tell senders when they will hear back",
        cmd_autoreply,
    )
    autoreply.add_argument("action", choices=["on", "off", "show", "feed"])
    autoreply.add_argument(
        "file", nargs="?", metavar="FILE", help="feed: the .ics file to write the windows to"
    )
    autoreply.add_argument("--json", action="store_true")
    autoreply.add_argument("--at", metavar="ISO8601", help="show as if it were this instant")

    # answers
    answers = command(commands, "answers", "saved answers to reuse")
    answer_cmds = answers.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    answers_add = command(answer_cmds, "add", "save an answer", cli_answers.add)
    answers_add.add_argument("--title", required=True, metavar="T")
    answers_add.add_argument("--tags", metavar="a,b")
    source = answers_add.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-message", type=_message_id, metavar="ID")
    source.add_argument("--body-stdin", action="store_true")
    answers_add.add_argument(
        "--whole-thread",
        action="store_true",
        help="with --from-message: save the message's whole thread, oldest first",
    )
    answers_list = command(answer_cmds, "list", "list saved answers", cli_answers.list_)
    answers_list.add_argument("--json", action="store_true")
    answers_search = command(answer_cmds, "search", "search saved answers", cli_answers.search)
    answers_search.add_argument("query", metavar="QUERY")
    answers_search.add_argument("--json", action="store_true")
    answers_export = command(
        answer_cmds, "export", "export answers to a folder", cli_answers.export
    )
    answers_export.add_argument("dir", metavar="DIR")

    # checkin
    checkin = command(commands, "checkin", "scheduled check-in questions to a team")
    checkin_cmds = checkin.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    checkin_add = command(checkin_cmds, "add", "schedule a check-in", cli_checkin.add)
    checkin_add.add_argument("name", metavar="NAME")
    checkin_add.add_argument("--days", required=True, metavar="fri")
    checkin_add.add_argument("--at", required=True, metavar="HH:MM")
    checkin_add.add_argument("--to", required=True, metavar="ADDR,ADDR")
    checkin_add.add_argument("--account", metavar="NAME")
    checkin_add.add_argument("--question-stdin", action="store_true", required=True)
    checkin_list = command(checkin_cmds, "list", "list check-ins", cli_checkin.list_)
    checkin_list.add_argument("--json", action="store_true")
    checkin_results = command(
        checkin_cmds, "results", "who answered, who has not", cli_checkin.results
    )
    checkin_results.add_argument("name", metavar="NAME")
    checkin_results.add_argument("--json", action="store_true")
    checkin_remove = command(checkin_cmds, "remove", "forget a check-in", cli_checkin.remove)
    checkin_remove.add_argument("name", metavar="NAME")
    return parser


def _check_text(argv: Sequence[str]) -> None:
    """Every argument must be text a terminal, a log and the database can hold: bytes
    that are not UTF-8 (Python hands them over as lone surrogates, which no encoder
    accepts) and control characters (a newline splits a one-line message, an escape
    sequence rewrites the user's terminal when the value is shown) are refused."""
    for position, arg in enumerate(argv, start=1):
        for char in arg:
            if "\ud800" <= char <= "\udfff":
                problem = "is not valid UTF-8"
            elif unicodedata.category(char) == "Cc":
                problem = "contains a control character"
            else:
                continue
            shown = ascii(arg if len(arg) <= 60 else arg[:57] + "...")
            raise BadInput(f"argument {position} ({shown}) {problem}")


def _parse(parser: argparse.ArgumentParser, arguments: list[str]) -> argparse.Namespace:
    """The parsed command line. ``asyncdesk [--profile DIR] mailto:...`` (what the
    desktop runs for a clicked link) opens the app to write to it; ``--background``
    belongs to opening the app, and is refused beside a command."""
    links = [index for index, argument in enumerate(arguments) if is_mailto(argument)]
    if links:
        rest = [a for i, a in enumerate(arguments) if i not in links]
        args = parser.parse_args(rest)
        if args.handler is _cmd_gui:
            if len(links) > 1:
                raise BadInput("give one mailto: link at a time")
            args.mailto = arguments[links[0]]
            return args
    args = parser.parse_args(arguments)
    if getattr(args, "background", False) and args.handler is not _cmd_gui:
        raise BadInput("--background opens the app: give it without a command")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    if not logging.getLogger().handlers:
        # Libraries (nio, aiohttp) log warnings of their own; without a handler Python
        # prints them on stderr, a second line beside the command's own message. What
        # AsyncDesk should keep goes to the profile's log (services.logs) instead.
        logging.getLogger().addHandler(logging.NullHandler())
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        _check_text(arguments)
    except BadInput as error:
        print(f"asyncdesk: {error.message}", file=sys.stderr)
        return error.exit_code
    parser = build_parser()
    try:
        args = _parse(parser, arguments)
    except BadInput as error:
        print(f"asyncdesk: {error.message}", file=sys.stderr)
        return error.exit_code
    try:
        _profile_root(args)  # an empty --profile is refused by every command
        code = int(args.handler(args))
    except AsyncDeskError as error:
        print(f"asyncdesk: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("asyncdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `asyncdesk inbox --json | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:
        if error.errno != errno.ENAMETOOLONG:
            raise
        # Whichever path it was, the user typed it: bad input, not a crash.
        print(f"asyncdesk: a file name is too long ({error.strerror})", file=sys.stderr)
        return EXIT_BAD_INPUT
    return code


if __name__ == "__main__":
    sys.exit(main())
