"""Every state change becomes a signed entry with its real content, through the hub's own use
cases on a real SQLite file; the log they make verifies offline."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from deconflict.errors import StoreError
from deconflict.ledger import Entry, opens
from deconflict.ledger.verify import verify_document
from deconflict.model import Role
from deconflict.service import ledger, tokens
from deconflict.storage import open_store

from .conftest import LedgerHub, point


def _entries(lh: LedgerHub, ref: str) -> list[Entry]:
    return ledger.entries_about(lh.hub, ref)


def _kinds(lh: LedgerHub, ref: str) -> list[str]:
    return [e.kind for e in _entries(lh, ref)]


def test_loading_a_scenario_and_making_tokens_are_entries(lh: LedgerHub) -> None:
    first = lh.hub.store.ledger_entry(0)
    assert (first.kind, first.actor, first.ref) == ("scenario.load", "hub", "CLI test")
    body = json.loads(first.body or "{}")
    # every party reads it: counts of what every party is shown, never of units (review)
    assert body["counts"] == {"parties": 5, "sites": 1, "zones": 0}
    assert len(body["sha256"]) == 64
    made = [e for e in lh.export()["entries"] if e["kind"] == "token.create"]
    assert {e["body"]["party"] for e in made} == {"coalition", "sdf", "russia", "syria", "sarc"}
    assert all(set(e["body"]) == {"id", "party", "role", "name", "created", "revoked"}
               for e in made)


def test_a_token_secret_never_reaches_the_ledger(lh: LedgerHub) -> None:
    secret = tokens.create(lh.db, "sdf", Role.VIEWER, "reader")
    tokens.revoke(lh.db, tokens.listing(lh.db)[-1]["id"])
    text = json.dumps(lh.export())
    assert secret not in text and secret[4:20] not in text
    assert "secret" not in text and "hash" not in text
    kinds = [e["kind"] for e in lh.export()["entries"]]
    assert kinds.count("token.revoke") == 1


def test_a_notice_records_the_document_and_the_reply_the_filer_got(lh: LedgerHub) -> None:
    reply = lh.file_notice("russia", "russia-n1", (40.26, 35.35))
    assert _kinds(lh, "russia-n1") == ["notice", "notice.screened"]
    filed, screened = _entries(lh, "russia-n1")
    assert filed.actor == "russia" and screened.actor == "hub"
    assert filed.body is not None and screened.body is not None
    assert filed.body["notice"]["geometry"] == point(40.26, 35.35)
    assert filed.body["checkpoint"] == reply["properties"]["checkpoint"]
    told = reply["properties"]
    assert screened.body["verdict"] == told["verdict"]
    assert screened.body["conflicts"] == told["conflicts"]
    assert screened.body["checkpoint"] == told["checkpoint"]


def test_answers_states_messages_sites_zones_and_disclosure_are_recorded(lh: LedgerHub) -> None:
    lh.file_notice("russia", "russia-n2", (40.24, 35.35))  # touches sdf-1 and syr-1's side
    lh.created("sdf", "/notices/russia-n2/ack", {"answer": "object", "comment": "our company"})
    lh.created("russia", "/notices/russia-n2/state", {"state": "cancelled"})
    assert _kinds(lh, "russia-n2") == ["notice", "notice.screened", "notice.object",
                                       "notice.cancelled"]
    objection = _entries(lh, "russia-n2")[2]
    assert objection.actor == "sdf" and objection.body == {
        "notice": "russia-n2", "answer": "object", "comment": "our company", "state": "objected"}

    message = lh.created("sdf", "/messages", {"to": "russia", "level": "air",
                                               "text": "hold fire", "ack_within_s": 600})
    lh.created("russia", f"/messages/{message['id']}/ack", None)
    sent, acked = _entries(lh, message["id"])
    assert (sent.kind, sent.actor, acked.kind, acked.actor) == (
        "message", "sdf", "message.acknowledge", "russia")
    assert sent.body is not None and sent.body["text"] == "hold fire"

    site = lh.created("sarc", "/sites", {"kind": "school", "geometry": point(40.3, 35.3),
                                         "buffer_m": 200})
    (notified,) = _entries(lh, site["id"])
    assert notified.body is not None and notified.body["kind"] == "school"

    lh.created("sdf", "/zones", {"id": "sdf-z", "kind": "zone", "geometry": point(39.0, 34.0),
                                 "radius_m": 900, "owner": "sdf", "signatories": ["sdf", "syria"]})
    lh.created("syria", "/zones/sdf-z/versions/1/sign", None)
    proposed, signed = _entries(lh, "sdf-z")
    assert (proposed.kind, signed.kind) == ("zone.propose", "zone.sign")
    assert signed.body is not None and signed.body["effective"] is not None
    assert signed.body["zone"]["radius_m"] == 900

    assert lh.client.put("/api/v1/disclosure/russia", json={"level": "exact"},
                         headers=lh.auth("sdf")).status_code == 200
    change = next(e for e in _entries(lh, "russia") if e.kind == "disclosure")
    assert change.actor == "sdf" and change.body == {
        "source": "sdf", "recipient": "russia", "level": "exact"}
    assert lh.verify().ok, lh.verify().describe()


def test_a_position_batch_is_one_withheld_entry(lh: LedgerHub) -> None:
    lh.created("syria", "/positions", {"reports": [
        {"unit": "syr-1", "position": [40.2512, 35.3611], "time": "2017-09-18T06:01:00Z"},
        {"unit": "syr-1", "position": [40.2522, 35.3621], "time": "2017-09-18T06:02:00Z"}]})
    (batch,) = [e for e in _entries(lh, "syria") if e.kind == ledger.POSITIONS]
    assert batch.body is None and batch.commitment is not None
    row = lh.hub.store.ledger_entry(batch.index)
    kept = json.loads(row.body or "{}")
    assert [r[:3] for r in kept["reports"]] == [["syr-1", 40.2512, 35.3611],
                                               ["syr-1", 40.2522, 35.3621]]
    assert row.salt is not None and opens(batch.commitment, kept, row.salt)
    exported = json.dumps(lh.export())
    assert "40.2512" not in exported and "35.3621" not in exported
    assert [e.index for e in ledger.position_entries(
        lh.hub, "syr-1", "syria", lh.hub.now() - timedelta(hours=1), lh.hub.now())] == [
        batch.index]


def test_the_hub_publishes_checkpoints_on_its_cadence(lh: LedgerHub) -> None:
    hub = lh.hub
    ledger.set_cadence(hub, ledger.Cadence(every_entries=3, every_seconds=3600))
    start = lh.publish()
    for n in range(7):
        lh.report("syria", "syr-1", (40.25, 35.36 + n / 1000), f"2017-09-18T06:0{n}:30Z")
    sizes = [c.size for c in hub.store.ledger_checkpoints() if c.size >= start]
    assert sizes == [start, start + 3, start + 6]  # every third entry, not every one
    assert lh.verify().ok


def test_a_checkpoint_falls_due_after_enough_hub_time(lh: LedgerHub) -> None:
    hub = lh.hub
    latest = lh.publish()
    lh.report("syria", "syr-1", (40.25, 35.37), "2017-09-18T06:00:40Z")
    assert ledger.publish_due(hub) is None  # a minute has not passed
    hub.clock.start += timedelta(seconds=61)  # type: ignore[attr-defined]
    published = ledger.publish_due(hub)
    assert published is not None and published.size == latest + 1


def test_a_rolled_back_write_leaves_no_trace_in_the_tree(lh: LedgerHub) -> None:
    hub = lh.hub
    with pytest.raises(RuntimeError), hub.lock, hub.store.atomic():
        ledger.record(hub, "sdf", "note", "x", {"n": 1})
        ledger.publish_checkpoint(hub)  # the tree is used inside the doomed block
        raise RuntimeError("the use case failed after recording")
    ledger.record(hub, "sdf", "note", "y", {"n": 2})
    ledger.publish_checkpoint(hub)
    assert _kinds(lh, "x") == [] and _kinds(lh, "y") == ["note"]
    assert lh.verify().ok, lh.verify().describe()


def test_a_hub_refuses_to_sign_a_log_that_disagrees_with_its_checkpoint(lh: LedgerHub) -> None:
    lh.file_notice("russia", "russia-n3", (40.26, 35.35))
    lh.publish()
    victim = lh.indexes("russia-n3")[0]
    with sqlite3.connect(lh.db) as conn:
        conn.execute("DELETE FROM ledger_entries WHERE idx = ?", (victim,))
    reopened = open_store(lh.db, create=False)  # a hub opening the file rebuilds its tree
    try:
        with pytest.raises(StoreError, match="verify"):
            ledger.publish_checkpoint(reopened, at=lh.hub.now())
    finally:
        reopened.close()
    verdict = verify_document(lh.export())
    assert not verdict.ok and verdict.location == f"entries[{victim}].index"
