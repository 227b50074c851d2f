"""The HTML report: its numbers, its escaping, its nulls, and nothing it could fetch."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.stats import InboundFact, MessageStats, Week, WeekStats, week_stats
from asyncdesk.services.stats_report import BUCKETS, bucket_counts, human_minutes, to_html

BERLIN = ZoneInfo("Europe/Berlin")
W47 = Week(2026, 47, BERLIN)
EXPORTED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
HOSTILE = '<script>alert("pwned")</script>&'


def numbers(**overrides: object) -> MessageStats:
    values: dict[str, object] = {
        "received": 12,
        "needs_reply": 7,
        "replied": 5,
        "median_response_minutes": 135.0,
        "p90_response_minutes": 1530.0,
        "commitment_kept_pct": 80.0,
        "overdue_open": 1,
    }
    values.update(overrides)
    return MessageStats(**values)  # type: ignore[arg-type]


def a_week(**overrides: object) -> WeekStats:
    days = W47.days
    values: dict[str, object] = {
        "week": W47,
        "totals": numbers(),
        "by_account": {"work mail": numbers(received=9), "team chat": numbers(received=3)},
        "by_day": [
            (day, numbers(received=count, needs_reply=min(count, 2)))
            for day, count in zip(days, (4, 3, 0, 2, 3, 0, 0), strict=True)
        ],
        "windows": 10,
        "window_minutes": 300.0,
        "deep_work_minutes": 1500.0,
        "notifications_deferred": 4,
        "break_glass_reasons": ["client outage", "contract due"],
        "response_minutes": [3.0, 20.0, 135.0, 300.0, 1530.0, 4000.0],
        "generated_at": EXPORTED,
    }
    values.update(overrides)
    return WeekStats(**values)  # type: ignore[arg-type]


class Page(HTMLParser):
    """The parts of the report a reader sees: summary figures, list items, table rows."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.reasons: list[str] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._stack: list[tuple[str, str]] = []
        self._buffer: list[str] = []
        self._label = ""
        self.feed(markup)
        self.close()

    def _in_chart(self) -> bool:
        return any(tag == "svg" for tag, _ in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if self._in_chart():
            classes = "(chart)"  # pygal's classes ("value", "label") are not the page's
        self._stack.append((tag, classes))
        if tag == "tr":
            self.rows.append([])
        if tag in {"li", "td", "th"} or classes in {"label", "value"}:
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, classes = self._stack.pop()
            if open_tag == tag:
                break
        text = " ".join("".join(self._buffer).split())
        if classes == "(chart)":
            return
        if classes == "label":
            self._label = text
        elif classes == "value":
            self.figures[self._label] = text
        elif tag == "li":
            self.reasons.append(text)
        elif tag in {"td", "th"} and self.rows:
            self.rows[-1].append(text)

    def handle_data(self, data: str) -> None:
        if self._in_chart() or any(tag == "style" for tag, _ in self._stack):
            return
        self._buffer.append(data)
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join("".join(self.text).split())


def svgs(markup: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", markup, flags=re.DOTALL)


def test_the_summary_shows_every_number_in_a_human_form() -> None:
    page = Page(to_html(a_week()))
    assert page.figures == {
        "Received": "12",
        "Needed a reply": "7",
        "Replied": "5",
        "Median response": "2 h 15 min",
        "90th percentile response": "1 d 2 h",
        "Promise kept": "80%",
        "Overdue, still open": "1",
        "Communication windows": "10",
        "Deep work": "25 h",
        "Notifications held back": "4",
        "Break-glass": "2",
    }
    assert "10 communication windows, 5 h in all" in page.plain
    assert "4 notifications were held back" in page.plain
    assert page.reasons == ["client outage", "contract due"]
    assert "Week 47, 2026" in page.plain
    assert "Mon 16 Nov 2026 – Sun 22 Nov 2026" in page.plain
    assert "Europe/Berlin" in page.plain
    assert "ISO week 2026-W47 · replies counted up to Wed 25 Nov 2026, 11:00" in page.plain


def test_one_table_row_per_account_and_one_for_all() -> None:
    page = Page(to_html(a_week()))
    body = [row for row in page.rows if row and row[0] not in {"Account", ""}]
    assert body == [
        ["team chat", "3", "7", "5", "2 h 15 min", "1 d 2 h", "80%", "1"],
        ["work mail", "9", "7", "5", "2 h 15 min", "1 d 2 h", "80%", "1"],
        ["All accounts", "12", "7", "5", "2 h 15 min", "1 d 2 h", "80%", "1"],
    ]


def test_four_charts_each_valid_svg_with_their_numbers() -> None:
    markup = to_html(a_week())
    charts = svgs(markup)
    assert len(charts) == 4
    for chart in charts:
        root = ElementTree.fromstring(chart)  # whole, well-formed SVG
        assert root.get("width") == "820"  # a fixed size, also in print
        assert root.get("height")
    received, responses, promise, time = charts
    assert 'aria-label="Received per day: Mon 16 4, Tue 17 3, Wed 18 0' in received
    labels = ", ".join(f"{label} 1" for _, label in BUCKETS)
    assert (
        f'aria-label="Response times: {labels}"'.replace(">", "&gt;").replace("<", "&lt;")
        in responses
    )
    assert "80%" in promise
    assert "20%" in promise
    assert "Windows (10): 5 h" in time
    assert "Deep work: 25 h" in time


def test_the_same_stats_give_the_same_bytes() -> None:
    assert to_html(a_week()) == to_html(a_week())


def test_user_text_is_escaped_everywhere() -> None:
    stats = a_week(
        by_account={HOSTILE: numbers(), "fine": numbers()},
        break_glass_reasons=[HOSTILE, "  ", "x </li></ol><img src=x onerror=alert(1)>"],
    )
    markup = to_html(stats)
    assert "<script" not in markup.lower()
    assert "<img" not in markup.lower()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&amp;" in markup
    page = Page(markup)
    assert page.reasons == [
        HOSTILE,
        "no reason given",
        "x </li></ol><img src=x onerror=alert(1)>",
    ]
    assert [row[0] for row in page.rows][1:3] == [HOSTILE, "fine"]


def test_undefined_numbers_show_a_dash_and_why() -> None:
    stats = a_week(
        totals=numbers(
            replied=0,
            median_response_minutes=None,
            p90_response_minutes=None,
            commitment_kept_pct=None,
        ),
        by_account={
            "quiet": numbers(
                received=0,
                needs_reply=0,
                replied=0,
                median_response_minutes=None,
                p90_response_minutes=None,
                commitment_kept_pct=None,
                overdue_open=0,
            )
        },
        response_minutes=[],
    )
    markup = to_html(stats)
    page = Page(markup)
    assert page.figures["Median response"] == "—"
    assert page.figures["90th percentile response"] == "—"
    assert page.figures["Promise kept"] == "—"
    assert page.plain.count("no replies this week") >= 2  # under each figure
    assert "no promise fell due this week" in page.plain
    assert "No replies this week, so no response times." in page.plain
    assert "No promise fell due this week." in page.plain
    assert ["quiet", "0", "0", "0", "—", "—", "—", "0"] in page.rows
    assert "— in a response column: no replies this week" in page.plain
    assert "None" not in page.plain
    assert "nan" not in page.plain


def test_an_empty_week_reads_calmly_and_draws_no_empty_chart() -> None:
    stats = week_stats(W47, [], EXPORTED)
    markup = to_html(stats)
    page = Page(markup)
    assert svgs(markup) == []
    assert page.figures["Received"] == "0"
    assert page.figures["Median response"] == "—"
    for sentence in (
        "Nothing was received this week.",
        "No replies this week, so no response times.",
        "No promise fell due this week.",
        "No windows or deep work were scheduled this week",
        "The inbox was never opened outside a window.",
        "No accounts.",
    ):
        assert sentence in page.plain


def test_nothing_in_the_page_points_outside_it() -> None:
    markup = to_html(a_week(break_glass_reasons=["see https://status.example.com"]))
    escaped_reason = "see https://status.example.com"
    without_user_text = markup.replace(escaped_reason, "")
    uris = set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", without_user_text))
    assert uris <= NAMESPACES
    for namespace in NAMESPACES & uris:
        # Namespace names only, never a link.
        assert f'xmlns="{namespace}"' in markup or f'xmlns:xlink="{namespace}"' in markup
        assert not re.search(rf"(?:href|src)=\"{re.escape(namespace)}", markup)
    # Stricter still: "http" appears nowhere else, bar the Content-Security-Policy's
    # http-equiv, which is an attribute name.
    rest = without_user_text.replace('http-equiv="Content-Security-Policy"', "")
    for namespace in NAMESPACES:
        rest = rest.replace(namespace, "")
    assert "http" not in rest.lower()
    lowered = markup.lower()
    for pattern in ("<script", "<link", "<img", "<iframe", "@import", "url(", " src=", "href="):
        assert pattern not in lowered, pattern
    # The user's text is shown, not linked.
    assert f"<li>{escaped_reason}</li>" in markup
    # And should an edit ever add a reference or a script, the browser refuses both.
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"" in markup


def test_a_real_week_renders_from_the_core_numbers() -> None:
    monday = W47.start
    facts = [
        InboundFact(
            account="mail",
            received_at=monday + timedelta(hours=9),
            needs_reply=True,
            due_at=monday + timedelta(hours=57),
            dismissed=False,
            first_reply_at=monday + timedelta(hours=9, minutes=45),
        ),
        InboundFact(
            account="chat",
            received_at=monday + timedelta(days=2, hours=10),
            needs_reply=True,
            due_at=monday + timedelta(days=4, hours=10),
            dismissed=False,
            first_reply_at=None,
        ),
    ]
    stats = week_stats(W47, facts, EXPORTED, break_glass_reasons=["late night deploy"])
    page = Page(to_html(stats))
    assert page.figures["Received"] == "2"
    assert page.figures["Median response"] == "45 min"
    assert page.figures["Promise kept"] == "50%"
    assert page.figures["Overdue, still open"] == "1"
    assert "1 message is past its deadline and still open." in page.plain


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 min"),
        (0.2, "under 1 min"),
        (0.6, "1 min"),
        (45, "45 min"),
        (60, "1 h"),
        (135, "2 h 15 min"),
        (1439.6, "1 d"),
        (1500, "1 d 1 h"),
        (1530, "1 d 2 h"),
        (3 * 1440 + 4 * 60, "3 d 4 h"),
    ],
)
def test_durations_read_like_people_say_them(minutes: float, text: str) -> None:
    assert human_minutes(minutes) == text


def test_scheduled_time_counts_hours_not_days() -> None:
    assert human_minutes(1500, with_days=False) == "25 h"
    assert human_minutes(1530, with_days=False) == "25 h 30 min"


def test_buckets_include_their_lower_bound() -> None:
    assert bucket_counts([0, 14.99, 15, 59.9, 60, 239, 240, 1439, 1440, 2879, 2880, 99999]) == [
        2,
        2,
        2,
        2,
        2,
        2,
    ]


def test_pygal_leaves_failed_imports_alone() -> None:
    """pygal's legacy import hook is gone: a missing module is an ImportError, not an
    ImportWarning (an error under -W error) from anywhere in the process."""
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("asyncdesk_no_such_module")
