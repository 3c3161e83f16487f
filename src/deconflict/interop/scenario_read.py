"""A scenario document (plain dicts and lists) → a :class:`Scenario`, checked section by section.

Sections are read in the order of the format; the first problem found is raised, naming its path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from deconflict.errors import ScenarioError
from deconflict.interop.scenario_geometry import read_shape
from deconflict.interop.scenario_sensors import (
    BORDER_SCHEMA,
    SENSOR_SCHEMA,
    read_border,
    read_sensor,
)
from deconflict.interop.scenario_values import (
    Record,
    as_altitude,
    as_id,
    as_position,
    as_window,
    describe,
    join,
)
from deconflict.model import (
    FORMAT_VERSION,
    Area,
    AreaKind,
    DisclosureLevel,
    DisclosureRule,
    Fix,
    Notice,
    NoticeKind,
    Party,
    PartyKind,
    Relation,
    RelationKind,
    Scenario,
    SeparationPolicy,
    SeparationRule,
    Side,
    Site,
    SiteKind,
    Unit,
    UnitKind,
    Zone,
    ZoneKind,
)

__all__ = ["TOP_KEYS", "read_scenario"]

T = TypeVar("T")

TOP_KEYS = (
    "scenario", "name", "time", "parties", "relations", "separation", "disclosure",
    "units", "areas", "zones", "sites", "notices", "sensors", "borders",
)  # fmt: skip


@dataclass
class _Registry:
    """The ids seen so far: parties apart, and one namespace for every screening target."""

    parties: dict[str, str] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)

    def party(self, record: Record, key: str) -> str:
        """A reference to a declared party."""
        return self.party_at(record.get(key), record.path(key))

    def party_at(self, raw: object, path: str) -> str:
        party = as_id(raw, path)
        if party not in self.parties:
            raise ScenarioError(f"unknown party {party!r}", field=path)
        return party

    def claim(self, record: Record) -> str:
        """The record's ``id``, refused when any unit, area, zone, site... already has it."""
        return _claim(self.targets, record)

    def claim_party(self, record: Record) -> str:
        return _claim(self.parties, record)


def _claim(seen: dict[str, str], record: Record) -> str:
    ident = record.id()
    if ident in seen:
        raise ScenarioError(f"duplicate id {ident!r} (already used at {seen[ident]})",
                            field=record.path("id"))
    seen[ident] = record.path("id")
    return ident


def _build(path: str, factory: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Construct a model value; its own checks, should one fire, are reported at ``path``."""
    try:
        return factory(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ScenarioError(str(exc), field=path or None) from None


def read_scenario(doc: object) -> Scenario:
    """Check and convert a whole document; ``field`` of any error is its path."""
    top = Record(doc, "", keys=TOP_KEYS, required=("scenario", "time"))
    _version(top)
    reg = _Registry()
    time, name = top.time("time"), top.text("name")
    parties, relations = _parties(top, reg), _relations(top, reg)
    separation, disclosure = _separation(top, reg), _disclosure(top, reg)
    targets = {key: _section(top, key, reg) for key in _SECTIONS}
    return Scenario(time, name, parties, relations, separation, disclosure, **targets,
                    version=FORMAT_VERSION)


def _section(top: Record, key: str, reg: _Registry) -> tuple[Any, ...]:
    """Every record of a section of screening targets (units, areas, zones...)."""
    schema, read = _SECTIONS[key]
    return tuple(read(Record(raw, path, **schema), reg) for path, raw in top.items(key))


def _version(top: Record) -> None:
    raw = top.get("scenario")
    if isinstance(raw, bool) or not isinstance(raw, int) or raw != FORMAT_VERSION:
        raise ScenarioError(
            f"unsupported format version {describe(raw)}; this reader knows version "
            f"{FORMAT_VERSION}",
            field="scenario",
        )


# -- parties and what is agreed between them ------------------------------------------------


def _parties(top: Record, reg: _Registry) -> tuple[Party, ...]:
    records = [
        Record(raw, path, keys=("id", "name", "kind", "sponsor"), required=("id", "name", "kind"))
        for path, raw in top.items("parties")
    ]
    parties = [
        Party(reg.claim_party(r), r.id("name"), r.enum("kind", PartyKind)) for r in records
    ]
    # Sponsors are checked once every party is known: a sponsor may be listed after its client.
    return tuple(_sponsored(r, p, reg) for r, p in zip(records, parties, strict=True))


def _sponsored(record: Record, party: Party, reg: _Registry) -> Party:
    if "sponsor" not in record:
        return party
    sponsor = reg.party(record, "sponsor")
    if sponsor == party.id:
        raise ScenarioError("a party cannot sponsor itself", field=record.path("sponsor"))
    return Party(party.id, party.name, party.kind, sponsor)


def _pair(record: Record, reg: _Registry, a: str, b: str, seen: dict[frozenset[str], str]
          ) -> tuple[str, str]:
    """Two distinct declared parties, a pair not listed before in the same section."""
    first, second = reg.party(record, a), reg.party(record, b)
    if first == second:
        raise ScenarioError(f"{a} and {b} are the same party {first!r}", field=record.path(b))
    key = frozenset((first, second))
    if key in seen:
        raise ScenarioError(f"pair {first!r}, {second!r} listed twice (first at {seen[key]})",
                            field=record.base)
    seen[key] = record.base
    return first, second


def _relations(top: Record, reg: _Registry) -> tuple[Relation, ...]:
    relations: list[Relation] = []
    seen: dict[frozenset[str], str] = {}
    for path, raw in top.items("relations"):
        record = Record(raw, path, keys=("a", "b", "kind"), required=("a", "b", "kind"))
        a, b = _pair(record, reg, "a", "b", seen)
        relations.append(Relation(a, b, record.enum("kind", RelationKind)))
    return tuple(relations)


def _rule(record: Record) -> SeparationRule:
    warn, critical = record.distance("warn_m"), record.distance("critical_m")
    if critical > warn:
        raise ScenarioError(f"critical_m {critical:g} exceeds warn_m {warn:g}",
                            field=record.path("critical_m"))
    return _build(record.base, SeparationRule, warn, critical)


def _separation(top: Record, reg: _Registry) -> SeparationPolicy:
    if "separation" not in top:
        return SeparationPolicy()
    section = Record(top.get("separation"), "separation", keys=("default", "pairs"))
    default = SeparationPolicy().default
    if "default" in section:
        default = _rule(Record(section.get("default"), section.path("default"),
                               keys=("warn_m", "critical_m"), required=("warn_m", "critical_m")))
    pairs: dict[frozenset[str], SeparationRule] = {}
    seen: dict[frozenset[str], str] = {}
    for path, raw in section.items("pairs"):
        keys = ("a", "b", "warn_m", "critical_m")
        record = Record(raw, path, keys=keys, required=keys)
        pairs[frozenset(_pair(record, reg, "a", "b", seen))] = _rule(record)
    return SeparationPolicy(default, pairs)


def _disclosure(top: Record, reg: _Registry) -> tuple[DisclosureRule, ...]:
    rules: list[DisclosureRule] = []
    seen: set[tuple[str, str]] = set()
    for path, raw in top.items("disclosure"):
        keys = ("from", "to", "level")
        record = Record(raw, path, keys=keys, required=keys)
        source, recipient = reg.party(record, "from"), reg.party(record, "to")
        if source == recipient:
            raise ScenarioError("a party always sees its own units; from and to are the same",
                                field=record.path("to"))
        if (source, recipient) in seen:
            raise ScenarioError(f"disclosure from {source!r} to {recipient!r} listed twice",
                                field=path)
        seen.add((source, recipient))
        rules.append(DisclosureRule(source, recipient, record.enum("level", DisclosureLevel)))
    return tuple(rules)


# -- what is on the ground ---------------------------------------------------------------------

_UNIT = {
    "keys": ("id", "party", "kind", "name", "position", "radius_m", "time", "stale"),
    "required": ("id", "party", "kind", "position", "time"),
}
_AREA = {
    "keys": ("id", "holder", "kind", "name", "geometry", "radius_m"),
    "required": ("id", "holder", "kind", "geometry"),
}
_ZONE = {
    "keys": ("id", "kind", "name", "geometry", "radius_m", "owner", "sides", "signatories"),
    "required": ("id", "kind", "geometry"),
}
_SITE = {
    "keys": ("id", "party", "kind", "name", "geometry", "radius_m", "buffer_m", "window"),
    "required": ("id", "party", "kind", "geometry"),
}
_NOTICE = {
    "keys": ("id", "party", "kind", "name", "geometry", "radius_m", "buffer_m", "standoff_m",
             "altitude_m", "window"),
    "required": ("id", "party", "kind", "geometry", "window"),
}
_SENSOR = SENSOR_SCHEMA  # sensors and borders: see scenario_sensors
_BORDER = BORDER_SCHEMA


def _fix(record: Record) -> Fix:
    time = record.time("time")
    stale = record.time("stale") if "stale" in record else None
    if stale is not None and stale < time:
        raise ScenarioError("stale is before the observation time", field=record.path("stale"))
    position = as_position(record.get("position"), record.path("position"))
    return _build(record.base, Fix, position, time, record.distance("radius_m"), stale)


def _unit(record: Record, reg: _Registry) -> Unit:
    ident, party = reg.claim(record), reg.party(record, "party")
    kind, fix = record.enum("kind", UnitKind), _fix(record)
    return _build(record.base, Unit, ident, party, kind, (fix,), record.text("name"))


def _area(record: Record, reg: _Registry) -> Area:
    ident, holder = reg.claim(record), reg.party(record, "holder")
    kind, shape = record.enum("kind", AreaKind), read_shape(record)
    return _build(record.base, Area, ident, holder, kind, shape, record.text("name"))


def _zone(record: Record, reg: _Registry) -> Zone:
    ident, kind, shape = reg.claim(record), record.enum("kind", ZoneKind), read_shape(record)
    owner: str | None = None
    sides: tuple[tuple[Side, str], ...] = ()
    if kind is ZoneKind.ZONE:
        owner = _zone_owner(record, reg)
    else:
        sides = _line_sides(record, reg, shape.kind)
    signatories = _signatories(record, reg)
    return _build(record.base, Zone, ident, kind, shape, signatories, owner, sides,
                  record.text("name"))


def _zone_owner(record: Record, reg: _Registry) -> str:
    if "sides" in record:
        raise ScenarioError("only a line has sides; a zone has an owner",
                            field=record.path("sides"))
    if "owner" not in record:
        raise ScenarioError("a zone needs an owner", field=record.path("owner"))
    return reg.party(record, "owner")


def _line_sides(record: Record, reg: _Registry, geometry_type: str
                ) -> tuple[tuple[Side, str], ...]:
    if "owner" in record:
        raise ScenarioError("a line has sides, not an owner", field=record.path("owner"))
    if geometry_type != "LineString":
        raise ScenarioError(f"a line's geometry must be a LineString, got {geometry_type}",
                            field=join(record.path("geometry"), "type"))
    if "sides" not in record:
        raise ScenarioError("a line needs sides (left, right)", field=record.path("sides"))
    sides = Record(record.get("sides"), record.path("sides"), keys=tuple(s.value for s in Side))
    if not sides.raw:
        raise ScenarioError("a line needs at least one of left, right", field=sides.base)
    # Canonical order (left, then right) so that equal files give equal values.
    return tuple((side, reg.party(sides, side.value)) for side in Side if side in sides)


def _signatories(record: Record, reg: _Registry) -> tuple[str, ...]:
    found: list[str] = []
    for path, raw in record.items("signatories"):
        party = reg.party_at(raw, path)
        if party in found:
            raise ScenarioError(f"signatory {party!r} listed twice", field=path)
        found.append(party)
    return tuple(found)


def _site(record: Record, reg: _Registry) -> Site:
    ident, party = reg.claim(record), reg.party(record, "party")
    kind, shape = record.enum("kind", SiteKind), read_shape(record)
    window = as_window(record.get("window"), record.path("window")) if "window" in record else None
    return _build(record.base, Site, ident, party, kind, shape, record.distance("buffer_m"),
                  window, record.text("name"))


def _notice(record: Record, reg: _Registry) -> Notice:
    ident, party = reg.claim(record), reg.party(record, "party")
    kind, shape = record.enum("kind", NoticeKind), read_shape(record)
    standoff = record.distance("standoff_m") if "standoff_m" in record else None
    altitude = None
    if "altitude_m" in record:
        altitude = as_altitude(record.get("altitude_m"), record.path("altitude_m"))
    window = as_window(record.get("window"), record.path("window"))
    return _build(record.base, Notice, ident, party, kind, shape, window,
                  record.distance("buffer_m"), standoff, altitude, record.text("name"))


# Sections of objects with ids in the one shared namespace, in the order of the format.
_SECTIONS: dict[str, tuple[dict[str, tuple[str, ...]], Callable[[Record, _Registry], object]]] = {
    "units": (_UNIT, _unit),
    "areas": (_AREA, _area),
    "zones": (_ZONE, _zone),
    "sites": (_SITE, _site),
    "notices": (_NOTICE, _notice),
    "sensors": (_SENSOR, read_sensor),
    "borders": (_BORDER, read_border),
}
