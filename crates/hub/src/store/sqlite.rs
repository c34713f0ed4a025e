//! The hub's embedded SQLite store: one file in the data folder, WAL, every commit synced.
//!
//! Writes go through one writer thread that commits whatever has queued up in one transaction
//! (each job in its own savepoint, so one refused batch does not touch the others): with many
//! kiosks pushing at once the cost of syncing the disk is shared. Reads run on the blocking
//! pool with their own connections, beside the writer (WAL).

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use frontdesk_core::hlc::Hlc;
use frontdesk_core::ids::{DeviceId, OpId, SiteId, VisitId};
use frontdesk_core::op::Op;
use frontdesk_core::storage::checkpoint::Checkpointer;
use frontdesk_core::sync::validate::{self, Arrival, Pusher};
use rusqlite::{Connection, OptionalExtension, Row, params};
use rusqlite_migration::{M, Migrations};
use tokio::sync::{mpsc, oneshot};

use frontdesk_core::alert::{
    ActorKind, AlertAcknowledged, AlertActor, AlertContext, AlertEscalated, AlertKind, AlertLevel, AlertOutcome,
    AlertRaised, AlertRecord, AlertResolved, AlertSource, AlertSubject, AlertTrigger, DeskSession,
};
use frontdesk_core::audit::{AuditAction, AuditEntry, AuditVerification, NewAuditEntry};
use frontdesk_core::hlc::{Clock, system_millis};
use frontdesk_core::ids::AlertId;
use frontdesk_core::op::OpBody;
use frontdesk_core::storage::alerts;

use super::{
    AlertListener, AlertUpdate, AlertWrite, AlertWriteError, AlertWritten, CodeRecord, DeviceRecord, GuardRecord,
    HubStore, PullPage, PushError, PushOutcome, RedeemError, RedeemRefusal, SessionRecord, SiteAuthor, StoreError,
    StoredOp,
};

pub const DATABASE_FILE: &str = "hub.sqlite3";

const V1: &str = r#"
-- Hub-local facts (not synced).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Each site the hub serves, and the device id the hub writes that site's data as.
CREATE TABLE sites (
    id            TEXT PRIMARY KEY,
    author_device TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL
) STRICT;

-- Enrolled devices. Only a hash of each credential is kept.
CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    site            TEXT NOT NULL,
    name            TEXT NOT NULL,
    credential_hash TEXT NOT NULL,
    handover_seq    INTEGER NOT NULL,
    enrolled_at     INTEGER NOT NULL,
    revoked_at      INTEGER,
    last_seen_at    INTEGER
) STRICT;

-- One-time enrolment codes. The secret is erased once the code is used.
CREATE TABLE enrol_codes (
    id              TEXT PRIMARY KEY,
    secret          TEXT,
    site            TEXT NOT NULL,
    device_name     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER,
    used_by         TEXT,
    failed_attempts INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Every op of every site, in the order the hub stored them: `cursor` is what devices pull by.
CREATE TABLE ops (
    cursor      INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    site        TEXT NOT NULL,
    device      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    hlc         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    op          TEXT NOT NULL,      -- the op's canonical JSON, as sent
    received_at INTEGER NOT NULL,
    UNIQUE (device, seq)
) STRICT;
CREATE INDEX ops_site_cursor ON ops (site, cursor);
CREATE INDEX ops_site_kind ON ops (site, kind, cursor);
CREATE INDEX ops_site_hlc ON ops (site, hlc);
CREATE TRIGGER ops_are_append_only_update BEFORE UPDATE ON ops
BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;
CREATE TRIGGER ops_are_append_only_delete BEFORE DELETE ON ops
BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;
"#;

/// Secrets every device of a site shares (badge signing key…), handed to kiosks at enrolment
/// (see `frontdesk_core::sync::site_secrets`). Kept in the owner-only data folder like the TLS key.
const V2_SITE_SECRETS: &str = r#"
CREATE TABLE site_secrets (
    site       TEXT NOT NULL,
    name       TEXT NOT NULL,
    secret     BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (site, name)
) STRICT;
"#;

/// The retention purge reaches the hub's copies too: a site's `retention.purged` op has the hub
/// rewrite the bodies of the ops it makes personal data leave (`redacted` 0 -> 1, once; nothing
/// else of a row may change), as every kiosk does with its own log.
const V3_REDACTION: &str = r#"
ALTER TABLE ops ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER ops_are_append_only_update;
CREATE TRIGGER ops_are_append_only_update BEFORE UPDATE ON ops
WHEN NOT (old.redacted = 0 AND new.redacted = 1
          AND new.cursor IS old.cursor AND new.id IS old.id AND new.site IS old.site
          AND new.device IS old.device AND new.seq IS old.seq AND new.hlc IS old.hlc
          AND new.kind IS old.kind AND new.received_at IS old.received_at)
BEGIN SELECT RAISE(ABORT, 'the op log is append-only; only the retention purge may redact a body, once'); END;
-- A visit's sign-ins, found by its id (a late correction of a purged visit is purged too).
CREATE INDEX ops_visit_sign_in ON ops (site, json_extract(op, '$.body.visit_id')) WHERE kind = 'visit.signed_in';
"#;

/// Alerts (materialised by core's merge rule, `frontdesk_core::storage::alerts::SCHEMA`), the
/// feed guard consoles replay from, guard accounts and their sessions.
const V5_CONSOLE: &str = r#"
-- Each alert change, by the cursor of the op that made it: guard consoles replay from here.
CREATE TABLE alert_feed (
    cursor   INTEGER PRIMARY KEY,
    site     TEXT NOT NULL,
    alert_id TEXT NOT NULL
) STRICT;
CREATE INDEX alert_feed_site ON alert_feed (site, cursor);
CREATE INDEX alert_feed_alert ON alert_feed (alert_id, cursor);

-- Guard accounts of the web console (frontdesk-hub guards add). Passwords: Argon2id hashes only.
CREATE TABLE guards (
    login         TEXT PRIMARY KEY,
    site          TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL
) STRICT;

-- Signed-in console sessions. Only a SHA-256 of each token is kept.
CREATE TABLE guard_sessions (
    token_hash TEXT PRIMARY KEY,
    login      TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX guard_sessions_login ON guard_sessions (login);
"#;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2_SITE_SECRETS),
        M::up(V3_REDACTION),
        M::up(frontdesk_core::storage::alerts::SCHEMA),
        M::up(V5_CONSOLE),
        // The hub's own audit trail: core's hash-chained audit log.
        M::up(frontdesk_core::audit::SCHEMA),
    ])
}

const LATEST_VERSION: usize = 6;

/// Commit jobs queued together at most this many at a time.
const MAX_GROUP: usize = 128;

type Deliver = Box<dyn FnOnce(bool) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Deliver) + Send>;

pub struct SqliteHubStore {
    path: PathBuf,
    jobs: mpsc::UnboundedSender<Job>,
    readers: Arc<Mutex<Vec<Connection>>>,
    /// Told of every committed alert change, on the writer thread, in commit order.
    alert_listener: Arc<Mutex<Option<AlertListener>>>,
    /// Checkpoints the WAL on its own thread, so no group commit (alerts') pays for it.
    _checkpointer: Option<Checkpointer>,
}

fn db_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(e.to_string())
}

fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

fn ts(ms: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_millisecond(ms).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn ts_opt(ms: Option<i64>) -> Result<Option<jiff::Timestamp>, StoreError> {
    ms.map(ts).transpose()
}

fn parse<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("bad {what} {s:?}")))
}

/// The data folder holds the TLS key, enrolment secrets and credential hashes: owner only.
fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let fail = |e: std::io::Error| StoreError::Database(format!("cannot create {}: {e}", dir.display()));
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(fail)
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| StoreError::Database(format!("{}: {e}", path.display())))?;
    // WAL: readers beside the writer. FULL: a push the hub acknowledged survives power loss.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(db_err)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(db_err)?;
    // Pages freed or rewritten by the retention purge are zeroed, not left readable in the file.
    conn.pragma_update(None, "secure_delete", true).map_err(db_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db_err)?;
    frontdesk_core::storage::stable_plans(&conn).map_err(db_err)?;
    Ok(conn)
}

impl SqliteHubStore {
    /// Open (creating if needed) the hub database in `data_dir`. Also used by the command-line
    /// tools (`enrol`, `devices`, `site`) next to a running hub: SQLite lets both write.
    pub fn open(data_dir: &Path) -> Result<SqliteHubStore, StoreError> {
        create_private_dir(data_dir)?;
        let path = data_dir.join(DATABASE_FILE);
        let mut writer = open_connection(&path)?;
        let found: i64 = writer.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(db_err)?;
        let found = usize::try_from(found).unwrap_or(usize::MAX);
        if found > LATEST_VERSION {
            return Err(StoreError::SchemaTooNew {
                path: path.display().to_string(),
                found,
                supported: LATEST_VERSION,
            });
        }
        migrations().to_latest(&mut writer).map_err(db_err)?;
        let checkpointer = Checkpointer::start(&path, &writer).map_err(db_err)?;

        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("hub-db-writer".into())
            .spawn(move || {
                while let Some(first) = queue.blocking_recv() {
                    let mut group = vec![first];
                    while group.len() < MAX_GROUP {
                        match queue.try_recv() {
                            Ok(job) => group.push(job),
                            Err(_) => break,
                        }
                    }
                    commit_group(&writer, group);
                }
            })
            .map_err(|e| StoreError::Database(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteHubStore {
            path,
            jobs,
            readers: Arc::default(),
            alert_listener: Arc::default(),
            _checkpointer: checkpointer,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` in the writer's transaction (in its own savepoint). An `Err` rolls back only `f`.
    async fn write<R, E>(&self, f: impl FnOnce(&Connection) -> Result<R, E> + Send + 'static) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.write_then(f, |_| {}).await
    }

    /// Like `write`, and after the commit (on the writer thread, so in commit order) the alert
    /// listener hears the alert changes `f`'s result names.
    async fn write_alerting<R, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, E> + Send + 'static,
        alerts_of: fn(&R) -> &[AlertUpdate],
    ) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let listener = self.alert_listener.clone();
        self.write_then(f, move |value| {
            let updates = alerts_of(value);
            let hook = listener.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if let Some(hook) = hook.filter(|_| !updates.is_empty()) {
                hook(updates);
            }
        })
        .await
    }

    /// Like `write`; `committed` runs on the writer thread with `f`'s result once it is on disk.
    async fn write_then<R, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, E> + Send + 'static,
        committed: impl FnOnce(&R) + Send + 'static,
    ) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<R, E>>();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let keep = result.is_ok();
            let deliver: Deliver = Box::new(move |did_commit| {
                let result = match result {
                    Ok(_) if !did_commit => Err(StoreError::Database("the transaction did not commit".into()).into()),
                    other => other,
                };
                if let Ok(value) = &result {
                    committed(value);
                }
                let _ = tx.send(result);
            });
            (keep, deliver)
        });
        self.jobs.send(job).map_err(|_| StoreError::Database("the writer thread has stopped".into()))?;
        rx.await.map_err(|_| StoreError::Database("a write failed inside the writer thread".into()))?
    }

    /// Run `f` on a reader connection on the blocking pool.
    async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let readers = self.readers.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = match readers.lock().unwrap_or_else(|e| e.into_inner()).pop() {
                Some(conn) => conn,
                None => open_connection(&path)?,
            };
            let result = f(&conn);
            readers.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Database(format!("a read failed: {e}")))?
    }
}

fn commit_group(conn: &Connection, group: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        eprintln!("frontdesk-hub: cannot start a transaction: {e}");
        drop(group); // every waiting caller gets an error
        return;
    }
    let mut deliveries = Vec::with_capacity(group.len());
    for job in group {
        if conn.execute_batch("SAVEPOINT job").is_err() {
            continue;
        }
        match std::panic::catch_unwind(AssertUnwindSafe(|| job(conn))) {
            Ok((keep, deliver)) => {
                let end = if keep { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
                let ended = conn.execute_batch(end).is_ok();
                if keep && !ended {
                    deliver(false);
                } else {
                    deliveries.push(deliver);
                }
            }
            Err(_) => {
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            }
        }
    }
    let committed = match conn.execute_batch("COMMIT") {
        Ok(()) => true,
        Err(e) => {
            eprintln!("frontdesk-hub: commit failed: {e}");
            let _ = conn.execute_batch("ROLLBACK");
            false
        }
    };
    for deliver in deliveries {
        deliver(committed);
    }
}

fn device_from_row(r: &Row<'_>) -> Result<DeviceRecord, StoreError> {
    let get = |i: usize| r.get_ref(i).map_err(db_err);
    let text = |i: usize| -> Result<String, StoreError> { Ok(get(i)?.as_str().map_err(db_err)?.to_owned()) };
    Ok(DeviceRecord {
        id: parse("device id", &text(0)?)?,
        site: SiteId(text(1)?),
        name: text(2)?,
        credential_hash: text(3)?,
        handover_seq: r.get::<_, i64>(4).map_err(db_err)? as u64,
        enrolled_at: ts(r.get(5).map_err(db_err)?)?,
        revoked_at: ts_opt(r.get(6).map_err(db_err)?)?,
        last_seen_at: ts_opt(r.get(7).map_err(db_err)?)?,
    })
}

const DEVICE_COLUMNS: &str = "id, site, name, credential_hash, handover_seq, enrolled_at, revoked_at, last_seen_at";

fn code_from_row(r: &Row<'_>) -> Result<CodeRecord, StoreError> {
    let used_by: Option<String> = r.get(7).map_err(db_err)?;
    Ok(CodeRecord {
        id: r.get(0).map_err(db_err)?,
        secret: r.get(1).map_err(db_err)?,
        site: SiteId(r.get(2).map_err(db_err)?),
        device_name: r.get(3).map_err(db_err)?,
        created_at: ts(r.get(4).map_err(db_err)?)?,
        expires_at: ts(r.get(5).map_err(db_err)?)?,
        used_at: ts_opt(r.get(6).map_err(db_err)?)?,
        used_by: used_by.map(|d| parse("device id", &d)).transpose()?,
        failed_attempts: r.get::<_, i64>(8).map_err(db_err)? as u32,
    })
}

const CODE_COLUMNS: &str = "id, secret, site, device_name, created_at, expires_at, used_at, used_by, failed_attempts";

fn op_from_json(json: &str) -> Result<Op, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("stored op: {e}")))
}

fn site_head(conn: &Connection, site: &str) -> Result<u64, StoreError> {
    let head: Option<i64> = conn
        .prepare_cached("SELECT max(cursor) FROM ops WHERE site = ?1")
        .and_then(|mut s| s.query_row([site], |r| r.get(0)))
        .map_err(db_err)?;
    Ok(head.unwrap_or(0) as u64)
}

fn op_id_at(conn: &Connection, site: &str, cursor: u64) -> Result<Option<OpId>, StoreError> {
    let id: Option<String> = conn
        .prepare_cached("SELECT id FROM ops WHERE cursor = ?1 AND site = ?2")
        .and_then(|mut s| s.query_row(params![cursor as i64, site], |r| r.get(0)).optional())
        .map_err(db_err)?;
    id.map(|id| parse("op id", &id)).transpose()
}

fn device_seq(conn: &Connection, device: &str) -> Result<u64, StoreError> {
    let seq: Option<i64> = conn
        .prepare_cached("SELECT max(seq) FROM ops WHERE device = ?1")
        .and_then(|mut s| s.query_row([device], |r| r.get(0)))
        .map_err(db_err)?;
    Ok(seq.unwrap_or(0) as u64)
}

fn push_in(conn: &Connection, pusher: &Pusher, ops: &[Op], received_at: i64) -> Result<PushOutcome, PushError> {
    let device = pusher.device.to_string();
    let mut seq = device_seq(conn, &device)?;
    let (mut stored, mut duplicates) = (0u32, 0u32);
    let mut find = conn.prepare_cached("SELECT op FROM ops WHERE id = ?1").map_err(db_err)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO ops (id, site, device, seq, hlc, kind, op, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(db_err)?;
    let mut changed_alerts = Vec::new();
    for op in ops {
        let json = validate::op_json(op);
        let existing: Option<String> = find.query_row([op.id.to_string()], |r| r.get(0)).optional().map_err(db_err)?;
        match validate::classify(op, &json, existing.as_deref(), seq)? {
            Arrival::Duplicate => duplicates += 1,
            Arrival::New => {
                insert
                    .execute(params![
                        op.id.to_string(),
                        op.site.0,
                        device,
                        op.seq as i64,
                        op.hlc.to_string(),
                        op.body.kind(),
                        json,
                        received_at
                    ])
                    .map_err(db_err)?;
                seq = op.seq;
                stored += 1;
                if let Some(update) = apply_alert(conn, pusher, op, conn.last_insert_rowid() as u64, received_at)? {
                    changed_alerts.push(update);
                }
            }
        }
    }
    Ok(PushOutcome {
        stored,
        duplicates,
        device_seq: seq,
        head: site_head(conn, &pusher.site.0)?,
        alerts: changed_alerts,
    })
}

/// Materialise an alert op with core's merge rule, record it in the consoles' feed, and (for
/// ops from devices; the hub audits its own writes with their real actor) audit its arrival.
fn apply_alert(
    conn: &Connection,
    pusher: &Pusher,
    op: &Op,
    cursor: u64,
    received_at: i64,
) -> Result<Option<AlertUpdate>, StoreError> {
    let Some(record) = alerts::apply(conn, op, received_at).map_err(db_err)? else { return Ok(None) };
    conn.prepare_cached("INSERT INTO alert_feed (cursor, site, alert_id) VALUES (?1, ?2, ?3)")
        .and_then(|mut stmt| stmt.execute(params![cursor as i64, op.site.0, record.id.to_string()]))
        .map_err(db_err)?;
    if pusher.handover_seq != u64::MAX {
        let (action, details) = match &op.body {
            OpBody::AlertRaised(r) => (
                AuditAction::AlertRaised,
                serde_json::json!({ "kind": r.kind, "level": r.level, "trigger": r.trigger, "drill": r.drill }),
            ),
            OpBody::AlertAcknowledged(a) => (AuditAction::AlertAcknowledged, serde_json::json!({ "by": a.by.key() })),
            OpBody::AlertEscalated(e) => (AuditAction::AlertEscalated, serde_json::json!({ "round": e.round })),
            OpBody::AlertResolved(r) => {
                (AuditAction::AlertResolved, serde_json::json!({ "outcome": r.outcome, "by": r.by.key() }))
            }
            OpBody::AlertCancelled(c) => (AuditAction::AlertCancelled, serde_json::json!({ "reason": c.reason })),
            _ => return Ok(None),
        };
        let entry = NewAuditEntry {
            actor: format!("device:{}", pusher.device),
            action,
            subject: record.id.to_string(),
            details,
        };
        frontdesk_core::audit::append(conn, received_at, &entry).map_err(db_err)?;
    }
    Ok(record.view().map(|alert| AlertUpdate { site: op.site.clone(), cursor, alert }))
}

/// The hub's writing identity at `site` (created on first use), inside a transaction.
fn site_author_in(conn: &Connection, site: &SiteId) -> Result<SiteAuthor, StoreError> {
    let fresh = DeviceId::new();
    conn.execute(
        "INSERT INTO sites (id, author_device, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
        params![site.0, fresh.to_string(), jiff::Timestamp::now().as_millisecond()],
    )
    .map_err(db_err)?;
    let device: String =
        conn.query_row("SELECT author_device FROM sites WHERE id = ?1", [&site.0], |r| r.get(0)).map_err(db_err)?;
    let max: Option<String> =
        conn.query_row("SELECT max(hlc) FROM ops WHERE site = ?1", [&site.0], |r| r.get(0)).map_err(db_err)?;
    Ok(SiteAuthor {
        last_seq: device_seq(conn, &device)?,
        device: parse("device id", &device)?,
        max_hlc: max.map(|h| parse::<Hlc>("stamp", &h)).transpose()?,
    })
}

/// Decide, stamp and store one hub-authored alert op, and audit it with its real actor.
fn write_alert_in(
    conn: &Connection,
    site: &SiteId,
    write: AlertWrite,
    audit: &NewAuditEntry,
    now: jiff::Timestamp,
) -> Result<AlertWritten, AlertWriteError> {
    let author = site_author_in(conn, site)?;
    let record_of = |id: AlertId| -> Result<AlertRecord, StoreError> {
        Ok(alerts::load(conn, id).map_err(db_err)?.unwrap_or_else(|| AlertRecord::new(id)))
    };
    let hub_actor = AlertActor { kind: ActorKind::Hub, id: author.device.to_string(), name: "hub".into() };
    let body = match write {
        AlertWrite::Acknowledge { alert, by } => record_of(alert)?
            .check_acknowledge(&by)?
            .then_some(OpBody::AlertAcknowledged(AlertAcknowledged { alert_id: alert, by, at: now })),
        AlertWrite::Resolve { alert, outcome, note, by } => {
            record_of(alert)?.check_resolve()?;
            Some(OpBody::AlertResolved(AlertResolved { alert_id: alert, outcome, note, by, at: now }))
        }
        AlertWrite::Escalate { alert, notify } => {
            let record = record_of(alert)?;
            record.due_for_escalation(i64::MAX, 0).then_some(OpBody::AlertEscalated(AlertEscalated {
                alert_id: alert,
                round: 1,
                at: now,
                notify,
            }))
        }
        AlertWrite::LostContact { device, name } => Some(OpBody::AlertRaised(AlertRaised {
            alert_id: AlertId::new(),
            kind: AlertKind::LostContact,
            level: AlertLevel::Warning,
            trigger: AlertTrigger::Supervision,
            drill: false,
            raised_at: now,
            // Raised by the hub (so the silent kiosk never takes it for its own), about the kiosk.
            source: AlertSource {
                device: author.device,
                device_name: name.clone(),
                desk_id: String::new(),
                desk_name: frontdesk_core::i18n::Localized { zh_cn: name.clone(), en: name.clone() },
            },
            context: AlertContext { at_desk: DeskSession { role: None, admin: false }, visitors: Vec::new() },
            description: None,
            subject: Some(AlertSubject::Device { device, name }),
        })),
        AlertWrite::ContactRestored { alert } => (!record_of(alert)?.ended()).then(|| {
            OpBody::AlertResolved(AlertResolved {
                alert_id: alert,
                outcome: AlertOutcome::ContactRestored,
                note: String::new(),
                by: hub_actor.clone(),
                at: now,
            })
        }),
    };
    let Some(body) = body else {
        return Ok(AlertWritten { update: None, head: site_head(conn, &site.0)? });
    };
    // Stamped after everything the site has seen, as the site author's next op.
    let clock = Clock::new(author.device, author.max_hlc, system_millis);
    let op = Op {
        id: frontdesk_core::ids::OpId::new(),
        hlc: clock.tick(),
        device: author.device,
        seq: author.last_seq + 1,
        site: site.clone(),
        body,
    };
    let pusher = Pusher { device: author.device, site: site.clone(), handover_seq: u64::MAX };
    validate::check_op(&pusher, &op, system_millis())
        .map_err(|e| StoreError::Corrupt(format!("the hub's own alert op is invalid: {}", e.message)))?;
    let outcome = match push_in(conn, &pusher, std::slice::from_ref(&op), ms(now)) {
        Ok(outcome) => outcome,
        Err(PushError::Store(e)) => return Err(e.into()),
        Err(PushError::Refused(e)) => return Err(StoreError::Corrupt(e.message).into()),
    };
    let mut entry = audit.clone();
    if entry.subject.is_empty()
        && let Some(id) = AlertRecord::alert_of(&op.body)
    {
        entry.subject = id.to_string();
    }
    frontdesk_core::audit::append(conn, ms(now), &entry).map_err(db_err)?;
    Ok(AlertWritten { update: outcome.alerts.into_iter().next(), head: outcome.head })
}

fn guard_from_row(r: &Row<'_>) -> Result<GuardRecord, StoreError> {
    let role: String = r.get(3).map_err(db_err)?;
    Ok(GuardRecord {
        login: r.get(0).map_err(db_err)?,
        site: SiteId(r.get(1).map_err(db_err)?),
        name: r.get(2).map_err(db_err)?,
        role: role.parse().map_err(StoreError::Corrupt)?,
        password_hash: r.get(4).map_err(db_err)?,
        disabled: r.get(5).map_err(db_err)?,
        failed_logins: r.get::<_, i64>(6).map_err(db_err)? as u32,
        locked_until: ts_opt(r.get(7).map_err(db_err)?)?,
        created_at: ts(r.get(8).map_err(db_err)?)?,
    })
}

const GUARD_COLUMNS: &str = "login, site, name, role, password_hash, disabled, failed_logins, locked_until, created_at";

impl HubStore for SqliteHubStore {
    async fn insert_code(&self, code: CodeRecord) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let n = conn
                .execute(
                    "INSERT INTO enrol_codes (id, secret, site, device_name, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                    params![
                        code.id,
                        code.secret,
                        code.site.0,
                        code.device_name,
                        ms(code.created_at),
                        ms(code.expires_at)
                    ],
                )
                .map_err(db_err)?;
            Ok(n == 1)
        })
        .await
    }

    async fn code(&self, id: &str) -> Result<Option<CodeRecord>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!("SELECT {CODE_COLUMNS} FROM enrol_codes WHERE id = ?1"))
                .map_err(db_err)?;
            let mut rows = stmt.query([id]).map_err(db_err)?;
            rows.next().map_err(db_err)?.map(code_from_row).transpose()
        })
        .await
    }

    async fn code_failed(&self, id: &str) -> Result<u32, StoreError> {
        let id = id.to_owned();
        self.write(move |conn| {
            conn.query_row(
                "UPDATE enrol_codes SET failed_attempts = failed_attempts + 1 WHERE id = ?1 RETURNING failed_attempts",
                [id],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map_err(db_err)
            .map(|n| n.unwrap_or(0) as u32)
        })
        .await
    }

    async fn redeem_code(
        &self,
        id: &str,
        now: jiff::Timestamp,
        device: DeviceRecord,
    ) -> Result<DeviceRecord, RedeemError> {
        let id = id.to_owned();
        self.write(move |conn| {
            let code: Option<(Option<i64>, i64)> = conn
                .query_row("SELECT used_at, expires_at FROM enrol_codes WHERE id = ?1", [&id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(db_err)?;
            match code {
                None => return Err(RedeemError::Refused(RedeemRefusal::Unknown)),
                Some((Some(_), _)) => return Err(RedeemError::Refused(RedeemRefusal::Used)),
                Some((None, expires)) if expires <= ms(now) => return Err(RedeemError::Refused(RedeemRefusal::Expired)),
                Some(_) => {}
            }
            conn.execute(
                "UPDATE enrol_codes SET used_at = ?2, used_by = ?3, secret = NULL WHERE id = ?1",
                params![id, ms(now), device.id.to_string()],
            )
            .map_err(db_err)?;
            conn.execute(
                "INSERT INTO devices (id, site, name, credential_hash, handover_seq, enrolled_at, revoked_at, last_seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, credential_hash = excluded.credential_hash,
                    handover_seq = max(devices.handover_seq, excluded.handover_seq),
                    enrolled_at = excluded.enrolled_at, revoked_at = NULL",
                params![
                    device.id.to_string(),
                    device.site.0,
                    device.name,
                    device.credential_hash,
                    device.handover_seq as i64,
                    ms(device.enrolled_at)
                ],
            )
            .map_err(db_err)?;
            let mut stmt = conn.prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1")).map_err(db_err)?;
            let mut rows = stmt.query([device.id.to_string()]).map_err(db_err)?;
            let row = rows.next().map_err(db_err)?.ok_or_else(|| StoreError::Corrupt("device vanished".into()))?;
            Ok(device_from_row(row)?)
        })
        .await
    }

    async fn device(&self, id: DeviceId) -> Result<Option<DeviceRecord>, StoreError> {
        self.read(move |conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1")).map_err(db_err)?;
            let mut rows = stmt.query([id.to_string()]).map_err(db_err)?;
            rows.next().map_err(db_err)?.map(device_from_row).transpose()
        })
        .await
    }

    async fn devices(&self) -> Result<Vec<DeviceRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare(&format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY site, name, id"))
                .map_err(db_err)?;
            let mut rows = stmt.query([]).map_err(db_err)?;
            let mut devices = Vec::new();
            while let Some(row) = rows.next().map_err(db_err)? {
                devices.push(device_from_row(row)?);
            }
            Ok(devices)
        })
        .await
    }

    async fn revoke(&self, id: DeviceId, at: jiff::Timestamp) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                    params![id.to_string(), ms(at)],
                )
                .map_err(db_err)?;
            Ok(n == 1)
        })
        .await
    }

    async fn revoked_since(&self, since: jiff::Timestamp) -> Result<Vec<DeviceId>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT id FROM devices WHERE revoked_at >= ?1").map_err(db_err)?;
            let ids = stmt.query_map([ms(since)], |r| r.get::<_, String>(0)).map_err(db_err)?;
            ids.map(|id| parse("device id", &id.map_err(db_err)?)).collect()
        })
        .await
    }

    async fn record_last_seen(&self, seen: Vec<(DeviceId, jiff::Timestamp)>) -> Result<(), StoreError> {
        if seen.is_empty() {
            return Ok(());
        }
        self.write(move |conn| {
            let mut stmt = conn
                .prepare_cached("UPDATE devices SET last_seen_at = max(coalesce(last_seen_at, 0), ?2) WHERE id = ?1")
                .map_err(db_err)?;
            for (id, at) in seen {
                stmt.execute(params![id.to_string(), ms(at)]).map_err(db_err)?;
            }
            Ok(())
        })
        .await
    }

    async fn push(&self, pusher: Pusher, ops: Vec<Op>, received_at: jiff::Timestamp) -> Result<PushOutcome, PushError> {
        self.write_alerting(move |conn| push_in(conn, &pusher, &ops, ms(received_at)), |o: &PushOutcome| &o.alerts)
            .await
    }

    async fn pull(
        &self,
        site: SiteId,
        exclude: DeviceId,
        after: u64,
        at: Option<OpId>,
        limit: u32,
    ) -> Result<PullPage, StoreError> {
        self.read(move |conn| {
            // One read transaction: the page and the head come from the same snapshot.
            conn.execute_batch("BEGIN DEFERRED").map_err(db_err)?;
            let result = (|| {
                let head = site_head(conn, &site.0)?;
                let device_seq = device_seq(conn, &exclude.to_string())?;
                let from = match at {
                    Some(at) if after > 0 => {
                        let there = op_id_at(conn, &site.0, after)?;
                        if there == Some(at) { after } else { 0 }
                    }
                    _ if after > head => 0,
                    _ => after,
                };
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT cursor, op FROM ops WHERE site = ?1 AND cursor > ?2 AND cursor <= ?3 AND device <> ?4
                         ORDER BY cursor LIMIT ?5",
                    )
                    .map_err(db_err)?;
                let mut rows = stmt
                    .query(params![site.0, from as i64, head as i64, exclude.to_string(), i64::from(limit)])
                    .map_err(db_err)?;
                let mut ops = Vec::new();
                let mut last = from;
                while let Some(r) = rows.next().map_err(db_err)? {
                    last = r.get::<_, i64>(0).map_err(db_err)? as u64;
                    ops.push(StoredOp(r.get(1).map_err(db_err)?));
                }
                let next = if ops.len() as u32 >= limit { last } else { head.max(from) };
                let next_id = if next > 0 { op_id_at(conn, &site.0, next)? } else { None };
                Ok(PullPage { from, ops, next, next_id, head, device_seq })
            })();
            let _ = conn.execute_batch("COMMIT");
            result
        })
        .await
    }

    async fn head(&self, site: SiteId) -> Result<u64, StoreError> {
        self.read(move |conn| site_head(conn, &site.0)).await
    }

    async fn heads(&self) -> Result<Vec<(SiteId, u64)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT id FROM sites").map_err(db_err)?;
            let sites: Vec<String> =
                stmt.query_map([], |r| r.get(0)).map_err(db_err)?.collect::<Result<_, _>>().map_err(db_err)?;
            let mut stmt = conn.prepare_cached("SELECT DISTINCT site FROM devices").map_err(db_err)?;
            let mut all: Vec<String> =
                stmt.query_map([], |r| r.get(0)).map_err(db_err)?.collect::<Result<_, _>>().map_err(db_err)?;
            all.extend(sites);
            all.sort();
            all.dedup();
            all.into_iter().map(|s| Ok((SiteId(s.clone()), site_head(conn, &s)?))).collect()
        })
        .await
    }

    async fn op_counts(&self) -> Result<Vec<(DeviceId, u64)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT device, count(*) FROM ops GROUP BY device").map_err(db_err)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(db_err)?;
            rows.map(|row| {
                let (device, n) = row.map_err(db_err)?;
                Ok((parse("device id", &device)?, n as u64))
            })
            .collect()
        })
        .await
    }

    async fn site_author(&self, site: SiteId) -> Result<SiteAuthor, StoreError> {
        self.write(move |conn| site_author_in(conn, &site)).await
    }

    async fn offer_site_secrets(
        &self,
        site: SiteId,
        offers: Vec<(String, Vec<u8>)>,
        now: jiff::Timestamp,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.write(move |conn| {
            for (name, secret) in &offers {
                conn.execute(
                    "INSERT INTO site_secrets (site, name, secret, created_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (site, name) DO NOTHING",
                    params![site.0, name, secret, ms(now)],
                )
                .map_err(db_err)?;
            }
            let mut stmt = conn
                .prepare_cached("SELECT name, secret FROM site_secrets WHERE site = ?1 ORDER BY name")
                .map_err(db_err)?;
            let rows = stmt.query_map([&site.0], |r| Ok((r.get(0)?, r.get(1)?))).map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn redactable_ops(&self, site: SiteId) -> Result<Vec<(i64, Op)>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT cursor, op FROM ops WHERE site = ?1 AND redacted = 0 AND kind IN
                     ('visit.signed_in', 'visit.updated', 'visit.details', 'invitation.created', 'watchlist.cleared',
                      'alert.raised', 'alert.resolved', 'alert.cancelled')
                     ORDER BY cursor",
                )
                .map_err(db_err)?;
            let rows =
                stmt.query_map([&site.0], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).map_err(db_err)?;
            rows.map(|row| {
                let (cursor, json) = row.map_err(db_err)?;
                Ok((cursor, op_from_json(&json)?))
            })
            .collect()
        })
        .await
    }

    async fn sign_ins_of(&self, site: SiteId, visits: Vec<VisitId>) -> Result<Vec<Op>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT op FROM ops WHERE site = ?1 AND kind = 'visit.signed_in'
                     AND json_extract(op, '$.body.visit_id') = ?2",
                )
                .map_err(db_err)?;
            let mut out = Vec::new();
            for visit in visits {
                let rows =
                    stmt.query_map(params![site.0, visit.to_string()], |r| r.get::<_, String>(0)).map_err(db_err)?;
                for json in rows {
                    out.push(op_from_json(&json.map_err(db_err)?)?);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn redact(&self, redacted: Vec<(i64, Op)>) -> Result<usize, StoreError> {
        self.write(move |conn| {
            let mut update = conn
                .prepare_cached("UPDATE ops SET op = ?2, redacted = 1 WHERE cursor = ?1 AND redacted = 0")
                .map_err(db_err)?;
            let mut n = 0;
            for (cursor, op) in &redacted {
                n += update.execute(params![cursor, validate::op_json(op)]).map_err(db_err)?;
            }
            Ok(n)
        })
        .await
    }

    async fn redact_alert_records(&self, site: SiteId, before: jiff::Timestamp) -> Result<usize, StoreError> {
        self.write(move |conn| {
            frontdesk_core::storage::alerts::redact_records_before(conn, Some(&site.0), before.as_millisecond())
                .map_err(db_err)
        })
        .await
    }

    async fn checkpoint(&self) -> Result<(), StoreError> {
        // Outside the writer's transaction (a checkpoint cannot run inside one). Best effort: a
        // busy database is checkpointed by SQLite itself later.
        self.read(|conn| {
            // Old page images of redacted ops leave the WAL (it is truncated once folded in).
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(db_err)
        })
        .await
    }

    async fn ops_of_kind(&self, site: SiteId, kind: &'static str) -> Result<Vec<Op>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT op FROM ops WHERE site = ?1 AND kind = ?2 ORDER BY cursor")
                .map_err(db_err)?;
            let rows = stmt.query_map(params![site.0, kind], |r| r.get::<_, String>(0)).map_err(db_err)?;
            rows.map(|json| op_from_json(&json.map_err(db_err)?)).collect()
        })
        .await
    }

    fn set_alert_listener(&self, listener: AlertListener) {
        *self.alert_listener.lock().unwrap_or_else(|e| e.into_inner()) = Some(listener);
    }

    async fn alert_feed(&self, site: SiteId, after: u64, limit: u32) -> Result<Vec<AlertUpdate>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT f.alert_id, max(f.cursor) AS last, a.record FROM alert_feed f
                     JOIN alerts a ON a.id = f.alert_id AND a.created = 1
                     WHERE f.site = ?1 AND f.cursor > ?2 GROUP BY f.alert_id ORDER BY last LIMIT ?3",
                )
                .map_err(db_err)?;
            let mut rows = stmt.query(params![site.0, after as i64, i64::from(limit)]).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(db_err)? {
                let record: AlertRecord = serde_json::from_str(&r.get::<_, String>(2).map_err(db_err)?)
                    .map_err(|e| StoreError::Corrupt(format!("alert record: {e}")))?;
                if let Some(alert) = record.view() {
                    out.push(AlertUpdate {
                        site: site.clone(),
                        cursor: r.get::<_, i64>(1).map_err(db_err)? as u64,
                        alert,
                    });
                }
            }
            Ok(out)
        })
        .await
    }

    async fn alerts_since(&self, site: SiteId, since: jiff::Timestamp) -> Result<(u64, Vec<AlertUpdate>), StoreError> {
        self.read(move |conn| {
            // One snapshot: the head and the list agree.
            conn.execute_batch("BEGIN DEFERRED").map_err(db_err)?;
            let result = (|| {
                let head: Option<i64> = conn
                    .query_row("SELECT max(cursor) FROM alert_feed WHERE site = ?1", [&site.0], |r| r.get(0))
                    .map_err(db_err)?;
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT a.record, (SELECT max(f.cursor) FROM alert_feed f WHERE f.alert_id = a.id) AS last
                         FROM alerts a WHERE a.site = ?1 AND a.created = 1
                           AND (a.state IN ('raised', 'acknowledged') OR a.raised_at >= ?2 OR a.ended_at >= ?2)
                         ORDER BY last",
                    )
                    .map_err(db_err)?;
                let mut rows = stmt.query(params![site.0, ms(since)]).map_err(db_err)?;
                let mut out = Vec::new();
                while let Some(r) = rows.next().map_err(db_err)? {
                    let record: AlertRecord = serde_json::from_str(&r.get::<_, String>(0).map_err(db_err)?)
                        .map_err(|e| StoreError::Corrupt(format!("alert record: {e}")))?;
                    let cursor = r.get::<_, Option<i64>>(1).map_err(db_err)?.unwrap_or(0) as u64;
                    if let Some(alert) = record.view() {
                        out.push(AlertUpdate { site: site.clone(), cursor, alert });
                    }
                }
                Ok((head.unwrap_or(0) as u64, out))
            })();
            let _ = conn.execute_batch("COMMIT");
            result
        })
        .await
    }

    async fn alert_head(&self, site: SiteId) -> Result<u64, StoreError> {
        self.read(move |conn| {
            let head: Option<i64> = conn
                .query_row("SELECT max(cursor) FROM alert_feed WHERE site = ?1", [&site.0], |r| r.get(0))
                .map_err(db_err)?;
            Ok(head.unwrap_or(0) as u64)
        })
        .await
    }

    async fn alert_records(
        &self,
        site: SiteId,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        self.read(move |conn| alerts::between(conn, &site.0, ms(from), ms(to), 100_000).map_err(db_err)).await
    }

    async fn alert(&self, site: SiteId, id: AlertId) -> Result<Option<AlertRecord>, StoreError> {
        self.read(move |conn| {
            let found: Option<String> = conn
                .query_row("SELECT site FROM alerts WHERE id = ?1", [id.to_string()], |r| r.get(0))
                .optional()
                .map_err(db_err)?;
            if found.as_deref() != Some(site.0.as_str()) {
                return Ok(None);
            }
            alerts::load(conn, id).map_err(db_err)
        })
        .await
    }

    async fn write_alert(
        &self,
        site: SiteId,
        write: AlertWrite,
        audit: NewAuditEntry,
        now: jiff::Timestamp,
    ) -> Result<AlertWritten, AlertWriteError> {
        fn updates(w: &AlertWritten) -> &[AlertUpdate] {
            w.update.as_slice()
        }
        self.write_alerting(move |conn| write_alert_in(conn, &site, write, &audit, now), updates).await
    }

    async fn awaiting_escalation(
        &self,
        seen_before: jiff::Timestamp,
    ) -> Result<Vec<(SiteId, jiff::Timestamp, AlertId)>, StoreError> {
        self.read(move |conn| {
            alerts::awaiting_escalation(conn, ms(seen_before))
                .map_err(db_err)?
                .into_iter()
                .map(|(site, seen, id)| Ok((SiteId(site), ts(seen)?, id)))
                .collect()
        })
        .await
    }

    async fn open_lost_contact(&self) -> Result<Vec<(SiteId, DeviceId, AlertId)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT site, record FROM alerts WHERE kind = 'lost_contact' AND created = 1
                     AND state IN ('raised', 'acknowledged')",
                )
                .map_err(db_err)?;
            let mut rows = stmt.query([]).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(db_err)? {
                let record: AlertRecord = serde_json::from_str(&r.get::<_, String>(1).map_err(db_err)?)
                    .map_err(|e| StoreError::Corrupt(format!("alert record: {e}")))?;
                if let Some(AlertSubject::Device { device, .. }) = record.raise().and_then(|r| r.subject.clone()) {
                    out.push((SiteId(r.get(0).map_err(db_err)?), device, record.id));
                }
            }
            Ok(out)
        })
        .await
    }

    async fn insert_guard(&self, guard: GuardRecord) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let n = conn
                .execute(
                    &format!(
                        "INSERT INTO guards ({GUARD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                              ON CONFLICT (login) DO NOTHING"
                    ),
                    params![
                        guard.login,
                        guard.site.0,
                        guard.name,
                        guard.role.as_str(),
                        guard.password_hash,
                        guard.disabled,
                        guard.failed_logins,
                        guard.locked_until.map(ms),
                        ms(guard.created_at)
                    ],
                )
                .map_err(db_err)?;
            Ok(n == 1)
        })
        .await
    }

    async fn guard(&self, login: String) -> Result<Option<GuardRecord>, StoreError> {
        self.read(move |conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {GUARD_COLUMNS} FROM guards WHERE login = ?1")).map_err(db_err)?;
            let mut rows = stmt.query([login]).map_err(db_err)?;
            rows.next().map_err(db_err)?.map(guard_from_row).transpose()
        })
        .await
    }

    async fn guards(&self) -> Result<Vec<GuardRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare(&format!("SELECT {GUARD_COLUMNS} FROM guards ORDER BY site, login")).map_err(db_err)?;
            let mut rows = stmt.query([]).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(db_err)? {
                out.push(guard_from_row(r)?);
            }
            Ok(out)
        })
        .await
    }

    async fn update_guard(&self, guard: GuardRecord) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let before: Option<(String, bool)> = conn
                .query_row("SELECT password_hash, disabled FROM guards WHERE login = ?1", [&guard.login], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(db_err)?;
            let Some((old_hash, was_disabled)) = before else { return Ok(false) };
            conn.execute(
                "UPDATE guards SET name = ?2, role = ?3, password_hash = ?4, disabled = ?5, failed_logins = ?6,
                    locked_until = ?7 WHERE login = ?1",
                params![
                    guard.login,
                    guard.name,
                    guard.role.as_str(),
                    guard.password_hash,
                    guard.disabled,
                    guard.failed_logins,
                    guard.locked_until.map(ms)
                ],
            )
            .map_err(db_err)?;
            if old_hash != guard.password_hash || (guard.disabled && !was_disabled) {
                conn.execute("DELETE FROM guard_sessions WHERE login = ?1", [&guard.login]).map_err(db_err)?;
            }
            Ok(true)
        })
        .await
    }

    async fn create_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        self.write(move |conn| {
            // Expired sessions go whenever a new one is made.
            conn.execute("DELETE FROM guard_sessions WHERE expires_at <= ?1", [ms(session.created_at)])
                .map_err(db_err)?;
            conn.execute(
                "INSERT INTO guard_sessions (token_hash, login, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![session.token_hash, session.login, session.csrf, ms(session.created_at), ms(session.expires_at)],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn session(
        &self,
        token_hash: String,
        now: jiff::Timestamp,
    ) -> Result<Option<(SessionRecord, GuardRecord)>, StoreError> {
        self.read(move |conn| {
            let session: Option<(String, String, i64, i64)> = conn
                .query_row(
                    "SELECT login, csrf, created_at, expires_at FROM guard_sessions WHERE token_hash = ?1 AND expires_at > ?2",
                    params![token_hash, ms(now)],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()
                .map_err(db_err)?;
            let Some((login, csrf, created, expires)) = session else { return Ok(None) };
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {GUARD_COLUMNS} FROM guards WHERE login = ?1")).map_err(db_err)?;
            let mut rows = stmt.query([&login]).map_err(db_err)?;
            let Some(guard) = rows.next().map_err(db_err)?.map(guard_from_row).transpose()? else { return Ok(None) };
            if guard.disabled {
                return Ok(None);
            }
            let session =
                SessionRecord { token_hash, login, csrf, created_at: ts(created)?, expires_at: ts(expires)? };
            Ok(Some((session, guard)))
        })
        .await
    }

    async fn delete_session(&self, token_hash: String) -> Result<(), StoreError> {
        self.write(move |conn| {
            conn.execute("DELETE FROM guard_sessions WHERE token_hash = ?1", [token_hash]).map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn audit(&self, entry: NewAuditEntry, at: jiff::Timestamp) -> Result<(), StoreError> {
        self.write(move |conn| {
            frontdesk_core::audit::append(conn, ms(at), &entry).map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn audit_verify(&self) -> Result<AuditVerification, StoreError> {
        self.read(|conn| frontdesk_core::audit::verify(conn).map_err(db_err)).await
    }

    async fn audit_recent(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(move |conn| frontdesk_core::audit::recent(conn, limit).map_err(db_err)).await
    }
}
