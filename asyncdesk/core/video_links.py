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
cheap look for a hint before any link is parsed. :func:`video_links` lists every such
link of a text, for the message view's video cards.

Previews (:func:`preview_source`): a still picture of the video, loaded only when the
user asks (or said "always" for that service), and only from a source that needs no
page, script or cookie of the service — one plain request that still tells the service
someone opened a message with this link, which is why the user is asked first:

- YouTube: the static picture ``https://i.ytimg.com/vi/<id>/hqdefault.jpg``. One image
  request to Google's image host, which sets no cookie; no oEmbed (it would be a
  second request to youtube.com itself, only for the title).
- Vimeo: the public oEmbed endpoint ``https://vimeo.com/api/oembed.json?url=…``, whose
  JSON names the picture (``thumbnail_url``, on Vimeo's image CDN) and the title. Two
  requests, neither with a cookie; Vimeo has no static picture address to build from
  the id alone.
- Loom: the public oEmbed endpoint ``https://www.loom.com/v1/oembed?url=…``, likewise
  (``thumbnail_url`` on Loom's CDN, and the title).
- Zoom recordings: none. A recording sits behind a passcode or a sign-in and Zoom
  offers no public oEmbed; anything else would mean loading its web page.
- Plain video files: none. A frame would mean downloading the video itself.

The link handed to oEmbed is rebuilt from the video's id alone (``vimeo.com/<id>``,
``www.loom.com/share/<id>``): the query the sender's link carried (Loom's ``sid=``, a
share's ``?share=copy``) can name the sender's session, and is not passed on. Vimeo's
privacy hash of an unlisted video (``vimeo.com/<id>/<hash>``, ``?h=<hash>``) is kept:
without it the video cannot be found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qs, quote, urlsplit

__all__ = [
    "MAX_CHARS",
    "MAX_LINKS",
    "URL",
    "PreviewSource",
    "has_video_link",
    "preview_source",
    "recording_kind",
    "trimmed_url",
    "video_link",
    "video_links",
]

#: The text is read up to this many characters (a link further down is not looked for).
MAX_CHARS: Final = 100_000

#: :func:`video_links` lists at most this many links (a digest of a hundred videos is
#: not a video message).
MAX_LINKS: Final = 10

#: A link as written in text (trim it with :func:`trimmed_url`).
URL: Final = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
_VIDEO_FILE: Final = re.compile(r"\.(mp4|m4v|webm|mov|mkv|avi|ogv|wmv|mpe?g)$", re.IGNORECASE)
_VIMEO_PATH: Final = re.compile(r"^/(video/)?\d+")
_VIMEO_ID: Final = re.compile(
    r"^/(?:video/)?(\d{1,20})(?:/([0-9a-f]{4,40}))?(?:/|$)", re.IGNORECASE
)
_YOUTUBE_ID: Final = re.compile(r"^[A-Za-z0-9_-]{11}$")
_LOOM_ID: Final = re.compile(r"^/(?:share|embed|v)/([0-9a-f]{10,64})(?:/|$)", re.IGNORECASE)
_HASH: Final = re.compile(r"^[0-9a-f]{4,40}$", re.IGNORECASE)
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


def video_links(text: str) -> list[str]:
    """Every distinct link to recorded video in ``text``, in order, at most
    :data:`MAX_LINKS` (trimmed, as :func:`video_link` finds the first)."""
    text = text[:MAX_CHARS]
    if "://" not in text:
        return []
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return []
    found: list[str] = []
    for match in URL.finditer(text):
        url = trimmed_url(match.group(0))
        if url not in found and recording_kind(url) is not None:
            found.append(url)
            if len(found) == MAX_LINKS:
                break
    return found


@dataclass(frozen=True)
class PreviewSource:
    """Where the still picture of one video comes from (see the module docstring).

    ``service``: ``youtube``, ``vimeo`` or ``loom``; ``site``: who learns that the
    preview was loaded, as the user is told (``youtube.com``); ``base`` and ``path``:
    the one address asked, split so that tests can point ``base`` at a local server;
    ``oembed``: the answer is oEmbed JSON naming the picture (``thumbnail_url``) rather
    than the picture itself.
    """

    service: str
    site: str
    base: str
    path: str
    oembed: bool

    def url(self, base: str | None = None) -> str:
        """The address to ask: ``base`` (default :attr:`base`) followed by the path."""
        return (base or self.base).rstrip("/") + self.path


def _youtube_id(host: str, path: str, query: str) -> str | None:
    if host == "youtu.be" or host.endswith(".youtu.be"):
        candidate = path[1:].split("/", 1)[0]
    elif path == "/watch":
        candidate = (parse_qs(query).get("v") or [""])[0]
    else:
        parts = path.split("/")  # "", "shorts", "<id>", …
        candidate = parts[2] if len(parts) > 2 else ""
    return candidate if _YOUTUBE_ID.match(candidate) else None


def preview_source(url: str) -> PreviewSource | None:
    """Where a preview of the video at ``url`` can be had without any script or
    cookie of the service; ``None`` when there is no such source (Zoom, plain files,
    a link whose video id cannot be read)."""
    kind = recording_kind(url)
    if kind not in {"youtube", "vimeo", "loom"}:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if kind == "youtube":
        video = _youtube_id(host, parts.path, parts.query)
        if video is None:
            return None
        path = f"/vi/{video}/hqdefault.jpg"
        return PreviewSource("youtube", "youtube.com", "https://i.ytimg.com", path, False)
    if kind == "vimeo":
        found = _VIMEO_ID.match(parts.path)
        if found is None:
            return None
        page = f"https://vimeo.com/{found.group(1)}"
        secret = found.group(2) or (parse_qs(parts.query).get("h") or [""])[0]
        if secret and _HASH.match(secret):
            page += f"/{secret}"
        path = "/api/oembed.json?url=" + quote(page, safe="")
        return PreviewSource("vimeo", "vimeo.com", "https://vimeo.com", path, True)
    found = _LOOM_ID.match(parts.path)
    if found is None:
        return None
    page = f"https://www.loom.com/share/{found.group(1)}"
    path = "/v1/oembed?url=" + quote(page, safe="")
    return PreviewSource("loom", "loom.com", "https://www.loom.com", path, True)
