"""Numbered schema migrations shipped with the package: ``migrations/NNNN_name.sql``.

Migrations run in order when a store opens; each runs in its own write transaction together with
the row that records it in ``schema_migrations``, so a migration is applied entirely or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources

__all__ = ["Migration", "bundled", "statements"]

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    script: str


def bundled(folder: str = "migrations") -> tuple[Migration, ...]:
    """The migrations in ``deconflict/storage/<folder>``, oldest first.

    >>> [m.version for m in bundled()][:1]
    [1]
    """
    found = []
    for entry in resources.files("deconflict.storage").joinpath(folder).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number in {folder}: {versions}")
    return tuple(found)


def statements(script: str, complete: Callable[[str], bool]) -> Iterator[str]:
    """Split a script into statements; ``complete(text) -> bool`` says when one has ended.

    The driver's own test is used (``sqlite3.complete_statement``) so that semicolons inside
    strings, comments and trigger bodies are not mistaken for ends.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if complete(pending):
            if pending.strip():
                yield pending
            pending = ""
    if _meaningful(pending):
        raise ValueError(f"migration ends inside a statement: {pending.strip()[:60]!r}")


def _meaningful(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in text.splitlines())
