"""Preview pictures of linked videos, fetched only when the user allowed it.

Where each service's picture comes from, and why only there, is decided in
:mod:`asyncdesk.core.video_links` (:func:`~asyncdesk.core.video_links.preview_source`).
This module does the asking, as quietly as a request can be made: no cookie (no cookie
jar exists), no ``Referer`` (urllib sends none), a plain ``User-Agent: AsyncDesk``, a
5-second timeout, at most :data:`MAX_IMAGE_BYTES` of picture and :data:`MAX_JSON_BYTES`
of oEmbed answer, and nothing but a JPEG, PNG or WebP picture (by its content type
*and* its first bytes) is accepted — a page, a script or a tracking GIF is refused.

A fetched preview is kept in the profile's cache (:func:`preview_cache_dir`), named by
the hash of the address asked, so the same video is asked for once per profile: a
second message with the same link, or the same message opened again, makes no request.

Nothing here decides *whether* to fetch: the message view calls :func:`load_preview`
only after the user clicked **Load preview** or, for that service, said **Always**
(:func:`always_load`, stored as the settings ``video.previews.<service>``, off by
default). Network only (plus the cache files); call it off the GUI thread. Failures are
one-line :class:`PreviewUnavailable` errors.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from asyncdesk.core import settings as declared
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.core.settings import Setting
from asyncdesk.core.video_links import preview_source
from asyncdesk.services.profile import read_setting, write_setting
from asyncdesk.store.database import Store

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_JSON_BYTES",
    "TIMEOUT",
    "Preview",
    "PreviewBases",
    "PreviewUnavailable",
    "always_load",
    "load_preview",
    "preview_cache_dir",
    "set_always_load",
]

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES: Final = 2 * 1024 * 1024
MAX_JSON_BYTES: Final = 64 * 1024
TIMEOUT: Final = 5.0
USER_AGENT: Final = "AsyncDesk"
_IMAGE_TYPES: Final = ("image/jpeg", "image/png", "image/webp")
_TITLE_CHARS: Final = 300

_ALWAYS: Final[dict[str, Setting[bool]]] = {
    "youtube": declared.VIDEO_PREVIEWS_YOUTUBE,
    "vimeo": declared.VIDEO_PREVIEWS_VIMEO,
    "loom": declared.VIDEO_PREVIEWS_LOOM,
}


class PreviewUnavailable(AsyncDeskError):
    """The preview could not be had (one line: why)."""


@dataclass(frozen=True)
class PreviewBases:
    """Where each service is asked, when not at its real address (tests point these at
    a local server); ``None`` keeps the service's own."""

    youtube: str | None = None
    vimeo: str | None = None
    loom: str | None = None

    def base(self, service: str) -> str | None:
        found: str | None = getattr(self, service, None)
        return found


@dataclass(frozen=True)
class Preview:
    """A video's still picture (checked JPEG, PNG or WebP bytes) and, where the
    service gave one (oEmbed), its title."""

    image: bytes
    content_type: str
    title: str | None


def preview_cache_dir(root: Path) -> Path:
    """Where the previews of the profile at ``root`` are kept."""
    return root / "cache" / "video-previews"


def always_load(store: Store, service: str) -> bool:
    """Whether the user said to load ``service``'s previews without asking."""
    setting = _ALWAYS.get(service)
    return setting is not None and read_setting(store, setting)


def set_always_load(store: Store, service: str, on: bool) -> None:
    """Remember (or forget) "always load previews from ``service``"."""
    setting = _ALWAYS.get(service)
    if setting is None:
        raise BadInput(f"{service!r} has no previews to load")
    write_setting(store, setting, on)


def load_preview(link: str, cache: Path, bases: PreviewBases | None = None) -> Preview:
    """The preview of the video at ``link``: from the cache, else fetched (and kept).

    Raises :class:`PreviewUnavailable` (one line) when the link has no preview source or
    the service does not give a proper picture.
    """
    source = preview_source(link)
    if source is None:
        raise PreviewUnavailable("this video link has no preview")
    asked = source.url((bases or PreviewBases()).base(source.service))
    key = hashlib.sha256(asked.encode()).hexdigest()
    cached = _cached(cache, key)
    if cached is not None:
        return cached
    title: str | None = None
    picture = asked
    if source.oembed:
        answer = _oembed(asked)
        found = answer.get("thumbnail_url")
        if not isinstance(found, str) or not found.lower().startswith(("https://", "http://")):
            raise PreviewUnavailable(f"{source.site} gave no preview picture for this video")
        picture = found
        named = answer.get("title")
        if isinstance(named, str) and named.strip():
            title = " ".join(named.split())[:_TITLE_CHARS]
    data, content_type = _image(picture)
    preview = Preview(data, content_type, title)
    _keep(cache, key, preview)
    return preview


# -- the requests ----------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another ``http(s)`` address (never ``ftp:``)."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not newurl.lower().startswith(("https://", "http://")):
            raise PreviewUnavailable("the preview was redirected away from the web")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


# No HTTPCookieProcessor: a cookie is neither kept nor sent.
_OPENER: Final = urllib.request.build_opener(_HttpOnlyRedirects())


def _get(url: str, accept: str, limit: int) -> tuple[bytes, str]:
    """``url``'s body (at most ``limit`` bytes) and content type; one-line errors."""
    if not url.lower().startswith(("https://", "http://")):
        raise PreviewUnavailable("a preview is only loaded over the web")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as answer:
            length = answer.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                raise PreviewUnavailable(_too_big(limit))
            data = answer.read(limit + 1)
            content_type = answer.headers.get_content_type()
    except urllib.error.HTTPError as error:
        raise PreviewUnavailable(f"the preview could not be loaded: HTTP {error.code}") from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        raise PreviewUnavailable(f"the preview could not be loaded: {reason}") from None
    if len(data) > limit:
        raise PreviewUnavailable(_too_big(limit))
    return data, content_type


def _too_big(limit: int) -> str:
    return f"the preview is larger than {limit // 1024} KB"


def _oembed(url: str) -> dict[str, Any]:
    data, content_type = _get(url, "application/json", MAX_JSON_BYTES)
    if not content_type.endswith("json"):
        raise PreviewUnavailable(f"the video service answered {content_type}, not oEmbed JSON")
    try:
        answer = json.loads(data)
    except ValueError:
        raise PreviewUnavailable("the video service's oEmbed answer is not JSON") from None
    if not isinstance(answer, dict):
        raise PreviewUnavailable("the video service's oEmbed answer is not an object")
    return answer


def _image(url: str) -> tuple[bytes, str]:
    data, content_type = _get(url, ", ".join(_IMAGE_TYPES), MAX_IMAGE_BYTES)
    if content_type not in _IMAGE_TYPES:
        raise PreviewUnavailable(f"the preview is {content_type}, not a JPEG, PNG or WebP picture")
    if _picture_type(data) != content_type:
        raise PreviewUnavailable(f"the preview is not the {content_type} picture it claims to be")
    return data, content_type


def _picture_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


# -- the cache -------------------------------------------------------------------------


def _cached(cache: Path, key: str) -> Preview | None:
    try:
        about = json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))
        data = (cache / f"{key}.img").read_bytes()
    except (OSError, ValueError):
        return None
    content_type, title = about.get("content_type"), about.get("title")
    if _picture_type(data) != content_type or not isinstance(title, str | None):
        return None
    return Preview(data, content_type, title)


def _keep(cache: Path, key: str, preview: Preview) -> None:
    """Keep ``preview`` (the picture first, its description last: a description is
    only ever next to a whole picture). A cache that cannot be written is skipped."""
    about = json.dumps({"content_type": preview.content_type, "title": preview.title})
    try:
        for folder in (cache.parent, cache):  # private, like the profile: it says what you saw
            folder.mkdir(mode=0o700, exist_ok=True)
        for name, data in ((f"{key}.img", preview.image), (f"{key}.json", about.encode())):
            part = cache / f"{name}.part"
            descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(part, cache / name)
    except OSError as error:
        log.info("a video preview was not kept in the cache: %s", error)
