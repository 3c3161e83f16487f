"""Ed25519 keys, and how C2SP signed notes name them.

Every party signs its own entries and countersigns checkpoints with one Ed25519 key (RFC 8032,
via ``cryptography``). A key is known by a *name* (the party id, or the log's origin) and a
4-byte *key id*, ``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` (c2sp.org/signed-note), and
is published as a verifier key ``name+hex(key id)+base64(0x01 || public key)``.

>>> key = KeyPair.from_private_bytes(bytes(range(32)))
>>> verify_signature(key.public_bytes(), b"text", key.sign(b"text"))
True
>>> name, public = parse_verifier_key(encode_verifier_key("coalition", key.public_bytes()))
>>> name, public == key.public_bytes()
('coalition', True)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from deconflict.errors import ValidationError
from deconflict.ledger._codec import b64, unb64

__all__ = [
    "ED25519",
    "KEY_ID_SIZE",
    "PUBLIC_KEY_SIZE",
    "SIGNATURE_SIZE",
    "KeyPair",
    "VerifierKey",
    "check_key_name",
    "encode_verifier_key",
    "key_id",
    "parse_verifier_key",
    "verify_signature",
]

#: The signed-note signature type byte of Ed25519.
ED25519 = 0x01
KEY_ID_SIZE = 4
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64

_RAW = serialization.Encoding.Raw


class KeyPair:
    """An Ed25519 private key and its public half. The private bytes are the 32-byte RFC 8032
    seed; keep them where the party keeps its secrets, never in the ledger."""

    __slots__ = ("_private", "_public")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self._public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)

    @classmethod
    def generate(cls) -> KeyPair:
        """A fresh key from the operating system's random source."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, seed: bytes) -> KeyPair:
        """The key whose 32-byte seed is ``seed``."""
        if not isinstance(seed, bytes) or len(seed) != 32:
            raise ValidationError("an Ed25519 private key is 32 bytes", field="private_key")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def private_bytes(self) -> bytes:
        """The 32-byte seed."""
        return self._private.private_bytes(_RAW, serialization.PrivateFormat.Raw,
                                           serialization.NoEncryption())

    def public_bytes(self) -> bytes:
        """The 32-byte public key."""
        return self._public

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data`` (deterministic: same key, same data, same
        signature)."""
        return self._private.sign(data)

    def key_id(self, name: str) -> bytes:
        """This key's C2SP key id under ``name``."""
        return key_id(name, self._public)

    def __repr__(self) -> str:  # never print the private half
        return f"KeyPair(public={self._public.hex()})"


@lru_cache(maxsize=1024)
def _public_key(public: bytes) -> Ed25519PublicKey:
    # Loading a point costs about as much as a verification; parties sign many entries each.
    return Ed25519PublicKey.from_public_bytes(public)


def verify_signature(public: bytes, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public``'s Ed25519 signature of ``data``; False, never an
    exception, for anything malformed."""
    if not (isinstance(public, bytes) and len(public) == PUBLIC_KEY_SIZE
            and isinstance(signature, bytes) and len(signature) == SIGNATURE_SIZE
            and isinstance(data, bytes)):
        return False
    try:
        _public_key(public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def check_key_name(name: object, field: str = "name") -> str:
    """``name`` if it can name a key in a signed note: non-empty, no spaces, no ``+``."""
    if not isinstance(name, str) or not name:
        raise ValidationError("a key name is a non-empty string", field=field)
    if "+" in name or any(c.isspace() for c in name) or not name.isprintable():
        raise ValidationError(f"key name {name!r} may not hold spaces, '+' or control "
                              "characters", field=field)
    return name


def key_id(name: str, public: bytes) -> bytes:
    """The C2SP key id: ``SHA-256(name || 0x0A || 0x01 || public)[:4]``.

    >>> key_id("PeterNeumann", parse_verifier_key(
    ...     "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")[1]).hex()
    'c74f20a3'
    """
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public).digest()
    return digest[:KEY_ID_SIZE]


def encode_verifier_key(name: str, public: bytes) -> str:
    """``name+hex(key id)+base64(0x01 || public)``, the verifier-key text of signed notes."""
    check_key_name(name)
    if len(public) != PUBLIC_KEY_SIZE:
        raise ValidationError("an Ed25519 public key is 32 bytes", field="public_key")
    blob = b64(bytes([ED25519]) + public)
    return f"{name}+{key_id(name, public).hex()}+{blob}"


def parse_verifier_key(text: str) -> tuple[str, bytes]:
    """``(name, public key)`` from a verifier key; the key id must match."""
    parts = text.split("+", 2) if isinstance(text, str) else []
    if len(parts) != 3:
        raise ValidationError("a verifier key is name+keyid+base64key", field="verifier_key")
    name, hex_id, blob = parts
    check_key_name(name, "verifier_key")
    raw = unb64(blob, "verifier_key")
    if len(raw) != 1 + PUBLIC_KEY_SIZE or raw[0] != ED25519:
        raise ValidationError("not an Ed25519 verifier key", field="verifier_key")
    if hex_id != key_id(name, raw[1:]).hex():
        raise ValidationError("the key id does not match the name and key", field="verifier_key")
    return name, raw[1:]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A party's public key under its name, as listed in exports and evidence bundles."""

    name: str
    public: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if not isinstance(self.public, bytes) or len(self.public) != PUBLIC_KEY_SIZE:
            raise ValidationError("an Ed25519 public key is 32 bytes", field="public_key")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public)

    def encode(self) -> str:
        """The verifier-key text."""
        return encode_verifier_key(self.name, self.public)

    def to_document(self) -> dict[str, str]:
        return {"name": self.name, "public_key": b64(self.public), "key_id": self.key_id.hex()}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> VerifierKey:
        """The key from its document; every field checked, the key id included."""
        if not isinstance(doc, Mapping):
            raise ValidationError("a key is an object with name, public_key, key_id")
        name = check_key_name(doc.get("name"), "name")
        public = unb64(doc.get("public_key"), "public_key", PUBLIC_KEY_SIZE)
        key = cls(name, public)
        if doc.get("key_id") != key.key_id.hex():
            raise ValidationError(f"key id of {name!r} should be {key.key_id.hex()}",
                                  field="key_id")
        return key

