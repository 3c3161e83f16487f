// The "Coverage" panel: for the borders this party watches (every border when it watches none),
// the watch now (GET /coverage) and over the hub's day (GET /coverage/timeline): a heat strip of
// the minutes each section is watched in each hour, and the same figures as a table. All of it
// comes from the sensors this party may see, as the hub computes it.
import { api } from "./api.js";
import { hubNow } from "./clock.js";
import { $, h, km, replaceChildren, shortTime } from "./dom.js";
import { getMap } from "./map.js";
import { myParty, on, state } from "./state.js";

const RELOAD_MS = 5 * 60 * 1000;
/** Share of a step watched → colour, lowest bin first; the legend reads the same table. */
const BINS = [
  { upto: 0, colour: "#7f1d1d", text: "not watched" },
  { upto: 0.25, colour: "#ea580c", text: "under a quarter" },
  { upto: 0.75, colour: "#facc15", text: "a quarter to three quarters" },
  { upto: 0.999, colour: "#86efac", text: "over three quarters" },
  { upto: Infinity, colour: "#15803d", text: "all of it" },
];
const STRIP = { width: 380, left: 40, bottom: 16, top: 4, rowMax: 8, rowMin: 2 };

let timelines = new Map(); // border id → the hub's timeline, or an error
let loading = null;

export function init() {
  on("borders", load);
  on("coverage", render);
  on("alert", (alert) => {
    if (alert.kind === "watch_void") load();
  });
  setInterval(load, RELOAD_MS);
}

function watched() {
  const all = (state.borders && state.borders.features) || [];
  const mine = all.filter((f) => f.properties.owner === myParty());
  return { borders: mine.length ? mine : all, own: mine.length > 0 };
}

async function load() {
  if (loading) return loading;
  loading = (async () => {
    const next = new Map();
    for (const feature of watched().borders) {
      try {
        next.set(String(feature.id),
                 await api(`/coverage/timeline?border=${encodeURIComponent(feature.id)}`));
      } catch (error) {
        next.set(String(feature.id), { error });
      }
    }
    timelines = next;
    render();
  })();
  try {
    await loading;
  } finally {
    loading = null;
  }
}

function render() {
  const { borders, own } = watched();
  const note = !borders.length ? "There is no border in this hub."
    : own ? "The borders your party watches."
      : "Your party watches no border: these are every border in the hub.";
  replaceChildren($("coverage-note"), note);
  replaceChildren($("coverage-list"), ...borders.map(borderBlock));
}

function borderBlock(feature) {
  const id = String(feature.id);
  const name = feature.properties.name || id;
  const timeline = timelines.get(id);
  const body = timeline && timeline.error
    ? h("p", { class: "error", role: "alert" }, `The timeline could not be read: `
        + `${timeline.error.message}`)
    : timeline ? dayView(timeline.borders[0], timeline, name)
      : h("p", { class: "note" }, "Reading the timeline…");
  return h("article", { class: "border-watch", dataset: { testid: "border-watch", border: id },
                        "aria-labelledby": `coverage-h-${id}` },
    h("h3", { id: `coverage-h-${id}` }, name),
    nowView(id), body);
}

// -- now -------------------------------------------------------------------------------------

function nowView(id) {
  const border = ((state.coverage && state.coverage.borders) || []).find((b) => b.id === id);
  if (!border) return h("p", { class: "meta" }, "Coverage now: not read yet.");
  const share = border.length_m ? Math.round((100 * border.covered_m) / border.length_m) : 0;
  const gaps = border.gaps.length === 1 ? "1 gap" : `${border.gaps.length} gaps`;
  return h("div", { class: "coverage-now" },
    h("p", { class: "meta", dataset: { testid: "coverage-now" } },
      `Now: ${km(border.covered_m)} of ${km(border.length_m)} watched (${share} %), ${gaps}, `
      + "longest first:"),
    h("ul", { class: "gap-list" }, ...border.gaps.slice(0, 5).map((gap) => gapItem(gap))));
}

function gapItem(gap) {
  const where = `km ${(gap.from_m / 1000).toFixed(1)} to ${(gap.to_m / 1000).toFixed(1)}`;
  return h("li", { dataset: { testid: "gap-item" } }, `${km(gap.length_m)}, ${where} `,
    h("button", { type: "button", class: "link", onclick: () => showOnMap(gap),
                  "aria-label": `Show the gap at ${where} on the map` }, "Show on map"));
}

function showOnMap(gap) {
  const bounds = window.L.latLngBounds(gap.geometry.coordinates.map(([x, y]) => [y, x]));
  getMap().fitBounds(bounds.pad(0.2), { maxZoom: 12 });
}

// -- over the day ----------------------------------------------------------------------------

function dayView(border, timeline, name) {
  const span = `${shortTime(timeline.from)} to ${shortTime(timeline.to)}`;
  const summary = `From ${span}: on average ${km(border.mean_covered_m)} of `
    + `${km(border.length_m)} watched; least ${km(border.least_covered_m)} at `
    + `${shortTime(border.least_at)}.`;
  return h("div", { class: "coverage-day" },
    h("p", { class: "meta" }, summary),
    h("figure", { class: "heat" }, strip(border, timeline, name, summary),
      h("figcaption", { class: "legend" }, "Share of each hour watched: ",
        ...BINS.map((b, i) => h("span", { class: "legend-item" },
          h("span", { class: `legend-swatch heat-${i}`, "aria-hidden": "true" }), b.text)))),
    table(border, timeline, name, span));
}

function stepMinutes(timeline, border, k) {
  const start = Date.parse(border.steps[k]);
  const end = k + 1 < border.steps.length ? Date.parse(border.steps[k + 1])
    : Date.parse(timeline.to);
  return (end - start) / 60000;
}

function bin(share) {
  return BINS.find((b) => share <= b.upto) || BINS[BINS.length - 1];
}

/** An SVG element. The root comes from a <template> in index.html (the HTML parser gives it
 * the SVG namespace), the others in the same namespace as the root. */
function svg(tag, attrs = {}, ...children) {
  const root = $("svg-template").content.firstElementChild;
  const el = tag === "svg" ? root.cloneNode(false)
    : document.createElementNS(root.namespaceURI, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const child of children) el.append(child);
  return el;
}

/** Columns are sections along the border, rows the steps of the day (midnight at the top). */
function strip(border, timeline, name, summary) {
  const sections = border.sections;
  const rows = border.steps.length;
  const rowH = Math.max(STRIP.rowMin, Math.min(STRIP.rowMax, Math.floor(200 / rows)));
  const width = STRIP.width - STRIP.left;
  const colW = width / Math.max(1, sections.length);
  const height = STRIP.top + rows * rowH + STRIP.bottom;
  const root = svg("svg", { viewBox: `0 0 ${STRIP.width} ${height}`, class: "heat-strip",
                            role: "img", "data-testid": "coverage-strip",
                            "aria-label": `Heat strip of ${name}: ${summary} The table below `
                              + "gives the minutes per section." });
  sections.forEach((section, i) => {
    section.by_step.forEach((minutes, k) => {
      const share = minutes / Math.max(1e-9, stepMinutes(timeline, border, k));
      const rect = svg("rect", { x: (STRIP.left + i * colW).toFixed(2),
        y: STRIP.top + k * rowH, width: (colW + 0.05).toFixed(2), height: rowH,
        fill: bin(share).colour });
      rect.append(svg("title", {}, `km ${kmText(section.from_m)}–${kmText(section.to_m)}, `
        + `${border.steps[k].slice(11, 16)}Z: ${minutes} min watched`));
      root.append(rect);
    });
  });
  for (let k = 0; k <= rows; k += Math.max(1, Math.round(rows / 4))) {
    const label = k < rows ? border.steps[k].slice(11, 16) : timeline.to.slice(11, 16);
    root.append(svg("text", { x: STRIP.left - 4, y: STRIP.top + k * rowH + 4,
                              "text-anchor": "end", class: "axis" }, label));
  }
  root.append(svg("text", { x: STRIP.left, y: height - 3, class: "axis" }, "km 0"));
  root.append(svg("text", { x: STRIP.width, y: height - 3, "text-anchor": "end",
                            class: "axis" }, `km ${kmText(border.length_m)}`));
  nowLine(root, timeline, rowH, rows);
  return root;
}

function nowLine(root, timeline, rowH, rows) {
  const from = Date.parse(timeline.from);
  const share = (hubNow().getTime() - from) / (Date.parse(timeline.to) - from);
  if (!(share >= 0 && share <= 1)) return;
  const y = STRIP.top + share * rows * rowH;
  root.append(svg("line", { x1: STRIP.left - 2, x2: STRIP.width, y1: y, y2: y,
                            class: "now-line" }));
}

function kmText(metres) {
  return (metres / 1000).toFixed(0);
}

function table(border, timeline, name, span) {
  const total = (Date.parse(timeline.to) - Date.parse(timeline.from)) / 60000;
  const rows = border.sections.map((s) => h("tr", { dataset: { testid: "coverage-section" } },
    h("th", { scope: "row" }, `${kmText(s.from_m)}–${kmText(s.to_m)}`),
    h("td", {}, s.watched_min.toFixed(1)), h("td", {}, s.full_min.toFixed(1)),
    h("td", {}, s.blind_min.toFixed(1)),
    h("td", {}, `${Math.round((100 * s.watched_min) / Math.max(1, total))} %`)));
  return h("details", { class: "coverage-table" },
    h("summary", {}, `Minutes watched by section (table of ${border.sections.length})`),
    h("table", {},
      h("caption", {}, `Minutes each ${km(timeline.section_m)} section of ${name} is watched, `
        + `${span}, by the sensors you may see`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Section (km)"),
        h("th", { scope: "col" }, "Watched (min)"), h("th", { scope: "col" }, "Wholly (min)"),
        h("th", { scope: "col" }, "Blind (min)"), h("th", { scope: "col" }, "Share"))),
      h("tbody", {}, ...rows)));
}
