// The hub's clock, ticking locally between readings of GET /me (exercise time included).
import { $ } from "./dom.js";

let offsetMs = 0;
let timer = null;

/** Sets the clock from the hub's time as read at ``readAt`` (the local time of the reading). */
export function syncClock(hubTimeIso, readAt = Date.now()) {
  const hubMs = Date.parse(hubTimeIso);
  if (!Number.isNaN(hubMs)) offsetMs = hubMs - readAt;
}

export function hubNow() {
  return new Date(Date.now() + offsetMs);
}

/** RFC 3339 in UTC to the second, as the API writes it. */
export function iso(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function startClock() {
  const el = $("hub-clock");
  const tick = () => {
    const now = iso(hubNow());
    el.textContent = now;
    el.dateTime = now;
  };
  tick();
  if (timer === null) timer = setInterval(tick, 1000);
}

export function stopClock() {
  clearInterval(timer);
  timer = null;
}
