// Units released as `area`: one cell of the hub's fixed grid per party with a count; never a
// unit id or a point (the server sends none).
import { h } from "./dom.js";
import { registerLayer } from "./layers.js";
import { bindLabel } from "./map.js";
import { pictureAt } from "./replay.js";
import { on, partyName, relationOf } from "./state.js";
import { colourOf } from "./symbols.js";

let group = null;

export function init() {
  group = registerLayer({ id: "area-cells", label: "Area cells", swatch: "cell" });
  on("units", render);
  on("time", render);
  on("parties", render);
}

function render() {
  const L = window.L;
  group.clearLayers();
  const byCell = new Map();
  for (const feature of pictureAt().units) {
    if (feature.id !== undefined || feature.geometry.type !== "Polygon") continue;
    const key = feature.properties.cell || JSON.stringify(feature.geometry.coordinates);
    if (!byCell.has(key)) byCell.set(key, []);
    byCell.get(key).push(feature);
  }
  for (const features of byCell.values()) {
    features.forEach((feature, i) => group.addLayer(cellLayer(feature, i)));
    const ring = features[0].geometry.coordinates[0];
    const [lon, lat] = centre(ring);
    const text = features.map((f) => `${f.properties.party} ×${f.properties.count}`).join(" · ");
    const label = L.marker([lat, lon], { pane: "cells", interactive: false, keyboard: false,
      icon: L.divIcon({ className: "cell-label", html: h("span", {}, text), iconSize: null }) });
    group.addLayer(label);
  }
}

function cellLayer(feature, index) {
  const L = window.L;
  const p = feature.properties;
  const colour = colourOf(relationOf(p.party));
  const latlngs = feature.geometry.coordinates[0].map(([lon, lat]) => [lat, lon]);
  const polygon = L.polygon(latlngs, { pane: "cells", color: colour, weight: 1.5,
                                       dashArray: index ? "2 6" : "6 4", fillColor: colour,
                                       fillOpacity: 0.12 });
  polygon.on("add", () => {
    const el = polygon.getElement();
    el.setAttribute("data-testid", "area-cell");
    el.setAttribute("data-party", p.party);
  });
  const units = p.count === 1 ? "1 unit" : `${p.count} units`;
  bindLabel(polygon, `${partyName(p.party)}: ${units} in this cell (released as area)`,
                      { sticky: true });
  return polygon;
}

function centre(ring) {
  const xs = ring.map((c) => c[0]);
  const ys = ring.map((c) => c[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}
