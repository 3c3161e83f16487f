"""GeoJSON (RFC 7946) features of what a party may see. Pure: values in, dicts out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deconflict.engine.disclosure import CellCount, Picture
from deconflict.model import Area, Fix, Shape, Site, Unit, Zone, rfc3339

__all__ = [
    "area_feature",
    "cell_feature",
    "collection",
    "site_feature",
    "unit_feature",
    "units_collection",
    "zone_feature",
]


def collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(ident: str | None, geometry: dict[str, Any], props: dict[str, Any]
             ) -> dict[str, Any]:
    feature: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": props}
    if ident is not None:
        feature["id"] = ident
    return feature


def unit_feature(unit: Unit, fix: Fix) -> dict[str, Any]:
    props = {"party": unit.party, "kind": unit.kind.value, "name": unit.name,
             "radius_m": fix.radius_m, "time": rfc3339(fix.time), "stale": rfc3339(fix.stale_at)}
    geometry = {"type": "Point", "coordinates": fix.position.coordinates()}
    return _feature(unit.id, geometry, props)


def cell_feature(cell: CellCount) -> dict[str, Any]:
    """A count of a party's units in one release cell: no id, no point."""
    geometry = Shape(cell.cell.polygon()).to_geojson()
    props = {"party": cell.party, "count": cell.count, "disclosure": "area",
             "cell": cell.cell.key}
    return _feature(None, geometry, props)


def units_collection(picture: Picture) -> dict[str, Any]:
    exact = [unit_feature(u, f) for u, f in picture.exact]
    return collection([*exact, *(cell_feature(c) for c in picture.cells)])


def area_feature(area: Area) -> dict[str, Any]:
    props = {"party": area.holder, "kind": area.kind.value, "name": area.name,
             "radius_m": area.shape.radius_m}
    return _feature(area.id, area.shape.to_geojson(), props)


def zone_feature(zone: Zone) -> dict[str, Any]:
    props: dict[str, Any] = {"party": zone.owner, "kind": zone.kind.value, "name": zone.name,
                             "version": zone.version, "signatories": list(zone.signatories),
                             "radius_m": zone.shape.radius_m}
    if zone.sides:
        props["sides"] = {side.value: party for side, party in zone.sides}
    return _feature(zone.id, zone.shape.to_geojson(), props)


def site_feature(site: Site) -> dict[str, Any]:
    window = [rfc3339(site.window.start), rfc3339(site.window.end)] if site.window else None
    props = {"party": site.party, "kind": site.kind.value, "name": site.name,
             "buffer_m": site.buffer_m, "radius_m": site.shape.radius_m, "window": window}
    return _feature(site.id, site.shape.to_geojson(), props)

