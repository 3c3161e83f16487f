"""Checkpoints as C2SP signed notes, checked against Go's sumdb/note vectors."""

from __future__ import annotations

import base64

import pytest

from deconflict.errors import ValidationError
from deconflict.ledger.checkpoint import (
    Checkpoint,
    SignatureStatus,
    checkpoint_of,
    countersign,
    note_signature_status,
    parse_note,
    sign_note,
    verify_note,
)
from deconflict.ledger.keys import KeyPair, parse_verifier_key
from deconflict.ledger.merkle import EMPTY_ROOT

# golang.org/x/mod/sumdb/note's example: a note signed by PeterNeumann and by EnochRoot, and
# the spec's own example (c2sp.org/signed-note). Facts, embedded as data.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = ("If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n")
PETER_SIG = ("— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfq"
             "dngotpRZb6KE6RyyBwJnAM=\n")
ENOCH_SIG = ("— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGw"
             "nWLox33WWd1RvMc+QQ=\n")
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6T"
             "fXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")

PETER = KeyPair.from_private_bytes(base64.b64decode(PETER_SKEY.split("+", 4)[4])[1:])
ORIGIN = "hub.example/euphrates"
LOG = KeyPair.from_private_bytes(b"L" * 32)
COALITION = KeyPair.from_private_bytes(b"C" * 32)
RUSSIA = KeyPair.from_private_bytes(b"R" * 32)
KEYS = {ORIGIN: LOG.public_bytes(), "coalition": COALITION.public_bytes(),
        "russia": RUSSIA.public_bytes()}


def test_signing_matches_go_byte_for_byte() -> None:
    assert sign_note(TEXT, "PeterNeumann", PETER) == TEXT + "\n" + PETER_SIG


def test_notes_signed_elsewhere_verify_including_a_cosignature() -> None:
    verifiers = dict([parse_verifier_key(PETER_VKEY), parse_verifier_key(ENOCH_VKEY)])
    note = parse_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    assert note.body == TEXT
    assert verify_note(note, verifiers) == ["PeterNeumann", "EnochRoot"]
    assert parse_note(note.text()).text() == note.text()
    spec = parse_note(SPEC_NOTE)
    assert verify_note(spec, dict([parse_verifier_key(SPEC_VKEY)])) == ["example.com/foo"]


def test_checkpoint_body_and_parse() -> None:
    point = Checkpoint(ORIGIN, 120, bytes(range(32)))
    assert point.body() == f"{ORIGIN}\n120\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    assert Checkpoint.parse(point.body()) == point
    assert Checkpoint.parse(Checkpoint(ORIGIN, 0, EMPTY_ROOT).body()).size == 0
    with_ext = Checkpoint(ORIGIN, 5, EMPTY_ROOT, ("ext line",))
    assert Checkpoint.parse(with_ext.body()) == with_ext


@pytest.mark.parametrize(("body", "field"), [
    (f"{ORIGIN}\n0120\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "size"),
    (f"{ORIGIN}\n-1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "size"),
    (f"{ORIGIN}\n12\nAAECAwQ=\n", "root"),
    (f"{ORIGIN}\n12\n", "body"),
    (f"{ORIGIN}\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "body"),
    ("\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "origin"),
    (f"{ORIGIN}\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n", "extensions"),
])
def test_malformed_checkpoint_bodies(body: str, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Checkpoint.parse(body)
    assert exc.value.field == field


def _note(size: int = 3) -> str:
    return sign_note(Checkpoint(ORIGIN, size, bytes(32)).body(), ORIGIN, LOG)


def test_countersignatures_add_lines_and_verify() -> None:
    note = countersign(countersign(_note(), "coalition", COALITION), "russia", RUSSIA)
    parsed = parse_note(note)
    assert parsed.signers() == [ORIGIN, "coalition", "russia"]
    assert verify_note(parsed, KEYS) == [ORIGIN, "coalition", "russia"]
    assert countersign(note, "russia", RUSSIA) == note  # idempotent
    assert checkpoint_of(note) == checkpoint_of(parsed) == Checkpoint(ORIGIN, 3, bytes(32))


def test_unknown_keys_are_ignored_and_bad_signatures_told_apart() -> None:
    note = countersign(_note(), "coalition", COALITION)
    swapped = note.replace("coalition", "russia")  # coalition's signature under russia's name
    statuses = [s for _, s in note_signature_status(parse_note(swapped), KEYS)]
    assert statuses == [SignatureStatus.VERIFIED, SignatureStatus.UNKNOWN_KEY]
    forged = countersign(_note(), "russia", KeyPair.from_private_bytes(b"F" * 32))
    statuses = [s for _, s in note_signature_status(parse_note(forged), KEYS)]
    assert statuses == [SignatureStatus.VERIFIED, SignatureStatus.UNKNOWN_KEY]
    # Same name and key id, another body: the known key's signature is bad.
    other = parse_note(countersign(_note(4), "russia", RUSSIA))
    mixed = parse_note(_note(3)).body + "\n" + other.signatures[1].line()
    statuses = [s for _, s in note_signature_status(parse_note(mixed), KEYS)]
    assert statuses == [SignatureStatus.BAD]
    assert verify_note(parse_note(mixed), KEYS) == []


@pytest.mark.parametrize(("text", "field"), [
    ("no newline at the end", "note"),
    ("body\n— name AAAAAAAA\n", "note"),  # no blank line
    ("body\n\n", "note"),  # no signature
    ("\n\n— name AAAAAAAAAA==\n", "note"),  # empty text
    ("body\n\n— name\n", "note.signatures[0]"),
    ("body\n\n- name AAAAAAAAAA==\n", "note.signatures[0]"),
    ("body\n\n— name AAAAAAAAAA==\n— na+me AAAAAAAAAA==\n", "note.signatures[1]"),
    ("body\n\n— name not-base64\n", "note.signatures[0]"),
    ("body\n\n— name AAAA\n", "note.signatures[0]"),  # shorter than a key id
    ("bo\tdy\n\n— name AAAAAAAAAA==\n", "note"),
])
def test_parse_note_is_strict_and_says_where(text: str, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_note(text)
    assert exc.value.field == field


def test_a_note_may_hold_blank_lines_in_its_text() -> None:
    body = "first\n\nsecond\n"
    note = parse_note(sign_note(body, "coalition", COALITION))
    assert note.body == body and verify_note(note, KEYS) == ["coalition"]
