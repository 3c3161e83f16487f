-- The ledger: entries signed by their actors, hashed into a Merkle log, with the keys that sign
-- them and the hub's signed checkpoints (see docs/ledger.md). It replaces the unsigned stand-in
-- table `ledger` of 0002: those rows carry no signature and could prove nothing, so they are not
-- carried over. Nothing here is ever cleared by replacing the scenario.

DROP TABLE ledger;

-- One row per key ever used; a party that registers its own key retires the one the hub held.
-- `private_key` is NULL for a key the party keeps itself.
CREATE TABLE ledger_keys (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key BLOB NOT NULL,
    private_key BLOB,
    registered TEXT NOT NULL,
    retired TEXT
);
CREATE INDEX ledger_keys_by_name ON ledger_keys (name, registered);

-- `idx` is the leaf's index in the tree (0, 1, 2, ...). `body` is the entry's canonical JSON:
-- published in the entry, or, for a withheld entry, the content behind `commitment`, which the
-- hub keeps private together with `salt` and reveals only to those entitled (both NULL when
-- the party that signed it keeps the content itself). `audience` is a
-- JSON list of the parties that may read the entry (["*"] for every party).
CREATE TABLE ledger_entries (
    idx INTEGER PRIMARY KEY CHECK (idx >= 0),
    time TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    body TEXT,
    commitment TEXT,
    salt BLOB,
    key_id TEXT NOT NULL,
    signature BLOB NOT NULL,
    leaf_hash BLOB NOT NULL,
    audience TEXT NOT NULL,
    CHECK (salt IS NULL OR commitment IS NOT NULL),
    CHECK (body IS NOT NULL OR commitment IS NOT NULL)
);
-- By object, then time: an object's entries, and a party's position batches around a moment.
CREATE INDEX ledger_entries_by_ref ON ledger_entries (ref, time);

-- Further objects an entry is about, beside its `ref`, for finding its entries.
CREATE TABLE ledger_subjects (
    ref TEXT NOT NULL,
    idx INTEGER NOT NULL REFERENCES ledger_entries (idx),
    PRIMARY KEY (ref, idx)
) WITHOUT ROWID;

-- Checkpoints the hub published: `note` is the signed note with every signature line, the
-- hub's first, then the parties' countersignatures in the order they came.
CREATE TABLE ledger_checkpoints (
    size INTEGER PRIMARY KEY CHECK (size >= 0),
    root BLOB NOT NULL,
    published TEXT NOT NULL,
    note TEXT NOT NULL
);

-- The log's name (the checkpoints' origin line), chosen once when the first entry is written.
CREATE TABLE ledger_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    origin TEXT NOT NULL
);
