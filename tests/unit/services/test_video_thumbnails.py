"""Video previews over real HTTP (a local pytest-httpserver plays YouTube's image host,
Vimeo's and Loom's oEmbed and their CDNs): asked quietly, checked, kept, asked once."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from asyncdesk.services.video_thumbnails import (
    MAX_IMAGE_BYTES,
    PreviewBases,
    PreviewUnavailable,
    always_load,
    load_preview,
    preview_cache_dir,
    set_always_load,
)
from asyncdesk.store.database import Store

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s"
VIMEO = "https://vimeo.com/123456789?share=copy"
LOOM = "https://www.loom.com/share/0f1e2d3c4b5a6978?sid=secret"
# Enough of each format for its signature; nothing here decodes the pictures.
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 60


def bases(server: HTTPServer) -> PreviewBases:
    base = server.url_for("").rstrip("/")
    return PreviewBases(youtube=base, vimeo=base, loom=base)


def test_youtube_asks_once_for_the_static_picture_with_nothing_that_identifies(
    httpserver_ipv4: HTTPServer, tmp_path: Path
) -> None:
    server = httpserver_ipv4
    server.expect_request("/vi/dQw4w9WgXcQ/hqdefault.jpg").respond_with_data(
        JPEG, content_type="image/jpeg", headers={"Set-Cookie": "VISITOR=abc"}
    )
    preview = load_preview(YOUTUBE, tmp_path / "cache", bases(server))
    assert (preview.image, preview.content_type, preview.title) == (JPEG, "image/jpeg", None)
    load_preview(YOUTUBE, tmp_path / "cache", bases(server))
    ((request, _),) = server.log  # the second time came from the cache
    assert request.headers.get("User-Agent") == "AsyncDesk"
    assert "Cookie" not in request.headers
    assert "Referer" not in request.headers
    assert request.query_string == b""  # not the link's t=42s either


@pytest.mark.parametrize(
    ("link", "path", "page"),
    [
        (VIMEO, "/api/oembed.json", "https://vimeo.com/123456789"),
        (LOOM, "/v1/oembed", "https://www.loom.com/share/0f1e2d3c4b5a6978"),
    ],
)
def test_oembed_services_give_a_picture_and_a_title_without_the_senders_query(
    httpserver_ipv4: HTTPServer, tmp_path: Path, link: str, path: str, page: str
) -> None:
    server = httpserver_ipv4
    picture = server.url_for("/cdn/thumb.webp")
    answer = {"type": "video", "title": "  Q3   roadmap\nwalkthrough ", "thumbnail_url": picture}
    server.expect_request(path, query_string={"url": page}).respond_with_json(answer)
    server.expect_request("/cdn/thumb.webp").respond_with_data(WEBP, content_type="image/webp")
    preview = load_preview(link, tmp_path / "cache", bases(server))
    assert preview.title == "Q3 roadmap walkthrough"
    assert preview.image == WEBP
    assert [request.path for request, _ in server.log] == [path, "/cdn/thumb.webp"]
    for request, _ in server.log:
        assert "Cookie" not in request.headers
        assert "Referer" not in request.headers


def test_a_cache_hit_makes_no_request_and_the_cache_is_private(
    httpserver_ipv4: HTTPServer, tmp_path: Path
) -> None:
    server = httpserver_ipv4
    server.expect_request("/vi/dQw4w9WgXcQ/hqdefault.jpg").respond_with_data(
        PNG, content_type="image/png"
    )
    root = tmp_path / "profile"
    root.mkdir(mode=0o700)
    cache = preview_cache_dir(root)
    load_preview("https://youtu.be/dQw4w9WgXcQ", cache, bases(server))
    server.clear_log()
    again = load_preview("https://youtube.com/shorts/dQw4w9WgXcQ", cache, bases(server))
    assert again.image == PNG
    assert server.log == []
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in cache.iterdir()} == {0o600}
    assert not list(cache.glob("*.part"))


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (b"<html>tracking page</html>", "text/html", "text/html, not a JPEG, PNG or WebP"),
        (b"GIF89a" + b"\x00" * 30, "image/gif", "image/gif, not a JPEG"),
        (b"<svg onload='x'/>", "image/jpeg", "not the image/jpeg picture it claims"),
        (JPEG + b"\x00" * MAX_IMAGE_BYTES, "image/jpeg", "larger than 2048 KB"),
    ],
)
def test_anything_but_a_modest_picture_is_refused_and_not_kept(
    httpserver_ipv4: HTTPServer, tmp_path: Path, body: bytes, content_type: str, says: str
) -> None:
    server = httpserver_ipv4
    server.expect_request("/vi/dQw4w9WgXcQ/hqdefault.jpg").respond_with_data(
        body, content_type=content_type
    )
    with pytest.raises(PreviewUnavailable, match=says):
        load_preview(YOUTUBE, tmp_path / "cache", bases(server))
    assert not (tmp_path / "cache").exists()


def test_an_oversize_picture_without_a_length_is_cut_off_and_refused(
    httpserver_ipv4: HTTPServer, tmp_path: Path
) -> None:
    server = httpserver_ipv4

    def chunks():  # type: ignore[no-untyped-def]
        yield JPEG
        for _ in range(40):
            yield b"\x00" * 65536  # 2.5 MB in all, sent without a Content-Length

    from werkzeug import Response

    server.expect_request("/vi/dQw4w9WgXcQ/hqdefault.jpg").respond_with_response(
        Response(chunks(), content_type="image/jpeg")
    )
    with pytest.raises(PreviewUnavailable, match="larger than"):
        load_preview(YOUTUBE, tmp_path / "cache", bases(server))


@pytest.mark.parametrize(
    "answer",
    [
        {"title": "no picture"},
        {"thumbnail_url": "file:///etc/passwd"},
        {"thumbnail_url": "javascript:alert(1)"},
    ],
)
def test_an_oembed_answer_without_a_web_picture_gives_no_preview(
    httpserver_ipv4: HTTPServer, tmp_path: Path, answer: dict[str, str]
) -> None:
    httpserver_ipv4.expect_request("/api/oembed.json").respond_with_json(answer)
    with pytest.raises(PreviewUnavailable, match=r"vimeo\.com gave no preview picture"):
        load_preview(VIMEO, tmp_path / "cache", bases(httpserver_ipv4))
    assert len(httpserver_ipv4.log) == 1


def test_a_failing_service_is_one_line(httpserver_ipv4: HTTPServer, tmp_path: Path) -> None:
    httpserver_ipv4.expect_request("/v1/oembed").respond_with_data("gone", status=404)
    with pytest.raises(PreviewUnavailable, match=r"^the preview could not be loaded: HTTP 404$"):
        load_preview(LOOM, tmp_path / "cache", bases(httpserver_ipv4))
    httpserver_ipv4.clear()
    httpserver_ipv4.expect_request("/v1/oembed").respond_with_data(
        json.dumps({"thumbnail_url": "x"}), content_type="text/html"
    )
    with pytest.raises(PreviewUnavailable, match="answered text/html, not oEmbed JSON"):
        load_preview(LOOM, tmp_path / "cache", bases(httpserver_ipv4))


def test_links_without_a_preview_ask_nothing(httpserver_ipv4: HTTPServer, tmp_path: Path) -> None:
    for link in ("https://us02web.zoom.us/rec/share/abc", "https://x.example/clip.mp4"):
        with pytest.raises(PreviewUnavailable, match="has no preview"):
            load_preview(link, tmp_path / "cache", bases(httpserver_ipv4))
    assert httpserver_ipv4.log == []


def test_always_is_remembered_per_service_and_off_by_default(tmp_path: Path) -> None:
    with Store.open(tmp_path / "profile") as store:
        assert not any(always_load(store, s) for s in ("youtube", "vimeo", "loom", "zoom"))
        set_always_load(store, "vimeo", True)
        assert always_load(store, "vimeo")
        assert not always_load(store, "youtube")
        set_always_load(store, "vimeo", False)
        assert not always_load(store, "vimeo")
