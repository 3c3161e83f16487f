"""How a sensor's schedule and a border's owner are kept (migration 0006).

Everything a sensor has beyond its position, range and field of view travels as one JSON text
in ``sensors.schedule``: operating windows and outages (fixed-width UTC text, as every time in
the store), ``altitude_m``, ``target_height_m``, ``range_from_horizon`` and the patrol (route as
``[lon, lat]`` pairs, ``start`` and ``speed_mps`` or ``times``, ``loop``). A sensor with none of
these stores NULL.

>>> from deconflict.model import Position, SensorKind
>>> s = Sensor("t", "isf", SensorKind.TOWER, Position(41.0, 34.4), 8000.0, altitude_m=30.0)
>>> schedule_text(s)
'{"altitude_m":30.0}'
>>> with_schedule(replace(s, altitude_m=None), schedule_text(s)) == s
True
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from deconflict.model import Patrol, Position, Sensor, Window

__all__ = ["schedule_text", "with_schedule"]


def _time(moment: datetime) -> str:
    from deconflict.storage.rows import time_text

    return time_text(moment)


def _moment(text: str) -> datetime:
    from deconflict.storage.rows import text_time

    return text_time(text)


def _windows(windows: tuple[Window, ...]) -> list[list[str]] | None:
    return [[_time(w.start), _time(w.end)] for w in windows] or None


def _patrol(patrol: Patrol) -> dict[str, Any]:
    doc: dict[str, Any] = {"route": [[p.lon, p.lat] for p in patrol.route], "loop": patrol.loop}
    if patrol.times:
        doc["times"] = [_time(t) for t in patrol.times]
    else:
        assert patrol.start is not None
        doc["start"], doc["speed_mps"] = _time(patrol.start), patrol.speed_mps
    return doc


def schedule_text(sensor: Sensor) -> str | None:
    """The ``schedule`` column of a sensor: JSON, or ``None`` when there is nothing to keep."""
    doc = {
        "windows": _windows(sensor.windows),
        "outages": _windows(sensor.outages),
        "altitude_m": sensor.altitude_m,
        "target_height_m": sensor.target_height_m or None,
        "range_from_horizon": sensor.range_from_horizon or None,
        "patrol": None if sensor.patrol is None else _patrol(sensor.patrol),
    }
    kept = {k: v for k, v in doc.items() if v is not None}
    return json.dumps(kept, separators=(",", ":")) if kept else None


def with_schedule(sensor: Sensor, text: str | None) -> Sensor:
    """``sensor`` (as read from its other columns) with what its ``schedule`` column holds."""
    if not text:
        return sensor
    doc = json.loads(text)
    patrol = doc.get("patrol")
    return replace(
        sensor,
        windows=tuple(Window(_moment(a), _moment(b)) for a, b in doc.get("windows", [])),
        outages=tuple(Window(_moment(a), _moment(b)) for a, b in doc.get("outages", [])),
        altitude_m=doc.get("altitude_m"),
        target_height_m=doc.get("target_height_m", 0.0),
        range_from_horizon=bool(doc.get("range_from_horizon", False)),
        patrol=None if patrol is None else Patrol(
            tuple(Position(lon, lat) for lon, lat in patrol["route"]),
            _moment(patrol["start"]) if "start" in patrol else None,
            patrol.get("speed_mps"),
            tuple(_moment(t) for t in patrol.get("times", [])),
            bool(patrol.get("loop", False))),
    )
