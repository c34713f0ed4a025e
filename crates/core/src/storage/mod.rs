//! The device's SQLite database: the op log plus the tables materialised from it.

pub mod alerts;
mod apply;
mod authored;
pub mod checkpoint;
mod escort;
mod evacuation;
mod migrations;
mod print_jobs;
mod queries;
mod sync;
pub mod visitors;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::hlc::Hlc;
use crate::ids::DeviceId;
use crate::op::Op;

pub use authored::{CARDS as AUTHORED_CARDS, SITE as AUTHORED_SITE};
pub use migrations::latest_version;
pub use queries::Reader;

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "frontdesk.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "the database {path} has schema version {found}, newer than this build understands ({supported}); \
         run a newer Frontdesk or restore a backup"
    )]
    SchemaTooNew { path: String, found: usize, supported: usize },
    #[error("database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("migrating the database failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A bug, not a state: ops are always synced to disk as they are written.
    #[error("operation {0} was written in a change that is not synced to disk")]
    UnsyncedOp(String),
    #[error("operation {op} is invalid: {reason}")]
    InvalidOp { op: String, reason: String },
    #[error("operation {op} reuses sequence number {seq} of device {device} that another operation holds")]
    SequenceConflict { op: String, device: String, seq: u64 },
}

/// A write transaction in progress (see [`Store::transaction`]).
pub struct Tx<'c> {
    tx: rusqlite::Transaction<'c>,
    received_at_ms: i64,
}

impl Tx<'_> {
    pub fn read(&self) -> Reader<'_> {
        Reader(&self.tx)
    }

    /// Append an op to the log and apply its merge rule; `false` if the log already had it.
    pub fn append_op(&self, op: &Op) -> Result<bool> {
        apply::append_and_apply(&self.tx, op, self.received_at_ms)
    }

    /// Append an entry to the audit log, chained to the last one.
    pub fn audit(&self, at_ms: i64, entry: &crate::audit::NewAuditEntry) -> Result<crate::audit::AuditEntry> {
        crate::audit::append(&self.tx, at_ms, entry)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        set_meta(&self.tx, key, value)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        meta(&self.tx, key)
    }
}

// Cached statements: the sync engine and the alert courier read and write these many times a
// second during a burst.
fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?)
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// One query plan per statement, whatever values are bound (SQLite's query planner stability
/// guarantee). Without it SQLite 3.53 compiles a cached statement with `LIMIT ?` (or a bound
/// value it compares with a partial index's condition) again every time it is bound: the
/// alert courier's and the sync loop's cached statements were parsed anew on every call, an
/// eighth of the CPU of an alert burst. Also what a kiosk wants anyway: the plans measured in
/// the benchmarks are the plans that run at the desk.
pub fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Checkpoints the WAL on its own thread, so no commit (an alert's) pays for it.
    checkpointer: Option<checkpoint::Checkpointer>,
}

impl Store {
    /// Open (creating if needed) the database in `data_dir`, migrated to the latest schema.
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StorageError::DataDir { path: data_dir.display().to_string(), source })?;
        Store::open(&data_dir.join(DATABASE_FILE))
    }

    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        let open_err = |source| StorageError::Open { path: shown.clone(), source };
        let mut conn = Connection::open(path).map_err(open_err)?;
        // WAL lets readers run beside the writer; FULL syncs every commit so a committed change
        // survives power loss, which the op log promises.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(open_err)?;
        // Deleted content is overwritten, not merely unlinked: a retention purge leaves no
        // personal data in free pages of the file.
        conn.pragma_update(None, "secure_delete", true).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(open_err)?;
        stable_plans(&conn).map_err(open_err)?;

        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(open_err)?;
        let found = usize::try_from(found).unwrap_or(usize::MAX);
        if found > latest_version() {
            return Err(StorageError::SchemaTooNew { path: shown, found, supported: latest_version() });
        }
        migrations::migrations().to_latest(&mut conn)?;
        let checkpointer = checkpoint::Checkpointer::start(path, &conn).map_err(open_err)?;
        Ok(Store { conn, path: path.to_owned(), checkpointer })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open connection (backups copy through it with SQLite's online backup API).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Hand the connection to `f` (which may replace the database file, e.g. a restore), then
    /// open whatever database is at this path again, migrated.
    pub fn reopen_after<T>(&mut self, f: impl FnOnce(Connection) -> T) -> Result<T> {
        // `f` may need the database to itself (leaving WAL mode does).
        drop(self.checkpointer.take());
        let conn = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
        let value = f(conn);
        let path = self.path.clone();
        *self = Store::open(&path)?;
        Ok(value)
    }

    /// Run `f` with commits that are not synced to disk on their own, for writes that are done
    /// again if a power cut loses them: ops pulled from the hub (with the cursor they advance),
    /// the hub's delivery confirmations, the "last synced" time. In WAL mode such a commit
    /// survives the app crashing; the next synced commit (any change of this desk's own) takes
    /// it to disk with it, and a power cut before that loses only whole transactions. During an
    /// alert burst this keeps the disk for the commits that must be synced: the alerts.
    pub fn redoable<T, E: From<StorageError>>(
        &mut self,
        f: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.conn.pragma_update(None, "synchronous", "NORMAL").map_err(StorageError::from)?;
        let result = f(self);
        // Back to synced, whatever `f` did; if even that fails, say so rather than carry on
        // with the op log unsynced.
        self.conn.pragma_update(None, "synchronous", "FULL").map_err(StorageError::from)?;
        result
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        meta(&self.conn, key)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        set_meta(&self.conn, key, value)
    }

    /// Check the audit log's hash chain.
    pub fn verify_audit(&self) -> Result<crate::audit::AuditVerification> {
        crate::audit::verify(&self.conn)
    }

    /// The greatest clock stamp in the log, so a restarted clock continues after it.
    pub fn max_hlc(&self) -> Result<Option<Hlc>> {
        let text: Option<String> = self.conn.query_row("SELECT max(hlc) FROM ops", [], |r| r.get(0))?;
        text.map(|t| t.parse().map_err(|e: crate::hlc::HlcParseError| StorageError::Corrupt(e.to_string()))).transpose()
    }

    /// The next sequence number for an op written by `device`.
    pub fn next_seq(&self, device: DeviceId) -> Result<u64> {
        let max: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(seq) FROM ops WHERE device = ?1")?
            .query_row([device.to_string()], |r| r.get(0))?;
        Ok(max.map_or(1, |m| m as u64 + 1))
    }

    pub fn read(&self) -> Reader<'_> {
        Reader(&self.conn)
    }

    /// Build an op from the state inside a write transaction, append it and apply it, then
    /// commit. If `build` refuses, or anything fails, nothing is stored.
    pub fn commit_with<E>(
        &mut self,
        received_at_ms: i64,
        build: impl FnOnce(Reader<'_>) -> std::result::Result<Op, E>,
    ) -> std::result::Result<Op, E>
    where
        E: From<StorageError>,
    {
        let tx = self.conn.transaction().map_err(StorageError::from)?;
        let op = build(Reader(&tx))?;
        apply::append_and_apply(&tx, &op, received_at_ms)?;
        tx.commit().map_err(StorageError::from)?;
        Ok(op)
    }

    /// Run `f` in one write transaction: the ops it appends, the audit entries it writes and
    /// any device-local rows it changes are committed together, or not at all if it fails.
    pub fn transaction<T, E>(
        &mut self,
        received_at_ms: i64,
        f: impl FnOnce(&Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StorageError>,
    {
        let tx = Tx { tx: self.conn.transaction().map_err(StorageError::from)?, received_at_ms };
        let value = f(&tx)?;
        tx.tx.commit().map_err(StorageError::from)?;
        Ok(value)
    }

    /// Apply ops from other devices (or re-sent ones). Already-known ops are skipped, so this is
    /// idempotent; the merge rules make the result independent of order. Returns how many were new.
    pub fn apply_all(&mut self, ops: &[Op], received_at_ms: i64) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut new = 0;
        for op in ops {
            if apply::append_and_apply(&tx, op, received_at_ms)? {
                new += 1;
            }
        }
        tx.commit()?;
        Ok(new)
    }
}

/// Tests only: a database at an older schema `version`, as a previous release left it, with
/// a device id, so opening it exercises a migration.
#[doc(hidden)]
pub fn create_at_version_for_tests(path: &Path, version: usize) {
    let mut conn = Connection::open(path).expect("open");
    migrations::migrations().to_version(&mut conn, version).expect("migrate to the old version");
    set_meta(&conn, "device_id", &DeviceId::new().to_string()).expect("device id");
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    use super::*;

    #[test]
    fn a_cached_statement_keeps_its_plan_whatever_is_bound_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let device = DeviceId::new();
        let sql = "SELECT id FROM ops WHERE device = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
        for limit in [10, 1000, 3] {
            let mut stmt = store.connection().prepare_cached(sql).unwrap();
            let _ = stmt
                .query_map(rusqlite::params![device.to_string(), 0, limit], |r| r.get::<_, String>(0))
                .unwrap()
                .count();
            assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0, "compiled again after binding LIMIT {limit}");
        }
    }
}
