"""The hub's running state on real SQLite files: every noun round-trips, atomic blocks are all or
nothing, ids and orders are what the service relies on, and the position index stays exact."""

from __future__ import annotations

import itertools
import math
import random
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point, Polygon

from deconflict.errors import ConflictingStateError, NotFoundError, StoreError, ValidationError
from deconflict.model import (
    Alert,
    AlertKind,
    Answer,
    AnswerKind,
    Conflict,
    Credential,
    DisclosureLevel,
    DisclosureRule,
    Filing,
    Fix,
    Level,
    Message,
    Notice,
    NoticeKind,
    NoticeState,
    Party,
    PartyKind,
    Position,
    Role,
    Rule,
    Scenario,
    Severity,
    Shape,
    Side,
    Site,
    SiteKind,
    Unit,
    UnitKind,
    Window,
    Zone,
    ZoneKind,
    ZoneVersion,
)
from deconflict.storage import SqliteStore
from deconflict.storage.bbox import around, cover, point_box
from deconflict.storage.ledger import LedgerRow
from deconflict.storage.rows import epoch_seconds, text_time
from deconflict.storage.schema import bundled

from .conftest import at


@pytest.fixture
def store(db_path: Path, rich: Scenario) -> Iterator[SqliteStore]:
    opened = SqliteStore.open(db_path)
    try:
        opened.replace_scenario(rich)
        yield opened
    finally:
        opened.close()


def _table(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _credential(ident: str, party: str = "sdf", minutes: float = 0,
                role: Role = Role.LIAISON) -> Credential:
    return Credential(ident, party, role, f"token {ident}", at(minutes))


def _notice(ident: str, party: str = "russia", lon: float = 40.7) -> Notice:
    return Notice(ident, party, NoticeKind.ARTILLERY, Shape(Point(lon, 35.6), 800.0),
                  Window(at(30), at(90)), 500.0, None, None, f"notice {ident}")


def _filing(notice: Notice, minutes: float, state: NoticeState = NoticeState.SCREENED,
            checkpoint: int = 0) -> Filing:
    conflicts = (Conflict(Rule.UNIT, "sdf-east-1", "sdf", 812.25, Severity.CRITICAL),
                 Conflict(Rule.ZONE, "tanf", "coalition", 0.0),
                 Conflict(Rule.SITE, "camp-3d", "sarc", 1.0 / 3, Severity.WARN))
    answers = (Answer("sdf", AnswerKind.OBJECT, at(minutes + 2), "our company is there"),
               Answer("coalition", AnswerKind.ACKNOWLEDGE, at(minutes + 1)))
    return Filing(notice, state, at(minutes), checkpoint, conflicts, answers)


def _message(ident: str, sender: str, recipient: str, minutes: float, **changes: object
             ) -> Message:
    message = Message(ident, sender, recipient, Level.AIR, f"text of {ident} — ünïcode",
                      at(minutes), at(minutes + 15))
    return replace(message, **changes)  # type: ignore[arg-type]


def _alert(audience: str, minutes: float, **payload: object) -> Alert:
    return Alert(audience, AlertKind.NOTICE_CONFLICT, at(minutes), dict(payload))


def _version(version: int, *signatures: tuple[str, float], zone_id: str = "tanf") -> ZoneVersion:
    zone = Zone(zone_id, ZoneKind.ZONE, Shape(Point(38.63, 33.50), 55_000.0 + version),
                ("coalition", "russia"), owner="coalition", name="At Tanf", version=version)
    return ZoneVersion(zone, "coalition", at(version),
                       tuple((party, at(minutes)) for party, minutes in signatures))


# -- access -------------------------------------------------------------------------------------


def test_credentials_round_trip_in_creation_order(store: SqliteStore) -> None:
    late, early = _credential("b", minutes=5), _credential("z", minutes=1)
    twin = _credential("a", "russia", minutes=5, role=Role.ADMIN)
    for credential, secret in ((late, "h-b"), (early, "h-z"), (twin, "h-a")):
        store.add_credential(credential, secret)
    assert store.credentials() == [early, twin, late]  # by created, then id
    assert store.credentials("sdf") == [early, late]
    assert store.credentials("nobody") == []
    assert store.credential_by_hash("h-a") == twin
    assert store.credential_by_hash("unknown") is None


def test_a_taken_credential_id_or_secret_is_refused(store: SqliteStore) -> None:
    store.add_credential(_credential("c1"), "hash-1")
    with pytest.raises(ConflictingStateError, match="exists"):
        store.add_credential(_credential("c1"), "hash-2")
    with pytest.raises(ConflictingStateError, match="same secret") as caught:
        store.add_credential(_credential("c2"), "hash-1")
    assert "hash-1" not in str(caught.value)  # a secret's hash is never echoed
    assert store.credentials() == [_credential("c1")]


def test_revocation_only_ever_comes_earlier(store: SqliteStore) -> None:
    store.add_credential(_credential("c1"), "h")
    assert store.revoke_credential("c1", at(60)) == replace(_credential("c1"), revoked=at(60))
    assert store.revoke_credential("c1", at(90)).revoked == at(60)
    assert store.revoke_credential("c1", at(30)).revoked == at(30)
    assert store.credential_by_hash("h") == replace(_credential("c1"), revoked=at(30))
    with pytest.raises(NotFoundError):
        store.revoke_credential("ghost", at(0))


def test_sessions_expire_and_die_with_their_credential(store: SqliteStore) -> None:
    credential = _credential("c1")
    store.add_credential(credential, "h")
    store.add_session("s1", "c1", at(60))
    assert store.session_credential("s1", at(59)) == credential
    assert store.session_credential("s1", at(60)) is None  # at ≥ expires
    assert store.session_credential("unknown", at(0)) is None
    store.revoke_credential("c1", at(30))
    assert store.session_credential("s1", at(29)) == replace(credential, revoked=at(30))
    assert store.session_credential("s1", at(30)) is None  # revoked at or before the moment
    with pytest.raises(ConflictingStateError):
        store.add_session("s1", "c1", at(90))
    with pytest.raises(NotFoundError):
        store.add_session("s2", "ghost", at(90))


# -- parties, disclosure and objects filed while the hub runs -----------------------------------


def test_parties_and_disclosure_join_the_scenario(store: SqliteStore, rich: Scenario) -> None:
    isf = Party("isf", "Iraqi security forces", PartyKind.STATE)
    store.add_party(isf)
    with pytest.raises(ConflictingStateError):
        store.add_party(Party("sdf", "again", PartyKind.NON_STATE))
    changed = DisclosureRule("sdf", "russia", DisclosureLevel.NONE)
    added = DisclosureRule("isf", "coalition", DisclosureLevel.EXACT)
    store.set_disclosure(changed)
    store.set_disclosure(added)
    assert store.parties() == [*rich.parties, isf]
    expected = replace(rich, parties=(*rich.parties, isf),
                       disclosure=(rich.disclosure[0], changed, rich.disclosure[2], added))
    assert store.scenario() == expected


def test_filed_objects_join_the_scenario_and_the_index(store: SqliteStore,
                                                       rich: Scenario) -> None:
    notice = _notice("ru-arty-7")
    site = Site("school-9", "sarc", SiteKind.SCHOOL, Shape(Polygon(
        [(40.9, 35.9), (40.91, 35.9), (40.91, 35.91)])), 150.0, Window(at(0), at(600)))
    unit = Unit("sy-tank-3", "syria", UnitKind.GROUND, (
        Fix(Position(40.8, 35.7), at(-30), 50.0), Fix(Position(40.81, 35.71, 300.0), at(-10))))
    store.add_notice(notice)
    store.add_site(site)
    store.add_unit(unit)
    assert store.scenario() == replace(rich, notices=(*rich.notices, notice),
                                       sites=(*rich.sites, site), units=(*rich.units, unit))
    assert ("notice", "ru-arty-7") in store.candidates_near(40.7, 35.6, 100.0)
    assert ("site", "school-9") in store.candidates_near(40.905, 35.905, 100.0)
    assert store.units_near(40.81, 35.71, 100.0, at(0)) == ["sy-tank-3"]
    assert store.units_near(40.8, 35.7, 100.0, at(-20)) == ["sy-tank-3"]
    store.add_fixes([("sy-tank-3", Fix(Position(40.82, 35.72), at(5)))])
    assert store.track("sy-tank-3")[-1] == Fix(Position(40.82, 35.72), at(5))


@pytest.mark.parametrize("taken", ["sdf-east-1", "is-held-1", "tanf", "camp-3d", "co-flight",
                                   "iq-tower-7", "iq-sy"])
def test_targets_share_one_namespace(store: SqliteStore, rich: Scenario, taken: str) -> None:
    site = Site(taken, "sarc", SiteKind.CAMP, Shape(Point(40.0, 35.0)))
    unit = Unit(taken, "sdf", UnitKind.AIR, (Fix(Position(40.0, 35.0), at(0)),))
    with pytest.raises(ConflictingStateError, match="in use") as caught:
        store.add_notice(_notice(taken))
    assert str(caught.value) == f"id {taken!r} is already in use"  # not what holds it
    with pytest.raises(ConflictingStateError):
        store.add_site(site)
    with pytest.raises(ConflictingStateError):
        store.add_unit(unit)
    if taken != "tanf":
        with pytest.raises(ConflictingStateError):
            store.put_zone(replace(rich.zones[0], id=taken))
    assert store.scenario() == rich


def test_put_zone_replaces_the_zone_in_effect_in_place(store: SqliteStore,
                                                       rich: Scenario) -> None:
    moved = Zone("tanf", ZoneKind.ZONE, Shape(Point(39.5, 34.5), 10_000.0), ("russia",),
                 owner="russia", name="At Tanf, moved", version=3)
    line = Zone("khabur", ZoneKind.LINE, Shape(LineString([(40.6, 35.9), (40.9, 35.2)])),
                ("sdf",), sides=((Side.RIGHT, "sdf"), (Side.LEFT, "syria")), version=1)
    store.put_zone(moved)
    store.put_zone(line)
    assert store.scenario().zones == (moved, rich.zones[1], line)
    assert ("zone", "tanf") in store.candidates_near(39.5, 34.5, 0.0)
    assert ("zone", "tanf") not in store.candidates_near(38.63, 33.50, 0.0)  # the old place
    assert ("zone", "khabur") in store.candidates_near(40.75, 35.55, 1000.0)


# -- filings ------------------------------------------------------------------------------------


def test_filings_round_trip_and_replace(store: SqliteStore, rich: Scenario) -> None:
    first = _filing(rich.notices[0], 10, checkpoint=7)
    store.save_filing(first)
    assert store.filing("ru-strike-1") == first
    answered = replace(first, state=NoticeState.OBJECTED, conflicts=first.conflicts[1:],
                       answers=())
    store.save_filing(answered)
    assert store.filing("ru-strike-1") == answered
    assert store.filings() == [answered]
    with pytest.raises(NotFoundError):
        store.filing("co-flight")


def test_filings_come_by_time_filed_then_id(store: SqliteStore, rich: Scenario) -> None:
    extra = _notice("a-notice")
    store.add_notice(extra)
    last = _filing(rich.notices[0], 20, NoticeState.CLEARED)
    tied_b = _filing(rich.notices[2], 10, NoticeState.ACKNOWLEDGED)
    tied_a = _filing(extra, 10)
    for filing in (last, tied_b, tied_a):
        store.save_filing(filing)
    assert store.filings() == [tied_a, tied_b, last]
    assert store.filings([NoticeState.CLEARED, NoticeState.SCREENED]) == [tied_a, last]
    assert store.filings({NoticeState.CANCELLED}) == []
    assert store.filings([]) == []


def test_a_filing_needs_its_notice_as_stored(store: SqliteStore, rich: Scenario) -> None:
    with pytest.raises(NotFoundError):
        store.save_filing(_filing(_notice("unknown"), 0))
    altered = replace(rich.notices[0], buffer_m=1001.0)
    with pytest.raises(ConflictingStateError, match="differs"):
        store.save_filing(_filing(altered, 0))
    assert store.filings() == []


def test_replacing_the_scenario_drops_the_filings(store: SqliteStore, rich: Scenario) -> None:
    store.save_filing(_filing(rich.notices[0], 0))
    store.replace_scenario(rich)
    assert store.filings() == []


# -- zone versions ------------------------------------------------------------------------------


def test_zone_versions_keep_signature_order_and_upsert(store: SqliteStore) -> None:
    proposed = _version(3)
    signed = _version(3, ("russia", 5), ("coalition", 4))  # given in this order on purpose
    older = _version(2, ("coalition", 1))
    line = ZoneVersion(Zone("euphrates", ZoneKind.LINE, Shape(LineString(
        [(39.9, 35.5), (40.92, 34.45)])), ("russia", "coalition"),
        sides=((Side.LEFT, "syria"), (Side.RIGHT, "sdf")), version=2), "russia", at(8))
    for version in (proposed, line, older):
        store.save_zone_version(version)
    store.save_zone_version(signed)
    assert store.zone_versions() == [line, older, signed]
    assert store.zone_versions("tanf") == [older, signed]
    assert store.zone_versions("tanf")[1].effective == at(5)
    assert store.zone_versions("nowhere") == []


# -- lines of communication ---------------------------------------------------------------------


def test_messages_round_trip_and_filter(store: SqliteStore) -> None:
    acknowledged = _message("m2", "coalition", "russia", 10, acknowledged=at(12))
    escalated = _message("m1", "russia", "coalition", 10, level=Level.GROUND,
                         escalated=at(30), escalated_from="m0")
    other = _message("m3", "sdf", "syria", 5)
    open_one = _message("m4", "coalition", "sdf", 40, level=Level.COMMAND)
    for message in (acknowledged, escalated, other, open_one):
        store.save_message(message)
    assert store.message("m1") == escalated
    assert store.messages() == [other, escalated, acknowledged, open_one]
    assert store.messages("coalition") == [escalated, acknowledged, open_one]
    assert store.messages("coalition", open_only=True) == [open_one]
    assert store.messages(open_only=True) == [other, open_one]
    closed = replace(open_one, acknowledged=at(41))
    store.save_message(closed)
    assert store.message("m4") == closed
    assert store.messages("sdf", open_only=True) == [other]
    with pytest.raises(NotFoundError):
        store.message("m9")


def test_unresponsive_parties_are_marked_and_cleared(store: SqliteStore) -> None:
    store.set_unresponsive("syria", at(10))
    store.set_unresponsive("russia", at(20))
    store.set_unresponsive("syria", at(15))
    assert store.unresponsive() == {"russia": at(20), "syria": at(15)}
    store.set_unresponsive("syria", None)
    store.set_unresponsive("nobody", None)
    assert store.unresponsive() == {"russia": at(20)}


# -- alerts -------------------------------------------------------------------------------------


def test_alert_ids_only_grow_and_payloads_round_trip(store: SqliteStore) -> None:
    assert store.last_alert_id() == 0
    payload = {"notice": "ru-strike-1", "conflicts": [{"rule": "R-UNIT", "distance_m": 812.3}],
               "critical": True, "note": None, "text": "ünï"}
    first = store.add_alerts([_alert("sdf", 1, **payload), _alert("russia", 1), _alert("sdf", 2)])
    assert [a.id for a in first] == [1, 2, 3]
    assert first[0] == replace(_alert("sdf", 1, **payload), id=1)
    assert store.add_alerts([]) == []
    second = store.add_alerts([replace(_alert("sdf", 3, n=1), id=99)])  # the store numbers
    assert [a.id for a in second] == [4] and store.last_alert_id() == 4
    assert store.alerts_after("sdf") == [first[0], first[2], second[0]]
    assert store.alerts_after("sdf", after_id=1) == [first[2], second[0]]
    assert store.alerts_after("sdf", after_id=1, limit=1) == [first[2]]
    assert store.alerts_after("sdf", after_id=4) == []
    assert store.alerts_after("russia") == [first[1]]
    with pytest.raises(ValidationError):
        store.alerts_after("sdf", limit=-1)


@pytest.mark.parametrize("payload", [{"band": (1, 2)}, {"d": math.nan}, {1: "x"},
                                     {"when": at(0)}])
def test_alerts_that_would_not_read_back_equal_are_refused(store: SqliteStore,
                                                           payload: dict[object, object]) -> None:
    bad = Alert("sdf", AlertKind.PROBING, at(0), payload)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="plain JSON"):
        store.add_alerts([_alert("sdf", 0), bad])
    assert store.last_alert_id() == 0


# -- separation levels and the ledger -----------------------------------------------------------


def test_separation_levels_are_set_changed_and_forgotten(store: SqliteStore) -> None:
    store.set_separation_levels({("a", "b"): "warn", ("a", "c"): "critical"})
    store.set_separation_levels({("a", "b"): "critical", ("a", "c"): None, ("b", "c"): "warn"})
    assert store.separation_levels() == {("a", "b"): "critical", ("b", "c"): "warn"}
    with pytest.raises(ValidationError, match="ordered"):
        store.set_separation_levels({("z", "a"): "warn"})
    with pytest.raises(ValidationError, match="warn or critical"):
        store.set_separation_levels({("a", "z"): "close"})
    assert store.separation_levels() == {("a", "b"): "critical", ("b", "c"): "warn"}


def test_the_ledger_counts_every_record(store: SqliteStore, db_path: Path) -> None:
    assert store.ledger_size() == 0
    assert [_record(store, "sdf", "notice", f"n{k}", at(k)) for k in range(3)] == [1, 2, 3]
    assert store.ledger_size() == 3
    second = _table(db_path, "SELECT actor, kind, ref, time FROM ledger_entries WHERE idx = 1")
    assert second == [("sdf", "notice", "n1", "2017-09-18T06:01:00.000000Z")]


def _record(store: SqliteStore, actor: str, kind: str, ref: str, moment: datetime) -> int:
    """Append the next ledger row (the store checks no signature); the log's new size."""
    with store.atomic():
        index = store.ledger_size()
        store.append_entry(LedgerRow(index, moment, actor, kind, ref, "{}", None, None,
                                     "00000000", bytes(64), bytes(32), (actor,)))
        return index + 1


# -- atomic blocks ------------------------------------------------------------------------------


def _hub_writes(store: SqliteStore, rich: Scenario) -> None:
    store.add_credential(_credential("c1"), "h")
    store.add_notice(_notice("n-atomic"))
    store.save_filing(_filing(_notice("n-atomic"), 0))
    store.add_alerts([_alert("sdf", 0)])
    store.add_fixes([("iq-boat", Fix(Position(41.0, 34.5), at(40)))])
    _record(store, "sdf", "notice", "n-atomic", at(0))


def _nothing_written(db_path: Path, rich: Scenario) -> None:
    with SqliteStore.open(db_path) as other:
        assert other.scenario() == rich
        assert other.credentials() == [] and other.filings() == []
        assert other.last_alert_id() == 0 and other.ledger_size() == 0


def test_an_error_inside_atomic_writes_nothing(store: SqliteStore, rich: Scenario,
                                               db_path: Path) -> None:
    with pytest.raises(RuntimeError), store.atomic():
        _hub_writes(store, rich)
        assert store.ledger_size() == 1  # reads inside see the block's writes
        assert store.filing("n-atomic").notice == _notice("n-atomic")
        raise RuntimeError("the service failed half-way")
    _nothing_written(db_path, rich)
    assert store.ledger_size() == 0


def test_nested_blocks_join_the_outer_transaction(store: SqliteStore, rich: Scenario,
                                                  db_path: Path) -> None:
    with SqliteStore.open(db_path) as reader:
        with store.atomic():
            _record(store, "hub", "outer", "x", at(0))
            with store.atomic():
                _record(store, "hub", "inner", "y", at(0))
            assert store.ledger_size() == 2
            assert reader.ledger_size() == 0  # nothing is committed before the outer end
        assert reader.ledger_size() == 2
        with pytest.raises(KeyError), store.atomic():
            _record(store, "hub", "outer", "z", at(0))
            with store.atomic():
                _record(store, "hub", "inner", "w", at(0))
            raise KeyError("after the inner block closed")
        assert reader.ledger_size() == 2


def test_a_failed_write_inside_a_block_leaves_no_trace(store: SqliteStore, rich: Scenario,
                                                       db_path: Path) -> None:
    with store.atomic():
        _record(store, "hub", "first", "x", at(0))
        with pytest.raises(NotFoundError):  # half a batch is in before the unknown unit shows
            store.add_fixes([("iq-boat", Fix(Position(41.0, 34.5), at(40))),
                             ("ghost", Fix(Position(41.0, 34.5), at(40)))])
        with pytest.raises(ConflictingStateError):
            store.add_notice(_notice("co-flight"))
        _record(store, "hub", "second", "y", at(0))
    with SqliteStore.open(db_path) as other:
        assert other.scenario() == rich
        assert other.ledger_size() == 2


def test_a_transaction_the_database_ended_is_never_half_committed(store: SqliteStore,
                                                                   db_path: Path) -> None:
    with pytest.raises(StoreError, match="lost"), store.atomic():
        _record(store, "hub", "first", "x", at(0))
        with pytest.raises(RuntimeError), store.atomic():
            store._execute("ROLLBACK")  # what SQLite itself does on a full disk or an I/O error
            raise RuntimeError("the write failed")
        with pytest.raises(StoreError, match="lost"):  # not run outside any transaction
            _record(store, "hub", "second", "y", at(0))
    assert store.ledger_size() == 0
    assert _record(store, "hub", "next", "z", at(0)) == 1  # the store is usable again


def test_a_block_makes_other_writers_wait(store: SqliteStore, db_path: Path) -> None:
    entered, positions = threading.Event(), []
    with SqliteStore.open(db_path) as other:

        def write_after_entry() -> None:
            entered.wait()
            positions.append(_record(other, "b", "k", "r", at(0)))

        worker = threading.Thread(target=write_after_entry)
        with store.atomic():
            _record(store, "a", "k", "r", at(0))
            entered.set()
            worker.start()
            worker.join(timeout=0.2)
            assert worker.is_alive()  # waiting for the block to end
            assert _record(store, "a", "k", "r", at(0)) == 2
        worker.join()
    assert positions == [3]


def test_a_closed_store_refuses_hub_work(db_path: Path) -> None:
    store = SqliteStore.open(db_path)
    store.close()
    with pytest.raises(StoreError):
        _record(store, "a", "k", "r", at(0))
    with pytest.raises(StoreError), store.atomic():
        pass


# -- several stores -----------------------------------------------------------------------------


def test_another_store_sees_committed_hub_state(store: SqliteStore, rich: Scenario,
                                                db_path: Path) -> None:
    with SqliteStore.open(db_path) as reader:
        assert reader.ledger_size() == 0  # opened before the writes below
        with store.atomic():
            _hub_writes(store, rich)
        store.save_message(_message("m1", "sdf", "russia", 0))
        store.save_zone_version(_version(3, ("russia", 5)))
        store.set_unresponsive("syria", at(3))
        store.set_separation_levels({("a", "b"): "warn"})
        store.add_session("s1", "c1", at(60))
        assert reader.credential_by_hash("h") == _credential("c1")
        assert reader.session_credential("s1", at(0)) == _credential("c1")
        assert reader.filings() == [_filing(_notice("n-atomic"), 0)]
        assert [a.id for a in reader.alerts_after("sdf")] == [1]
        assert reader.messages("russia") == [_message("m1", "sdf", "russia", 0)]
        assert reader.zone_versions() == [_version(3, ("russia", 5))]
        assert reader.unresponsive() == {"syria": at(3)}
        assert reader.separation_levels() == {("a", "b"): "warn"}
        assert reader.ledger_size() == 1
        assert reader.scenario().notices[-1] == _notice("n-atomic")
        assert reader.track("iq-boat")[-1] == Fix(Position(41.0, 34.5), at(40))


# -- the position history index -----------------------------------------------------------------


def _reports(rng: random.Random, units: list[Unit], count: int) -> list[tuple[str, Fix]]:
    """Mostly fresh reports, some repeated units, some same-time ties and a few late ones."""
    batch = []
    for _ in range(count):
        unit = rng.choice(units)
        newest = max(f.time for f in unit.track)
        minutes = (newest - at(0)).total_seconds() / 60
        when = rng.choice([minutes, minutes + rng.uniform(0, 30), minutes + rng.uniform(0, 30),
                           minutes - rng.uniform(0, 90)])
        base = unit.track[-1].position
        fix = Fix(Position(base.lon + rng.gauss(0, 0.02), base.lat + rng.gauss(0, 0.02)),
                  at(when), rng.choice([0.0, 250.0]))
        batch.append((unit.id, fix))
        units[units.index(unit)] = unit.with_fix(fix)
    return batch


def test_the_index_holds_every_fix_exactly_once(db_path: Path) -> None:
    rng = random.Random(5)
    units = [Unit(f"u{k}", "p", UnitKind.GROUND, (Fix(Position(40 + k / 50, 35.0), at(0)),))
             for k in range(40)]
    with SqliteStore.open(db_path) as store:
        store.replace_scenario(Scenario(at(0), units=tuple(units)))
        for _ in range(6):
            store.add_fixes(_reports(rng, units, 60))
        for unit in units:  # same-time reports keep their arrival order (Unit.with_fix too)
            assert store.track(unit.id) == unit.track
        for minutes in (-1, 0, 10, 45, 200):
            found = set(store.units_near(40.4, 35.0, 60_000.0, at(minutes)))
            assert found == {u.id for u in units if u.fix_at(at(minutes)) is not None}
    fixes = _table(db_path, "SELECT id, unit_id, observed FROM fixes ORDER BY unit_id, "
                            "observed, id")
    latest = {row[1]: row for row in fixes}  # the last row of each unit
    assert _table(db_path, "SELECT unit_id, fix_id, observed FROM latest_fixes ORDER BY "
                           "unit_id") == sorted((u, i, o) for i, u, o in latest.values())
    closed = {row[0]: row for row in _table(db_path, "SELECT fix_id, valid_from, valid_to FROM "
                                                     "fix_index")}
    expected = {a[0]: (a[2], b[2]) for a, b in itertools.pairwise(fixes) if a[1] == b[1]}
    assert set(closed) == set(expected)
    assert _table(db_path, "SELECT COUNT(*) FROM fix_index") == [(len(expected),)]
    for fix_id, (start, end) in expected.items():
        # R*Tree keeps 32-bit floats rounded outward: about two minutes at these epochs.
        low, high = float(str(closed[fix_id][1])), float(str(closed[fix_id][2]))
        assert low <= epoch_seconds(text_time(str(start))) < low + 256
        assert high - 256 < epoch_seconds(text_time(str(end))) <= high


def _version_1_database(path: Path) -> None:
    """A database as the first schema left it: every fix in the R*Tree, the latest open-ended."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL)")
    conn.executescript(bundled()[0].script)
    conn.execute("INSERT INTO schema_migrations VALUES (1, 'initial', '2024-01-01T00:00:00Z')")
    conn.execute("INSERT INTO meta VALUES (1, 1, 'old', '2017-09-18T06:00:00.000000Z')")
    conn.execute("INSERT INTO units VALUES ('u1', 0, 'p', 'ground', '')")
    conn.execute("INSERT INTO units VALUES ('u2', 1, 'p', 'air', '')")
    for fix_id, unit, minutes, lon in ((1, "u1", 0, 40.0), (2, "u1", 10, 40.1),
                                       (3, "u2", 5, 40.2)):
        observed = at(minutes).isoformat(timespec="microseconds").replace("+00:00", "Z")
        conn.execute("INSERT INTO fixes VALUES (?, ?, ?, ?, 35.0, NULL, 0.0, NULL)",
                     (fix_id, unit, observed, lon))
        box = cover(around(lon, 35.0, 0.0))
        end = {1: epoch_seconds(at(10))}.get(fix_id, math.inf)
        conn.execute("INSERT INTO fix_index VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (fix_id, box.min_lon, box.max_lon, box.min_lat, box.max_lat,
                      epoch_seconds(at(minutes)), end))
    conn.close()


def test_a_version_1_database_is_migrated(db_path: Path) -> None:
    _version_1_database(db_path)
    with SqliteStore.open(db_path) as store:
        assert store.schema_version == max(m.version for m in bundled())
        assert store.units_near(40.1, 35.0, 10.0, at(20)) == ["u1"]
        assert store.units_near(40.0, 35.0, 10.0, at(5)) == ["u1"]
        assert store.units_near(40.2, 35.0, 10.0, at(5)) == ["u2"]
        store.add_fixes([("u1", Fix(Position(40.3, 35.0), at(20)))])
        assert store.units_near(40.1, 35.0, 10.0, at(15)) == ["u1"]
        assert store.units_near(40.3, 35.0, 10.0, at(20)) == ["u1"]
    latest = _table(db_path, "SELECT unit_id, fix_id FROM latest_fixes ORDER BY unit_id")
    assert latest == [("u1", 4), ("u2", 3)]
    assert _table(db_path, "SELECT fix_id FROM fix_index ORDER BY fix_id") == [(1,), (2,)]


def test_point_boxes_match_the_general_boxes() -> None:
    rng = random.Random(9)
    for _ in range(500):
        lon, lat = rng.uniform(-180, 180), rng.choice([rng.uniform(-90, 90), 89.99, -89.9999])
        radius = rng.choice([0.0, 30.0, 5000.0, 300_000.0])
        assert point_box(lon, lat, radius) == cover(around(lon, lat, radius))
    assert point_box(179.9999, 0.0, 100.0).min_lon == -180.0


# -- scenario tails -----------------------------------------------------------------------------


def test_scenario_tail_keeps_each_units_latest_fixes(store: SqliteStore, rich: Scenario) -> None:
    tied = [Fix(Position(40.3, 35.3), at(60)), Fix(Position(40.31, 35.3), at(60))]
    store.add_fixes([("sdf-east-1", tied[0]), ("sdf-east-1", tied[1])])
    east = (*rich.units[0].track, *tied)
    tails = store.scenario(tail=2)
    assert [u.track for u in tails.units] == [east[-2:], *(u.track for u in rich.units[1:])]
    assert store.scenario(tail=1).units[0].track == (tied[1],)  # the later of two at one time
    assert store.scenario(at(-20), tail=1).units[0].track == east[1:2]
    assert store.scenario(tail=50) == replace(rich, units=(
        replace(rich.units[0], track=east), *rich.units[1:]))
    with pytest.raises(ValidationError):
        store.scenario(tail=0)
