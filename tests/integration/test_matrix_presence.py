"""Published availability on Matrix against a real Synapse: the user's presence and
status message, as a second user sharing a room reads them with the client-server API
(``GET /_matrix/client/v3/presence/{userId}/status``).

The shared ``synapse`` fixture runs with presence off (it costs every other test's syncs
some work, and a server with presence off accepts a status and keeps nothing), so
this module starts its own Synapse with presence on: one more start, for this module
only (about 3 s on a busy machine, as long as the shared one's).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from servers.synapse import Synapse, find_synapse_python, synapse_venv

from asyncdesk.core import settings
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services import autoreply
from asyncdesk.services.presence import Publisher, Targets, apply_once, recent_statuses
from asyncdesk.services.profile import write_setting
from asyncdesk.services.schedule import change_schedule
from asyncdesk.services.secrets import MemorySecrets
from asyncdesk.sources.matrix import STREAM, Credentials, MatrixSource, login
from asyncdesk.store.database import Store

PASSWORD = "correct horse battery staple"
BERLIN = ZoneInfo("Europe/Berlin")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.fixture(scope="module")
def presence_synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    if find_synapse_python() is None:
        reason = f"Synapse is not installed in {synapse_venv()} (scripts/test installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = Synapse(
        tmp_path_factory.mktemp("synapse-presence"), extra_config={"presence": {"enabled": True}}
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()


@dataclass
class Scene:
    server: Synapse
    store: Store
    clock: FixedClock
    account: Account
    credentials: Credentials
    ann_token: str

    def source(self) -> MatrixSource:
        return MatrixSource(self.account, self.credentials, homeserver=self.server.base_url)

    def seen_by_ann(self) -> dict[str, object]:
        """The user's presence as Ann's client reads it."""
        path = f"/_matrix/client/v3/presence/{quote(self.credentials.user_id, safe='')}/status"
        answer: dict[str, object] = self.server.request("GET", path, self.ann_token)
        return answer


@pytest.fixture
def scene(presence_synapse: Synapse, tmp_path: Path) -> Iterator[Scene]:
    """The user and Ann share a room; the user's profile reads messages on weekdays
    09:00-09:30 (Berlin), deep work 10:00-12:00, and publishes its availability."""
    tag = uuid.uuid4().hex[:8]
    me, _ = presence_synapse.register(f"me-{tag}", PASSWORD)
    ann, ann_token = presence_synapse.register(f"ann-{tag}", PASSWORD)
    credentials = login(presence_synapse.base_url, me, PASSWORD)
    room = presence_synapse.create_room(credentials.access_token, invite=[ann], name="Team")
    presence_synapse.join(ann_token, room)
    clock = FixedClock(local("2026-11-25T08:00").astimezone(UTC))
    store = Store.open(tmp_path / "profile")
    write_setting(store, settings.TIMEZONE, "Europe/Berlin")
    for kind, start, end in (
        (BlockKind.WINDOW, "09:00", "09:30"),
        (BlockKind.DEEP_WORK, "10:00", "12:00"),
    ):
        block = WeeklyBlock(kind, parse_days("mon-fri"), parse_clock(start), parse_clock(end))
        change_schedule(store, clock, lambda s, block=block: s.with_weekly(block))
    autoreply.set_enabled(store, True)
    account = Account("chat", AccountKind.MATRIX, (me,))
    try:
        yield Scene(presence_synapse, store, clock, account, credentials, ann_token)
    finally:
        store.close()


def test_another_user_sees_the_status_follow_the_schedule_and_off_clears_it(
    scene: Scene,
) -> None:
    source = scene.source()
    publisher = Publisher(scene.store, scene.clock)
    sources = {scene.account.name: (scene.account, source)}
    try:
        # Closed: unavailable, and when the user reads messages next.
        assert len(publisher.apply(sources)) == 1
        seen = scene.seen_by_ann()
        assert seen["presence"] == "unavailable"
        assert seen["status_msg"] == "Reading messages next at 09:00 CET"

        # The source's own syncs keep saying "unavailable" (a plain /sync says online).
        list(source.sync(STREAM, None))
        assert scene.seen_by_ann()["presence"] == "unavailable"

        # Deep work.
        scene.clock.set(local("2026-11-25T10:15").astimezone(UTC))
        publisher.apply(sources)
        seen = scene.seen_by_ann()
        assert seen["presence"] == "unavailable"
        assert seen["status_msg"] == "Deep work until 12:00 — reading messages at Thu 09:00 CET"

        # Nothing changed: nothing is sent (and nothing recorded).
        scene.clock.set(local("2026-11-25T11:00").astimezone(UTC))
        assert publisher.apply(sources) == []

        # The next morning's window: online.
        scene.clock.set(local("2026-11-26T09:05").astimezone(UTC))
        publisher.apply(sources)
        seen = scene.seen_by_ann()
        assert seen["presence"] == "online"
        assert seen["status_msg"] == "Reading messages now, until 09:30 CET"

        # Off: the message is gone.
        scene.clock.set(local("2026-11-26T09:40").astimezone(UTC))
        autoreply.set_enabled(scene.store, False)
        changes = publisher.apply(sources)
        assert [change.line() for change in changes] == ["chat: status cleared"]
        seen = scene.seen_by_ann()
        assert seen["presence"] == "online"
        assert not seen.get("status_msg")
        texts = [record.text for record in recent_statuses(scene.store, now=scene.clock.now())]
        assert texts == [
            "",
            "Reading messages now, until 09:30 CET",
            "Deep work until 12:00 — reading messages at Thu 09:00 CET",
            "Reading messages next at 09:00 CET",
        ]
    finally:
        source.close()


def test_a_source_opened_later_does_not_undo_the_presence(scene: Scene) -> None:
    """After a restart, the new source's first /sync states the presence set before
    (kept in the profile), not the server's default "online"."""
    first = scene.source()
    try:
        Publisher(scene.store, scene.clock).apply({scene.account.name: (scene.account, first)})
    finally:
        first.close()
    assert scene.seen_by_ann()["presence"] == "unavailable"

    later = scene.source()
    try:
        Targets(scene.store, scene.clock).opened(scene.account, later)
        list(later.sync(STREAM, None))
        seen = scene.seen_by_ann()
        assert seen["presence"] == "unavailable"
        assert seen["status_msg"] == "Reading messages next at 09:00 CET"
    finally:
        later.close()


def test_sync_once_sets_the_status_through_the_accounts_own_secret(scene: Scene) -> None:
    """``sync --once``'s way: the account's source is opened from the keyring's secret,
    the status set, the source closed; a second run with nothing changed sends nothing."""
    account = Account(
        "chat",
        AccountKind.MATRIX,
        (scene.credentials.user_id,),
        {"user_id": scene.credentials.user_id, "homeserver": scene.server.base_url},
    )
    secret = json.dumps(
        {"access_token": scene.credentials.access_token, "device_id": scene.credentials.device_id}
    )
    secrets = MemorySecrets({"chat": secret})
    scene.clock.set(local("2026-11-25T10:15").astimezone(UTC))
    done = apply_once(scene.store, scene.clock, secrets, [account])
    assert [record.line() for record in done] == [
        "chat: status 'Deep work until 12:00 — reading messages at Thu 09:00 CET', unavailable"
    ]
    assert scene.seen_by_ann()["status_msg"] == (
        "Deep work until 12:00 — reading messages at Thu 09:00 CET"
    )
    assert apply_once(scene.store, scene.clock, secrets, [account]) == []
