"""One generic SQL store; a backend overrides the few dialect hooks at the end of the class.

The hooks cover what differs between SQLite and PostgreSQL/PostGIS: placeholders, how a write
transaction starts, how a migration script runs, the spatial index (R*Tree tables or GiST
columns), the upsert of the stored "now", and which driver errors mean what. Everything else —
the tables, the row mapping, transactions, migrations and the geodesic refine — is shared, so a
new backend does not change callers. The hub's running state (credentials, filings, messages,
alerts, ledger) comes from :class:`~deconflict.storage.hub.HubState`, mixed in.

Transactions: each public method is one transaction. Inside :meth:`SqlStore.atomic` they join the
block's transaction instead, each as a savepoint: a method that fails inside the block leaves no
trace and the block may go on; an exception leaving the block undoes all of it.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, ClassVar, Protocol

import numpy as np
from pyproj import Geod

from deconflict.errors import (
    ConflictingStateError,
    DeconflictError,
    NotFoundError,
    StoreError,
    ValidationError,
)
from deconflict.model import (
    FORMAT_VERSION,
    DisclosureRule,
    Fix,
    Notice,
    Party,
    Position,
    Scenario,
    Shape,
    Site,
    Unit,
    Zone,
)
from deconflict.storage import rows as r
from deconflict.storage.bbox import Box, around, point_box, shape_box
from deconflict.storage.detections import DetectionState
from deconflict.storage.history import (
    FixEntry,
    Latest,
    LatestEntry,
    batch_entries,
    closed_entry,
    fix_entry,
    latest_entry,
    track_entries,
)
from deconflict.storage.hub import HubState, marks
from deconflict.storage.incidents import IncidentState
from deconflict.storage.ledger import LedgerState
from deconflict.storage.schema import Migration, bundled

__all__ = ["Connection", "FixEntry", "LatestEntry", "ShapeEntry", "SqlStore"]

_GEOD = Geod(ellps="WGS84")
_FIRST = r.time_text(datetime.min.replace(tzinfo=UTC))
_LAST = r.time_text(datetime.max.replace(tzinfo=UTC))

#: ``(kind, id, box)`` of a geometry-bearing object.
ShapeEntry = tuple[str, str, Box]

_CLEAR_ORDER = ("zone_sides", "zone_signatories", "fixes", "units", "zones", "areas", "sites",
                "notices", "sensors", "borders", "disclosure", "separation", "relations",
                "parties", "meta")
#: Nouns kept in one table each, by their name in :class:`Scenario` (and in the schema).
_SIMPLE: tuple[tuple[str, r.Table[Any]], ...] = (
    ("parties", r.PARTIES), ("relations", r.RELATIONS), ("disclosure", r.DISCLOSURE),
    ("areas", r.AREAS), ("sites", r.SITES), ("notices", r.NOTICES), ("sensors", r.SENSORS),
    ("borders", r.BORDERS))
_FIX_COLUMNS = "observed, lon, lat, alt_m, radius_m, stale"
#: Each listed unit's id with its latest fix, if any: one index seek per unit.
_LATEST_OF = """
SELECT u.id, f.id, f.observed, f.lon, f.lat, f.radius_m
FROM units AS u LEFT JOIN fixes AS f ON f.id = (
    SELECT g.id FROM fixes AS g WHERE g.unit_id = u.id ORDER BY g.observed DESC, g.id DESC LIMIT 1)
WHERE u.id IN ({marks})
"""
#: The fixes up to a moment from each unit's n-th latest on: the cut is found per unit first
#: (MATERIALIZED keeps the planner from running that per fix), then one index range per unit.
#: Ties at the cut may add a few older fixes, which the caller trims.
_TAILS = f"""
WITH c AS MATERIALIZED (
    SELECT u.id AS unit_id, COALESCE((
        SELECT g.observed FROM fixes AS g WHERE g.unit_id = u.id AND g.observed <= ?
        ORDER BY g.observed DESC, g.id DESC LIMIT 1 OFFSET ?), '') AS cut
    FROM units AS u)
SELECT f.unit_id, {", ".join(f"f.{c.strip()}" for c in _FIX_COLUMNS.split(","))}
FROM c JOIN fixes AS f ON f.unit_id = c.unit_id AND f.observed >= c.cut AND f.observed <= ?
ORDER BY f.unit_id, f.observed, f.id
"""
#: Unit ids per statement when a batch looks its units up (well under every driver's limit).
_CHUNK = 500


class Cursor(Protocol):
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the store uses."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...
    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...
    def close(self) -> None: ...


class SqlStore(HubState, LedgerState, IncidentState, DetectionState,
               AbstractContextManager["SqlStore"]):
    """The :class:`~deconflict.storage.base.Store` contract over any DB-API connection."""

    #: Driver exception classes: any failure, and a broken constraint (duplicate id, bad value).
    driver_error: ClassVar[type[Exception]] = Exception
    integrity_error: ClassVar[type[Exception]] = Exception
    #: The folder of ``deconflict/storage`` holding this backend's numbered migrations.
    migration_folder: ClassVar[str] = "migrations"

    def __init__(self, conn: Connection, write_lock: AbstractContextManager[Any],
                 label: str) -> None:
        self._conn = conn
        self._write_lock = write_lock  # shared by every store on the same database
        self._lock = threading.RLock()  # one connection, used by one thread at a time
        self._label = label
        self._closed = False
        self._depth = 0  # write blocks open on this connection (atomic, and writes joining it)
        self._lost = False  # the database ended the open transaction under a savepoint
        self.schema_version = 0

    # -- the contract ---------------------------------------------------------------------------

    def replace_scenario(self, scenario: Scenario) -> None:
        shapes = list(_shape_entries(scenario))  # the geodesy is done before taking the lock
        with self._write():
            for name in _CLEAR_ORDER:
                self._execute(f"DELETE FROM {name}")
            self._clear_spatial()
            self._execute("INSERT INTO meta (id, format_version, name, now) VALUES (1, ?, ?, ?)",
                          (scenario.version, scenario.name, r.time_text(scenario.time)))
            for name, table in _SIMPLE:
                self._many(table.insert_sql, table.rows(getattr(scenario, name)))
            self._many("INSERT INTO separation (seq, scope, a, b, warn_m, critical_m) "
                       "VALUES (?, ?, ?, ?, ?, ?)", r.separation_rows(scenario.separation))
            self._put_units(scenario.units)
            self._put_zones(scenario.zones)
            self._index_shapes(shapes)

    def scenario(self, at: datetime | None = None, *, tail: int | None = None) -> Scenario:
        until = _LAST if at is None else r.time_text(at)
        if tail is not None and tail < 1:
            raise ValidationError("tail must be at least 1", field="tail")
        with self._read():
            meta = self._one("SELECT format_version, name, now FROM meta WHERE id = 1")
            if meta is None:
                raise NotFoundError(f"{self._label} holds no scenario yet")
            loaded = {name: tuple(self._load(table)) for name, table in _SIMPLE}
            separation = r.separation_of(self._rows(
                "SELECT scope, a, b, warn_m, critical_m FROM separation ORDER BY seq"))
            units, zones = self._units(until, tail), self._zones()
        now = r.text_time(meta[2]) if at is None else at.astimezone(UTC)
        return Scenario(now, meta[1], separation=separation, units=units, zones=zones,
                        version=meta[0], **loaded)

    def add_fixes(self, reports: Sequence[tuple[str, Fix]]) -> None:
        rows = [r.fix_row(unit_id, fix) for unit_id, fix in reports]  # refuses naive times
        boxes = [point_box(f.position.lon, f.position.lat, f.radius_m) for _, f in reports]
        with self._write():
            self._append_fixes(reports, rows, boxes)

    def track(self, unit_id: str, since: datetime | None = None,
              until: datetime | None = None) -> tuple[Fix, ...]:
        low = _FIRST if since is None else r.time_text(since)
        high = _LAST if until is None else r.time_text(until)
        with self._read():
            self._require_unit(unit_id)
            found = self._rows(f"SELECT {_FIX_COLUMNS} FROM fixes WHERE unit_id = ? AND "
                               "observed >= ? AND observed <= ? ORDER BY observed, id",
                               (unit_id, low, high))
        return tuple(r.fix_of(row) for row in found)

    def units_near(self, lon: float, lat: float, distance_m: float, at: datetime) -> list[str]:
        _check_query(lon, lat, distance_m)
        at_text = r.time_text(at)
        latest: dict[str, tuple[float, float, float]] = {}
        with self._read():
            for box in around(lon, lat, distance_m):
                for unit_id, f_lon, f_lat, radius_m in self._latest_fixes_in(box, at, at_text):
                    latest[unit_id] = (f_lon, f_lat, radius_m)
        return _within(latest, lon, lat, distance_m)

    def candidates_near(self, lon: float, lat: float, distance_m: float) -> list[tuple[str, str]]:
        _check_query(lon, lat, distance_m)
        found: set[tuple[str, str]] = set()
        with self._read():
            for box in around(lon, lat, distance_m):
                found.update(self._shapes_in(box))
        return sorted(found)

    def set_time(self, now: datetime) -> None:
        text = r.time_text(now)
        with self._write():
            self._upsert_now(text)

    def atomic(self) -> AbstractContextManager[None]:
        return self._write()

    # -- the picture, as the hub adds to it -----------------------------------------------------

    def parties(self) -> list[Party]:
        with self._read():
            return list(self._load(r.PARTIES))

    def add_party(self, party: Party) -> None:
        row = r.PARTIES.dump(party)
        with self._write():
            if self._one("SELECT 1 FROM parties WHERE id = ?", (party.id,)) is not None:
                raise ConflictingStateError(f"party {party.id!r} exists", field="id")
            self._execute(r.PARTIES.insert_sql, (self._next("parties", "seq", 0), *row))

    def set_disclosure(self, rule: DisclosureRule) -> None:
        source, recipient, level = r.DISCLOSURE.dump(rule)
        with self._write():
            if self._one("SELECT 1 FROM disclosure WHERE source = ? AND recipient = ?",
                         (source, recipient)) is None:
                self._execute(r.DISCLOSURE.insert_sql,
                              (self._next("disclosure", "seq", 0), source, recipient, level))
            else:
                self._execute("UPDATE disclosure SET level = ? WHERE source = ? AND "
                              "recipient = ?", (level, source, recipient))

    def add_notice(self, notice: Notice) -> None:
        self._add_shaped("notice", r.NOTICES, notice)

    def add_site(self, site: Site) -> None:
        self._add_shaped("site", r.SITES, site)

    def put_zone(self, zone: Zone) -> None:
        entry = ("zone", zone.id, shape_box(zone.shape))
        with self._write():
            held = self._one("SELECT seq FROM zones WHERE id = ?", (zone.id,))
            if held is None:
                self._claim(zone.id)
                seq = self._next("zones", "seq", 0)
            else:  # the new version takes the old one's place in the list
                seq = held[0]
                self._execute("DELETE FROM zones WHERE id = ?", (zone.id,))  # and its children
                self._unindex_shape("zone", zone.id)
            self._put_zones([zone], first_seq=seq)
            self._add_shapes([entry])

    def add_unit(self, unit: Unit) -> None:
        with self._write():
            self._claim(unit.id)
            self._put_units([unit], first_seq=self._next("units", "seq", 0),
                            first_fix_id=self._next("fixes", "id", 1))

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------------

    def _put_units(self, units: Sequence[Unit], first_seq: int = 0, first_fix_id: int = 1) -> None:
        self._many("INSERT INTO units (seq, id, party, kind, name) VALUES (?, ?, ?, ?, ?)",
                   [(seq, *r.unit_row(u)) for seq, u in enumerate(units, start=first_seq)])
        fixes: list[tuple[Any, ...]] = []
        closed: list[FixEntry] = []
        latest: list[LatestEntry] = []
        for unit in units:
            rows, past, now = track_entries(unit.id, unit.track, first_fix_id + len(fixes))
            fixes += rows
            closed += past
            latest.append(now)
        self._many(f"INSERT INTO fixes (id, unit_id, {_FIX_COLUMNS}) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?)", fixes)
        self._index_fixes(closed)
        self._set_latest(latest)

    def _put_zones(self, zones: Sequence[Zone], first_seq: int = 0) -> None:
        self._many("INSERT INTO zones (seq, id, kind, geometry, radius_m, owner, name, version) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [(seq, *r.zone_row(z)) for seq, z in enumerate(zones, start=first_seq)])
        self._many("INSERT INTO zone_signatories (zone_id, seq, party) VALUES (?, ?, ?)",
                   [(z.id, i, p) for z in zones for i, p in enumerate(z.signatories)])
        self._many("INSERT INTO zone_sides (zone_id, seq, side, party) VALUES (?, ?, ?, ?)",
                   [(z.id, i, s.value, p) for z in zones for i, (s, p) in enumerate(z.sides)])

    def _add_shaped(self, kind: str, table: r.Table[Any], value: Notice | Site) -> None:
        row = table.dump(value)
        entry = (kind, value.id, shape_box(value.shape))  # the geodesy is done before the lock
        with self._write():
            self._claim(value.id)
            self._execute(table.insert_sql, (self._next(table.name, "seq", 0), *row))
            self._add_shapes([entry])

    def _claim(self, object_id: str) -> None:
        """Refuse an id any unit, area, zone, site, notice, sensor or border already has. The
        message does not say which: the caller may not be allowed to know the object."""
        if self._one("SELECT 1 FROM object_ids WHERE id = ?", (object_id,)) is not None:
            raise ConflictingStateError(f"id {object_id!r} is already in use", field="id")

    def _next(self, table: str, column: str, first: int) -> int:
        """One past the largest ``column`` of ``table``, or ``first``: new rows go last. The
        names are the store's own constants; the write lock keeps the number ours."""
        return int(self._one(f"SELECT COALESCE(MAX({column}) + 1, ?) FROM {table}", (first,))[0])

    def _append_fixes(self, reports: Sequence[tuple[str, Fix]], rows: Sequence[tuple[Any, ...]],
                      boxes: Sequence[Box]) -> None:
        """Insert a batch. Units whose reports are all as new as their latest fix (the usual
        case) are written and indexed in bulk; a unit with an older report goes one by one."""
        latest = self._latest_of({unit_id for unit_id, _ in reports})
        for index, (unit_id, _) in enumerate(reports):
            if unit_id not in latest:
                raise NotFoundError(f"no unit {unit_id!r}", field=f"reports[{index}]")
        late = {unit_id for (unit_id, _), row in zip(reports, rows, strict=True)
                if (last := latest[unit_id]) is not None and row[1] < last[1]}
        fresh = [i for i, (unit_id, _) in enumerate(reports) if unit_id not in late]
        first = self._next("fixes", "id", 1)
        ids = {i: first + n for n, i in enumerate(fresh)}
        self._many(f"INSERT INTO fixes (id, unit_id, {_FIX_COLUMNS}) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?)", [(ids[i], *rows[i]) for i in fresh])
        closed, newest = batch_entries(reports, rows, ids, latest, boxes)
        self._index_fixes(closed)
        self._set_latest(newest)
        for index, (unit_id, fix) in enumerate(reports):
            if unit_id in late:
                self._add_fix(index, unit_id, fix)

    def _latest_of(self, unit_ids: set[str]) -> dict[str, Latest | None]:
        """Known units among ``unit_ids``, each with its latest fix if it has one."""
        ordered = sorted(unit_ids)
        latest: dict[str, Latest | None] = {}
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start:start + _CHUNK]
            found = self._rows(_LATEST_OF.format(marks=marks(len(chunk))), chunk)
            for unit_id, fix_id, observed, lon, lat, radius_m in found:
                latest[unit_id] = None if fix_id is None else (fix_id, observed, lon, lat,
                                                               radius_m)
        return latest

    def _add_fix(self, index: int, unit_id: str, fix: Fix) -> None:
        """Insert one report anywhere in its unit's history and keep the index right."""
        self._require_unit(unit_id, field=f"reports[{index}]")
        row = r.fix_row(unit_id, fix)
        fix_id = self._rows(f"INSERT INTO fixes (unit_id, {_FIX_COLUMNS}) VALUES "
                            "(?, ?, ?, ?, ?, ?, ?) RETURNING id", row)[0][0]
        before = self._one("SELECT id, observed, lon, lat, radius_m FROM fixes WHERE unit_id = ? "
                           "AND observed <= ? AND id <> ? ORDER BY observed DESC, id DESC "
                           "LIMIT 1", (unit_id, row[1], fix_id))
        after = self._one("SELECT MIN(observed) FROM fixes WHERE unit_id = ? AND observed > ?",
                          (unit_id, row[1]))
        if after is None or after[0] is None:  # the new latest: the old one's interval closes
            if before is not None:
                self._index_fixes([closed_entry(tuple(before), fix.time)])
            self._set_latest([latest_entry(fix_id, row)])
            return
        if before is not None:  # already closed, at the time of the fix after the new one
            start = r.epoch_seconds(r.text_time(before[1]))
            self._end_fix(before[0], (before[2], before[3], start), r.epoch_seconds(fix.time))
        self._index_fixes([fix_entry(fix_id, fix, r.text_time(after[0]))])

    def _require_unit(self, unit_id: str, field: str = "unit") -> None:
        if self._one("SELECT 1 FROM units WHERE id = ?", (unit_id,)) is None:
            raise NotFoundError(f"no unit {unit_id!r}", field=field)

    # -- reading --------------------------------------------------------------------------------

    def _load(self, table: r.Table[Any]) -> Iterator[Any]:
        return (table.load(row) for row in self._rows(table.select_sql))

    def _units(self, until: str, tail: int | None) -> tuple[Unit, ...]:
        if tail is None:
            found = self._rows(f"SELECT unit_id, {_FIX_COLUMNS} FROM fixes WHERE observed <= ? "
                               "ORDER BY unit_id, observed, id", (until,))
        else:
            found = self._rows(_TAILS, (until, tail - 1, until))
        tracks = r.tracks_of(found)
        units = self._rows("SELECT id, party, kind, name FROM units ORDER BY seq")
        # A unit with no fix yet at the requested moment has no position to give.
        return tuple(r.unit_of(row, track if tail is None else track[-tail:])
                     for row in units if (track := tracks.get(row[0])))

    def _zones(self) -> tuple[Zone, ...]:
        signatories: defaultdict[str, list[str]] = defaultdict(list)
        for zone_id, party in self._rows(
                "SELECT zone_id, party FROM zone_signatories ORDER BY zone_id, seq"):
            signatories[zone_id].append(party)
        sides: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        for zone_id, side, party in self._rows(
                "SELECT zone_id, side, party FROM zone_sides ORDER BY zone_id, seq"):
            sides[zone_id].append((side, party))
        rows = self._rows("SELECT id, kind, geometry, radius_m, owner, name, version FROM zones "
                          "ORDER BY seq")
        return tuple(r.zone_of(row, signatories[row[0]], sides[row[0]]) for row in rows)

    # -- transactions and migrations ------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One writer at a time: the shared lock here, the database's own lock across processes.
        Inside an open write block this one joins it as a savepoint."""
        with self._write_lock, self._lock:
            self._check_open()
            if self._depth and self._lost:
                raise StoreError(f"{self._label}: the transaction was lost; the block is void")
            scope = self._savepoint() if self._depth else self._outermost()
            self._depth += 1
            try:
                with scope:
                    yield
            finally:
                self._depth -= 1

    @contextmanager
    def _read(self) -> Iterator[None]:
        """A consistent snapshot for a read made of several queries; inside a write block, the
        block's own view (its writes included)."""
        with self._lock:
            self._check_open()
            if self._depth:
                with self._joined():
                    yield
            else:
                with self._transaction(self._begin_read):
                    yield

    @contextmanager
    def _outermost(self) -> Iterator[None]:
        self._lost = False
        with self._transaction(self._begin_write):
            yield
            if self._lost:  # never commit what is left after the database rolled back
                raise StoreError(f"{self._label}: the transaction was lost; nothing was written")

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        # The name is made here from the depth, never from input.
        name = f"nested_{self._depth}"
        self._execute(f"SAVEPOINT {name}")
        try:
            yield
        except self.driver_error as exc:
            self._undo(name)
            raise self._translate(exc) from exc
        except BaseException:
            self._undo(name)
            raise
        self._execute(f"RELEASE SAVEPOINT {name}")

    def _undo(self, savepoint: str) -> None:
        try:
            self._execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            self._execute(f"RELEASE SAVEPOINT {savepoint}")
        except self.driver_error:
            self._lost = True  # e.g. a full disk: SQLite ends the whole transaction itself

    @contextmanager
    def _joined(self) -> Iterator[None]:
        try:
            yield
        except self.driver_error as exc:
            raise self._translate(exc) from exc

    @contextmanager
    def _transaction(self, begin: Any) -> Iterator[None]:
        try:
            begin()
            yield
            self._execute("COMMIT")
        except self.driver_error as exc:
            self._rollback()
            raise self._translate(exc) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        # Nothing may have begun, or the database may have rolled back already.
        with suppress(self.driver_error):
            self._execute("ROLLBACK")

    def _translate(self, exc: Exception) -> DeconflictError:
        if isinstance(exc, self.integrity_error):
            return ConflictingStateError(f"{self._label}: the write breaks a schema rule: {exc}")
        return StoreError(f"{self._label}: {exc}")

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self._label}: the store is closed")

    def _migrate(self) -> None:
        """Apply the bundled migrations not yet recorded; refuse a schema newer than the code."""
        known = bundled(self.migration_folder)
        latest = max((m.version for m in known), default=0)
        with self._read():
            tables = self._tables()
        if tables and "schema_migrations" not in tables:
            raise StoreError(f"{self._label} is a database of some other program; "
                             "deconflict will not add its tables to it")
        with self._write():
            self._execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                          "KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        newest = max(self._applied(), default=0)
        if newest > latest:
            raise StoreError(f"{self._label}: schema version {newest} is newer than this "
                             f"program knows ({latest}); upgrade deconflict")
        for migration in known:
            self._apply(migration)
        self.schema_version = max(self._applied(), default=0)

    def _apply(self, migration: Migration) -> None:
        with self._write():
            done = self._one("SELECT 1 FROM schema_migrations WHERE version = ?",
                             (migration.version,))
            if done is not None:
                return  # already applied, perhaps just now by another opener
            self._run_script(migration.script)
            self._execute("INSERT INTO schema_migrations (version, name, applied_at) "
                          "VALUES (?, ?, ?)", (migration.version, migration.name,
                                               r.time_text(datetime.now(UTC))))

    def _applied(self) -> set[int]:
        with self._read():
            return {row[0] for row in self._rows("SELECT version FROM schema_migrations")}

    # -- statements -----------------------------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._conn.execute(self._sql(sql), params)

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._conn.executemany(self._sql(sql), rows)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._conn.execute(self._sql(sql), params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        found = self._rows(sql, params)
        return found[0] if found else None

    # -- dialect hooks --------------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        """The statement in the driver's parameter style (queries here are written with ``?``)."""
        return text

    def _begin_write(self) -> None:
        self._execute("BEGIN")

    def _begin_read(self) -> None:
        self._execute("BEGIN")

    def _run_script(self, script: str) -> None:
        raise NotImplementedError

    def _tables(self) -> set[str]:
        """Names of the tables in the database (the store's own schema, or another's)."""
        raise NotImplementedError

    def _upsert_now(self, now: str) -> None:
        self._execute("INSERT INTO meta (id, format_version, name, now) VALUES (1, ?, '', ?) "
                      "ON CONFLICT (id) DO UPDATE SET now = excluded.now",
                      (FORMAT_VERSION, now))

    def _clear_spatial(self) -> None:
        raise NotImplementedError

    def _index_fixes(self, entries: Sequence[FixEntry]) -> None:
        """Index fixes over their closed intervals (see :mod:`deconflict.storage.history`)."""
        raise NotImplementedError

    def _end_fix(self, fix_id: int, where: tuple[float, float, float], valid_to: float) -> None:
        """Move the end of a fix's indexed (closed) interval: an older report arrived late.
        ``where`` is the fix's ``(lon, lat, valid_from)``, to find its entry quickly."""
        raise NotImplementedError

    def _set_latest(self, entries: Sequence[LatestEntry]) -> None:
        """Make each entry its unit's latest fix (replacing the one before, if any)."""
        raise NotImplementedError

    def _latest_fixes_in(self, box: Box, at: datetime,
                         at_text: str) -> Iterable[tuple[str, float, float, float]]:
        """``(unit id, lon, lat, radius_m)`` of each unit's latest fix at ``at`` that may lie in
        ``box`` (the box already holds the radius); extra rows are fine, missing ones are not."""
        raise NotImplementedError

    def _index_shapes(self, entries: Sequence[ShapeEntry]) -> None:
        raise NotImplementedError

    def _shapes_in(self, box: Box) -> Iterable[tuple[str, str]]:
        raise NotImplementedError

    def _add_shapes(self, entries: Sequence[ShapeEntry]) -> None:
        """Index objects added to an existing picture (``_index_shapes`` fills an empty one)."""
        raise NotImplementedError

    def _unindex_shape(self, kind: str, ref: str) -> None:
        raise NotImplementedError


def _shape_entries(scenario: Scenario) -> Iterator[ShapeEntry]:
    shaped: list[tuple[str, Sequence[Any]]] = [
        ("area", scenario.areas), ("zone", scenario.zones), ("site", scenario.sites),
        ("notice", scenario.notices), ("border", scenario.borders)]
    for kind, values in shaped:
        for value in values:
            shape: Shape = value.shape
            yield kind, value.id, shape_box(shape)
    for sensor in scenario.sensors:
        yield "sensor", sensor.id, point_box(sensor.position.lon, sensor.position.lat, 0.0)


def _check_query(lon: float, lat: float, distance_m: float) -> None:
    try:
        Position(lon, lat)
    except ValueError as exc:
        raise ValidationError(str(exc), field="position") from exc
    if not (distance_m >= 0 and math.isfinite(distance_m)):
        raise ValidationError("distance_m must be a finite, non-negative number",
                              field="distance_m")


def _within(latest: dict[str, tuple[float, float, float]], lon: float, lat: float,
            distance_m: float) -> list[str]:
    """The exact geodesic refine: ids within ``distance_m + radius_m``, nearest first."""
    if not latest:
        return []
    ids = list(latest)
    lons, lats, radii = (np.array(col, dtype=float) for col in zip(*latest.values(), strict=True))
    _, _, dist = _GEOD.inv(np.full(len(ids), lon), np.full(len(ids), lat), lons, lats)
    keep = [(float(d), unit_id) for d, radius_m, unit_id in zip(dist, radii, ids, strict=True)
            if d <= distance_m + radius_m]
    return [i for _, i in sorted(keep)]
