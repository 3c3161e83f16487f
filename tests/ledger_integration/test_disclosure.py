"""Disclosure still holds in the ledger: a party never sees a withheld batch of another party's
positions (nor an entry it may not read) in entries, proofs, listings, bundles, errors or the
shape of a 404; a party the owner releases ``exact`` to gets the content, and it opens."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from deconflict.ledger import Entry, opens
from deconflict.ledger.verify import verify_document
from deconflict.service import ledger

from .conftest import LedgerHub, unb64

SECRET_POINT = (40.2512, 35.3611)
SECRET_TEXT = ("40.2512", "35.3611", "syr-1")


@pytest.fixture
def batch(lh: LedgerHub) -> int:
    """Syria reports a position; it releases exact to russia, area to the coalition, nothing to
    the SDF. Returns the index of the batch's entry, covered by a checkpoint."""
    for recipient, level in (("russia", "exact"), ("coalition", "area")):
        reply = lh.client.put(f"/api/v1/disclosure/{recipient}", json={"level": level},
                              headers=lh.auth("syria"))
        assert reply.status_code == 200
    lh.report("syria", "syr-1", SECRET_POINT, "2017-09-18T06:01:00Z")
    (index,) = [e.index for e in ledger.entries_about(lh.hub, "syria")
                if e.kind == ledger.POSITIONS]
    lh.publish()
    return index


def _missing(lh: LedgerHub) -> int:
    return lh.hub.store.ledger_size() + 1000


def _same_404(hidden: Any, missing: Any, hidden_id: object, missing_id: object) -> None:
    assert hidden.status_code == missing.status_code == 404
    assert hidden.headers["content-type"] == missing.headers["content-type"]
    said = hidden.text.replace(str(hidden_id), "N")  # the id the caller sent is echoed
    assert said == missing.text.replace(str(missing_id), "N")
    assert not any(word in said for word in (*SECRET_TEXT, "syria", "withheld"))


def _leaks(text: str) -> bool:
    return any(word in text for word in SECRET_TEXT)


@pytest.mark.parametrize("viewer", ["sdf", "coalition"])
@pytest.mark.parametrize("path", ["/ledger/entries/{}", "/ledger/entries/{}/proof"])
def test_a_hidden_batch_is_a_404_like_a_missing_index(lh: LedgerHub, batch: int, viewer: str,
                                                      path: str) -> None:
    gone = _missing(lh)
    _same_404(lh.get(viewer, path.format(batch)), lh.get(viewer, path.format(gone)), batch,
              gone)


def test_the_owner_and_an_exact_recipient_read_the_batch_and_it_opens(lh: LedgerHub,
                                                                      batch: int) -> None:
    for viewer in ("syria", "russia"):
        view = lh.get(viewer, f"/ledger/entries/{batch}").json()
        entry = Entry.from_document(view["entry"])
        assert entry.body is None and entry.commitment is not None
        reveal = view["reveal"]
        assert opens(entry.commitment, reveal["body"], unb64(reveal["salt"]))
        assert reveal["body"]["reports"][0][:3] == ["syr-1", *SECRET_POINT]
        proof = lh.get(viewer, f"/ledger/entries/{batch}/proof")
        assert proof.status_code == 200 and not _leaks(proof.text)  # a proof shows no body


def test_releasing_and_withdrawing_exact_opens_and_closes_the_batch(lh: LedgerHub,
                                                                    batch: int) -> None:
    def level(value: str) -> None:
        assert lh.client.put("/api/v1/disclosure/sdf", json={"level": value},
                             headers=lh.auth("syria")).status_code == 200

    level("exact")
    assert lh.get("sdf", f"/ledger/entries/{batch}").status_code == 200
    level("none")
    gone = _missing(lh)
    _same_404(lh.get("sdf", f"/ledger/entries/{batch}"),
              lh.get("sdf", f"/ledger/entries/{gone}"), batch, gone)


def test_listings_by_object_show_only_readable_entries(lh: LedgerHub, batch: int) -> None:
    _same_404(lh.get("sdf", "/ledger/about/syria"), lh.get("sdf", "/ledger/about/xxxxx"),
              "syria", "xxxxx")
    assert [e["index"] for e in lh.get("russia", "/ledger/about/syria").json()] == [batch]
    # A notice the SDF is not touched by: as unknown as a made-up one, entries and listing.
    lh.file_notice("russia", "russia-far", (37.0, 33.0))
    lh.publish()
    hidden = lh.indexes("russia-far")
    assert hidden and all(lh.get("sdf", f"/ledger/entries/{i}").status_code == 404
                          for i in hidden)
    _same_404(lh.get("sdf", "/ledger/about/russia-far"),
              lh.get("sdf", "/ledger/about/xxxxxx-xxx"), "russia-far", "xxxxxx-xxx")


def test_public_reads_carry_hashes_and_keys_only(lh: LedgerHub, batch: int) -> None:
    for path in ("/ledger/checkpoint", "/ledger/keys", "/ledger/consistency"):
        reply = lh.get("sdf", path)
        assert reply.status_code == 200 and not _leaks(reply.text), path


def test_the_screening_reply_is_the_notifiers_alone(lh: LedgerHub, batch: int) -> None:
    filed = lh.file_notice("russia", "russia-near", (40.25, 35.36))  # touches sdf and syria
    assert filed["properties"]["conflicts"]
    lh.publish()
    notice, reply = lh.indexes("russia-near")
    assert lh.get("sdf", f"/ledger/entries/{notice}").status_code == 200  # it touches the SDF
    gone = _missing(lh)
    _same_404(lh.get("sdf", f"/ledger/entries/{reply}"),
              lh.get("sdf", f"/ledger/entries/{gone}"), reply, gone)
    assert lh.get("russia", f"/ledger/entries/{reply}").status_code == 200


def test_a_bundle_for_a_party_holds_only_what_it_may_read(lh: LedgerHub, batch: int) -> None:
    hub = lh.hub
    load = 0
    for viewer in ("sdf", "coalition"):
        bundle = ledger.evidence_bundle(hub, [batch, load], viewer, {"for": viewer})
        assert verify_document(bundle).ok
        assert [item["entry"]["index"] for item in bundle["items"]] == [load]
        assert not _leaks(json.dumps(bundle))
    told = ledger.evidence_bundle(hub, [batch], "russia", {"for": "russia"})
    verdict = verify_document(told)
    assert verdict.ok and verdict.checked["revealed"] == 1
    investigator = ledger.evidence_bundle(hub, [batch], None, {"for": "a board of inquiry"})
    assert verify_document(investigator).checked["revealed"] == 1


def test_errors_of_every_ledger_read_never_name_a_hidden_party(lh: LedgerHub, batch: int
                                                               ) -> None:
    for path in (f"/ledger/entries/{batch}", f"/ledger/entries/{batch}/proof",
                 "/ledger/about/syria", "/ledger/entries/-1", "/ledger/entries/x",
                 "/ledger/consistency?from=999&to=1000"):
        reply = lh.get("sdf", path)
        assert reply.status_code >= 400 and not _leaks(reply.text), path
        assert not re.search(r"withheld|commitment|salt", reply.text), path
