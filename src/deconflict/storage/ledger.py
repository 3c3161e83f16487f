"""The ledger's rows: signed entries, the keys that sign them, the hub's checkpoints.

:class:`LedgerState` is mixed into :class:`~deconflict.storage.sql.SqlStore` and uses only its
statement and transaction helpers. The store checks no signature and computes no hash: it keeps
what the service hands it, in order, and gives it back unchanged (:mod:`deconflict.ledger` and
:mod:`deconflict.service.ledger` own the meaning). Entries are append-only: there is no method
to change or remove one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deconflict.errors import ConflictingStateError, NotFoundError, ValidationError
from deconflict.storage import rows as r
from deconflict.storage.mixin import StorePart

__all__ = ["CheckpointRow", "KeyRow", "LedgerRow", "LedgerState"]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """An entry as the hub keeps it. ``body`` is canonical JSON text: the published body, or for
    a withheld entry (``commitment`` set) the content only the hub holds, with its ``salt``.
    (Both ``None`` when the party that signed it keeps the content itself.)
    ``audience`` lists the parties that may read the entry (``("*",)``: every party)."""

    index: int
    time: datetime
    actor: str
    kind: str
    ref: str
    body: str | None
    commitment: str | None
    salt: bytes | None
    key_id: str
    signature: bytes
    leaf_hash: bytes
    audience: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KeyRow:
    """A signing key of a party (or of the hub); ``private_key`` only when the hub holds it."""

    key_id: str
    name: str
    public_key: bytes
    private_key: bytes | None
    registered: datetime
    retired: datetime | None = None


@dataclass(frozen=True, slots=True)
class CheckpointRow:
    """A published checkpoint: the signed note holds every signature line given so far."""

    size: int
    root: bytes
    published: datetime
    note: str


_ENTRY_COLUMNS = ("idx", "time", "actor", "kind", "ref", "body", "commitment", "salt", "key_id",
                  "signature", "leaf_hash", "audience")
_ENTRIES = f"SELECT {', '.join(_ENTRY_COLUMNS)} FROM ledger_entries"
_INSERT_ENTRY = (f"INSERT INTO ledger_entries ({', '.join(_ENTRY_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(_ENTRY_COLUMNS))})")
_KEYS = "SELECT key_id, name, public_key, private_key, registered, retired FROM ledger_keys"
_CHECKPOINTS = "SELECT size, root, published, note FROM ledger_checkpoints"


class LedgerState(StorePart):
    """Store methods for the ledger (mixed into the generic SQL store)."""

    # -- entries --------------------------------------------------------------------------------

    def ledger_size(self) -> int:
        """How many entries the log holds (the next entry's index)."""
        with self._read():
            return self._next("ledger_entries", "idx", 0)

    def append_entry(self, row: LedgerRow, subjects: Sequence[str] = ()) -> None:
        """Append ``row`` as the next entry; ``subjects`` are further ids it is about. An index
        other than the log's size raises :class:`ConflictingStateError` (another writer came
        first: sign again with the new index)."""
        values = _entry_values(row)
        extra = sorted(set(subjects) - {row.ref})
        with self._write():
            size = self._next("ledger_entries", "idx", 0)
            if row.index != size:
                raise ConflictingStateError(
                    f"the next entry is {size}, not {row.index}", field="index")
            self._execute(_INSERT_ENTRY, values)
            self._many("INSERT INTO ledger_subjects (ref, idx) VALUES (?, ?)",
                       [(ref, row.index) for ref in extra])

    def ledger_entry(self, index: int) -> LedgerRow:
        """The entry at ``index``, or :class:`NotFoundError`."""
        with self._read():
            found = self._one(f"{_ENTRIES} WHERE idx = ?", (index,))
        if found is None:
            raise NotFoundError(f"no ledger entry {index}", field="index")
        return _entry_of(found)

    def ledger_entries(self, start: int = 0, stop: int | None = None) -> list[LedgerRow]:
        """Entries with ``start <= index < stop``, in order."""
        high = -1 if stop is None else stop
        with self._read():
            found = self._rows(f"{_ENTRIES} WHERE idx >= ? AND (? < 0 OR idx < ?) ORDER BY idx",
                               (start, high, high))
        return [_entry_of(row) for row in found]

    def ledger_entries_about(self, ref: str) -> list[LedgerRow]:
        """Entries whose ``ref`` is ``ref`` or that name it among their subjects, in order."""
        with self._read():
            found = self._rows(f"{_ENTRIES} WHERE ref = ? OR idx IN (SELECT idx FROM "
                               "ledger_subjects WHERE ref = ?) ORDER BY idx", (ref, ref))
        return [_entry_of(row) for row in found]

    def ledger_entries_between(self, ref: str, since: datetime, until: datetime, *,
                               kind: str | None = None,
                               containing: str | None = None) -> list[LedgerRow]:
        """Entries with this ``ref`` (and ``kind``) timed ``since <= time <= until`` whose body
        text holds ``containing``, in order: a party's position batches that name a unit."""
        low, high = r.time_text(since), r.time_text(until)
        with self._read():
            found = self._rows(f"{_ENTRIES} WHERE ref = ? AND time >= ? AND time <= ? "
                               "AND (? IS NULL OR kind = ?) AND (? IS NULL OR "
                               "instr(body, ?) > 0) ORDER BY idx",
                               (ref, low, high, kind, kind, containing, containing))
        return [_entry_of(row) for row in found]

    def leaf_hashes(self, start: int = 0) -> list[bytes]:
        """The leaf hashes from index ``start`` on, in order (what the tree is rebuilt from)."""
        with self._read():
            found = self._rows("SELECT leaf_hash FROM ledger_entries WHERE idx >= ? ORDER BY idx",
                               (start,))
        return [bytes(leaf) for (leaf,) in found]

    # -- keys -----------------------------------------------------------------------------------

    def add_key(self, key: KeyRow) -> None:
        """Store a key; a taken key id raises :class:`ConflictingStateError`."""
        row = (key.key_id, key.name, key.public_key, key.private_key, r.time_text(key.registered),
               None if key.retired is None else r.time_text(key.retired))
        with self._write():
            if self._one("SELECT 1 FROM ledger_keys WHERE key_id = ?", (key.key_id,)):
                raise ConflictingStateError(f"key {key.key_id!r} exists", field="key_id")
            self._execute("INSERT INTO ledger_keys (key_id, name, public_key, private_key, "
                          "registered, retired) VALUES (?, ?, ?, ?, ?, ?)", row)

    def retire_key(self, key_id: str, at: datetime) -> None:
        """Retire a key from ``at`` on: it still verifies what it signed, and signs no more (its
        private half, if the hub held it, is forgotten)."""
        with self._write():
            self._execute("UPDATE ledger_keys SET retired = ?, private_key = NULL WHERE "
                          "key_id = ? AND retired IS NULL", (r.time_text(at), key_id))

    def ledger_keys(self, name: str | None = None) -> list[KeyRow]:
        """Every key (or one name's), by registration time, then key id."""
        where, params = ("", ()) if name is None else (" WHERE name = ?", (name,))
        with self._read():
            found = self._rows(f"{_KEYS}{where} ORDER BY registered, key_id", params)
        return [_key_of(row) for row in found]

    # -- checkpoints ----------------------------------------------------------------------------

    def save_checkpoint(self, checkpoint: CheckpointRow) -> None:
        """Store a checkpoint, or its note again with more signatures. A different root for a
        size already published raises :class:`ConflictingStateError`."""
        row = (checkpoint.size, checkpoint.root, r.time_text(checkpoint.published),
               checkpoint.note)
        with self._write():
            held = self._one("SELECT root FROM ledger_checkpoints WHERE size = ?", row[:1])
            if held is not None and bytes(held[0]) != checkpoint.root:
                raise ConflictingStateError(f"checkpoint {checkpoint.size} has another root",
                                            field="size")
            self._execute("INSERT INTO ledger_checkpoints (size, root, published, note) VALUES "
                          "(?, ?, ?, ?) ON CONFLICT (size) DO UPDATE SET note = excluded.note",
                          row)

    def ledger_checkpoint(self, size: int | None = None) -> CheckpointRow:
        """The checkpoint of ``size`` (default: the latest), or :class:`NotFoundError`."""
        with self._read():
            if size is None:
                found = self._one(f"{_CHECKPOINTS} ORDER BY size DESC LIMIT 1")
            else:
                found = self._one(f"{_CHECKPOINTS} WHERE size = ?", (size,))
        if found is None:
            what = "no checkpoint yet" if size is None else f"no checkpoint of size {size}"
            raise NotFoundError(what, field="size")
        return _checkpoint_of(found)

    def ledger_checkpoint_at_most(self, size: int) -> CheckpointRow | None:
        """The largest checkpoint of at most ``size`` leaves, if any."""
        with self._read():
            found = self._one(f"{_CHECKPOINTS} WHERE size <= ? ORDER BY size DESC LIMIT 1",
                              (size,))
        return None if found is None else _checkpoint_of(found)

    def ledger_checkpoints(self) -> list[CheckpointRow]:
        """Every published checkpoint, by size."""
        with self._read():
            return [_checkpoint_of(row) for row in self._rows(f"{_CHECKPOINTS} ORDER BY size")]

    # -- the log's name -------------------------------------------------------------------------

    def ledger_origin(self, proposed: str) -> str:
        """The log's origin: the one chosen before, or ``proposed`` from now on."""
        if not proposed or "\n" in proposed:
            raise ValidationError("an origin is one non-empty line", field="origin")
        with self._write():
            self._execute("INSERT INTO ledger_meta (id, origin) VALUES (1, ?) "
                          "ON CONFLICT (id) DO NOTHING", (proposed,))
            return str(self._one("SELECT origin FROM ledger_meta WHERE id = 1")[0])


def _entry_values(row: LedgerRow) -> tuple[Any, ...]:
    if row.index < 0:
        raise ValidationError("an entry index is not negative", field="index")
    if row.salt is not None and row.commitment is None:
        raise ValidationError("only a withheld entry has a salt", field="salt")
    if row.body is None and row.commitment is None:
        raise ValidationError("an entry has a body or a commitment", field="body")
    return (row.index, r.time_text(row.time), row.actor, row.kind, row.ref, row.body,
            row.commitment, row.salt, row.key_id, row.signature, row.leaf_hash,
            json.dumps(list(row.audience)))


def _entry_of(found: Sequence[Any]) -> LedgerRow:
    (index, time, actor, kind, ref, body, commitment, salt, key_id, signature, leaf,
     audience) = found
    return LedgerRow(index, r.text_time(time), actor, kind, ref, body, commitment,
                     None if salt is None else bytes(salt), key_id, bytes(signature),
                     bytes(leaf), tuple(json.loads(audience)))


def _key_of(found: Sequence[Any]) -> KeyRow:
    key_id, name, public, private, registered, retired = found
    return KeyRow(key_id, name, bytes(public), None if private is None else bytes(private),
                  r.text_time(registered), None if retired is None else r.text_time(retired))


def _checkpoint_of(found: Sequence[Any]) -> CheckpointRow:
    size, root, published, note = found
    return CheckpointRow(size, bytes(root), r.text_time(published), note)
