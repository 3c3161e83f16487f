// Protected sites and humanitarian movements (convoy routes with their buffers and windows),
// and the form that notifies one to every party. Notification is not permission.
import { api } from "./api.js";
import { $, h, km, replaceChildren, showError, timeEl } from "./dom.js";
import { bufferLayers, geometryFrom, shapeLayer, vertices } from "./geometry.js";
import { registerLayer } from "./layers.js";
import { bindLabel } from "./map.js";
import { windowOpen } from "./replay.js";
import { on, partyName, state } from "./state.js";

const COLOUR = "#7e22ce";
let group = null;
let refreshAll = async () => {};
/** Where each site is, for the alerts layer: id → [lat, lon]. */
export const sitePositions = new Map();

export function init({ refresh }) {
  refreshAll = refresh;
  group = registerLayer({ id: "sites", label: "Protected sites", swatch: "site" });
  on("sites", render);
  on("time", render);
  $("site-form").addEventListener("submit", notify);
}

function features() {
  return (state.sites && state.sites.features) || [];
}

function render() {
  group.clearLayers();
  sitePositions.clear();
  for (const feature of features()) {
    const p = feature.properties;
    const open = windowOpen(p.window);
    const style = { pane: "sites", color: COLOUR, weight: 2, fillColor: COLOUR,
                    fillOpacity: open ? 0.12 : 0.03, opacity: open ? 0.95 : 0.45,
                    dashArray: p.kind === "convoy" ? "8 5" : null };
    const layers = [shapeLayer(feature.geometry, { ...style, fillOpacity: 0.35 }, p.radius_m),
      ...bufferLayers(feature.geometry, (p.buffer_m || 0) + (p.radius_m || 0),
                      { ...style, weight: 1, interactive: false })];
    bindLabel(layers[0], tooltip(feature));
    for (const layer of layers) group.addLayer(layer);
    const [lon, lat] = vertices(feature.geometry)[0];
    sitePositions.set(String(feature.id), [lat, lon]);
  }
  renderList();
}

function tooltip(feature) {
  const p = feature.properties;
  const span = p.window ? `, ${p.window[0]} to ${p.window[1]}` : "";
  return `${p.name || feature.id} (${p.kind}, ${partyName(p.party)}, buffer ${p.buffer_m} m`
    + `${span})`;
}

function renderList() {
  replaceChildren($("site-list"), ...features().map((feature) => {
    const p = feature.properties;
    return h("li", { class: "item", dataset: { testid: "site-item", siteId: feature.id } },
      h("div", { class: "item-head" }, h("strong", {}, p.name || feature.id),
        h("span", { class: "tag" }, p.kind)),
      h("div", { class: "meta" }, `id ${feature.id} · by ${p.party} · buffer ${km(p.buffer_m)}`),
      p.window ? h("div", { class: "meta" }, "window ", timeEl(p.window[0]), " to ",
                   timeEl(p.window[1])) : null);
  }));
}

function siteBody() {
  const kind = $("site-kind").value;
  const text = $("site-coordinates").value;
  const count = text.split("\n").filter((l) => l.trim()).length;
  const shape = count === 1 ? "point" : kind === "convoy" ? "line" : "polygon";
  const body = { kind, geometry: geometryFrom(shape, text),
                 buffer_m: Number($("site-buffer").value || 0) };
  const name = $("site-name").value.trim();
  if (name) body.name = name;
  const start = $("site-start").value.trim();
  const end = $("site-end").value.trim();
  if (start || end) body.window = [start, end];
  return body;
}

async function notify(event) {
  event.preventDefault();
  $("site-result").textContent = "";
  try {
    const site = await api("/sites", { method: "POST", body: siteBody() });
    showError($("site-error"), null);
    $("site-result").textContent = `Notified ${site.properties.kind} ${site.id} to every party.`;
  } catch (error) {
    showError($("site-error"), error);
  }
  await refreshAll(["sites"]);
}
