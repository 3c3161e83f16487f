// The New notice form: shape, coordinates (typed or drawn), kind, buffer, window; filing shows
// the hub's screening result at once, as the hub tells it to the notifier.
import { api } from "./api.js";
import { hubNow, iso } from "./clock.js";
import { $, h, replaceChildren, showError } from "./dom.js";
import { startDrawing } from "./draw.js";
import { CoordinatesError, bufferLayers, geometryFrom, shapeLayer } from "./geometry.js";
import { getMap } from "./map.js";
import { conflictLine } from "./notices.js";

const DRAFT = { pane: "draft", color: "#111827", weight: 2, dashArray: "4 4", fillOpacity: 0.05,
                interactive: false };
let draft = null;
let refreshAll = async () => {};

export function init({ refresh }) {
  refreshAll = refresh;
  draft = window.L.layerGroup().addTo(getMap());
  prefillWindow();
  const form = $("notice-form");
  form.addEventListener("submit", file);
  for (const id of ["notice-coordinates", "notice-shape", "notice-buffer"]) {
    $(id).addEventListener("input", preview);
    $(id).addEventListener("change", preview);
  }
  $("notice-draw").addEventListener("click", () => startDrawing({
    shape: $("notice-shape").value, textarea: $("notice-coordinates"),
    button: $("notice-draw"), status: (text) => { $("notice-draw-status").textContent = text; } }));
}

function prefillWindow() {
  const now = hubNow();
  now.setUTCSeconds(0, 0);
  $("notice-start").value = iso(now);
  $("notice-end").value = iso(new Date(now.getTime() + 3600 * 1000));
}

function preview() {
  draft.clearLayers();
  let geometry;
  try {
    geometry = geometryFrom($("notice-shape").value, $("notice-coordinates").value);
  } catch {
    return; // incomplete while typing or drawing: nothing to show yet
  }
  draft.addLayer(shapeLayer(geometry, DRAFT));
  for (const layer of bufferLayers(geometry, Number($("notice-buffer").value) || 0, DRAFT)) {
    draft.addLayer(layer);
  }
}

function noticeBody() {
  let geometry;
  try {
    geometry = geometryFrom($("notice-shape").value, $("notice-coordinates").value);
  } catch (error) {
    if (error instanceof CoordinatesError) {
      throw { code: "invalid", message: error.message, field: "Coordinates" };
    }
    throw error;
  }
  const body = { kind: $("notice-kind").value, geometry,
                 buffer_m: Number($("notice-buffer").value || 0),
                 window: [$("notice-start").value.trim(), $("notice-end").value.trim()] };
  const name = $("notice-name").value.trim();
  if (name) body.name = name;
  return body;
}

async function file(event) {
  event.preventDefault();
  const result = $("screening-result");
  let feature;
  try {
    feature = await api("/notices", { method: "POST", body: noticeBody() });
  } catch (error) {
    showError($("notice-error"), error);
    return;
  }
  showError($("notice-error"), null);
  showScreening(result, feature);
  draft.clearLayers();
  await refreshAll(["notices"]);
}

function showScreening(el, feature) {
  const p = feature.properties;
  const lines = p.conflicts.map((c) => h("li", {}, conflictLine(c)));
  replaceChildren(el,
    h("p", { class: `verdict verdict-${p.verdict}` },
      `Notice ${feature.id}: ${p.verdict}`),
    h("p", { class: "meta" }, `State ${p.state}; screened against ledger checkpoint `
      + `${p.checkpoint}.`),
    lines.length ? h("ul", { class: "conflicts" }, ...lines)
      : h("p", {}, "No conflict with anything the hub knows."));
  el.classList.add("shown");
}
