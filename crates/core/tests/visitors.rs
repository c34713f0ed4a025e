//! Visitor management on real database files: ID masking, returning visitors, invitations,
//! the watch list, the host directory, overdue and auto sign-out, search, photos, export and
//! the retention purge.

mod common;

use std::sync::Arc;

use base64::Engine as _;
use common::*;
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::{HostId, InvitationId};
use frontdesk_core::kiosk::{AdminLogin, HostImport, InvitationStatus, NewInvitation, ReturningQuery, WatchlistInput};
use frontdesk_core::op::{HostRecord, OpBody};
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::storage::DATABASE_FILE;
use frontdesk_core::visit::NewVisit;
use frontdesk_core::visitors::invitation::InvitationRefusal;
use frontdesk_core::visitors::{IdType, NewVisitDetails, VisitorSettings};
use frontdesk_core::{ErrorCode, FieldErrorCode, Kiosk};

const DAY_MS: u64 = 86_400_000;
/// A valid resident identity card number (GB 11643 check character X).
const CN_ID: &str = "11010519491231002X";
const PHONE: &str = "13812345678";

fn admin(kiosk: &Kiosk) -> String {
    let AdminLogin::Granted(first) = kiosk.admin_login("000000").unwrap() else { panic!("default PIN refused") };
    kiosk.change_admin_pin(&first.token, "482915", "482915").unwrap();
    match kiosk.admin_login("482915").unwrap() {
        AdminLogin::Granted(s) => s.token,
        AdminLogin::Refused(r) => panic!("{r:?}"),
    }
}

fn with_details(name: &str, details: NewVisitDetails) -> NewVisit {
    NewVisit { details, ..visitor(name) }
}

fn identified(name: &str) -> NewVisit {
    with_details(
        name,
        NewVisitDetails {
            id_type: Some(IdType::CnResident),
            id_number: "110105 19491231 002x".into(),
            phone: "+86 138-1234-5678".into(),
            ..Default::default()
        },
    )
}

fn actions(kiosk: &Kiosk, token: &str) -> Vec<String> {
    kiosk.recent_audit(token, 500).unwrap().into_iter().map(|e| e.action).collect()
}

#[test]
fn clear_id_and_phone_numbers_never_reach_the_database_or_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let visit = kiosk.sign_in(identified("王小明")).unwrap();
    assert_eq!(visit.details.id_masked.as_deref(), Some("110***********002X"));
    assert_eq!(visit.details.phone_masked.as_deref(), Some("13*******78"));
    assert_eq!(visit.details.id_type, Some(IdType::CnResident));

    // The database file and its WAL hold neither number in any typed form.
    let bytes = database_bytes(dir.path());
    assert!(dir.path().join(format!("{DATABASE_FILE}-wal")).exists(), "the WAL is scanned too");
    for clear in [CN_ID, "11010519491231002x", "110105194912", PHONE, "138-1234-5678"] {
        assert!(!contains(&bytes, clear), "{clear} is in the database files");
    }
    // The masked forms are there (that is what the desk shows).
    assert!(contains(&bytes, "110***********002X"));

    // A wrong check character is refused as a typo, with nothing stored.
    let err = kiosk
        .sign_in(with_details(
            "Ann",
            NewVisitDetails {
                id_type: Some(IdType::CnResident),
                id_number: "110105194912310021".into(),
                ..Default::default()
            },
        ))
        .unwrap_err();
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::IdChecksum);
    assert!(!err.to_string().contains("110105194912310021"), "errors (and so logs) never carry the number");
    let err = kiosk
        .sign_in(with_details(
            "Ann",
            NewVisitDetails { phone: "call me".into(), expected_end: "25:00".into(), ..Default::default() },
        ))
        .unwrap_err();
    let fields: Vec<_> = err.field_errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(fields, [("phone", FieldErrorCode::PhoneFormat), ("expected_end", FieldErrorCode::TimeFormat)]);
    assert_eq!(kiosk.on_site().unwrap().len(), 1);

    // Nor does an export.
    let token = admin(&kiosk);
    let export = kiosk.export_visits(&token, "2026-03-01", "2026-03-02", Lang::En).unwrap();
    assert_eq!(export.rows, 1);
    let csv = std::fs::read_to_string(&export.path).unwrap();
    assert!(csv.contains("110***********002X") && csv.contains("王小明"), "{csv}");
    assert!(!csv.contains(CN_ID) && !csv.contains(PHONE));
    assert!(actions(&kiosk, &token).contains(&"export".to_owned()));
}

#[test]
fn a_returning_visitor_is_found_by_phone_id_or_exact_name_and_carries_their_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let first = kiosk.sign_in(identified("Li Na")).unwrap();
    kiosk.sign_out(first.id).unwrap();

    let by_phone = kiosk.returning_lookup(&ReturningQuery { number: "138 1234 5678".into(), ..Default::default() });
    let found = by_phone.unwrap().expect("found by phone");
    assert_eq!((found.visit_id, found.matched_by.as_str(), found.name.as_str()), (first.id, "phone", "Li Na"));
    assert_eq!(found.id_masked.as_deref(), Some("110***********002X"));
    let by_id = kiosk.returning_lookup(&ReturningQuery { number: CN_ID.to_lowercase(), ..Default::default() }).unwrap();
    assert_eq!(by_id.unwrap().matched_by, "id");
    let by_name = kiosk
        .returning_lookup(&ReturningQuery {
            name: "li  na".into(), company: "ACME 物流".into(), ..Default::default()
        })
        .unwrap();
    assert_eq!(by_name.unwrap().visit_id, first.id);
    // Partial names and other numbers find nothing: there is no list to browse.
    for q in [
        ReturningQuery { name: "Li".into(), company: "Acme 物流".into(), ..Default::default() },
        ReturningQuery { number: "13812345679".into(), ..Default::default() },
    ] {
        assert!(kiosk.returning_lookup(&q).unwrap().is_none(), "{q:?}");
    }

    // The fast path: the new visit carries the masked numbers and hashes without retyping.
    let again = kiosk
        .sign_in(with_details("Li Na", NewVisitDetails { returning_from: Some(first.id), ..Default::default() }))
        .unwrap();
    assert_eq!(again.details.id_masked, first.details.id_masked);
    assert_eq!(again.details.phone_masked, first.details.phone_masked);
    let latest = kiosk.returning_lookup(&ReturningQuery { number: PHONE.into(), ..Default::default() }).unwrap();
    assert_eq!(latest.unwrap().visit_id, again.id, "the latest visit is found");
    let token = admin(&kiosk);
    assert_eq!(actions(&kiosk, &token).iter().filter(|a| *a == "returning_lookup").count(), 6);
}

fn invite(kiosk: &Kiosk, token: &str, from: &str, until: &str, uses: u8) -> frontdesk_core::kiosk::IssuedInvitation {
    kiosk
        .create_invitation(
            token,
            &NewInvitation {
                name: "陈晓 Chen Xiao".into(),
                company: "滨海物流".into(),
                host_id: HostId("li-na".into()),
                valid_from: from.into(),
                valid_until: until.into(),
                uses,
            },
        )
        .unwrap()
}

fn redeem(kiosk: &Kiosk, text: &str) -> Result<frontdesk_core::visit::Visit, frontdesk_core::CoreError> {
    let check = kiosk.check_invitation(text).unwrap();
    let form = NewVisit {
        name: if check.name.is_empty() { "陈晓".into() } else { check.name.clone() },
        company: check.company.clone(),
        host_id: check.host_id.clone().unwrap_or(HostId("li-na".into())),
        purpose: String::new(),
        details: NewVisitDetails { invitation: text.into(), ..Default::default() },
        ..NewVisit::default()
    };
    kiosk.sign_in(form)
}

#[test]
fn invitations_sign_in_once_on_any_desk_and_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = open(&dir.path().join("a"), secrets.clone());
    let token = admin(&kiosk);
    let issued = invite(&kiosk, &token, "2026-03-02", "2026-03-03", 1);
    assert!(issued.token.starts_with("FI1") && issued.qr_svg.starts_with("<svg"));
    assert_eq!(issued.invitation.status, InvitationStatus::Valid);
    assert_eq!(issued.invitation.code.len(), 9);

    // The QR payload, as a scanner types it, fills the visit.
    let check = kiosk.check_invitation(&format!("{}\n", issued.token.to_lowercase())).unwrap();
    assert_eq!(
        (check.refusal, check.name.as_str(), check.host_id.clone()),
        (None, "陈晓 Chen Xiao", Some(HostId("li-na".into())))
    );
    // A forged token: one character changed.
    let mut forged = issued.token.clone().into_bytes();
    let i = forged.len() - 30;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(kiosk.check_invitation(&forged).unwrap().refusal, Some(InvitationRefusal::Forged));
    assert_eq!(kiosk.check_invitation("ZZZZ-ZZZZ").unwrap().refusal, Some(InvitationRefusal::Unknown));
    assert_eq!(kiosk.check_invitation("hello").unwrap().refusal, Some(InvitationRefusal::Malformed));

    // Another desk of the site, offline, signs the visitor in from the token alone.
    let other = open(&dir.path().join("b"), secrets.clone());
    let visit = redeem(&other, &issued.token).unwrap();
    assert!(visit.details.invitation_id.is_some());
    // Once synced, it is used up everywhere, by token and by code.
    kiosk.receive_ops(&other.all_ops().unwrap()).unwrap();
    assert_eq!(kiosk.check_invitation(&issued.token).unwrap().refusal, Some(InvitationRefusal::UsedUp));
    assert_eq!(kiosk.check_invitation(&issued.invitation.code).unwrap().refusal, Some(InvitationRefusal::UsedUp));
    let err = redeem(&kiosk, &issued.token).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvitationRefused);

    // The short code works on the desk that knows the invitation; expired and revoked are refused.
    let two_days = invite(&kiosk, &token, "2026-03-02", "2026-03-03", 2);
    assert!(redeem(&kiosk, &two_days.invitation.code.to_lowercase()).is_ok());
    let later = invite(&kiosk, &token, "2026-03-04", "2026-03-04", 1);
    assert_eq!(kiosk.check_invitation(&later.token).unwrap().refusal, Some(InvitationRefusal::NotYetValid));
    let revoked = invite(&kiosk, &token, "2026-03-02", "2026-03-02", 1);
    kiosk.revoke_invitation(&token, revoked.invitation.id).unwrap();
    assert_eq!(kiosk.check_invitation(&revoked.token).unwrap().refusal, Some(InvitationRefusal::Revoked));
    advance(2 * DAY_MS);
    assert_eq!(kiosk.check_invitation(&two_days.token).unwrap().refusal, Some(InvitationRefusal::Expired));

    // Bad windows are refused per field.
    let token = admin_again(&kiosk);
    let err = kiosk
        .create_invitation(
            &token,
            &NewInvitation {
                name: "".into(),
                company: "".into(),
                host_id: HostId("nobody".into()),
                valid_from: "2026-03-10".into(),
                valid_until: "2026-03-09".into(),
                uses: 0,
            },
        )
        .unwrap_err();
    let fields: Vec<&str> = err.field_errors().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "host_id", "valid_until", "uses"]);
    // Junk of a code's length or more is refused, not looked up.
    assert_eq!(
        kiosk.check_invitation(&InvitationId::new().to_string()).unwrap().refusal,
        Some(InvitationRefusal::Malformed)
    );
    let log = actions(&kiosk, &token);
    assert!(log.contains(&"invitation_created".to_owned()) && log.contains(&"invitation_refused".to_owned()));
}

fn admin_again(kiosk: &Kiosk) -> String {
    match kiosk.admin_login("482915").unwrap() {
        AdminLogin::Granted(s) => s.token,
        AdminLogin::Refused(r) => panic!("{r:?}"),
    }
}

#[test]
fn a_watch_list_hit_is_recorded_for_guards_cued_discreetly_and_can_be_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let token = admin(&kiosk);
    let by_name = kiosk
        .save_watchlist_entry(
            &token,
            &WatchlistInput {
                name: "張偉 ".into(), reason: "banned 2025".into(), active: true, ..Default::default()
            },
        )
        .unwrap();
    let by_id = kiosk
        .save_watchlist_entry(
            &token,
            &WatchlistInput {
                id_type: Some(IdType::CnResident),
                id_number: CN_ID.into(),
                reason: "trespass".into(),
                active: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(by_id.id_masked.as_deref(), Some("110***********002X"));
    assert!(by_id.name.is_empty());
    let err = kiosk.save_watchlist_entry(&token, &WatchlistInput { active: true, ..Default::default() }).unwrap_err();
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::NameOrId);

    // Simplified spelling, extra spaces: a hit by name. The visitor is signed in as usual.
    let hit = kiosk.sign_in(visitor(" 张 伟")).unwrap();
    assert!(hit.details.watchlist_hit);
    assert!(kiosk.visit_has_watchlist_hit(hit.id).unwrap());
    let ops = kiosk.all_ops().unwrap();
    let recorded: Vec<_> = ops
        .iter()
        .filter_map(|op| match &op.body {
            OpBody::WatchlistHit(h) => Some(h.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].visit_id, hit.id);
    // The guards get it like any alert: a watch-list alert about this visit, in the same change.
    let alert = ops
        .iter()
        .find_map(|op| match &op.body {
            OpBody::AlertRaised(a) if a.kind == frontdesk_core::alert::AlertKind::WatchlistHit => Some(a.clone()),
            _ => None,
        })
        .expect("a watchlist_hit alert");
    assert_eq!(alert.subject, Some(frontdesk_core::alert::AlertSubject::Visit { visit_id: hit.id }));
    assert_eq!(recorded[0].entries[0].entry_id, by_name.id);
    // A different name and no ID: no hit. The ID alone: a hit.
    assert!(!kiosk.sign_in(visitor("张伟伟")).unwrap().details.watchlist_hit);
    let by_number = kiosk.sign_in(identified("Someone Else")).unwrap();
    assert!(by_number.details.watchlist_hit);

    // A false positive clears the cue; the same ID no longer hits that name entry.
    let name_and_id = kiosk.sign_in(identified("张伟")).unwrap();
    kiosk.mark_false_positive(&token, name_and_id.id, &by_name.id).unwrap();
    let hits = kiosk.watchlist_hits(&token).unwrap();
    assert!(hits.iter().any(|h| h.visit_id == name_and_id.id && h.entry_id == by_name.id && h.false_positive));
    let next = kiosk.sign_in(identified("张伟")).unwrap();
    let next_hits: Vec<_> =
        kiosk.watchlist_hits(&token).unwrap().into_iter().filter(|h| h.visit_id == next.id).collect();
    assert_eq!(next_hits.len(), 1, "only the ID entry: {next_hits:?}");
    assert_eq!(next_hits[0].entry_id, by_id.id);

    let log = actions(&kiosk, &token);
    for action in ["watchlist_change", "watchlist_hit", "watchlist_false_positive"] {
        assert!(log.contains(&action.to_owned()), "{action}: {log:?}");
    }
    // The audit log names no one.
    for e in kiosk.recent_audit(&token, 500).unwrap() {
        assert!(!e.details.to_string().contains("张伟") && !e.details.to_string().contains("張偉"));
    }
}

#[test]
fn the_host_directory_imports_all_or_nothing_and_hosts_are_deactivated_not_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let token = admin(&kiosk);
    let before = kiosk.all_hosts(&token).unwrap();
    let bad = "姓名,部门,分机,邮箱,可陪同\n王五,IT,8001,wang.wu@example.com,是\n,IT,8002,,否\n赵六,IT,x,zhao@,maybe\n";
    let HostImport::Refused { errors } = kiosk.import_hosts(&token, bad).unwrap() else { panic!("accepted bad rows") };
    let got: Vec<(u32, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(got, [(3, "name"), (4, "email"), (4, "extension"), (4, "may_escort")]);
    assert_eq!(kiosk.all_hosts(&token).unwrap(), before, "nothing stored");

    let good = "name,department,extension,email,may_escort\n王五,IT,8001,wang.wu@example.com,yes\n张伟,行政部 Facilities,8099,zhang.wei@riverside.example,yes\n";
    assert_eq!(kiosk.import_hosts(&token, good).unwrap(), HostImport::Imported { added: 1, updated: 1, unchanged: 0 });
    assert_eq!(kiosk.import_hosts(&token, good).unwrap(), HostImport::Imported { added: 0, updated: 0, unchanged: 2 });
    let hosts = kiosk.all_hosts(&token).unwrap();
    let wang = hosts.iter().find(|h| h.name == "王五").unwrap().clone();
    assert_eq!(wang.id, HostId("wang-wu".into()));
    assert_eq!(hosts.iter().find(|h| h.id.0 == "zhang-wei").unwrap().extension, "8099");

    // Edit, then deactivate: kept, but no longer offered or accepted at sign-in.
    let edited = kiosk.save_host(&token, &HostRecord { extension: "8002".into(), ..wang.clone() }).unwrap();
    assert_eq!(edited.extension, "8002");
    let err = kiosk.save_host(&token, &HostRecord { email: "nope".into(), ..wang.clone() }).unwrap_err();
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::EmailFormat);
    kiosk.save_host(&token, &HostRecord { active: false, ..edited }).unwrap();
    assert!(kiosk.hosts().unwrap().iter().all(|h| h.id != wang.id));
    assert!(kiosk.all_hosts(&token).unwrap().iter().any(|h| h.id == wang.id && !h.active));
    let err = kiosk.sign_in(NewVisit { host_id: wang.id.clone(), ..visitor("Ann") }).unwrap_err();
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::HostInactive);
    let log = actions(&kiosk, &token);
    assert!(log.contains(&"hosts_import".to_owned()) && log.contains(&"host_change".to_owned()));
}

#[test]
fn overdue_visits_are_listed_and_the_kiosk_signs_out_whoever_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    // Monday 09:00 Shanghai. One visit expected until 10:00, one with no end (the day ends 18:00).
    let short = kiosk
        .sign_in(with_details("Short", NewVisitDetails { expected_end: "10:00".into(), ..Default::default() }))
        .unwrap();
    let long = kiosk.sign_in(visitor("Long")).unwrap();
    let err = kiosk
        .sign_in(with_details("Past", NewVisitDetails { expected_end: "08:00".into(), ..Default::default() }))
        .unwrap_err();
    assert!(matches!(err, frontdesk_core::CoreError::Validation(_)), "{err}");
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::TimePassed);
    assert!(kiosk.overdue().unwrap().overdue.is_empty());
    advance(90 * 60 * 1000); // 10:30
    let overdue: Vec<_> = kiosk.overdue().unwrap().overdue.into_iter().map(|o| o.visit.id).collect();
    assert_eq!(overdue, [short.id]);
    advance(8 * 3_600_000); // 18:30
    let overdue: Vec<_> = kiosk.overdue().unwrap().overdue.into_iter().map(|o| o.visit.id).collect();
    assert_eq!(overdue, [short.id, long.id]);
    assert_eq!(kiosk.auto_sign_out_due().unwrap(), 0, "not yet 23:00");
    advance(5 * 3_600_000); // 23:30: auto sign-out
    assert_eq!(kiosk.auto_sign_out_due().unwrap(), 2);
    assert_eq!(kiosk.auto_sign_out_due().unwrap(), 0, "once");
    assert!(kiosk.on_site().unwrap().is_empty());
    // The next morning's list.
    advance(9 * 3_600_000);
    let list = kiosk.overdue().unwrap();
    assert!(list.overdue.is_empty());
    let never: Vec<_> = list.never_signed_out.iter().map(|v| v.id).collect();
    assert_eq!(never, [short.id, long.id]);
    assert!(list.never_signed_out.iter().all(|v| v.details.auto_signed_out_at.is_some()));
    let token = admin(&kiosk);
    assert_eq!(actions(&kiosk, &token).iter().filter(|a| *a == "auto_sign_out").count(), 2);

    // A configurable time: none at all.
    kiosk
        .set_visitor_settings(&token, VisitorSettings { auto_sign_out: String::new(), ..VisitorSettings::default() })
        .unwrap();
    let err = kiosk
        .set_visitor_settings(&token, VisitorSettings { retention_days: 0, ..VisitorSettings::default() })
        .unwrap_err();
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::OutOfRange);
    assert!(actions(&kiosk, &token).contains(&"settings_change".to_owned()));
    kiosk.sign_in(visitor("Night owl")).unwrap();
    advance(DAY_MS);
    assert_eq!(kiosk.auto_sign_out_due().unwrap(), 0);
}

#[test]
fn search_finds_names_companies_and_hosts_in_chinese_and_english() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let host = |id: &str| HostId(id.into());
    let a = kiosk
        .sign_in(NewVisit {
            company: "滨海物流 Binhai Logistics".into(), host_id: host("li-na"), ..visitor("王小明")
        })
        .unwrap();
    let b = kiosk.sign_in(NewVisit { host_id: host("emma-clarke"), ..visitor("张伟") }).unwrap();
    let c = kiosk
        .sign_in(NewVisit { company: "Riverside Labs".into(), host_id: host("david-okafor"), ..visitor("Wang Lei") })
        .unwrap();
    let token = admin(&kiosk);
    let ids = |q: &str| -> Vec<_> { kiosk.search_visits(&token, q).unwrap().into_iter().map(|v| v.id).collect() };
    assert_eq!(ids("王小明"), [a.id]);
    assert_eq!(ids("小明"), [a.id], "a two-character given name");
    assert_eq!(ids("王"), [a.id], "a one-character surname");
    assert_eq!(ids("張偉"), [b.id], "traditional characters find simplified");
    assert_eq!(ids("物流"), [b.id, a.id], "the end of a company name (b's is Acme 物流), newest first");
    assert_eq!(ids("logist"), [a.id], "a substring");
    assert_eq!(ids("WANG"), [c.id]);
    assert_eq!(ids("emma"), [b.id], "by host");
    assert_eq!(ids("riverside wang"), [c.id], "every word must match");
    assert!(ids("nobody").is_empty());
    assert!(ids("\"").is_empty());
}

#[test]
fn photos_are_kept_with_the_visit_and_bad_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    // A real PNG: the kiosk's own badge preview.
    let first = kiosk.sign_in(visitor("Photo Source")).unwrap();
    let png = kiosk.badge_preview(first.id, Lang::En).unwrap().png_base64;
    let visit = kiosk
        .sign_in(with_details(
            "Ann",
            NewVisitDetails { photo_base64: format!("data:image/png;base64,{png}"), ..Default::default() },
        ))
        .unwrap();
    assert!(visit.details.has_photo);
    let photo = kiosk.visit_photo(visit.id).unwrap().unwrap();
    assert_eq!(photo.mime, "image/png");
    assert_eq!(photo.base64, png);
    for bad in ["not base64!", &base64::engine::general_purpose::STANDARD.encode(b"GIF89a....")] {
        let err = kiosk
            .sign_in(with_details("Bob", NewVisitDetails { photo_base64: bad.to_owned(), ..Default::default() }))
            .unwrap_err();
        assert_eq!(err.field_errors()[0].code, FieldErrorCode::PhotoInvalid);
    }
    // Photos never leave the device.
    assert!(kiosk.all_ops().unwrap().iter().all(|op| !serde_json::to_string(op).unwrap().contains(&png[..40])));
}

#[test]
fn the_retention_purge_leaves_no_personal_data_anywhere_and_keeps_counts() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = open(&dir.path().join("a"), secrets.clone());
    let other = open(&dir.path().join("b"), secrets.clone());
    let old_name = "欧阳娜娜Purgeme";
    let png = {
        let v = kiosk.sign_in(visitor("Preview")).unwrap();
        kiosk.badge_preview(v.id, Lang::En).unwrap().png_base64
    };
    let old = kiosk
        .sign_in(NewVisit {
            company: "OldCoQuux".into(),
            details: NewVisitDetails {
                id_type: Some(IdType::Passport),
                id_number: "E98765432".into(),
                photo_base64: png,
                ..Default::default()
            },
            ..visitor(old_name)
        })
        .unwrap();
    let token = admin(&kiosk);
    let invitation = invite(&kiosk, &token, "2026-03-02", "2026-03-02", 1);
    // An alert raised now names the visitors at the desk (the old one among them).
    let alert = kiosk.raise_duress(frontdesk_core::alert::AlertTrigger::Discreet).unwrap();
    kiosk.sign_out(old.id).unwrap();
    // An update of the old visit that the other desk only learns of later.
    let ops_before_purge = kiosk.all_ops().unwrap();

    advance(91 * DAY_MS);
    let recent = kiosk.sign_in(visitor("Recent Visitor")).unwrap();
    let token = admin_again(&kiosk);
    let report = kiosk.purge_now(&token).unwrap();
    assert_eq!(report.visits, 2, "{report:?}");
    assert_eq!(report.invitations, 1);

    let purged = kiosk.visit(old.id).unwrap();
    assert!(purged.details.purged && purged.name.is_empty() && purged.company.is_empty());
    assert_eq!(purged.host_id, HostId("zhang-wei".into()), "counts by host and day remain");
    assert!(purged.details.id_masked.is_none() && !purged.details.has_photo);
    assert_eq!(kiosk.visit(recent.id).unwrap().name, "Recent Visitor");
    assert!(kiosk.search_visits(&token, "欧阳").unwrap().is_empty());
    assert!(
        kiosk.returning_lookup(&ReturningQuery { number: "E98765432".into(), ..Default::default() }).unwrap().is_none()
    );
    assert!(kiosk.invitations(&token).unwrap().iter().all(|i| i.id != invitation.invitation.id));
    assert!(actions(&kiosk, &token).contains(&"purge".to_owned()));
    assert!(kiosk.verify_audit(&token).unwrap().is_intact());

    // The alert keeps its kind and time for the report, not the visitors' names.
    let ops = kiosk.all_ops().unwrap();
    let raised = ops
        .iter()
        .find_map(|op| match &op.body {
            OpBody::AlertRaised(a) if a.alert_id == alert => Some(a.clone()),
            _ => None,
        })
        .unwrap();
    assert!(!raised.context.visitors.is_empty() && raised.context.visitors.iter().all(|v| v.name.is_empty()));

    // Op bodies were redacted in place; the log still has every op.
    let ops = kiosk.all_ops().unwrap();
    assert_eq!(ops.len(), ops_before_purge.len() + 3); // recent sign-in, its details, the purge
    drop(kiosk);
    let bytes = database_bytes(&dir.path().join("a"));
    for word in [old_name, "欧阳娜娜", "OldCoQuux", "陈晓", "滨海物流", "E9*****32"] {
        assert!(!contains(&bytes, word), "{word} survived the purge");
    }
    assert!(contains(&bytes, "Recent Visitor"));

    // A desk that receives the old ops after the purge op purges them as they arrive.
    let kiosk = open(&dir.path().join("a"), secrets);
    let purge_op: Vec<_> =
        kiosk.all_ops().unwrap().into_iter().filter(|op| matches!(op.body, OpBody::RetentionPurged(_))).collect();
    other.receive_ops(&purge_op).unwrap();
    other.receive_ops(&ops_before_purge).unwrap();
    assert!(other.visit(old.id).unwrap().name.is_empty());
    drop(other);
    let bytes = database_bytes(&dir.path().join("b"));
    assert!(!contains(&bytes, old_name) && !contains(&bytes, "OldCoQuux"));

    // The op log stays append-only apart from that one sanctioned redaction.
    let conn = rusqlite::Connection::open(dir.path().join("a").join(DATABASE_FILE)).unwrap();
    assert!(conn.execute("UPDATE ops SET body = '{}' WHERE redacted = 0", []).is_err());
    assert!(conn.execute("UPDATE ops SET body = '{}', redacted = 0 WHERE redacted = 1", []).is_err());
    assert!(conn.execute("DELETE FROM ops", []).is_err());
}

#[test]
fn the_site_hash_key_is_shared_by_the_site_and_never_silently_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let a = open(&dir.path().join("a"), secrets.clone());
    let first = a.sign_in(identified("Ann")).unwrap();
    // Another desk of the site finds the visitor by number once the visit has synced.
    let b = open(&dir.path().join("b"), secrets.clone());
    b.receive_ops(&a.all_ops().unwrap()).unwrap();
    let found = b.returning_lookup(&ReturningQuery { number: PHONE.into(), ..Default::default() }).unwrap();
    assert_eq!(found.unwrap().visit_id, first.id);
    drop(a);
    // The key vanished from the keyring: the kiosk refuses to start instead of making a new one.
    use frontdesk_core::secrets::SecretStore as _;
    let site = frontdesk_core::site::SiteConfig::demo().unwrap().site.id;
    secrets.delete(&frontdesk_core::visitors::identity::site_hash_key_account(&site)).unwrap();
    let err =
        open_with(&dir.path().join("a"), secrets, frontdesk_core::site::SiteConfig::demo().unwrap()).err().unwrap();
    assert_eq!(err.code(), ErrorCode::KeysMissing);
}
