// Military symbols (milsymbol, MIL-STD-2525C letter codes). The affiliation comes from the
// viewer's own relation to the unit's party: own and partner forces are friends.
const AFFILIATION = { self: "F", partner: "F", neutral: "N", hostile: "H" };
const DIMENSION = { ground: ["G", "U-----"], air: ["A", "------"], sea: ["S", "------"] };

export const RELATION_COLOURS = {
  self: "#1d4ed8", partner: "#1d4ed8", neutral: "#15803d", hostile: "#b91c1c", unknown: "#8a6d00",
};

export function colourOf(relation) {
  return RELATION_COLOURS[relation] || RELATION_COLOURS.unknown;
}

export function sidc(kind, relation) {
  const affiliation = AFFILIATION[relation] || "U";
  const [dimension, fn] = DIMENSION[kind] || DIMENSION.ground;
  return `S${affiliation}${dimension}P${fn}-----`;
}

/** An SVG element for a unit and the point of it that sits on the position. */
export function unitSymbol(kind, relation) {
  const symbol = new window.ms.Symbol(sidc(kind, relation), { size: 26, square: false });
  const svg = symbol.asDOM();
  const size = symbol.getSize();
  const anchor = symbol.getAnchor();
  return { svg, size: [size.width, size.height], anchor: [anchor.x, anchor.y] };
}
