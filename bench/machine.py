"""The machine a run happened on, so that numbers are never quoted without their context."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy
import pyproj
import scipy
import shapely
import yaml

__all__ = ["describe_machine"]


def describe_machine() -> list[tuple[str, str]]:
    """(label, value) pairs: CPU, cores, memory, OS, library versions, commit and date."""
    return [
        ("date (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")),
        ("CPU", _cpu_model()),
        ("cores", _cores()),
        ("memory", _memory()),
        ("load average at start", _load_average()),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("numpy", numpy.__version__),
        ("shapely", f"{shapely.__version__} (GEOS {shapely.geos_version_string})"),
        ("pyproj", f"{pyproj.__version__} (PROJ {pyproj.proj_version_str})"),
        ("scipy", scipy.__version__),
        ("PyYAML", f"{yaml.__version__} (libyaml {'yes' if yaml.__with_libyaml__ else 'no'})"),
        ("SQLite", sqlite3.sqlite_version),
        ("commit", _commit()),
    ]


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    for line in _run(["lscpu"]).splitlines():
        if line.startswith("Model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _cores() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    total = os.cpu_count()
    return f"{total}" if usable in (None, total) else f"{usable} usable of {total}"


def _memory() -> str:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            kib = int(line.split()[1])
            return f"{kib / 2**20:.1f} GiB"
    return "unknown"


def _load_average() -> str:
    # Other work on a 2-core machine skews every number: say how busy it was.
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def _commit() -> str:
    # Read-only: which commit the numbers belong to; "+ changes" when the tree is not clean.
    head = _run(["git", "rev-parse", "--short", "HEAD"]).strip()
    if not head:
        return "unknown"
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"]).strip()
    return f"{head} + uncommitted changes" if dirty else head


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _run(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False,
                              cwd=Path(__file__).parent)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""
