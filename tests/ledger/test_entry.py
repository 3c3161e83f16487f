"""Canonical JSON and signed entries."""

from __future__ import annotations

import contextlib
import json
import math
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconflict.errors import ValidationError
from deconflict.ledger.entry import (
    SALT_SIZE,
    Entry,
    canonical,
    commit,
    new_salt,
    normalize,
    opens,
    sign_entry,
    verify_entry,
)
from deconflict.ledger.keys import KeyPair
from deconflict.ledger.merkle import leaf_hash

KEY = KeyPair.from_private_bytes(bytes(range(32)))
OTHER = KeyPair.from_private_bytes(bytes(range(1, 33)))
T0 = datetime(2017, 9, 16, 6, 0, tzinfo=UTC)


class Kind(StrEnum):
    STRIKE = "air_strike"


# -- canonical JSON ----------------------------------------------------------------------------

def test_keys_sorted_no_whitespace_at_every_depth() -> None:
    assert canonical({"b": {"z": 1, "a": [3, {"y": 0, "x": None}]}, "a": True}) == (
        b'{"a":true,"b":{"a":[3,{"x":null,"y":0}],"z":1}}')
    assert canonical({"b": 1, "a": 2}) == canonical({"a": 2, "b": 1})


def test_unicode_is_written_as_utf8_not_escaped() -> None:
    assert canonical({"place": "Дейр-эз-Зор", "emoji": "🚑"}) == (
        '{"emoji":"🚑","place":"Дейр-эз-Зор"}'.encode())
    assert canonical(["quote\" back\\ nl\n"]) == b'["quote\\" back\\\\ nl\\n"]'
    # Keys sort by code point: "Z" < "a" < "é" < "𝔸".
    assert canonical({"é": 1, "a": 2, "Z": 3, "𝔸": 4}) == '{"Z":3,"a":2,"é":1,"𝔸":4}'.encode()


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValidationError):
        canonical({"x": "\ud800"})


@pytest.mark.parametrize(("value", "text"), [
    (0.1 + 0.2, b"0.3"), (35.123456789, b"35.1234568"), (-0.0, b"0.0"), (-1e-9, b"0.0"),
    (3.0, b"3.0"), (1e-7, b"1e-07"), (12345678.123456789, b"12345678.1234568"),
    (1e20, b"1e+20"), (3, b"3"), (True, b"true"),
])
def test_floats_are_rounded_to_seven_decimals(value: object, text: bytes) -> None:
    assert canonical(value) == text


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_with_the_field_named(bad: float) -> None:
    with pytest.raises(ValidationError) as exc:
        canonical({"units": [{"radius_m": 1.0}, {"radius_m": bad}]})
    assert exc.value.field == "units[1].radius_m"


def test_times_are_utc_with_microseconds() -> None:
    plus3 = timezone(timedelta(hours=3))
    assert canonical(datetime(2017, 9, 16, 9, 30, tzinfo=plus3)) == b'"2017-09-16T06:30:00.000000Z"'
    assert canonical(datetime(2017, 9, 16, 6, 30, 0, 12, tzinfo=UTC)) == (
        b'"2017-09-16T06:30:00.000012Z"')
    assert canonical(date(2017, 9, 16)) == b'"2017-09-16"'
    with pytest.raises(ValidationError) as exc:
        canonical({"at": datetime(2017, 9, 16)})
    assert exc.value.field == "at"


def test_tuples_enums_and_refusals() -> None:
    assert canonical({"k": Kind.STRIKE, "p": (1, 2)}) == b'{"k":"air_strike","p":[1,2]}'
    for bad in ({1: "x"}, {"b": b"bytes"}, {"s": {1, 2}}):
        with pytest.raises(ValidationError):
            canonical(bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                   max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_property_canonical_is_idempotent_through_json(value: Any) -> None:
    try:
        first = canonical(value)
    except ValidationError:  # lone surrogates in generated text
        return
    again = json.loads(first)
    assert canonical(again) == first
    assert normalize(again) == again  # what canonical writes is already normal


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.integers(), max_size=8))
def test_property_key_order_never_matters(value: dict[str, int]) -> None:
    reordered = dict(reversed(list(value.items())))
    with contextlib.suppress(ValidationError):  # lone surrogates in generated keys
        assert canonical(value) == canonical(reordered)


# -- entries -----------------------------------------------------------------------------------

def _entry(**over: Any) -> Entry:
    fields: dict[str, Any] = {"index": 7, "time": T0, "actor": "russia", "kind": "notice.filed",
                              "ref": "n-17", "body": {"kind": Kind.STRIKE, "lat": 35.0}}
    fields.update(over)
    return sign_entry(KEY, **fields)


def test_sign_verify_and_document_round_trip() -> None:
    entry = _entry()
    assert verify_entry(entry, KEY.public_bytes())
    assert not verify_entry(entry, OTHER.public_bytes())
    doc = json.loads(json.dumps(entry.to_document()))
    again = Entry.from_document(doc)
    assert again == entry
    assert again.leaf() == entry.leaf() == canonical(doc)
    assert again.leaf_hash() == leaf_hash(entry.leaf())
    assert json.loads(entry.signed_bytes()) == {k: v for k, v in doc.items() if k != "signature"}
    assert doc["key_id"] == KEY.key_id("russia").hex()


def test_signing_is_deterministic() -> None:
    assert _entry().signature == _entry().signature
    assert _entry().signature != _entry(ref="n-18").signature


@pytest.mark.parametrize(("field", "value"), [
    ("index", 8), ("time", "2017-09-16T06:00:00.000001Z"), ("actor", "coalition"),
    ("kind", "notice.cancelled"), ("ref", "n-1"), ("body", {"kind": "air_strike", "lat": 35.1}),
])
def test_any_edit_breaks_the_signature(field: str, value: object) -> None:
    doc = _entry().to_document()
    doc[field] = value
    assert not verify_entry(Entry.from_document(doc), KEY.public_bytes())


def test_commitments_open_only_with_body_and_salt() -> None:
    body = {"unit": "sdf-7", "position": [40.14, 35.33]}
    salt = new_salt()
    assert len(salt) == SALT_SIZE and new_salt() != salt
    commitment = commit(body, salt)
    assert commitment.startswith("sha256:") and len(commitment) == 71
    assert opens(commitment, body, salt)
    assert opens(commitment, dict(reversed(list(body.items()))), salt)  # canonical, not literal
    assert not opens(commitment, {**body, "unit": "sdf-8"}, salt)
    assert not opens(commitment, body, new_salt())
    assert not opens(commitment, {"x": math.nan}, salt)
    assert not opens(commitment, body, b"short")
    entry = _entry(body=None, commitment=commitment)
    assert entry.withheld and verify_entry(entry, KEY.public_bytes())
    assert "sdf-7" not in entry.leaf().decode()
    with pytest.raises(ValidationError):
        commit(body, b"short")


@pytest.mark.parametrize(("over", "field"), [
    ({"index": -1}, "index"), ({"index": True}, "index"), ({"actor": "a b"}, "actor"),
    ({"kind": ""}, "kind"), ({"time": datetime(2017, 1, 1)}, "time"),
    ({"body": None}, "body"), ({"commitment": "sha256:" + "0" * 64}, "commitment"),
    ({"body": None, "commitment": "md5:00"}, "commitment"),
    ({"body": {"r": math.nan}}, "body.r"),
])
def test_bad_fields_are_validation_errors_naming_the_field(over: dict[str, Any],
                                                          field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _entry(**over)
    assert exc.value.field == field


@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d.pop("signature"), "signature"),
    (lambda d: d.update(extra=1), "extra"),
    (lambda d: d.update(time="2017-09-16T06:00:00Z"), "time"),  # not the canonical spelling
    (lambda d: d.update(time=17), "time"),
    (lambda d: d.update(signature="not base64!"), "signature"),
    (lambda d: d.update(signature="AAAA"), "signature"),
    (lambda d: d.update(key_id="C74F20A3"), "key_id"),
    (lambda d: d.update(index="7"), "index"),
    (lambda d: d.update(body=[1]), "body"),
])
def test_from_document_is_strict(edit: Any, field: str) -> None:
    doc = _entry().to_document()
    edit(doc)
    with pytest.raises(ValidationError) as exc:
        Entry.from_document(doc)
    assert exc.value.field == field


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5),
       st.text(max_size=10), st.booleans())
def test_property_leaf_is_the_canonical_whole_entry(body: dict[str, Any], ref: str,
                                                    withheld: bool) -> None:
    # Bodies may hold their own "time" keys and '"time":"' text: the splice must not care.
    body = {**body, "time": '","time":"', "x": {"time": "2017"}}
    try:
        canonical(body)
    except ValidationError:
        return
    entry = _entry(ref=ref, body=None if withheld else body,
                   commitment=commit(body, bytes(SALT_SIZE)) if withheld else None)
    assert entry.leaf() == canonical(entry.to_document())
    again = Entry.from_document(json.loads(entry.leaf()))
    assert again.leaf() == entry.leaf() and again.signed_bytes() == entry.signed_bytes()
