// Agreed zones and lines in effect (with the side each party holds), versions awaiting
// signatures, and the form to propose a version.
import { api } from "./api.js";
import { $, h, km, replaceChildren, showError, timeEl } from "./dom.js";
import { formatCoordinates, geometryFrom, shapeLayer, vertices } from "./geometry.js";
import { registerLayer } from "./layers.js";
import { bindLabel, getMap } from "./map.js";
import { myParty, on, partyName, relationOf, state } from "./state.js";
import { colourOf } from "./symbols.js";

const LINE_COLOUR = "#5b21b6";
let group = null;
let refreshAll = async () => {};

export function init({ refresh }) {
  refreshAll = refresh;
  group = registerLayer({ id: "zones", label: "Zones and lines", swatch: "zone" });
  on("zones", render);
  on("versions", render);
  on("parties", fillForm);
  on("zones", fillForm);
  getMap().on("zoomend", render);
  $("zone-base").addEventListener("change", prefill);
  $("zone-form").addEventListener("submit", propose);
}

function features() {
  return (state.zones && state.zones.features) || [];
}

function render() {
  group.clearLayers();
  for (const feature of features()) drawZone(feature, false);
  for (const version of pending()) {
    if (version.geometry) drawZone({ id: version.id, geometry: version.geometry,
                                     properties: { ...version, name: version.name || "" } }, true);
  }
  renderLists();
}

function pending() {
  return state.versions.filter((v) => !v.effective);
}

function drawZone(feature, isPending) {
  const p = feature.properties;
  const colour = p.kind === "line" ? LINE_COLOUR : colourOf(relationOf(p.party));
  const style = { pane: "zones", color: colour, weight: p.kind === "line" ? 4 : 2.5,
                  fillColor: colour, fillOpacity: isPending ? 0.03 : 0.07,
                  dashArray: isPending ? "10 8" : null, opacity: isPending ? 0.75 : 0.95 };
  const layer = shapeLayer(feature.geometry, style, p.radius_m || 0);
  const title = `${p.name || feature.id} (${p.kind}, version ${p.version}`
    + `${isPending ? ", pending signatures" : ""})`;
  bindLabel(layer, title);
  group.addLayer(layer);
  if (p.kind === "line" && p.sides) sideLabels(feature.geometry, p.sides);
  if (p.kind === "zone" && p.party) {
    const [lon, lat] = vertices(feature.geometry)[0];
    group.addLayer(textMarker([lat, lon], `${p.name || feature.id} · owner ${p.party}`,
                              "zone-label"));
  }
}

/** Labels left and right of the line's direction of travel, a few pixels off its middle. */
function sideLabels(geometry, sides) {
  const map = getMap();
  const points = geometry.coordinates;
  if (points.length < 2) return;
  const i = Math.max(1, Math.floor(points.length / 2));
  const a = map.latLngToLayerPoint([points[i - 1][1], points[i - 1][0]]);
  const b = map.latLngToLayerPoint([points[i][1], points[i][0]]);
  const mid = a.add(b).divideBy(2);
  const dx = b.x - a.x, dy = b.y - a.y;
  const length = Math.hypot(dx, dy) || 1;
  // Screen y grows downwards: the left of travel is (dy, -dx).
  const left = window.L.point(dy / length, -dx / length).multiplyBy(46);
  for (const [side, offset] of [["left", left], ["right", left.multiplyBy(-1)]]) {
    if (!sides[side]) continue;
    const at = map.layerPointToLatLng(mid.add(offset));
    group.addLayer(textMarker(at, `${sides[side]} side (${side})`, "side-label"));
  }
}

function textMarker(latlng, text, className) {
  const L = window.L;
  return L.marker(latlng, { pane: "zones", interactive: false, keyboard: false,
    icon: L.divIcon({ className, html: h("span", {}, text), iconSize: null }) });
}

function renderLists() {
  replaceChildren($("zone-list"), ...features().map(zoneItem));
  const waiting = pending();
  replaceChildren($("version-list"), ...(waiting.length ? waiting.map(versionItem)
    : [h("li", { class: "empty" }, "None awaiting signatures.")]));
}

function zoneItem(feature) {
  const p = feature.properties;
  const sides = p.sides ? Object.entries(p.sides).map(([s, party]) => `${s}: ${party}`) : [];
  return h("li", { class: "item", dataset: { testid: "zone-item", zoneId: feature.id } },
    h("div", { class: "item-head" }, h("strong", {}, p.name || feature.id),
      h("span", { class: "tag" }, `${p.kind} v${p.version}`)),
    h("div", { class: "meta" }, `id ${feature.id}`,
      p.party ? ` · owner ${partyName(p.party)}` : "",
      p.radius_m ? ` · radius ${km(p.radius_m)}` : "",
      sides.length ? ` · sides ${sides.join(", ")}` : ""),
    h("div", { class: "meta" }, `signatories: ${p.signatories.join(", ")}`));
}

function versionItem(version) {
  const me = myParty();
  const sign = version.awaiting.includes(me)
    ? h("button", { type: "button", onclick: () => signVersion(version) }, "Sign") : null;
  return h("li", { class: "item pending", dataset: { testid: "zone-version",
                                                     zoneId: version.id } },
    h("div", { class: "item-head" }, h("strong", {}, `${version.id} v${version.version}`),
      h("span", { class: "tag" }, "pending")),
    h("div", { class: "meta" }, `proposed by ${version.proposer} `, timeEl(version.proposed)),
    h("div", { class: "meta" }, `signed by ${version.signed_by.join(", ") || "nobody"}`,
      ` · awaiting ${version.awaiting.join(", ")}`),
    version.geometry ? null : h("div", { class: "meta" }, "The hub does not send the "
      + "geometry of pending versions, so they are not drawn."),
    sign);
}

async function signVersion(version) {
  try {
    await api(`/zones/${encodeURIComponent(version.id)}/versions/${version.version}/sign`,
              { method: "POST" });
    $("zone-result").textContent = `Signed ${version.id} version ${version.version}.`;
    showError($("zone-error"), null);
  } catch (error) {
    showError($("zone-error"), error);
  }
  await refreshAll(["zones", "versions"]);
}

function partyOptions(select, withNone) {
  const current = select.value;
  replaceChildren(select, withNone ? h("option", { value: "" }, "none") : null,
    ...state.parties.map((p) => h("option", { value: p.id }, p.id)));
  if (current) select.value = current;
}

function fillForm() {
  const base = $("zone-base");
  const current = base.value;
  replaceChildren(base, h("option", { value: "" }, "a new zone or line"),
    ...features().map((f) => h("option", { value: f.id }, f.properties.name || f.id)));
  base.value = current;
  for (const id of ["zone-owner", "zone-left", "zone-right"]) partyOptions($(id), true);
  const box = $("zone-signatories");
  const ticked = new Set([...box.querySelectorAll("input:checked")].map((i) => i.value));
  box.querySelectorAll(".check").forEach((el) => el.remove());
  for (const p of state.parties) {
    const id = `zone-sign-${p.id}`;
    const input = h("input", { type: "checkbox", id, value: p.id,
                               checked: ticked.has(p.id) || p.relation === "self" });
    box.append(h("span", { class: "check" }, input, h("label", { for: id }, p.id)));
  }
}

function prefill() {
  const feature = features().find((f) => f.id === $("zone-base").value);
  if (!feature) {
    $("zone-id").value = `${myParty()}-`;
    return;
  }
  const p = feature.properties;
  $("zone-id").value = feature.id;
  $("zone-kind").value = p.kind;
  $("zone-name").value = p.name || "";
  $("zone-radius").value = String(p.radius_m || 0);
  $("zone-owner").value = p.party || "";
  $("zone-left").value = (p.sides && p.sides.left) || "";
  $("zone-right").value = (p.sides && p.sides.right) || "";
  $("zone-coordinates").value = formatCoordinates(vertices(feature.geometry));
  for (const input of $("zone-signatories").querySelectorAll("input")) {
    input.checked = p.signatories.includes(input.value);
  }
}

function zoneBody() {
  const kind = $("zone-kind").value;
  const text = $("zone-coordinates").value;
  const count = text.split("\n").filter((l) => l.trim()).length;
  const shape = kind === "line" ? "line" : count === 1 ? "point" : "polygon";
  const body = { id: $("zone-id").value.trim(), kind, geometry: geometryFrom(shape, text),
                 signatories: [...$("zone-signatories").querySelectorAll("input:checked")]
                   .map((i) => i.value) };
  const name = $("zone-name").value.trim();
  if (name) body.name = name;
  const radius = Number($("zone-radius").value);
  if (radius > 0) body.radius_m = radius;
  if (kind === "zone" && $("zone-owner").value) body.owner = $("zone-owner").value;
  if (kind === "line") {
    const sides = {};
    if ($("zone-left").value) sides.left = $("zone-left").value;
    if ($("zone-right").value) sides.right = $("zone-right").value;
    body.sides = sides;
  }
  return body;
}

async function propose(event) {
  event.preventDefault();
  $("zone-result").textContent = "";
  try {
    const version = await api("/zones", { method: "POST", body: zoneBody() });
    showError($("zone-error"), null);
    $("zone-result").textContent = `Proposed ${version.id} version ${version.version}; `
      + (version.effective ? "in effect now." : `awaiting ${version.awaiting.join(", ")}.`);
  } catch (error) {
    showError($("zone-error"), error);
  }
  await refreshAll(["zones", "versions"]);
}
