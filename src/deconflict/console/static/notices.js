// Notices of planned operations: on the map with their buffers and windows, and as a list where
// other parties' notices are acknowledged or objected to and the filer sees the answers.
import { api } from "./api.js";
import { $, h, km, renderKeyed, showError, timeEl } from "./dom.js";
import { bufferLayers, shapeLayer, vertices } from "./geometry.js";
import { registerLayer } from "./layers.js";
import { bindLabel, getMap } from "./map.js";
import { isLive, viewTime } from "./replay.js";
import { myParty, on, partyName, state } from "./state.js";

const COLOURS = { conflict: "#c2410c", clear: "#0f766e" };
const CLOSED = new Set(["cancelled", "completed"]);
const ANSWERABLE = new Set(["screened", "acknowledged", "objected"]);
let group = null;
let refreshAll = async () => {};
/** Where each notice is, for the alerts layer: id → [lat, lon]. */
export const noticePositions = new Map();

export function init({ refresh }) {
  refreshAll = refresh;
  group = registerLayer({ id: "notices", label: "Notices", swatch: "notice" });
  on("notices", render);
  on("time", render);
}

function features() {
  return (state.notices && state.notices.features) || [];
}

/** What the map shows at the view time: filed by then, window not yet over, not closed. */
function phase(feature) {
  const p = feature.properties;
  const t = viewTime().getTime();
  const [start, end] = p.window.map(Date.parse);
  if (isLive() && CLOSED.has(p.state)) return null;
  // Live, whatever the server lists has been filed (the local clock may lag the hub's a little).
  if ((!isLive() && Date.parse(p.filed) > t) || end <= t) return null;
  return start <= t ? "active" : "upcoming";
}

function render() {
  group.clearLayers();
  noticePositions.clear();
  for (const feature of features()) {
    const [lon, lat] = vertices(feature.geometry)[0];
    noticePositions.set(String(feature.id), [lat, lon]);
    const when = phase(feature);
    if (when !== null) drawNotice(feature, when);
  }
  renderList();
}

function drawNotice(feature, when) {
  const p = feature.properties;
  const colour = COLOURS[p.verdict] || COLOURS.conflict;
  const style = { pane: "notices", color: colour, fillColor: colour, weight: 2,
                  fillOpacity: when === "active" ? 0.2 : 0.06,
                  dashArray: when === "active" ? null : "6 6" };
  const shape = shapeLayer(feature.geometry, { ...style, weight: 3 }, 0);
  bindLabel(shape, `${p.name || feature.id}: ${p.kind} by ${p.party}, ${p.window[0]} to `
                    + `${p.window[1]} (${when}, ${p.state})`, { sticky: true });
  group.addLayer(shape);
  const reach = (p.buffer_m || 0) + (p.radius_m || 0);
  for (const layer of bufferLayers(feature.geometry, reach, { ...style, weight: 1,
                                                              interactive: false })) {
    group.addLayer(layer);
  }
}

function renderList() {
  const sorted = [...features()].sort((a, b) => b.properties.filed.localeCompare(a.properties.filed));
  renderKeyed($("notice-list"), sorted, (f) => String(f.id),
              (f) => JSON.stringify([f.properties, myParty()]), item, "No notices yet.");
}

function item(feature) {
  const p = feature.properties;
  const own = p.party === myParty();
  return h("li", { class: `item notice ${p.verdict}`,
                   dataset: { testid: "notice-item", noticeId: String(feature.id),
                              party: p.party } },
    h("div", { class: "item-head" }, h("strong", {}, p.name || feature.id),
      h("span", { class: `tag verdict-${p.verdict}` }, p.verdict),
      h("span", { class: "tag" }, p.state)),
    h("div", { class: "meta" }, `${feature.id} · ${p.kind} · by ${own ? "you" : p.party}`,
      ` · buffer ${km(p.buffer_m)}`),
    h("div", { class: "meta" }, "window ", timeEl(p.window[0]), " to ", timeEl(p.window[1]),
      " · filed ", timeEl(p.filed)),
    conflictList(p.conflicts),
    own ? ownAnswers(p) : theirAnswer(feature),
    h("button", { type: "button", class: "link", onclick: () => show(feature) },
      "Show on map"));
}

export function conflictLine(c) {
  const target = c.target ? `${c.target} (${c.party})` : `${c.party} forces (not released)`;
  const distance = c.distance_m !== undefined ? km(c.distance_m) : c.distance_band;
  return [c.rule, target, distance, c.severity].filter(Boolean).join(" · ");
}

function conflictList(conflicts) {
  if (!conflicts.length) return null;
  return h("ul", { class: "conflicts", "aria-label": "Conflicts" },
    ...conflicts.map((c) => h("li", {}, conflictLine(c))));
}

function ownAnswers(p) {
  const lines = p.answers.map((a) => h("li", {},
    `${a.answer === "acknowledge" ? "acknowledged" : "objected"} by ${a.party}`,
    a.comment ? `: ${a.comment}` : ""));
  if (p.awaiting.length) lines.push(h("li", {}, `awaiting ${p.awaiting.join(", ")}`));
  if (!lines.length) lines.push(h("li", {}, "no answers needed"));
  return h("ul", { class: "answers", dataset: { testid: "notice-answers" } }, ...lines);
}

function theirAnswer(feature) {
  const p = feature.properties;
  const mine = p.answers.find((a) => a.party === myParty());
  if (mine) {
    return h("p", { class: "answers", dataset: { testid: "notice-answers" } },
      `You ${mine.answer === "acknowledge" ? "acknowledged" : "objected"}`,
      mine.comment ? `: ${mine.comment}` : "", ".");
  }
  if (!ANSWERABLE.has(p.state)) return null;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const reasonId = `reason-${feature.id}`;
  const reason = h("input", { type: "text", id: reasonId, class: "reason" });
  const reasonBox = h("div", { class: "field", hidden: true },
    h("label", { for: reasonId }, "Reason"), reason);
  const send = (answer) => answerNotice(feature.id, answer, reason.value.trim(), error);
  const object = () => {
    if (reasonBox.hidden) {
      reasonBox.hidden = false;
      reason.focus();
    } else if (reason.value.trim()) {
      send("object");
    } else {
      showError(error, "Give a reason for the objection.");
    }
  };
  const form = h("form", { class: "answer", "aria-label": `Answer notice ${feature.id}`,
                           onsubmit: (event) => { event.preventDefault(); object(); } },
    h("div", { class: "buttons" },
      h("button", { type: "button", onclick: () => send("acknowledge") }, "Acknowledge"),
      h("button", { type: "button", class: "danger", onclick: object }, "Object")),
    reasonBox, error);
  return form;
}

async function answerNotice(id, answer, comment, errorEl) {
  try {
    await api(`/notices/${encodeURIComponent(id)}/ack`, { method: "POST",
                                                         body: { answer, comment } });
    showError(errorEl, null);
  } catch (error) {
    showError(errorEl, error);
    return;
  }
  await refreshAll(["notices"]);
}

function show(feature) {
  const bounds = window.L.geoJSON(feature).getBounds();
  getMap().fitBounds(bounds.pad(1.5), { maxZoom: 11 });
}
