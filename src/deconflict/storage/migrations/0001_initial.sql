-- The hub's state as relational tables (SQLite).
-- Times are fixed-width ISO 8601 UTC text ('2017-09-18T06:00:00.000000Z'), so text order is time
-- order. Geometries are GeoJSON text plus radius_m (a Point with a radius is a circle).
-- `seq` keeps each list in the order the scenario gave it. Party references are plain text, not
-- foreign keys: a scenario may name parties it does not list (an area held by "is").
-- schema_migrations is created by the migration runner itself, before this file runs.

CREATE TABLE meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format_version INTEGER NOT NULL,
    name TEXT NOT NULL,
    now TEXT NOT NULL
);

CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    sponsor TEXT
);

CREATE TABLE relations (
    seq INTEGER PRIMARY KEY,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE separation (
    seq INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('default', 'pair')),
    a TEXT,
    b TEXT,
    warn_m REAL NOT NULL CHECK (warn_m >= 0),
    critical_m REAL NOT NULL CHECK (critical_m >= 0 AND critical_m <= warn_m),
    CHECK ((scope = 'default') = (a IS NULL AND b IS NULL)),
    CHECK (scope = 'default' OR (a IS NOT NULL AND b IS NOT NULL AND a <= b))
);
CREATE UNIQUE INDEX separation_one_default ON separation (scope) WHERE scope = 'default';
CREATE UNIQUE INDEX separation_pair ON separation (a, b) WHERE scope = 'pair';

CREATE TABLE disclosure (
    seq INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    recipient TEXT NOT NULL,
    level TEXT NOT NULL
);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

-- The position history. Among fixes with the same time, the later id is the later report.
CREATE TABLE fixes (
    id INTEGER PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    observed TEXT NOT NULL,
    lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    alt_m REAL,
    radius_m REAL NOT NULL CHECK (radius_m >= 0),
    stale TEXT CHECK (stale IS NULL OR stale >= observed)
);
CREATE INDEX fixes_by_unit_time ON fixes (unit_id, observed, id);

-- Boxes of fixes (position enlarged by radius_m) over the interval during which each fix is its
-- unit's latest: [observed, next fix's observed], in seconds since 1970; +inf for the last one.
-- R*Tree rounds stored boxes outward, so it may admit extra candidates, never drop one.
CREATE VIRTUAL TABLE fix_index USING rtree (
    id,
    min_lon, max_lon,
    min_lat, max_lat,
    valid_from, valid_to
);

CREATE TABLE areas (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    holder TEXT NOT NULL,
    kind TEXT NOT NULL,
    geometry TEXT NOT NULL,
    radius_m REAL NOT NULL CHECK (radius_m >= 0),
    name TEXT NOT NULL
);

CREATE TABLE zones (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    geometry TEXT NOT NULL,
    radius_m REAL NOT NULL CHECK (radius_m >= 0),
    owner TEXT,
    name TEXT NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE zone_signatories (
    zone_id TEXT NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    party TEXT NOT NULL,
    PRIMARY KEY (zone_id, seq)
);

CREATE TABLE zone_sides (
    zone_id TEXT NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('left', 'right')),
    party TEXT NOT NULL,
    PRIMARY KEY (zone_id, seq)
);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    geometry TEXT NOT NULL,
    radius_m REAL NOT NULL CHECK (radius_m >= 0),
    buffer_m REAL NOT NULL CHECK (buffer_m >= 0),
    window_start TEXT,
    window_end TEXT,
    name TEXT NOT NULL,
    CHECK ((window_start IS NULL) = (window_end IS NULL)),
    CHECK (window_end IS NULL OR window_end >= window_start)
);

CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    geometry TEXT NOT NULL,
    radius_m REAL NOT NULL CHECK (radius_m >= 0),
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL CHECK (window_end >= window_start),
    buffer_m REAL NOT NULL CHECK (buffer_m >= 0),
    standoff_m REAL CHECK (standoff_m IS NULL OR standoff_m >= 0),
    alt_low_m REAL,
    alt_high_m REAL,
    name TEXT NOT NULL,
    CHECK ((alt_low_m IS NULL) = (alt_high_m IS NULL)),
    CHECK (alt_high_m IS NULL OR alt_high_m >= alt_low_m)
);

CREATE TABLE sensors (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    alt_m REAL,
    range_m REAL NOT NULL CHECK (range_m >= 0),
    bearing_deg REAL,
    fov_deg REAL,
    name TEXT NOT NULL,
    CHECK ((bearing_deg IS NULL) = (fov_deg IS NULL))
);

CREATE TABLE borders (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    geometry TEXT NOT NULL,
    radius_m REAL NOT NULL CHECK (radius_m >= 0),
    name TEXT NOT NULL
);

-- Boxes of every geometry-bearing object (areas, zones, sites, notices, borders: the shape with
-- its radius; sensors: the position). `kind` and `ref` name the object.
CREATE VIRTUAL TABLE shape_index USING rtree (
    id,
    min_lon, max_lon,
    min_lat, max_lat,
    +kind TEXT,
    +ref TEXT
);
