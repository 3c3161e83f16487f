// The console's entry point: sign in, build the map and the panels, load what the server
// returns for this party, then keep it current from the alert stream and a slow poll.
import * as alerts from "./alerts.js";
import { api } from "./api.js";
import { drawBasemap } from "./basemap.js";
import * as border from "./border.js";
import * as cells from "./cells.js";
import * as coverage from "./coverage.js";
import { $ } from "./dom.js";
import { renderToggles } from "./layers.js";
import * as lines from "./lines.js";
import { createMap, fitToFeatures } from "./map.js";
import * as noticeform from "./noticeform.js";
import * as notices from "./notices.js";
import * as replay from "./replay.js";
import { loadMe, showIdentity, signIn, signOut } from "./session.js";
import * as sites from "./sites.js";
import { on, set, state } from "./state.js";
import * as tracks from "./tracks.js";
import * as units from "./units.js";
import * as zones from "./zones.js";

/** Map layers, in the order of their toggles. Add a layer module here (see layers.js). */
const LAYER_MODULES = [units, cells, zones, sites, notices, border, tracks, alerts];
/** Panels that draw no layer of their own. */
const PANEL_MODULES = [noticeform, lines, replay, coverage];

/** What each piece of state is read from. */
const SOURCES = {
  parties: "/parties",
  units: "/units",
  zones: "/zones",
  versions: "/zones/versions",
  sites: "/sites",
  notices: "/notices",
  messages: "/messages",
  borders: "/borders",
  coverage: "/coverage",
  sensors: "/sensors",
  tracks: "/tracks",
  detections: "/detections",
};
const POLL_MS = 15000;
const POLLED = ["units", "notices", "messages", "versions", "coverage", "sensors", "tracks",
  "detections"];

const inFlight = new Map();

/** Re-reads the given topics from the server (one read per topic at a time). */
async function refresh(topics = Object.keys(SOURCES)) {
  await Promise.all(topics.filter((t) => SOURCES[t]).map((topic) => {
    if (inFlight.has(topic)) {
      inFlight.get(topic).again = true;
      return inFlight.get(topic).promise;
    }
    const entry = { again: false };
    entry.promise = (async () => {
      try {
        do {
          entry.again = false;
          const data = await api(SOURCES[topic]);
          if (topic === "units") replay.recordSnapshot(data);
          set(topic, data);
        } while (entry.again);
      } catch (error) {
        if (error.status !== 401) $("connection").textContent = `Could not read ${topic}: `
          + `${error.message}`;
      } finally {
        inFlight.delete(topic);
      }
    })();
    inFlight.set(topic, entry);
    return entry.promise;
  }));
}

function missingAssets() {
  if (window.L && window.ms) return false;
  document.body.textContent = "The console's map assets did not load. Run `make console` on "
    + "the hub's machine and reload this page.";
  return true;
}

async function startConsole(me) {
  state.me = me;
  showIdentity(me);
  const map = createMap($("map"));
  drawBasemap(map, (text) => { $("replay-note").textContent = text; });
  const context = { refresh };
  for (const module of [...LAYER_MODULES, ...PANEL_MODULES]) module.init(context);
  renderToggles($("layer-toggles"), map);
  $("signout").addEventListener("click", signOut);
  await refresh(["parties"]);
  await refresh();
  fitToFeatures([state.units, state.zones, state.sites, state.notices]);
  await alerts.startAlerts();
  setInterval(() => refresh(POLLED), POLL_MS);
  setInterval(loadMe, 60000); // keeps the local clock on the hub's
}

async function main() {
  if (missingAssets()) return;
  let me = await loadMe();
  if (me === null) me = await signIn();
  on("session:lost", () => {
    alerts.stopAlerts();
    window.location.reload();
  });
  await startConsole(me);
}

main();
