"""The HTML report is a page that runs nothing and shows every value as text, whatever parties
wrote into names, descriptions and messages."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from deconflict.interop.incident_report import bundle_json, render_html, report_of

NASTY = "<script>alert(\"x\")</script><img src=x onerror=alert(1)>&amp;'"


def _poison(value: Any) -> Any:
    """Every string of a document replaced by markup (keys kept)."""
    if isinstance(value, dict):
        return {k: _poison(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v) for v in value]
    return NASTY if isinstance(value, str) else value


def _report() -> dict[str, Any]:
    unit = {"id": "u", "party": "p", "name": "n", "position": [40.0, 35.0], "radius_m": 1.0,
            "observed": "t", "stale": "t", "distance_m": 1.0, "live": True}
    return {
        "format": "deconflict-incident/1",
        "incident": {"id": "i", "reported_by": "p", "reported": "t", "kind": "strike",
                     "description": "d", "time": "t", "position": [40.0, 35.0],
                     "radius_m": 5.0},
        "view": {"party": "p", "scope": "party"},
        "notices": [{"id": "n", "party": "p", "kind": "k", "window": ["a", "b"],
                     "distance_m": 1.0, "buffer_m": 2.0, "covers_point": True, "filed": "t",
                     "state": "s", "answers": [{"party": "q", "answer": "acknowledge",
                                                "time": "t", "comment": "c"}],
                     "told": {"p": [{"rule": "R-UNIT", "party": "q", "distance_band": "b"}]}}],
        "units": [unit], "stale_units": [unit],
        "unit_cells": [{"cell": "c", "party": "p", "count": 2, "bounds": [1.0, 2.0, 3.0, 4.0]}],
        "sites": [{"id": "s", "party": "p", "kind": "k", "name": "n", "distance_m": 1.0,
                   "inside_buffer": True}],
        "zones": [{"id": "z", "version": 1, "owner": "o", "name": "n", "distance_m": 0.0,
                   "inside": True}],
        "lines": [{"id": "l", "version": 1, "name": "n", "distance_m": 3.0, "side": "left",
                   "side_party": "p", "sides_reached": ["left"]}],
        "messages": [{"id": "m", "from": "a", "to": "b", "level": "air", "sent": "t",
                      "acknowledged": None, "text": "x"}],
        "disclosure": [{"from": "a", "to": "b", "level": "area"}],
        "timeline": [{"time": "t", "when": "before", "actor": "a", "event": "e", "ref": "r",
                      "detail": "d", "to": ["b"]}],
    }


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def test_markup_in_every_value_stays_text() -> None:
    report = _poison(_report())
    bundle = {"format": "deconflict-evidence/1", "items": [
        {"entry": _poison({"index": 3, "time": "t", "actor": "a", "kind": "k", "ref": "r"}),
         "proof": {}}], "incident": report}
    page = render_html(bundle)
    parsed = _Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not {"src", "href", "onerror", "onload", "style"} & parsed.attributes
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&amp;amp;&#x27;" in page


def test_a_bare_report_renders_too_and_json_round_trips() -> None:
    report = _report()
    assert report_of(report) is report
    page = render_html(report)
    assert "This bundle carries no ledger evidence" in page
    assert json.loads(bundle_json({"incident": report})) == {"incident": report}
