// Drawing on the map into a Coordinates textarea: each click adds a vertex; a double click or
// Enter finishes, Escape cancels. The textarea stays the one source of the geometry, so the
// keyboard route (typing "lon,lat" lines) and the mouse route give the same result.
import { formatCoordinates } from "./geometry.js";
import { getMap } from "./map.js";

let active = null;

export function isDrawing() {
  return active !== null;
}

/** shape: point | line | polygon; status(text) tells the user what to do next. */
export function startDrawing({ shape, textarea, button, status }) {
  if (active) finish();
  const map = getMap();
  const before = textarea.value;
  const points = [];
  const update = () => {
    textarea.value = formatCoordinates(points);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const onClick = (event) => {
    const { lat, lng } = event.latlng;
    const last = points[points.length - 1];
    const pixel = map.latLngToContainerPoint(event.latlng);
    // The two clicks of a double click land on the same spot: keep one vertex.
    if (last && map.latLngToContainerPoint([last[1], last[0]]).distanceTo(pixel) < 4) return;
    points.push([lng, lat]);
    update();
    if (shape === "point") finish();
    else status(`${points.length} point(s): click to add, double-click or Enter to finish.`);
  };
  const onKey = (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      finish();
    } else if (event.key === "Escape") {
      textarea.value = before;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      finish("Drawing cancelled.");
    }
  };
  const onDouble = () => finish();
  map.on("click", onClick);
  map.on("dblclick", onDouble);
  document.addEventListener("keydown", onKey, true);
  map.getContainer().classList.add("drawing");
  button.setAttribute("aria-pressed", "true");
  status(shape === "point" ? "Click the map where the notice is."
    : "Click the map to add points; double-click or Enter finishes, Escape cancels.");
  active = { map, onClick, onDouble, onKey, button, status, textarea };
}

export function finish(message = "Drawing finished: check the coordinates, then file.") {
  if (!active) return;
  const { map, onClick, onDouble, onKey, button, status, textarea } = active;
  map.off("click", onClick);
  map.off("dblclick", onDouble);
  document.removeEventListener("keydown", onKey, true);
  map.getContainer().classList.remove("drawing");
  button.setAttribute("aria-pressed", "false");
  active = null;
  status(message);
  textarea.focus();
}
