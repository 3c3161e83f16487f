"""``deconflict ledger export | verify | prove`` as a user runs them (subprocesses on real SQLite
files), and every corruption of the database or of an export is caught and located."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from deconflict.cli import main
from deconflict.errors import StoreError
from deconflict.ledger import (
    KeyPair,
    checkpoint_of,
    countersign,
    sign_entry,
    verify_inclusion,
)
from deconflict.service import ledger, ledger_files
from deconflict.storage import open_store

from .conftest import LedgerHub, b64, unb64

COMMAND = Path(sys.executable).parent / "deconflict"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COMMAND), *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def busy(lh: LedgerHub) -> LedgerHub:
    """A log with a bit of everything: notices and replies, an answer, a withheld batch, a
    countersigned checkpoint, a party's own key and an entry it signed, entries after the last
    checkpoint."""
    lh.file_notice("russia", "russia-a", (40.25, 35.35))
    lh.created("sdf", "/notices/russia-a/ack", {"answer": "acknowledge"})
    lh.report("syria", "syr-1", (40.2512, 35.3611), "2017-09-18T06:01:00Z")
    size = lh.publish()
    lh.created("sdf", f"/ledger/checkpoints/{size}/signatures", {})
    own = KeyPair.generate()
    lh.created("russia", "/ledger/keys", {"public_key": b64(own.public_bytes())})
    note = lh.get("russia", "/ledger/checkpoint").json()["note"]
    lh.created("russia", f"/ledger/checkpoints/{size}/signatures",
               {"signature": countersign(note, "russia", own).splitlines()[-1]})
    hub = lh.hub
    mine = sign_entry(own, index=hub.store.ledger_size(), time=hub.now(), actor="russia",
                      kind="statement", ref="russia-a", body={"text": "as filed"})
    lh.created("russia", "/ledger/entries", {"entry": mine.to_document()})
    lh.publish()
    lh.file_notice("coalition", "coalition-b", (41.5, 36.5), kind="flight")  # unanchored
    return lh


def _export(lh: LedgerHub, tmp_path: Path, name: str = "export.json") -> Path:
    """A fresh export, made in-process by what the command runs (the command itself is
    tested above)."""
    out = tmp_path / name
    ledger_files.export_db(lh.db, out)
    return out


def test_export_then_verify_passes(busy: LedgerHub, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    exported = run("ledger", "export", "--db", busy.db, "-o", out)
    assert exported.returncode == 0 and exported.stdout.startswith("exported "), exported.stderr
    done = run("ledger", "verify", out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: ") and "withheld" in done.stdout
    document = json.loads(out.read_bytes())
    assert document["format"] == "deconflict-ledger/1"
    assert out.read_bytes() == ledger_files.export_bytes(document)  # canonical on disk


def test_prove_prints_a_proof_that_verifies(busy: LedgerHub, tmp_path: Path) -> None:
    index = busy.indexes("coalition-b")[0]  # not yet covered: prove publishes a checkpoint
    done = run("ledger", "prove", "--db", busy.db, "--entry", str(index), "--format", "json")
    assert done.returncode == 0, done.stderr
    proof = json.loads(done.stdout)
    point = checkpoint_of(proof["checkpoint"])
    assert proof["proof"]["index"] == index and proof["proof"]["tree_size"] == point.size
    assert verify_inclusion(unb64(proof["leaf_hash"]), index, point.size,
                            [unb64(h) for h in proof["proof"]["path"]], point.root)
    table = run("ledger", "prove", "--db", busy.db, "--entry", "0")
    assert table.returncode == 0 and "path[0]" in table.stdout and "scenario.load" in table.stdout
    assert table.stdout.rstrip().splitlines()[-1].startswith("— ")  # the signed note follows


@pytest.mark.parametrize("args", [
    ("ledger", "verify", "no-such-file.json"),
    ("ledger", "prove", "--db", "DB", "--entry", "-1"),
    ("ledger", "prove", "--db", "DB", "--entry", "999999"),
    ("ledger", "export", "--db", "DB"),
])
def test_bad_arguments_exit_2(lh: LedgerHub, args: tuple[str, ...]) -> None:
    done = run(*(str(lh.db) if a == "DB" else a for a in args))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [
    ("ledger", "prove", "--db", "DB", "--entry", "abc"),
    ("ledger", "prove", "--db", "DB"),
    ("ledger", "prove", "--db", "DB", "--entry", "0", "--format", "yaml"),
    ("ledger", "verify"),
    ("ledger", "export", "-o", "x.json"),
])
def test_more_bad_arguments_exit_2(lh: LedgerHub, args: tuple[str, ...]) -> None:
    done = CliRunner().invoke(main, [str(lh.db) if a == "DB" else a for a in args])
    assert done.exit_code == 2, done.output


def test_a_missing_database_exits_1(tmp_path: Path) -> None:
    done = run("ledger", "export", "--db", tmp_path / "none.db", "-o", tmp_path / "x.json")
    assert done.returncode == 1 and "no database" in done.stderr
    assert not (tmp_path / "x.json").exists()


# -- the database edited behind the hub's back --------------------------------------------------

Edit = Callable[[sqlite3.Connection, LedgerHub], int]


def _delete(conn: sqlite3.Connection, lh: LedgerHub) -> int:
    index = lh.indexes("russia-a")[0]
    conn.execute("DELETE FROM ledger_entries WHERE idx = ?", (index,))
    return index


def _edit_body(conn: sqlite3.Connection, lh: LedgerHub) -> int:
    index = lh.indexes("russia-a", "notice.acknowledge")[0]
    conn.execute("UPDATE ledger_entries SET body = replace(body, 'acknowledge', 'object') "
                 "WHERE idx = ?", (index,))
    return index


def _edit_time(conn: sqlite3.Connection, lh: LedgerHub) -> int:
    index = lh.indexes("russia-a")[0]
    conn.execute("UPDATE ledger_entries SET time = '2017-09-18T05:00:00.000000Z' WHERE idx = ?",
                 (index,))
    return index


def _swap_signatures(conn: sqlite3.Connection, lh: LedgerHub) -> int:
    first, second = lh.indexes("russia-a")[:2]
    rows = dict(conn.execute("SELECT idx, signature FROM ledger_entries WHERE idx IN (?, ?)",
                             (first, second)).fetchall())
    for a, b in ((first, second), (second, first)):
        conn.execute("UPDATE ledger_entries SET signature = ? WHERE idx = ?", (rows[b], a))
    return first


def _edit_unanchored(conn: sqlite3.Connection, lh: LedgerHub) -> int:
    index = lh.indexes("coalition-b")[0]  # after the last checkpoint: the signature still holds
    conn.execute("UPDATE ledger_entries SET ref = 'coalition-c' WHERE idx = ?", (index,))
    return index


@pytest.mark.parametrize(("edit", "part"), [
    (_delete, "index"), (_edit_body, "signature"), (_edit_time, "signature"),
    (_swap_signatures, "signature"), (_edit_unanchored, "signature")])
def test_an_entry_edited_in_the_database_is_caught(busy: LedgerHub, tmp_path: Path, edit: Edit,
                                                   part: str) -> None:
    with sqlite3.connect(busy.db) as conn:
        index = edit(conn, busy)
    done = run("ledger", "verify", _export(busy, tmp_path))
    assert done.returncode == 1
    assert done.stdout.startswith(f"entries[{index}].{part}: "), done.stdout


def test_a_checkpoint_edited_in_the_database_is_caught(busy: LedgerHub, tmp_path: Path) -> None:
    with sqlite3.connect(busy.db) as conn:
        conn.execute("UPDATE ledger_checkpoints SET note = replace(note, '— sdf ', '— syria ')")
    done = run("ledger", "verify", _export(busy, tmp_path))
    assert done.returncode == 1 and re.match(r"checkpoints\[\d+\]\.signatures\[1\]: ",
                                             done.stdout), done.stdout


def test_a_cached_leaf_hash_edited_stops_the_hub_signing(busy: LedgerHub, tmp_path: Path) -> None:
    with sqlite3.connect(busy.db) as conn:
        conn.execute("UPDATE ledger_entries SET leaf_hash = zeroblob(32) WHERE idx = 1")
    assert run("ledger", "verify", _export(busy, tmp_path)).returncode == 0  # content intact
    store = open_store(busy.db, create=False)
    try:
        with pytest.raises(StoreError):
            ledger.publish_checkpoint(store, at=busy.hub.now())
    finally:
        store.close()


def test_a_log_cut_short_is_caught_by_a_kept_checkpoint(busy: LedgerHub, tmp_path: Path) -> None:
    kept = tmp_path / "kept.note"
    kept.write_text(busy.get("sdf", "/ledger/checkpoint").json()["note"], encoding="utf-8")
    size = checkpoint_of(kept.read_text(encoding="utf-8")).size
    with sqlite3.connect(busy.db) as conn:  # the operator drops the tail and its checkpoints
        conn.execute("DELETE FROM ledger_entries WHERE idx >= ?", (size - 1,))
        conn.execute("DELETE FROM ledger_checkpoints WHERE size >= ?", (size - 1,))
    out = _export(busy, tmp_path)
    assert run("ledger", "verify", out).returncode == 0  # consistent in itself...
    done = run("ledger", "verify", out, "--checkpoint", kept)
    assert done.returncode == 1 and done.stdout.startswith("known[0]: "), done.stdout


# -- any byte of an export ------------------------------------------------------------------------

def _flips(data: bytes, count: int, seed: int) -> list[tuple[int, int]]:
    """``count`` (offset, new byte) pairs spread over the file, and its first and last bytes."""
    rng = random.Random(seed)
    offsets = sorted({0, len(data) - 1, *rng.sample(range(len(data)), count)})
    out = []
    for offset in offsets:
        old = data[offset]
        new = rng.choice([old ^ 0x01, old ^ 0x20, old ^ 0x80, ord(" "), ord("0")])
        out.append((offset, new if new != old else old ^ 0x02))
    return out


def _flipped(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + bytes([value]) + data[offset + 1:]


def test_any_byte_changed_fails_and_says_where(busy: LedgerHub, tmp_path: Path) -> None:
    data = _export(busy, tmp_path).read_bytes()
    assert ledger_files.verify_bytes(data).ok
    for offset, value in _flips(data, 600, seed=5):
        verdict = ledger_files.verify_bytes(_flipped(data, offset, value))
        assert not verdict.ok, f"byte {offset} changed to {value:#x} went unnoticed"
        assert verdict.location and verdict.problem, offset


def test_a_changed_byte_through_the_command(busy: LedgerHub, tmp_path: Path) -> None:
    data = _export(busy, tmp_path).read_bytes()
    broken = tmp_path / "broken.json"
    for offset, value in _flips(data, 1, seed=11):
        broken.write_bytes(_flipped(data, offset, value))
        done = run("ledger", "verify", broken)
        assert done.returncode == 1, (offset, done.stdout)
        location = done.stdout.split(": ", 1)[0]
        assert re.fullmatch(r"[\w$]+(\[\d+\])?(\.\w+(\[\d+\])?)*|byte \d+", location), done.stdout


def test_a_truncated_or_reordered_export_fails(busy: LedgerHub, tmp_path: Path) -> None:
    document = json.loads(_export(busy, tmp_path).read_bytes())
    entries = document["entries"]
    reordered = {**document, "entries": [entries[1], entries[0], *entries[2:]]}
    truncated = {**document, "entries": entries[:3]}
    for changed, where in ((reordered, "entries[0].index"), (truncated, "checkpoints[")):
        verdict = ledger_files.verify_bytes(ledger_files.export_bytes(changed))
        assert not verdict.ok and (verdict.location or "").startswith(where), verdict
    cut = _export(busy, tmp_path).read_bytes()[:-40]
    assert ledger_files.verify_bytes(cut).location == f"byte {len(cut)}"

