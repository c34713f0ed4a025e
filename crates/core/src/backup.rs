//! Encrypted, rotating backups of the device's database, and restoring one.
//!
//! A backup is a consistent copy of the live database taken with SQLite's online backup API
//! (into memory, so no unencrypted copy ever touches the disk), encrypted with
//! XChaCha20-Poly1305 under the site's backup key, which lives only in the OS keyring. The
//! device's own keys (badge signing, ID hashing) travel inside the encrypted payload, so a
//! replacement machine that has the backup and the recovery key gets everything back.
//!
//! File layout (`*.fdbackup`):
//!
//! ```text
//! "FDBACKUP" | header length (u32 LE) | header (JSON) | ciphertext (payload + 16-byte tag)
//! ```
//!
//! The header (site, device, schema version, created, kind, key id, nonce, payload length) is
//! readable without the key, so a list of backups and a clear refusal ("another site's
//! backup") need no decryption, and it is the AEAD's associated data, so it cannot be changed
//! without the tag failing. The payload is `keys length (u32 LE) | keys (JSON) | SQLite file`.
//!
//! Restoring never touches the live database until the backup has been decrypted into a temp
//! file beside it and checked (SQLite integrity check, schema version, site, device, audit
//! chain, migration to this build's schema); only then is the live file backed up itself
//! (`pre-restore`) and replaced by an atomic rename.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::ids::{DeviceId, SiteId};
use crate::secrets::{KeyPurpose, Secret, SecretError, SecretStore, device_key_account};
use crate::storage::{self, DATABASE_FILE, StorageError, Store};

/// Folder in the data folder that holds the backups.
pub const BACKUP_FOLDER: &str = "backups";
/// File name extension of a backup.
pub const EXTENSION: &str = "fdbackup";
/// How many backups of each rotation are kept (the newest).
pub const KEEP: usize = 3;
/// How often the desktop app makes a scheduled backup.
pub const SCHEDULE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(4 * 3600);

const MAGIC: &[u8; 8] = b"FDBACKUP";
const FORMAT: u32 = 1;
const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;
/// A header larger than this is not one of ours.
const MAX_HEADER: usize = 64 * 1024;

/// Why a backup was made. Scheduled and manual backups share one rotation; the others keep
/// their own, so a burst of scheduled backups never pushes out the copy taken before a
/// migration or a restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum BackupKind {
    Scheduled,
    Manual,
    PreMigration,
    PreRestore,
}

impl BackupKind {
    fn rotation(self) -> &'static str {
        match self {
            BackupKind::Scheduled | BackupKind::Manual => "regular",
            BackupKind::PreMigration => "pre-migration",
            BackupKind::PreRestore => "pre-restore",
        }
    }
}

/// The authenticated, unencrypted header of a backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct BackupHeader {
    pub format: u32,
    pub site: SiteId,
    pub device: DeviceId,
    /// The database's schema version (`user_version`) when it was copied.
    pub schema_version: u32,
    #[ts(type = "string")]
    pub created_at: jiff::Timestamp,
    pub kind: BackupKind,
    pub app_version: String,
    /// Names the key without revealing it, so a wrong key is told apart from a damaged file.
    pub key_id: String,
    nonce: String,
    #[ts(type = "number")]
    payload_bytes: u64,
}

/// A backup file as listed on the admin screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BackupInfo {
    pub file_name: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    pub header: BackupHeader,
}

/// What a successful restore did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RestoreReport {
    pub restored: BackupHeader,
    /// The backup of the replaced database, if there was one to keep.
    pub previous: Option<String>,
    /// Device keys that were missing from the keyring and were put back from the backup.
    pub keys_restored: u32,
    /// The backup was of a kiosk enrolled at a hub: the restored database continues as a new
    /// device, not enrolled (see `sync::link::detach_restored`). The running app must restart
    /// to take the new identity, and an admin enrols the kiosk again.
    pub new_identity: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} is not a Frontdesk backup")]
    NotABackup(String),
    #[error("the backup is truncated: {0}")]
    Truncated(String),
    #[error("the backup is damaged: {0}")]
    Damaged(String),
    #[error("the backup was written in format {0}, which this build cannot read")]
    UnsupportedFormat(u32),
    #[error("the backup belongs to site {found:?}, not to this site {expected:?}")]
    ForeignSite { found: String, expected: String },
    #[error(
        "the backup belongs to device {found}, not to this kiosk ({expected}); restore it with the command line into its own data folder"
    )]
    ForeignDevice { found: String, expected: String },
    #[error("the backup has schema version {found}, newer than this build understands ({supported})")]
    TooNew { found: u32, supported: u32 },
    #[error("the keyring holds no backup key for site {0}; give the recovery key (--recovery-key)")]
    NoKey(String),
    #[error("the backup was encrypted with another key (key id {found}, this kiosk's is {expected})")]
    WrongKey { found: String, expected: String },
    #[error("the recovery key is not valid: it is 52 letters and digits (groups of four)")]
    BadRecoveryKey,
    #[error("the database is in use by a running Frontdesk; close it, or restore from its admin screen")]
    InUse,
    #[error("no backup named {0}")]
    NotFound(String),
    #[error("backup file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Storage(StorageError::Sql(e))
    }
}

impl BackupError {
    /// A short stable code for the audit log and the UI.
    pub fn reason(&self) -> &'static str {
        match self {
            BackupError::NotABackup(_) => "not_a_backup",
            BackupError::Truncated(_) | BackupError::Damaged(_) => "damaged",
            BackupError::UnsupportedFormat(_) | BackupError::TooNew { .. } => "too_new",
            BackupError::ForeignSite { .. } | BackupError::ForeignDevice { .. } => "foreign",
            BackupError::NoKey(_) | BackupError::WrongKey { .. } | BackupError::BadRecoveryKey => "wrong_key",
            BackupError::InUse => "in_use",
            BackupError::NotFound(_) => "not_found",
            BackupError::Io { .. } | BackupError::Secret(_) | BackupError::Storage(_) => "failed",
        }
    }
}

type Result<T, E = BackupError> = std::result::Result<T, E>;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.display().to_string(), source }
}

/// The keyring account of a site's backup key.
pub fn key_account(site: &SiteId) -> String {
    format!("site/{site}/backup")
}

/// The site's backup key from the keyring, created there on first use when `create`.
pub fn backup_key(secrets: &dyn SecretStore, site: &SiteId, create: bool) -> Result<Option<Secret>> {
    let account = key_account(site);
    if let Some(key) = secrets.get(&account)? {
        return Ok(Some(key));
    }
    if !create {
        return Ok(None);
    }
    let key = Secret::random(KEY_LEN);
    secrets.set(&account, &key)?;
    let stored = secrets.get(&account)?.filter(|s| s == &key).ok_or_else(|| SecretError::Unavailable {
        detail: "the keyring accepted the backup key but did not return it".into(),
    })?;
    Ok(Some(stored))
}

/// A key's public name: the first 16 hex digits of a hash of it.
pub fn key_id(key: &Secret) -> String {
    let digest = Sha256::new().chain_update(b"frontdesk backup key id\0").chain_update(key.expose()).finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The key as text an operator keeps on paper or in a password manager: base32 in groups of four.
pub fn recovery_key_text(key: &Secret) -> String {
    let text = data_encoding::BASE32_NOPAD.encode(key.expose());
    text.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// Parse a recovery key typed back in (case, spaces and dashes do not matter).
pub fn parse_recovery_key(text: &str) -> Result<Secret> {
    let clean: String =
        text.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    let bytes = data_encoding::BASE32_NOPAD.decode(clean.as_bytes()).map_err(|_| BackupError::BadRecoveryKey)?;
    if bytes.len() != KEY_LEN {
        return Err(BackupError::BadRecoveryKey);
    }
    Ok(Secret::new(bytes))
}

/// Who the backups are for: the site, the device and where its data lives.
pub struct BackupContext<'a> {
    pub data_dir: &'a Path,
    pub site: &'a SiteId,
    pub device: DeviceId,
    pub secrets: &'a dyn SecretStore,
}

impl BackupContext<'_> {
    pub fn folder(&self) -> PathBuf {
        self.data_dir.join(BACKUP_FOLDER)
    }
}

#[derive(Serialize, Deserialize)]
struct KeyBundle {
    keys: Vec<(String, String)>,
}

/// Copy a database through SQLite's online backup API into memory and return its file image.
/// The copy is one consistent snapshot even while other connections write.
pub fn snapshot(conn: &Connection) -> Result<Vec<u8>, StorageError> {
    let mut memory = Connection::open_in_memory()?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut memory)?;
        // All pages in one step: one read transaction, so the copy is a single snapshot.
        loop {
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => continue,
                rusqlite::backup::StepResult::Busy | rusqlite::backup::StepResult::Locked => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                _ => continue,
            }
        }
    }
    let data = memory.serialize(rusqlite::MAIN_DB)?;
    Ok(data.to_vec())
}

/// Make a backup of `conn`'s database, then rotate that kind's backups down to [`KEEP`].
pub fn create(
    conn: &Connection,
    ctx: &BackupContext<'_>,
    kind: BackupKind,
    now: jiff::Timestamp,
) -> Result<BackupInfo> {
    let image = snapshot(conn)?;
    let schema_version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    write_backup(ctx, kind, now, u32::try_from(schema_version).unwrap_or(0), &image)
}

fn write_backup(
    ctx: &BackupContext<'_>,
    kind: BackupKind,
    now: jiff::Timestamp,
    schema_version: u32,
    image: &[u8],
) -> Result<BackupInfo> {
    let key = backup_key(ctx.secrets, ctx.site, true)?.expect("created above");
    let mut keys = Vec::new();
    // The device's keys and the site's badge-signing key: what a replacement machine needs.
    let accounts = KeyPurpose::ALL.into_iter().map(|purpose| device_key_account(ctx.device, purpose)).chain([
        crate::badge::keys::site_key_account(ctx.site),
        crate::visitors::identity::site_hash_key_account(ctx.site),
    ]);
    for account in accounts {
        if let Some(secret) = ctx.secrets.get(&account)? {
            keys.push((account, base64::engine::general_purpose::STANDARD.encode(secret.expose())));
        }
    }
    let keys = zeroize::Zeroizing::new(serde_json::to_vec(&KeyBundle { keys }).expect("plain data serialises"));
    let mut payload = zeroize::Zeroizing::new(Vec::with_capacity(4 + keys.len() + image.len()));
    payload.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    payload.extend_from_slice(&keys);
    payload.extend_from_slice(image);

    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let header = BackupHeader {
        format: FORMAT,
        site: ctx.site.clone(),
        device: ctx.device,
        schema_version,
        created_at: now,
        kind,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        key_id: key_id(&key),
        nonce: base64::engine::general_purpose::STANDARD.encode(nonce),
        payload_bytes: payload.len() as u64,
    };
    let header_json = serde_json::to_vec(&header).expect("plain data serialises");
    let mut file = Vec::with_capacity(12 + header_json.len() + payload.len() + TAG_LEN);
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&(header_json.len() as u32).to_le_bytes());
    file.extend_from_slice(&header_json);
    let cipher = cipher(&key)?;
    let sealed = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg: &payload, aad: &file })
        .map_err(|_| BackupError::Damaged("encryption failed".into()))?;
    file.extend_from_slice(&sealed);

    let folder = ctx.folder();
    std::fs::create_dir_all(&folder).map_err(io_err(&folder))?;
    let stamp = now.strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
    let kind_name: &str = kind.into();
    let file_name = format!("frontdesk-{}-{stamp}-{kind_name}.{EXTENSION}", ctx.site);
    let path = folder.join(&file_name);
    write_durably(&path, &file)?;
    rotate(&folder, kind)?;
    Ok(BackupInfo { file_name, size_bytes: file.len() as u64, header })
}

fn cipher(key: &Secret) -> Result<XChaCha20Poly1305> {
    XChaCha20Poly1305::new_from_slice(key.expose()).map_err(|_| BackupError::BadRecoveryKey)
}

/// Write to a temp file, sync it, rename it into place and sync the folder: a crash leaves
/// either the old state or the complete new file, never a half-written backup.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        sync_dir(path.parent().unwrap_or(Path::new(".")));
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io_err(path))
}

fn sync_dir(dir: &Path) {
    // Directories cannot be opened for syncing on Windows; there the rename is durable enough.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Delete the oldest backups of `kind`'s rotation beyond [`KEEP`].
fn rotate(folder: &Path, kind: BackupKind) -> Result<()> {
    let mut same: Vec<BackupInfo> =
        list(folder)?.into_iter().filter(|b| b.header.kind.rotation() == kind.rotation()).collect();
    // Newest first.
    same.sort_by(|a, b| b.header.created_at.cmp(&a.header.created_at).then(b.file_name.cmp(&a.file_name)));
    for old in same.into_iter().skip(KEEP) {
        let path = folder.join(&old.file_name);
        std::fs::remove_file(&path).map_err(io_err(&path))?;
    }
    Ok(())
}

/// The backups in `folder`, newest first. Files that are not readable backups are skipped.
pub fn list(folder: &Path) -> Result<Vec<BackupInfo>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(folder)(e)),
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if let Ok((header, _)) = parse(&bytes, &path) {
            found.push(BackupInfo {
                file_name: entry.file_name().to_string_lossy().into_owned(),
                size_bytes: bytes.len() as u64,
                header,
            });
        }
    }
    found.sort_by(|a, b| b.header.created_at.cmp(&a.header.created_at).then(b.file_name.cmp(&a.file_name)));
    Ok(found)
}

/// Split a backup file into its header and the length of what precedes the ciphertext.
fn parse(bytes: &[u8], path: &Path) -> Result<(BackupHeader, usize)> {
    let shown = path.display().to_string();
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(BackupError::NotABackup(shown));
    }
    if bytes.len() < MAGIC.len() + 4 {
        return Err(BackupError::Truncated("it ends inside its header".into()));
    }
    let header_len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    if header_len > MAX_HEADER {
        return Err(BackupError::Damaged("its header length is impossible".into()));
    }
    let start = 12 + header_len;
    if bytes.len() < start {
        return Err(BackupError::Truncated("it ends inside its header".into()));
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes[12..start])
        .map_err(|e| BackupError::Damaged(format!("its header is unreadable ({e})")))?;
    let format = value.get("format").and_then(|f| f.as_u64()).unwrap_or(0) as u32;
    if format != FORMAT {
        return Err(BackupError::UnsupportedFormat(format));
    }
    let header: BackupHeader =
        serde_json::from_value(value).map_err(|e| BackupError::Damaged(format!("its header is unreadable ({e})")))?;
    let expected = start as u64 + header.payload_bytes + TAG_LEN as u64;
    let actual = bytes.len() as u64;
    if actual < expected {
        return Err(BackupError::Truncated(format!("{actual} of {expected} bytes are there")));
    }
    if actual > expected {
        return Err(BackupError::Damaged(format!("{} bytes too many", actual - expected)));
    }
    Ok((header, start))
}

/// A backup decrypted into a temp file beside the live database and checked; nothing live has
/// been touched yet. Dropping it removes the temp file.
pub struct StagedRestore {
    pub header: BackupHeader,
    temp: PathBuf,
    keys: Vec<(String, Secret)>,
    key: Secret,
}

impl Drop for StagedRestore {
    fn drop(&mut self) {
        remove_db_files(&self.temp);
    }
}

fn remove_db_files(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Where a restore is going and what it must match.
pub struct RestoreTarget<'a> {
    pub data_dir: &'a Path,
    pub site: &'a SiteId,
    /// The device the backup must belong to (restoring in a running kiosk); `None` accepts any
    /// device of the site (a replacement machine).
    pub device: Option<DeviceId>,
    pub secrets: &'a dyn SecretStore,
    /// A recovery key given by the operator; otherwise the keyring's backup key.
    pub recovery_key: Option<Secret>,
}

/// Read, decrypt and check a backup into a temp file in the data folder.
pub fn stage(file: &Path, target: &RestoreTarget<'_>) -> Result<StagedRestore> {
    let bytes = std::fs::read(file).map_err(io_err(file))?;
    let (header, start) = parse(&bytes, file)?;
    if &header.site != target.site {
        return Err(BackupError::ForeignSite { found: header.site.0.clone(), expected: target.site.0.clone() });
    }
    if let Some(device) = target.device
        && header.device != device
    {
        return Err(BackupError::ForeignDevice { found: header.device.to_string(), expected: device.to_string() });
    }
    if header.schema_version as usize > storage::latest_version() {
        return Err(BackupError::TooNew { found: header.schema_version, supported: storage::latest_version() as u32 });
    }
    let key = match &target.recovery_key {
        Some(key) => key.clone(),
        None => {
            backup_key(target.secrets, target.site, false)?.ok_or_else(|| BackupError::NoKey(target.site.0.clone()))?
        }
    };
    if key_id(&key) != header.key_id {
        return Err(BackupError::WrongKey { found: header.key_id.clone(), expected: key_id(&key) });
    }
    let nonce: [u8; 24] = base64::engine::general_purpose::STANDARD
        .decode(&header.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(|| BackupError::Damaged("its nonce is unreadable".into()))?;
    let payload = zeroize::Zeroizing::new(
        cipher(&key)?
            .decrypt(&XNonce::from(nonce), Payload { msg: &bytes[start..], aad: &bytes[..start] })
            .map_err(|_| BackupError::Damaged("its contents do not match their authentication tag".into()))?,
    );
    if payload.len() < 4 {
        return Err(BackupError::Damaged("its payload is empty".into()));
    }
    let keys_len = u32::from_le_bytes(payload[..4].try_into().expect("4 bytes")) as usize;
    if payload.len() < 4 + keys_len {
        return Err(BackupError::Damaged("its key section is cut short".into()));
    }
    let bundle: KeyBundle = serde_json::from_slice(&payload[4..4 + keys_len])
        .map_err(|e| BackupError::Damaged(format!("its key section is unreadable ({e})")))?;
    let mut keys = Vec::new();
    for (account, value) in bundle.keys {
        let secret = base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|_| BackupError::Damaged("a device key is unreadable".into()))?;
        keys.push((account, Secret::new(secret)));
    }

    std::fs::create_dir_all(target.data_dir).map_err(io_err(target.data_dir))?;
    let temp = target.data_dir.join(format!(".restore-{}.sqlite3", uuid::Uuid::now_v7()));
    let staged = StagedRestore { header, temp, keys, key };
    write_durably(&staged.temp, &payload[4 + keys_len..])?;
    check_database(&staged)?;
    Ok(staged)
}

/// The restored file must be a sound SQLite database of this site and device, with an intact
/// audit chain, that this build can migrate.
fn check_database(staged: &StagedRestore) -> Result<()> {
    let header = &staged.header;
    let damaged = |what: String| BackupError::Damaged(what);
    {
        let conn = Connection::open(&staged.temp)?;
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| damaged(format!("SQLite cannot read its database ({e})")))?;
        if integrity != "ok" {
            return Err(damaged(format!("SQLite's integrity check failed: {integrity}")));
        }
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version != i64::from(header.schema_version) {
            return Err(damaged(format!(
                "schema version {version} does not match its header ({})",
                header.schema_version
            )));
        }
        let device: Option<String> =
            conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0)).ok();
        if device.as_deref() != Some(header.device.to_string().as_str()) {
            return Err(damaged("its database names another device than its header".into()));
        }
        let foreign: i64 =
            conn.query_row("SELECT count(*) FROM ops WHERE site <> ?1", [&header.site.0], |r| r.get(0))?;
        if foreign > 0 {
            return Err(BackupError::ForeignSite { found: "(mixed)".into(), expected: header.site.0.clone() });
        }
        let has_audit: bool = conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'audit'",
            [],
            |r| r.get(0),
        )?;
        if has_audit {
            let chain = crate::audit::verify(&conn)?;
            if let Some(seq) = chain.first_broken {
                return Err(damaged(format!("its audit log is broken at entry {seq}")));
            }
        }
    }
    // Migrating proves the schema is one this build knows and brings it up to date.
    drop(Store::open(&staged.temp)?);
    Ok(())
}

impl StagedRestore {
    /// Replace the database in `data_dir` with the staged one. `live` is the open connection
    /// to the live database, if the caller has one; without it, one is opened here.
    ///
    /// The live database is backed up first (`pre-restore`), then the staged file is renamed
    /// over it: the rename is atomic, so the data folder holds either the old or the restored
    /// database, never neither. Device keys the keyring lacks are put back from the backup.
    pub fn install(
        self,
        ctx: &BackupContext<'_>,
        live: Option<Connection>,
        now: jiff::Timestamp,
    ) -> Result<RestoreReport> {
        let live_path = ctx.data_dir.join(DATABASE_FILE);
        let mut previous = None;
        let new_identity;
        let conn = match live {
            Some(conn) => Some(conn),
            None if live_path.exists() => Some(Connection::open(&live_path)?),
            None => None,
        };
        if let Some(conn) = conn {
            conn.busy_timeout(std::time::Duration::ZERO)?;
            // Leaving WAL mode needs the database to itself: this fails while another process
            // (a running Frontdesk) has it open, and it folds the WAL into the main file so no
            // stale log is left to be replayed over the restored database.
            let mode: String =
                conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).map_err(|_| BackupError::InUse)?;
            if !mode.eq_ignore_ascii_case("delete") {
                return Err(BackupError::InUse);
            }
            // The database being replaced is kept as a backup of its own, under the key the
            // restored database will use.
            let image = snapshot(&conn)?;
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap_or(0);
            let device = conn
                .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get::<_, String>(0))
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(ctx.device);
            ensure_key(ctx, &self.key)?;
            let kept = write_backup(
                &BackupContext { device, ..*ctx },
                BackupKind::PreRestore,
                now,
                u32::try_from(version).unwrap_or(0),
                &image,
            )?;
            previous = Some(kept.file_name);
            drop(conn);
        } else {
            ensure_key(ctx, &self.key)?;
        }
        {
            // The staged database leaves WAL mode too, so it is one self-contained file.
            let conn = Connection::open(&self.temp)?;
            let _: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        }
        for suffix in ["-wal", "-shm"] {
            let mut p = live_path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        {
            // Detached before it takes the live name, so no start ever sees it still linked.
            let conn = Connection::open(&self.temp)?;
            new_identity = crate::sync::detach_restored(&conn)?.is_some();
        }
        std::fs::rename(&self.temp, &live_path).map_err(io_err(&live_path))?;
        sync_dir(ctx.data_dir);
        let mut keys_restored = 0;
        for (account, secret) in &self.keys {
            if ctx.secrets.get(account)?.is_none() {
                ctx.secrets.set(account, secret)?;
                keys_restored += 1;
            }
        }
        Ok(RestoreReport { restored: self.header.clone(), previous, keys_restored, new_identity })
    }
}

/// The key that opened the backup becomes the site's backup key if the keyring has none (a
/// replacement machine given the recovery key), so its next backups use the same key.
fn ensure_key(ctx: &BackupContext<'_>, key: &Secret) -> Result<()> {
    let account = key_account(ctx.site);
    if ctx.secrets.get(&account)?.is_none() {
        ctx.secrets.set(&account, key)?;
    }
    Ok(())
}

/// Back up an existing database before this build migrates it, if it needs migrating.
/// Returns the backup made, if any.
pub fn before_migration(
    data_dir: &Path,
    site: &SiteId,
    secrets: &dyn SecretStore,
    now: jiff::Timestamp,
) -> Result<Option<BackupInfo>> {
    let path = data_dir.join(DATABASE_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let conn = Connection::open(&path)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version == 0 || version >= storage::latest_version() {
        return Ok(None);
    }
    let device: DeviceId = conn
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get::<_, String>(0))
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or_default();
    let ctx = BackupContext { data_dir, site, device, secrets };
    Ok(Some(create(&conn, &ctx, BackupKind::PreMigration, now)?))
}

/// `frontdesk backup`: back up the database in `data_dir` now (a running Frontdesk may keep
/// working meanwhile) and audit it there.
pub fn backup_data_dir(
    data_dir: &Path,
    site: &SiteId,
    secrets: &dyn SecretStore,
    now: jiff::Timestamp,
) -> Result<BackupInfo> {
    let path = data_dir.join(DATABASE_FILE);
    if !path.exists() {
        return Err(BackupError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no database in this data folder"),
        });
    }
    before_migration(data_dir, site, secrets, now)?;
    let mut store = Store::open(&path)?;
    let device: DeviceId = store
        .meta("device_id")?
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| BackupError::Damaged("the database names no device".into()))?;
    let ctx = BackupContext { data_dir, site, device, secrets };
    let info = create(store.connection(), &ctx, BackupKind::Manual, now)?;
    audit_cli(
        &mut store,
        now,
        crate::audit::AuditAction::BackupCreated,
        &info.file_name,
        serde_json::json!({
            "kind": info.header.kind, "schema_version": info.header.schema_version, "bytes": info.size_bytes
        }),
    )?;
    Ok(info)
}

/// `frontdesk restore FILE`: restore a backup into `data_dir` (empty, or holding a database no
/// running Frontdesk has open). Any device of the site is accepted, so a replacement machine
/// can take over a lost kiosk's data with its recovery key.
pub fn restore_data_dir(
    file: &Path,
    data_dir: &Path,
    site: &SiteId,
    secrets: &dyn SecretStore,
    recovery_key: Option<Secret>,
    now: jiff::Timestamp,
) -> Result<RestoreReport> {
    let target = RestoreTarget { data_dir, site, device: None, secrets, recovery_key };
    let staged = match stage(file, &target) {
        Ok(staged) => staged,
        Err(err) => {
            // The refusal is audited in the live database, if there is one to audit in.
            let live = data_dir.join(DATABASE_FILE);
            if live.exists()
                && let Ok(mut store) = Store::open(&live)
            {
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let _ = audit_cli(
                    &mut store,
                    now,
                    crate::audit::AuditAction::BackupRefused,
                    &name,
                    serde_json::json!({
                        "reason": err.reason()
                    }),
                );
            }
            return Err(err);
        }
    };
    let ctx = BackupContext { data_dir, site, device: staged.header.device, secrets };
    let report = staged.install(&ctx, None, now)?;
    let mut store = Store::open(&data_dir.join(DATABASE_FILE))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    audit_cli(
        &mut store,
        now,
        crate::audit::AuditAction::BackupRestored,
        &name,
        serde_json::json!({
            "created_at": report.restored.created_at.to_string(),
            "schema_version": report.restored.schema_version,
            "previous": report.previous,
            "new_identity": report.new_identity,
        }),
    )?;
    Ok(report)
}

fn audit_cli(
    store: &mut Store,
    now: jiff::Timestamp,
    action: crate::audit::AuditAction,
    subject: &str,
    details: serde_json::Value,
) -> Result<()> {
    let entry = crate::audit::NewAuditEntry {
        actor: crate::kiosk::CLI_ACTOR.to_owned(),
        action,
        subject: subject.to_owned(),
        details,
    };
    store.transaction(now.as_millisecond(), |tx| tx.audit(now.as_millisecond(), &entry).map(|_| ()))?;
    Ok(())
}

/// Resolve a backup named on the admin screen to its path, refusing anything that is not a
/// plain file name in the backup folder.
pub fn path_in(folder: &Path, file_name: &str) -> Result<PathBuf> {
    let plain = !file_name.is_empty()
        && !file_name.contains(['/', '\\'])
        && file_name != ".."
        && file_name.ends_with(&format!(".{EXTENSION}"));
    let path = folder.join(file_name);
    if !plain || !path.is_file() {
        return Err(BackupError::NotFound(file_name.to_owned()));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_keys_round_trip_and_tolerate_formatting() {
        let key = Secret::random(KEY_LEN);
        let text = recovery_key_text(&key);
        assert_eq!(text.replace('-', "").len(), 52);
        assert_eq!(parse_recovery_key(&text).unwrap(), key);
        assert_eq!(parse_recovery_key(&text.to_lowercase().replace('-', " ")).unwrap(), key);
        assert!(matches!(parse_recovery_key("ABCD-EFGH"), Err(BackupError::BadRecoveryKey)));
    }

    #[test]
    fn only_plain_backup_names_resolve() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.fdbackup"), b"x").unwrap();
        assert!(path_in(dir.path(), "a.fdbackup").is_ok());
        for bad in ["../a.fdbackup", "", "a.txt", "..", "/etc/passwd", "b.fdbackup"] {
            assert!(path_in(dir.path(), bad).is_err(), "{bad}");
        }
    }
}
