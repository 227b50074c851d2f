"""Links to recorded video: a Loom, a Zoom recording, YouTube, Vimeo, or a plain video
file — one rule for the inbox's ``video`` label and for the recordings kept with a
saved answer (asyncdesk.core.answers).

:func:`recording_kind` says what a single link is; :func:`video_link` finds the first
such link in a text, :func:`has_video_link` whether there is one. What counts:

- ``loom.com/share/…``, ``/embed/…``, ``/v/…``;
- ``zoom.us/rec/…`` and ``/recording/…`` (any subdomain: ``us02web.zoom.us/rec/…``);
- ``youtube.com/watch``, ``/shorts/…``, ``/embed/…``, ``/live/…`` and ``youtu.be/…``;
- ``vimeo.com/<number>`` and ``player.vimeo.com/video/…``;
- any ``http(s)`` link whose path ends in a video file's extension.

Not a meeting link (``zoom.us/j/…`` is a call to join, not a recording), nor a channel
or home page (``youtube.com/@name``, ``vimeo.com/about``). Pure and thread-safe; the
text is read up to :data:`MAX_CHARS` characters, and most texts are dismissed by a
cheap look for a hint before any link is parsed.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

__all__ = [
    "MAX_CHARS",
    "URL",
    "has_video_link",
    "recording_kind",
    "trimmed_url",
    "video_link",
]

#: The text is read up to this many characters (a link further down is not looked for).
MAX_CHARS: Final = 100_000

#: A link as written in text (trim it with :func:`trimmed_url`).
URL: Final = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
_VIDEO_FILE: Final = re.compile(r"\.(mp4|m4v|webm|mov|mkv|avi|ogv|wmv|mpe?g)$", re.IGNORECASE)
_VIMEO_PATH: Final = re.compile(r"^/(video/)?\d+")
_TRAILING: Final = ".,;:!?)]}>*_"
# Every recording link holds one of these: most texts are dismissed by them.
_HINTS: Final = ("loom.", "zoom.", "youtu", "vimeo.", ".mp", ".m4v", ".webm", ".mov", ".mkv",
                 ".avi", ".ogv", ".wmv")  # fmt: skip


def trimmed_url(url: str) -> str:
    """A URL without the punctuation of the sentence around it (a ``)`` is kept when
    the URL opened one, as in Wikipedia-style paths)."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def recording_kind(url: str) -> str | None:
    """``loom``, ``zoom``, ``youtube``, ``vimeo`` or ``video`` (a plain video file) for
    a link to a recording; ``None`` for any other link."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = parts.path

    def on(domain: str) -> bool:
        return host == domain or host.endswith("." + domain)

    if on("loom.com") and path.startswith(("/share/", "/embed/", "/v/")):
        return "loom"
    if on("zoom.us") and path.startswith(("/rec/", "/recording/")):
        return "zoom"
    if on("youtu.be") and len(path) > 1:
        return "youtube"
    youtube_paths = ("/shorts/", "/embed/", "/live/", "/v/")
    if (on("youtube.com") or on("youtube-nocookie.com")) and (
        (path == "/watch" and "v=" in parts.query) or path.startswith(youtube_paths)
    ):
        return "youtube"
    if on("vimeo.com") and _VIMEO_PATH.match(path):
        return "vimeo"
    if _VIDEO_FILE.search(path):
        return "video"
    return None


def video_link(text: str) -> str | None:
    """The first link to recorded video in ``text`` (trimmed); ``None`` if none."""
    text = text[:MAX_CHARS]
    if "://" not in text:  # every link has one: most texts end here
        return None
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return None
    for match in URL.finditer(text):
        url = trimmed_url(match.group(0))
        if recording_kind(url) is not None:
            return url
    return None


def has_video_link(text: str) -> bool:
    """Whether ``text`` links to recorded video (see the module docstring)."""
    return video_link(text) is not None
