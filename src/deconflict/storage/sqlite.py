"""The embedded SQLite backend: WAL, synchronous=FULL, foreign keys, one writer, R*Tree indexes.

Several :class:`SqliteStore` objects may open the same file (an API server does): in one process
they share a lock around write transactions, and ``BEGIN IMMEDIATE`` with a busy timeout makes
writers from other processes wait their turn. Readers never block writers (WAL).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from deconflict.errors import StoreError
from deconflict.storage.base import Store
from deconflict.storage.bbox import Box
from deconflict.storage.rows import epoch_seconds
from deconflict.storage.schema import statements
from deconflict.storage.sql import FixEntry, LatestEntry, ShapeEntry, SqlStore

__all__ = ["BUSY_TIMEOUT_MS", "WAL_AUTOCHECKPOINT_PAGES", "SqliteStore", "open_store"]

#: How long a writer waits for another connection's write transaction before giving up.
BUSY_TIMEOUT_MS = 10_000
#: WAL pages before SQLite copies them back into the database (its default is 1000). A batch of
#: position reports dirties hundreds of scattered pages; checkpointing less often lets pages
#: written by many batches be copied once, which makes ingest about a third faster.
WAL_AUTOCHECKPOINT_PAGES = 10_000

_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()

# Superseded fixes whose closed interval holds the moment, then units' latest fixes up to it.
_LATEST_FIXES_IN = """
SELECT f.unit_id, f.lon, f.lat, f.radius_m
FROM fix_index AS i JOIN fixes AS f ON f.id = i.fix_id
WHERE i.min_lon <= ? AND i.max_lon >= ? AND i.min_lat <= ? AND i.max_lat >= ?
  AND i.valid_from <= ? AND i.valid_to >= ?
  AND f.observed <= ?
  AND NOT EXISTS (
    SELECT 1 FROM fixes AS g
    WHERE g.unit_id = f.unit_id AND g.observed <= ?
      AND (g.observed > f.observed OR (g.observed = f.observed AND g.id > f.id)))
UNION ALL
SELECT unit_id, lon, lat, radius_m FROM latest_fixes
WHERE min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ? AND observed <= ?
"""
_SET_LATEST = """
INSERT INTO latest_fixes (unit_id, fix_id, observed, lon, lat, radius_m, min_lon, max_lon,
                          min_lat, max_lat)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (unit_id) DO UPDATE SET
  fix_id = excluded.fix_id, observed = excluded.observed, lon = excluded.lon,
  lat = excluded.lat, radius_m = excluded.radius_m, min_lon = excluded.min_lon,
  max_lon = excluded.max_lon, min_lat = excluded.min_lat, max_lat = excluded.max_lat
"""


class SqliteStore(SqlStore):
    """A :class:`~deconflict.storage.base.Store` in one SQLite file."""

    driver_error = sqlite3.Error
    integrity_error = sqlite3.IntegrityError

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = True) -> SqliteStore:
        """Open (and with ``create``, make) the database at ``path`` and bring its schema up."""
        label = os.fspath(path)
        conn = _connect(label, create)
        store = cls(conn, _write_lock(label), label)
        try:
            store._configure()
            store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def pragmas(self) -> dict[str, object]:
        """The connection's durability and safety settings, as SQLite reports them."""
        names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        with self._lock:
            self._check_open()
            return {name: self._rows(f"PRAGMA {name}")[0][0] for name in names}

    def _configure(self) -> None:
        try:
            self._execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            self._execute("PRAGMA foreign_keys = ON")
            mode = self._rows("PRAGMA journal_mode = WAL")[0][0]
            # FULL: a commit returns only after the WAL is synced, so an acknowledged write lasts.
            self._execute("PRAGMA synchronous = FULL")
            self._execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES:d}")
        except sqlite3.Error as exc:
            raise StoreError(f"{self._label} is not a usable database: {exc}") from exc
        if str(mode).lower() != "wal":
            raise StoreError(f"{self._label}: cannot use write-ahead logging (got {mode!r})")

    # -- dialect hooks --------------------------------------------------------------------------

    def _begin_write(self) -> None:
        self._execute("BEGIN IMMEDIATE")

    def _begin_read(self) -> None:
        self._execute("BEGIN DEFERRED")

    def _run_script(self, script: str) -> None:
        # executescript() would commit the open transaction first; run statement by statement.
        for statement in statements(script, sqlite3.complete_statement):
            self._execute(statement)

    def _tables(self) -> set[str]:
        rows = self._rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                          "'sqlite\\_%' ESCAPE '\\'")
        return {row[0] for row in rows}

    def _clear_spatial(self) -> None:
        self._execute("DELETE FROM fix_index")
        self._execute("DELETE FROM latest_fixes")
        self._execute("DELETE FROM shape_index")

    def _index_fixes(self, entries: Sequence[FixEntry]) -> None:
        # A NULL id: the R*Tree numbers rows in the order written (see migration 0002).
        self._many("INSERT INTO fix_index (id, min_lon, max_lon, min_lat, max_lat, valid_from, "
                   "valid_to, fix_id) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)",
                   [(b.min_lon, b.max_lon, b.min_lat, b.max_lat, start, end, i)
                    for i, b, start, end in entries])

    def _end_fix(self, fix_id: int, where: tuple[float, float, float], valid_to: float) -> None:
        # fix_id is not indexed: the fix's position and start narrow the search to a few rows.
        lon, lat, start = where
        self._execute("UPDATE fix_index SET valid_to = ? WHERE min_lon <= ? AND max_lon >= ? "
                      "AND min_lat <= ? AND max_lat >= ? AND valid_from <= ? AND valid_to >= ? "
                      "AND fix_id = ?", (valid_to, lon, lon, lat, lat, start, start, fix_id))

    def _set_latest(self, entries: Sequence[LatestEntry]) -> None:
        self._many(_SET_LATEST, [(unit_id, fix_id, observed, lon, lat, radius_m, b.min_lon,
                                  b.max_lon, b.min_lat, b.max_lat)
                                 for unit_id, fix_id, observed, lon, lat, radius_m, b in entries])

    def _latest_fixes_in(self, box: Box, at: datetime,
                         at_text: str) -> Iterable[tuple[str, float, float, float]]:
        seconds = epoch_seconds(at)
        corners = (box.max_lon, box.min_lon, box.max_lat, box.min_lat)
        return self._rows(_LATEST_FIXES_IN, (*corners, seconds, seconds, at_text, at_text,
                                             *corners, at_text))

    def _index_shapes(self, entries: Sequence[ShapeEntry]) -> None:
        self._many("INSERT INTO shape_index (id, min_lon, max_lon, min_lat, max_lat, kind, ref) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(n, b.min_lon, b.max_lon, b.min_lat, b.max_lat, kind, ref)
                    for n, (kind, ref, b) in enumerate(entries, start=1)])

    def _shapes_in(self, box: Box) -> Iterable[tuple[str, str]]:
        return self._rows("SELECT kind, ref FROM shape_index WHERE min_lon <= ? AND max_lon >= ? "
                          "AND min_lat <= ? AND max_lat >= ?",
                          (box.max_lon, box.min_lon, box.max_lat, box.min_lat))

    def _add_shapes(self, entries: Sequence[ShapeEntry]) -> None:
        # A NULL id makes the R*Tree pick the next free one.
        self._many("INSERT INTO shape_index (id, min_lon, max_lon, min_lat, max_lat, kind, ref) "
                   "VALUES (NULL, ?, ?, ?, ?, ?, ?)",
                   [(b.min_lon, b.max_lon, b.min_lat, b.max_lat, kind, ref)
                    for kind, ref, b in entries])

    def _unindex_shape(self, kind: str, ref: str) -> None:
        # kind and ref are auxiliary columns: a scan, fine for the few shapes that get replaced.
        self._execute("DELETE FROM shape_index WHERE kind = ? AND ref = ?", (kind, ref))


def open_store(path: str | os.PathLike[str], *, create: bool = True) -> Store:
    """Open the SQLite store at ``path``; with ``create=False`` a missing file is an error."""
    return SqliteStore.open(path, create=create)


def _connect(path: str, create: bool) -> sqlite3.Connection:
    if not create and not os.path.isfile(path):
        raise StoreError(f"no database at {path}")
    # mode=rw: never create a file when asked not to, even if it vanished a moment ago.
    target = path if create else Path(path).resolve().as_uri() + "?mode=rw"
    try:
        return sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False, uri=not create)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc


def _write_lock(path: str) -> threading.RLock:
    """The one write lock of this process for the database at ``path``."""
    key = os.path.realpath(path)
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())
