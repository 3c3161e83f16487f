// The time slider. Live, the layers show what the server returns now. Replaying, they show:
// notices and movements whose windows are open at that time; and positions as the hub serves
// them for that time when it has a history (`GET /units?at=`, looked up in /openapi.json),
// otherwise what this page received (its own snapshots, and each unit's latest report when that
// is older than the time shown). Nothing is interpolated or guessed.
import { api } from "./api.js";
import { hubNow, iso } from "./clock.js";
import { $ } from "./dom.js";
import { emit, on, state } from "./state.js";

const STEP_S = 60;
const PLAY_STEP_S = 300;   // five minutes of hub time per frame
const PLAY_FRAME_MS = 400;
const MAX_SNAPSHOTS = 720; // one an update: hours of a shift at a few updates a minute

const snapshots = [];
let serverHistory = null; // null: not known yet; true / false
let fetched = null;       // {at: ms, units} from the server, for the replay time
let playing = null;
let fetchTimer = null;

export function viewTime() {
  return state.replayAt || hubNow();
}

export function isLive() {
  return state.replayAt === null;
}

/** Keeps each picture the page receives, so that the slider can go back to it. */
export function recordSnapshot(units) {
  snapshots.push({ at: hubNow().getTime(), units });
  if (snapshots.length > MAX_SNAPSHOTS) snapshots.shift();
}

/** The unit features to draw at the view time. */
export function pictureAt() {
  if (isLive()) return { units: (state.units && state.units.features) || [] };
  const t = state.replayAt.getTime();
  if (fetched && fetched.at === t) return { units: fetched.units.features };
  return { units: fromSnapshots(t) };
}

function fromSnapshots(t) {
  const latest = new Map();
  let cells = [];
  const all = [...snapshots, { at: Infinity, units: state.units }];
  for (const snap of all) {
    if (snap.at <= t) cells = snap.units.features.filter((f) => f.id === undefined);
    for (const f of (snap.units && snap.units.features) || []) {
      if (f.id === undefined) continue;
      const seen = Date.parse(f.properties.time);
      const stale = Date.parse(f.properties.stale);
      if (seen > t || stale <= t) continue;
      const held = latest.get(f.id);
      if (!held || Date.parse(held.properties.time) <= seen) latest.set(f.id, f);
    }
  }
  return [...latest.values(), ...cells];
}

/** True when a window [start, end] (RFC 3339 strings) is open at the view time. */
export function windowOpen(window) {
  if (!window) return true;
  const t = viewTime().getTime();
  return Date.parse(window[0]) <= t && t < Date.parse(window[1]);
}

export function init() {
  const slider = $("replay-time");
  slider.addEventListener("input", () => moveTo(Number(slider.value) * 1000));
  $("replay-live").addEventListener("click", goLive);
  $("replay-play").addEventListener("click", togglePlay);
  setInterval(updateRange, 1000);
  for (const topic of ["units", "notices", "sites", "alerts"]) on(topic, updateRange);
  detectHistory();
  updateRange();
}

async function detectHistory() {
  try {
    const response = await fetch("/openapi.json", { credentials: "same-origin" });
    const schema = await response.json();
    const get = schema.paths && schema.paths["/api/v1/units"] && schema.paths["/api/v1/units"].get;
    serverHistory = Boolean(get && (get.parameters || []).some((p) => p.name === "at"));
  } catch {
    serverHistory = false;
  }
}

function earliest() {
  const times = [hubNow().getTime() - 3600 * 1000];
  const add = (value) => {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) times.push(t);
  };
  for (const f of (state.units && state.units.features) || []) add(f.properties.time);
  for (const f of (state.notices && state.notices.features) || []) {
    add(f.properties.filed);
    if (f.properties.window) add(f.properties.window[0]);
  }
  for (const a of state.alerts) add(a.time);
  for (const s of snapshots) times.push(s.at);
  const quarter = 15 * 60 * 1000;
  return Math.floor(Math.min(...times) / quarter) * quarter;
}

function updateRange() {
  const slider = $("replay-time");
  const now = Math.floor(hubNow().getTime() / 1000);
  slider.min = String(Math.floor(earliest() / 1000));
  slider.max = String(now);
  if (isLive()) slider.value = String(now);
  label();
}

function label() {
  const text = isLive() ? `Live, ${iso(hubNow())}` : `Replaying ${iso(state.replayAt)}`;
  $("replay-label").textContent = text;
  $("replay-time").setAttribute("aria-valuetext", text);
  $("replay-live").setAttribute("aria-pressed", String(isLive()));
  document.body.classList.toggle("replaying", !isLive());
}

function moveTo(ms) {
  const now = hubNow().getTime();
  if (ms >= now - STEP_S * 1000) {
    goLive();
    return;
  }
  state.replayAt = new Date(Math.floor(ms / 1000) * 1000);
  $("replay-time").value = String(Math.floor(ms / 1000));
  note();
  label();
  emit("time", state.replayAt);
  if (serverHistory) scheduleFetch(state.replayAt.getTime());
}

function note() {
  const text = isLive() || serverHistory ? ""
    : "Replay shows positions this page has received, and each unit's latest report where it "
      + "is older than the time shown: the hub serves no position history.";
  $("replay-note").textContent = text;
}

function scheduleFetch(t) {
  clearTimeout(fetchTimer);
  fetchTimer = setTimeout(async () => {
    try {
      const units = await api(`/units?at=${encodeURIComponent(iso(new Date(t)))}`);
      fetched = { at: t, units };
      if (state.replayAt && state.replayAt.getTime() === t) emit("time", state.replayAt);
    } catch (error) {
      $("replay-note").textContent = `Positions for that time could not be read: ${error.message}`;
    }
  }, 200);
}

export function goLive() {
  stopPlaying();
  state.replayAt = null;
  fetched = null;
  note();
  updateRange();
  emit("time", null);
}

function togglePlay() {
  if (playing !== null) {
    stopPlaying();
    return;
  }
  const slider = $("replay-time");
  if (isLive()) moveTo(Number(slider.min) * 1000);
  $("replay-play").textContent = "Pause";
  playing = setInterval(() => {
    if (isLive()) {
      stopPlaying();
      return;
    }
    moveTo(state.replayAt.getTime() + PLAY_STEP_S * 1000);
  }, PLAY_FRAME_MS);
}

function stopPlaying() {
  clearInterval(playing);
  playing = null;
  $("replay-play").textContent = "Play";
}
