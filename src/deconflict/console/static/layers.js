// The map's layers and their toggles. A layer module registers its layers here; app.js lists
// the modules. To add one (border sensors, tracks, ...): write a module exporting
// `init(context)` that calls registerLayer(...) and draws into the group it gets back, then add
// it to LAYER_MODULES in app.js.
import { h } from "./dom.js";

const registry = [];

/**
 * Registers a toggleable layer: {id, label, swatch?} → a Leaflet LayerGroup, on the map while
 * its checkbox is ticked (all are ticked at first).
 */
export function registerLayer({ id, label, swatch = null }) {
  const group = window.L.layerGroup();
  registry.push({ id, label, swatch, group });
  return group;
}

export function isShown(id) {
  const entry = registry.find((e) => e.id === id);
  return Boolean(entry && entry.checkbox && entry.checkbox.checked);
}

export function renderToggles(container, map) {
  for (const entry of registry) {
    const inputId = `layer-${entry.id}`;
    const checkbox = h("input", { type: "checkbox", id: inputId, checked: true });
    checkbox.addEventListener("change", () => {
      if (checkbox.checked) entry.group.addTo(map);
      else entry.group.remove();
    });
    entry.checkbox = checkbox;
    entry.group.addTo(map);
    const swatch = entry.swatch ? h("span", { class: `swatch ${entry.swatch}`,
                                              "aria-hidden": "true" }) : null;
    container.append(h("div", { class: "toggle" }, checkbox,
                       h("label", { for: inputId }, swatch, entry.label)));
  }
}
