"""The weekly stats as one self-contained HTML page with charts (``stats --format html``).

What the page promises:
- **One file, nothing fetched.** No script, no external stylesheet, font or image. The
  charts are inline SVG drawn by pygal with its JavaScript off (``js=[]``); an XML
  filter removes the inline ``<script>`` holding pygal's tooltip config and the comments
  naming its homepage, so the only URIs left in the page are the SVG namespace names
  (``http://www.w3.org/2000/svg``, ``.../1999/xlink``), which nothing fetches. A browser
  test opens the page in headless Chromium and fails on any request.
- **Readable in print.** Light backgrounds only, every chart at a fixed size (its
  ``width``/``height`` attributes, scaled down only to fit the page) with its numbers
  printed on it (tooltips need JavaScript), and sections kept whole across pages.
- **Escaped.** Every string that comes from the user (account names, break-glass
  reasons, the time zone) goes through :func:`html.escape`; the chart labels are built
  by pygal with ElementTree, which escapes them too.
- **Undefined numbers** (``None``) show as "—" with the reason next to them.
- **Deterministic.** The same :class:`WeekStats` gives the same bytes: fixed chart ids,
  no date of today (pygal's own date comment is removed).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from html import escape
from typing import Any
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from asyncdesk.core.stats import MessageStats, WeekStats

# pygal appends to sys.meta_path an import hook for its map plugins that has only the
# legacy find_module(); on Python 3.11 every failed import anywhere in the process then
# warns (ImportWarning), which -W error turns into a crash (pickle's own optional
# import does it). We draw no maps, so the hook goes. Upstream: Kozea/pygal pull 532.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)
]

DASH = "—"
NO_REPLIES = "no replies this week"
NO_PROMISES = "no promise fell due this week"

# Response-time buckets for the distribution: (upper bound in minutes, label).
BUCKETS: tuple[tuple[float, str], ...] = (
    (15, "< 15 min"),
    (60, "15–60 min"),
    (4 * 60, "1–4 h"),
    (24 * 60, "4–24 h"),
    (48 * 60, "1–2 d"),
    (math.inf, "> 2 d"),
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif'
_INK = "#1f2933"
_MUTED = "#616e7c"
_BLUE = "#3b6e99"
_PALE_BLUE = "#a9c4dc"
_GREEN = "#4f8a5b"
_AMBER = "#d08c2f"

# Charts are drawn at this size (CSS pixels) and never stretched, only shrunk to fit.
CHART_WIDTH = 820


# --------------------------------------------------------------------------- numbers


#: How human_minutes names its units; the window passes its own, translated.
UNITS = {"d": "{n} d", "h": "{n} h", "min": "{n} min", "under": "under 1 min"}


def human_minutes(
    minutes: float, *, with_days: bool = True, units: dict[str, str] | None = None
) -> str:
    """A duration for people, to the nearest minute: ``45 min``, ``2 h 15 min``,
    ``3 d 4 h`` (days and hours only from a day up); ``with_days=False`` counts in hours
    (``76 h``), as time scheduled over a week reads best. ``units`` replaces the
    templates of :data:`UNITS` (a translation)."""
    named = units or UNITS

    def unit(key: str, n: int) -> str:
        return named[key].format(n=n)

    if minutes <= 0:
        return unit("min", 0)
    if minutes < 0.5:
        return named["under"]
    whole = round(minutes)
    days, rest = divmod(whole, 24 * 60) if with_days else (0, whole)
    hours, mins = divmod(rest, 60)
    if days:
        hours = round(rest / 60)
        if hours == 24:
            days, hours = days + 1, 0
        return f"{unit('d', days)} {unit('h', hours)}" if hours else unit("d", days)
    if hours:
        return f"{unit('h', hours)} {unit('min', mins)}" if mins else unit("h", hours)
    return unit("min", mins)


def _pct(value: float) -> str:
    """``73%``; one decimal where rounding would claim all or nothing (``99.6%``)."""
    if 0 < value < 0.5 or 99.5 <= value < 100:
        return f"{value:.1f}%"
    return f"{value:.0f}%"


def _day_label(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day}"


def _long_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def bucket_counts(response_minutes: Sequence[float]) -> list[int]:
    """How many response times fall in each of :data:`BUCKETS` (lower bound included)."""
    counts = [0] * len(BUCKETS)
    for value in response_minutes:
        for index, (upper, _) in enumerate(BUCKETS):
            if value < upper:
                counts[index] += 1
                break
    return counts


# --------------------------------------------------------------------------- charts


def _style(colors: Sequence[str]) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground=_INK,
        foreground_strong=_INK,
        foreground_subtle="#cbd2d9",
        font_family=_FONT,
        label_font_size=13,
        major_label_font_size=13,
        value_font_size=13,
        value_label_font_size=12,
        legend_font_size=13,
        title_font_size=15,
        no_data_font_size=16,
        guide_stroke_color="#e4e7eb",
        major_guide_stroke_color="#e4e7eb",
        guide_stroke_dasharray="0",
        major_guide_stroke_dasharray="0",
        opacity="1",
        opacity_hover="1",
        stroke_opacity="1",
        stroke_opacity_hover="1",
        transition="0ms",
        colors=tuple(colors),
    )


def _classes(element: Any) -> set[str]:
    return set(str(element.get("class", "")).split())


def _present(root: Any, light_values_on: Sequence[int]) -> None:
    """Repeat as SVG attributes what pygal's stylesheet says about label placement and
    value colours, for renderers with partial CSS (Qt's SVG module, which draws these
    charts in the app's Stats view). Browsers let the stylesheet win, as before."""
    light = {f"color-{index}" for index in light_values_on}
    for group in root.iter():
        classes = _classes(group)
        if "axis" in classes and ("x" in classes or "y" in classes):
            anchor = "middle" if "x" in classes else "end"
            for text in group.iter():
                if text.tag.endswith("text") and text.get("transform") is None:
                    text.set("text-anchor", anchor)
        elif classes & {"centered", "no_data", "title"} and group.tag.endswith("text"):
            group.set("text-anchor", "middle")
        elif "series" in classes:
            fill = "#fff" if classes & light else _INK
            for text in group.iter():
                if text.tag.endswith("text") and "value" in _classes(text):
                    text.set("style", f"fill:{fill};opacity:1;stroke:none")


def _finish(description: str, light_values_on: Sequence[int] = ()) -> Callable[[Any], Any]:
    """pygal's XML filter for one chart: drop every ``<script>`` and comment (see the
    module doc), name the figure by ``description`` (pygal titles it "Pygal") and spell
    out the stylesheet's placement (:func:`_present`)."""
    namespace = f"{{{pygal.svg.Svg.ns}}}"

    def finish(root: Any) -> Any:
        _present(root, light_values_on)
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag is ElementTree.Comment or child.tag in (
                    "script",
                    f"{namespace}script",
                ):
                    parent.remove(child)
        for title in root.iter():
            if title.tag in ("title", f"{namespace}title"):
                title.text = description
        root.set("role", "img")
        root.set("aria-label", description)
        return root

    return finish


def _chart(
    kind: Callable[..., Any],
    name: str,
    height: int,
    colors: Sequence[str],
    *,
    light_values_on: Sequence[int] = (),
    **config: Any,
) -> Any:
    """A pygal chart with the report's look; ``light_values_on`` lists the series (by
    index) dark enough to need their printed values in white."""
    chart_id = f"chart-asyncdesk-{name}"
    extra_css = "".join(
        f"#{chart_id} .text-overlay .color-{index} text.value{{fill:#fff}}"
        for index in light_values_on
    )
    settings: dict[str, Any] = {
        "show_legend": False,
        "print_values": True,
        "print_zeroes": False,
        "show_x_guides": False,
        "truncate_label": -1,
        "truncate_legend": -1,
        "margin": 8,
        "spacing": 12,
        **config,
        # Never configurable: no JavaScript (pygal would link its tooltips script from a
        # CDN), pygal's own CSS files (read from its package and inlined) plus ours, no
        # XML declaration inside HTML, and a fixed size.
        "js": [],
        "css": ["file://style.css", "file://graph.css", f"inline:{extra_css}"],
        "disable_xml_declaration": True,
        "explicit_size": True,
        "width": CHART_WIDTH,
        "height": height,
        "style": _style(colors),
    }
    chart = kind(**settings)
    # A fixed id instead of a random UUID: the page is the same bytes for the same stats,
    # and each chart's CSS (scoped by that id) stays its own.
    chart.uuid = chart_id.removeprefix("chart-")
    chart.asyncdesk_light_values = tuple(light_values_on)
    return chart


def _render(chart: Any, description: str) -> str:
    """The chart as SVG markup, named by ``description`` (its title and accessible name,
    escaped by ElementTree like every label)."""
    chart.add_xml_filter(_finish(description, getattr(chart, "asyncdesk_light_values", ())))
    svg: str = chart.render(is_unicode=True)
    return svg


def _nice_step(top: float, steps: int = 5) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that cuts ``[0, top]`` into at most
    ``steps`` parts."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if top / (step * factor) <= steps:
                return step * factor
        step *= 10


def _count_axis(values: Sequence[float]) -> dict[str, Any]:
    """Whole-number y labels for counts (pygal would label 0.5, 1.5, ... for small ones)."""
    top = max([1, *values])
    step = _nice_step(top)
    end = math.ceil(top / step) * step
    return {"y_labels": list(range(0, end + 1, step)), "range": (0, end)}


def received_chart(stats: WeekStats) -> str:
    days = stats.by_day
    needing = [numbers.needs_reply for _, numbers in days]
    other = [numbers.received - numbers.needs_reply for _, numbers in days]
    totals = [numbers.received for _, numbers in days]
    chart = _chart(
        pygal.StackedBar,
        "received",
        300,
        (_BLUE, _PALE_BLUE),
        light_values_on=(0,),
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        print_values_position="center",
        value_formatter=lambda value: f"{value:g}",
        **_count_axis(totals),
    )
    chart.x_labels = [_day_label(day) for day, _ in days]
    chart.add("needs a reply", [value or None for value in needing])
    chart.add("no reply needed", [value or None for value in other])
    description = "Received per day: " + ", ".join(
        f"{_day_label(day)} {total}" for (day, _), total in zip(days, totals, strict=True)
    )
    return _render(chart, description)


def response_chart(stats: WeekStats) -> str:
    counts = bucket_counts(stats.response_minutes)
    chart = _chart(
        pygal.Bar,
        "responses",
        280,
        (_BLUE,),
        light_values_on=(0,),
        value_formatter=lambda value: f"{value:g}",
        **_count_axis(counts),
    )
    chart.x_labels = [label for _, label in BUCKETS]
    chart.add("replies", [count or None for count in counts])
    description = "Response times: " + ", ".join(
        f"{label} {count}" for (_, label), count in zip(BUCKETS, counts, strict=True)
    )
    return _render(chart, description)


def promise_chart(kept_pct: float) -> str:
    chart = _chart(
        pygal.HorizontalStackedBar,
        "promise",
        120,
        (_GREEN, _AMBER),
        light_values_on=(0, 1),
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        print_values_position="center",
        range=(0, 100),
        value_formatter=_pct,
        show_x_labels=False,
        show_y_labels=False,
        show_y_guides=False,
    )
    chart.add("kept", [kept_pct or None])
    chart.add("missed", [(100 - kept_pct) or None])
    return _render(chart, f"Promise kept: {_pct(kept_pct)}, missed {_pct(100 - kept_pct)}")


def time_chart(stats: WeekStats) -> str:
    hours = max(1, math.ceil(max(stats.window_minutes, stats.deep_work_minutes) / 60))
    step = _nice_step(hours, 6)
    end = math.ceil(hours / step) * step
    chart = _chart(
        pygal.HorizontalBar,
        "time",
        150,
        (_GREEN, _BLUE),
        print_values=False,
        range=(0, end * 60),
        y_labels=[{"label": f"{h} h", "value": h * 60} for h in range(0, end + 1, step)],
    )
    # A horizontal chart lists its first label at the bottom: deep work, then windows.
    windows = f"Windows ({stats.windows}): {human_minutes(stats.window_minutes, with_days=False)}"
    deep = f"Deep work: {human_minutes(stats.deep_work_minutes, with_days=False)}"
    chart.x_labels = [deep, windows]
    # One series (each bar centred on its label), a colour per bar.
    chart.add(
        "minutes",
        [
            {"value": stats.deep_work_minutes or None, "color": _GREEN},
            {"value": stats.window_minutes or None, "color": _BLUE},
        ],
    )
    return _render(chart, f"{windows}; {deep}")


# --------------------------------------------------------------------------- page


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _null(value: str | None, reason: str) -> str:
    """A number, or "—" with its reason as a tooltip (the summary also prints it)."""
    if value is not None:
        return escape(value)
    return f'<span class="null" title="{escape(reason)}">{DASH}</span>'


def _minutes_or_null(value: float | None) -> str | None:
    return None if value is None else human_minutes(value)


def _pct_or_null(value: float | None) -> str | None:
    return None if value is None else _pct(value)


def _figure(label: str, value: str, note: str = "") -> str:
    """One summary figure; ``value`` is markup (already escaped), the rest text."""
    extra = f'<div class="note">{escape(note)}</div>' if note else ""
    return (
        f'<div class="figure"><div class="label">{escape(label)}</div>'
        f'<div class="value">{value}</div>{extra}</div>'
    )


def _summary(stats: WeekStats) -> str:
    totals = stats.totals
    median = _minutes_or_null(totals.median_response_minutes)
    p90 = _minutes_or_null(totals.p90_response_minutes)
    kept = _pct_or_null(totals.commitment_kept_pct)
    figures = [
        _figure("Received", str(totals.received)),
        _figure("Needed a reply", str(totals.needs_reply)),
        _figure("Replied", str(totals.replied)),
        _figure("Median response", _null(median, NO_REPLIES), NO_REPLIES if median is None else ""),
        _figure(
            "90th percentile response", _null(p90, NO_REPLIES), NO_REPLIES if p90 is None else ""
        ),
        _figure("Promise kept", _null(kept, NO_PROMISES), NO_PROMISES if kept is None else ""),
        _figure("Overdue, still open", str(totals.overdue_open)),
        _figure(
            "Communication windows",
            str(stats.windows),
            f"{human_minutes(stats.window_minutes, with_days=False)} in all"
            if stats.windows
            else "none scheduled",
        ),
        _figure("Deep work", escape(human_minutes(stats.deep_work_minutes, with_days=False))),
        _figure("Notifications held back", str(stats.notifications_deferred)),
        _figure("Break-glass", str(stats.break_glass), "opened outside a window"),
    ]
    return '<div class="summary">' + "".join(figures) + "</div>"


def _received_section(stats: WeekStats) -> str:
    if stats.totals.received == 0:
        body = '<p class="empty">Nothing was received this week.</p>'
    else:
        body = f'<div class="chart">{received_chart(stats)}</div>'
    return _section("Received per day", body, "Inbound messages by local day.")


def _response_section(stats: WeekStats) -> str:
    totals = stats.totals
    if not stats.response_minutes:
        body = f'<p class="empty">{DASH} No replies this week, so no response times.</p>'
    else:
        body = f'<div class="chart">{response_chart(stats)}</div>'
    lead = "Time from a message to the first reply in its conversation."
    median = totals.median_response_minutes
    p90 = totals.p90_response_minutes
    if median is not None and p90 is not None:
        lead += f" Median {human_minutes(median)}, 90th percentile {human_minutes(p90)}."
    return _section("Response times", body, lead)


def _promise_section(stats: WeekStats) -> str:
    totals = stats.totals
    kept = totals.commitment_kept_pct
    overdue = totals.overdue_open
    open_text = (
        "No message is past its deadline without a reply."
        if overdue == 0
        else f"{overdue} {'message is' if overdue == 1 else 'messages are'} past "
        f"{'its' if overdue == 1 else 'their'} deadline and still open."
    )
    if kept is None:
        body = f'<p class="empty">{DASH} No promise fell due this week. {escape(open_text)}</p>'
    else:
        body = (
            f'<div class="chart">{promise_chart(kept)}</div><p class="after">'
            f"{escape(open_text)} A reply after the deadline counts as replied, not as kept.</p>"
        )
    lead = (
        "Of the messages that needed a reply and whose deadline has passed or that were "
        "answered, the share answered by their deadline."
    )
    return _section("Promise kept", body, lead)


def _time_section(stats: WeekStats) -> str:
    if stats.window_minutes <= 0 and stats.deep_work_minutes <= 0:
        body = (
            '<p class="empty">No windows or deep work were scheduled this week '
            "(without windows the inbox is always open).</p>"
        )
    else:
        body = f'<div class="chart">{time_chart(stats)}</div>'
    windows = _count(stats.windows, "communication window")
    lead = (
        f"Scheduled time: {windows}, {human_minutes(stats.window_minutes, with_days=False)} "
        f"in all, and {human_minutes(stats.deep_work_minutes, with_days=False)} of deep work; "
        f"{_count(stats.notifications_deferred, 'notification')} "
        f"{'was' if stats.notifications_deferred == 1 else 'were'} held back until a window."
    )
    return _section("Deep work and windows", body, lead)


def _break_glass_section(stats: WeekStats) -> str:
    reasons = stats.break_glass_reasons
    if not reasons:
        body = '<p class="empty">The inbox was never opened outside a window.</p>'
    else:
        items = "".join(
            f"<li>{escape(reason) if reason.strip() else '<em>no reason given</em>'}</li>"
            for reason in reasons
        )
        body = f'<ol class="reasons">{items}</ol>'
    count = len(reasons)
    times = {1: "once", 2: "twice"}.get(count, f"{count} times")
    lead = (
        f"The inbox was opened outside a window {times}, each time with a reason." if count else ""
    )
    return _section("Break-glass", body, lead)


def _account_row(name: str, numbers: MessageStats) -> str:
    cells = [
        str(numbers.received),
        str(numbers.needs_reply),
        str(numbers.replied),
        _null(_minutes_or_null(numbers.median_response_minutes), NO_REPLIES),
        _null(_minutes_or_null(numbers.p90_response_minutes), NO_REPLIES),
        _null(_pct_or_null(numbers.commitment_kept_pct), NO_PROMISES),
        str(numbers.overdue_open),
    ]
    return (
        f"<tr><th scope=row>{escape(name)}</th>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
    )


def _account_section(stats: WeekStats) -> str:
    if not stats.by_account:
        return _section("By account", '<p class="empty">No accounts.</p>', "")
    header = (
        "<tr><th scope=col>Account</th><th scope=col>Received</th>"
        "<th scope=col>Needed a reply</th><th scope=col>Replied</th>"
        "<th scope=col>Median response</th><th scope=col>90th percentile</th>"
        "<th scope=col>Promise kept</th><th scope=col>Overdue open</th></tr>"
    )
    rows = [_account_row(name, numbers) for name, numbers in sorted(stats.by_account.items())]
    rows.append(_account_row("All accounts", stats.totals).replace("<tr>", '<tr class="total">'))
    table = f"<table><thead>{header}</thead><tbody>{''.join(rows)}</tbody></table>"
    note = ""
    nulls = [stats.totals, *stats.by_account.values()]
    if any(n.median_response_minutes is None or n.commitment_kept_pct is None for n in nulls):
        note = (
            f'<p class="after">{DASH} in a response column: {NO_REPLIES}; '
            f"in promise kept: {NO_PROMISES}.</p>"
        )
    return _section("By account", table + note, "")


def _section(title: str, body: str, lead: str) -> str:
    """A titled section; ``body`` is markup, ``title`` and ``lead`` are text."""
    intro = f'<p class="lead">{escape(lead)}</p>' if lead else ""
    return f"<section><h2>{escape(title)}</h2>{intro}{body}</section>"


def _header(stats: WeekStats) -> str:
    week = stats.week
    first, last = week.days[0], week.days[-1]
    counted = ""
    if stats.generated_at is not None:
        local: datetime = stats.generated_at.astimezone(week.zone)
        counted = f" · replies counted up to {_long_date(local.date())}, {local:%H:%M}"
    return (
        '<header><p class="kicker">AsyncDesk · weekly communication report</p>'
        f"<h1>Week {week.number}, {week.year}</h1>"
        f'<p class="period">{_long_date(first)} – {_long_date(last)} · '
        f'<span class="zone">{escape(week.zone.key)}</span></p>'
        f'<p class="asof">ISO week {escape(week.label)}{escape(counted)}</p>'
        "</header>"
    )


_CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
html {{ background: #fff; }}
body {{
  margin: 0 auto; padding: 32px 28px 48px; max-width: 880px;
  font: 15px/1.5 {_FONT}; color: {_INK}; background: #fff;
}}
header {{ border-bottom: 1px solid #e4e7eb; padding-bottom: 16px; margin-bottom: 8px; }}
.kicker {{ margin: 0; color: {_MUTED}; font-size: 13px; letter-spacing: .02em; }}
h1 {{ margin: 4px 0 4px; font-size: 28px; font-weight: 600; }}
h2 {{ margin: 0 0 4px; font-size: 19px; font-weight: 600; }}
.period, .lead, .after, .empty {{ color: {_MUTED}; margin: 0 0 12px; }}
.period {{ margin: 0; }}
.asof {{ margin: 2px 0 0; color: {_MUTED}; font-size: 13px; }}
.after {{ margin-top: 8px; font-size: 14px; }}
.empty {{ padding: 16px; border: 1px dashed #cbd2d9; border-radius: 8px; }}
section {{ margin-top: 32px; break-inside: avoid; page-break-inside: avoid; }}
.summary {{
  display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
  gap: 12px; margin-top: 24px;
}}
.figure {{
  border: 1px solid #e4e7eb; border-radius: 8px; padding: 10px 14px; background: #f8fafc;
}}
.figure .label {{ font-size: 13px; color: {_MUTED}; }}
.figure .value {{ font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }}
.figure .note {{ font-size: 12.5px; color: {_MUTED}; }}
.null {{ color: {_MUTED}; }}
.chart svg {{ display: block; max-width: 100%; height: auto; }}
ol.reasons {{ margin: 0; padding-left: 24px; }}
ol.reasons li {{ padding: 2px 0; overflow-wrap: anywhere; }}
table {{ border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }}
th, td {{ padding: 6px 8px; border-bottom: 1px solid #e4e7eb; text-align: right; }}
td {{ white-space: nowrap; }}
th:first-child {{ text-align: left; overflow-wrap: break-word; min-width: 9em; }}
thead th {{ font-size: 13px; font-weight: 600; color: {_MUTED}; vertical-align: bottom; }}
tr.total th, tr.total td {{ font-weight: 600; border-top: 2px solid #cbd2d9; }}
footer {{ margin-top: 40px; color: {_MUTED}; font-size: 12.5px; }}
footer p {{ margin: 4px 0; }}
@page {{ size: A4; margin: 14mm; }}
@media print {{
  body {{ padding: 0; max-width: none; font-size: 10.5pt; }}
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  .summary {{ grid-template-columns: repeat(4, 1fr); gap: 8px; }}
  .figure {{ break-inside: avoid; }}
  .figure .value {{ font-size: 16pt; }}
  section {{ margin-top: 20px; }}
  tr {{ break-inside: avoid; }}
}}
"""

_FOOTER = (
    "<footer>"
    "<p>A week runs from Monday 00:00 to the next Monday 00:00 in the time zone above. "
    "Response time: from a message to the first reply in its conversation (any account, "
    "any device). Promise: the reply-by deadline each message that needs a reply gets.</p>"
    "<p>Made by AsyncDesk on this computer; this page loads nothing from the network.</p>"
    "</footer>"
)


def to_html(stats: WeekStats) -> str:
    """The report of ``stats`` as one self-contained HTML5 document."""
    title = f"AsyncDesk weekly report, {stats.week.label}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Belt and braces: a remote reference a future edit adds stays unfetched, and no
        # script runs whatever the user's text (the browser test still sees either try).
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        _header(stats),
        "<main>",
        _summary(stats),
        _received_section(stats),
        _response_section(stats),
        _promise_section(stats),
        _time_section(stats),
        _break_glass_section(stats),
        _account_section(stats),
        "</main>",
        _FOOTER,
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
