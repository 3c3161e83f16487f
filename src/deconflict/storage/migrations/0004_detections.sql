-- Border surveillance: detections reported by sensors' parties, the tracks the hub associates
-- them into, and the tracks' crossings and touches of border lines.
-- Times are fixed-width UTC text as in 0001. Sensor, border and party references are plain
-- text: a scenario replaced later may drop a sensor, and its detections stay on record.

-- `head` is the track's latest detection (kept here so that open tracks' heads are one read).
CREATE TABLE tracks (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    party TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('tentative', 'confirmed', 'closed')),
    head TEXT NOT NULL
);
CREATE INDEX tracks_by_party ON tracks (party, state, seq);

-- `seq` is the order of arrival at the hub: among detections with the same time, the later
-- seq was reported later.
CREATE TABLE detections (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    track_id TEXT NOT NULL REFERENCES tracks (id),
    sensor_id TEXT NOT NULL,
    party TEXT NOT NULL,
    observed TEXT NOT NULL,
    lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    alt_m REAL,
    uncertainty_m REAL NOT NULL CHECK (uncertainty_m >= 0),
    classification TEXT,
    heading_deg REAL CHECK (heading_deg IS NULL OR (heading_deg >= 0 AND heading_deg < 360)),
    speed_mps REAL CHECK (speed_mps IS NULL OR speed_mps >= 0)
);
CREATE INDEX detections_by_party_time ON detections (party, observed, seq);
CREATE INDEX detections_by_track ON detections (track_id, observed, seq);

CREATE TABLE crossings (
    track_id TEXT NOT NULL REFERENCES tracks (id),
    seq INTEGER NOT NULL,
    border_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('crossing', 'touch')),
    crossed TEXT NOT NULL,
    lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    from_side TEXT NOT NULL CHECK (from_side IN ('left', 'right')),
    to_side TEXT NOT NULL CHECK (to_side IN ('left', 'right')),
    before_id TEXT NOT NULL,
    after_id TEXT NOT NULL,
    heading_deg REAL NOT NULL,
    PRIMARY KEY (track_id, seq)
);
