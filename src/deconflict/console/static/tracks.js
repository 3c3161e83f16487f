// Tracks (GET /tracks) as lines through their detections (GET /detections), and where they
// crossed a border: from the tracks' own crossings and from `crossing` alerts (a border owner
// told only at `area` gets the release cell, never a point: that is drawn as the cell). Released
// `area`, detections and tracks are counts per cell. Replaying, what was seen after the replay
// time is left out.
import { registerAlertKind } from "./alerts.js";
import { h, shortTime } from "./dom.js";
import { registerLayer } from "./layers.js";
import { bindLabel } from "./map.js";
import { viewTime } from "./replay.js";
import { myParty, on, partyName, relationOf, state } from "./state.js";
import { colourOf } from "./symbols.js";

const MAX_POINTS = 2000; // detection points drawn at most (the newest)

let group = null;

export function init() {
  group = registerLayer({ id: "tracks", label: "Tracks", swatch: "track" });
  for (const topic of ["tracks", "detections", "alerts", "parties", "time"]) on(topic, render);
  registerAlertKind("crossing", describeCrossing, ["tracks", "detections"], locateCrossing);
}

// -- alerts ------------------------------------------------------------------------------------

function describeCrossing(d) {
  const sides = `from its ${d.from_side} side to its ${d.to_side} side`;
  if (d.disclosure === "area") {
    return `A ${partyName(d.party)} track crossed ${d.border} ${sides}, in cell ${d.cell}`
      + " (released to you as area: no track, sensor or point)";
  }
  const when = d.time ? ` at ${shortTime(d.time)}` : "";
  return `Track ${d.track} crossed ${d.border}${when} ${sides}, heading `
    + `${Math.round(d.heading_deg)}°; seen by ${d.sensor}`
    + `${d.party && d.party !== myParty() ? ` (${partyName(d.party)})` : ""}`;
}

function locateCrossing(d) {
  return d.position ? [d.position[1], d.position[0]] : undefined;
}

// -- drawing -------------------------------------------------------------------------------------

function features(topic) {
  return (state[topic] && state[topic].features) || [];
}

function seenBy(time) {
  return Date.parse(time) <= viewTime().getTime();
}

function render() {
  group.clearLayers();
  const crossings = new Map();
  for (const feature of features("tracks")) {
    if (feature.id === undefined) {
      group.addLayer(cell(feature, "open track"));
      continue;
    }
    if (!seenBy(feature.properties.first)) continue;
    group.addLayer(trackLine(feature));
    for (const c of feature.properties.crossings || []) {
      if (c.kind === "crossing") crossings.set(key(c), c);
    }
  }
  for (const alert of state.alerts || []) {
    const d = alert.detail || {};
    if (alert.kind === "crossing" && d.position && !crossings.has(key(d))) crossings.set(key(d), d);
  }
  drawDetections();
  for (const c of crossings.values()) {
    if (!c.time || seenBy(c.time)) group.addLayer(crossingMarker(c));
  }
}

function key(c) {
  return `${c.border}|${c.track}|${c.time}`;
}

function colour(party) {
  return party === myParty() ? colourOf("self") : colourOf(relationOf(party));
}

function trackLine(feature) {
  const L = window.L;
  const p = feature.properties;
  const style = { pane: "tracks", color: colour(p.party), weight: 3,
                  opacity: p.state === "closed" ? 0.55 : 0.95,
                  dashArray: p.state === "tentative" ? "6 5" : null };
  const geometry = feature.geometry;
  const layer = geometry.type === "Point"
    ? L.circleMarker([geometry.coordinates[1], geometry.coordinates[0]], { ...style, radius: 7 })
    : L.polyline(geometry.coordinates.map(([x, y]) => [y, x]), style);
  layer.on("add", () => {
    const el = layer.getElement();
    el.setAttribute("data-testid", "track");
    el.setAttribute("data-track-id", String(feature.id));
  });
  const count = p.detections.length === 1 ? "1 detection" : `${p.detections.length} detections`;
  const crossed = (p.crossings || []).filter((c) => c.kind === "crossing")
    .map((c) => `crossed ${c.border} at ${shortTime(c.time)}`);
  return bindLabel(layer, `Track ${feature.id} (${partyName(p.party)}, ${p.state}): ${count} `
    + `from ${shortTime(p.first)} to ${shortTime(p.last)}, sensors ${p.sensors.join(", ")}`
    + `${crossed.length ? `; ${crossed.join("; ")}` : ""}`);
}

function drawDetections() {
  const L = window.L;
  const points = features("detections").filter((f) => f.id !== undefined
    && seenBy(f.properties.time)).slice(-MAX_POINTS);
  for (const feature of points) {
    const p = feature.properties;
    const [lon, lat] = feature.geometry.coordinates;
    // Points are not Tab stops (there may be thousands): the track line names them.
    group.addLayer(L.circleMarker([lat, lon], { pane: "tracks", radius: 4, weight: 2,
      color: colour(p.party), fillColor: "#ffffff", fillOpacity: 1, interactive: false }));
    if (p.uncertainty_m > 0) {
      group.addLayer(L.circle([lat, lon], { pane: "tracks", radius: p.uncertainty_m, weight: 1,
        color: colour(p.party), opacity: 0.5, fillOpacity: 0.04, interactive: false }));
    }
  }
  for (const feature of features("detections")) {
    if (feature.id === undefined) group.addLayer(cell(feature, "detection"));
  }
}

function cell(feature, noun) {
  const p = feature.properties;
  const c = colourOf(relationOf(p.party));
  const polygon = window.L.polygon(feature.geometry.coordinates[0].map(([x, y]) => [y, x]),
    { pane: "tracks", color: c, weight: 1.5, dashArray: "2 6", fillOpacity: 0.05 });
  const count = `${p.count} ${noun}${p.count === 1 ? "" : "s"}`;
  return bindLabel(polygon, `${partyName(p.party)}: ${count} in this cell (released as area)`);
}

function crossingMarker(c) {
  const L = window.L;
  const [lon, lat] = c.position;
  const text = `Crossing of ${c.border} by track ${c.track} at ${shortTime(c.time)}, from the `
    + `${c.from_side} side to the ${c.to_side} side; seen by ${c.sensor}`;
  const mark = h("span", { class: "crossing-mark", dataset: { testid: "crossing",
                                                             border: c.border } }, "✕");
  const icon = L.divIcon({ html: mark, className: "crossing-icon", iconSize: [22, 22],
                           iconAnchor: [11, 11] });
  const marker = L.marker([lat, lon], { icon, pane: "tracks", title: text, alt: text,
                                        riseOnHover: true });
  marker.bindTooltip(`Crossing ${shortTime(c.time)}`, { direction: "top", offset: [0, -10] });
  marker.on("add", () => marker.getElement().setAttribute("aria-label", text));
  return marker;
}
