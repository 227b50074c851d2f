"""Links to recorded video in a message's text: a Loom, a Zoom recording, YouTube,
Vimeo, or a plain video file.

:func:`video_link` returns the first such link in the text (``None`` if there is none);
:func:`has_video_link` says whether there is one. What counts:

- ``loom.com/share/…`` and ``loom.com/embed/…``;
- ``zoom.us/rec/…`` (any subdomain: ``us02web.zoom.us/rec/share/…``);
- ``youtube.com/watch?v=…``, ``youtube.com/shorts/…``, ``youtube.com/live/…``,
  ``youtu.be/…`` (``www.`` and ``m.`` too);
- ``vimeo.com/<number>`` and ``player.vimeo.com/video/…``;
- any ``http(s)`` link whose path ends in ``.mp4``, ``.webm``, ``.mov`` or ``.m4v``
  (a query or fragment may follow).

Not a meeting link (``zoom.us/j/…`` is a call to join, not a recording), nor a channel
or home page (``youtube.com/@name``, ``vimeo.com/about``). Pure and thread-safe; the
pattern is compiled once, and the text is read up to :data:`MAX_CHARS` characters.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["MAX_CHARS", "has_video_link", "video_link"]

#: The text is read up to this many characters (a link further down is not looked for).
MAX_CHARS: Final = 100_000

_HOST_PREFIX: Final = r"(?:[a-z0-9-]+\.)*"
_VIDEO: Final = re.compile(
    r"\bhttps?://(?:"
    rf"{_HOST_PREFIX}loom\.com/(?:share|embed)/[\w-]+"
    rf"|{_HOST_PREFIX}zoom\.us/rec/[\w/?=&%.-]+"
    r"|(?:www\.|m\.)?youtube\.com/(?:watch\?(?:[\w=&%-]*&)?v=[\w-]+|shorts/[\w-]+|live/[\w-]+)"
    r"|youtu\.be/[\w-]+"
    r"|(?:www\.)?vimeo\.com/\d+"
    r"|player\.vimeo\.com/video/\d+"
    # Bounded (a host, a path of at most 2,000 characters): linear on any text.
    r"|[^\s/<>\"']{1,255}/[^\s<>\"'?#]{0,2000}\.(?:mp4|webm|mov|m4v)(?=[?#\s<>\"')\]]|$)"
    r")",
    re.IGNORECASE,
)
# Cheap test before the pattern: every link it finds holds one of these.
_HINTS: Final = ("loom.", "zoom.", "youtu", "vimeo.", ".mp4", ".webm", ".mov", ".m4v")


def video_link(text: str) -> str | None:
    """The first link to recorded video in ``text``, as written; ``None`` if none."""
    text = text[:MAX_CHARS]
    if "://" not in text:  # every link it finds has one: most texts end here
        return None
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return None
    found = _VIDEO.search(text)
    return None if found is None else found.group(0)


def has_video_link(text: str) -> bool:
    """Whether ``text`` links to recorded video (see the module docstring)."""
    return video_link(text) is not None
