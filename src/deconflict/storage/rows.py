"""Rows <-> model values: how each noun is laid out in the relational schema.

Times are ISO 8601 UTC text of fixed width (microseconds always written), so text order is time
order. Geometries are GeoJSON text beside a ``radius_m`` column.

>>> time_text(datetime(2017, 9, 18, 6, tzinfo=UTC))
'2017-09-18T06:00:00.000000Z'
>>> text_time('2017-09-18T06:00:00.000000Z') == datetime(2017, 9, 18, 6, tzinfo=UTC)
True
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from deconflict.errors import ValidationError
from deconflict.model import (
    AltitudeBand,
    Area,
    AreaKind,
    Border,
    DisclosureLevel,
    DisclosureRule,
    Fix,
    Notice,
    NoticeKind,
    Party,
    PartyKind,
    Position,
    Relation,
    RelationKind,
    Sensor,
    SensorKind,
    SeparationPolicy,
    SeparationRule,
    Shape,
    Side,
    Site,
    SiteKind,
    Unit,
    UnitKind,
    Window,
    Zone,
    ZoneKind,
)
from deconflict.storage.sensor_rows import schedule_text, with_schedule

__all__ = [
    "AREAS",
    "BORDERS",
    "DISCLOSURE",
    "NOTICES",
    "PARTIES",
    "RELATIONS",
    "SENSORS",
    "SITES",
    "Row",
    "Table",
    "epoch_seconds",
    "fix_of",
    "fix_row",
    "separation_of",
    "separation_rows",
    "text_time",
    "time_text",
    "tracks_of",
    "unit_of",
    "unit_row",
    "zone_of",
    "zone_row",
]

T = TypeVar("T")
Row = Sequence[Any]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def time_text(moment: datetime) -> str:
    """Fixed-width UTC text; naive datetimes are refused (their zone would be a guess)."""
    if moment.tzinfo is None:
        raise ValidationError("time must carry a timezone (UTC)")
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def text_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def epoch_seconds(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds()


def _opt_time_text(moment: datetime | None) -> str | None:
    return None if moment is None else time_text(moment)


def _opt_text_time(text: str | None) -> datetime | None:
    return None if text is None else text_time(text)


def _shape_cols(shape: Shape) -> tuple[str, float]:
    return json.dumps(shape.to_geojson(), separators=(",", ":")), shape.radius_m


def _shape(geometry: str, radius_m: float) -> Shape:
    return Shape.from_geojson(json.loads(geometry), radius_m)


def _window_cols(window: Window | None) -> tuple[str | None, str | None]:
    if window is None:
        return None, None
    return time_text(window.start), time_text(window.end)


def _window(start: str | None, end: str | None) -> Window | None:
    if start is None or end is None:
        return None
    return Window(text_time(start), text_time(end))


@dataclass(frozen=True, slots=True)
class Table(Generic[T]):
    """A noun stored in one table: its columns (after ``seq``), and how to dump and load a row."""

    name: str
    columns: tuple[str, ...]
    dump: Callable[[T], tuple[Any, ...]]
    load: Callable[[Row], T]

    @property
    def insert_sql(self) -> str:
        marks = ", ".join("?" * (len(self.columns) + 1))
        return f"INSERT INTO {self.name} (seq, {', '.join(self.columns)}) VALUES ({marks})"

    @property
    def select_sql(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {self.name} ORDER BY seq"

    def rows(self, values: Sequence[T]) -> list[tuple[Any, ...]]:
        return [(seq, *self.dump(v)) for seq, v in enumerate(values)]


PARTIES: Table[Party] = Table(
    "parties",
    ("id", "name", "kind", "sponsor"),
    lambda p: (p.id, p.name, p.kind.value, p.sponsor),
    lambda r: Party(r[0], r[1], PartyKind(r[2]), r[3]),
)

RELATIONS: Table[Relation] = Table(
    "relations",
    ("a", "b", "kind"),
    lambda r: (r.a, r.b, r.kind.value),
    lambda r: Relation(r[0], r[1], RelationKind(r[2])),
)

DISCLOSURE: Table[DisclosureRule] = Table(
    "disclosure",
    ("source", "recipient", "level"),
    lambda d: (d.source, d.recipient, d.level.value),
    lambda r: DisclosureRule(r[0], r[1], DisclosureLevel(r[2])),
)

AREAS: Table[Area] = Table(
    "areas",
    ("id", "holder", "kind", "geometry", "radius_m", "name"),
    lambda a: (a.id, a.holder, a.kind.value, *_shape_cols(a.shape), a.name),
    lambda r: Area(r[0], r[1], AreaKind(r[2]), _shape(r[3], r[4]), r[5]),
)

SITES: Table[Site] = Table(
    "sites",
    ("id", "party", "kind", "geometry", "radius_m", "buffer_m", "window_start", "window_end",
     "name"),
    lambda s: (s.id, s.party, s.kind.value, *_shape_cols(s.shape), s.buffer_m,
               *_window_cols(s.window), s.name),
    lambda r: Site(r[0], r[1], SiteKind(r[2]), _shape(r[3], r[4]), r[5], _window(r[6], r[7]),
                   r[8]),
)


def _notice_row(n: Notice) -> tuple[Any, ...]:
    band = (None, None) if n.altitude is None else (n.altitude.low_m, n.altitude.high_m)
    return (n.id, n.party, n.kind.value, *_shape_cols(n.shape), *_window_cols(n.window),
            n.buffer_m, n.standoff_m, *band, n.name)


def _notice(r: Row) -> Notice:
    band = None if r[9] is None else AltitudeBand(r[9], r[10])
    window = _window(r[5], r[6])
    assert window is not None  # the schema requires a notice's window
    return Notice(r[0], r[1], NoticeKind(r[2]), _shape(r[3], r[4]), window, r[7], r[8], band,
                  r[11])


NOTICES: Table[Notice] = Table(
    "notices",
    ("id", "party", "kind", "geometry", "radius_m", "window_start", "window_end", "buffer_m",
     "standoff_m", "alt_low_m", "alt_high_m", "name"),
    _notice_row,
    _notice,
)

SENSORS: Table[Sensor] = Table(
    "sensors",
    ("id", "party", "kind", "lon", "lat", "alt_m", "range_m", "bearing_deg", "fov_deg", "name",
     "schedule"),
    lambda s: (s.id, s.party, s.kind.value, s.position.lon, s.position.lat, s.position.alt_m,
               s.range_m, s.bearing_deg, s.fov_deg, s.name, schedule_text(s)),
    lambda r: with_schedule(Sensor(r[0], r[1], SensorKind(r[2]), Position(r[3], r[4], r[5]),
                                   r[6], r[7], r[8], r[9]), r[10]),
)

BORDERS: Table[Border] = Table(
    "borders",
    ("id", "geometry", "radius_m", "name", "owner", "ref"),
    lambda b: (b.id, *_shape_cols(b.shape), b.name, b.owner, b.ref),
    lambda r: Border(r[0], _shape(r[1], r[2]), r[3], r[4], r[5]),
)


# Nouns with child rows: the caller stores and gathers the children.

def zone_row(z: Zone) -> tuple[Any, ...]:
    """``(id, kind, geometry, radius_m, owner, name, version)``."""
    return (z.id, z.kind.value, *_shape_cols(z.shape), z.owner, z.name, z.version)


def zone_of(r: Row, signatories: Sequence[str], sides: Sequence[tuple[str, str]]) -> Zone:
    side_pairs = tuple((Side(side), party) for side, party in sides)
    return Zone(r[0], ZoneKind(r[1]), _shape(r[2], r[3]), tuple(signatories), r[4], side_pairs,
                r[5], r[6])


def unit_row(u: Unit) -> tuple[Any, ...]:
    """``(id, party, kind, name)``."""
    return (u.id, u.party, u.kind.value, u.name)


def unit_of(r: Row, track: Sequence[Fix]) -> Unit:
    return Unit(r[0], r[1], UnitKind(r[2]), tuple(track), r[3])


def fix_row(unit_id: str, f: Fix) -> tuple[Any, ...]:
    """``(unit_id, observed, lon, lat, alt_m, radius_m, stale)``."""
    p = f.position
    return (unit_id, time_text(f.time), p.lon, p.lat, p.alt_m, f.radius_m,
            _opt_time_text(f.stale))


def fix_of(r: Row) -> Fix:
    """From ``(observed, lon, lat, alt_m, radius_m, stale)``."""
    return Fix(Position(r[1], r[2], r[3]), text_time(r[0]), r[4], _opt_text_time(r[5]))


def tracks_of(rows: Iterable[Row]) -> dict[str, list[Fix]]:
    """Group ``(unit_id, observed, lon, lat, alt_m, radius_m, stale)`` rows, in order, by unit.

    The hot loop of rebuilding a picture: a time that repeats is parsed once (and shared).
    """
    tracks: dict[str, list[Fix]] = {}
    times: dict[str, datetime] = {}
    for unit_id, observed, lon, lat, alt_m, radius_m, stale in rows:
        if (time := times.get(observed)) is None:
            time = times[observed] = text_time(observed)
        until = None
        if stale is not None and (until := times.get(stale)) is None:
            until = times[stale] = text_time(stale)
        fix = Fix(Position(lon, lat, alt_m), time, radius_m, until)
        if (track := tracks.get(unit_id)) is None:
            track = tracks[unit_id] = []
        track.append(fix)
    return tracks


def separation_rows(policy: SeparationPolicy) -> list[tuple[Any, ...]]:
    """``(seq, scope, a, b, warn_m, critical_m)``: the default first, then the pairs."""
    rows: list[tuple[Any, ...]] = [
        (0, "default", None, None, policy.default.warn_m, policy.default.critical_m)]
    for seq, (pair, rule) in enumerate(policy.pairs.items(), start=1):
        names = sorted(pair)
        rows.append((seq, "pair", names[0], names[-1], rule.warn_m, rule.critical_m))
    return rows


def separation_of(rows: Sequence[Row]) -> SeparationPolicy:
    """From ``(scope, a, b, warn_m, critical_m)`` rows in ``seq`` order."""
    default = SeparationPolicy().default
    pairs: dict[frozenset[str], SeparationRule] = {}
    for scope, a, b, warn_m, critical_m in rows:
        if scope == "default":
            default = SeparationRule(warn_m, critical_m)
        else:
            pairs[frozenset((a, b))] = SeparationRule(warn_m, critical_m)
    return SeparationPolicy(default, pairs)
