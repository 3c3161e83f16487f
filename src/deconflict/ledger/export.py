"""The two documents that leave the hub and are checked offline by ``deconflict ledger verify``.

An **export** (``deconflict-ledger/1``) is the whole log: the keys, every entry in index order
and the checkpoints in size order. An **evidence bundle** (``deconflict-evidence/1``) is a few
entries with their inclusion proofs against one countersigned checkpoint, optionally the
withheld bodies of some of them (``reveal``: body and salt that open the commitment), and free
JSON describing the incident. Both are plain JSON; :mod:`deconflict.ledger.verify` checks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from deconflict.errors import ValidationError
from deconflict.ledger._codec import b64
from deconflict.ledger.checkpoint import checkpoint_of
from deconflict.ledger.entry import SALT_SIZE, Entry, JsonValue, normalize, opens
from deconflict.ledger.keys import VerifierKey
from deconflict.ledger.merkle import MerkleTree

__all__ = [
    "EVIDENCE_FORMAT",
    "EXPORT_FORMAT",
    "BundleItem",
    "InclusionProof",
    "Keys",
    "Reveal",
    "build_bundle",
    "build_export",
    "keys_document",
    "prove",
]

EXPORT_FORMAT = "deconflict-ledger/1"
EVIDENCE_FORMAT = "deconflict-evidence/1"

#: Public keys as name → 32-byte key, or as :class:`VerifierKey` (several per name allowed).
Keys: TypeAlias = "Mapping[str, bytes] | Iterable[VerifierKey]"


def _verifier_keys(keys: Keys) -> list[VerifierKey]:
    if isinstance(keys, Mapping):
        return [VerifierKey(name, public) for name, public in keys.items()]
    return list(keys)


def keys_document(keys: Keys) -> list[JsonValue]:
    """The ``keys`` list of a document, sorted by name then key id, without duplicates."""
    unique = {(k.name, k.key_id): k for k in _verifier_keys(keys)}
    return [dict[str, JsonValue](unique[pair].to_document()) for pair in sorted(unique)]


def build_export(origin: str, keys: Keys, entries: Iterable[Entry],
                 checkpoints: Iterable[str]) -> dict[str, JsonValue]:
    """The export document. Entries are written in the order given (the log's index order);
    checkpoint notes are sorted by tree size, oldest first."""
    notes = sorted(checkpoints, key=lambda note: checkpoint_of(note).size)
    return {"format": EXPORT_FORMAT, "origin": origin,
            "keys": keys_document(keys),
            "entries": [e.to_document() for e in entries],
            "checkpoints": list[JsonValue](notes)}


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """An audit path: leaf ``index`` is in the tree of ``tree_size`` leaves."""

    index: int
    tree_size: int
    path: tuple[bytes, ...]

    def to_document(self) -> dict[str, JsonValue]:
        return {"index": self.index, "tree_size": self.tree_size,
                "path": [b64(h) for h in self.path]}


@dataclass(frozen=True, slots=True)
class Reveal:
    """The withheld body of an entry and the salt of its commitment."""

    body: Mapping[str, Any]
    salt: bytes

    def to_document(self) -> dict[str, JsonValue]:
        return {"body": normalize(self.body, "body"), "salt": b64(self.salt)}


@dataclass(frozen=True, slots=True)
class BundleItem:
    """One entry of an evidence bundle with its proof, and its body if it is revealed."""

    entry: Entry
    proof: InclusionProof
    reveal: Reveal | None = None

    def to_document(self) -> dict[str, JsonValue]:
        doc: dict[str, JsonValue] = {"entry": self.entry.to_document(),
                                     "proof": self.proof.to_document()}
        if self.reveal is not None:
            doc["reveal"] = self.reveal.to_document()
        return doc


def prove(entry: Entry, tree: MerkleTree, tree_size: int | None = None,
          reveal: Reveal | None = None) -> BundleItem:
    """A bundle item for ``entry``, proved in ``tree`` at ``tree_size`` (default: its size),
    which must be the size of the bundle's checkpoint."""
    size = tree.size if tree_size is None else tree_size
    if tree.leaf(entry.index) != entry.leaf_hash():
        raise ValidationError(f"entry {entry.index} is not the tree's leaf {entry.index}",
                              field="entry")
    path = tuple(tree.inclusion_proof(entry.index, size))
    return BundleItem(entry, InclusionProof(entry.index, size, path), reveal)


def build_bundle(origin: str, keys: Keys, checkpoint: str, items: Iterable[BundleItem],
                 incident: Mapping[str, Any]) -> dict[str, JsonValue]:
    """The evidence bundle. Every proof must be at the checkpoint's size, and every reveal must
    open its entry's commitment: a bundle that cannot verify is refused here, not later."""
    size = checkpoint_of(checkpoint).size
    listed = list(items)
    for i, item in enumerate(listed):
        _check_item(item, size, f"items[{i}]")
    return {"format": EVIDENCE_FORMAT, "origin": origin,
            "keys": keys_document(keys), "checkpoint": checkpoint,
            "items": [item.to_document() for item in listed],
            "incident": normalize(incident, "incident")}


def _check_item(item: BundleItem, size: int, where: str) -> None:
    if item.proof.tree_size != size or item.proof.index != item.entry.index:
        raise ValidationError(f"the proof is not of entry {item.entry.index} at the "
                              f"checkpoint's size {size}", field=f"{where}.proof")
    if item.reveal is None:
        return
    if item.entry.commitment is None:
        raise ValidationError("only a withheld entry can be revealed", field=f"{where}.reveal")
    if len(item.reveal.salt) != SALT_SIZE or not opens(item.entry.commitment, item.reveal.body,
                                                       item.reveal.salt):
        raise ValidationError("the revealed body does not open the commitment",
                              field=f"{where}.reveal")
