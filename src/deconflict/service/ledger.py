"""The ledger's use cases: every state change a signed entry in a Merkle log, checkpoints the
hub signs and the parties countersign, proofs, and what each party may read of it all.

Keys: each party has an Ed25519 key pair, made with the scenario's load and held by the hub,
which signs its entries with it. A party that registers its own public key takes that over: the
hub retires (and forgets) the key it held, and from then on only entries the party signed itself
carry its name; what the hub records of that party's requests through the API is signed by the
hub, naming the party in ``on_behalf_of``.

Checkpoints are published on a cadence (every :attr:`Cadence.every_entries` entries or
:attr:`Cadence.every_seconds` of hub time, whichever comes first, and on demand by an operator),
not after every write: every party reads each checkpoint's tree size, and a size per write
would tell a party exactly how many entries others made between two of its own (how often a
rival reports positions). The price is that an entry becomes provable only once a checkpoint
covers it.

The in-memory tree is a cache of the stored leaf hashes, used only inside a store transaction
(whose write lock orders every use of it), checked against the stored checkpoints
whenever it is used, so a transaction that was rolled back (or another process that appended)
never leaves it wrong. When a process first reads the log (or after a rollback) it rebuilds
the tree from the stored leaves; if they no longer agree with the hub's own signed checkpoints
(rows removed or changed in the database), it refuses to sign another checkpoint or proof
(:class:`StoreError`), and ``deconflict ledger verify`` on an export says where.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from deconflict.errors import (
    ConflictingStateError,
    ForbiddenError,
    NotFoundError,
    StoreError,
    ValidationError,
)
from deconflict.ledger import (
    Checkpoint,
    Entry,
    KeyPair,
    MerkleTree,
    VerifierKey,
    canonical,
    commit,
    countersign,
    new_salt,
    parse_note,
    sign_entry,
    sign_note,
    verify_entry,
    verify_note,
)
from deconflict.ledger.export import Reveal, build_bundle, build_export
from deconflict.ledger.export import prove as prove_item
from deconflict.ledger.keys import check_key_name
from deconflict.model import Credential, DisclosureLevel, Fix, rfc3339
from deconflict.service.hub import Hub, require_actor
from deconflict.storage.base import Store
from deconflict.storage.ledger import CheckpointRow, KeyRow, LedgerRow

__all__ = [
    "ALL",
    "HUB",
    "POSITIONS",
    "POSITION_COLUMNS",
    "Cadence",
    "checkpoint_note",
    "cite_checkpoint",
    "consistency",
    "countersign_checkpoint",
    "entries_about",
    "entries_view",
    "entry_view",
    "evidence_bundle",
    "export_document",
    "key_views",
    "may_read",
    "position_entries",
    "positions_body",
    "proof_view",
    "prove",
    "publish_checkpoint",
    "publish_due",
    "record",
    "register_key",
    "set_cadence",
    "submit_entry",
]

#: The hub's own name: the actor of what the hub does itself, and its key's name.
HUB = "hub"
#: An audience of every party.
ALL = "*"
#: Entries of this kind commit to a batch of positions (withheld); the batch's owner is ``ref``.
POSITIONS = "positions"
#: The fields of each report in a batch's content (see :func:`positions_body`).
POSITION_COLUMNS = ("unit", "lon", "lat", "alt_m", "time", "radius_m", "stale")
#: The kind of the entry that records a scenario's load (see scenario_ops).
_LOAD = "scenario.load"
#: How far from the hub's clock a self-signed entry's time may be.
_SELF_SIGNED_SKEW_S = 600.0

Target = Hub | Store


@dataclass(frozen=True, slots=True)
class Cadence:
    """When the hub signs a new checkpoint: after this many entries, or once this much hub time
    has passed since the last one (checked when an entry is written and by the monitor)."""

    every_entries: int = 256
    every_seconds: float = 60.0


class _Log:
    """What a process keeps of one store's log: the tree, loaded keys, the cadence."""

    def __init__(self) -> None:
        self.tree = MerkleTree()
        self.lock = threading.RLock()
        self.pairs: dict[str, KeyPair] = {}
        self.cadence = Cadence()
        #: The size of the latest checkpoint this process saw, and when (by its clock).
        self.seen: tuple[int, datetime] = (-1, datetime.min.replace(tzinfo=UTC))


_LOGS: weakref.WeakKeyDictionary[Store, _Log] = weakref.WeakKeyDictionary()
_LOGS_GUARD = threading.Lock()


def _store(target: Target) -> Store:
    return target.store if isinstance(target, Hub) else target


def _log(store: Store) -> _Log:
    with _LOGS_GUARD:
        log = _LOGS.get(store)
        if log is None:
            log = _LOGS[store] = _Log()
        return log


def _moment(target: Target, at: datetime | None) -> datetime:
    if at is not None:
        return at
    if isinstance(target, Hub):
        return target.now()
    raise ValidationError("a time is needed to record without a hub", field="at")


def set_cadence(target: Target, cadence: Cadence) -> None:
    """Change when checkpoints are published for this store (for this process)."""
    if cadence.every_entries < 1 or not cadence.every_seconds > 0:
        raise ValidationError("a cadence needs at least 1 entry and a positive time",
                              field="cadence")
    _log(_store(target)).cadence = cadence


# -- keys -----------------------------------------------------------------------------------------

def _current_key(store: Store, name: str) -> KeyRow | None:
    live = [k for k in store.ledger_keys(name) if k.retired is None]
    return live[-1] if live else None


def _held_pair(store: Store, name: str, at: datetime) -> KeyPair | None:
    """The key the hub signs ``name``'s entries with, made on first use; ``None`` once the
    party keeps its own key."""
    log = _log(store)
    try:
        check_key_name(name, "actor")
    except ValidationError:  # a party id no key can be named after: the hub signs for it
        return None
    current = _current_key(store, name)
    if current is None:
        made = _make_key(store, name, at)
        _hold_keys(store, at)
        return made
    if current.private_key is None:
        return None
    held = log.pairs.get(current.key_id)
    if held is None:
        held = log.pairs[current.key_id] = KeyPair.from_private_bytes(current.private_key)
    return held


def _make_key(store: Store, name: str, at: datetime) -> KeyPair:
    made = KeyPair.generate()
    store.add_key(KeyRow(made.key_id(name).hex(), name, made.public_bytes(),
                         made.private_bytes(), at))
    _log(store).pairs[made.key_id(name).hex()] = made
    return made


def _hold_keys(store: Store, at: datetime) -> None:
    """Make a held key for every party that has none, all at once (when the log starts, or a
    load brings new parties): every party reads the keys and their times, and a key made at a
    party's first act would tell them when that party first did anything, withheld or not."""
    for party in store.parties():
        try:
            check_key_name(party.id, "actor")
        except ValidationError:  # the hub signs for it (see _held_pair)
            continue
        if not store.ledger_keys(party.id):
            _make_key(store, party.id, at)


def _hub_pair(store: Store, at: datetime) -> KeyPair:
    pair = _held_pair(store, HUB, at)
    if pair is None:  # the hub's key has no other holder
        raise StoreError("the hub's own signing key is missing")
    return pair


def _origin(store: Store) -> str:
    return store.ledger_origin(f"deconflict.hub/{secrets.token_hex(6)}")


def _verifier_keys(store: Store) -> list[VerifierKey]:
    """Every key ever used, under its name; the hub's also under the log's origin, the name
    checkpoints are signed with."""
    origin = _origin(store)
    keys = [VerifierKey(k.name, k.public_key) for k in store.ledger_keys()]
    return keys + [VerifierKey(origin, k.public) for k in keys if k.name == HUB]


def key_views(target: Target) -> list[dict[str, Any]]:
    """Public keys of the log: name, key id, key, registration and retirement, and whether the
    hub holds the private half; the hub's key also under the log's origin, the name its
    checkpoints are signed with."""
    store = _store(target)
    rows = store.ledger_keys()
    origin = _origin(store) if rows else None
    named = [(k.name, k) for k in rows] + [(origin, k) for k in rows
                                            if k.name == HUB and origin is not None]
    return [{"name": name, "key_id": VerifierKey(name, k.public_key).key_id.hex(),
             "public_key": _b64(k.public_key), "registered": rfc3339(k.registered),
             "retired": rfc3339(k.retired) if k.retired else None,
             "held_by_hub": k.private_key is not None}
            for name, k in named]


def register_key(hub: Hub, actor: Credential, public_key: str) -> dict[str, Any]:
    """The caller's party keeps its own key (``public_key``: 32 bytes in base64) from now on:
    the key the hub held is retired and forgotten, and the change is recorded (signed by the
    hub)."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        party = actor.party
        key = _verifier(party, _unb64(public_key, "public_key"))
        store = hub.store
        with store.atomic():
            if any(k.key_id == key.key_id.hex() for k in store.ledger_keys(party)):
                raise ConflictingStateError("this key is registered already", field="public_key")
            for old in store.ledger_keys(party):
                if old.retired is None:
                    store.retire_key(old.key_id, now)
            store.add_key(KeyRow(key.key_id.hex(), party, key.public, None, now))
            record(hub, HUB, "key.register", party,
                   {"party": party, "key_id": key.key_id.hex(), "public_key": _b64(key.public)},
                   audience=[ALL])
        return next(v for v in key_views(hub) if v["key_id"] == key.key_id.hex())


def _unb64(text: str, field: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(f"{field} is not base64", field=field) from None
    return raw


def _verifier(party: str, public_key: bytes) -> VerifierKey:
    try:
        return VerifierKey(party, public_key)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="public_key") from None


# -- recording ------------------------------------------------------------------------------------

def record(target: Target, actor: str, kind: str, ref: str, body: Mapping[str, Any], *,
           withheld: bool = False, audience: Iterable[str] | None = None,
           subjects: Sequence[str] = (), at: datetime | None = None) -> Entry:
    """Append a signed entry: ``actor`` did ``kind`` to ``ref``, described by ``body``.

    With ``withheld`` the entry carries only a commitment to ``body`` (the hub keeps the body
    and its salt, for those entitled). ``audience``: the parties that may read the entry beside
    ``actor`` (``[ALL]``: every party). ``subjects``: further ids the entry is about, for
    :func:`entries_about`. ``at`` defaults to the hub's clock. Call it inside the use case's
    ``store.atomic()`` block, so that the entry and the change it records last or vanish
    together; a checkpoint falls due inside the same block.
    """
    store, moment = _store(target), _moment(target, at)
    readers = _readers(actor, audience)
    with store.atomic():
        if kind == _LOAD:  # a load may bring parties: their keys come with it (_hold_keys)
            _hold_keys(store, moment)
        pair = _held_pair(store, actor, moment)
        signer, content = (actor, dict(body)) if pair is not None else (
            HUB, {**body, "on_behalf_of": actor})
        if pair is None:
            pair = _hub_pair(store, moment)
        salt = new_salt() if withheld else None
        commitment = None if salt is None else commit(content, salt)
        entry = sign_entry(pair, index=store.ledger_size(), time=moment, actor=signer,
                           kind=kind, ref=ref, body=None if withheld else content,
                           commitment=commitment)
        store.append_entry(_row(entry, _kept_text(content, withheld), salt, readers), subjects)
        _publish_if_due(store, entry.index + 1, moment)
    return entry


def _kept_text(content: Mapping[str, Any], withheld: bool) -> str:
    """The body as the hub keeps it. A withheld body was just normalized by the commitment;
    plain JSON of it reads back to a body that opens the same commitment (floats print exactly,
    and the canonical rounding is applied again on opening), at a fraction of the cost of a
    second canonical pass over a batch of positions."""
    if withheld:
        try:
            return json.dumps(content, ensure_ascii=False, separators=(",", ":"),
                              allow_nan=False)
        except (TypeError, ValueError):  # times, enums, tuples as keys: the canonical way
            pass
    return canonical(content).decode("utf-8")


def _readers(actor: str, audience: Iterable[str] | None) -> tuple[str, ...]:
    named = set(audience or ())
    return (ALL,) if ALL in named else tuple(sorted(named | {actor}))


def _row(entry: Entry, text: str | None, salt: bytes | None,
         readers: Sequence[str]) -> LedgerRow:
    return LedgerRow(entry.index, entry.time, entry.actor, entry.kind, entry.ref, text,
                     entry.commitment, salt, entry.key_id, entry.signature, entry.leaf_hash(),
                     tuple(readers))


def _entry(row: LedgerRow) -> Entry:
    body = None if row.commitment is not None or row.body is None else json.loads(row.body)
    return Entry(row.index, row.time, row.actor, row.kind, row.ref, body, row.commitment,
                 row.key_id, row.signature)


def submit_entry(hub: Hub, actor: Credential, document: Mapping[str, Any],
                 audience: Iterable[str] = ()) -> Entry:
    """Append an entry the caller's party signed itself with the key it registered. It must be
    the next entry (its ``index``: a 409 names the next one otherwise), dated within ten minutes
    of the hub's clock, and its signature must verify."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        entry = _submitted_entry(document)
        _check_submitted(hub, actor, entry, now)
        readers = _readers(entry.actor, _known_audience(hub, audience))
        with hub.store.atomic():
            size = hub.store.ledger_size()
            if entry.index != size:
                raise ConflictingStateError(f"the next entry is {size}, not {entry.index}: "
                                            "sign it again with that index", field="entry.index")
            text = None if entry.body is None else canonical(entry.body).decode("utf-8")
            hub.store.append_entry(_row(entry, text, None, readers))
            _publish_if_due(hub.store, size + 1, now)
        return entry


def _submitted_entry(document: Mapping[str, Any]) -> Entry:
    try:
        return Entry.from_document(document)
    except ValidationError as exc:
        where = f"entry.{exc.field}" if exc.field else "entry"
        raise ValidationError(exc.message, field=where) from None


def _check_submitted(hub: Hub, actor: Credential, entry: Entry, now: datetime) -> None:
    if entry.actor != actor.party:
        raise ForbiddenError("a party submits only entries in its own name", field="entry.actor")
    key = _current_key(hub.store, actor.party)
    if key is None or key.private_key is not None:
        raise ConflictingStateError("register your own public key before submitting entries",
                                    field="entry.key_id")
    if entry.key_id != key.key_id:
        raise ValidationError("key_id is not your registered key's", field="entry.key_id")
    if abs((entry.time - now).total_seconds()) > _SELF_SIGNED_SKEW_S:
        raise ValidationError(f"time must be within {_SELF_SIGNED_SKEW_S:g} s of the hub's "
                              f"clock ({rfc3339(now)})", field="entry.time")
    if not verify_entry(entry, key.public_key):
        raise ValidationError("the signature does not verify with your registered key",
                              field="entry.signature")


def _known_audience(hub: Hub, audience: Iterable[str]) -> list[str]:
    named = list(audience)
    parties = set(hub.party_ids())
    for i, party in enumerate(named):
        if party != ALL and party not in parties:
            raise ValidationError(f"unknown party {party!r}", field=f"audience[{i}]")
    return named


# -- checkpoints ----------------------------------------------------------------------------------

def _latest(store: Store) -> CheckpointRow | None:
    try:
        return store.ledger_checkpoint()
    except NotFoundError:
        return None


def _publish_if_due(store: Store, size: int, moment: datetime) -> None:
    latest = _latest(store)
    if latest is None or _due(store, latest, size, moment):
        _publish(store, moment)


def _due(store: Store, latest: CheckpointRow, size: int, moment: datetime) -> bool:
    """Whether the cadence asks for a checkpoint after ``latest``. Time is counted on this
    process's clock from when it first saw ``latest``: a checkpoint stamped by another clock
    (the wall clock of ``deconflict token create`` beside a hub replaying 2017) must neither
    stall the cadence nor hurry it."""
    log = _log(store)
    if log.seen[0] != latest.size:
        log.seen = (latest.size, moment)
    if size <= latest.size:
        return False
    waited = (moment - log.seen[1]).total_seconds()
    cadence = log.cadence
    return size - latest.size >= cadence.every_entries or waited >= cadence.every_seconds


def _publish(store: Store, moment: datetime) -> CheckpointRow:
    """Sign a checkpoint of the whole log, unless the latest one is of it already."""
    with store.atomic():
        tree = _synced_tree(store)
        latest = _latest(store)
        if latest is not None and latest.size == tree.size:
            return latest
        origin, root = _origin(store), tree.root()
        note = sign_note(Checkpoint(origin, tree.size, root).body(), origin,
                         _hub_pair(store, moment))
        row = CheckpointRow(tree.size, root, moment, note)
        store.save_checkpoint(row)
        _log(store).seen = (row.size, moment)
        return row


def publish_checkpoint(target: Target, at: datetime | None = None) -> CheckpointRow:
    """Publish a checkpoint of the whole log now (on demand); the latest if nothing is new."""
    return _publish(_store(target), _moment(target, at))


def publish_due(hub: Hub) -> CheckpointRow | None:
    """Publish a checkpoint if the cadence says one is due (the monitor calls this)."""
    with hub.lock:
        store, now = hub.store, hub.now()
        latest, size = _latest(store), store.ledger_size()
        if latest is not None and not _due(store, latest, size, now):
            return None
        return _publish(store, now)


def cite_checkpoint(hub: Hub) -> int:
    """The size of the latest signed checkpoint, the one a notice screened now cites (one is
    published first if the log has none yet, or one is due)."""
    store = hub.store
    latest = _latest(store)
    if latest is None or _due(store, latest, store.ledger_size(), hub.now()):
        latest = _publish(store, hub.now())
    return latest.size


def checkpoint_note(target: Target, size: int | None = None) -> str:
    """The signed note of the checkpoint of ``size`` (default: the latest), every signature
    given so far included."""
    return _store(target).ledger_checkpoint(size).note


def countersign_checkpoint(hub: Hub, actor: Credential, size: int,
                           signature_line: str | None = None) -> str:
    """The caller's party countersigns checkpoint ``size``: with the key the hub holds for it,
    or, given ``signature_line`` (``— <party> <base64>``), with its own registered key. The
    signature must verify; the note with it is returned."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        store = hub.store
        with store.atomic():
            held = store.ledger_checkpoint(size)
            note = (_held_countersign(store, actor.party, held.note, now)
                    if signature_line is None
                    else _add_line(store, actor.party, held.note, signature_line))
            if note != held.note:
                store.save_checkpoint(CheckpointRow(held.size, held.root, held.published, note))
            return note


def _held_countersign(store: Store, party: str, note: str, now: datetime) -> str:
    pair = _held_pair(store, party, now)
    if pair is None:
        raise ConflictingStateError("your party keeps its own key: send your signature line",
                                    field="signature")
    return countersign(note, party, pair)


def _add_line(store: Store, party: str, note: str, line: str) -> str:
    text = line if line.endswith("\n") else line + "\n"
    try:
        theirs = parse_note(parse_note(note).body + "\n" + text)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="signature") from None
    keys = [VerifierKey(party, k.public_key) for k in store.ledger_keys(party)
            if k.retired is None]
    if theirs.signers() != [party] or verify_note(theirs, keys) != [party]:
        raise ValidationError(f"the line is not a valid signature of this checkpoint by "
                              f"{party}'s current key", field="signature")
    mine = parse_note(note)
    if theirs.signatures[0] in mine.signatures:
        return note
    return note + theirs.signatures[0].line()


# -- the tree -------------------------------------------------------------------------------------

def _synced_tree(store: Store) -> MerkleTree:
    """The log's tree as stored now: the cached leaves are trusted up to the largest checkpoint
    they agree with, re-read after it, and rebuilt from the store if any disagree."""
    log = _log(store)
    with log.lock:
        size = store.ledger_size()
        if not (_extend(store, log.tree, size) and _agrees(store, log.tree)):
            log.tree = MerkleTree(store.leaf_hashes(0))
            if not _agrees(store, log.tree):
                raise StoreError("the stored log disagrees with its signed checkpoints; run "
                                 "`deconflict ledger verify` on an export to see where")
        if log.tree.size != size:
            raise StoreError(f"the stored log has {log.tree.size} leaves below index {size}: "
                             "entries were removed; run `deconflict ledger verify`")
        return log.tree


def _extend(store: Store, tree: MerkleTree, size: int) -> bool:
    """Bring ``tree`` up to the store; False when its cached leaves disagree with it."""
    if tree.size > size:
        return False
    anchor = store.ledger_checkpoint_at_most(tree.size)
    if anchor is not None and tree.root(anchor.size) != anchor.root:
        return False
    start = 0 if anchor is None else anchor.size
    stored = store.leaf_hashes(start)
    cached = [tree.leaf(i) for i in range(start, tree.size)]
    if stored[:len(cached)] != cached:
        return False
    tree.extend(stored[len(cached):])
    return True


def _agrees(store: Store, tree: MerkleTree) -> bool:
    """Whether ``tree`` has the root of the latest checkpoint it reaches."""
    anchor = store.ledger_checkpoint_at_most(tree.size)
    return anchor is None or tree.root(anchor.size) == anchor.root


# -- who may read what ----------------------------------------------------------------------------

def may_read(hub: Hub, viewer: str | None, row: LedgerRow) -> bool:
    """Whether ``viewer`` (a party id; ``None``: an investigator with the whole database) may
    read an entry: its own, one addressed to it or to all, or a batch of positions whose owner
    releases them ``exact`` to it."""
    if viewer is None or viewer == row.actor or ALL in row.audience or viewer in row.audience:
        return True
    if row.kind == POSITIONS:
        level = hub.scenario().disclosure_level(row.ref, viewer)
        return level is DisclosureLevel.EXACT
    return False


def _readable(hub: Hub, viewer: str | None, index: int) -> LedgerRow:
    """The entry if ``viewer`` may read it; otherwise the very error of a missing index."""
    try:
        row = hub.store.ledger_entry(index) if index >= 0 else None
    except NotFoundError:
        row = None
    if row is None or not may_read(hub, viewer, row):
        raise NotFoundError(f"no ledger entry {index}", field="index")
    return row


def _reveal(row: LedgerRow) -> Reveal | None:
    if row.commitment is None or row.body is None or row.salt is None:
        return None
    return Reveal(json.loads(row.body), row.salt)


def entries_view(hub: Hub, viewer: str | None, ref: str) -> list[dict[str, Any]]:
    """The entries about ``ref`` that ``viewer`` may read, in log order, each as ``{"index",
    "time", "actor", "kind"}`` (to ask for an entry or its proof); when there is none, the error
    of an unknown ref, so that a hidden object looks like one that never was."""
    with hub.lock:
        rows = [row for row in hub.store.ledger_entries_about(ref) if may_read(hub, viewer, row)]
    if not rows:
        raise NotFoundError(f"no ledger entry about {ref!r}", field="ref")
    return [{"index": row.index, "time": rfc3339(row.time), "actor": row.actor,
             "kind": row.kind} for row in rows]


def entry_view(hub: Hub, viewer: str | None, index: int) -> dict[str, Any]:
    """The entry at ``index`` as ``viewer`` may read it, its withheld body revealed (the reader
    may read it, so it is entitled to the content); a 404 like a missing index otherwise."""
    with hub.lock:
        row = _readable(hub, viewer, index)
        out: dict[str, Any] = {"entry": _entry(row).to_document(),
                               "leaf_hash": _b64(row.leaf_hash)}
        reveal = _reveal(row)
        if reveal is not None:
            out["reveal"] = reveal.to_document()
        return out


# -- proofs ---------------------------------------------------------------------------------------

def _covering(store: Store, index: int, publish: bool, at: datetime) -> CheckpointRow:
    latest = _latest(store)
    if latest is not None and index < latest.size:
        return latest
    if not publish:
        raise ConflictingStateError(f"entry {index} is not in a published checkpoint yet; one "
                                    "follows within the hub's cadence", field="index")
    return _publish(store, at)


def _proof(store: Store, row: LedgerRow, checkpoint: CheckpointRow) -> dict[str, Any]:
    tree = _synced_tree(store)
    item = prove_item(_entry(row), tree, checkpoint.size)
    return {**item.to_document(), "leaf_hash": _b64(row.leaf_hash), "checkpoint": checkpoint.note}


def prove(target: Target, index: int, *, publish: bool = True,
          at: datetime | None = None) -> dict[str, Any]:
    """The inclusion proof of entry ``index`` against the latest checkpoint (published first
    when none covers the entry yet, unless ``publish`` is false): ``{"entry", "proof": {"index",
    "tree_size", "path"}, "leaf_hash", "checkpoint"}`` — the whole truth, for an operator or
    investigator (a withheld entry shows only its commitment)."""
    store = _store(target)
    row = store.ledger_entry(index)
    with store.atomic():
        checkpoint = _covering(store, index, publish, _moment(target, at))
        return _proof(store, row, checkpoint)


def proof_view(hub: Hub, viewer: str | None, index: int) -> dict[str, Any]:
    """:func:`prove` for a reader of the entry, against the latest published checkpoint (no
    checkpoint is published for the asking: see the module notes)."""
    with hub.lock:
        row = _readable(hub, viewer, index)
        with hub.store.atomic():
            checkpoint = _covering(hub.store, index, False, hub.now())
            return _proof(hub.store, row, checkpoint)


def consistency(target: Target, old_size: int | None = None,
                new_size: int | None = None) -> dict[str, Any]:
    """The proof that checkpoint ``old_size`` (default: the first) is a prefix of checkpoint
    ``new_size`` (default: the latest); both must be published (:class:`NotFoundError`)."""
    store = _store(target)
    with store.atomic():
        new = store.ledger_checkpoint(new_size)
        old = _first(store) if old_size is None else store.ledger_checkpoint(old_size)
        if old.size > new.size:
            raise ValidationError("from must be at most to", field="from")
        path = _synced_tree(store).consistency_proof(old.size, new.size)
    return {"from": old.size, "to": new.size, "path": [_b64(h) for h in path],
            "from_checkpoint": old.note, "to_checkpoint": new.note}


def _first(store: Store) -> CheckpointRow:
    first = next(iter(store.ledger_checkpoints()), None)
    if first is None:
        raise NotFoundError("no checkpoint yet", field="size")
    return first


# -- for incidents and exports --------------------------------------------------------------------

def entries_about(target: Target, ref: str) -> list[Entry]:
    """Every entry about ``ref`` (a notice, site, zone, message, unit, party...), in log order:
    the whole truth (withheld entries as their commitments). Filter with :func:`may_read`."""
    return [_entry(row) for row in _store(target).ledger_entries_about(ref)]


def positions_body(reports: Sequence[tuple[str, Fix]]) -> dict[str, Any]:
    """The content a batch of position reports commits to: one row per report, in order."""
    times: dict[datetime, str] = {}  # a batch repeats its times: each is written once

    def text(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        found = times.get(moment)
        if found is None:
            found = times[moment] = rfc3339(moment)
        return found

    return {"columns": list(POSITION_COLUMNS),
            "reports": [[unit, f.position.lon, f.position.lat, f.position.alt_m, text(f.time),
                         f.radius_m, text(f.stale)] for unit, f in reports]}


def position_entries(target: Target, unit_id: str, owner: str, since: datetime,
                     until: datetime) -> list[Entry]:
    """The position batches of ``owner`` recorded within ``[since, until]`` that report unit
    ``unit_id``, in log order (withheld: prove them, reveal with :func:`evidence_bundle`)."""
    needle = canonical(unit_id).decode("utf-8")
    rows = _store(target).ledger_entries_between(owner, since, until, kind=POSITIONS,
                                                 containing=needle)
    return [_entry(row) for row in rows if _reports_unit(row, unit_id)]


def _reports_unit(row: LedgerRow, unit_id: str) -> bool:
    body = json.loads(row.body) if row.body is not None else {}
    return any(report[0] == unit_id for report in body.get("reports", ()))


def evidence_bundle(hub: Hub, indexes: Iterable[int], viewer: str | None,
                    incident: Mapping[str, Any]) -> dict[str, Any]:
    """A ``deconflict-evidence/1`` document of the entries at ``indexes`` that ``viewer`` may
    read (others are left out, unsaid), each proved against one checkpoint that covers them all,
    withheld bodies revealed to those entitled. ``viewer`` ``None``: an investigator."""
    with hub.lock:
        store = hub.store
        rows = [row for i in sorted(set(indexes))
                if (row := _row_or_none(store, i)) is not None and may_read(hub, viewer, row)]
        with store.atomic():
            last = max((row.index for row in rows), default=-1)
            checkpoint = _covering(store, last, True, hub.now()) if rows else _any_checkpoint(
                hub)
            tree = _synced_tree(store)
            items = [prove_item(_entry(row), tree, checkpoint.size, _reveal(row))
                     for row in rows]
        bundle = build_bundle(_origin(store), _verifier_keys(store), checkpoint.note, items,
                              incident)
        return dict(bundle)


def _any_checkpoint(hub: Hub) -> CheckpointRow:
    latest = _latest(hub.store)
    return latest if latest is not None else _publish(hub.store, hub.now())


def _row_or_none(store: Store, index: int) -> LedgerRow | None:
    try:
        return store.ledger_entry(index)
    except NotFoundError:
        return None


def export_document(target: Target) -> dict[str, Any]:
    """The whole log as a ``deconflict-ledger/1`` document: keys, entries (withheld ones as
    commitments), checkpoints with every countersignature."""
    store = _store(target)
    # Read in the order things are written, without holding up writers: every checkpoint read
    # is covered by the entries read after it, and every signer's key by the keys read last.
    notes = [c.note for c in store.ledger_checkpoints()]
    entries = [_entry(row) for row in store.ledger_entries()]
    return dict(build_export(_origin(store), _verifier_keys(store), entries, notes))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
