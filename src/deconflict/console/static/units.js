// Own units and units other parties released `exact` to the viewer, as military symbols.
import { h, timeEl, km } from "./dom.js";
import { registerLayer } from "./layers.js";
import { pictureAt } from "./replay.js";
import { myParty, on, partyName, relationOf } from "./state.js";
import { colourOf, unitSymbol } from "./symbols.js";

let own = null;
let disclosed = null;
/** Where each unit drawn now is, for other layers (alerts) to point at: id → [lat, lon]. */
export const unitPositions = new Map();

export function init() {
  own = registerLayer({ id: "own-units", label: "Own units", swatch: "friend" });
  disclosed = registerLayer({ id: "disclosed-units", label: "Disclosed units",
                              swatch: "other" });
  on("units", render);
  on("time", render);
  on("parties", render);
}

function render() {
  own.clearLayers();
  disclosed.clearLayers();
  unitPositions.clear();
  const me = myParty();
  for (const feature of pictureAt().units) {
    if (feature.id === undefined || feature.geometry.type !== "Point") continue; // area cells
    const group = feature.properties.party === me ? own : disclosed;
    for (const layer of unitLayers(feature)) group.addLayer(layer);
    const [lon, lat] = feature.geometry.coordinates;
    unitPositions.set(String(feature.id), [lat, lon]);
  }
}

function unitLayers(feature) {
  const L = window.L;
  const p = feature.properties;
  const relation = relationOf(p.party);
  const [lon, lat] = feature.geometry.coordinates;
  const { svg, size, anchor } = unitSymbol(p.kind, relation);
  const wrapper = h("div", { class: "unit-symbol", dataset: { testid: "unit",
    unitId: String(feature.id), party: p.party } }, svg);
  const icon = L.divIcon({ html: wrapper, className: "unit-icon", iconSize: size,
                           iconAnchor: anchor });
  const label = `${p.name || feature.id} (${partyName(p.party)}, ${relationText(relation)})`;
  const marker = L.marker([lat, lon], { icon, pane: "units", title: label, alt: label,
                                        riseOnHover: true });
  marker.bindPopup(() => popup(feature, relation));
  marker.bindTooltip(p.name || String(feature.id), { direction: "top", offset: [0, -14] });
  const layers = [marker];
  if (p.radius_m > 0) {
    layers.push(L.circle([lat, lon], { radius: p.radius_m, pane: "units", interactive: false,
                                       color: colourOf(relation), weight: 1, opacity: 0.7,
                                       fillOpacity: 0.08 }));
  }
  return layers;
}

function relationText(relation) {
  return relation === "self" ? "your party" : relation;
}

function popup(feature, relation) {
  const p = feature.properties;
  return h("div", { class: "popup" },
    h("strong", {}, p.name || feature.id),
    h("dl", {},
      h("dt", {}, "Unit"), h("dd", {}, String(feature.id)),
      h("dt", {}, "Party"), h("dd", {}, `${partyName(p.party)} (${relationText(relation)})`),
      h("dt", {}, "Kind"), h("dd", {}, p.kind),
      h("dt", {}, "Reported"), h("dd", {}, timeEl(p.time)),
      h("dt", {}, "Stale after"), h("dd", {}, timeEl(p.stale)),
      p.radius_m > 0 ? [h("dt", {}, "Radius"), h("dd", {}, km(p.radius_m))] : null));
}
