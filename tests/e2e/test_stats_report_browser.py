"""The weekly HTML report in a real browser: it loads nothing from the network and its
charts are drawn.

A profile with a real week (mail and chat accounts, replies, a newsletter, windows and
deep work, and a break-glass whose reason is hostile markup) is exported with the same
code as ``asyncdesk stats --format html`` and opened in headless Chromium
(``tests/chromium.py``) over the DevTools protocol. Requests are read from the page's
own ``Network`` events, so the browser's background traffic (which the recording proxy
also sees) cannot make the test flaky, and nothing a regression adds can reach the
network: the proxy answers nothing and the resolver knows no name. Charts count as
shown when each SVG has a real size, filled shapes, and coloured pixels in a screenshot
of its area. (What a browser fetches without a request event, such as a DNS prefetch,
is kept out by the unit tests: the page has no ``href``, ``src`` or ``url(`` at all.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chromium import Chromium, chromium, find_chromium
from factories import add_test_account, chat, email, store_triaged

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_clock, parse_days
from asyncdesk.core.stats import parse_week
from asyncdesk.services.profile import user_timezone, write_setting
from asyncdesk.services.schedule import change_schedule, open_inbox
from asyncdesk.services.stats import compute, render, write_atomically
from asyncdesk.store.database import Store

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Debian's chromium (apt-get install chromium); scripts/test installs it as root",
)

MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, week 2026-W47
EXPORTED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Escaped, this is text; unescaped, the image would be a request the test sees.
HOSTILE_REASON = 'server down <img src="https://attacker.example/pixel.png"> <script>x()</script>'

CHARTS_JS = """
[...document.querySelectorAll("svg")].map((svg) => {
  const box = svg.getBoundingClientRect();
  const filled = [...svg.querySelectorAll("rect, path, circle, polygon")].filter((shape) => {
    const style = getComputedStyle(shape);
    const size = shape.getBBox();
    const transparent = /rgba\\(.*, 0\\)$/.test(style.fill) || style.fill === "none";
    return size.width * size.height >= 16 && !transparent && style.display !== "none"
      && style.visibility !== "hidden" && Number(style.opacity) > 0;
  });
  return {
    label: svg.getAttribute("aria-label"),
    x: box.left + window.scrollX, y: box.top + window.scrollY,
    width: box.width, height: box.height, filled: filled.length,
  };
})
"""


def _block(kind: BlockKind, start: str, end: str) -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days("mon-fri"), parse_clock(start), parse_clock(end))


def build_week(root: Path) -> Path:
    """A profile with a real week 2026-W47 in Berlin, exported as HTML; returns the file."""
    clock = FixedClock(MONDAY - timedelta(days=14))
    with Store.open(root / "profile") as store:
        write_setting(store, declared.TIMEZONE, "Europe/Berlin")
        change_schedule(
            store,
            clock,
            lambda schedule: (
                schedule.with_weekly(_block(BlockKind.WINDOW, "09:00", "09:30"))
                .with_weekly(_block(BlockKind.DEEP_WORK, "09:30", "12:00"))
                .with_weekly(_block(BlockKind.WINDOW, "16:00", "16:30"))
            ),
        )
        mail = add_test_account(store, "work mail")
        team = add_test_account(store, "team chat", AccountKind.MATRIX, ("@me:example.org",))
        messages = []
        for day in range(5):
            for number, (hours, wait) in enumerate(((0.2, 0.1), (3, 5), (7, 30), (26, None))):
                at = MONDAY + timedelta(days=day, hours=hours)
                name = f"d{day}n{number}"
                messages.append(email(name, at=at, subject=f"Question {name}"))
                if wait is not None:
                    messages.append(
                        email(
                            f"{name}-re",
                            at=at + timedelta(hours=wait),
                            direction=Direction.OUTBOUND,
                            sender="me@example.com",
                            conversation=f"{name}@mail.example",
                        )
                    )
        messages.append(
            email(
                "newsletter",
                at=MONDAY + timedelta(days=2, hours=1),
                sender="news@lists.example.org",
                headers={"List-Id": "<weekly.lists.example.org>", "Precedence": "list"},
            )
        )
        store_triaged(store, mail, messages)
        room = "!project:example.org"
        store_triaged(
            store,
            team,
            [
                chat("c1", room=room, at=MONDAY + timedelta(hours=1), mention=True),
                chat("c2", room=room, at=MONDAY + timedelta(days=1, hours=2), direct=True),
                chat(
                    "c3",
                    room=room,
                    at=MONDAY + timedelta(days=1, hours=2, minutes=40),
                    direction=Direction.OUTBOUND,
                    sender="@me:example.org",
                ),
            ],
        )
        # Tuesday 21:10 in Berlin: closed, so opening the inbox breaks the glass.
        open_inbox(
            store, FixedClock(MONDAY + timedelta(days=1, hours=12, minutes=10)), HOSTILE_REASON
        )

        week = parse_week("2026-W47", user_timezone(store))
        stats = compute(store, week, EXPORTED)
    assert stats.totals.received == 23
    assert stats.totals.needs_reply == 22  # not the newsletter
    assert stats.totals.replied == 17  # one chat reply answers both earlier messages
    assert stats.windows == 10
    assert stats.break_glass_reasons == [HOSTILE_REASON]
    report = root / "asyncdesk-2026-W47.html"
    write_atomically(report, render(stats, "html"))
    return report


@dataclass
class Shown:
    requests: list[str]
    log: list[str]
    proxied: list[str]
    charts: list[dict[str, Any]]
    reasons: list[str]
    screenshot: bytes


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    assert CHROMIUM is not None
    with chromium(CHROMIUM) as running:
        yield running


def show(browser: Chromium, report: Path) -> Shown:
    with browser.page(report.as_uri(), width=1200, height=900) as page:
        return Shown(
            requests=page.requests(),
            log=page.log(),
            proxied=page.proxied(),
            charts=page.evaluate(CHARTS_JS),
            reasons=page.evaluate(
                '[...document.querySelectorAll("ol.reasons li")].map((li) => li.textContent)'
            ),
            screenshot=page.screenshot(),
        )


def coloured_share(png: bytes, chart: dict[str, Any]) -> float:
    """The share of pixels in the chart's area that are clearly coloured (the bars),
    not white, grey text or grid lines."""
    from PySide6.QtGui import QImage

    image = QImage()
    assert image.loadFromData(png, "PNG")
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    left, top = round(chart["x"]), round(chart["y"])
    width, height = round(chart["width"]), round(chart["height"])
    assert left + width <= image.width()
    assert top + height <= image.height()
    pixels = bytes(image.constBits())
    stride = image.bytesPerLine()
    coloured = total = 0
    for y in range(top, top + height, 2):
        row = pixels[y * stride + left * 3 : y * stride + (left + width) * 3]
        for x in range(0, len(row), 6):
            r, g, b = row[x], row[x + 1], row[x + 2]
            total += 1
            coloured += max(r, g, b) - min(r, g, b) > 40
    return coloured / total


def test_the_report_loads_nothing_and_draws_its_charts(browser: Chromium, tmp_path: Path) -> None:
    report = build_week(tmp_path)
    shown = show(browser, report)

    assert shown.requests == [report.as_uri()], f"the page fetched: {shown.requests}"
    assert shown.log == []  # a blocked or failed load would be logged here
    assert shown.reasons == [HOSTILE_REASON]  # shown as text, not markup

    assert [chart["label"].split(":")[0] for chart in shown.charts] == [
        "Received per day",
        "Response times",
        "Promise kept",
        "Windows (10)",
    ]
    for chart in shown.charts:
        assert chart["width"] >= 600, chart
        assert chart["height"] >= 100, chart
        assert chart["filled"] >= 2, chart  # two bars at the least
        assert coloured_share(shown.screenshot, chart) > 0.02, chart


def test_a_page_that_fetches_is_caught(browser: Chromium, tmp_path: Path) -> None:
    """The detector itself: a stylesheet, a font and an image from the network, each
    seen, and none of them reaching past the local proxy."""
    page_file = tmp_path / "leaky.html"
    page_file.write_text(
        "<!DOCTYPE html><html><head>"
        '<link rel="stylesheet" href="https://cdn.example/pygal.css">'
        "<style>@font-face{font-family:F;src:url(https://fonts.example/f.woff2)}"
        "body{font-family:F}</style></head>"
        '<body><p>hello</p><img src="http://img.example/x.png"></body></html>',
        encoding="utf-8",
    )
    shown = show(browser, page_file)
    assert sorted(shown.requests[1:]) == [
        "http://img.example/x.png",
        "https://cdn.example/pygal.css",
        "https://fonts.example/f.woff2",
    ]
    assert shown.charts == []
    # Every one of them ended at the recording proxy, which answered nothing.
    assert {"GET http://img.example/x.png HTTP/1.1", "CONNECT cdn.example:443 HTTP/1.1"} <= set(
        shown.proxied
    )
