// Alerts: the list, the unread count, a ring on the map around what an unread alert is about,
// and the live stream (Server-Sent Events with the session cookie). The browser's EventSource
// reconnects by itself and sends Last-Event-ID; when the stream closes for good the page opens
// a new one after the last id it holds, and a slow catch-up read fills any gap.
import { api } from "./api.js";
import { $, h, renderKeyed, shortTime } from "./dom.js";
import { registerLayer } from "./layers.js";
import { getMap } from "./map.js";
import { noticePositions } from "./notices.js";
import { sitePositions } from "./sites.js";
import { emit, myParty, on, state } from "./state.js";
import { unitPositions } from "./units.js";

const PAGE = 1000;
const MAX_PAGES = 20;
const CATCH_UP_MS = 20000;
const SHOWN = 200;

/** How each kind reads, and which lists it changes. registerAlertKind adds more. */
const KINDS = {
  notice_conflict: [(d) => `Notice ${d.id} by ${d.party} touches you (${rules(d)})`, ["notices"]],
  notice_answered: [(d) => `${d.party} ${past(d.answer)} your notice ${d.notice}`
    + `${d.comment ? `: ${d.comment}` : ""}`, ["notices"]],
  notice_state: [(d) => `Notice ${d.notice} is now ${d.state}`, ["notices"]],
  separation: [(d) => `Separation ${d.level}: your ${d.unit} and ${d.other_unit || `${d.other_party} forces`}`
    + ` (${d.distance_band})`, ["units"]],
  message: [(d) => `Message from ${d.from} on the ${d.level} line: ${d.text}`, ["messages"]],
  message_acknowledged: [(d) => `${d.by} acknowledged your ${d.level} message ${d.id}`,
    ["messages"]],
  escalation: [(d) => `Message ${d.message} (${d.from} to ${d.to}) not acknowledged in time: `
    + `escalated to the ${d.level} line`, ["messages"]],
  unresponsive: [(d) => `${d.party} is unresponsive since ${d.since}: its open notices count as `
    + "occupying their volumes", ["messages", "notices"]],
  probing: [(d) => `${d.by} filed ${d.count} small notices near your forces (probing?)`,
    ["notices"]],
  zone: [(d) => `Zone ${d.id} version ${d.version}: ${d.effective ? "in effect"
    : `awaiting ${(d.awaiting || []).join(", ")}`}`, ["zones", "versions"]],
  site: [(d) => `${d.party} notified ${d.kind} ${d.name || d.id}`, ["sites"]],
  disclosure: [(d) => `${d.party} now releases its units to you as ${d.level}`, ["units"]],
};

/** Where an alert of a registered kind points on the map (see registerAlertKind). */
const LOCATORS = {};

let group = null;
let refreshAll = async () => {};
let source = null;
let lastId = 0;
let catchUp = null;

/** Describes a kind of alert: ``describe(detail)`` → text, the state ``topics`` it changes, and
 * optionally ``locate(detail)`` → [lat, lon] of what it is about (for "Show on map"). */
export function registerAlertKind(kind, describe, topics, locate = null) {
  KINDS[kind] = [describe, topics];
  if (locate) LOCATORS[kind] = locate;
}

function rules(d) {
  return [...new Set((d.conflicts || []).map((c) => c.rule))].join(", ") || "screened";
}

function past(answer) {
  return answer === "acknowledge" ? "acknowledged" : "objected to";
}

export function describe(alert) {
  const known = KINDS[alert.kind];
  if (known) {
    try {
      return known[0](alert.detail || {});
    } catch {
      // a detail of an unexpected shape falls through to the plain rendering
    }
  }
  return `${alert.kind}: ${JSON.stringify(alert.detail)}`;
}

export function init({ refresh }) {
  refreshAll = refresh;
  group = registerLayer({ id: "alerts", label: "Alerts", swatch: "alert" });
  $("alerts-read").addEventListener("click", markAllRead);
  for (const topic of ["alerts", "units", "notices", "sites"]) on(topic, renderRings);
  on("alerts", renderList);
}

function readKey() {
  return `deconflict:last-read:${myParty()}`;
}

function lastRead() {
  return Number(localStorage.getItem(readKey()) || 0);
}

function unread() {
  const read = lastRead();
  return state.alerts.filter((a) => a.id > read);
}

export async function startAlerts() {
  state.alerts = [];
  lastId = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const batch = await api(`/alerts?after=${lastId}&limit=${PAGE}`);
    state.alerts.push(...batch);
    if (batch.length) lastId = batch[batch.length - 1].id;
    if (batch.length < PAGE) break;
  }
  emit("alerts", state.alerts);
  connect();
  catchUp = setInterval(readMissed, CATCH_UP_MS);
}

export function stopAlerts() {
  if (source) source.close();
  source = null;
  clearInterval(catchUp);
}

function connect() {
  if (source) source.close();
  source = new EventSource(`/api/v1/alerts/stream?after=${lastId}`);
  const onEvent = (event) => {
    try {
      receive(JSON.parse(event.data));
    } catch (error) {
      console.error("unreadable alert", error);
    }
  };
  for (const kind of Object.keys(KINDS)) source.addEventListener(kind, onEvent);
  source.onmessage = onEvent;
  source.onopen = () => connection("Live: alerts arrive as they are raised.");
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      connection("Alert stream closed: reconnecting…");
      setTimeout(async () => {
        try {
          await api("/me"); // a lost session shows the sign-in form instead
          await readMissed();
          if (source && source.readyState === EventSource.CLOSED) connect();
        } catch {
          // signed out, or the hub is down: the next catch-up read tries again
        }
      }, 3000);
    } else {
      connection("Alert stream interrupted: reconnecting…");
    }
  };
}

function connection(text) {
  $("connection").textContent = text;
}

/** Alerts the stream may have missed (or of a kind this page has no listener for). */
async function readMissed() {
  const batch = await api(`/alerts?after=${lastId}&limit=${PAGE}`);
  for (const alert of batch) receive(alert);
}

function receive(alert) {
  if (alert.id <= lastId) return;
  lastId = alert.id;
  state.alerts.push(alert);
  emit("alerts", state.alerts);
  emit("alert", alert);
  cue();
  const topics = KINDS[alert.kind] ? KINDS[alert.kind][1]
    : ["units", "zones", "versions", "sites", "notices", "messages"];
  refreshAll(topics);
}

function cue() {
  for (const el of [$("alert-unread"), $("tab-alert-count")]) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  }
}

function markAllRead() {
  localStorage.setItem(readKey(), String(lastId));
  emit("alerts", state.alerts);
}

function renderList() {
  const count = unread().length;
  $("alert-unread").textContent = String(count);
  $("tab-alert-count").textContent = count ? String(count) : "";
  document.title = count ? `(${count}) deconflict console` : "deconflict console";
  const read = lastRead();
  const shown = state.alerts.slice(-SHOWN).reverse();
  renderKeyed($("alert-list"), shown, (a) => String(a.id), (a) => String(a.id > read),
              (a) => alertItem(a, a.id > read), "No alerts.");
}

function alertItem(alert, isUnread) {
  const at = position(alert);
  return h("li", { class: `item alert ${isUnread ? "unread" : ""}`,
                   dataset: { testid: "alert-item", kind: alert.kind, alertId: String(alert.id) } },
    h("div", { class: "item-head" },
      h("time", { datetime: alert.time, title: alert.time }, shortTime(alert.time)),
      h("span", { class: `tag kind-${alert.kind}` }, alert.kind.replace(/_/g, " ")),
      isUnread ? h("span", { class: "tag new" }, "new") : null),
    h("p", {}, describe(alert)),
    at ? h("button", { type: "button", class: "link",
                       onclick: () => getMap().setView(at, Math.max(getMap().getZoom(), 10)) },
           "Show on map") : null);
}

/** The map position of what an alert is about, when this page draws it. */
function position(alert) {
  const d = alert.detail || {};
  if (alert.kind === "separation") return unitPositions.get(d.unit);
  if (alert.kind === "site") return sitePositions.get(d.id);
  if (alert.kind === "notice_conflict") return noticePositions.get(d.id);
  if (alert.kind.startsWith("notice_")) return noticePositions.get(d.notice);
  if (LOCATORS[alert.kind]) {
    try {
      return LOCATORS[alert.kind](d) || undefined;
    } catch {
      return undefined; // a detail of an unexpected shape: nothing to point at
    }
  }
  return undefined;
}

function renderRings() {
  group.clearLayers();
  for (const alert of unread().slice(-50)) {
    const at = position(alert);
    if (!at) continue;
    group.addLayer(window.L.circleMarker(at, { pane: "alerts", radius: 20, color: "#dc2626",
      weight: 3, fill: false, className: "alert-ring", interactive: false }));
  }
}
