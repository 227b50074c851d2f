"""HTML mail made safe to show: nothing in it can reach the network on its own.

Mail HTML is written by strangers, and much of it is built to report back: tracking
pixels, remote images, stylesheets and fonts by URL, scripts, forms, frames. It is
cleaned with nh3 (ammonia, a maintained allowlist sanitiser) before any widget sees it:

- Only an allowlist of harmless tags and attributes survives; scripts, styles
  (``<style>``, ``style=`` and ``<link>``), forms, frames, objects, SVG and event
  handlers go, with the content of ``<script>`` and ``<style>``.
- Image sources: ``cid:`` (the message's own parts) and ``data:`` stay; every remote
  one (``http``/``https``, or any other scheme) is taken out and listed in
  :attr:`SafeHtml.remote_images`, unless the user chose to load this message's images
  (``allow_remote_images``), and even then only ``https``/``http``.
- Links stay as links (a click is the user's act; the view opens them outside), with
  ``rel="noopener noreferrer"``; relative URLs, which would resolve against nothing
  known, are dropped.

The view itself (ui.message_view) also refuses to load any resource but a ``data:``
one or an image the user asked for: two locks, not one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

import nh3

_TAGS: Final = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col",
        "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
        "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "tt", "u", "ul",
    }
)  # fmt: skip
_ATTRIBUTES: Final = {
    "*": {"title", "dir", "lang", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "font": {"color", "face", "size"},
    "td": {"colspan", "rowspan", "valign", "width", "bgcolor"},
    "th": {"colspan", "rowspan", "valign", "width", "bgcolor"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type"},
    "li": {"value"},
}
_LINK_SCHEMES: Final = frozenset({"http", "https", "mailto", "cid", "data", "tel"})
_LOCAL_IMAGE_SCHEMES: Final = frozenset({"cid", "data"})
_REMOTE_SCHEMES: Final = frozenset({"http", "https"})


@dataclass(frozen=True, slots=True)
class SafeHtml:
    """Cleaned HTML, and the remote images taken out of it (in order, no repeats)."""

    html: str
    remote_images: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> int:
        return len(self.remote_images)


def sanitize(html: str, *, allow_remote_images: bool = False) -> SafeHtml:
    """``html`` as it may be shown (see the module docstring). Never raises."""
    remote: list[str] = []

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            scheme = urlsplit(value.strip()).scheme.lower()
            if scheme in _LOCAL_IMAGE_SCHEMES:
                return value
            if scheme in _REMOTE_SCHEMES and value not in remote:
                remote.append(value)
            return value if allow_remote_images and scheme in _REMOTE_SCHEMES else None
        if tag == "a" and attribute == "href":
            scheme = urlsplit(value.strip()).scheme.lower()
            return value if scheme in _LINK_SCHEMES - {"cid", "data"} else None
        return value

    filtered: Callable[[str, str, str], str | None] = keep
    try:
        cleaned = nh3.clean(
            html,
            tags=set(_TAGS),
            clean_content_tags={"script", "style", "title", "head"},
            attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
            attribute_filter=filtered,
            url_schemes=set(_LINK_SCHEMES),
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    except Exception:  # a sanitiser failure must never show the raw HTML instead
        return SafeHtml("<p>(This message's HTML could not be shown safely.)</p>")
    return SafeHtml(_BLOCKED_IMG.sub(_placeholder, cleaned), remote)


# An image whose source was taken out (nh3 writes attributes with double quotes): shown
# as its alt text, or not at all (a text view would otherwise try to load "nothing").
_BLOCKED_IMG: Final = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_ALT: Final = re.compile(r'\salt="([^"]*)"')


def _placeholder(found: re.Match[str]) -> str:
    alt = _ALT.search(found.group(0))
    return f"[{alt.group(1)}]" if alt and alt.group(1).strip() else ""
