// Border surveillance on the map: each border line with the stretches watched (green) and the
// gaps (red) as the hub computes them from the sensors this party may see (GET /coverage), and
// the sensors' footprints (GET /sensors): a disc, or a sector from the bearing and field of view.
// Replaying, the coverage shown is the hub's for the replay time.
import { api } from "./api.js";
import { iso } from "./clock.js";
import { km } from "./dom.js";
import { registerAlertKind } from "./alerts.js";
import { registerLayer } from "./layers.js";
import { bindLabel } from "./map.js";
import { isLive } from "./replay.js";
import { myParty, on, partyName, relationOf, state } from "./state.js";
import { colourOf } from "./symbols.js";

const LINE = "#1f2937";
const WATCHED = "#15803d";
const GAP = "#dc2626";
/** Mean earth radius (m). Footprints are drawn on a sphere: within about 0.5 % of the
 * ellipsoid's geodesic distances, plenty for a picture (the hub measures on the ellipsoid). */
const EARTH_M = 6371008.8;
const ARC_STEP_DEG = 4;

let lines = null;
let footprints = null;
let replayed = null; // {at, coverage} read for the replay time
let replayTimer = null;

export function init() {
  lines = registerLayer({ id: "border", label: "Border and coverage", swatch: "border" });
  footprints = registerLayer({ id: "sensors", label: "Sensors", swatch: "sensor" });
  for (const topic of ["borders", "coverage"]) on(topic, renderLines);
  for (const topic of ["sensors", "parties"]) on(topic, renderSensors);
  on("time", replay);
  registerAlertKind("watch_void", describeVoid, ["coverage", "sensors"], locateVoid);
}

// -- alerts ------------------------------------------------------------------------------------

function describeVoid(d) {
  const voids = d.voids || [];
  const spans = voids.slice(0, 3).map((v) => `${km(v.length_m)} at km ${kmAt(v.from_m)}`
    + `–${kmAt(v.to_m)}`);
  const more = voids.length > 3 ? ` and ${voids.length - 3} more` : "";
  const down = (d.outages || []).map((o) => `${o.sensor} (${o.kind}) down until `
    + `${o.end.slice(11, 16)}Z`).join(", ");
  return `Watch void on ${d.name || d.border}: ${km(d.length_m)} no longer watched `
    + `(${spans.join("; ")}${more})${down ? ` while ${down}` : ""}`;
}

/** The middle of the alert's longest void, on the border as this page has it. */
function locateVoid(d) {
  const border = borderFeature(d.border);
  const first = (d.voids || [])[0];
  if (!border || !first) return undefined;
  return pointAlong(border.geometry.coordinates, (first.from_m + first.to_m) / 2);
}

function kmAt(metres) {
  return (metres / 1000).toFixed(1);
}

// -- the borders and their coverage ------------------------------------------------------------

function borderFeature(id) {
  const features = (state.borders && state.borders.features) || [];
  return features.find((f) => String(f.id) === String(id));
}

function shownCoverage() {
  if (!isLive()) return replayed && replayed.coverage;
  return state.coverage;
}

function renderLines() {
  lines.clearLayers();
  for (const feature of (state.borders && state.borders.features) || []) {
    const p = feature.properties;
    const line = window.L.polyline(feature.geometry.coordinates.map(([x, y]) => [y, x]),
      { pane: "border", color: LINE, weight: 2, opacity: 0.9 });
    const owner = p.owner ? `, watched by ${partyName(p.owner)}` : "";
    bindLabel(line, `Border ${p.name || feature.id} (${km(p.length_m)}${owner})`);
    lines.addLayer(line);
  }
  const coverage = shownCoverage();
  for (const border of (coverage && coverage.borders) || []) {
    const name = border.name || border.id;
    for (const part of border.covered) {
      lines.addLayer(stretch(part, border, WATCHED, "covered",
        `Watched: ${kmAt(part.length_m)} km of ${name}, km ${kmAt(part.from_m)} to `
        + `${kmAt(part.to_m)}`));
    }
    for (const gap of border.gaps) {
      lines.addLayer(stretch(gap, border, GAP, "coverage-gap",
        `Gap: ${kmAt(gap.length_m)} km of ${name} unwatched, km ${kmAt(gap.from_m)} to `
        + `${kmAt(gap.to_m)} (by the sensors you may see)`));
    }
  }
}

function stretch(part, border, colour, testid, text) {
  const latlngs = part.geometry.coordinates.map(([x, y]) => [y, x]);
  const layer = window.L.polyline(latlngs, { pane: "border", color: colour,
    weight: testid === "coverage-gap" ? 7 : 5, opacity: 0.9, lineCap: "butt" });
  layer.on("add", () => {
    const el = layer.getElement();
    el.setAttribute("data-testid", testid);
    el.setAttribute("data-border", border.id);
    el.setAttribute("data-length-m", String(part.length_m));
  });
  return bindLabel(layer, text);
}

/** Replaying: the hub's coverage at the replay time (read once the slider rests). */
function replay() {
  clearTimeout(replayTimer);
  if (isLive()) {
    replayed = null;
    renderLines();
    return;
  }
  const at = iso(state.replayAt);
  replayTimer = setTimeout(async () => {
    try {
      const coverage = await api(`/coverage?at=${encodeURIComponent(at)}`);
      if (!isLive() && iso(state.replayAt) === at) {
        replayed = { at, coverage };
        renderLines();
      }
    } catch {
      // the live coverage stays drawn; the next move of the slider tries again
    }
  }, 250);
}

// -- sensors -------------------------------------------------------------------------------------

function renderSensors() {
  footprints.clearLayers();
  for (const feature of (state.sensors && state.sensors.features) || []) {
    if (feature.id === undefined) footprints.addLayer(sensorCell(feature));
    else for (const layer of sensorLayers(feature)) footprints.addLayer(layer);
  }
}

function sensorLayers(feature) {
  const L = window.L;
  const p = feature.properties;
  const colour = p.party === myParty() ? colourOf("self") : colourOf(relationOf(p.party));
  const [lon, lat] = feature.geometry.coordinates;
  const ring = footprint([lon, lat], p.range_m, p.bearing_deg, p.fov_deg);
  const area = L.polygon(ring.map(([x, y]) => [y, x]), { pane: "sensors", color: colour,
    weight: 1.5, fillColor: colour, fillOpacity: p.active ? 0.1 : 0.03,
    opacity: p.active ? 0.8 : 0.45, dashArray: p.active ? null : "4 4", interactive: false });
  const dot = L.circleMarker([lat, lon], { pane: "sensors", radius: 5, color: colour,
    weight: 2, fillColor: p.active ? colour : "#ffffff", fillOpacity: 1 });
  dot.on("add", () => {
    const el = dot.getElement();
    el.setAttribute("data-testid", "sensor");
    el.setAttribute("data-sensor-id", String(feature.id));
  });
  bindLabel(dot, sensorText(feature));
  return [area, dot];
}

function sensorText(feature) {
  const p = feature.properties;
  const view = p.bearing_deg === null || p.bearing_deg === undefined ? "all round"
    : `facing ${Math.round(p.bearing_deg)}°, field of view ${Math.round(p.fov_deg)}°`;
  const kind = p.patrol ? `${p.kind}, where its route puts it now` : p.kind;
  return `Sensor ${p.name || feature.id} (${kind}, ${partyName(p.party)}): range `
    + `${km(p.range_m)}, ${view}; ${p.active ? "watching" : "not watching now"}`;
}

function sensorCell(feature) {
  const p = feature.properties;
  const colour = colourOf(relationOf(p.party));
  const polygon = window.L.polygon(feature.geometry.coordinates[0].map(([x, y]) => [y, x]),
    { pane: "sensors", color: colour, weight: 1.5, dashArray: "2 6", fillOpacity: 0.05 });
  const count = p.count === 1 ? "1 sensor" : `${p.count} sensors`;
  return bindLabel(polygon, `${partyName(p.party)}: ${count} in this cell (released as area)`);
}

/** The outline a sensor watches: a disc, or a sector when it has a bearing and a field of view
 * under 360°, as [lon, lat] points (spherical approximation, see EARTH_M). */
export function footprint(centre, range, bearing, fov) {
  const sector = bearing !== null && bearing !== undefined && fov !== null && fov < 360;
  const from = sector ? bearing - fov / 2 : 0;
  const span = sector ? fov : 360;
  const steps = Math.max(2, Math.ceil(span / ARC_STEP_DEG));
  const arc = [];
  for (let i = 0; i <= steps; i++) arc.push(destination(centre, from + (span * i) / steps, range));
  return sector ? [centre, ...arc, centre] : arc;
}

function destination([lon, lat], bearingDeg, metres) {
  const rad = Math.PI / 180;
  const d = metres / EARTH_M;
  const b = bearingDeg * rad;
  const p1 = lat * rad;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = lon * rad + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1),
                                    Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [l2 / rad, p2 / rad];
}

/** The point ``metres`` along a line of [lon, lat] (segments measured on the sphere), as a
 * Leaflet [lat, lon]. */
export function pointAlong(coords, metres) {
  let left = metres;
  for (let i = 1; i < coords.length; i++) {
    const length = sphereDistance(coords[i - 1], coords[i]);
    if (left <= length || i === coords.length - 1) {
      const t = length > 0 ? Math.min(1, left / length) : 0;
      const [x0, y0] = coords[i - 1];
      const [x1, y1] = coords[i];
      return [y0 + t * (y1 - y0), x0 + t * (x1 - x0)];
    }
    left -= length;
  }
  return coords.length ? [coords[0][1], coords[0][0]] : undefined;
}

function sphereDistance([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad)
    * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(a)));
}
