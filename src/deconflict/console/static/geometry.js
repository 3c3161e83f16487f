// Coordinates typed or clicked ("lon,lat" per line) → GeoJSON geometries, and buffers drawn on
// the map. Buffers are for display only: the hub measures geodesically when it screens.
const M_PER_DEG_LAT = 110574;
const M_PER_DEG_LON_EQ = 111320;

export class CoordinatesError extends Error {}

export function parseCoordinates(text) {
  const points = [];
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  lines.forEach((line, i) => {
    const parts = line.split(/[\s,;]+/).filter((p) => p !== "");
    const [lon, lat] = parts.map(Number);
    if (parts.length !== 2 || !Number.isFinite(lon) || !Number.isFinite(lat)) {
      throw new CoordinatesError(`line ${i + 1}: expected "lon,lat", got "${line}"`);
    }
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      throw new CoordinatesError(`line ${i + 1}: longitude or latitude out of range`);
    }
    points.push([lon, lat]);
  });
  return points;
}

export function formatCoordinates(points) {
  return points.map(([lon, lat]) => `${lon.toFixed(5)},${lat.toFixed(5)}`).join("\n");
}

/** shape: point | line | polygon. */
export function geometryFrom(shape, text) {
  const points = parseCoordinates(text);
  if (shape === "point") {
    if (points.length !== 1) throw new CoordinatesError("a point needs exactly one lon,lat");
    return { type: "Point", coordinates: points[0] };
  }
  if (shape === "line") {
    if (points.length < 2) throw new CoordinatesError("a line needs at least two points");
    return { type: "LineString", coordinates: points };
  }
  if (points.length < 3) throw new CoordinatesError("a polygon needs at least three points");
  const ring = [...points];
  const [first, last] = [ring[0], ring[ring.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push(first);
  return { type: "Polygon", coordinates: [ring] };
}

/** The vertices of a geometry, GeoJSON order. */
export function vertices(geometry) {
  if (geometry.type === "Point") return [geometry.coordinates];
  if (geometry.type === "LineString") return geometry.coordinates;
  if (geometry.type === "Polygon") return geometry.coordinates[0];
  return [];
}

/** Leaflet layers showing ``geometry`` grown by ``metres`` (circles at vertices, strips along
 * edges), in one style. */
export function bufferLayers(geometry, metres, style) {
  const L = window.L;
  const points = vertices(geometry);
  const layers = [];
  if (metres > 0) {
    for (const [lon, lat] of points) layers.push(L.circle([lat, lon], { ...style, radius: metres }));
    for (let i = 1; i < points.length; i++) {
      layers.push(L.polygon(strip(points[i - 1], points[i], metres), style));
    }
  }
  if (geometry.type === "Polygon") {
    layers.push(L.polygon(geometry.coordinates.map((r) => r.map(([x, y]) => [y, x])), style));
  }
  return layers;
}

function strip([lon1, lat1], [lon2, lat2], metres) {
  const kx = M_PER_DEG_LON_EQ * Math.cos(((lat1 + lat2) / 2) * Math.PI / 180);
  const dx = (lon2 - lon1) * kx;
  const dy = (lat2 - lat1) * M_PER_DEG_LAT;
  const length = Math.hypot(dx, dy) || 1;
  const ox = (-dy / length) * metres / kx;
  const oy = (dx / length) * metres / M_PER_DEG_LAT;
  return [[lat1 + oy, lon1 + ox], [lat2 + oy, lon2 + ox], [lat2 - oy, lon2 - ox],
          [lat1 - oy, lon1 - ox]];
}

/** The geometry itself as a Leaflet layer (a Point as a small ring). */
export function shapeLayer(geometry, style, radiusM = 0) {
  const L = window.L;
  if (geometry.type === "Point") {
    const [lon, lat] = geometry.coordinates;
    return radiusM > 0 ? L.circle([lat, lon], { ...style, radius: radiusM })
      : L.circleMarker([lat, lon], { ...style, radius: 5 });
  }
  return L.geoJSON(geometry, { style: () => style, pane: style.pane });
}
