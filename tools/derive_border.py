"""Derive the Iraq–Syria border shipped in ``src/deconflict/data/borders/iraq-syria.geojson``.

Source: Natural Earth 1:10m admin 0 country boundaries (public domain), as packaged by the npm
module ``world-atlas@2.0.2`` in ``countries-10m.json`` (a TopoJSON topology). Install it outside
the repository and point this script at it::

    mkdir -p /tmp/wa && cd /tmp/wa && npm init -y && npm i world-atlas@2.0.2
    .venv/bin/python tools/derive_border.py /tmp/wa/node_modules/world-atlas/countries-10m.json

The TopoJSON is decoded here, without a TopoJSON library: each arc is a list of quantized,
delta-encoded positions (add up the deltas, then ``lon = x * scale_x + translate_x`` and the same
for latitude); a geometry lists its arcs by index, ``~i`` (that is ``-i - 1``) meaning arc ``i``
walked backwards. A border between two countries is made of the arcs both countries' outlines
use. Those arcs are chained end to end into one line and ordered from north to south (the
tripoint with Turkey first, the tripoint with Jordan last), so positions along the border run
from the Tigris down the Euphrates valley to the Jordanian desert.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyproj import Geod

SOURCE = ("Natural Earth 1:10m admin 0 boundaries via npm world-atlas@2.0.2 countries-10m.json, "
          "public domain")
IRAQ, SYRIA = "368", "760"  # ISO 3166-1 numeric codes, the ids world-atlas gives countries

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Every arc of the topology as lon/lat positions (quantized and delta-encoded in the file)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        positions = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            positions.append((x * sx + tx, y * sy + ty))
        arcs.append(positions)
    return arcs


def arc_indices(geometry: dict[str, Any]) -> set[int]:
    """The arcs (by index, direction dropped) an outline uses."""
    def walk(value: Any) -> set[int]:
        if isinstance(value, int):
            return {value if value >= 0 else ~value}
        return set().union(*(walk(v) for v in value)) if value else set()

    return walk(geometry["arcs"])


def country(topology: dict[str, Any], ident: str) -> dict[str, Any]:
    for geometry in topology["objects"]["countries"]["geometries"]:
        if str(geometry.get("id")) == ident:
            return dict(geometry)
    raise SystemExit(f"no country with id {ident} in the topology")


def chain(parts: list[list[Point]]) -> list[Point]:
    """Join lines that meet end to end into one line (turning pieces round as needed)."""
    line = list(parts[0])
    rest = [list(p) for p in parts[1:]]
    while rest:
        for i, part in enumerate(rest):
            if part[0] == line[-1]:
                line += part[1:]
            elif part[-1] == line[-1]:
                line += part[::-1][1:]
            elif part[-1] == line[0]:
                line = part[:-1] + line
            elif part[0] == line[0]:
                line = part[::-1][:-1] + line
            else:
                continue
            del rest[i]
            break
        else:
            raise SystemExit("the shared arcs do not form one line")
    return line


def derive(topology: dict[str, Any]) -> tuple[list[Point], list[int]]:
    shared = sorted(arc_indices(country(topology, IRAQ)) & arc_indices(country(topology, SYRIA)))
    if not shared:
        raise SystemExit("Iraq and Syria share no arc")
    arcs = decode_arcs(topology)
    line = chain([arcs[i] for i in shared])
    if line[0][1] < line[-1][1]:
        line.reverse()  # north to south
    return [(round(lon, 6), round(lat, 6)) for lon, lat in line], shared


def feature(line: list[Point], shared: list[int]) -> dict[str, Any]:
    geod = Geod(ellps="WGS84")
    lons, lats = zip(*line, strict=True)
    length = geod.line_length(lons, lats)
    return {
        "type": "Feature",
        "properties": {
            "id": "iraq-syria",
            "name": "Iraq–Syria border",
            "source": SOURCE,
            "derived": datetime.now(UTC).strftime("%Y-%m-%d"),
            "derivation": f"tools/derive_border.py: arcs {shared} shared by Iraq ({IRAQ}) and "
                          f"Syria ({SYRIA}), chained, ordered north to south",
            "vertices": len(line),
            "length_m": round(length, 1),
        },
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in line]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topology", type=Path, help="world-atlas countries-10m.json")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1]
                        / "src/deconflict/data/borders/iraq-syria.geojson")
    args = parser.parse_args(argv)
    topology = json.loads(args.topology.read_text(encoding="utf-8"))
    line, shared = derive(topology)
    doc = feature(line, shared)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n",
                        encoding="utf-8")
    props = doc["properties"]
    print(f"{args.out}: {props['vertices']} vertices, {props['length_m'] / 1000:.1f} km")
    return 0


if __name__ == "__main__":
    sys.exit(main())
