"""Weekly stats of a profile: gathering the facts and exporting CSV, JSON or HTML.

The numbers come from :mod:`asyncdesk.core.stats` (the definitions); this module
gathers the facts from the store for one week in the user's zone and writes the
exports. A file is written to a temporary name next to the target and renamed over
it, so a crash never leaves half a report and an existing one is replaced whole.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from asyncdesk.core.clock import Clock
from asyncdesk.core.stats import Span, Week, WeekStats, week_stats_of_rows
from asyncdesk.services.notifications import notification_counts
from asyncdesk.services.profile import user_timezone
from asyncdesk.services.schedule import break_glass_events, timeline
from asyncdesk.store.accounts import list_accounts
from asyncdesk.store.database import Store
from asyncdesk.store.stats import fact_rows

log = logging.getLogger(__name__)

FORMATS = ("csv", "json", "html")


def compute(store: Store, week: Week, now: datetime) -> WeekStats:
    """The stats of ``week`` as of ``now`` (the export instant)."""
    start, end = week.start, week.end
    with store.reading() as session:
        rows = fact_rows(session, start, end)
        accounts = [account.name for account in list_accounts(session)]
    spans = [
        Span(interval.kind.value, interval.start, interval.end)
        for interval in timeline(store, start, end)
    ]
    deferred = notification_counts(store, start, end).deferred
    reasons = [reason for _, reason in break_glass_events(store, start, end)]
    return week_stats_of_rows(
        week,
        rows,
        now,
        spans=spans,
        notifications_deferred=deferred,
        break_glass_reasons=reasons,
        accounts=accounts,
    )


def zone_week(store: Store, label: str | None, clock: Clock) -> Week:
    from asyncdesk.core.stats import last_complete_week, parse_week

    zone = user_timezone(store)
    return last_complete_week(clock.now(), zone) if label is None else parse_week(label, zone)


# --------------------------------------------------------------------------- formats

CSV_COLUMNS = (
    "week",
    "scope",
    "date",
    "account",
    "received",
    "needs_reply",
    "replied",
    "median_response_minutes",
    "p90_response_minutes",
    "commitment_kept_pct",
    "overdue_open",
    "windows",
    "window_minutes",
    "deep_work_minutes",
    "notifications_deferred",
    "break_glass",
)


def to_csv(stats: WeekStats) -> str:
    """One row per day, one per account, and a totals row (which alone carries the
    schedule and event columns)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    label = stats.week.label

    def row(
        scope: str, day: str, account: str, numbers: dict[str, object], extra: dict[str, object]
    ) -> None:
        values = {
            "week": label,
            "scope": scope,
            "date": day,
            "account": account,
            **numbers,
            **extra,
        }
        writer.writerow(
            ["" if values.get(name) is None else values.get(name) for name in CSV_COLUMNS]
        )

    for day, numbers in stats.by_day:
        row("day", day.isoformat(), "", numbers.as_json(), {})
    for name, numbers in sorted(stats.by_account.items()):
        row("account", "", name, numbers.as_json(), {})
    row(
        "total",
        "",
        "",
        stats.totals.as_json(),
        {
            "windows": stats.windows,
            "window_minutes": stats.window_minutes,
            "deep_work_minutes": stats.deep_work_minutes,
            "notifications_deferred": stats.notifications_deferred,
            "break_glass": stats.break_glass,
        },
    )
    return out.getvalue()


def to_json(stats: WeekStats) -> str:
    return json.dumps(stats.as_json(), indent=2, ensure_ascii=False) + "\n"


def render(stats: WeekStats, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(stats)
    if fmt == "json":
        return to_json(stats)
    if fmt == "html":
        from asyncdesk.services.stats_report import to_html

        return to_html(stats)
    raise ValueError(f"unknown format {fmt!r}")


def write_atomically(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` via a temporary file renamed over it."""
    directory = path.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------- the automatic export

STATS_EXPORTED = "stats_exported"


def export_folder(store: Store) -> Path | None:
    """Where each finished week's report is written, or None when that is off."""
    from asyncdesk.core import settings as declared
    from asyncdesk.store.settings import get_setting

    with store.reading() as session:
        text = get_setting(session, declared.STATS_EXPORT_DIR)
    return Path(text).expanduser() if text else None


def _can_create_in(folder: Path) -> bool:
    """Whether a folder can be made inside ``folder``: its permissions, and (since root
    passes every permission check) not a pseudo file system such as /proc or /sys."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        return os.statvfs(folder).f_flag & os.ST_RDONLY == 0 and os.statvfs(folder).f_blocks > 0
    except OSError:
        return False


def set_export_folder(store: Store, folder: Path | None) -> Path | None:
    """Turn the automatic weekly export on (into ``folder``, made absolute) or off
    (None). A path that exists and is not a folder is bad input and changes nothing;
    a missing folder is made at the first export."""
    from asyncdesk.core import settings as declared
    from asyncdesk.core.errors import BadInput
    from asyncdesk.services.profile import write_setting

    if folder is None:
        write_setting(store, declared.STATS_EXPORT_DIR, "")
        return None
    if not str(folder).strip():
        raise BadInput("--auto-export needs a folder (or off), not an empty value")
    target = Path(folder).expanduser().absolute()
    shown = str(folder) if len(str(folder)) <= 200 else str(folder)[:197] + "..."
    try:
        if target.exists() and not target.is_dir():
            raise BadInput(f"{shown}: not a folder")
        # A missing folder is made at the first export: what is there of its path must
        # be folders that can take it, or every export would fail later, unseen.
        existing = next(p for p in (target, *target.parents) if p.exists())
        if not existing.is_dir() or (existing != target and not _can_create_in(existing)):
            raise BadInput(f"{shown}: cannot make a folder there ({existing} is not one)")
    except OSError as error:  # a name too long, say
        raise BadInput(f"{shown}: {error.strerror or error}") from None
    write_setting(store, declared.STATS_EXPORT_DIR, str(target))
    log.info("weekly reports will be written to %s", target)
    return target


def export_due_report(store: Store, clock: Clock) -> list[Path]:
    """On the first run after a week ends, write its report to the chosen folder
    (setting ``stats.export_dir``): ``asyncdesk-2026-W47.html``, ``.json`` and ``.csv``.
    Recorded as an event, so each week is written once. Returns the files written; a
    folder that cannot be written is logged and tried again on the next run."""
    from asyncdesk.core import settings as declared
    from asyncdesk.core.stats import last_complete_week
    from asyncdesk.store.schedule import add_event, events_between
    from asyncdesk.store.settings import get_setting

    with store.reading() as session:
        folder_text = get_setting(session, declared.STATS_EXPORT_DIR)
    if not folder_text:
        return []
    now = clock.now()
    week = last_complete_week(now, user_timezone(store))
    with store.reading() as session:
        done = events_between(session, STATS_EXPORTED, week.end, now + timedelta(seconds=1))
    if any(data.get("week") == week.label for _, data in done):
        return []
    folder = Path(folder_text).expanduser()
    stats = compute(store, week, now)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in FORMATS:
            target = folder / f"asyncdesk-{week.label}.{fmt}"
            write_atomically(target, render(stats, fmt))
            written.append(target)
    except OSError as error:
        log.warning("cannot write the weekly report to %s: %s", folder, error.strerror or error)
        return written
    with store.writing() as session:
        add_event(session, STATS_EXPORTED, now, {"week": week.label, "folder": str(folder)})
    log.info("wrote the report of %s to %s", week.label, folder)
    return written
