//! The desk's actions through the kiosk facade, against a real database file.

use std::sync::Arc;

use frontdesk_core::ids::HostId;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::storage::{DATABASE_FILE, Store};
use frontdesk_core::visit::NewVisit;
use frontdesk_core::{CoreError, ErrorCode, FieldErrorCode, Kiosk, KioskOptions};

fn open(dir: &std::path::Path, secrets: Arc<MemorySecretStore>) -> Result<Kiosk, CoreError> {
    Kiosk::open(KioskOptions {
        data_dir: dir.to_owned(),
        site: SiteConfig::demo().unwrap(),
        secrets,
        os_locale: Some("zh_CN.UTF-8".into()),
        wall: frontdesk_core::hlc::system_millis,
    })
}

fn visitor(name: &str) -> NewVisit {
    NewVisit {
        name: name.into(),
        company: "Acme 物流".into(),
        host_id: HostId("zhang-wei".into()),
        purpose: "Quarterly review".into(),
        ..NewVisit::default()
    }
}

fn op_count(kiosk_dir: &std::path::Path) -> u64 {
    Store::open(&kiosk_dir.join(DATABASE_FILE)).unwrap().read().op_count().unwrap()
}

#[test]
fn a_visitor_signs_in_shows_on_site_and_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default()).unwrap();
    assert!(kiosk.on_site().unwrap().is_empty());

    let visit = kiosk.sign_in(visitor("王小明")).unwrap();
    assert_eq!(visit.name, "王小明");
    assert_eq!(visit.host.as_ref().unwrap().name, "张伟");
    assert_eq!(visit.desk_id, "lobby");
    assert_eq!(kiosk.on_site().unwrap(), vec![visit.clone()]);

    let out = kiosk.sign_out(visit.id).unwrap();
    assert!(out.signed_out_at.is_some());
    assert!(kiosk.on_site().unwrap().is_empty());
}

#[test]
fn every_change_is_in_the_op_log_with_increasing_sequence_and_clock() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default()).unwrap();
    let hosts = SiteConfig::demo().unwrap().hosts.len() as u64;
    let visit = kiosk.sign_in(visitor("Ann Lee")).unwrap();
    kiosk.sign_out(visit.id).unwrap();

    let conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    let mut stmt = conn.prepare("SELECT id, hlc, device, seq, kind, entity_id FROM ops ORDER BY seq").unwrap();
    let rows: Vec<(String, String, String, i64, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // The directory seed, the sign-in with its private details (masked numbers, lookup hashes),
    // the sign-out.
    assert_eq!(rows.len() as u64, hosts + 3);
    for (i, (id, _, device, seq, _, _)) in rows.iter().enumerate() {
        assert_eq!(*seq, i as i64 + 1, "sequence numbers have no gaps");
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
        assert_eq!(device, &kiosk.device_id().to_string());
    }
    assert!(rows.windows(2).all(|w| w[0].1 < w[1].1), "clock stamps strictly increase");
    let tail: Vec<(&str, &str)> = rows[rows.len() - 3..].iter().map(|r| (r.4.as_str(), r.5.as_str())).collect();
    let id = visit.id.to_string();
    assert_eq!(
        tail,
        [("visit.signed_in", id.as_str()), ("visit.details", id.as_str()), ("visit.signed_out", id.as_str())]
    );
}

#[test]
fn bad_input_is_refused_per_field_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default()).unwrap();
    let before = op_count(dir.path());

    let cases: Vec<(NewVisit, &str, FieldErrorCode)> = vec![
        (visitor(""), "name", FieldErrorCode::Required),
        (visitor(&"x".repeat(101)), "name", FieldErrorCode::TooLong),
        (visitor("Bob\u{0}by"), "name", FieldErrorCode::ControlCharacters),
        (NewVisit { host_id: HostId("no-such-host".into()), ..visitor("Ann") }, "host_id", FieldErrorCode::UnknownHost),
    ];
    for (form, field, code) in cases {
        let err = kiosk.sign_in(form).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation);
        let fields: Vec<_> = err.field_errors().iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(fields, [(field, code)]);
    }
    assert_eq!(op_count(dir.path()), before);
    assert!(kiosk.on_site().unwrap().is_empty());
}

#[test]
fn a_double_sign_out_is_refused_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default()).unwrap();
    let visit = kiosk.sign_in(visitor("Ann")).unwrap();
    kiosk.sign_out(visit.id).unwrap();
    let before = op_count(dir.path());
    let err = kiosk.sign_out(visit.id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlreadySignedOut);
    assert_eq!(op_count(dir.path()), before);

    let err = kiosk.sign_out(frontdesk_core::ids::VisitId::new()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::VisitNotFound);
}

#[test]
fn data_device_identity_and_clock_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let (device, visit) = {
        let kiosk = open(dir.path(), secrets.clone()).unwrap();
        (kiosk.device_id(), kiosk.sign_in(visitor("Ann")).unwrap())
    };
    let kiosk = open(dir.path(), secrets).unwrap();
    assert_eq!(kiosk.device_id(), device);
    assert_eq!(kiosk.on_site().unwrap(), vec![visit.clone()]);
    // The directory is seeded once, not again on every start.
    let hosts = SiteConfig::demo().unwrap().hosts.len() as u64;
    assert_eq!(op_count(dir.path()), hosts + 2, "the seed, then the sign-in and its details");
    kiosk.sign_out(visit.id).unwrap();
}

#[test]
fn a_kiosk_whose_keys_vanished_from_the_keyring_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path(), Arc::default()).unwrap();
    // A new, empty keyring: the database says keys exist, the keyring does not have them.
    let err = open(dir.path(), Arc::default()).err().unwrap();
    assert_eq!(err.code(), ErrorCode::KeysMissing);
}

#[test]
fn without_a_keyring_the_kiosk_refuses_to_start_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let err = open(dir.path(), Arc::new(MemorySecretStore::unavailable())).err().unwrap();
    assert_eq!(err.code(), ErrorCode::KeyringUnavailable);
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path(), Arc::default()).unwrap();
    let path = dir.path().join(DATABASE_FILE);
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();

    let err = open(dir.path(), Arc::default()).err().unwrap();
    assert_eq!(err.code(), ErrorCode::SchemaTooNew);
    assert!(err.to_string().contains("99"), "{err}");
    let version: i64 =
        rusqlite::Connection::open(&path).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 99);
}

#[test]
fn the_op_log_cannot_be_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path(), Arc::default()).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    assert!(conn.execute("UPDATE ops SET body = '{}'", []).is_err());
    assert!(conn.execute("DELETE FROM ops", []).is_err());
}

#[test]
fn the_language_follows_the_os_until_someone_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default()).unwrap();
    assert_eq!(kiosk.info().unwrap().language, frontdesk_core::i18n::Lang::ZhCn);
    kiosk.set_language(frontdesk_core::i18n::Lang::En).unwrap();
    assert_eq!(kiosk.info().unwrap().language, frontdesk_core::i18n::Lang::En);
}

#[test]
fn an_op_larger_than_the_hub_accepts_is_never_stored() {
    use frontdesk_core::ids::VisitId;
    use frontdesk_core::op::{OpBody, VisitFields, VisitSignedIn};
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default()).unwrap();
    let before = op_count(dir.path());
    let huge = kiosk.change(|change| {
        change.op(OpBody::VisitSignedIn(VisitSignedIn {
            visit_id: VisitId::new(),
            fields: VisitFields {
                name: "Ann".into(),
                company: String::new(),
                host_id: HostId("zhang-wei".into()),
                purpose: "x".repeat(frontdesk_core::sync::protocol::MAX_OP_BYTES),
            },
            desk_id: "lobby".into(),
            signed_in_at: jiff::Timestamp::now(),
            terms: None,
        }))
    });
    assert!(huge.is_err(), "an op the hub would refuse forever is refused here");
    assert_eq!(op_count(dir.path()), before, "nothing stored");
    assert!(kiosk.on_site().unwrap().is_empty());
    // The kiosk carries on: the next op takes the sequence number the refused one did not use.
    kiosk.sign_in(visitor("王小明")).unwrap();
    let seqs: Vec<u64> = kiosk.all_ops().unwrap().iter().map(|op| op.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "no gap where the refused op would have been");
    assert!(op_count(dir.path()) > before);
}
