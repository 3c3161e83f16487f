"""A small, deterministic ledger for the tests: five parties with fixed keys, entries in the
clear and withheld, checkpoints signed by the log and countersigned by the parties."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from deconflict.ledger import (
    Checkpoint,
    Entry,
    KeyPair,
    MerkleTree,
    Reveal,
    VerifierKey,
    build_bundle,
    build_export,
    commit,
    countersign,
    prove,
    sign_entry,
    sign_note,
)

ORIGIN = "hub.example/euphrates"
PARTIES = ("coalition", "russia", "sdf", "syria", "un-ocha")
START = datetime(2017, 9, 16, 6, 0, tzinfo=UTC)


def key_of(name: str) -> KeyPair:
    """A fixed key per name, so that every run signs the same bytes."""
    return KeyPair.from_private_bytes(hashlib.sha256(f"test key {name}".encode()).digest())


def salt_of(index: int) -> bytes:
    return hashlib.sha256(f"salt {index}".encode()).digest()


def body_of(index: int, actor: str) -> dict[str, Any]:
    return {"unit": f"{actor}-u{index % 5}", "position": [40.1 + index / 1000, 35.33],
            "radius_m": 250.0, "note": "Дейр-эз-Зор" if index % 3 == 0 else "Deir ez-Zor"}


@dataclass
class SampleLog:
    entries: list[Entry] = field(default_factory=list)
    tree: MerkleTree = field(default_factory=MerkleTree)
    checkpoints: list[str] = field(default_factory=list)
    withheld: dict[int, tuple[dict[str, Any], bytes]] = field(default_factory=dict)

    @property
    def keys(self) -> list[VerifierKey]:
        return [VerifierKey(n, key_of(n).public_bytes()) for n in (ORIGIN, *PARTIES)]

    def append(self, actor: str, *, withhold: bool = False) -> Entry:
        index = len(self.entries)
        body = body_of(index, actor)
        common = {"index": index, "time": START + timedelta(seconds=37 * index),
                  "actor": actor, "kind": "unit.reported", "ref": f"fix-{index}"}
        if withhold:
            self.withheld[index] = (body, salt_of(index))
            entry = sign_entry(key_of(actor), **common, commitment=commit(body, salt_of(index)))
        else:
            entry = sign_entry(key_of(actor), **common, body=body)
        self.entries.append(entry)
        self.tree.append(entry.leaf_hash())
        return entry

    def checkpoint(self, cosigners: tuple[str, ...] = ("coalition", "russia")) -> str:
        body = Checkpoint(ORIGIN, self.tree.size, self.tree.root()).body()
        note = sign_note(body, ORIGIN, key_of(ORIGIN))
        for name in cosigners:
            note = countersign(note, name, key_of(name))
        self.checkpoints.append(note)
        return note

    def export(self) -> dict[str, Any]:
        return build_export(ORIGIN, self.keys, self.entries, self.checkpoints)

    def bundle(self, indices: list[int], reveal: bool = True) -> dict[str, Any]:
        note = self.checkpoints[-1]
        items = []
        for i in indices:
            opened = self.withheld.get(i) if reveal else None
            items.append(prove(self.entries[i], self.tree,
                               reveal=Reveal(*opened) if opened else None))
        return build_bundle(ORIGIN, self.keys, note, items,
                            {"id": "inc-1", "kind": "strike", "at": "2017-09-16T07:00:00Z"})


def sample_log(size: int = 40, checkpoints: tuple[int, ...] = (10, 25, 40)) -> SampleLog:
    """``size`` entries by the parties in turn, every 7th withheld, checkpoints at the sizes
    given."""
    log = SampleLog()
    for index in range(size):
        log.append(PARTIES[index % len(PARTIES)], withhold=index % 7 == 3)
        if index + 1 in checkpoints:
            log.checkpoint()
    return log
