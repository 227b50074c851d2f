"""Saved answers' rules: titles, tags, bodies, queries, recording links, Markdown."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from asyncdesk.core.answers import (
    MAX_BODY_BYTES,
    Answer,
    AnswerSource,
    check_body,
    check_query,
    check_title,
    file_name,
    index_markdown,
    parse_tags,
    query_words,
    recording_kind,
    recording_links,
    slug,
    to_markdown,
)
from asyncdesk.core.errors import BadInput

T = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def test_a_title_is_one_trimmed_line_of_at_most_200_characters() -> None:
    assert check_title("  Pricing FAQ ") == "Pricing FAQ"
    assert check_title("é" * 200) == "é" * 200
    for bad in ("", "   ", "two\nlines", "tab\tinside", "a\u2028b", "x" * 201):
        with pytest.raises(BadInput):
            check_title(bad)


def test_tags_are_trimmed_lower_case_and_deduplicated_in_order() -> None:
    assert parse_tags(None) == ()
    assert parse_tags(" Pricing, onboarding ,PRICING,,video_call,a-b ") == (
        "pricing",
        "onboarding",
        "video_call",
        "a-b",
    )
    assert parse_tags("x" * 40) == ("x" * 40,)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        " , ,",
        "two words",
        "café",
        "a/b",
        "x" * 41,
        "#tag",
        ",".join("t" + str(i) for i in range(21)),
    ],
)
def test_bad_tags_are_refused(bad: str) -> None:
    with pytest.raises(BadInput, match="--tags"):
        parse_tags(bad)


def test_a_body_is_kept_as_written_with_plain_line_ends() -> None:
    assert check_body("Hello\r\nworld\r") == "Hello\nworld\n"
    assert check_body("  indented\n\n") == "  indented\n\n"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("", "empty"),
        (" \n\t\n", "empty"),
        ("a\x00b", "NUL"),
        ("x" * (MAX_BODY_BYTES + 1), "MiB"),
        ("é" * (MAX_BODY_BYTES // 2 + 1), "MiB"),  # under a million characters, over in bytes
        ("caf\udce9", "not valid text"),
    ],
)
def test_bad_bodies_are_refused(body: str, why: str) -> None:
    with pytest.raises(BadInput, match=why):
        check_body(body)


def test_a_body_of_exactly_the_limit_is_taken() -> None:
    assert len(check_body("x" * MAX_BODY_BYTES)) == MAX_BODY_BYTES


def test_queries_need_a_letter_or_digit_and_a_sensible_length() -> None:
    assert check_query("NEAR(a b)") == "NEAR(a b)"
    for bad in ("", "   ", "*", '"', "- * ()", "9" * 501):
        with pytest.raises(BadInput, match="QUERY"):
            check_query(bad)


def test_query_words_keep_phrases_and_drop_bare_operators() -> None:
    assert query_words('refund "net 30" * - NEAR') == ["refund", "net 30", "NEAR"]
    assert query_words('"open phrase') == ["open phrase"]
    assert query_words("ünïcödé 東京") == ["ünïcödé", "東京"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.loom.com/share/0123abcd", "loom"),
        ("https://loom.com/embed/0123abcd", "loom"),
        ("https://us02web.zoom.us/rec/share/AbC.dEf", "zoom"),
        ("https://zoom.us/rec/play/xyz", "zoom"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube"),
        ("https://www.youtube.com/shorts/abc", "youtube"),
        ("https://vimeo.com/123456789", "vimeo"),
        ("https://player.vimeo.com/video/123456789", "vimeo"),
        ("https://files.example.org/demo/Screen%20Recording.MP4", "video"),
        ("https://example.org/clip.webm?download=1", "video"),
        ("https://www.loom.com/pricing", None),
        ("https://zoom.us/j/123456", None),  # a meeting, not a recording
        ("https://www.youtube.com/", None),
        ("https://vimeo.com/about", None),
        ("https://example.org/report.pdf", None),
        ("https://evil-loom.com/share/x", None),
        ("http://[::1", None),
    ],
)
def test_recording_kinds(url: str, kind: str | None) -> None:
    assert recording_kind(url) == kind


def test_recording_links_keep_their_context_line() -> None:
    body = (
        "Hi Ann,\n"
        "\n"
        "Here is the walkthrough of the setup:\n"
        "  https://www.loom.com/share/abc123\n"
        "And the demo (https://youtu.be/xyz), see also https://example.org/docs.\n"
        "Again: https://www.loom.com/share/abc123.\n"
        "https://vimeo.com/42\n"
    )
    links = recording_links(body)
    assert [(link.url, link.context, link.kind) for link in links] == [
        ("https://www.loom.com/share/abc123", "Here is the walkthrough of the setup:", "loom"),
        (
            "https://youtu.be/xyz",
            "And the demo (https://youtu.be/xyz), see also https://example.org/docs.",
            "youtube",
        ),
        (
            "https://vimeo.com/42",
            "Again: https://www.loom.com/share/abc123.",
            "vimeo",
        ),
    ]
    assert recording_links("no links here") == ()
    assert recording_links("https://youtu.be/x")[0].context == "https://youtu.be/x"


def test_slugs_are_ascii_words() -> None:
    assert slug("Pricing: FAQ & refunds (2026)") == "pricing-faq-refunds-2026"
    assert slug("Café crème") == "cafe-creme"
    assert slug("東京") == "answer"
    assert len(slug("word " * 40)) <= 60


def _answer(**changes: object) -> Answer:
    values: dict[str, object] = {
        "id": 7,
        "title": 'Refunds: "the" [policy]',
        "tags": ("billing", "faq"),
        "body": "We refund within 14 days.\nWalkthrough: https://www.loom.com/share/abc\n",
        "created_at": T,
        "updated_at": T,
        "source": AnswerSource(12, "work", "r-1", "Ann", "Refund?", T, "snippet"),
        "links": recording_links("Walkthrough: https://www.loom.com/share/abc"),
    }
    values.update(changes)
    return Answer(**values)  # type: ignore[arg-type]


def _front_matter(markdown: str) -> dict[str, str]:
    head = markdown.split("---\n")[1]
    return {
        line.split(":", 1)[0]: line.split(":", 1)[1].strip()
        for line in head.splitlines()
        if not line.startswith(" ")
    }


def test_markdown_has_front_matter_the_body_and_the_recordings() -> None:
    answer = _answer()
    text = to_markdown(answer)
    assert file_name(answer) == "0007-refunds-the-policy.md"
    front = _front_matter(text)
    assert json.loads(front["title"]) == 'Refunds: "the" [policy]'
    assert json.loads(front["tags"]) == ["billing", "faq"]
    assert front["created"] == "2026-11-23T08:30:00Z"
    assert '  message_id: 12\n  account: "work"' in text
    assert '  text: "snippet"' in text
    assert '  - url: "https://www.loom.com/share/abc"\n    context: "Walkthrough:' in text
    assert "We refund within 14 days.\nWalkthrough: https://www.loom.com/share/abc\n" in text
    assert "## Recordings\n\n- <https://www.loom.com/share/abc> — Walkthrough:" in text
    plain = to_markdown(_answer(source=None, links=(), tags=()))
    assert "source: null\nlinks: []\n---" in plain
    assert "## Recordings" not in plain


def test_a_body_that_looks_like_front_matter_stays_in_the_body() -> None:
    text = to_markdown(_answer(body="---\ntitle: fake\n---\n"))
    assert json.loads(_front_matter(text)["title"]) == 'Refunds: "the" [policy]'


def test_the_index_links_every_answer() -> None:
    text = index_markdown([_answer(), _answer(id=3, title="Second", tags=(), links=())])
    assert '- [Refunds: "the" \\[policy\\]](0007-refunds-the-policy.md) (2026-11-23)' in text
    assert "— billing, faq — 1 recording(s)" in text
    assert "- [Second](0003-second.md) (2026-11-23)\n" in text
    assert "No saved answers yet." in index_markdown([])
