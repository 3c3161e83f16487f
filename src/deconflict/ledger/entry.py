"""Ledger entries: one signed, canonical JSON record per state change.

Canonical JSON (the bytes that are signed and hashed):

- objects with their keys sorted by Unicode code point, no whitespace (separators ``,`` and
  ``:``), UTF-8 without ``\\u`` escapes except the ones JSON requires (``"``, ``\\``, controls);
- times (``datetime``) in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``: always six fractional digits;
- floats rounded to :data:`FLOAT_DECIMALS` (7) decimals (1 cm in degrees of latitude), ``-0.0``
  written as ``0.0``, then written as Python's shortest round-trip form (``0.1``, ``1e-07``,
  ``3.0``); NaN and infinities are refused with the field named;
- tuples as arrays, enums as their values; any other type is refused.

Writing a value, reading it back and writing it again gives the same bytes, so a verifier that
only has the exported document recomputes exactly what was signed.

>>> canonical({"b": 1, "a": [0.1 + 0.2, "é"]})
b'{"a":[0.3,"\\xc3\\xa9"],"b":1}'
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import cached_property
from typing import Any, TypeAlias

from deconflict.errors import ValidationError
from deconflict.ledger._codec import b64, format_time, parse_time, unb64
from deconflict.ledger.keys import SIGNATURE_SIZE, KeyPair, check_key_name, key_id
from deconflict.ledger.keys import verify_signature as _verify
from deconflict.ledger.merkle import leaf_hash as _leaf_hash

__all__ = [
    "COMMITMENT_PREFIX",
    "FLOAT_DECIMALS",
    "SALT_SIZE",
    "Entry",
    "JsonValue",
    "canonical",
    "commit",
    "new_salt",
    "normalize",
    "opens",
    "sign_entry",
    "verify_entry",
]

JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"

FLOAT_DECIMALS = 7
SALT_SIZE = 32
COMMITMENT_PREFIX = "sha256:"
#: Domain separation: a commitment is never the hash of anything else the ledger hashes.
_COMMIT_TAG = b"deconflict/commitment/1\x00"
_COMMITMENT = re.compile(r"sha256:[0-9a-f]{64}")
_KEY_ID = re.compile(r"[0-9a-f]{8}")
_ENTRY_FIELDS = frozenset({"index", "time", "actor", "kind", "ref", "body", "commitment",
                           "key_id", "signature"})


def normalize(value: object, field: str = "") -> JsonValue:
    """``value`` as the plain JSON value :func:`canonical` writes (floats rounded, times as
    text), or a :class:`ValidationError` naming the offending ``field`` path."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _normal_float(value, field)
    if isinstance(value, datetime):
        return format_time(value, field or "time")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return normalize(value.value, field)
    if isinstance(value, Mapping):
        return _normal_object(value, field)
    if isinstance(value, list | tuple):
        return [normalize(v, f"{field}[{i}]") for i, v in enumerate(value)]
    raise ValidationError(f"a {type(value).__name__} cannot be written to the ledger",
                          field=field or None)


def _normal_float(value: float, field: str) -> float:
    if not math.isfinite(value):
        raise ValidationError(f"{value} is not a finite number", field=field or None)
    rounded = round(value, FLOAT_DECIMALS)
    return 0.0 if rounded == 0 else rounded  # one zero: -0.0 would print differently


def _normal_object(value: Mapping[Any, Any], field: str) -> dict[str, JsonValue]:
    out: dict[str, JsonValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise ValidationError(f"object keys must be strings, found {key!r}",
                                  field=field or None)
        name = str.__str__(key)
        out[name] = normalize(item, f"{field}.{name}" if field else name)
    return out


def canonical(value: object) -> bytes:
    """The canonical JSON bytes of ``value`` (see the module notes)."""
    return _dumps(normalize(value))


def _dumps(value: JsonValue) -> bytes:
    """Canonical bytes of an already normalized value."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("text holds a lone surrogate, which is not UTF-8") from None


def new_salt() -> bytes:
    """A fresh random salt for :func:`commit`."""
    return secrets.token_bytes(SALT_SIZE)


def commit(body: Mapping[str, Any], salt: bytes) -> str:
    """``sha256:<hex>`` of ``tag || salt || canonical(body)``: binds the entry to ``body``
    without revealing it; the salt stops anyone guessing a small body by trying candidates."""
    if not isinstance(salt, bytes) or len(salt) != SALT_SIZE:
        raise ValidationError(f"a salt is {SALT_SIZE} bytes", field="salt")
    digest = hashlib.sha256(_COMMIT_TAG + salt + canonical(body)).hexdigest()
    return COMMITMENT_PREFIX + digest


def opens(commitment: str, body: Mapping[str, Any], salt: bytes) -> bool:
    """Whether ``body`` and ``salt`` are what ``commitment`` was made from. Never raises."""
    try:
        expected = commit(body, salt)
    except ValidationError:
        return False
    return isinstance(commitment, str) and hmac.compare_digest(expected, commitment)


@dataclass(frozen=True)
class Entry:
    """One signed record of the ledger.

    Exactly one of ``body`` (the record, in the clear) and ``commitment`` (for a withheld record:
    :func:`commit` of its body) is set. ``key_id`` is the hex C2SP key id of the actor's key
    under the actor's name; ``signature`` is the actor's Ed25519 signature of
    :meth:`signed_bytes`. The body is held as its normalized JSON value.
    """

    index: int
    time: datetime
    actor: str
    kind: str
    ref: str
    body: Mapping[str, JsonValue] | None
    commitment: str | None
    key_id: str
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_fields(self)
        if self.body is not None:
            object.__setattr__(self, "body", _normal_object(self.body, "body"))

    @property
    def withheld(self) -> bool:
        """True when the entry carries a commitment instead of its body."""
        return self.commitment is not None

    @cached_property
    def _time_text(self) -> str:
        return format_time(self.time)

    def signed_document(self) -> dict[str, JsonValue]:
        """Every field but the signature, as JSON values."""
        return {"index": self.index, "time": self._time_text, "actor": self.actor,
                "kind": self.kind, "ref": self.ref,
                "body": None if self.body is None else dict(self.body),
                "commitment": self.commitment, "key_id": self.key_id}

    @cached_property
    def _signed(self) -> bytes:
        return _dumps(self.signed_document())  # fields were normalized when the entry was made

    def signed_bytes(self) -> bytes:
        """What the actor signs: the canonical JSON of every field but the signature."""
        return self._signed

    def to_document(self) -> dict[str, JsonValue]:
        """The entry as JSON values, signature in base64."""
        return {**self.signed_document(), "signature": b64(self.signature)}

    def leaf(self) -> bytes:
        """What the Merkle tree hashes: the canonical JSON of the whole entry.

        Keys sort ``…, "ref", "signature", "time"``, and ``"time"`` is the last key, so the
        signature is spliced in before it rather than everything written twice (a test checks
        this against writing :meth:`to_document` out)."""
        signed = self._signed
        cut = signed.rfind(b',"time":"')
        return b"".join((signed[:cut], b',"signature":"', b64(self.signature).encode("ascii"),
                         b'"', signed[cut:]))

    def leaf_hash(self) -> bytes:
        """``SHA-256(0x00 || leaf())``."""
        return _leaf_hash(self.leaf())

    @classmethod
    def from_document(cls, doc: object) -> Entry:
        """The entry from :meth:`to_document`'s shape; a :class:`ValidationError` names the
        first field that is missing, of the wrong type, or not in canonical form."""
        if not isinstance(doc, Mapping):
            raise ValidationError("an entry is a JSON object")
        unknown = sorted(set(doc) - _ENTRY_FIELDS, key=str)
        if unknown:
            raise ValidationError(f"unknown field {unknown[0]!r}", field=str(unknown[0]))
        for name in sorted(_ENTRY_FIELDS - set(doc)):
            raise ValidationError(f"{name} is missing", field=name)
        body = doc["body"]
        if body is not None and not isinstance(body, Mapping):
            raise ValidationError("body should be an object or null", field="body")
        return cls(index=doc["index"], time=parse_time(doc["time"]), actor=doc["actor"],
                   kind=doc["kind"], ref=doc["ref"], body=body, commitment=doc["commitment"],
                   key_id=doc["key_id"],
                   signature=unb64(doc["signature"], "signature", SIGNATURE_SIZE))


def _check_fields(entry: Entry) -> None:
    if not isinstance(entry.index, int) or isinstance(entry.index, bool) or entry.index < 0:
        raise ValidationError("index should be a whole number, 0 or more", field="index")
    if not isinstance(entry.time, datetime):
        raise ValidationError("time should be a datetime", field="time")
    format_time(entry.time)
    check_key_name(entry.actor, "actor")
    if not isinstance(entry.kind, str) or not entry.kind:
        raise ValidationError("kind should be a non-empty string", field="kind")
    if not isinstance(entry.ref, str):
        raise ValidationError("ref should be a string", field="ref")
    if (entry.body is None) == (entry.commitment is None):
        raise ValidationError("an entry has either a body or a commitment, not both or neither",
                              field="body" if entry.body is None else "commitment")
    if entry.body is not None and not isinstance(entry.body, Mapping):
        raise ValidationError("body should be an object", field="body")
    if entry.commitment is not None and (not isinstance(entry.commitment, str)
                                         or not _COMMITMENT.fullmatch(entry.commitment)):
        raise ValidationError("commitment should be sha256: and 64 hex digits",
                              field="commitment")
    if not isinstance(entry.key_id, str) or not _KEY_ID.fullmatch(entry.key_id):
        raise ValidationError("key_id should be 8 lowercase hex digits", field="key_id")
    if not isinstance(entry.signature, bytes) or len(entry.signature) != SIGNATURE_SIZE:
        raise ValidationError(f"signature should be {SIGNATURE_SIZE} bytes", field="signature")


def sign_entry(key: KeyPair, *, index: int, time: datetime, actor: str, kind: str, ref: str,
               body: Mapping[str, Any] | None = None, commitment: str | None = None) -> Entry:
    """A new entry signed by ``actor``'s ``key``. Give ``body`` for a record in the clear, or
    ``commitment`` (from :func:`commit`) for a withheld one."""
    unsigned = Entry(index=index, time=time, actor=actor, kind=kind, ref=ref, body=body,
                     commitment=commitment, key_id=key.key_id(actor).hex(),
                     signature=bytes(SIGNATURE_SIZE))
    signed = _with_signature(unsigned, key.sign(unsigned.signed_bytes()))
    signed.__dict__["_signed"] = unsigned.signed_bytes()  # the cached_property's slot
    return signed


def _with_signature(entry: Entry, signature: bytes) -> Entry:
    # Fields are already checked and the body normalized: skip __post_init__'s second pass.
    signed = object.__new__(Entry)
    for name in _ENTRY_FIELDS:
        object.__setattr__(signed, name, getattr(entry, name))
    object.__setattr__(signed, "signature", signature)
    return signed


def verify_entry(entry: Entry, public: bytes) -> bool:
    """Whether ``public`` is the key ``entry.key_id`` names under the actor's name, and the
    signature is that key's over :meth:`Entry.signed_bytes`. Never raises."""
    try:
        if key_id(entry.actor, public).hex() != entry.key_id:
            return False
        return _verify(public, entry.signed_bytes(), entry.signature)
    except (ValidationError, TypeError, AttributeError):
        return False
