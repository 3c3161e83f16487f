// The offline basemap: Natural Earth country borders (10m) and rivers (50m), trimmed to the
// region by `make console` into vendor/basemap.json. No tile server, no request elsewhere.
const STYLES = {
  land: { stroke: false, fill: true, fillColor: "#f4f1ea", fillOpacity: 1 },
  lake: { color: "#5b8db8", weight: 0.8, fillColor: "#b9d3ea", fillOpacity: 1 },
  river: { color: "#3a78b5", weight: 2, opacity: 0.95 },
  coast: { color: "#6b7c8c", weight: 1 },
  border: { color: "#6d4c41", weight: 1.6, dashArray: "6 3 1 3" },
};

export async function drawBasemap(map, note) {
  let data;
  try {
    const response = await fetch("/static/vendor/basemap.json", { credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    data = await response.json();
  } catch (error) {
    note(`The basemap could not be loaded (${error.message}): run make console.`);
    return;
  }
  const group = window.L.layerGroup();
  for (const feature of data.features) {
    const layer = feature.properties.layer;
    if (layer === "label") {
      group.addLayer(label(feature));
    } else if (STYLES[layer]) {
      group.addLayer(window.L.geoJSON(feature, { pane: "basemap", interactive: false,
                                                 style: STYLES[layer] }));
    }
  }
  group.addTo(map);
}

function label(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const icon = window.L.divIcon({ className: "country-label", html: "", iconSize: null });
  const marker = window.L.marker([lat, lon], { icon, pane: "basemap", interactive: false,
                                               keyboard: false });
  marker.on("add", () => {
    marker.getElement().textContent = feature.properties.name;
  });
  return marker;
}
