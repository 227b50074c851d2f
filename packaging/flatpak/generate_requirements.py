#!/usr/bin/env python3
"""Write ``python3-requirements.json``: the Python dependencies of the Flatpak, pinned.

Run it from anywhere with the project's virtualenv Python (it needs pip and
``packaging``, which the test extra brings), whenever ``pyproject.toml``'s dependencies
change or to pick up new releases, and commit the result::

    .venv/bin/python packaging/flatpak/generate_requirements.py

The output has flatpak-pip-generator's shape: one ``python3-requirements`` module that
holds one module per dependency of ``[project] dependencies`` (then one per
``[build-system] requires``, removed again after the build), each with the files of that
dependency and everything it needs, installed offline by ``pip3 install --no-index``.

How versions and files are chosen:

- pip resolves the newest versions that satisfy ``pyproject.toml`` for the runtime's
  Python (``--python-version``, 3.13 for ``org.kde.Platform`` 6.10) on each architecture
  (``--arch``, x86_64 and aarch64 as Flathub builds), with ``pip install --dry-run
  --report``: nothing is installed, and the report names each file with its
  ``https://files.pythonhosted.org`` URL and sha256.
- A pure wheel (``py3-none-any``) is taken whenever the version has one: it needs no
  build step and runs on every architecture. Where a version ships compiled code only
  as binary wheels next to an sdist that needs Rust or another build toolchain (such
  as nh3, cryptography and rpds-py), the manylinux wheel for each architecture is
  taken instead, marked with ``only-arches``. The script prints which these are.
- pip evaluates environment markers for the Python running this script, not for the
  runtime's, so the dependency graph is walked again here with the runtime's markers:
  a backport only older Pythons need is left out.
- ``PySide6-Essentials`` is not resolved: the ``io.qt.PySide.BaseApp`` base app the
  manifest builds on provides PySide6, built against the runtime's own Qt.

pip's configuration files are ignored (a local index or ``find-links`` would put
``file:`` URLs in the manifest); PyPI is asked directly. Network settings such as
``PIP_CERT`` or ``PIP_PROXY`` in the environment still apply.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "python3-requirements.json"
INDEX_URL = "https://pypi.org/simple"
FILES_HOST = "https://files.pythonhosted.org/"
# What the base app of the manifest already holds, and why it is not resolved here.
PROVIDED_BY_BASE = {
    "pyside6-essentials": "io.qt.PySide.BaseApp, which builds PySide6 on the runtime's Qt",
}
# The newest glibc the wheels may ask for: older than any supported runtime's.
MANYLINUX_GLIBC_MINOR = 35
# pip settings that would change where packages come from; the rest (certificates,
# proxy, timeout) are kept.
_PIP_SOURCE_VARIABLES = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_CONSTRAINT",
    "PIP_REQUIREMENT",
    "PIP_ONLY_BINARY",
    "PIP_NO_BINARY",
    "PIP_PREFER_BINARY",
    "PIP_PRE",
)


@dataclass(frozen=True)
class Dist:
    """One resolved distribution: the file chosen for one architecture."""

    name: str
    version: str
    url: str
    sha256: str
    requires_dist: tuple[str, ...]

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def pure(self) -> bool:
        return self.filename.endswith("-none-any.whl")


def pip_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PIP_SOURCE_VARIABLES}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def platform_options(arch: str) -> list[str]:
    """pip takes every accepted platform tag explicitly, newest glibc first."""
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(MANYLINUX_GLIBC_MINOR, 4, -1)]
    if arch == "x86_64":
        tags += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    elif arch == "aarch64":
        tags += ["manylinux2014_aarch64"]
    return [option for tag in tags for option in ("--platform", tag)]


def pip_report(options: list[str], requirements: list[str], workdir: Path) -> list[Any] | None:
    """``pip install --dry-run --report``: the distributions pip would install, or None."""
    report = workdir / "report.json"
    report.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--quiet",
        "--ignore-installed",
        "--index-url",
        INDEX_URL,
        "--only-binary=:all:",
        "--target",
        str(workdir / "target"),
        "--report",
        str(report),
        *options,
        *requirements,
    ]
    result = subprocess.run(
        command, env=pip_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return None
    installs: list[Any] = json.loads(report.read_text(encoding="utf-8"))["install"]
    return installs


def to_dist(item: dict[str, Any]) -> Dist:
    metadata = item["metadata"]
    info = item["download_info"]
    url: str = info["url"]
    if not url.startswith(FILES_HOST):
        raise SystemExit(f"{metadata['name']}: {url} is not on {FILES_HOST}")
    hashes = info.get("archive_info", {}).get("hashes", {})
    if "sha256" not in hashes:
        raise SystemExit(f"{metadata['name']}: the report gives no sha256 for {url}")
    return Dist(
        name=metadata["name"],
        version=metadata["version"],
        url=url,
        sha256=hashes["sha256"],
        requires_dist=tuple(metadata.get("requires_dist", ())),
    )


def resolve(requirements: list[str], arch: str, python: str, workdir: Path) -> dict[str, Dist]:
    abi = "cp" + python.replace(".", "")
    options = [
        *platform_options(arch),
        "--python-version",
        python,
        "--implementation",
        "cp",
        "--abi",
        abi,
        "--abi",
        "abi3",
        "--abi",
        "none",
    ]
    installs = pip_report(options, requirements, workdir)
    if installs is None:
        raise SystemExit(f"pip cannot resolve {requirements} for {arch}, Python {python}")
    return {canonicalize_name(item["metadata"]["name"]): to_dist(item) for item in installs}


def pure_wheel(dist: Dist, python: str, workdir: Path) -> Dist | None:
    """The same version's ``py3-none-any`` wheel, if it has one."""
    options = ["--no-deps", "--platform", "any", "--implementation", "py", "--abi", "none"]
    options += ["--python-version", python]
    installs = pip_report(options, [f"{dist.name}=={dist.version}"], workdir)
    return to_dist(installs[0]) if installs else None


def marker_environment(arch: str, python: str) -> dict[str, str]:
    """The runtime's environment markers (freedesktop-sdk's CPython on Linux)."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "os_name": "posix",
        "platform_machine": arch,
        "platform_python_implementation": "CPython",
        "platform_system": "Linux",
        "python_full_version": f"{python}.0",
        "python_version": python,
        "sys_platform": "linux",
    }


def applies(marker: Marker | None, environment: dict[str, str], extras: set[str]) -> bool:
    if marker is None:
        return True
    return any(marker.evaluate({**environment, "extra": extra}) for extra in extras | {""})


def closure(
    requirement: Requirement, resolved: dict[str, Dist], environment: dict[str, str]
) -> list[str]:
    """The canonical names ``requirement`` installs, itself first, in the runtime."""
    order: list[str] = []
    seen: dict[str, set[str]] = {}
    pending = [requirement]
    while pending:
        current = pending.pop(0)
        name = canonicalize_name(current.name)
        if name in PROVIDED_BY_BASE:
            continue
        extras = {canonicalize_name(extra) for extra in current.extras}
        if name in seen and extras <= seen[name]:
            continue
        if name not in resolved:
            raise SystemExit(
                f"{current} is needed on {environment['platform_machine']} but pip did not "
                "resolve it (a marker this script's Python evaluates differently)"
            )
        if name not in seen:
            order.append(name)
        seen[name] = seen.get(name, set()) | extras
        for line in resolved[name].requires_dist:
            dependency = Requirement(line)
            if applies(dependency.marker, environment, seen[name]):
                pending.append(dependency)
    return order


def source_entries(names: list[str], per_arch: dict[str, dict[str, Dist]]) -> list[dict[str, Any]]:
    sources: list[dict[str, Any]] = []
    for name in names:
        files = {arch: resolved[name] for arch, resolved in per_arch.items() if name in resolved}
        urls = {dist.url for dist in files.values()}
        if len(urls) == 1 and len(files) == len(per_arch):
            dist = next(iter(files.values()))
            sources.append({"type": "file", "url": dist.url, "sha256": dist.sha256})
            continue
        for arch, dist in files.items():
            sources.append(
                {"type": "file", "url": dist.url, "sha256": dist.sha256, "only-arches": [arch]}
            )
    return sources


def module(
    requirement: Requirement,
    per_arch: dict[str, dict[str, Dist]],
    environments: dict[str, dict[str, str]],
    build_only: bool,
) -> dict[str, Any]:
    names: list[str] = []
    for arch, resolved in per_arch.items():
        for name in closure(requirement, resolved, environments[arch]):
            if name not in names:
                names.append(name)
    first = next(iter(per_arch.values()))[canonicalize_name(requirement.name)]
    pin = f"{first.name}=={first.version}"
    entry: dict[str, Any] = {
        "name": f"python3-{requirement.name}",
        "buildsystem": "simple",
        "build-commands": [
            'pip3 install --verbose --exists-action=i --no-index --find-links="file://${PWD}" '
            f'--prefix=${{FLATPAK_DEST}} "{pin}" --no-build-isolation'
        ],
        "sources": source_entries(names, per_arch),
    }
    if build_only:
        entry["cleanup"] = ["*"]
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--python-version", default="3.13", help="the runtime's Python")
    parser.add_argument(
        "--arch",
        action="append",
        choices=["x86_64", "aarch64"],
        help="an architecture to resolve for (repeat it; default: x86_64 and aarch64)",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    arches: list[str] = args.arch or ["x86_64", "aarch64"]
    python: str = args.python_version
    if not re.fullmatch(r"3\.\d+", python):
        parser.error("--python-version is MAJOR.MINOR, such as 3.13")

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = [Requirement(line) for line in pyproject["project"]["dependencies"]]
    runtime = [r for r in runtime if canonicalize_name(r.name) not in PROVIDED_BY_BASE]
    build = [Requirement(line) for line in pyproject["build-system"]["requires"]]
    everything = [str(r) for r in runtime + build]

    with tempfile.TemporaryDirectory(prefix="asyncdesk-flatpak-") as tmp:
        workdir = Path(tmp)
        per_arch = {arch: resolve(everything, arch, python, workdir) for arch in arches}
        binary = sorted(
            {name for resolved in per_arch.values() for name, d in resolved.items() if not d.pure}
        )
        for name in binary:
            any_dist = next(r[name] for r in per_arch.values() if name in r)
            pure = pure_wheel(any_dist, python, workdir)
            if pure is None:
                continue
            for resolved in per_arch.values():
                if name in resolved:
                    resolved[name] = pure

    environments = {arch: marker_environment(arch, python) for arch in arches}
    modules = [module(r, per_arch, environments, build_only=False) for r in runtime]
    modules += [module(r, per_arch, environments, build_only=True) for r in build]
    document = {
        "name": "python3-requirements",
        "buildsystem": "simple",
        "build-commands": [],
        "modules": modules,
    }
    args.output.write_text(json.dumps(document, indent=4) + "\n", encoding="utf-8")

    used = {
        source["url"].rsplit("/", 1)[-1]
        for entry in modules
        for source in entry["sources"]
        if "only-arches" in source
    }
    print(f"wrote {args.output} ({len(modules)} modules) for Python {python} on {arches}")
    for name in sorted(PROVIDED_BY_BASE):
        print(f"  {name}: provided by {PROVIDED_BY_BASE[name]}")
    for filename in sorted(used):
        print(f"  binary wheel: {filename}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
