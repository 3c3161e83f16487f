"""``verify_document`` catches every corruption of an export or an evidence bundle, and names
the first bad place and why."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from deconflict.ledger import (
    Checkpoint,
    KeyPair,
    countersign,
    parse_note,
    sign_entry,
    sign_note,
    verify_document,
)
from deconflict.ledger.checkpoint import NoteSignature, SignedNote
from tests.ledger.sample import ORIGIN, SampleLog, key_of, sample_log


@pytest.fixture(scope="module")
def log() -> SampleLog:
    return sample_log()


@pytest.fixture
def export(log: SampleLog) -> dict[str, Any]:
    return json.loads(json.dumps(log.export()))


@pytest.fixture
def bundle(log: SampleLog) -> dict[str, Any]:
    return json.loads(json.dumps(log.bundle([3, 5, 17, 24, 39])))


def _fails(doc: object, location: str, *words: str, **kwargs: Any) -> str:
    verdict = verify_document(doc, **kwargs)
    assert not verdict.ok
    assert verdict.location == location, verdict.describe()
    for word in words:
        assert word in (verdict.problem or ""), verdict.describe()
    return verdict.describe()


def _flip_b64(text: str, bit: int) -> str:
    import base64
    raw = bytearray(base64.b64decode(text))
    raw[bit // 8] ^= 1 << (bit % 8)
    return base64.b64encode(bytes(raw)).decode()


# -- exports -----------------------------------------------------------------------------------

def test_a_good_export_verifies_with_counts(export: dict[str, Any]) -> None:
    verdict = verify_document(export)
    assert verdict.ok, verdict.describe()
    assert verdict.checked == {"keys": 6, "entries": 40, "withheld": 6, "checkpoints": 3,
                               "signatures": 9, "unanchored": 0, "known": 0}
    assert verdict.problem is None and verdict.location is None
    assert verdict.describe().startswith("ok: 6 keys, 40 entries, 6 withheld")


def test_an_edited_entry_is_caught_by_its_signature(export: dict[str, Any]) -> None:
    export["entries"][12]["body"]["radius_m"] = 251.0
    _fails(export, "entries[12].signature", "does not verify with sdf's key")


def test_an_edited_withheld_commitment_is_caught(export: dict[str, Any]) -> None:
    export["entries"][10]["commitment"] = "sha256:" + "0" * 64
    _fails(export, "entries[10].signature")


def test_an_entry_signed_again_by_a_forger_is_caught(export: dict[str, Any],
                                                     log: SampleLog) -> None:
    original = log.entries[8]
    forged = sign_entry(KeyPair.from_private_bytes(b"F" * 32), index=8, time=original.time,
                        actor=original.actor, kind=original.kind, ref=original.ref,
                        body={"unit": "nothing happened"})
    export["entries"][8] = forged.to_document()
    _fails(export, "entries[8].key_id", "no key of syria")


def test_a_signature_by_another_party_is_caught(export: dict[str, Any],
                                                log: SampleLog) -> None:
    entry = log.entries[6]  # russia's
    export["entries"][6]["signature"] = __import__("base64").b64encode(
        key_of("coalition").sign(entry.signed_bytes())).decode()
    _fails(export, "entries[6].signature", "russia's key")


def test_swapped_signatures_are_caught(export: dict[str, Any]) -> None:
    a, b = export["entries"][20], export["entries"][21]
    a["signature"], b["signature"] = b["signature"], a["signature"]
    _fails(export, "entries[20].signature")


def test_an_entry_blamed_on_another_party_is_caught(export: dict[str, Any]) -> None:
    export["entries"][1]["actor"] = "coalition"  # russia's entry
    _fails(export, "entries[1].key_id", "no key of coalition")


def test_a_deleted_entry_is_caught(export: dict[str, Any]) -> None:
    del export["entries"][17]
    _fails(export, "entries[17].index", "index 17 expected, found 18",
           "reordered or missing")


def test_reordered_entries_are_caught(export: dict[str, Any]) -> None:
    e = export["entries"]
    e[30], e[31] = e[31], e[30]
    _fails(export, "entries[30].index", "index 30 expected, found 31")


def test_a_truncated_export_is_caught_by_its_last_checkpoint(export: dict[str, Any]) -> None:
    del export["entries"][35:]
    _fails(export, "checkpoints[2]", "size 40", "only 35 entries", "truncated")


def test_a_cut_down_export_is_caught_by_a_checkpoint_the_verifier_holds(
        export: dict[str, Any], log: SampleLog) -> None:
    del export["entries"][25:]
    del export["checkpoints"][2:]
    assert verify_document(export).ok  # nothing in it says more was there...
    _fails(export, "known[0]", "ends at 25 entries", "size 40",
           known_checkpoints=[log.checkpoints[2]])  # ...but the party's checkpoint does
    verdict = verify_document(export, known_checkpoints=[log.checkpoints[1]])
    assert verdict.ok and verdict.checked["known"] == 1


def test_unanchored_entries_are_counted(export: dict[str, Any]) -> None:
    del export["checkpoints"][2]
    verdict = verify_document(export)
    assert verdict.ok and verdict.checked["unanchored"] == 15


def _signed_checkpoint(size: int, root: bytes, cosigners: tuple[str, ...] = ()) -> str:
    note = sign_note(Checkpoint(ORIGIN, size, root).body(), ORIGIN, key_of(ORIGIN))
    for name in cosigners:
        note = countersign(note, name, key_of(name))
    return note


def test_a_checkpoint_with_a_wrong_root_is_caught(export: dict[str, Any],
                                                  log: SampleLog) -> None:
    export["checkpoints"][0] = _signed_checkpoint(10, log.tree.root(9))
    _fails(export, "checkpoints[0]", "root does not match the entries up to size 10")


def test_two_checkpoints_at_one_size_with_different_roots_are_caught(
        export: dict[str, Any], log: SampleLog) -> None:
    export["checkpoints"].insert(2, _signed_checkpoint(25, log.tree.root(24), ("coalition",)))
    _fails(export, "checkpoints[2]", "size 25", "disagrees with checkpoints[1] at the same size")


def test_a_rewritten_history_is_not_consistent_with_the_old_checkpoint(log: SampleLog) -> None:
    fork = sample_log(40, (10,))  # the same first ten entries, then another history
    for i in range(10, 40):
        fork.entries[i] = sign_entry(key_of(fork.entries[i].actor), index=i,
                                     time=fork.entries[i].time, actor=fork.entries[i].actor,
                                     kind="unit.reported", ref=f"rewritten-{i}", body={"i": i})
    fork.tree = type(fork.tree)(e.leaf_hash() for e in fork.entries)
    fork.checkpoint()  # the operator's new checkpoint at 40, over the fork
    doc = fork.export()
    doc["checkpoints"].insert(1, log.checkpoints[1])  # the parties' countersigned one at 25
    _fails(doc, "checkpoints[1]", "checkpoint at size 25 signed by hub.example/euphrates, "
           "coalition, russia not consistent with the one at size 10")
    # And a party holding the old checkpoint catches the fork without it being in the export.
    _fails(fork.export(), "known[0]", "does not match the entries",
           known_checkpoints=[log.checkpoints[2]])


def test_checkpoints_out_of_order_are_caught(export: dict[str, Any]) -> None:
    c = export["checkpoints"]
    c[0], c[1] = c[1], c[0]
    _fails(export, "checkpoints[1]", "size 10 comes after one at size 25")


def test_a_forged_countersignature_is_caught(export: dict[str, Any]) -> None:
    note = parse_note(export["checkpoints"][1])
    sig = note.signatures[1]
    forged = NoteSignature(sig.name, sig.key_id, bytes(64))
    export["checkpoints"][1] = SignedNote(note.body, (note.signatures[0], forged)).text()
    _fails(export, "checkpoints[1].signatures[1]", "does not verify with coalition's key")


def test_a_countersignature_by_an_unlisted_key_is_caught(export: dict[str, Any]) -> None:
    export["checkpoints"][0] = countersign(export["checkpoints"][0], "isis",
                                           KeyPair.from_private_bytes(b"I" * 32))
    _fails(export, "checkpoints[0].signatures[3]", "signed by isis", "keys does not list")


def test_a_checkpoint_without_the_logs_signature_is_caught(export: dict[str, Any],
                                                           log: SampleLog) -> None:
    body = Checkpoint(ORIGIN, 10, log.tree.root(10)).body()
    export["checkpoints"][0] = sign_note(body, "coalition", key_of("coalition"))
    _fails(export, "checkpoints[0]", "not signed by the log's key")


def test_a_checkpoint_of_another_log_is_caught(export: dict[str, Any], log: SampleLog) -> None:
    body = Checkpoint("other.example/log", 10, log.tree.root(10)).body()
    export["checkpoints"][0] = sign_note(body, ORIGIN, key_of(ORIGIN))
    _fails(export, "checkpoints[0]", "origin 'other.example/log'")


def test_a_flipped_bit_in_a_checkpoint_root_is_caught(export: dict[str, Any]) -> None:
    lines = export["checkpoints"][2].split("\n")
    lines[2] = _flip_b64(lines[2], 77)
    export["checkpoints"][2] = "\n".join(lines)
    _fails(export, "checkpoints[2].signatures[0]", "does not verify")


def test_a_swapped_key_is_caught(export: dict[str, Any]) -> None:
    keys = export["keys"]
    keys[1]["public_key"], keys[2]["public_key"] = keys[2]["public_key"], keys[1]["public_key"]
    _fails(export, "keys[1].key_id")


@pytest.mark.parametrize(("edit", "location"), [
    (lambda d: d.pop("entries"), "entries"),
    (lambda d: d.update(entries={}), "entries"),
    (lambda d: d["entries"].__setitem__(4, "text"), "entries[4]"),
    (lambda d: d["entries"][4].pop("time"), "entries[4].time"),
    (lambda d: d["entries"][4].update(index=None), "entries[4].index"),
    (lambda d: d["entries"][4].update(body={"x": float("nan")}), "entries[4].body.x"),
    (lambda d: d["checkpoints"].__setitem__(1, 42), "checkpoints[1]"),
    (lambda d: d["checkpoints"].__setitem__(1, "garbage"), "checkpoints[1]"),
    (lambda d: d.update(keys=[{"name": 1}]), "keys[0].name"),
    (lambda d: d["keys"].append(d["keys"][0]), "keys[6]"),
    (lambda d: d.update(origin=""), "origin"),
    (lambda d: d.update(origin=["x"]), "origin"),
    (lambda d: d.update(format="deconflict-ledger/2"), "format"),
])
def test_malformed_exports_give_a_verdict_not_a_traceback(export: dict[str, Any], edit: Any,
                                                          location: str) -> None:
    edit(export)
    _fails(export, location)


@pytest.mark.parametrize("doc", [None, [], "text", 3, {}, {"format": None}])
def test_documents_that_are_not_documents(doc: object) -> None:
    assert not verify_document(doc).ok


# -- evidence bundles --------------------------------------------------------------------------

def test_a_good_bundle_verifies(bundle: dict[str, Any]) -> None:
    verdict = verify_document(bundle)
    assert verdict.ok, verdict.describe()
    assert verdict.checked == {"keys": 6, "items": 5, "withheld": 3, "revealed": 3,
                               "signatures": 3}


def test_a_bundle_without_reveals_keeps_the_bodies_hidden(log: SampleLog) -> None:
    doc = log.bundle([3, 10], reveal=False)
    assert verify_document(doc).ok
    text = json.dumps(doc, ensure_ascii=False)
    assert log.withheld[3][0]["unit"] not in text and "reveal" not in text


def test_a_flipped_bit_in_each_proof_element_is_caught(bundle: dict[str, Any]) -> None:
    rng = random.Random(9)
    for i, item in enumerate(bundle["items"]):
        for k, element in enumerate(item["proof"]["path"]):
            bits = range(256) if i == 0 else [rng.randrange(256)]
            for bit in bits:
                bad = copy.deepcopy(bundle)
                bad["items"][i]["proof"]["path"][k] = _flip_b64(element, bit)
                _fails(bad, f"items[{i}].proof.path", "does not lead to the checkpoint's root")


@pytest.mark.parametrize(("edit", "location", "words"), [
    (lambda d: d["items"][1]["proof"]["path"].pop(), "items[1].proof.path",
     ("6 hashes expected",)),
    (lambda d: d["items"][1]["proof"]["path"].__setitem__(2, "AAAA"), "items[1].proof.path[2]",
     ("32 bytes",)),
    (lambda d: d["items"][1]["proof"]["path"].__setitem__(2, 7), "items[1].proof.path[2]", ()),
    (lambda d: d["items"][1]["proof"].update(index=6), "items[1].proof.index",
     ("index 6, the entry is index 5",)),
    (lambda d: d["items"][1]["proof"].update(tree_size=39), "items[1].proof.tree_size", ()),
    (lambda d: d["items"][1].pop("proof"), "items[1].proof", ("missing",)),
    (lambda d: d["items"][1]["entry"]["body"].update(radius_m=1.0), "items[1].entry.signature",
     ("coalition's key",)),
    (lambda d: d["items"][0]["reveal"]["body"].update(unit="nobody"), "items[0].reveal",
     ("commitment does not open",)),
    (lambda d: d["items"][0]["reveal"].update(salt=d["items"][2]["reveal"]["salt"]),
     "items[0].reveal", ("commitment does not open",)),
    (lambda d: d["items"][1].update(reveal=d["items"][0]["reveal"]), "items[1].reveal",
     ("not withheld",)),
    (lambda d: d["items"][0]["reveal"].update(salt="AA=="), "items[0].reveal.salt", ()),
    (lambda d: d.update(items=[[]]), "items[0]", ()),
    (lambda d: d.update(incident=[1]), "incident", ()),
    (lambda d: d.pop("checkpoint"), "checkpoint", ()),
])
def test_bundle_corruptions_are_named(bundle: dict[str, Any], edit: Any, location: str,
                                      words: tuple[str, ...]) -> None:
    edit(bundle)
    _fails(bundle, location, *words)


def test_a_bundle_against_a_forged_checkpoint_is_caught(bundle: dict[str, Any],
                                                        log: SampleLog) -> None:
    # The operator re-signs another root; the parties' countersignatures no longer hold.
    note = parse_note(bundle["checkpoint"])
    body = Checkpoint(ORIGIN, 40, log.tree.root(39)).body()
    log_sig = parse_note(sign_note(body, ORIGIN, key_of(ORIGIN))).signatures[0]
    bundle["checkpoint"] = SignedNote(body, (log_sig, *note.signatures[1:])).text()
    _fails(bundle, "checkpoint.signatures[1]", "coalition's key")
    # With the log's signature alone, the proofs are what fail.
    bundle["checkpoint"] = SignedNote(body, (log_sig,)).text()
    _fails(bundle, "items[0].proof.path", "does not lead")


def test_the_incident_section_is_free_json(bundle: dict[str, Any]) -> None:
    bundle["incident"] = {"anything": [1, {"goes": None}]}
    assert verify_document(bundle).ok
