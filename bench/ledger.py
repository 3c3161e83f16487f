"""Benchmark ``ledger``: signed appends per second, and inclusion proofs in a million-leaf tree.

**Appends**: each entry is a unit report signed by one of five parties (Ed25519), written as
canonical JSON, leaf-hashed and appended to :class:`MerkleTree`; the time per append is the
batch time over the batch size. The baseline signs and writes the same entries and appends
them to pymerkle's in-memory tree; both trees must end with the same root and give the same
audit paths.

**Proofs**: the tree is built from N random leaf hashes (``extend``; its build time is reported
apart), then inclusion proofs are taken for random leaves. The baseline recomputes a path the
naive way, hashing every level up from all N leaves; it must give the same path, and every
engine proof must verify against the root.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from pymerkle import InmemoryTree

from bench.harness import Row, Scale, Section, Target, Timing, time_calls
from deconflict.ledger import (
    Entry,
    KeyPair,
    MerkleTree,
    node_hash,
    sign_entry,
    verify_inclusion,
)

__all__ = ["APPEND_TARGET", "PROOF_TARGET", "PROOF_TARGET_LEAVES", "SIZES", "LedgerSizes",
           "naive_path", "run"]

#: 10,000 signed appends a second, as time per append.
APPEND_TARGET = Target(1e-4)
PROOF_TARGET = Target(1e-3)
#: The issue sets the proof target at this many leaves; smaller runs show none.
PROOF_TARGET_LEAVES = 1_000_000
PARTIES = ("coalition", "russia", "sdf", "syria", "un-ocha")
START = datetime(2017, 9, 16, 6, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LedgerSizes:
    appends: int  # entries signed and appended...
    batches: int  # ...in this many timed batches
    leaves: int  # leaves of the proof tree
    proofs: int  # engine proofs timed
    naive: int  # baseline paths recomputed (each hashes the whole tree)


SIZES = {
    Scale.FULL: LedgerSizes(20_000, 10, 1_000_000, 2_000, 3),
    Scale.QUICK: LedgerSizes(5_000, 5, 250_000, 500, 1),
    Scale.TINY: LedgerSizes(500, 2, 20_000, 100, 1),
}


def _keys() -> dict[str, KeyPair]:
    rng = np.random.default_rng(20)
    return {name: KeyPair.from_private_bytes(rng.bytes(32)) for name in PARTIES}


def _signed(keys: dict[str, KeyPair], index: int) -> Entry:
    """Entry ``index``: a unit report by one of the parties in turn."""
    actor = PARTIES[index % len(PARTIES)]
    at = START + timedelta(seconds=index)
    body = {"unit": f"{actor}-u{index % 97}", "position": [40.1 + index * 1e-5, 35.3],
            "radius_m": 250.0, "reported_at": at}
    return sign_entry(keys[actor], index=index, time=at, actor=actor, kind="unit.reported",
                      ref=f"{actor}-u{index % 97}", body=body)


def _append_batches(size: LedgerSizes, keys: dict[str, KeyPair]
                    ) -> tuple[Timing, MerkleTree, list[Entry]]:
    tree, entries, samples = MerkleTree(), [], []
    per_batch = size.appends // size.batches
    for b in range(size.batches):
        start = time.perf_counter()
        for i in range(b * per_batch, (b + 1) * per_batch):
            entry = _signed(keys, i)
            tree.append(entry.leaf_hash())
            entries.append(entry)
        samples.append((time.perf_counter() - start) / per_batch)
    return Timing(tuple(samples)), tree, entries


def _baseline_appends(size: LedgerSizes, keys: dict[str, KeyPair]
                      ) -> tuple[Timing, InmemoryTree]:
    tree = InmemoryTree(algorithm="sha256")
    per_batch = size.appends // size.batches
    samples = []
    for b in range(size.batches):
        start = time.perf_counter()
        for i in range(b * per_batch, (b + 1) * per_batch):
            tree.append_entry(_signed(keys, i).leaf())
        samples.append((time.perf_counter() - start) / per_batch)
    return Timing(tuple(samples)), tree


def naive_path(leaves: list[bytes], index: int) -> list[bytes]:
    """The audit path by brute force: hash every level up from all the leaves, carrying a
    lone last node up unchanged (which builds the RFC 6962 tree bottom-up)."""
    path, level, at = [], leaves, index
    while len(level) > 1:
        sibling = at ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        pairs = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
        at //= 2
    return path


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    rows = _append_rows(size)
    unexplained = 0 if rows[-1].check.startswith("same") else 1
    proof_rows, disagreements = _proof_rows(size)
    return Section("ledger", rows + proof_rows, unexplained + disagreements)


def _append_rows(size: LedgerSizes) -> list[Row]:
    keys = _keys()
    label = f"{size.appends:,} entries"
    timing, tree, entries = _append_batches(size, keys)
    base_timing, oracle = _baseline_appends(size, keys)
    n = tree.size
    probes = range(0, n, max(1, n // 25))
    same = (oracle.get_root() == tree.root() and all(
        oracle.prove_inclusion(i + 1).path[1:] == tree.inclusion_proof(i) for i in probes))
    check = (f"same root and {len(probes)} audit paths as pymerkle" if same
             else "**roots or audit paths differ from pymerkle**")
    return [
        Row("ledger", label, "engine: signed append (sign, canonical JSON, leaf hash, tree)",
            timing, len(entries), APPEND_TARGET),
        Row("ledger", label, "baseline pymerkle: same signed entries, pymerkle append",
            base_timing, oracle.get_size(), check=check),
    ]


def _proof_rows(size: LedgerSizes) -> tuple[list[Row], int]:
    rng = np.random.default_rng(21)
    raw = rng.bytes(32 * size.leaves)
    leaves = [raw[i:i + 32] for i in range(0, len(raw), 32)]
    build, tree = time_calls(lambda: MerkleTree(leaves), 1)
    root = tree.root()
    picks = [int(i) for i in rng.integers(0, size.leaves, size.proofs)]
    tree.inclusion_proof(0)  # warm-up: the right edge of the tree is folded once per size
    samples, paths = [], []
    for i in picks:
        start = time.perf_counter()
        paths.append(tree.inclusion_proof(i))
        samples.append(time.perf_counter() - start)
    bad = sum(not verify_inclusion(leaves[i], i, size.leaves, p, root)
              for i, p in zip(picks, paths, strict=True))
    naive_picks = picks[:size.naive]
    naive_samples, naive = [], []
    for i in naive_picks:
        start = time.perf_counter()
        naive.append(naive_path(leaves, i))
        naive_samples.append(time.perf_counter() - start)
    differ = sum(n != p for n, p in zip(naive, paths, strict=False))
    label = f"{size.leaves:,} leaves"
    target = PROOF_TARGET if size.leaves == PROOF_TARGET_LEAVES else None
    check = (f"same paths for {len(naive_picks)} leaves; all {len(paths)} proofs verify"
             if not (bad or differ) else f"**{differ} paths differ, {bad} proofs fail**")
    return [
        Row("ledger", label, "engine: tree build (extend)", build, tree.size),
        Row("ledger", label, "engine: inclusion proof", Timing(tuple(samples)), len(paths),
            target),
        Row("ledger", label, "baseline naive: path recomputed from all leaves",
            Timing(tuple(naive_samples)),
            len(naive_picks), check=check),
    ], bad + differ

