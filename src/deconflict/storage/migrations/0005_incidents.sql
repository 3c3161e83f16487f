-- Incidents: events a party reported (a strike, a fire, a crossing), and the objects the hub
-- correlated with each when it was filed. Times are fixed-width UTC text as in 0001; `seq` keeps
-- the order of filing. Incidents outlive a replaced scenario, like credentials and alerts.

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    reported TEXT NOT NULL,
    happened TEXT NOT NULL,
    lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    alt_m REAL,
    radius_m REAL NOT NULL CHECK (radius_m >= 0),
    description TEXT NOT NULL
);
CREATE INDEX incidents_by_party ON incidents (party, seq);

-- `kind` is notice, unit, site, zone, line or message; `ref` the object's id (zone@version).
CREATE TABLE incident_items (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
);
