//! The admin PIN, its lockout, admin sessions and the audit log, on a real database file.

mod common;

use std::sync::Arc;

use common::*;
use frontdesk_core::kiosk::{AdminLogin, AdminSession, PinCheck};
use frontdesk_core::pin::{DEFAULT_ADMIN_PIN, LOCKOUT_SECONDS, MAX_FAILURES, PinPurpose};
use frontdesk_core::storage::DATABASE_FILE;
use frontdesk_core::{ErrorCode, FieldErrorCode, Kiosk};

fn granted(result: AdminLogin) -> AdminSession {
    match result {
        AdminLogin::Granted(session) => session,
        AdminLogin::Refused(r) => panic!("refused: {r:?}"),
    }
}

fn first_login(kiosk: &Kiosk) -> AdminSession {
    let session = granted(kiosk.admin_login(DEFAULT_ADMIN_PIN).unwrap());
    assert!(session.must_change_pin);
    kiosk.change_admin_pin(&session.token, "482915", "482915").unwrap();
    granted(kiosk.admin_login("482915").unwrap())
}

#[test]
fn the_first_run_pin_only_opens_the_change_pin_step() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let session = granted(kiosk.admin_login(DEFAULT_ADMIN_PIN).unwrap());
    assert!(session.must_change_pin);
    let err = kiosk.verify_audit(&session.token).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PinChangeRequired);

    // The new PIN must be sound and typed twice alike.
    let err = kiosk.change_admin_pin(&session.token, DEFAULT_ADMIN_PIN, DEFAULT_ADMIN_PIN).unwrap_err();
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::PinTooSimple);
    let err = kiosk.change_admin_pin(&session.token, "482915", "482916").unwrap_err();
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::PinMismatch);
    kiosk.change_admin_pin(&session.token, "482915", "482915").unwrap();
    assert!(kiosk.verify_audit(&session.token).unwrap().is_intact());

    // The default no longer works; the new PIN does, without a forced change.
    assert!(matches!(kiosk.admin_login(DEFAULT_ADMIN_PIN).unwrap(), AdminLogin::Refused(_)));
    assert!(!granted(kiosk.admin_login("482915").unwrap()).must_change_pin);

    // Only a hash is stored.
    drop(kiosk);
    assert!(!contains(&database_bytes(dir.path()), "482915"));
}

#[test]
fn sessions_need_the_token_and_end_after_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let session = first_login(&kiosk);
    assert_eq!(kiosk.verify_audit("forged").unwrap_err().code(), ErrorCode::AdminRequired);
    kiosk.verify_audit(&session.token).unwrap();
    let idle = u64::from(kiosk.site().kiosk.idle_timeout_seconds) * 1000;
    advance(idle - 1000);
    kiosk.verify_audit(&session.token).unwrap(); // use extends the session
    advance(idle - 1000);
    kiosk.verify_audit(&session.token).unwrap();
    advance(idle + 1);
    assert_eq!(kiosk.verify_audit(&session.token).unwrap_err().code(), ErrorCode::AdminRequired);

    let session = granted(kiosk.admin_login("482915").unwrap());
    kiosk.admin_logout(&session.token);
    assert_eq!(kiosk.verify_audit(&session.token).unwrap_err().code(), ErrorCode::AdminRequired);
}

#[test]
fn five_wrong_pins_lock_every_prompt_even_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(frontdesk_core::secrets::MemorySecretStore::default());
    let kiosk = open(dir.path(), secrets.clone());
    first_login(&kiosk);
    for left in (0..MAX_FAILURES).rev() {
        match kiosk.admin_login("111222").unwrap() {
            AdminLogin::Refused(r) => assert_eq!(r.attempts_left, left),
            AdminLogin::Granted(_) => panic!("a wrong PIN was accepted"),
        }
    }
    // Locked: even the right PIN is refused, at every prompt, and after a restart.
    let AdminLogin::Refused(r) = kiosk.admin_login("482915").unwrap() else { panic!("accepted while locked") };
    assert!(r.locked_until.is_some());
    assert!(matches!(kiosk.check_pin(PinPurpose::Supervisor, "482915").unwrap(), PinCheck::Refused(_)));
    drop(kiosk);
    let kiosk = open(dir.path(), secrets);
    assert!(matches!(kiosk.admin_login("482915").unwrap(), AdminLogin::Refused(_)));

    // After the lockout the right PIN works. Failures: five wrong PINs and three tries while locked.
    advance(LOCKOUT_SECONDS as u64 * 1000 + 1);
    let session = granted(kiosk.admin_login("482915").unwrap());
    let actions: Vec<String> = kiosk.recent_audit(&session.token, 100).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"pin_lockout".to_owned()), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "pin_failed").count(), MAX_FAILURES as usize + 3);
}

#[test]
fn sign_in_and_out_are_audited_in_an_intact_chain() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let visit = kiosk.sign_in(visitor("王小明")).unwrap();
    kiosk.sign_out(visit.id).unwrap();
    let session = first_login(&kiosk);
    let entries = kiosk.recent_audit(&session.token, 10).unwrap();
    let subjects: Vec<(&str, &str)> = entries.iter().rev().map(|e| (e.action.as_str(), e.subject.as_str())).collect();
    let id = visit.id.to_string();
    assert_eq!(&subjects[..2], &[("sign_in", id.as_str()), ("sign_out", id.as_str())]);
    assert!(entries.iter().all(|e| e.actor == "desk:lobby" || e.actor == "admin:lobby"));
    let report = kiosk.verify_audit(&session.token).unwrap();
    assert!(report.is_intact());
    assert_eq!(report.entries, entries.len() as u64);
    // No personal data in the audit log.
    assert!(entries.iter().all(|e| !e.details.to_string().contains("王小明") && !e.subject.contains("王小明")));
}

#[test]
fn flipping_one_byte_of_a_stored_entry_breaks_verification_at_that_entry() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(frontdesk_core::secrets::MemorySecretStore::default());
    let (visits, token) = {
        let kiosk = open(dir.path(), secrets.clone());
        let visits: Vec<_> = (0..5).map(|i| kiosk.sign_in(visitor(&format!("Visitor {i}"))).unwrap()).collect();
        (visits, first_login(&kiosk).token)
    };
    let _ = token;
    // Closing the kiosk checkpoints the WAL into the main file; find the third sign-in entry's
    // subject (the visit id) in the file and flip one byte of it.
    let path = dir.path().join(DATABASE_FILE);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let seq: i64 =
        conn.query_row("SELECT seq FROM audit WHERE subject = ?1", [visits[2].id.to_string()], |r| r.get(0)).unwrap();
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
    drop(conn);
    let mut bytes = std::fs::read(&path).unwrap();
    let needle = visits[2].id.to_string();
    let positions: Vec<usize> =
        bytes.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle.as_bytes()).map(|(i, _)| i).collect();
    // The id is in the ops, visits and audit tables; flip it in the audit row, which stores it
    // right after the action `sign_in`.
    let in_audit = positions
        .iter()
        .copied()
        .find(|&p| bytes[..p].ends_with(b"sign_in"))
        .expect("the audit row holds the visit id after its action");
    bytes[in_audit + 3] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();

    let kiosk = open(dir.path(), secrets);
    let session = granted(kiosk.admin_login("482915").unwrap());
    let report = kiosk.verify_audit(&session.token).unwrap();
    assert_eq!(report.first_broken, Some(seq as u64), "{report:?}");
}
