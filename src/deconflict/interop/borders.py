"""Borders from GeoJSON, and the borders shipped with the package (``deconflict/data/borders``).

A shipped border is a GeoJSON Feature whose geometry is a LineString and whose properties give
its ``id``, ``name`` and ``source`` (see docs/border.md). ``iraq-syria`` is the Iraq–Syria
border from Natural Earth, ordered north to south.

>>> border = load_border("iraq-syria")
>>> border.id, border.ref, round(border.shape.geometry.coords[0][1], 2)
('iraq-syria', 'iraq-syria', 37.11)
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from deconflict.errors import ScenarioError
from deconflict.interop.scenario_geometry import read_geometry
from deconflict.interop.scenario_values import Record, as_id, as_text, describe, join
from deconflict.model import Border, Shape

__all__ = ["SHIPPED_BORDERS", "border_source", "borders_from_geojson", "load_border"]

#: Names of the borders shipped with the package.
SHIPPED_BORDERS = ("iraq-syria",)

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def load_border(name: str, field: str = "ref") -> Border:
    """A shipped border by name (``iraq-syria``); an unknown name is refused at ``field``."""
    doc = _shipped(_checked_name(name, field))
    border = borders_from_geojson(doc, source=f"{name}.geojson")[0]
    return Border(border.id, border.shape, border.name, border.owner, ref=name)


def border_source(name: str) -> str:
    """Where a shipped border's line comes from (its ``source`` property)."""
    props = _shipped(_checked_name(name, "ref")).get("properties") or {}
    return str(props.get("source", ""))


def _checked_name(name: str, field: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name not in SHIPPED_BORDERS:
        known = ", ".join(SHIPPED_BORDERS)
        raise ScenarioError(f"no shipped border {describe(name)}; known: {known}", field=field)
    return name


@lru_cache(maxsize=8)
def _shipped(name: str) -> dict[str, Any]:
    text = (resources.files("deconflict.data").joinpath("borders", f"{name}.geojson")
            .read_text(encoding="utf-8"))
    doc: dict[str, Any] = json.loads(text)
    return doc


def borders_from_geojson(doc: object, source: str = "<geojson>") -> list[Border]:
    """Borders from a GeoJSON FeatureCollection or Feature (each a LineString with an ``id``,
    in ``id`` or ``properties.id``; ``properties.name`` and ``properties.owner`` optional)."""
    try:
        return _borders(doc)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, field=exc.field, source=source) from None


def _borders(doc: object) -> list[Border]:
    top = Record(doc, "", keys=("type", "features", "bbox", "id", "geometry", "properties"),
                 required=("type",))
    kind = as_text(top.get("type"), "type")
    if kind == "Feature":
        return [_border(doc, "")]
    if kind != "FeatureCollection":
        raise ScenarioError(f"expected a Feature or FeatureCollection, got {kind!r}", field="type")
    return [_border(raw, path) for path, raw in top.items("features")]


def _border(raw: object, path: str) -> Border:
    feature = Record(raw, path, keys=("type", "id", "geometry", "properties", "bbox"),
                     required=("type", "geometry"))
    props = Record(feature.get("properties") or {}, feature.path("properties"),
                   keys=tuple(_keys(feature.get("properties"))))
    ident_raw = feature.get("id") if "id" in feature else props.get("id")
    ident = as_id(ident_raw, feature.path("id") if "id" in feature else props.path("id"))
    geometry = read_geometry(feature.get("geometry"), feature.path("geometry"))
    if geometry.geom_type != "LineString":
        raise ScenarioError(f"a border's geometry must be a LineString, got {geometry.geom_type}",
                            field=join(feature.path("geometry"), "type"))
    owner = as_id(props.get("owner"), props.path("owner")) if "owner" in props else None
    return Border(ident, Shape(geometry), props.text("name"), owner)


def _keys(props: object) -> list[str]:
    """Properties may carry anything (source, dates); only a few are read."""
    return [str(k) for k in props] if isinstance(props, dict) else []
