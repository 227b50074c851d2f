"""Broken and hostile calendars through ``asyncdesk schedule import-ics FILE``.

A calendar file comes from anywhere: an export, a download, an attachment. Whatever it
holds, the import must answer quickly: either it imports within a bounded time, or it
exits 2 with one clear line and the profile is byte for byte as it was (nothing half
imported). Each case here once hung, took minutes and gigabytes, or is the kind of
input that does (a rule repeating every second, a rule from year 1, INTERVAL=0).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from asyncdesk.cli import main
from asyncdesk.services.calendar_import import (
    MAX_COMPONENTS,
    MAX_FILE_BYTES,
    MAX_OCCURRENCES,
)
from asyncdesk.store.profile import ProfilePaths

#: Seconds an import may take before a person thinks it hangs (here, on 2 slow cores).
IMPORT_SECONDS = 10.0


def ics(body: str, header: str = "") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//hostile//EN\r\n"
        f"{header}{body}END:VCALENDAR\r\n"
    ).encode()


def event(*lines: str, summary: str = "Focus", uid: str = "u") -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\n{body}END:VEVENT\r\n"


def soon(days: int, hour: int = 9) -> str:
    """A UTC DATE-TIME ``days`` from now, so cases stay inside the import window."""
    when = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return f"{when + timedelta(days=days):%Y%m%dT%H%M%SZ}"


def timezone(tzid: str, *rules: str) -> str:
    return f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n{''.join(rules)}END:VTIMEZONE\r\n"


def every(freq: str, *extra: str) -> bytes:
    return ics(event(f"DTSTART:{soon(1)}", f"DTEND:{soon(1, 10)}", f"RRULE:FREQ={freq}", *extra))


#: name -> (file bytes, or a function making big ones when the test runs; a fragment
#: of the one line it is refused with)
REFUSED: dict[str, tuple[bytes | Callable[[], bytes], str]] = {
    "not iCalendar: a PNG": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "not an iCalendar"),
    "truncated": (ics(event(f"DTSTART:{soon(1)}"))[:-40], "truncated"),
    "a huge file": (
        lambda: ics(event(f"DTSTART:{soon(1)}", "DESCRIPTION:" + "x" * MAX_FILE_BYTES)),
        "MB are not imported",
    ),
    "100,000 events": (
        lambda: ics(
            "".join(
                event(f"DTSTART:{soon(1 + i % 300)}", "DURATION:PT30M", uid=f"e{i}")
                for i in range(100_000)
            )
        ),
        f"over {MAX_COMPONENTS:,} components",
    ),
    "every second, forever": (every("SECONDLY"), "its RRULE repeats about"),
    "every minute, forever": (every("MINUTELY"), "its RRULE repeats about"),
    "COUNT=10^9 every second": (every("SECONDLY;COUNT=1000000000"), "its RRULE repeats about"),
    "millions by BYHOUR, BYMINUTE, BYSECOND": (
        every(
            "DAILY;BYHOUR=9,10,11;BYMINUTE="
            + ",".join(map(str, range(60)))
            + ";BYSECOND="
            + ",".join(map(str, range(60)))
        ),
        "its RRULE repeats about",
    ),
    "daily since year 0001": (
        ics(event("DTSTART:00010101T090000Z", "DTEND:00010101T100000Z", "RRULE:FREQ=DAILY")),
        "its RRULE repeats about",
    ),
    "INTERVAL=0": (every("DAILY;INTERVAL=0"), "INTERVAL must be 1 or more"),
    "many RDATEs": (
        ics(
            event(
                f"DTSTART:{soon(1)}",
                "DURATION:PT1M",
                "RDATE:"
                + ",".join(
                    f"{datetime.now(UTC) + timedelta(days=1, minutes=m):%Y%m%dT%H%M00Z}"
                    for m in range(MAX_OCCURRENCES + 10)
                ),
            )
        ),
        f"over {MAX_OCCURRENCES:,} occurrences",
    ),
    "unknown TZID": (
        ics(event("DTSTART;TZID=Mars/Olympus_Mons:20261201T090000")),
        "unknown time zone 'Mars/Olympus_Mons'",
    ),
    "VTIMEZONE with an impossible offset": (
        ics(
            event("DTSTART;TZID=Odd:20261201T090000", "DTEND;TZID=Odd:20261201T100000"),
            header=timezone(
                "Odd",
                "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
                "TZOFFSETFROM:+9900\r\nTZOFFSETTO:-9959\r\nEND:STANDARD\r\n",
            ),
        ),
        "Offset must be less than 24 hours",
    ),
    "VTIMEZONE without rules": (
        ics(event("DTSTART;TZID=Empty:20261201T090000"), header=timezone("Empty")),
        "not a valid iCalendar file",
    ),
    "from year 0001 to 9999": (
        ics(event("DTSTART:00010101T000000Z", "DTEND:99991231T000000Z")),
        "date value out of range",
    ),
}

#: name -> file bytes that import (or import nothing) within the time allowed.
IMPORTED = {
    "RRULE without end": every("DAILY"),
    "RRULE with COUNT=10^9, daily": every("DAILY;COUNT=1000000000"),
    "year 9999": ics(event("DTSTART:99991231T230000Z", "DTEND:99991231T235959Z")),
    "a rule that never matches": every("DAILY;BYMONTH=2;BYMONTHDAY=30"),
    "a VTIMEZONE whose rule repeats every second": ics(
        event("DTSTART;TZID=Loop:20261201T090000", "DTEND;TZID=Loop:20261201T100000"),
        header=timezone(
            "Loop",
            "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
            "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=SECONDLY\r\n"
            "END:STANDARD\r\n",
        ),
    ),
    "components nested 5,000 deep": ics(
        event(f"DTSTART:{soon(2)}", f"DTEND:{soon(2, 10)}")
        + "BEGIN:X\r\n" * 5000
        + "END:X\r\n" * 5000
    ),
    "a 5 MB line": ics(
        event(f"DTSTART:{soon(3)}", f"DTEND:{soon(3, 10)}", "DESCRIPTION:" + "x" * 5_000_000)
    ),
    "5 MB of folded lines": ics(
        event(
            f"DTSTART:{soon(3)}",
            f"DTEND:{soon(3, 10)}",
            "DESCRIPTION:" + "\r\n ".join(["y" * 70] * 70_000),
        )
    ),
}


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A profile with a window and blocks already imported from another calendar."""
    root = tmp_path / "profile"
    for args in (
        ("schedule", "timezone", "Europe/Berlin"),
        ("schedule", "window", "add", "--days", "mon-fri", "--start", "16:00", "--end", "16:30"),
    ):
        code, _, err = run(monkeypatch, capsys, *args, "--profile", str(root))
        assert code == 0, err
    good = tmp_path / "good.ics"
    good.write_bytes(ics(event(f"DTSTART:{soon(4)}", f"DTEND:{soon(4, 10)}", "RRULE:FREQ=WEEKLY")))
    code, out, err = run(
        monkeypatch, capsys, "schedule", "import-ics", str(good), "--profile", str(root)
    )
    assert code == 0, err
    assert out.startswith("Imported ")
    return root


@pytest.mark.parametrize(("data", "said"), REFUSED.values(), ids=REFUSED.keys())
def test_a_hostile_calendar_is_refused_in_one_line_and_changes_nothing(
    data: bytes | Callable[[], bytes],
    said: str,
    profile: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exit 2, one line saying why, quickly, and the profile byte for byte as before."""
    calendar = tmp_path / "hostile.ics"
    calendar.write_bytes(data if isinstance(data, bytes) else data())
    database = ProfilePaths(profile).database
    before = database.read_bytes()
    began = time.perf_counter()
    code, out, err = run(
        monkeypatch, capsys, "schedule", "import-ics", str(calendar), "--profile", str(profile)
    )
    seconds = time.perf_counter() - began
    assert code == 2, out + err
    assert len(err.strip().splitlines()) == 1, err
    assert said in err
    assert len(err) < 300
    assert seconds < IMPORT_SECONDS
    assert database.read_bytes() == before


@pytest.mark.parametrize("data", IMPORTED.values(), ids=IMPORTED.keys())
def test_an_odd_but_valid_calendar_imports_in_bounded_time(
    data: bytes,
    profile: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Odd is not hostile: these import (or find nothing to import) within seconds."""
    calendar = tmp_path / "odd.ics"
    calendar.write_bytes(data)
    began = time.perf_counter()
    code, out, err = run(
        monkeypatch, capsys, "schedule", "import-ics", str(calendar), "--profile", str(profile)
    )
    assert code == 0, err
    assert out.startswith("Imported ")
    assert time.perf_counter() - began < IMPORT_SECONDS
