"""Random damage to exports and bundles: never a traceback, and any changed value is caught."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconflict.errors import ValidationError
from deconflict.ledger import Verdict, canonical, verify_document
from tests.ledger.sample import sample_log

_LOG = sample_log(12, (5, 12))
EXPORT = json.loads(json.dumps(_LOG.export()))
BUNDLE = json.loads(json.dumps(_LOG.bundle([3, 4, 10])))
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

Path = tuple[str | int, ...]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 50) | st.text(max_size=6)
    | st.floats(allow_nan=True, allow_infinity=True),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                   max_size=3),
    max_leaves=6)


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _checked(path: Path) -> bool:
    """Everything but the free incident section is covered by signatures or checks."""
    return path[0] != "incident"


def _get(doc: Any, path: Path) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _set(doc: Any, path: Path, value: Any) -> None:
    _get(doc, path[:-1])[path[-1]] = value


def _same(a: Any, b: Any) -> bool:
    try:
        return canonical(a) == canonical(b)
    except ValidationError:
        return False


def _dropped(old: Any, new: Any) -> bool:
    """Whether ``new`` only leaves out some of the items or checkpoints of ``old``: a smaller
    bundle, or an export anchored less far, is still true (deletions are tested apart)."""
    return isinstance(old, list) and isinstance(new, list) and all(v in old for v in new)


@pytest.mark.parametrize("original", [EXPORT, BUNDLE], ids=["export", "bundle"])
@SETTINGS
@given(data=st.data())
def test_any_changed_value_is_caught(original: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from([p for p in _paths(original) if _checked(p)]))
    old = _get(original, path)
    new = data.draw(json_values)
    if _same(old, new) or _dropped(old, new):
        return
    doc = copy.deepcopy(original)
    _set(doc, path, new)
    verdict = verify_document(doc)
    assert isinstance(verdict, Verdict)
    assert not verdict.ok, f"changing {path} from {old!r} to {new!r} went unnoticed"
    assert verdict.location and verdict.problem


@pytest.mark.parametrize("original", [EXPORT, BUNDLE], ids=["export", "bundle"])
@SETTINGS
@given(data=st.data())
def test_edited_text_is_caught(original: dict[str, Any], data: st.DataObject) -> None:
    strings = [p for p in _paths(original) if _checked(p) and isinstance(_get(original, p), str)]
    path = data.draw(st.sampled_from(strings))
    old: str = _get(original, path)
    at = data.draw(st.integers(0, len(old)))
    char = data.draw(st.characters())
    new = old[:at] + char + old[at + 1:]
    if new == old:
        return
    doc = copy.deepcopy(original)
    _set(doc, path, new)
    assert not verify_document(doc).ok, f"{path}: {old!r} -> {new!r}"


@pytest.mark.parametrize("original", [EXPORT, BUNDLE], ids=["export", "bundle"])
@SETTINGS
@given(data=st.data())
def test_deleting_anything_never_crashes(original: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(original)))
    doc = copy.deepcopy(original)
    parent = _get(doc, path[:-1])
    del parent[path[-1]]
    verdict = verify_document(doc)
    assert isinstance(verdict, Verdict)
    if not verdict.ok:
        assert verdict.location and verdict.problem


@SETTINGS
@given(json_values)
def test_arbitrary_json_never_crashes(value: Any) -> None:
    for doc in (value, {"format": "deconflict-ledger/1", "origin": "o", "keys": [],
                        "entries": value, "checkpoints": value},
                {"format": "deconflict-evidence/1", "origin": "o", "keys": value,
                 "checkpoint": value, "items": value}):
        assert isinstance(verify_document(doc), Verdict)
