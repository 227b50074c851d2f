"""The files that put AsyncDesk on a desktop agree with each other and with the package.

The desktop entry and the AppStream metainfo must pass the freedesktop validators with
no warning, installed the way a distribution installs them too; they, the icon tree and
``asyncdesk.APP_ID`` must name one app; the metainfo's newest release is the package's
version. The Flatpak manifest and its generated Python modules must agree with
``pyproject.toml``.

A missing validator skips its test on a developer machine but fails as root, where
``scripts/test`` installs it (Debian: desktop-file-utils, appstream).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import asyncdesk

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP_FILE = PACKAGING / f"{asyncdesk.APP_ID}.desktop"
METAINFO = PACKAGING / f"{asyncdesk.APP_ID}.metainfo.xml"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SCREENSHOTS = ROOT / "docs" / "screenshots"
SCREENSHOT_URL = "https://asyncdesk.app/screenshots/"
FLATPAK_MANIFEST = PACKAGING / "flatpak" / f"{asyncdesk.APP_ID}.yml"
FLATPAK_REQUIREMENTS = PACKAGING / "flatpak" / "python3-requirements.json"
PYSIDE_BASE_APP = "io.qt.PySide.BaseApp"
# appstreamcli's text report: "E: id:line: tag hint", "W: ...", then "I:" and "P:".
APPSTREAM_PROBLEM = re.compile(r"^\s*[EW]: ", re.MULTILINE)


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def validator(command: str, debian_package: str) -> str:
    path = shutil.which(command)
    if path is not None:
        return path
    if os.geteuid() == 0:
        pytest.fail(f"{command} is missing: scripts/test installs {debian_package} as root")
    pytest.skip(f"{command} is not installed (Debian: apt-get install {debian_package})")


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=cwd, timeout=120
    )


def desktop_entry(path: Path = DESKTOP_FILE) -> dict[str, str]:
    """The keys of the [Desktop Entry] group, case kept (configparser would fold it)."""
    entry: dict[str, str] = {}
    group = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            group = line
            continue
        if group == "[Desktop Entry]":
            key, _, value = line.partition("=")
            entry[key] = value
    return entry


def metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_desktop_file_valid(path: Path) -> None:
    result = run(validator("desktop-file-validate", "desktop-file-utils"), str(path))
    # It prints nothing for a valid file: any line is an error, a warning or a hint.
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def assert_appstream_clean(result: subprocess.CompletedProcess[str]) -> None:
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert not APPSTREAM_PROBLEM.search(report), report
    assert "Validation was successful" in report, report


# --- the desktop entry ----------------------------------------------------------------


def test_desktop_file_passes_desktop_file_validate() -> None:
    assert_desktop_file_valid(DESKTOP_FILE)


def test_desktop_file_names_the_app_and_handles_mailto() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Icon"] == asyncdesk.APP_ID
    assert entry["Exec"] == "asyncdesk %u"
    assert "asyncdesk" in pyproject()["project"]["scripts"]
    assert "x-scheme-handler/mailto" in entry["MimeType"].split(";")
    assert entry["StartupWMClass"] == asyncdesk.APP_NAME
    # The app is started by its command, never by D-Bus activation.
    assert "DBusActivatable" not in entry


# --- the AppStream metainfo -----------------------------------------------------------


def test_metainfo_passes_appstreamcli_validate() -> None:
    appstreamcli = validator("appstreamcli", "appstream")
    result = run(appstreamcli, "validate", "--no-net", "--pedantic", str(METAINFO))
    assert_appstream_clean(result)


def test_metainfo_desktop_file_and_package_name_one_app() -> None:
    root = metainfo()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == asyncdesk.APP_ID
    launchable = root.find("launchable[@type='desktop-id']")
    assert launchable is not None
    assert launchable.text == DESKTOP_FILE.name
    assert root.findtext("provides/binary") == "asyncdesk"
    mediatypes = {element.text for element in root.iterfind("provides/mediatype")}
    assert mediatypes == set(filter(None, desktop_entry()["MimeType"].split(";")))
    assert root.findtext("project_license") == pyproject()["project"]["license"]
    assert root.findtext("metadata_license") == "CC0-1.0"


def test_metainfo_screenshots_exist_in_docs() -> None:
    screenshots = metainfo().findall("screenshots/screenshot")
    assert len(screenshots) >= 4
    assert sum(shot.get("type") == "default" for shot in screenshots) == 1
    for shot in screenshots:
        assert (shot.findtext("caption") or "").strip(), ET.tostring(shot, encoding="unicode")
        url = shot.findtext("image") or ""
        assert url.startswith(SCREENSHOT_URL), url
        assert (SCREENSHOTS / url.removeprefix(SCREENSHOT_URL)).is_file(), url


def test_metainfo_newest_release_is_the_package_version() -> None:
    releases = metainfo().findall("releases/release")
    assert releases, "the metainfo lists no release"
    dates = [release.get("date") or "" for release in releases]
    assert dates == sorted(dates, reverse=True), "releases are listed newest first"
    newest = releases[0].get("version")
    assert newest == pyproject()["project"]["version"]
    assert newest == importlib.metadata.version("asyncdesk")
    assert newest == asyncdesk.__version__
    assert releases[0].find("description") is not None, "the release has no notes"


# --- the icon theme tree --------------------------------------------------------------


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_tree_has_each_png_size_named_by_the_app_id(size: int) -> None:
    icon = HICOLOR / f"{size}x{size}" / "apps" / f"{asyncdesk.APP_ID}.png"
    assert icon.is_file(), icon
    assert png_size(icon) == (size, size)


def test_icon_tree_has_the_scalable_svg() -> None:
    icon = HICOLOR / "scalable" / "apps" / f"{asyncdesk.APP_ID}.svg"
    assert icon.is_file(), icon
    assert ET.parse(icon).getroot().tag == "{http://www.w3.org/2000/svg}svg"


# --- installed as a distribution installs it ------------------------------------------


def test_installed_tree_validates(tmp_path: Path) -> None:
    """share/applications, share/metainfo and share/icons/hicolor under one prefix."""
    share = tmp_path / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    (share / "icons").mkdir()
    shutil.copy(DESKTOP_FILE, share / "applications")
    shutil.copy(METAINFO, share / "metainfo")
    shutil.copytree(HICOLOR, share / "icons" / "hicolor")

    assert_desktop_file_valid(share / "applications" / DESKTOP_FILE.name)
    appstreamcli = validator("appstreamcli", "appstream")
    if "validate-tree" not in run(appstreamcli, "--help").stdout:
        pytest.skip("this appstreamcli has no validate-tree")
    assert_appstream_clean(run(appstreamcli, "validate-tree", "--no-net", str(tmp_path)))


# --- the Flatpak manifest -------------------------------------------------------------


def manifest_scalars() -> dict[str, str]:
    """The manifest's top-level ``key: value`` lines (PyYAML is not a dependency)."""
    scalars: dict[str, str] = {}
    for line in FLATPAK_MANIFEST.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([a-z-]+): *(\S.*)?", line)
        if match and match.group(2):
            scalars[match.group(1)] = match.group(2).strip("'\"")
    return scalars


def manifest_finish_args() -> list[str]:
    text = FLATPAK_MANIFEST.read_text(encoding="utf-8")
    block = text.split("\nfinish-args:\n", 1)[1]
    args: list[str] = []
    for line in block.splitlines():
        if not line.startswith(" "):
            break
        if line.strip().startswith("- "):
            args.append(line.strip()[2:])
    return args


def test_flatpak_manifest_runs_the_app_by_its_id_and_command() -> None:
    scalars = manifest_scalars()
    assert scalars["id"] == asyncdesk.APP_ID
    assert scalars["command"] == "asyncdesk"
    assert "asyncdesk" in pyproject()["project"]["scripts"]
    assert scalars["runtime"] == "org.kde.Platform"
    assert scalars["base"] == PYSIDE_BASE_APP
    assert scalars["runtime-version"] == scalars["base-version"]
    assert f"- {FLATPAK_REQUIREMENTS.name}" in FLATPAK_MANIFEST.read_text(encoding="utf-8")


def test_flatpak_manifest_asks_only_for_what_the_app_uses() -> None:
    args = manifest_finish_args()
    assert set(args) == {
        "--share=network",
        "--share=ipc",
        "--socket=wayland",
        "--socket=fallback-x11",
        "--device=dri",
        "--talk-name=org.freedesktop.Notifications",
        "--talk-name=org.freedesktop.secrets",
        "--talk-name=org.kde.StatusNotifierWatcher",
        f"--own-name={asyncdesk.APP_ID}",
        "--filesystem=xdg-download",
    }


def test_flatpak_builder_reads_the_manifest(tmp_path: Path) -> None:
    """The manifest as flatpak-builder reads it (the build itself needs Flathub's
    runtimes, which this machine cannot download: packaging/README.md)."""
    builder = shutil.which("flatpak-builder")
    if builder is None and os.geteuid() != 0:
        pytest.skip("flatpak-builder is not installed (scripts/test installs it as root)")
    assert builder is not None, "scripts/test installs flatpak-builder when run as root"
    # It leaves a .flatpak-builder folder in its working directory: a temporary one.
    result = run(builder, "--show-manifest", str(FLATPAK_MANIFEST), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest["id"] == asyncdesk.APP_ID
    assert manifest["command"] == "asyncdesk"
    requirements, app = manifest["modules"]
    assert requirements["name"] == "python3-requirements"
    assert app["name"] == "asyncdesk"


def requirement_modules() -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Each generated module's pinned distribution: canonical name -> (version, sources)."""
    document = json.loads(FLATPAK_REQUIREMENTS.read_text(encoding="utf-8"))
    assert document["name"] == "python3-requirements"
    pinned: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for module in document["modules"]:
        (command,) = module["build-commands"]
        match = re.search(r'"([A-Za-z0-9._-]+)==([^"]+)"', command)
        assert match, command
        assert "--no-index" in command
        pinned[canonicalize_name(match.group(1))] = (match.group(2), module["sources"])
    return pinned


def test_flatpak_requirements_hold_every_runtime_dependency() -> None:
    pinned = requirement_modules()
    for line in pyproject()["project"]["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if name == canonicalize_name("PySide6-Essentials"):
            # PySide6 is the base app's, built on the runtime's Qt.
            assert manifest_scalars()["base"] == PYSIDE_BASE_APP
            assert name not in pinned
            continue
        assert name in pinned, f"{requirement} is not in {FLATPAK_REQUIREMENTS.name}"
        version, _ = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)


def test_flatpak_requirements_come_from_pypi_with_hashes() -> None:
    for name, (_, sources) in requirement_modules().items():
        assert sources, name
        for source in sources:
            assert source["type"] == "file"
            assert source["url"].startswith("https://files.pythonhosted.org/"), source
            assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"]), source
            assert set(source.get("only-arches", ["x86_64"])) <= {"x86_64", "aarch64"}
