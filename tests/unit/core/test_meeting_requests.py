"""Meeting requests: measured on a labelled set written by hand (tests/data), with
precision and recall asserted overall and recall per language; and the detector never
raises, whatever the text."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncdesk.core.meeting_requests import (
    _MAY_ASK,
    _MAY_ASK_AS_WRITTEN,
    has_calendar_invite,
    is_invitation_subject,
    is_meeting_request,
    meeting_request_phrase,
    normalize,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DATA = DATA_DIR / "meeting_requests.jsonl"
#: Written without sight of the detector or of DATA: ``_dev`` widened the phrase
#: lists, ``_heldout`` is never tuned on (benchmarks/meeting_requests.py).
DEV = DATA_DIR / "meeting_requests_dev.jsonl"
HELDOUT = DATA_DIR / "meeting_requests_heldout.jsonl"
LANGUAGES = {"en", "de", "fr", "es", "nl", "pt", "it"}


def _rows(path: Path = DATA) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def test_the_labelled_set_is_large_varied_and_balanced() -> None:
    rows = _rows()
    assert len(rows) >= 120
    assert {row["lang"] for row in rows} == LANGUAGES
    for lang in LANGUAGES:
        labels = [row["label"] for row in rows if row["lang"] == lang]
        assert labels.count(True) >= 10, lang
        assert labels.count(False) >= 10, lang
    assert all(set(row) == {"subject", "body", "lang", "label"} for row in rows)


def _tallies(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for row in rows:
        found = is_meeting_request(row["subject"], row["body"])
        for key in (row["lang"], "all"):
            if found and row["label"]:
                tallies[key][0] += 1
            elif found:
                tallies[key][1] += 1
            elif row["label"]:
                tallies[key][2] += 1
    return tallies


def test_precision_and_recall_on_the_labelled_set() -> None:
    for key, (tp, fp, fn) in sorted(_tallies(_rows() + _rows(DEV)).items()):
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn)
        print(f"{key}: precision {precision:.3f}, recall {recall:.3f}")
        if key == "all":
            assert precision >= 0.9
            assert recall >= 0.9
        else:
            assert recall >= 0.75, key


def test_on_text_never_tuned_on_a_label_is_rarely_wrong() -> None:
    """The held-out set measures what a user meets: new wording. A missed request
    costs little (the message is still in the inbox); a false "meeting request" label
    on a newsletter or meeting notes would teach the user to ignore the label."""
    rows = _rows(HELDOUT)
    assert len(rows) >= 100
    assert {row["lang"] for row in rows} == LANGUAGES
    tp, fp, fn = _tallies(rows)["all"]
    assert fp / (tp + fp) <= 0.05
    assert tp / (tp + fn) >= 0.5  # 0.585 when first measured


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("", "Can we hop on a call this afternoon?"),
        ("Quick call?", "About the budget."),
        ("", "Könnten wir uns nächste Woche kurz treffen?"),
        ("", "Tu es dispo pour un call demain ?"),
        ("", "¿Podemos reunirnos el lunes?"),
        ("", "Kunnen we morgen even bellen?"),
        ("", "Podemos marcar uma reunião amanhã?"),
        ("", "Possiamo sentirci domani?"),
    ],
)
def test_requests_in_each_language(subject: str, body: str) -> None:
    assert is_meeting_request(subject, body)
    assert meeting_request_phrase(subject, body)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Re: plan", "We met yesterday and agreed on it."),
        ("Call for papers: PyCon", "The call for papers closes on Friday."),
        ("Notes", "The meeting notes are attached."),
        ("Newsletter", "Five ways to run better meetings."),
        ("Thanks for the call", "Thanks for the call earlier, very helpful."),
        ("Re: outage", "Which teams are affected?"),
        ("Re: roadmap", "Können wir heute eine Entscheidung treffen?"),
        ("Fattura", "In allegato la fattura. Ci sentiamo presto!"),
        ("", ""),
    ],
)
def test_what_is_not_a_request(subject: str, body: str) -> None:
    assert not is_meeting_request(subject, body)
    assert meeting_request_phrase(subject, body) is None


def test_a_calendar_invitation_is_a_request_whatever_its_words() -> None:
    body = "See you there.\n\n[attachment: invite.ics]"
    assert has_calendar_invite(body)
    assert has_calendar_invite("x\n\n[attachment: text/calendar]")
    assert not has_calendar_invite("I attached the ics file")
    assert not has_calendar_invite("[attachment: report.pdf]")
    assert is_meeting_request("Design review", "", has_invite=True)
    assert is_invitation_subject("Invitation: Design review @ Tue 2 Dec 2026 14:00 - 15:00 (CET)")
    assert is_invitation_subject("Einladung: Sprint Review @ Do 4. Dez. 2026 10:00")
    assert not is_invitation_subject("Invitation: our winter webinar")


def test_normalize_folds_case_accents_and_spaces() -> None:
    assert normalize("  Können   WIR\u00a0uns  treffen? ") == "konnen wir uns treffen?"
    assert normalize("Réunion d\u2019équipe") == "reunion d'equipe"
    assert normalize("Straße") == "strasse"


@given(st.text(), st.text(), st.booleans())
def test_never_raises_on_any_text(subject: str, body: str, invite: bool) -> None:
    found = is_meeting_request(subject, body, has_invite=invite)
    assert isinstance(found, bool)
    assert invite <= found
    phrase = meeting_request_phrase(subject, body)
    assert phrase is None or isinstance(phrase, str)
    assert isinstance(has_calendar_invite(body), bool)
    assert isinstance(is_invitation_subject(subject), bool)


def _starts(pattern: re.Pattern[str], text: str) -> list[int]:
    return [found.start() for found in pattern.finditer(text)]


def test_the_fast_pass_finds_what_the_phrases_as_written_find() -> None:
    for row in _rows():
        text = normalize(f"{row['subject']}. {row['body']}")
        assert _starts(_MAY_ASK, text) == _starts(_MAY_ASK_AS_WRITTEN, text), text


@given(
    st.lists(
        st.sampled_from(
            [
                "can",
                "we",
                "could",
                "i",
                "let's",
                "hop",
                "on",
                "a",
                "quick",
                "call",
                "meet",
                "phone",
                "zoom",
                "chat",
                "free",
                "for",
                "konnen",
                "wir",
                "uns",
                "kurz",
                "treffen",
                "telefonieren",
                "un",
                "petit",
                "appel",
                "podemos",
                "reunirnos",
                "even",
                "bellen",
                "marcar",
                "uma",
                "reuniao",
                "possiamo",
                "sentirci",
                "?",
                ".",
                "!",
                "15-min",
                "30",
                "minutes",
                "avresti",
                "un",
                "attimo",
                "caffe",
                "insieme",
                "einladung:",
                "invitation:",
                "teams",
                "video",
                "call",
            ]
        ),
        max_size=30,
    )
)
def test_the_fast_pass_agrees_on_any_mix_of_their_words(words: list[str]) -> None:
    text = normalize(" ".join(words))
    assert _starts(_MAY_ASK, text) == _starts(_MAY_ASK_AS_WRITTEN, text)


@given(st.text())
def test_the_fast_pass_agrees_on_any_text(text: str) -> None:
    plain = normalize(text)
    assert _starts(_MAY_ASK, plain) == _starts(_MAY_ASK_AS_WRITTEN, plain)
