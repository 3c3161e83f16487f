"""Keys: RFC 8032 vectors, the C2SP key id and verifier-key text of Go's sumdb/note."""

from __future__ import annotations

import pytest

from deconflict.errors import ValidationError
from deconflict.ledger.keys import (
    KeyPair,
    VerifierKey,
    encode_verifier_key,
    key_id,
    parse_verifier_key,
    verify_signature,
)

# RFC 8032 §7.1, TEST 1 and TEST 2: (secret seed, public key, message, signature).
RFC8032 = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
]
# golang.org/x/mod/sumdb/note's example keys (a different implementation of the same format).
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032)
def test_rfc8032_vectors(seed: str, public: str, message: str, signature: str) -> None:
    key = KeyPair.from_private_bytes(bytes.fromhex(seed))
    assert key.public_bytes().hex() == public
    assert key.sign(bytes.fromhex(message)).hex() == signature
    assert key.private_bytes().hex() == seed
    assert verify_signature(bytes.fromhex(public), bytes.fromhex(message),
                            bytes.fromhex(signature))


def test_a_changed_bit_anywhere_fails_verification() -> None:
    _, public, message, signature = (bytes.fromhex(x) for x in RFC8032[1])
    for k in range(len(signature)):
        bad = bytearray(signature)
        bad[k] ^= 0x10
        assert not verify_signature(public, message, bytes(bad))
    assert not verify_signature(public, message + b"\0", signature)
    assert not verify_signature(bytes([public[0] ^ 1]) + public[1:], message, signature)


@pytest.mark.parametrize("args", [
    (b"x" * 31, b"m", b"s" * 64), (b"x" * 32, b"m", b"s" * 63), (None, b"m", b"s" * 64),
    (b"x" * 32, "text", b"s" * 64), (b"\xff" * 32, b"m", b"s" * 64), (b"x" * 32, b"m", None),
])
def test_malformed_verification_input_is_false(args: tuple[object, object, object]) -> None:
    assert verify_signature(*args) is False  # type: ignore[arg-type]


def test_c2sp_key_id_and_verifier_key_match_go() -> None:
    for vkey in (PETER_VKEY, SPEC_VKEY):
        name, public = parse_verifier_key(vkey)
        assert encode_verifier_key(name, public) == vkey
        assert key_id(name, public).hex() == vkey.split("+")[1]
        assert VerifierKey(name, public).encode() == vkey


@pytest.mark.parametrize("vkey", [
    PETER_VKEY.replace("c74f20a3", "c74f20a4"),  # id does not match
    PETER_VKEY.replace("+ARpc", "+AhpC"),  # not an Ed25519 key (type byte)
    PETER_VKEY[:-1],  # truncated
    "PeterNeumann+c74f20a3", "", PETER_VKEY.replace("Peter", "Peter "),
])
def test_mangled_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(ValidationError):
        parse_verifier_key(vkey)


def test_generated_keys_round_trip_and_never_print_their_secret() -> None:
    key = KeyPair.generate()
    again = KeyPair.from_private_bytes(key.private_bytes())
    assert again.public_bytes() == key.public_bytes()
    assert key.private_bytes().hex() not in repr(key)
    assert verify_signature(key.public_bytes(), b"m", again.sign(b"m"))
    with pytest.raises(ValidationError):
        KeyPair.from_private_bytes(b"short")


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "new\nline", "\u2003em"])
def test_key_names_follow_the_note_rules(name: str) -> None:
    with pytest.raises(ValidationError):
        VerifierKey(name, bytes(32))


def test_verifier_key_documents_are_checked() -> None:
    key = VerifierKey("coalition", KeyPair.from_private_bytes(bytes(32)).public_bytes())
    doc = key.to_document()
    assert VerifierKey.from_document(doc) == key
    for field, value in [("key_id", "00000000"), ("public_key", "AAAA"), ("name", "x y"),
                         ("public_key", doc["public_key"].rstrip("=") + "B=")]:
        with pytest.raises(ValidationError) as exc:
            VerifierKey.from_document({**doc, field: value})
        assert exc.value.field == field
