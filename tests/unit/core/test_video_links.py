"""Links to recorded video: Loom, Zoom recordings, YouTube, Vimeo, plain video files;
not meeting links, channels or pages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncdesk.core.video_links import (
    MAX_LINKS,
    has_video_link,
    preview_source,
    video_link,
    video_links,
)


@pytest.mark.parametrize(
    ("text", "link"),
    [
        (
            "Walkthrough: https://www.loom.com/share/0f1e2d3c4b5a?sid=9",
            "https://www.loom.com/share/0f1e2d3c4b5a?sid=9",  # the link as written
        ),
        (
            "https://us02web.zoom.us/rec/share/AbC-dE.xyz?startTime=1",
            "https://us02web.zoom.us/rec/share/AbC-dE.xyz?startTime=1",
        ),
        (
            "watch https://www.youtube.com/watch?v=dQw4w9WgXcQ now",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        (
            "https://m.youtube.com/watch?feature=share&v=abc",
            "https://m.youtube.com/watch?feature=share&v=abc",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ"),
        ("https://vimeo.com/123456789", "https://vimeo.com/123456789"),
        ("https://player.vimeo.com/video/123", "https://player.vimeo.com/video/123"),
        (
            "(https://files.example.com/demo/screen.mp4?dl=1)",
            "https://files.example.com/demo/screen.mp4?dl=1",
        ),
        ("https://cdn.example.org/a/b.WEBM", "https://cdn.example.org/a/b.WEBM"),
        ("see <https://example.com/clip.mov>", "https://example.com/clip.mov"),
    ],
)
def test_video_links_are_found(text: str, link: str) -> None:
    assert video_link(text) == link
    assert has_video_link(text)


@pytest.mark.parametrize(
    "text",
    [
        "Join the meeting: https://zoom.us/j/123456789",
        "https://www.youtube.com/@somechannel",
        "https://vimeo.com/about",
        "https://example.com/movies.html",
        "the file is demo.mp4 on the share",
        "loom.com/share/abc without a scheme",
        "",
    ],
)
def test_what_is_not_a_video_link(text: str) -> None:
    assert video_link(text) is None
    assert not has_video_link(text)


@given(st.text())
def test_never_raises(text: str) -> None:
    found = video_link(text)
    assert found is None or found in text


YT = "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"
VIMEO = "https://vimeo.com/api/oembed.json?url=https%3A%2F%2Fvimeo.com%2F"
LOOM = "https://www.loom.com/v1/oembed?url=https%3A%2F%2Fwww.loom.com%2Fshare%2F"


@pytest.mark.parametrize(
    ("link", "asked"),
    [
        ("https://youtu.be/dQw4w9WgXcQ", YT),
        ("https://youtu.be/dQw4w9WgXcQ?si=tracking&t=30", YT),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", YT),
        ("https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", YT),
        ("https://youtube.com/shorts/dQw4w9WgXcQ?feature=share", YT),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ?start=10", YT),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", YT),
        ("https://www.youtube.com/live/dQw4w9WgXcQ", YT),
        # Loom: the sender's session id (sid=) is not passed on.
        ("https://www.loom.com/share/0f1e2d3c4b5a6978?sid=9f8e", LOOM + "0f1e2d3c4b5a6978"),
        ("https://loom.com/embed/0f1e2d3c4b5a6978", LOOM + "0f1e2d3c4b5a6978"),
        ("https://vimeo.com/123456789", VIMEO + "123456789"),
        ("https://vimeo.com/123456789?share=copy", VIMEO + "123456789"),
        ("https://player.vimeo.com/video/123456789", VIMEO + "123456789"),
        # An unlisted video's privacy hash is kept: without it nothing is found.
        ("https://player.vimeo.com/video/123?h=abc123def", VIMEO + "123%2Fabc123def"),
        ("https://vimeo.com/123/abc123def", VIMEO + "123%2Fabc123def"),
    ],
)
def test_preview_sources_need_no_page_of_the_service(link: str, asked: str) -> None:
    source = preview_source(link)
    assert source is not None
    assert source.url() == asked
    assert source.oembed == (source.service != "youtube")  # YouTube: the picture itself


@pytest.mark.parametrize(
    "link",
    [
        "https://us02web.zoom.us/rec/share/AbC-dE.xyz?startTime=1",  # behind a passcode
        "https://zoom.us/recording/detail?meeting_id=1",
        "https://files.example.com/demo/screen.mp4?dl=1",  # would mean the whole video
        "https://m.youtube.com/watch?feature=share&v=abc",  # not a video id
        "https://example.com/page.html",
    ],
)
def test_no_preview_where_the_service_gives_none_without_tracking(link: str) -> None:
    assert preview_source(link) is None


def test_the_consent_line_can_name_who_learns_of_a_load() -> None:
    sites = {
        preview_source(link).site  # type: ignore[union-attr]
        for link in (
            "https://youtu.be/dQw4w9WgXcQ",
            "https://vimeo.com/1",
            "https://loom.com/share/0123456789ab",
        )
    }
    assert sites == {"youtube.com", "vimeo.com", "loom.com"}


def test_a_local_base_replaces_the_service_for_tests() -> None:
    source = preview_source("https://youtu.be/dQw4w9WgXcQ")
    assert source is not None
    assert source.url("http://127.0.0.1:9/") == "http://127.0.0.1:9/vi/dQw4w9WgXcQ/hqdefault.jpg"


def test_every_video_link_of_a_text_once_in_order() -> None:
    text = (
        "Demo: https://youtu.be/dQw4w9WgXcQ. Again (https://youtu.be/dQw4w9WgXcQ), then "
        "https://vimeo.com/42 and a call https://zoom.us/j/1 and https://x.example/a.mp4"
    )
    assert video_links(text) == [
        "https://youtu.be/dQw4w9WgXcQ",
        "https://vimeo.com/42",
        "https://x.example/a.mp4",
    ]
    many = " ".join(f"https://vimeo.com/{n}" for n in range(MAX_LINKS + 5))
    assert len(video_links(many)) == MAX_LINKS
    assert video_links("no links here") == []


@given(st.text())
def test_previews_never_raise(text: str) -> None:
    for link in video_links(text):
        source = preview_source(link)
        assert source is None or source.url().startswith("https://")
