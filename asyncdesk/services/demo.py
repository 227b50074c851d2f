"""A demo profile with realistic email and chat, so anyone can try AsyncDesk offline.

The demo is reproducible: the seed, the anchor instant and the size are stored in the
demo accounts the first time, and every later ``demo`` run on the same profile syncs the
same sources again, which adds nothing (identity absorbs replays). A profile that holds
real accounts is never mixed with demo data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock, to_iso_z
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import BlockKind, Schedule, WeeklyBlock, parse_clock, parse_days
from asyncdesk.core.schedule_document import to_document
from asyncdesk.services.profile import system_timezone_name
from asyncdesk.services.sync import SyncProgress, sync_source
from asyncdesk.sources.demo import (
    DEMO_CHAT_IDENTITY,
    DEMO_EMAIL_IDENTITY,
    WINDOW_DAYS,
    DemoSource,
    split_count,
)
from asyncdesk.store.accounts import add_account, list_accounts
from asyncdesk.store.database import Store
from asyncdesk.store.messages import count_messages
from asyncdesk.store.schedule import save_document
from asyncdesk.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

DEMO_MAIL_ACCOUNT = "demo-mail"
DEMO_CHAT_ACCOUNT = "demo-chat"
DEFAULT_MESSAGES = 300
DEFAULT_SEED = 47
MAX_MESSAGES = 1_000_000


def default_demo_profile_dir() -> Path:
    """Where ``asyncdesk demo`` puts its profile unless told otherwise: never the real one."""
    return Path(platformdirs.user_data_dir("asyncdesk", appauthor=False)) / "demo"


@dataclass(frozen=True, slots=True)
class DemoResult:
    created: bool
    new_messages: int
    total_messages: int
    seed: int
    messages: int


def demo_schedule(zone: ZoneInfo) -> Schedule:
    weekdays = parse_days("mon-fri")
    schedule = Schedule(zone=zone)
    for kind, start, end in (
        (BlockKind.WINDOW, "09:00", "09:30"),
        (BlockKind.DEEP_WORK, "09:30", "12:00"),
        (BlockKind.WINDOW, "13:00", "13:30"),
        (BlockKind.DEEP_WORK, "13:30", "16:00"),
        (BlockKind.WINDOW, "16:30", "17:00"),
    ):
        schedule = schedule.with_weekly(
            WeeklyBlock(kind, weekdays, parse_clock(start), parse_clock(end))
        )
    return schedule


def check_demo_size(messages: int) -> int:
    if not 0 <= messages <= MAX_MESSAGES:
        raise BadInput(f"--messages must be between 0 and {MAX_MESSAGES:,}, not {messages}")
    return messages


def build_demo(
    store: Store,
    clock: Clock,
    *,
    messages: int | None = None,
    seed: int | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
) -> DemoResult:
    """Create (or top up after an interrupted run) the demo accounts and their messages."""
    if messages is not None:
        check_demo_size(messages)
    with store.writing() as session:
        accounts = {account.name: account for account in list_accounts(session)}
        real = sorted(name for name, a in accounts.items() if a.kind is not AccountKind.DEMO)
        if real:
            raise BadInput(
                f"profile {store.paths.root} holds real accounts ({', '.join(real)}); "
                "give the demo its own profile with --profile DIR"
            )
        created = DEMO_MAIL_ACCOUNT not in accounts
        if created:
            zone = get_setting(session, declared.TIMEZONE) or system_timezone_name()
            set_setting(session, declared.TIMEZONE, zone)
            size = DEFAULT_MESSAGES if messages is None else messages
            config: dict[str, Any] = {
                "seed": DEFAULT_SEED if seed is None else seed,
                "messages": size,
                "anchor": to_iso_z(clock.now().replace(second=0, microsecond=0)),
                "timezone": zone,
            }
            email_count, chat_count = split_count(size)
            # The typical day of someone who batches: three windows, deep work between,
            # in force over the whole span of the demo messages.
            save_document(
                session,
                to_document(demo_schedule(ZoneInfo(zone))),
                clock.now() - timedelta(days=WINDOW_DAYS + 1),
            )
            mail = add_account(
                session,
                Account(
                    DEMO_MAIL_ACCOUNT,
                    AccountKind.DEMO,
                    (DEMO_EMAIL_IDENTITY,),
                    {**config, "flavour": "email", "count": email_count},
                ),
                clock.now(),
            )
            chat = add_account(
                session,
                Account(
                    DEMO_CHAT_ACCOUNT,
                    AccountKind.DEMO,
                    (DEMO_CHAT_IDENTITY,),
                    {**config, "flavour": "chat", "count": chat_count},
                ),
                clock.now(),
            )
        else:
            mail = accounts[DEMO_MAIL_ACCOUNT]
            chat = accounts[DEMO_CHAT_ACCOUNT]
            stored_seed, stored_size = int(mail.config["seed"]), int(mail.config["messages"])
            if (seed is not None and seed != stored_seed) or (
                messages is not None and messages != stored_size
            ):
                raise BadInput(
                    f"this demo profile was made with --seed {stored_seed} and "
                    f"--messages {stored_size}; use another --profile for a different demo"
                )
    new = 0
    for account in (mail, chat):
        source = DemoSource.from_account(account)
        try:
            new += sync_source(store, source, clock, progress=progress).new_messages
        finally:
            source.close()
    with store.reading() as session:
        total = count_messages(session)
    log.info("demo profile %s: %d new, %d in all", store.paths.root, new, total)
    return DemoResult(
        created=created,
        new_messages=new,
        total_messages=total,
        seed=int(mail.config["seed"]),
        messages=int(mail.config["messages"]),
    )
