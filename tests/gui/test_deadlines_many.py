"""The deadlines panel with thousands open: each group lists its soonest 200 and says
how many more, so a reload never holds the window (the header keeps the whole count)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from pytestqt.qtbot import QtBot

from asyncdesk.core.clock import FixedClock
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.deadlines_panel import MAX_PER_GROUP, DeadlinesPanel
from asyncdesk.ui.tasks import TaskRunner


def test_a_long_group_lists_its_soonest_and_counts_the_rest(
    qtbot: QtBot, make_profile: Callable[..., ProfilePaths], open_store: Callable, clock: FixedClock
) -> None:
    paths = make_profile(600)  # most need a reply; all were due long ago at this clock
    store = open_store(paths.root)
    later = FixedClock(clock.now() + timedelta(days=10))
    tasks = TaskRunner()
    panel = DeadlinesPanel(tasks, later)
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(panel.loaded, timeout=10_000):
            panel.set_store(store)
        (header,) = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
        total = int(header.text(0).split("(")[1].rstrip(")"))
        assert total > MAX_PER_GROUP
        assert header.childCount() == MAX_PER_GROUP + 1
        more = header.child(MAX_PER_GROUP).text(0)
        assert more == f"… and {total - MAX_PER_GROUP} more (the sidebar's views list them all)"
    finally:
        panel.set_store(None)
        tasks.shutdown()
