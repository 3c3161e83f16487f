"""The ``sensors`` and ``borders`` sections of a scenario: reading and writing.

A sensor beyond the format's core keys may have ``altitude_m`` (its height above the ground:
without ``range_m`` it sees to the line-of-sight horizon, to a target ``target_height_m`` tall),
operating ``windows`` and ``outages`` (lists of ``[start, end]``), and a ``patrol``: a ``route``
(a GeoJSON LineString) driven from ``start`` at ``speed_mps``, or through timed waypoints
(``times``, one per vertex), ``loop`` to repeat it. A patrol's ``position`` may be left out: it
is the route's first vertex. A border may name its ``owner`` (a party), and its geometry may be
a shipped border, ``{ref: iraq-syria}``.

>>> from deconflict.interop.scenario import parse_scenario
>>> s = parse_scenario('''
... scenario: 1
... time: "2017-09-18T06:00:00Z"
... parties: [{id: isf, name: Iraqi forces, kind: state}]
... sensors: [{id: b1, party: isf, kind: balloon, position: [41.0, 34.4], altitude_m: 300}]
... ''')
>>> round(s.sensors[0].range_m), s.sensors[0].range_from_horizon
(71392, True)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from deconflict.errors import ScenarioError
from deconflict.interop.scenario_geometry import read_geometry, read_shape
from deconflict.interop.scenario_values import (
    Record,
    as_angle,
    as_distance,
    as_position,
    as_time,
    as_window,
    join,
)
from deconflict.model import (
    Border,
    Patrol,
    Position,
    Sensor,
    SensorKind,
    Window,
    horizon_range_m,
)
from deconflict.model.sensor import FieldError

__all__ = [
    "BORDER_SCHEMA",
    "SENSOR_SCHEMA",
    "border_document",
    "read_border",
    "read_sensor",
    "sensor_document",
]

T = TypeVar("T")

SENSOR_SCHEMA = {
    "keys": ("id", "party", "kind", "name", "position", "range_m", "bearing_deg", "fov_deg",
             "altitude_m", "target_height_m", "windows", "outages", "patrol"),
    "required": ("id", "party", "kind"),
}
BORDER_SCHEMA = {"keys": ("id", "name", "geometry", "owner"), "required": ("id", "geometry")}
_PATROL_KEYS = ("route", "start", "speed_mps", "times", "loop")


class Registry(Protocol):
    """What the scenario reader's registry offers: ids claimed once, parties declared."""

    def claim(self, record: Record) -> str: ...

    def party(self, record: Record, key: str) -> str: ...


def _built(path: str, factory: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Construct a model value; a rule it breaks is reported at the path of its field."""
    try:
        return factory(*args, **kwargs)
    except FieldError as exc:
        raise ScenarioError(exc.reason, field=join(path, exc.field)) from None
    except (TypeError, ValueError) as exc:
        raise ScenarioError(str(exc), field=path or None) from None


# -- reading ---------------------------------------------------------------------------------


def read_sensor(record: Record, reg: Registry) -> Sensor:
    ident, party = reg.claim(record), reg.party(record, "party")
    kind = record.enum("kind", SensorKind)
    patrol = _patrol(record) if "patrol" in record else None
    position = _position(record, patrol)
    bearing, fov = _field_of_view(record)
    altitude = record.distance("altitude_m") if "altitude_m" in record else None
    target = record.distance("target_height_m")
    range_m, derived = _range(record, altitude, target)
    return _built(record.base, Sensor, ident, party, kind, position, range_m, bearing, fov,
                  record.text("name"), _windows(record, "windows"), _windows(record, "outages"),
                  altitude, target, patrol, derived)


def _position(record: Record, patrol: Patrol | None) -> Position:
    if "position" in record:
        return as_position(record.get("position"), record.path("position"))
    if patrol is None:
        raise ScenarioError("is required (only a patrol may leave it out)",
                            field=record.path("position"))
    return patrol.route[0]


def _range(record: Record, altitude: float | None, target: float) -> tuple[float, bool]:
    """``range_m`` as given, else the line-of-sight horizon from ``altitude_m``."""
    if "range_m" in record:
        return record.distance("range_m"), False
    if altitude is None:
        raise ScenarioError("is required unless altitude_m is given (the range is then the "
                            "line-of-sight horizon)", field=record.path("range_m"))
    return horizon_range_m(altitude, target), True


def _field_of_view(record: Record) -> tuple[float | None, float | None]:
    """``(bearing_deg, fov_deg)``, both or neither (neither: the sensor sees all round)."""
    has_bearing, has_fov = "bearing_deg" in record, "fov_deg" in record
    if has_bearing != has_fov:
        missing = "fov_deg" if has_bearing else "bearing_deg"
        raise ScenarioError("bearing_deg and fov_deg go together", field=record.path(missing))
    if not has_bearing:
        return None, None
    bearing = as_angle(record.get("bearing_deg"), record.path("bearing_deg"),
                       low=0, high=360, closed_low=True)
    fov = as_angle(record.get("fov_deg"), record.path("fov_deg"),
                   low=0, high=360, closed_low=False)
    return bearing, fov


def _windows(record: Record, key: str) -> tuple[Window, ...]:
    return tuple(as_window(raw, path) for path, raw in record.items(key))


def _patrol(record: Record) -> Patrol:
    path = record.path("patrol")
    patrol = Record(record.get("patrol"), path, keys=_PATROL_KEYS, required=("route",))
    route = read_geometry(patrol.get("route"), patrol.path("route"))
    if route.geom_type != "LineString":
        raise ScenarioError(f"a patrol route must be a LineString, got {route.geom_type}",
                            field=join(patrol.path("route"), "type"))
    points = tuple(Position(*c) for c in route.coords)
    start = patrol.time("start") if "start" in patrol else None
    speed = _speed(patrol) if "speed_mps" in patrol else None
    times = tuple(as_time(raw, p) for p, raw in patrol.items("times"))
    loop = patrol.get("loop") if "loop" in patrol else False
    if not isinstance(loop, bool):
        raise ScenarioError("expected true or false", field=patrol.path("loop"))
    return _built(path, Patrol, points, start, speed, times, loop)


def _speed(patrol: Record) -> float:
    speed = as_distance(patrol.get("speed_mps"), patrol.path("speed_mps"))
    if speed <= 0:
        raise ScenarioError("must be a positive speed (metres per second)",
                            field=patrol.path("speed_mps"))
    return speed


def read_border(record: Record, reg: Registry) -> Border:
    ident = reg.claim(record)
    owner = reg.party(record, "owner") if "owner" in record else None
    ref = _shipped_ref(record)
    if ref is not None:
        from deconflict.interop.borders import load_border

        shipped = load_border(ref, field=join(record.path("geometry"), "ref"))
        return _built(record.base, Border, ident, shipped.shape,
                      record.text("name", shipped.name), owner, ref)
    shape = read_shape(record)
    if shape.kind != "LineString":
        # Coverage measures positions along the border from its first vertex.
        raise ScenarioError(f"a border's geometry must be a LineString, got {shape.kind}",
                            field=join(record.path("geometry"), "type"))
    return _built(record.base, Border, ident, shape, record.text("name"), owner)


def _shipped_ref(record: Record) -> str | None:
    """The name in ``geometry: {ref: NAME}``, when the geometry is given that way."""
    raw = record.get("geometry")
    if not isinstance(raw, dict) or "ref" not in raw:
        return None
    geometry = Record(raw, record.path("geometry"), keys=("ref",), required=("ref",))
    return geometry.id("ref")


# -- writing ---------------------------------------------------------------------------------

Number = Callable[[float], Any]


def sensor_document(sensor: Sensor, number: Number, numbers: Callable[[Any], Any],
                    window: Callable[[Window], list[str]], time: Callable[[datetime], str]
                    ) -> list[tuple[str, Any]]:
    """The sensor's entries in the format's key order (``None``: left out)."""
    def angle(value: float | None) -> Any:
        return None if value is None else number(value)

    patrol = sensor.patrol
    position = sensor.position
    hide_position = patrol is not None and position == patrol.route[0]
    return [
        ("id", sensor.id), ("party", sensor.party), ("kind", sensor.kind.value),
        ("name", sensor.name or None),
        ("position", None if hide_position else numbers(position.coordinates())),
        ("range_m", None if sensor.range_from_horizon else number(sensor.range_m)),
        ("bearing_deg", angle(sensor.bearing_deg)), ("fov_deg", angle(sensor.fov_deg)),
        ("altitude_m", angle(sensor.altitude_m)),
        ("target_height_m", number(sensor.target_height_m) if sensor.target_height_m else None),
        ("windows", [window(w) for w in sensor.windows] or None),
        ("outages", [window(w) for w in sensor.outages] or None),
        ("patrol", None if patrol is None else _patrol_document(patrol, number, numbers, time)),
    ]  # fmt: skip


def _patrol_document(patrol: Patrol, number: Number, numbers: Callable[[Any], Any],
                     time: Callable[[datetime], str]) -> dict[str, Any]:
    route = {"type": "LineString", "coordinates": [numbers(p.coordinates()) for p in patrol.route]}
    entries: list[tuple[str, Any]] = [
        ("route", route),
        ("start", None if patrol.start is None else time(patrol.start)),
        ("speed_mps", None if patrol.speed_mps is None else number(patrol.speed_mps)),
        ("times", [time(t) for t in patrol.times] or None),
        ("loop", True if patrol.loop else None),
    ]
    return {key: value for key, value in entries if value is not None}


def border_document(border: Border, geometry: dict[str, Any]) -> list[tuple[str, Any]]:
    """The border's entries; a shipped border is written by its name."""
    where = {"ref": border.ref} if border.ref is not None else geometry
    return [("id", border.id), ("name", border.name or None), ("geometry", where),
            ("owner", border.owner)]
