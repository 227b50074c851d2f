"""Links to recorded video: Loom, Zoom recordings, YouTube, Vimeo, plain video files;
not meeting links, channels or pages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncdesk.core.video_links import has_video_link, video_link


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
