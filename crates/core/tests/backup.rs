//! Backups: made with SQLite's online backup API, encrypted, rotated, restored into a fresh data
//! folder with every record intact; damaged, truncated, foreign and wrong-key backups refused
//! without touching the live database.

mod support;

use std::path::Path;
use std::sync::Arc;

use frontdesk_core::backup::{self, BackupKind};
use frontdesk_core::ids::{HostId, SiteId};
use frontdesk_core::secrets::{MemorySecretStore, SecretStore};
use frontdesk_core::visit::NewVisit;
use frontdesk_core::{ErrorCode, Kiosk};
use rusqlite::Connection;

fn sign_in(kiosk: &Kiosk, name: &str) {
    kiosk
        .sign_in(NewVisit {
            name: name.into(),
            company: "Acme".into(),
            host_id: HostId("zhang-wei".into()),
            purpose: "meeting".into(),
            ..NewVisit::default()
        })
        .unwrap();
}

fn admin(kiosk: &Kiosk) -> String {
    match kiosk.admin_login("000000").unwrap() {
        frontdesk_core::kiosk::AdminLogin::Granted(s) => {
            kiosk.change_admin_pin(&s.token, "482915", "482915").unwrap();
            s.token
        }
        other => panic!("{other:?}"),
    }
}

/// Every row of every table, in a fixed order: two databases with the same dump hold the same
/// records.
fn dump_all(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        // Virtual tables (the search index) are read through their shadow tables.
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1, 2")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let cols: Vec<String> = (0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect();
            out.push(format!("{table}: {}", cols.join(" | ")));
        }
    }
    out
}

#[test]
fn a_backup_restores_into_a_fresh_data_folder_with_every_record() {
    let live = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = support::open_kiosk(live.path(), secrets.clone());
    for i in 0..25 {
        sign_in(&kiosk, &format!("访客 {i}"));
    }
    let token = admin(&kiosk);
    let info = kiosk.backup_now(&token).unwrap();
    assert_eq!(info.header.kind, BackupKind::Manual);
    assert_eq!(info.header.site, SiteId("riverside-tower".into()));
    assert_eq!(info.header.device, kiosk.device_id());
    assert_eq!(info.header.schema_version as usize, frontdesk_core::storage::latest_version());

    // The file holds no readable record: the payload is encrypted.
    let file = kiosk.backup_folder().join(&info.file_name);
    let bytes = std::fs::read(&file).unwrap();
    assert!(!bytes.windows("访客".len()).any(|w| w == "访客".as_bytes()));
    assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"));

    // What the backup holds is the database as it was when it was made (plus the audit entry
    // of the backup itself, written after the copy).
    let expected = dump_all(&live.path().join("frontdesk.sqlite3"));
    drop(kiosk);

    // A replacement machine: an empty data folder and an empty keyring; the operator gives the
    // recovery key.
    let recovery = backup::recovery_key_text(
        &backup::backup_key(secrets.as_ref(), &SiteId("riverside-tower".into()), false).unwrap().unwrap(),
    );
    let fresh = tempfile::tempdir().unwrap();
    let new_keyring = Arc::new(MemorySecretStore::default());
    let site = SiteId("riverside-tower".into());
    let report = backup::restore_data_dir(
        &file,
        fresh.path(),
        &site,
        new_keyring.as_ref(),
        Some(backup::parse_recovery_key(&recovery).unwrap()),
        jiff::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(report.previous, None);
    assert_eq!(report.keys_restored, 4, "the device keys, the site badge key and the site ID-hashing key come back");

    let restored = dump_all(&fresh.path().join("frontdesk.sqlite3"));
    let (restore_audit, records): (Vec<_>, Vec<_>) =
        restored.into_iter().partition(|row| row.starts_with("audit:") && row.contains("backup_restored"));
    assert_eq!(restore_audit.len(), 1, "the restore is audited in the restored database");
    let expected_without_backup_audit: Vec<_> =
        expected.into_iter().filter(|row| !(row.starts_with("audit:") && row.contains("backup_created"))).collect();
    let records_without_backup_audit: Vec<_> =
        records.into_iter().filter(|row| !(row.starts_with("audit:") && row.contains("backup_created"))).collect();
    assert_eq!(records_without_backup_audit, expected_without_backup_audit);

    // The restored kiosk opens with its own keys and shows its visitors.
    let reopened = support::open_kiosk(fresh.path(), new_keyring.clone());
    assert_eq!(reopened.on_site().unwrap().len(), 25);
    assert!(reopened.store_verify_audit_intact());
    // Its next backups use the same key, so the operator's recovery key stays valid.
    assert!(new_keyring.get(&backup::key_account(&site)).unwrap().is_some());
}

trait AuditIntact {
    fn store_verify_audit_intact(&self) -> bool;
}

impl AuditIntact for Kiosk {
    fn store_verify_audit_intact(&self) -> bool {
        let token = match self.admin_login("482915").unwrap() {
            frontdesk_core::kiosk::AdminLogin::Granted(s) => s.token,
            other => panic!("{other:?}"),
        };
        self.verify_audit(&token).unwrap().is_intact()
    }
}

#[test]
fn backups_rotate_keeping_the_newest_three_of_each_kind() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = support::open_kiosk(dir.path(), secrets);
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(kiosk.backup(BackupKind::Scheduled, "system").unwrap().file_name);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let pre = kiosk.backup(BackupKind::PreMigration, "system").unwrap();
    let token = admin(&kiosk);
    let listed: Vec<String> = kiosk.backups(&token).unwrap().into_iter().map(|b| b.file_name).collect();
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert_eq!(listed[0], pre.file_name, "newest first");
    assert_eq!(&listed[1..], &[made[4].clone(), made[3].clone(), made[2].clone()]);

    // A scheduled backup is only made when the newest one is older than the interval.
    assert!(kiosk.backup_if_due(std::time::Duration::from_secs(3600)).unwrap().is_none());
    assert!(kiosk.backup_if_due(std::time::Duration::ZERO).unwrap().is_some());
}

#[test]
fn a_restore_from_the_admin_screen_brings_back_the_old_data_and_keeps_the_replaced_one() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = support::open_kiosk(dir.path(), secrets);
    sign_in(&kiosk, "Before");
    let token = admin(&kiosk);
    let info = kiosk.backup_now(&token).unwrap();
    sign_in(&kiosk, "After");
    assert_eq!(kiosk.on_site().unwrap().len(), 2);

    let report = kiosk.restore_backup(&token, &info.file_name).unwrap();
    let names: Vec<String> = kiosk.on_site().unwrap().into_iter().map(|v| v.name).collect();
    assert_eq!(names, ["Before"], "the kiosk carries on with the restored database");
    // The replaced database was kept as a backup of its own.
    let previous = report.previous.expect("a pre-restore backup");
    let listed = kiosk.backups(&token).unwrap();
    assert!(listed.iter().any(|b| b.file_name == previous && b.header.kind == BackupKind::PreRestore));
    // And restoring that brings "After" back.
    kiosk.restore_backup(&token, &previous).unwrap();
    assert_eq!(kiosk.on_site().unwrap().len(), 2);
    // Writing still works after the reopen.
    sign_in(&kiosk, "Later");
    assert_eq!(kiosk.on_site().unwrap().len(), 3);
    let audit = kiosk.recent_audit(&token, 50).unwrap();
    assert!(audit.iter().any(|e| e.action == "backup_restored"));
    assert!(kiosk.verify_audit(&token).unwrap().is_intact());
}

/// Every way a backup can be bad is refused with its own reason, and the live database is
/// byte-for-byte what it was.
#[test]
fn bad_backups_are_refused_and_the_live_database_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = support::open_kiosk(dir.path(), secrets.clone());
    sign_in(&kiosk, "Ann");
    let token = admin(&kiosk);
    let good = kiosk.backup_now(&token).unwrap();
    let folder = kiosk.backup_folder();
    let bytes = std::fs::read(folder.join(&good.file_name)).unwrap();

    // Same site and device, another key: the key in the keyring was replaced.
    let account = backup::key_account(&SiteId("riverside-tower".into()));
    let original_key = secrets.get(&account).unwrap().unwrap();
    secrets.set(&account, &frontdesk_core::secrets::Secret::random(32)).unwrap();
    let other_key = kiosk.backup(BackupKind::Manual, "test").unwrap().file_name;
    secrets.set(&account, &original_key).unwrap();
    let write = |name: &str, data: &[u8]| {
        std::fs::write(folder.join(name), data).unwrap();
        name.to_owned()
    };
    let truncated = write("truncated.fdbackup", &bytes[..bytes.len() - 100]);
    let mut flipped = bytes.clone();
    let at = flipped.len() - 500;
    flipped[at] ^= 0x01;
    let flipped = write("flipped.fdbackup", &flipped);
    // Changing the header (here: the schema version) breaks the authentication too.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let header_end = 12 + u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[12..header_end]).unwrap();
    let forged_header = header.replace("\"kind\":\"manual\"", "\"kind\":\"scheduled\"");
    assert_ne!(forged_header, header);
    let mut forged = bytes[..8].to_vec();
    forged.extend_from_slice(&(forged_header.len() as u32).to_le_bytes());
    forged.extend_from_slice(forged_header.as_bytes());
    forged.extend_from_slice(&bytes[header_end..]);
    let forged = write("forged-header.fdbackup", &forged);
    let not_backup = write("notes.fdbackup", b"hello, this is not a backup");
    drop(text);

    // Another site's backup, and a backup under another key.
    let other_dir = tempfile::tempdir().unwrap();
    let other_site = {
        let mut site = frontdesk_core::site::SiteConfig::demo().unwrap();
        site.site.id = SiteId("harbour-point".into());
        Kiosk::open(frontdesk_core::KioskOptions {
            data_dir: other_dir.path().to_owned(),
            site,
            secrets: Arc::new(MemorySecretStore::default()),
            os_locale: None,
            wall: frontdesk_core::hlc::system_millis,
        })
        .unwrap()
    };
    let foreign = other_site.backup(BackupKind::Manual, "test").unwrap();
    let foreign =
        write("foreign.fdbackup", &std::fs::read(other_site.backup_folder().join(&foreign.file_name)).unwrap());

    let live = dir.path().join("frontdesk.sqlite3");
    let before = dump_all(&live);
    for (name, code) in [
        (truncated, ErrorCode::BackupDamaged),
        (flipped, ErrorCode::BackupDamaged),
        (forged, ErrorCode::BackupDamaged),
        (not_backup, ErrorCode::BackupNotABackup),
        (foreign, ErrorCode::BackupForeign),
        (other_key, ErrorCode::BackupWrongKey),
        ("../frontdesk.sqlite3".to_owned(), ErrorCode::BackupNotFound),
    ] {
        let err = kiosk.restore_backup(&token, &name).unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
        let after: Vec<String> = dump_all(&live).into_iter().filter(|r| !r.contains("backup_refused")).collect();
        let before_now: Vec<String> = before.iter().filter(|r| !r.contains("backup_created")).cloned().collect();
        let after_now: Vec<String> = after.into_iter().filter(|r| !r.contains("backup_created")).collect();
        assert_eq!(after_now, before_now, "{name} changed the live database");
    }
    // No temp file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".restore-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let refusals =
        kiosk.recent_audit(&token, 100).unwrap().into_iter().filter(|e| e.action == "backup_refused").count();
    assert_eq!(refusals, 7, "every refusal is audited");
    assert_eq!(kiosk.on_site().unwrap().len(), 1);
}

#[test]
fn the_command_line_refuses_while_frontdesk_has_the_database_open() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = support::open_kiosk(dir.path(), secrets.clone());
    sign_in(&kiosk, "Ann");
    let site = SiteId("riverside-tower".into());
    // `frontdesk backup` works beside a running kiosk…
    let info = backup::backup_data_dir(dir.path(), &site, secrets.as_ref(), jiff::Timestamp::now()).unwrap();
    // …`frontdesk restore` does not.
    let file = dir.path().join("backups").join(&info.file_name);
    let err =
        backup::restore_data_dir(&file, dir.path(), &site, secrets.as_ref(), None, jiff::Timestamp::now()).unwrap_err();
    assert_eq!(err.reason(), "in_use", "{err}");
    assert_eq!(kiosk.on_site().unwrap().len(), 1);
    sign_in(&kiosk, "Bob");
    drop(kiosk);
    // Once it is closed, the restore goes through and keeps the replaced database as a backup.
    let report =
        backup::restore_data_dir(&file, dir.path(), &site, secrets.as_ref(), None, jiff::Timestamp::now()).unwrap();
    assert!(report.previous.is_some());
    let kiosk = support::open_kiosk(dir.path(), secrets);
    assert_eq!(kiosk.on_site().unwrap().len(), 1);
}

#[test]
fn a_database_is_backed_up_before_it_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    // A database written by the previous release: one schema step behind.
    let old = frontdesk_core::storage::latest_version() - 1;
    frontdesk_core::storage::create_at_version_for_tests(&dir.path().join("frontdesk.sqlite3"), old);
    let kiosk = support::open_kiosk(dir.path(), secrets);
    let list = backup::list(&kiosk.backup_folder()).unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].header.kind, BackupKind::PreMigration);
    assert_eq!(list[0].header.schema_version as usize, frontdesk_core::storage::latest_version() - 1);
}

/// An enrolled kiosk restored from the admin screen continues as a new device after a restart
/// (see `sync::link::detach_restored`); until then it writes nothing under the old identity.
#[test]
fn an_enrolled_kiosk_restored_from_the_admin_screen_retires_until_it_restarts_as_a_new_device() {
    use frontdesk_core::secrets::Secret;
    use frontdesk_core::sync::HubLink;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = support::open_kiosk(dir.path(), secrets.clone());
    let token = admin(&kiosk);
    let link = HubLink {
        url: "https://hub.example:8443".into(),
        fingerprint: Some(frontdesk_core::sync::credentials::Fingerprint([7; 32])),
        site: SiteId("riverside-tower".into()),
        device_name: "Lobby".into(),
        handover_seq: 0,
        enrolled_at: jiff::Timestamp::UNIX_EPOCH,
        revoked_at: None,
    };
    kiosk.complete_enrolment(&link, &Secret::new(b"fdc1.credential".to_vec())).unwrap();
    sign_in(&kiosk, "Before");
    let info = kiosk.backup_now(&token).unwrap();
    sign_in(&kiosk, "After");
    let old_device = kiosk.device_id();
    let restarted = Arc::new(AtomicBool::new(false));
    let flag = restarted.clone();
    kiosk.on_retired(Arc::new(move || flag.store(true, Ordering::SeqCst)));

    let report = kiosk.restore_backup(&token, &info.file_name).unwrap();
    assert!(report.new_identity);
    assert!(restarted.load(Ordering::SeqCst), "the app is told to restart");
    let refused = kiosk
        .sign_in(NewVisit {
            name: "Too soon".into(),
            company: String::new(),
            host_id: HostId("zhang-wei".into()),
            purpose: String::new(),
            ..NewVisit::default()
        })
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::RestartRequired, "nothing under the old identity");
    drop(kiosk);

    let reopened = support::open_kiosk(dir.path(), secrets);
    assert_ne!(reopened.device_id(), old_device);
    assert!(reopened.hub_link().unwrap().is_none());
    let names: Vec<String> = reopened.on_site().unwrap().into_iter().map(|v| v.name).collect();
    assert_eq!(names, ["Before"]);
    sign_in(&reopened, "New device");
    assert_eq!(reopened.on_site().unwrap().len(), 2);
}
