"""The ledger through the API: checkpoints and countersignatures, proofs that verify, keys a
party registers, and entries it signs itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from deconflict.ledger import (
    Entry,
    KeyPair,
    VerifierKey,
    checkpoint_of,
    countersign,
    parse_note,
    sign_entry,
    verify_consistency,
    verify_inclusion,
    verify_note,
)
from deconflict.ledger.verify import verify_document
from deconflict.service import ledger

from .conftest import LedgerHub, b64, unb64


def _checkpoint(lh: LedgerHub, party: str = "sdf") -> dict[str, Any]:
    reply = lh.get(party, "/ledger/checkpoint")
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def _hub_keys(lh: LedgerHub) -> list[VerifierKey]:
    return [VerifierKey(k["name"], unb64(k["public_key"]))
            for k in lh.get("sdf", "/ledger/keys").json()]


def test_the_latest_checkpoint_as_json_and_as_a_note(lh: LedgerHub) -> None:
    size = lh.publish()
    view = _checkpoint(lh)
    assert view["size"] == size and view["signers"] == [view["origin"]]
    text = lh.client.get("/api/v1/ledger/checkpoint",
                         headers={**lh.auth("sdf"), "Accept": "text/plain"})
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == view["note"]
    point = checkpoint_of(text.text)
    assert (point.size, b64(point.root)) == (size, view["root"])
    origin_key = next(k for k in _hub_keys(lh) if k.name == view["origin"])
    assert verify_note(parse_note(text.text), [origin_key]) == [view["origin"]]


def test_two_parties_countersign_a_checkpoint(lh: LedgerHub) -> None:
    size = lh.publish()
    # The SDF lets the hub sign with the key it holds for it.
    held = lh.created("sdf", f"/ledger/checkpoints/{size}/signatures", {})
    assert held["signers"] == [held["origin"], "sdf"]
    # Russia keeps its own key: it registers it, then signs the checkpoint's text itself.
    own = KeyPair.generate()
    lh.created("russia", "/ledger/keys", {"public_key": b64(own.public_bytes())})
    line = countersign(held["note"], "russia", own).splitlines()[-1]
    both = lh.created("russia", f"/ledger/checkpoints/{size}/signatures", {"signature": line})
    assert both["signers"] == [both["origin"], "sdf", "russia"]
    assert verify_note(parse_note(both["note"]), _hub_keys(lh)) == both["signers"]
    again = lh.created("russia", f"/ledger/checkpoints/{size}/signatures", {"signature": line})
    assert again["note"] == both["note"]  # the same signature is kept once
    verdict = lh.verify()
    assert verdict.ok and verdict.checked["signatures"] >= 3, verdict.describe()


def test_a_countersignature_that_does_not_verify_is_refused(lh: LedgerHub) -> None:
    size = lh.publish()
    note = _checkpoint(lh)["note"]
    own = KeyPair.generate()
    lh.created("russia", "/ledger/keys", {"public_key": b64(own.public_bytes())})
    stranger = countersign(note, "russia", KeyPair.generate()).splitlines()[-1]
    for line, party in ((stranger, "russia"),
                        (countersign(note, "syria", own).splitlines()[-1], "russia"),
                        ("— russia not-base64", "russia")):
        reply = lh.post(party, f"/ledger/checkpoints/{size}/signatures", {"signature": line})
        assert reply.status_code == 422 and reply.json()["error"]["field"] == "signature"
    # A party that keeps its own key cannot have the hub sign for it any more.
    reply = lh.post("russia", f"/ledger/checkpoints/{size}/signatures", {})
    assert reply.status_code == 409 and reply.json()["error"]["field"] == "signature"
    assert lh.post("sdf", "/ledger/checkpoints/99999/signatures", {}).status_code == 404
    assert _checkpoint(lh)["signers"] == [_checkpoint(lh)["origin"]]


def test_a_notice_cites_a_signed_checkpoint_and_its_entry_is_proved(lh: LedgerHub) -> None:
    before = _checkpoint(lh)
    filed = lh.file_notice("russia", "russia-cite", (40.26, 35.35))
    cited = filed["properties"]["checkpoint"]
    assert cited == before["size"]  # the latest checkpoint, signed before the screening
    listed = lh.get("russia", "/ledger/about/russia-cite").json()
    index = next(e["index"] for e in listed if e["kind"] == "notice")
    assert index >= cited
    # Not provable before a checkpoint covers it; no checkpoint is published for the asking.
    pending = lh.get("russia", f"/ledger/entries/{index}/proof")
    assert pending.status_code == 409 and pending.json()["error"]["field"] == "index"
    lh.publish()
    proof = lh.get("russia", f"/ledger/entries/{index}/proof").json()
    point = checkpoint_of(proof["checkpoint"])
    leaf = unb64(proof["leaf_hash"])
    entry = lh.get("russia", f"/ledger/entries/{index}").json()["entry"]
    assert entry["body"]["checkpoint"] == cited
    assert Entry.from_document(entry).leaf_hash() == leaf
    path = [unb64(h) for h in proof["proof"]["path"]]
    assert verify_inclusion(leaf, index, point.size, path, point.root)
    # ... and the checkpoint the notice cites is a prefix of the one that proves it.
    step = lh.get("russia", "/ledger/consistency",
                  params={"from": cited, "to": point.size}).json()
    old = checkpoint_of(step["from_checkpoint"])
    assert verify_consistency(cited, point.size, old.root, point.root,
                              [unb64(h) for h in step["path"]])


def test_consistency_between_published_checkpoints_only(lh: LedgerHub) -> None:
    first = lh.publish()
    lh.file_notice("russia", "russia-c", (40.26, 35.35))
    second = lh.publish()
    whole = lh.get("sdf", "/ledger/consistency").json()  # first to latest by default
    assert (whole["from"], whole["to"]) == (1, second)
    assert lh.get("sdf", "/ledger/consistency", params={"from": first + 1,
                                                        "to": second}).status_code == 404
    reply = lh.get("sdf", "/ledger/consistency", params={"from": second, "to": first})
    assert reply.status_code == 422 and reply.json()["error"]["field"] == "from"


def _signed(lh: LedgerHub, key: KeyPair, party: str, **changes: Any) -> dict[str, Any]:
    hub = lh.hub
    fields: dict[str, Any] = {"index": hub.store.ledger_size(), "time": hub.now(),
                              "actor": party, "kind": "statement", "ref": "russia-cite",
                              "body": {"text": "we never flew there"}}
    fields.update(changes)
    return sign_entry(key, **fields).to_document()


def test_a_party_submits_an_entry_it_signed_itself(lh: LedgerHub) -> None:
    lh.file_notice("russia", "russia-before", (40.26, 35.35))  # signed with the key the hub holds
    own = KeyPair.generate()
    registered = lh.created("russia", "/ledger/keys", {"public_key": b64(own.public_bytes())})
    assert registered["held_by_hub"] is False and registered["name"] == "russia"
    keys = lh.get("syria", "/ledger/keys").json()
    russia = [k for k in keys if k["name"] == "russia"]
    # the held one retired (made at the load, by the wall clock: it may sort after the new one)
    assert sorted(k["retired"] is not None for k in russia) == [False, True]
    document = _signed(lh, own, "russia")
    reply = lh.post("russia", "/ledger/entries", {"entry": document, "audience": ["syria"]})
    assert reply.status_code == 201, reply.text
    assert reply.json()["entry"] == document
    assert lh.get("syria", f"/ledger/entries/{document['index']}").status_code == 200
    assert lh.get("sdf", f"/ledger/entries/{document['index']}").status_code == 404
    # What russia does through the API now is recorded by the hub on its behalf.
    lh.file_notice("russia", "russia-after", (40.26, 35.35))
    filed = next(e for e in ledger.entries_about(lh.hub, "russia-after") if e.kind == "notice")
    assert filed.actor == "hub" and filed.body is not None
    assert filed.body["on_behalf_of"] == "russia"
    lh.publish()
    assert lh.verify().ok, lh.verify().describe()


def test_forged_or_misplaced_entries_are_refused_naming_the_field(lh: LedgerHub) -> None:
    own = KeyPair.generate()
    held = lh.post("russia", "/ledger/entries", {"entry": _signed(lh, own, "russia")})
    assert held.status_code == 409 and held.json()["error"]["field"] == "entry.key_id"
    lh.created("russia", "/ledger/keys", {"public_key": b64(own.public_bytes())})
    forged = _signed(lh, own, "russia")
    forged["body"] = {"text": "we flew there"}  # the content changed after signing
    cases: list[tuple[dict[str, Any], str, int]] = [
        (forged, "entry.signature", 422),
        (_signed(lh, KeyPair.generate(), "russia"), "entry.key_id", 422),
        (_signed(lh, own, "syria"), "entry.actor", 403),
        (_signed(lh, own, "russia", index=0), "entry.index", 409),
        (_signed(lh, own, "russia", time=lh.hub.now() - timedelta(hours=2)), "entry.time", 422),
        ({**_signed(lh, own, "russia"), "extra": 1}, "entry.extra", 422),
    ]
    size = lh.hub.store.ledger_size()
    for document, field, status in cases:
        reply = lh.post("russia", "/ledger/entries", {"entry": document})
        assert (reply.status_code, reply.json()["error"]["field"]) == (status, field), reply.text
    swapped = _signed(lh, own, "russia")
    other = _signed(lh, own, "russia", body={"text": "another"})
    swapped["signature"] = other["signature"]
    reply = lh.post("russia", "/ledger/entries", {"entry": swapped})
    assert reply.json()["error"]["field"] == "entry.signature"
    assert lh.hub.store.ledger_size() == size  # nothing was written
    bad = lh.post("russia", "/ledger/entries", {"entry": _signed(lh, own, "russia"),
                                                "audience": ["nobody"]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "audience[0]"


def test_a_registered_key_is_checked(lh: LedgerHub) -> None:
    for key, field in (("AAAA", "public_key"), ("not base64!", "public_key")):
        reply = lh.post("sdf", "/ledger/keys", {"public_key": key})
        assert reply.status_code == 422 and reply.json()["error"]["field"] == field
    own = b64(KeyPair.generate().public_bytes())
    lh.created("sdf", "/ledger/keys", {"public_key": own})
    assert lh.post("sdf", "/ledger/keys", {"public_key": own}).status_code == 409


def test_an_evidence_bundle_verifies_offline(lh: LedgerHub) -> None:
    lh.file_notice("russia", "russia-ev", (40.26, 35.35))
    indexes = lh.indexes("russia-ev")
    bundle = ledger.evidence_bundle(lh.hub, indexes, None, {"what": "a test"})
    assert verify_document(bundle).ok, verify_document(bundle).describe()
    point = checkpoint_of(bundle["checkpoint"])
    assert all(i < point.size for i in indexes)
    item = bundle["items"][0]
    entry_leaf = unb64(lh.get("russia", f"/ledger/entries/{indexes[0]}").json()["leaf_hash"])
    assert verify_inclusion(entry_leaf, indexes[0], point.size,
                            [unb64(h) for h in item["proof"]["path"]], point.root)
