"""Mail HTML cleaned for showing: every way a message could reach the network alone is
gone, what a reader needs stays. The inputs are the shapes real marketing, tracking
and phishing mail uses."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from asyncdesk.services.safe_html import sanitize

HOSTILE = """
<html><head>
<title>Deal</title>
<link rel="stylesheet" href="https://track.example/style.css">
<style>@import url(https://track.example/import.css); body{background:url(https://t.example/bg.png)}</style>
<script src="https://track.example/x.js"></script>
<meta http-equiv="refresh" content="0;url=https://phish.example/">
<base href="https://track.example/">
</head>
<body onload="fetch('https://track.example/onload')" background="https://t.example/body.png">
<p style="background-image:url(https://t.example/p.png)">Hello <b>Ada</b></p>
<img src="https://track.example/pixel.gif?u=ada" width="1" height="1">
<img src="http://cdn.example/logo.png" alt="Logo">
<img src="cid:part1@example" alt="inline">
<img src="data:image/png;base64,iVBORw0KGgo=" alt="data">
<img srcset="https://t.example/2x.png 2x" src="//t.example/protocol-relative.png">
<a href="https://shop.example/offer" onclick="steal()">Offer</a>
<a href="javascript:alert(1)">js</a>
<form action="https://phish.example/login"><input name="pw"></form>
<iframe src="https://track.example/frame"></iframe>
<object data="https://track.example/obj"></object>
<svg><image href="https://track.example/svg.png"/></svg>
<video poster="https://track.example/poster.png"></video>
<table background="https://t.example/table.png"><tr><td>cell</td></tr></table>
</body></html>
"""


def urls(html: str) -> set[str]:
    return set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", html))


def test_nothing_that_loads_by_itself_survives() -> None:
    safe = sanitize(HOSTILE)
    # Only the link the reader may click stays; no other URL is left in the markup.
    assert urls(safe.html) == {"https://shop.example/offer"}
    for gone in ("<script", "<style", "<link", "<form", "<iframe", "<object", "<svg",
                 "<video", "<meta", "<base", "onload", "onclick", "style=", "javascript:",
                 "background="):  # fmt: skip
        assert gone not in safe.html, gone
    assert "Hello <b>Ada</b>" in safe.html
    assert 'src="cid:part1@example"' in safe.html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in safe.html
    assert 'rel="noopener noreferrer"' in safe.html
    assert "<td>cell</td>" in safe.html


def test_remote_images_are_listed_and_only_loaded_when_the_user_allows() -> None:
    blocked = sanitize(HOSTILE)
    assert blocked.remote_images == [
        "https://track.example/pixel.gif?u=ada",
        "http://cdn.example/logo.png",
    ]
    assert blocked.blocked == 2
    allowed = sanitize(HOSTILE, allow_remote_images=True)
    assert 'src="https://track.example/pixel.gif?u=ada"' in allowed.html
    assert 'src="http://cdn.example/logo.png"' in allowed.html
    # Still no stylesheet, script, frame or protocol-relative image.
    assert urls(allowed.html) == {
        "https://shop.example/offer",
        "https://track.example/pixel.gif?u=ada",
        "http://cdn.example/logo.png",
    }


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_input_is_cleaned_without_raising(text: str) -> None:
    safe = sanitize(text + '<img src="https://t.example/x.png">')
    assert "https://t.example/x.png" not in safe.html
    assert "<script" not in safe.html.lower()


def test_a_blocked_image_shows_its_alt_text_and_a_pixel_shows_nothing() -> None:
    blocked = sanitize(HOSTILE).html
    assert "[Logo]" in blocked
    assert "<img" not in blocked.replace('<img src="cid:', "").replace('<img src="data:', "")
    allowed = sanitize(HOSTILE, allow_remote_images=True).html
    assert "[Logo]" not in allowed
