"""The SQLite store on real files: round trips, history, atomic writes, migrations, settings."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point

from deconflict.errors import ConflictingStateError, NotFoundError, StoreError, ValidationError
from deconflict.model import Fix, Position, Scenario, Shape, Site, SiteKind
from deconflict.storage import SqliteStore, Store, open_store
from deconflict.storage.schema import bundled

from .conftest import at


def _fix(lon: float, lat: float, minutes: float, radius_m: float = 0.0) -> Fix:
    return Fix(Position(lon, lat), at(minutes), radius_m)


#: Every fix is indexed once: superseded ones in the R*Tree, each unit's latest in its own table.
_INDEXED_FIXES = ("SELECT (SELECT COUNT(*) FROM fix_index) + "
                  "(SELECT COUNT(*) FROM latest_fixes)")


def _table(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Read the file with a connection of its own, as another program would."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- round trips ------------------------------------------------------------------------------


def test_rich_scenario_round_trips_exactly(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        assert store.scenario() == rich
    with SqliteStore.open(db_path, create=False) as again:
        assert again.scenario() == rich


def test_round_trip_keeps_what_equality_might_hide(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        back = store.scenario()
    east = back.units[0]
    assert [f.time.microsecond for f in east.track] == [0, 0, 1]
    assert all(f.time.utcoffset() == timedelta(0) for f in east.track)
    assert east.track[1].position.alt_m == 212.5 and east.track[1].stale == at(300)
    holed = back.areas[0].shape.geometry
    assert len(holed.interiors) == 1 and holed.equals_exact(rich.areas[0].shape.geometry, 0)
    assert back.sites[2].shape.geometry.has_z and back.sites[2].shape.radius_m == 800.0
    assert back.zones[1].sides == rich.zones[1].sides
    assert back.zones[1].signatories == ("russia", "coalition")
    assert [n.standoff_m for n in back.notices] == [4000.0, None, None]
    assert back.notices[1].altitude is None and back.sites[0].window is None


def test_times_are_fixed_width_utc_text(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
    observed = [row[0] for row in _table(db_path, "SELECT observed FROM fixes ORDER BY id")]
    assert observed[:3] == ["2017-09-18T05:00:00.000000Z", "2017-09-18T05:40:00.000000Z",
                            "2017-09-18T05:40:00.000001Z"]
    assert all(len(text) == 27 for text in observed)


def test_empty_scenario_round_trips(db_path: Path) -> None:
    empty = Scenario(at(0))
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(empty)
        assert store.scenario() == empty


def test_replace_leaves_nothing_of_the_previous_state(db_path: Path, rich: Scenario) -> None:
    smaller = Scenario(at(5), "second", parties=rich.parties[:1], units=rich.units[1:2])
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        store.replace_scenario(smaller)
        assert store.scenario() == smaller
        assert store.candidates_near(40.45, 35.02, 50_000) == []
    assert _table(db_path, _INDEXED_FIXES) == [(1,)]


def test_a_failed_replace_keeps_the_old_state(db_path: Path, rich: Scenario) -> None:
    twin = replace(rich.units[0], name="duplicate id")
    broken = replace(rich, name="broken", units=(*rich.units, twin))
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        with pytest.raises(ConflictingStateError):
            store.replace_scenario(broken)
        assert store.scenario() == rich


def test_a_fresh_store_holds_no_scenario(db_path: Path) -> None:
    with SqliteStore.open(db_path) as store:
        with pytest.raises(NotFoundError):
            store.scenario()
        store.set_time(at(10))
        assert store.scenario() == Scenario(at(10))


def test_set_time_moves_now_only(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        store.set_time(at(90))
        assert store.scenario() == rich.at(at(90))


# -- position history -------------------------------------------------------------------------


def test_scenario_at_keeps_fixes_up_to_the_moment(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        past = store.scenario(at(-20))
    assert past.time == at(-20)
    east = past.units[0]
    assert east.track == rich.units[0].track[:2]  # the fix 1 µs later is not yet known
    assert [u.id for u in past.units] == ["sdf-east-1"]  # the others have no fix yet
    assert past.notices == rich.notices and past.zones == rich.zones


def test_track_filters_by_inclusive_bounds(db_path: Path, rich: Scenario) -> None:
    full = rich.units[0].track
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        assert store.track("sdf-east-1") == full
        assert store.track("sdf-east-1", since=at(-20)) == full[1:]
        assert store.track("sdf-east-1", until=at(-20)) == full[:2]
        assert store.track("sdf-east-1", since=at(-30), until=at(-20)) == full[1:2]
        assert store.track("sdf-east-1", since=at(0)) == ()
        with pytest.raises(NotFoundError):
            store.track("nobody")


def test_add_fixes_appends_in_time_order_and_lasts(db_path: Path, rich: Scenario) -> None:
    late, early = _fix(40.3, 35.3, 60, 100.0), _fix(40.25, 35.35, -40)
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        store.add_fixes([("sdf-east-1", late), ("iq-boat", _fix(41.01, 34.41, 45))])
        store.add_fixes([("sdf-east-1", early)])  # a late-arriving older report
    with SqliteStore.open(db_path, create=False) as again:
        track = again.track("sdf-east-1")
        assert track == tuple(sorted((*rich.units[0].track, late, early), key=lambda f: f.time))
        assert again.scenario().units[2].track[-1] == _fix(41.01, 34.41, 45)


def test_same_time_reports_keep_arrival_order(db_path: Path, rich: Scenario) -> None:
    first, second = _fix(40.0, 35.0, 100), _fix(40.5, 35.5, 100)
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        store.add_fixes([("ru-su24", first), ("ru-su24", second)])
        assert store.track("ru-su24")[-2:] == (first, second)
        assert store.units_near(40.5, 35.5, 10.0, at(100)) == ["ru-su24"]
        assert store.units_near(40.0, 35.0, 10.0, at(100)) == []


def test_a_batch_naming_an_unknown_unit_writes_nothing(db_path: Path, rich: Scenario) -> None:
    good = ("sdf-east-1", _fix(40.3, 35.3, 60))
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        with pytest.raises(NotFoundError) as caught:
            store.add_fixes([good, ("iq-boat", _fix(41.0, 34.4, 61)), ("ghost", _fix(0, 0, 62))])
        assert caught.value.field == "reports[2]"
        assert store.scenario() == rich
    assert _table(db_path, "SELECT COUNT(*) FROM fixes") == [(5,)]
    assert _table(db_path, _INDEXED_FIXES) == [(5,)]


def test_a_batch_with_a_naive_time_writes_nothing(db_path: Path, rich: Scenario) -> None:
    naive = Fix(Position(40.3, 35.3), datetime(2017, 9, 18, 7))
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        with pytest.raises(ValidationError):
            store.add_fixes([("sdf-east-1", _fix(40.3, 35.3, 60)), ("sdf-east-1", naive)])
        assert store.scenario() == rich


def test_a_refused_row_rolls_back_the_whole_scenario(db_path: Path, rich: Scenario) -> None:
    clash = Site("mayadeen-hospital", "sarc", SiteKind.SCHOOL, Shape(Point(40.0, 35.0)))
    with SqliteStore.open(db_path) as store:
        with pytest.raises(ConflictingStateError):
            store.replace_scenario(replace(rich, sites=(*rich.sites, clash)))
        with pytest.raises(NotFoundError):
            store.scenario()
    assert _table(db_path, "SELECT COUNT(*) FROM units") == [(0,)]


# -- opening, migrations, settings -------------------------------------------------------------


def test_open_store_meets_the_contract(db_path: Path) -> None:
    store = open_store(db_path)
    try:
        assert isinstance(store, Store)
        assert store.schema_version == max(m.version for m in bundled())
    finally:
        store.close()


def test_migrations_are_recorded_once(db_path: Path) -> None:
    SqliteStore.open(db_path).close()
    SqliteStore.open(db_path).close()
    rows = _table(db_path, "SELECT version, name FROM schema_migrations")
    assert rows == [(m.version, m.name) for m in bundled()]
    assert rows[:3] == [(1, "initial"), (2, "hub"), (3, "ledger")]
    applied_at = _table(db_path, "SELECT applied_at FROM schema_migrations")[0][0]
    assert isinstance(applied_at, str) and applied_at.endswith("Z")


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    SqliteStore.open(db_path).close()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01')")
    conn.close()
    with pytest.raises(StoreError, match="999"):
        SqliteStore.open(db_path)


def test_opening_a_missing_file_without_create_fails(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "hub.db"
    with pytest.raises(StoreError, match="nowhere"):
        open_store(missing, create=False)
    with pytest.raises(StoreError, match=r"absent\.db"):
        open_store(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite " * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        open_store(junk)


def test_another_programs_database_is_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    with conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    with pytest.raises(StoreError, match="other program"):
        open_store(other)
    assert _table(other, "SELECT name FROM sqlite_master WHERE type = 'table'") == [("notes",)]


def test_durability_settings_are_in_force(db_path: Path) -> None:
    with SqliteStore.open(db_path) as store:
        assert store.pragmas() == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                                   "busy_timeout": 10_000}
    assert _table(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_a_closed_store_refuses_work(db_path: Path) -> None:
    store = SqliteStore.open(db_path)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.set_time(at(0))


def test_naive_times_are_refused(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        with pytest.raises(ValidationError):
            store.scenario(datetime(2017, 9, 18, 6))
        with pytest.raises(ValidationError):
            store.units_near(40.0, 35.0, 100.0, datetime(2017, 9, 18, 6))


# -- several stores, several threads ----------------------------------------------------------


def test_another_store_sees_committed_data(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as writer, SqliteStore.open(db_path) as reader:
        with pytest.raises(NotFoundError):
            reader.scenario()
        writer.replace_scenario(rich)
        assert reader.scenario() == rich
        writer.add_fixes([("iq-boat", _fix(41.02, 34.42, 50))])
        assert reader.track("iq-boat")[-1] == _fix(41.02, 34.42, 50)


def test_concurrent_writers_from_threads_all_land(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as first:
        first.replace_scenario(rich)
    stores = [SqliteStore.open(db_path) for _ in range(3)]
    errors: list[BaseException] = []

    def report(store: SqliteStore, lane: int) -> None:
        try:
            for n in range(20):
                store.add_fixes([("ru-su24", _fix(40.0 + lane / 10, 35.0, 10 + n))])
        except BaseException as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=report, args=(s, i)) for i, s in enumerate(stores * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert errors == []
    with SqliteStore.open(db_path) as store:
        assert len(store.track("ru-su24")) == 1 + 6 * 20


def test_a_store_is_usable_from_another_thread(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
        seen: list[Scenario] = []
        worker = threading.Thread(target=lambda: seen.append(store.scenario()))
        worker.start()
        worker.join()
        assert seen == [rich]


_WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from deconflict.model import Fix, Position
from deconflict.storage import open_store
store = open_store(sys.argv[1])
start = datetime(2017, 9, 18, 7, tzinfo=UTC)
for n in range(15):
    store.add_fixes([("ru-su24", Fix(Position(40.0, 35.0), start + timedelta(seconds=n)))])
store.close()
"""


def test_writers_in_other_processes_all_land(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(rich)
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(db_path)],
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [w.communicate(timeout=60)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0], errors
    with SqliteStore.open(db_path) as store:
        assert len(store.track("ru-su24")) == 1 + 3 * 15

