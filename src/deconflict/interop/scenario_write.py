"""A :class:`Scenario` → a plain document in the format's shape: only what is set, keys in order.

Defaults are left out (a ``radius_m`` of 0, a ``stale`` never given, the default separation), so a
written file says no more than its author did, and reading it back gives an equal scenario.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from deconflict.errors import ScenarioError
from deconflict.interop.scenario_sensors import border_document, sensor_document
from deconflict.model import (
    Area,
    Border,
    DisclosureRule,
    Notice,
    Party,
    Relation,
    Scenario,
    Sensor,
    SeparationPolicy,
    SeparationRule,
    Shape,
    Site,
    Unit,
    Window,
    Zone,
)

__all__ = ["format_time", "scenario_to_document"]

Document = dict[str, Any]

# Integral numbers are written without ".0" while a float holds them exactly.
_EXACT_INTEGERS = 2**53


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``; microseconds only when there are some.

    >>> format_time(datetime(2017, 9, 18, 6, tzinfo=UTC))
    '2017-09-18T06:00:00Z'
    """
    if moment.tzinfo is None:
        raise ScenarioError(f"cannot write a time without a timezone: {moment.isoformat()}")
    t = moment.astimezone(UTC)
    text = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    if t.microsecond:
        text += f".{t.microsecond:06d}".rstrip("0")
    return text + "Z"


def _number(value: float) -> int | float:
    if not math.isfinite(value):
        raise ScenarioError(f"cannot write a number that is not finite: {value}")
    if float(value).is_integer() and abs(value) < _EXACT_INTEGERS:
        return int(value)
    return float(value)


def _numbers(value: Any) -> Any:
    """Coordinates nested in lists, each number as :func:`_number` writes it."""
    if isinstance(value, list | tuple):
        return [_numbers(v) for v in value]
    return _number(value)


def _mapping(entries: Iterable[tuple[str, Any]]) -> Document:
    """A mapping of the entries whose value is set (not ``None``), in the order given."""
    return {key: value for key, value in entries if value is not None}


def _text(value: str) -> str | None:
    return value or None


def _positive(value: float) -> int | float | None:
    return _number(value) if value else None


def _window(window: Window | None) -> list[str] | None:
    if window is None:
        return None
    return [format_time(window.start), format_time(window.end)]


def _geometry(shape: Shape) -> list[tuple[str, Any]]:
    geojson = shape.to_geojson()
    geometry = {"type": geojson["type"], "coordinates": _numbers(geojson["coordinates"])}
    return [("geometry", geometry), ("radius_m", _positive(shape.radius_m))]


def scenario_to_document(scenario: Scenario) -> Document:
    """The document a scenario file holds: plain dicts, lists, strings and numbers."""
    sections = [
        ("parties", [_party(p) for p in scenario.parties]),
        ("relations", [_relation(r) for r in scenario.relations]),
        ("separation", _separation(scenario.separation)),
        ("disclosure", [_disclosure(d) for d in scenario.disclosure]),
        ("units", [_unit(u, scenario.time) for u in scenario.units]),
        ("areas", [_area(a) for a in scenario.areas]),
        ("zones", [_zone(z) for z in scenario.zones]),
        ("sites", [_site(s) for s in scenario.sites]),
        ("notices", [_notice(n) for n in scenario.notices]),
        ("sensors", [_sensor(s) for s in scenario.sensors]),
        ("borders", [_border(b) for b in scenario.borders]),
    ]
    head = [
        ("scenario", scenario.version),
        ("name", _text(scenario.name)),
        ("time", format_time(scenario.time)),
    ]
    return _mapping([*head, *((key, value or None) for key, value in sections)])


def _party(party: Party) -> Document:
    return _mapping([("id", party.id), ("name", party.name), ("kind", party.kind.value),
                     ("sponsor", party.sponsor)])


def _relation(relation: Relation) -> Document:
    return {"a": relation.a, "b": relation.b, "kind": relation.kind.value}


def _rule(rule: SeparationRule) -> Document:
    return {"warn_m": _number(rule.warn_m), "critical_m": _number(rule.critical_m)}


def _separation(policy: SeparationPolicy) -> Document | None:
    pairs = []
    for pair, rule in policy.pairs.items():
        members = sorted(pair)  # the model keeps the pair unordered; write it in a stable order
        pairs.append({"a": members[0], "b": members[-1], **_rule(rule)})
    default = None if policy.default == SeparationPolicy().default else _rule(policy.default)
    return _mapping([("default", default), ("pairs", pairs or None)]) or None


def _disclosure(rule: DisclosureRule) -> Document:
    return {"from": rule.source, "to": rule.recipient, "level": rule.level.value}


def _unit(unit: Unit, now: datetime) -> Document:
    """One fix per unit: the latest at or before ``now``, else the first of the track."""
    fix = unit.fix_at(now) or unit.track[0]
    return _mapping([
        ("id", unit.id), ("party", unit.party), ("kind", unit.kind.value),
        ("name", _text(unit.name)), ("position", _numbers(fix.position.coordinates())),
        ("radius_m", _positive(fix.radius_m)), ("time", format_time(fix.time)),
        ("stale", None if fix.stale is None else format_time(fix.stale)),
    ])  # fmt: skip


def _area(area: Area) -> Document:
    return _mapping([
        ("id", area.id), ("holder", area.holder), ("kind", area.kind.value),
        ("name", _text(area.name)), *_geometry(area.shape),
    ])  # fmt: skip


def _zone(zone: Zone) -> Document:
    sides = {side.value: party for side, party in zone.sides}
    return _mapping([
        ("id", zone.id), ("kind", zone.kind.value), ("name", _text(zone.name)),
        *_geometry(zone.shape), ("owner", zone.owner), ("sides", sides or None),
        ("signatories", list(zone.signatories) or None),
    ])  # fmt: skip


def _site(site: Site) -> Document:
    return _mapping([
        ("id", site.id), ("party", site.party), ("kind", site.kind.value),
        ("name", _text(site.name)), *_geometry(site.shape),
        ("buffer_m", _positive(site.buffer_m)), ("window", _window(site.window)),
    ])  # fmt: skip


def _notice(notice: Notice) -> Document:
    altitude = notice.altitude
    band = None if altitude is None else [_number(altitude.low_m), _number(altitude.high_m)]
    standoff = None if notice.standoff_m is None else _number(notice.standoff_m)
    return _mapping([
        ("id", notice.id), ("party", notice.party), ("kind", notice.kind.value),
        ("name", _text(notice.name)), *_geometry(notice.shape),
        ("buffer_m", _positive(notice.buffer_m)), ("standoff_m", standoff),
        ("altitude_m", band), ("window", _window(notice.window)),
    ])  # fmt: skip


def _sensor(sensor: Sensor) -> Document:
    return _mapping(sensor_document(sensor, _number, _numbers, _window, format_time))


def _border(border: Border) -> Document:
    return _mapping(border_document(border, _geometry(border.shape)[0][1]))
