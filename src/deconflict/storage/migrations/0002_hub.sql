-- The hub's running state, beside the scenario tables of 0001: who may call it, notices as
-- filed, proposed zone versions, messages, alerts, separation levels and the ledger.
-- Times are fixed-width UTC text as in 0001; `seq` keeps each list in the order it was given.
-- Party references stay plain text (a credential may name a party the scenario does not list).

-- The namespace of targets: a conflict names its target by id alone, so units, areas, zones,
-- sites, notices, sensors and borders never share an id.
CREATE VIEW object_ids (id, kind) AS
    SELECT id, 'unit' FROM units
    UNION ALL SELECT id, 'area' FROM areas
    UNION ALL SELECT id, 'zone' FROM zones
    UNION ALL SELECT id, 'site' FROM sites
    UNION ALL SELECT id, 'notice' FROM notices
    UNION ALL SELECT id, 'sensor' FROM sensors
    UNION ALL SELECT id, 'border' FROM borders;

-- The position index, rebuilt. Each unit's latest fix moves to latest_fixes: it changes with
-- every report, and changing an R*Tree entry (a delete and a re-insert) costs several times a
-- plain row update. fix_index keeps only superseded fixes, over their closed interval
-- [observed, next observed], written once. Its rows are now numbered in the order they are
-- written, the fix id riding along: numbered by fix id, every insert landed somewhere old in
-- the R*Tree's rowid map, which made that map most of what a batch of reports wrote to disk.
CREATE TABLE latest_fixes (
    unit_id TEXT PRIMARY KEY,
    fix_id INTEGER NOT NULL,
    observed TEXT NOT NULL,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    radius_m REAL NOT NULL,
    min_lon REAL NOT NULL,
    max_lon REAL NOT NULL,
    min_lat REAL NOT NULL,
    max_lat REAL NOT NULL
) WITHOUT ROWID;

INSERT INTO latest_fixes (unit_id, fix_id, observed, lon, lat, radius_m, min_lon, max_lon,
                          min_lat, max_lat)
SELECT f.unit_id, f.id, f.observed, f.lon, f.lat, f.radius_m,
       i.min_lon, i.max_lon, i.min_lat, i.max_lat
FROM units AS u
JOIN fixes AS f ON f.id = (SELECT g.id FROM fixes AS g WHERE g.unit_id = u.id
                           ORDER BY g.observed DESC, g.id DESC LIMIT 1)
JOIN fix_index AS i ON i.id = f.id;

CREATE VIRTUAL TABLE fix_history USING rtree (
    id,
    min_lon, max_lon,
    min_lat, max_lat,
    valid_from, valid_to,
    +fix_id INTEGER
);
INSERT INTO fix_history (min_lon, max_lon, min_lat, max_lat, valid_from, valid_to, fix_id)
SELECT min_lon, max_lon, min_lat, max_lat, valid_from, valid_to, id FROM fix_index
WHERE id NOT IN (SELECT fix_id FROM latest_fixes)
ORDER BY valid_from, id;
DROP TABLE fix_index;
ALTER TABLE fix_history RENAME TO fix_index;

-- Objects filed while the hub runs are appended after the last `seq`.
CREATE INDEX units_by_seq ON units (seq);
CREATE INDEX notices_by_seq ON notices (seq);
CREATE INDEX sites_by_seq ON sites (seq);

-- Only a hash of a token's secret is kept.
CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    party TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE INDEX credentials_by_created ON credentials (created, id);

CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    credential_id TEXT NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    expires TEXT NOT NULL
);
CREATE INDEX sessions_by_credential ON sessions (credential_id);

-- A filing lives as long as its notice: replacing the scenario's notices drops their filings.
CREATE TABLE filings (
    notice_id TEXT PRIMARY KEY REFERENCES notices (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    filed TEXT NOT NULL,
    checkpoint INTEGER NOT NULL CHECK (checkpoint >= 0)
);
CREATE INDEX filings_by_filed ON filings (filed, notice_id);

CREATE TABLE filing_conflicts (
    notice_id TEXT NOT NULL REFERENCES filings (notice_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    rule TEXT NOT NULL,
    target TEXT NOT NULL,
    party TEXT NOT NULL,
    distance_m REAL NOT NULL,
    severity TEXT CHECK (severity IS NULL OR severity IN ('critical', 'warn')),
    PRIMARY KEY (notice_id, seq)
);

CREATE TABLE filing_answers (
    notice_id TEXT NOT NULL REFERENCES filings (notice_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    answered TEXT NOT NULL,
    comment TEXT NOT NULL,
    PRIMARY KEY (notice_id, seq)
);

-- Proposed versions of zones and lines, signed or not; the version in effect is in `zones`.
CREATE TABLE zone_versions (
    zone_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    geometry TEXT NOT NULL,
    radius_m REAL NOT NULL CHECK (radius_m >= 0),
    owner TEXT,
    name TEXT NOT NULL,
    proposer TEXT NOT NULL,
    proposed TEXT NOT NULL,
    PRIMARY KEY (zone_id, version)
);

CREATE TABLE zone_version_signatories (
    zone_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    party TEXT NOT NULL,
    PRIMARY KEY (zone_id, version, seq),
    FOREIGN KEY (zone_id, version) REFERENCES zone_versions (zone_id, version) ON DELETE CASCADE
);

CREATE TABLE zone_version_sides (
    zone_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('left', 'right')),
    party TEXT NOT NULL,
    PRIMARY KEY (zone_id, version, seq),
    FOREIGN KEY (zone_id, version) REFERENCES zone_versions (zone_id, version) ON DELETE CASCADE
);

-- Signatures in the order they were given.
CREATE TABLE zone_version_signatures (
    zone_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    party TEXT NOT NULL,
    signed TEXT NOT NULL,
    PRIMARY KEY (zone_id, version, seq),
    FOREIGN KEY (zone_id, version) REFERENCES zone_versions (zone_id, version) ON DELETE CASCADE
);

-- `escalated_from` is plain text: a chain may outlive the message it started from.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    level TEXT NOT NULL,
    body TEXT NOT NULL,
    sent TEXT NOT NULL,
    deadline TEXT NOT NULL,
    acknowledged TEXT,
    escalated TEXT,
    escalated_from TEXT
);
CREATE INDEX messages_by_sent ON messages (sent, id);
CREATE INDEX messages_by_sender ON messages (sender, sent, id);
CREATE INDEX messages_by_recipient ON messages (recipient, sent, id);

CREATE TABLE unresponsive (
    party TEXT PRIMARY KEY,
    since TEXT NOT NULL
);

-- The alert stream; `payload` is a JSON object. Ids only grow: a client resumes after the last
-- one it saw.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY CHECK (id >= 1),
    audience TEXT NOT NULL,
    kind TEXT NOT NULL,
    raised TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX alerts_by_audience ON alerts (audience, id);

-- The level each close pair of units was last alerted at; `a` sorts before `b`.
CREATE TABLE separation_levels (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('warn', 'critical')),
    PRIMARY KEY (a, b)
);

-- Every state change, in order (a stand-in until entries are signed and hashed into a log).
CREATE TABLE ledger (
    position INTEGER PRIMARY KEY CHECK (position >= 1),
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    recorded TEXT NOT NULL
);
