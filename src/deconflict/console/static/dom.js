// Small DOM helpers. Text from the server is only ever set as text (never as HTML).

/** Builds an element: h("li", {class: "x", dataset: {testid: "y"}}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function $(id) {
  return document.getElementById(id);
}

export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Shows a message in an element with role=alert (or hides it when the text is empty). */
export function showError(el, error) {
  const text = error ? describeError(error) : "";
  el.textContent = text;
  el.hidden = text === "";
}

export function describeError(error) {
  if (error && error.code) {
    const field = error.field ? ` (${error.field})` : "";
    return `${error.message}${field}`;
  }
  return String(error && error.message ? error.message : error);
}

/** "2017-09-18T07:00:00Z" → "07:00Z 18 Sep" for lists; the full value stays in a title. */
export function shortTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hm = d.toISOString().slice(11, 16);
  const day = d.getUTCDate();
  const month = d.toLocaleString("en", { month: "short", timeZone: "UTC" });
  return `${hm}Z ${day} ${month}`;
}

/** "2017-09-18T11:05:25.97Z" → "11:05:25Z". */
export function clockTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${d.toISOString().slice(11, 19)}Z`;
}

export function timeEl(iso) {
  return h("time", { datetime: iso, title: iso }, shortTime(iso));
}

/** Seconds as "1:05:09" or "4:32". */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

export function km(metres) {
  return metres >= 10000 ? `${(metres / 1000).toFixed(0)} km` : `${(metres / 1000).toFixed(1)} km`;
}

/**
 * Renders a list keeping the elements of items that did not change (so focus, a half-typed
 * reason or an open form survive a refresh): ``signature(item)`` tells when one changed.
 */
export function renderKeyed(list, items, key, signature, build, empty = null) {
  const old = new Map([...list.children].map((el) => [el.dataset.key, el]));
  const next = items.map((item) => {
    const k = key(item);
    const sig = signature(item);
    const kept = old.get(k);
    if (kept && kept.dataset.sig === sig) return kept;
    const el = build(item);
    el.dataset.key = k;
    el.dataset.sig = sig;
    return el;
  });
  if (!next.length && empty) next.push(h("li", { class: "empty" }, empty));
  next.forEach((el, i) => {
    if (list.children[i] !== el) list.insertBefore(el, list.children[i] || null);
  });
  while (list.children.length > next.length) list.lastElementChild.remove();
}
