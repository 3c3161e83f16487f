"""The store's ledger rows on a real SQLite file: kept in order, read back equal, append-only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deconflict.errors import ConflictingStateError, NotFoundError, ValidationError
from deconflict.model import Scenario
from deconflict.storage import SqliteStore
from deconflict.storage.ledger import CheckpointRow, KeyRow, LedgerRow

T0 = datetime(2017, 9, 18, 6, tzinfo=UTC)


def row(index: int, ref: str = "n1", *, body: str | None = '{"a":1}',
        commitment: str | None = None, salt: bytes | None = None) -> LedgerRow:
    return LedgerRow(index, T0 + timedelta(minutes=index), "sdf", "notice", ref, body,
                     commitment, salt, "0a0b0c0d", bytes([index % 256]) * 64,
                     bytes([index % 256]) * 32, ("sdf", "russia"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore.open(tmp_path / "hub.db") as opened:
        yield opened


def test_entries_are_appended_in_order_and_read_back_equal(store: SqliteStore) -> None:
    rows = [row(0), row(1, "n2", body=None, commitment="sha256:" + "0" * 64, salt=b"s" * 32),
            row(2)]
    for r in rows:
        store.append_entry(r)
    assert store.ledger_size() == 3
    assert store.ledger_entries() == rows and store.ledger_entry(1) == rows[1]
    assert store.ledger_entries(1, 2) == rows[1:2]
    assert store.leaf_hashes(1) == [r.leaf_hash for r in rows[1:]]
    with pytest.raises(ConflictingStateError, match="next entry is 3"):
        store.append_entry(row(5))
    with pytest.raises(NotFoundError):
        store.ledger_entry(3)


def test_a_row_is_checked_before_it_is_written(store: SqliteStore) -> None:
    for bad, field in ((row(0, salt=b"s" * 32), "salt"), (row(0, body=None), "body")):
        with pytest.raises(ValidationError) as caught:
            store.append_entry(bad)
        assert caught.value.field == field
    assert store.ledger_size() == 0


def test_entries_are_found_by_ref_subject_and_time(store: SqliteStore) -> None:
    store.append_entry(row(0, "syria", body='{"reports":[["syr-1"]]}'), subjects=["syr-1"])
    store.append_entry(row(1, "syria", body='{"reports":[["syr-2"]]}'))
    assert [r.index for r in store.ledger_entries_about("syr-1")] == [0]
    assert [r.index for r in store.ledger_entries_about("syria")] == [0, 1]
    found = store.ledger_entries_between("syria", T0, T0 + timedelta(minutes=5), kind="notice",
                                         containing='"syr-2"')
    assert [r.index for r in found] == [1]
    assert store.ledger_entries_between("syria", T0 + timedelta(minutes=2), T0 + timedelta(
        hours=1)) == []


def test_keys_retire_and_forget_their_private_half(store: SqliteStore) -> None:
    held = KeyRow("0a0b0c0d", "sdf", b"p" * 32, b"q" * 32, T0)
    store.add_key(held)
    with pytest.raises(ConflictingStateError):
        store.add_key(held)
    store.retire_key("0a0b0c0d", T0 + timedelta(hours=1))
    (kept,) = store.ledger_keys("sdf")
    assert kept.retired == T0 + timedelta(hours=1) and kept.private_key is None
    assert store.ledger_keys("russia") == []


def test_a_checkpoint_gains_signatures_but_never_another_root(store: SqliteStore) -> None:
    first = CheckpointRow(1, b"r" * 32, T0, "note one\n")
    store.save_checkpoint(first)
    store.save_checkpoint(CheckpointRow(1, b"r" * 32, T0, "note one, countersigned\n"))
    assert store.ledger_checkpoint(1).note == "note one, countersigned\n"
    with pytest.raises(ConflictingStateError):
        store.save_checkpoint(CheckpointRow(1, b"x" * 32, T0, "another\n"))
    store.save_checkpoint(CheckpointRow(4, b"s" * 32, T0, "note four\n"))
    assert store.ledger_checkpoint().size == 4
    assert store.ledger_checkpoint_at_most(3) == store.ledger_checkpoint(1)
    assert store.ledger_checkpoint_at_most(0) is None
    assert [c.size for c in store.ledger_checkpoints()] == [1, 4]
    with pytest.raises(NotFoundError):
        store.ledger_checkpoint(2)


def test_the_origin_is_chosen_once(store: SqliteStore) -> None:
    assert store.ledger_origin("hub.example/a") == "hub.example/a"
    assert store.ledger_origin("hub.example/b") == "hub.example/a"
    with pytest.raises(ValidationError):
        store.ledger_origin("two\nlines")


def test_replacing_the_scenario_keeps_the_ledger(store: SqliteStore) -> None:
    store.append_entry(row(0))
    store.replace_scenario(Scenario(T0, "again"))
    assert store.ledger_size() == 1
