"""Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).

A checkpoint body is three lines: the log's origin, the tree size in decimal, the base64 root
hash. The note is the body, a blank line, then one line per signature, ``— <name>
<base64(key id || Ed25519 signature of the body)>``. The log signs first; each party that has
checked the checkpoint against its own copy countersigns by adding its own line over the same
body (a witness cosignature in the plain Ed25519 form).

>>> from deconflict.ledger.merkle import EMPTY_ROOT
>>> log = KeyPair.from_private_bytes(bytes(32))
>>> note = sign_note(Checkpoint("hub.example/euphrates", 0, EMPTY_ROOT).body(),
...                  "hub.example/euphrates", log)
>>> print(note, end="")  # doctest: +ELLIPSIS
hub.example/euphrates
0
47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
<BLANKLINE>
— hub.example/euphrates ...
>>> verify_note(parse_note(note), {"hub.example/euphrates": log.public_bytes()})
['hub.example/euphrates']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from deconflict.errors import ValidationError
from deconflict.ledger._codec import b64, unb64
from deconflict.ledger.keys import (
    KEY_ID_SIZE,
    KeyPair,
    VerifierKey,
    check_key_name,
    key_id,
    verify_signature,
)
from deconflict.ledger.merkle import HASH_SIZE

__all__ = [
    "MAX_SIGNATURES",
    "Checkpoint",
    "NoteSignature",
    "SignatureStatus",
    "SignedNote",
    "checkpoint_of",
    "countersign",
    "note_signature_status",
    "parse_note",
    "sign_note",
    "verify_note",
]

#: The spec asks verifiers to accept at least 16; a note with more is refused as malformed.
MAX_SIGNATURES = 64
DASH = "\u2014"
_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed tree head: the log ``origin``, ``size`` leaves, their ``root`` hash, and any
    extension lines (none are written by this hub)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin or not _is_line(self.origin):
            raise ValidationError("the origin is one non-empty line", field="origin")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            raise ValidationError("the tree size is a whole number, 0 or more", field="size")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise ValidationError(f"the root hash is {HASH_SIZE} bytes", field="root")
        if any(not line or not _is_line(line) for line in self.extensions):
            raise ValidationError("extension lines are non-empty lines", field="extensions")

    def body(self) -> str:
        """The note text: origin, size, root, extension lines, each ending in a newline."""
        lines = [self.origin, str(self.size), b64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """The checkpoint a note text states; strict about every line."""
        if not body.endswith("\n"):
            raise ValidationError("a checkpoint body ends with a newline", field="body")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise ValidationError("a checkpoint body has an origin, a size and a root line",
                                  field="body")
        origin, size, root, *extensions = lines
        if not _SIZE.fullmatch(size):
            raise ValidationError(f"tree size {size!r} is not a decimal number without leading "
                                  "zeros", field="size")
        return cls(origin, int(size), unb64(root, "root", HASH_SIZE), tuple(extensions))


def _is_line(text: str) -> bool:
    return "\n" not in text and all(c >= " " for c in text)


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: the key's name, its 4-byte key id, and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{DASH} {self.name} {b64(self.key_id + self.signature)}\n"


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A note's text (``body``, ending in a newline) and its signature lines, in order."""

    body: str
    signatures: tuple[NoteSignature, ...]

    def text(self) -> str:
        """The note as written: body, blank line, signature lines."""
        return self.body + "\n" + "".join(s.line() for s in self.signatures)

    def signers(self) -> list[str]:
        """The names on the signature lines (verified or not)."""
        return [s.name for s in self.signatures]


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise ValidationError("a note ends with a newline", field="note")
    if any(c < " " and c != "\n" for c in text):
        raise ValidationError("a note holds no control characters but newlines", field="note")


def sign_note(body: str, name: str, key: KeyPair) -> str:
    """A new note: ``body`` signed by ``key`` under ``name``."""
    _check_text(body)
    check_key_name(name)
    return SignedNote(body, (_signature(body, name, key),)).text()


def _signature(body: str, name: str, key: KeyPair) -> NoteSignature:
    return NoteSignature(name, key.key_id(name), key.sign(body.encode("utf-8")))


def countersign(note_text: str, name: str, key: KeyPair) -> str:
    """``note_text`` with one more signature line, by ``key`` under ``name``. Signing twice with
    the same key changes nothing (Ed25519 signatures are deterministic)."""
    note = parse_note(note_text)
    mine = _signature(note.body, check_key_name(name), key)
    if mine in note.signatures:
        return note.text()
    return SignedNote(note.body, (*note.signatures, mine)).text()


def parse_note(text: str) -> SignedNote:
    """The body and signature lines of a signed note; a :class:`ValidationError` says what is
    wrong with the first malformed part (``field`` ``note`` or ``note.signatures[i]``)."""
    if not isinstance(text, str):
        raise ValidationError("a note is text", field="note")
    _check_text(text)
    split = text.rfind("\n\n")
    if split < 0:
        raise ValidationError("a note has a blank line between text and signatures",
                              field="note")
    body, block = text[:split + 1], text[split + 2:]
    if not body.strip("\n"):
        raise ValidationError("the note text is empty", field="note")
    lines = block[:-1].split("\n") if block else []
    if not lines:
        raise ValidationError("a note has at least one signature line", field="note")
    if len(lines) > MAX_SIGNATURES:
        raise ValidationError(f"more than {MAX_SIGNATURES} signatures", field="note")
    return SignedNote(body, tuple(_parse_signature(line, i) for i, line in enumerate(lines)))


def _parse_signature(line: str, i: int) -> NoteSignature:
    where = f"note.signatures[{i}]"
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != DASH:
        raise ValidationError(f"signature line {i + 1} is not '— <name> <base64>'", field=where)
    try:
        name = check_key_name(parts[1], where)
    except ValidationError as exc:
        raise ValidationError(f"signature line {i + 1}: {exc.message}", field=where) from None
    try:
        raw = unb64(parts[2], where)
    except ValidationError as exc:
        raise ValidationError(f"signature line {i + 1}: {exc.message}", field=where) from None
    if len(raw) <= KEY_ID_SIZE:
        raise ValidationError(f"signature line {i + 1} is too short", field=where)
    return NoteSignature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


class SignatureStatus(StrEnum):
    """What became of one signature line when checked against known keys."""

    VERIFIED = "verified"
    UNKNOWN_KEY = "unknown key"  # no known key has this name and key id: ignored by the spec
    BAD = "bad signature"  # a known key, and the signature does not verify


def _keyring(verifiers: Mapping[str, bytes] | Iterable[VerifierKey]
             ) -> dict[tuple[str, bytes], bytes]:
    pairs = verifiers.items() if isinstance(verifiers, Mapping) else (
        (v.name, v.public) for v in verifiers)
    return {(name, key_id(name, public)): public for name, public in pairs}


def note_signature_status(note: SignedNote,
                          verifiers: Mapping[str, bytes] | Iterable[VerifierKey]
                          ) -> list[tuple[NoteSignature, SignatureStatus]]:
    """Each signature line with what checking it against ``verifiers`` (name → public key,
    or verifier keys) found."""
    ring = _keyring(verifiers)
    data = note.body.encode("utf-8")
    out = []
    for sig in note.signatures:
        public = ring.get((sig.name, sig.key_id))
        if public is None:
            status = SignatureStatus.UNKNOWN_KEY
        elif verify_signature(public, data, sig.signature):
            status = SignatureStatus.VERIFIED
        else:
            status = SignatureStatus.BAD
        out.append((sig, status))
    return out


def verify_note(note: SignedNote, verifiers: Mapping[str, bytes] | Iterable[VerifierKey]
                ) -> list[str]:
    """The names whose signatures on ``note`` verify with ``verifiers``, in line order.
    Lines by unknown keys are ignored, as the spec requires; a known key's bad signature simply
    does not count (use :func:`note_signature_status` to tell the two apart)."""
    return [sig.name for sig, status in note_signature_status(note, verifiers)
            if status is SignatureStatus.VERIFIED]


def checkpoint_of(note: SignedNote | str) -> Checkpoint:
    """The checkpoint a note's body states (a note's text is parsed first)."""
    if isinstance(note, str):
        note = parse_note(note)
    return Checkpoint.parse(note.body)

