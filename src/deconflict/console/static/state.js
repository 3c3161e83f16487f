// What the page knows, all of it as the server returned it, and a small event bus.
// Topics: "me", "parties", "units", "zones", "versions", "sites", "notices", "messages",
// "alerts", "alert" (one new alert), "time" (replay time moved), "session:lost", and for border
// surveillance "borders", "coverage", "sensors", "tracks", "detections".

export const state = {
  me: null,           // GET /me
  parties: [],        // GET /parties (with the viewer's relation to each)
  units: null,        // GET /units (FeatureCollection)
  zones: null,        // GET /zones
  versions: [],       // GET /zones/versions
  sites: null,        // GET /sites
  notices: null,      // GET /notices
  messages: [],       // GET /messages
  alerts: [],         // GET /alerts, then the stream
  borders: null,      // GET /borders (every border: shared geography)
  coverage: null,     // GET /coverage (from the sensors this party may see)
  sensors: null,      // GET /sensors
  tracks: null,       // GET /tracks
  detections: null,   // GET /detections
  replayAt: null,     // Date while replaying, null when live
};

const listeners = new Map();

export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
}

export function emit(topic, payload) {
  for (const fn of listeners.get(topic) || []) {
    try {
      fn(payload);
    } catch (error) {
      console.error(`listener of ${topic} failed`, error);
    }
  }
}

export function set(topic, value) {
  state[topic] = value;
  emit(topic, value);
}

/** The viewer's relation to a party: self | partner | neutral | hostile (unknown when absent). */
export function relationOf(party) {
  const found = state.parties.find((p) => p.id === party);
  return found ? found.relation : "unknown";
}

export function partyName(party) {
  const found = state.parties.find((p) => p.id === party);
  return found ? found.name : party;
}

export function myParty() {
  return state.me ? state.me.party : null;
}
