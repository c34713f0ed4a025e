//! Schema migrations, numbered by SQLite's `user_version`. Append new steps; never edit one
//! that has shipped.

use rusqlite_migration::{M, Migrations};

const V1: &str = r#"
-- Device-local facts: this device's id, when its keys were made, local settings. Not synced.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The op log. Append-only: triggers refuse updates and deletes.
CREATE TABLE ops (
    id          TEXT PRIMARY KEY,       -- UUIDv7
    hlc         TEXT NOT NULL,          -- hybrid logical clock, sortable string form
    device      TEXT NOT NULL,          -- writer
    seq         INTEGER NOT NULL,       -- writer's sequence number, 1.. without gaps
    site        TEXT NOT NULL,
    kind        TEXT NOT NULL,          -- e.g. visit.signed_in
    entity      TEXT NOT NULL,          -- e.g. visit
    entity_id   TEXT NOT NULL,
    body        TEXT NOT NULL,          -- JSON of the operation body
    received_at INTEGER NOT NULL,       -- ms since epoch, when this device stored it
    UNIQUE (device, seq)
) STRICT;
CREATE INDEX ops_entity ON ops (entity, entity_id);
CREATE INDEX ops_hlc ON ops (hlc);
CREATE TRIGGER ops_are_append_only_update BEFORE UPDATE ON ops
BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;
CREATE TRIGGER ops_are_append_only_delete BEFORE DELETE ON ops
BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;

-- The host directory, as last written by its author.
CREATE TABLE hosts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    department TEXT NOT NULL,
    extension  TEXT NOT NULL,
    email      TEXT NOT NULL,
    may_escort INTEGER NOT NULL,
    active     INTEGER NOT NULL,
    hlc        TEXT NOT NULL
) STRICT;

-- Visits, materialised from the op log. A row can exist before its sign-in op arrives
-- (a sign-out synced first); it is then a placeholder with created = 0.
CREATE TABLE visits (
    id             TEXT PRIMARY KEY,
    created        INTEGER NOT NULL DEFAULT 0,
    created_hlc    TEXT,
    name           TEXT NOT NULL DEFAULT '',
    company        TEXT NOT NULL DEFAULT '',
    host_id        TEXT NOT NULL DEFAULT '',
    purpose        TEXT NOT NULL DEFAULT '',
    field_clocks   TEXT NOT NULL DEFAULT '{}',  -- JSON {field: hlc} for last-writer-wins
    desk_id        TEXT NOT NULL DEFAULT '',
    device         TEXT NOT NULL DEFAULT '',
    signed_in_at   INTEGER,                     -- ms since epoch
    signed_out_at  INTEGER,
    signed_out_hlc TEXT
) STRICT;
CREATE INDEX visits_on_site ON visits (signed_in_at) WHERE created = 1 AND signed_out_at IS NULL;
"#;

/// Print jobs (device-local, not synced): recorded before they reach the OS print system, so
/// a job is never handed over twice by itself. The document is kept only while a retry may
/// need it.
const V2_PRINT_JOBS: &str = r#"
CREATE TABLE print_jobs (
    id          TEXT PRIMARY KEY,       -- UUIDv7
    kind        TEXT NOT NULL,          -- badge, card, list…
    subject     TEXT NOT NULL,          -- what it prints, e.g. a visit id
    title       TEXT NOT NULL,
    printer     TEXT NOT NULL,
    media_w     REAL NOT NULL,          -- page size in mm
    media_h     REAL NOT NULL,
    document    BLOB,                   -- the PDF; NULL once completed or cancelled
    raster      BLOB,                   -- PNG for print systems that print pixels
    state       TEXT NOT NULL CHECK (state IN ('recorded', 'sent', 'completed', 'failed', 'cancelled', 'interrupted')),
    system_job  TEXT,                   -- the OS's job id
    attempts    INTEGER NOT NULL,
    failure     TEXT,
    detail      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX print_jobs_subject ON print_jobs (kind, subject, created_at);
CREATE INDEX print_jobs_created ON print_jobs (created_at);
"#;

/// Site data its author publishes as whole documents (site settings; later card sets, the
/// watch list): last writer wins per document, by HLC. See `sync::authority`.
const V4_AUTHORED_DOCS: &str = r#"
CREATE TABLE authored_docs (
    collection TEXT NOT NULL,   -- e.g. site
    id         TEXT NOT NULL,
    hlc        TEXT NOT NULL,   -- the winning op's stamp: the document's version
    body       TEXT NOT NULL,   -- JSON
    PRIMARY KEY (collection, id)
) STRICT;
"#;

/// Every schema step, oldest first; step N (from 1) takes `user_version` to N. Keep each
/// step's SQL beside the module that owns its tables and append its line here.
fn steps() -> Vec<M<'static>> {
    vec![
        M::up(V1),
        M::up(V2_PRINT_JOBS),
        M::up(crate::audit::SCHEMA),
        M::up(V4_AUTHORED_DOCS),
        M::up(super::evacuation::SCHEMA),
        M::up(super::escort::SCHEMA),
        M::up(super::visitors::SCHEMA),
        M::up(super::alerts::SCHEMA),
    ]
}

pub fn migrations() -> Migrations<'static> {
    Migrations::new(steps())
}

/// The schema version this build writes: the number of steps.
pub fn latest_version() -> usize {
    steps().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_latest_version_matches() {
        migrations().validate().unwrap();
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version as usize, latest_version());
    }
}
