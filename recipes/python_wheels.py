#!/usr/bin/env python3
"""Writes the [wheels] table at the end of stacks/python.toml from PyPI's simple index.

For each compiled package below, and each CPython version dslim builds, the table holds the
first release that has a manylinux wheel for that version (its own `cpXY` ABI, or the stable
ABI `abi3` of an older one). `dslim init` reads it for pinned requirements: a release older
than that has no wheel for the version, and pip would compile it, which for these packages
needs tools the slim image lacks and often fails on a Python newer than the release.

Run it from anywhere: python3 recipes/python_wheels.py
Packages that fall back to pure Python when they cannot compile (MarkupSafe, wrapt,
simplejson, SQLAlchemy, charset-normalizer) do not belong here.
"""
import json
import pathlib
import re
import urllib.request

try:
    from packaging.version import InvalidVersion, Version
except ImportError:  # pip carries its own copy
    from pip._vendor.packaging.version import InvalidVersion, Version

PACKAGES = [
    "aiohttp", "asyncpg", "brotli", "cffi", "contourpy", "frozenlist", "gevent", "greenlet",
    "grpcio", "h5py", "httptools", "jiter", "kiwisolver", "lxml", "matplotlib", "msgpack",
    "multidict", "numpy", "orjson", "pandas", "pillow", "psutil", "psycopg-binary",
    "psycopg2-binary", "pydantic-core", "pymssql", "pyyaml", "pyzmq", "regex", "rpds-py",
    "ruamel-yaml-clib", "scikit-learn", "scipy", "shapely", "tiktoken", "tokenizers", "ujson",
    "uvloop", "watchfiles", "yarl", "zstandard",
]
MINORS = range(9, 16)  # CPython 3.9 .. 3.15
MARKER = "# --- written by recipes/python_wheels.py from PyPI's index; do not edit below ---"


def index(package):
    request = urllib.request.Request(
        f"https://pypi.org/simple/{package}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def minors_of(filename):
    """The CPython 3 minor versions a manylinux wheel installs on (empty for others)."""
    python, abi, platform = filename[: -len(".whl")].split("-")[-3:]
    if "manylinux" not in platform:
        return set()
    found = set()
    for tag in python.split("."):
        m = re.fullmatch(r"cp3(\d+)", tag)
        if not m:
            continue
        minor = int(m.group(1))
        if "abi3" in abi.split("."):
            found.update(range(minor, 100))
        elif f"cp3{minor}" in abi.split("."):
            found.add(minor)
    return found


def first_releases(package):
    data = index(package)
    supported = {}
    for f in data["files"]:
        name = f["filename"]
        if name.endswith(".whl") and not f.get("yanked"):
            release = name.split("-")[1]
            supported.setdefault(release, set()).update(minors_of(name))
    def order(release):
        try:
            return (0, Version(release))
        except InvalidVersion:
            return (1, release)

    first = {}
    # stable releases only, oldest first (the index sorts them as text)
    releases = [r for r in data["versions"] if not order(r)[0] and not Version(r).is_prerelease]
    for release in sorted(releases, key=Version):
        for minor in supported.get(release, ()):
            if minor in MINORS and minor not in first:
                first[minor] = release
    return first


def main():
    toml = pathlib.Path(__file__).parent / "stacks" / "python.toml"
    head = toml.read_text().split(MARKER)[0].rstrip("\n")
    lines = [
        head,
        "",
        MARKER,
        "# package = { python version = the first release with a manylinux wheel for it }",
        "[wheels]",
    ]
    for package in PACKAGES:
        first = first_releases(package)
        cells = ", ".join(f'"3.{m}" = "{first[m]}"' for m in sorted(first))
        lines.append(f"{package} = {{ {cells} }}")
    toml.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
