//! Evacuation roll call on one kiosk and across kiosks that meet again after being cut off;
//! back-entry of paper sign-ins; printing the roll call and the fallback kit.

mod support;

use std::sync::Arc;

use frontdesk_core::evacuation::{RollCall, RollcallStatus};
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::{HostId, VisitId};
use frontdesk_core::kiosk::BackEntry;
use frontdesk_core::print::FakePrintSystem;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::visit::{NewVisit, Visit};
use frontdesk_core::{ErrorCode, FieldErrorCode, Kiosk};

fn form(name: &str) -> NewVisit {
    NewVisit {
        name: name.into(),
        company: "Acme".into(),
        host_id: HostId("zhang-wei".into()),
        purpose: String::new(),
        ..Default::default()
    }
}

fn sign_in(kiosk: &Kiosk, name: &str) -> Visit {
    kiosk.sign_in(form(name)).unwrap()
}

fn kiosk(dir: &tempfile::TempDir) -> Kiosk {
    support::open_kiosk(dir.path(), Arc::new(MemorySecretStore::default()))
}

fn status_of(rollcall: &RollCall, visit: VisitId) -> Option<RollcallStatus> {
    rollcall.rows.iter().find(|r| r.visit_id == visit).unwrap().status
}

/// A model hub: every kiosk gets every op the others hold.
fn sync(kiosks: &[&Kiosk]) {
    let all: Vec<_> = kiosks.iter().flat_map(|k| k.all_ops().unwrap()).collect();
    for k in kiosks {
        k.receive_ops(&all).unwrap();
    }
}

#[test]
fn a_roll_call_freezes_the_on_site_list_adds_later_arrivals_and_records_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk(&dir);
    let ann = sign_in(&kiosk, "Ann");
    let bo = sign_in(&kiosk, "Bo");
    let gone = sign_in(&kiosk, "Gone");
    kiosk.sign_out(gone.id).unwrap();
    assert!(kiosk.rollcall().unwrap().is_none());

    let rollcall = kiosk.start_evacuation(false).unwrap();
    assert!(!rollcall.drill);
    let names: Vec<&str> = rollcall.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Bo"], "everyone on site, by name; not who had left");
    assert!(rollcall.rows.iter().all(|r| !r.added_later && r.status.is_none()));
    assert_eq!((rollcall.counts.total, rollcall.counts.accounted, rollcall.counts.missing), (2, 0, 2));

    // A second start (a second tap) returns the same roll call.
    let again = kiosk.start_evacuation(true).unwrap();
    assert_eq!(again.evacuation_ids, rollcall.evacuation_ids);
    assert!(!again.drill);

    // Someone signed in after the start is added and marked as such.
    let late = sign_in(&kiosk, "Late");
    let update = kiosk.mark_rollcall(ann.id, RollcallStatus::Accounted).unwrap();
    assert_eq!(update.row.status, Some(RollcallStatus::Accounted));
    assert_eq!((update.counts.total, update.counts.accounted, update.counts.missing), (3, 1, 2));
    kiosk.mark_rollcall(bo.id, RollcallStatus::Missing).unwrap();
    kiosk.mark_rollcall(bo.id, RollcallStatus::Refuge).unwrap();
    // Signing out at the assembly point keeps the person on the roll call.
    kiosk.sign_out(ann.id).unwrap();
    let rollcall = kiosk.rollcall().unwrap().unwrap();
    let late_row = rollcall.rows.iter().find(|r| r.visit_id == late.id).unwrap();
    assert!(late_row.added_later);
    assert_eq!(status_of(&rollcall, bo.id), Some(RollcallStatus::Refuge), "the latest mark wins");
    assert!(rollcall.rows.iter().find(|r| r.visit_id == ann.id).unwrap().signed_out_at.is_some());
    let c = rollcall.counts;
    assert_eq!((c.total, c.accounted, c.refuge, c.marked_missing, c.unmarked, c.missing), (3, 1, 1, 0, 1, 1));

    // Someone who was never on site cannot be marked.
    let err = kiosk.mark_rollcall(VisitId::new(), RollcallStatus::Accounted).unwrap_err();
    assert_eq!(err.code(), ErrorCode::VisitNotFound);

    let summary = kiosk.end_evacuation().unwrap();
    assert_eq!(summary.missing, vec![late.id]);
    assert_eq!(summary.total, 3);
    assert!(kiosk.rollcall().unwrap().is_none());
    assert_eq!(kiosk.end_evacuation().unwrap_err().code(), ErrorCode::NoEvacuation);
    assert_eq!(kiosk.mark_rollcall(bo.id, RollcallStatus::Accounted).unwrap_err().code(), ErrorCode::NoEvacuation);
    let history = kiosk.evacuation_history(10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].missing_at_end, 1);
    assert!(history[0].duration_seconds.is_some());

    // Everything is in the audit log.
    let token = match kiosk.admin_login("000000").unwrap() {
        frontdesk_core::kiosk::AdminLogin::Granted(s) => s.token,
        other => panic!("{other:?}"),
    };
    kiosk.change_admin_pin(&token, "482915", "482915").unwrap();
    let actions: Vec<String> = kiosk.recent_audit(&token, 100).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "evacuation_started").count(), 1);
    assert_eq!(actions.iter().filter(|a| *a == "rollcall_marked").count(), 3);
    assert_eq!(actions.iter().filter(|a| *a == "evacuation_ended").count(), 1);
}

/// Two kiosks and a hub: the evacuation is started on one, people are marked on both while one
/// is offline (the same person differently on each), and after reconnecting both show the same
/// list, with the later mark winning.
#[test]
fn two_kiosks_converge_on_one_roll_call_after_one_was_offline() {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (kiosk(&da), kiosk(&db));
    let ann = sign_in(&a, "Ann");
    let bo = sign_in(&b, "Bo");
    let cy = sign_in(&a, "Cy");
    sync(&[&a, &b]);

    let started = a.start_evacuation(false).unwrap();
    assert_eq!(started.counts.total, 3);
    sync(&[&a, &b]);
    assert_eq!(b.rollcall().unwrap().unwrap().evacuation_ids, started.evacuation_ids, "B shows A's roll call");

    // B goes offline. Both keep marking; B's mark of Cy comes later than A's.
    a.mark_rollcall(ann.id, RollcallStatus::Accounted).unwrap();
    a.mark_rollcall(cy.id, RollcallStatus::Missing).unwrap();
    b.mark_rollcall(bo.id, RollcallStatus::Refuge).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3));
    b.mark_rollcall(cy.id, RollcallStatus::Accounted).unwrap();
    // Someone signs in at B while it is cut off.
    let dee = sign_in(&b, "Dee");
    assert_eq!(a.rollcall().unwrap().unwrap().counts.total, 3);
    assert_eq!(b.rollcall().unwrap().unwrap().counts.total, 4);

    // Reconnect (and deliver twice: harmless).
    sync(&[&a, &b]);
    sync(&[&b, &a]);
    let (ra, rb) = (a.rollcall().unwrap().unwrap(), b.rollcall().unwrap().unwrap());
    assert_eq!(ra, rb, "identical lists after reconnecting");
    assert_eq!(status_of(&ra, cy.id), Some(RollcallStatus::Accounted), "the later mark wins");
    assert_eq!(status_of(&ra, bo.id), Some(RollcallStatus::Refuge));
    assert!(ra.rows.iter().find(|r| r.visit_id == dee.id).unwrap().added_later);
    assert_eq!((ra.counts.total, ra.counts.accounted, ra.counts.refuge, ra.counts.missing), (4, 2, 1, 1));

    // After the reconnect, a mark on A (which has now seen B's) wins over B's.
    a.mark_rollcall(cy.id, RollcallStatus::Missing).unwrap();
    sync(&[&a, &b]);
    assert_eq!(status_of(&b.rollcall().unwrap().unwrap(), cy.id), Some(RollcallStatus::Missing));

    b.end_evacuation().unwrap();
    sync(&[&a, &b]);
    assert!(a.rollcall().unwrap().is_none());
    assert_eq!(a.evacuation_history(5).unwrap(), b.evacuation_history(5).unwrap());
}

/// Two kiosks cut off from each other each start an evacuation. When they meet, both show one
/// roll call: everyone from both lists, each person's latest mark, a drill only if both were.
#[test]
fn evacuations_started_on_two_cut_off_kiosks_show_as_one_roll_call_when_they_meet() {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (kiosk(&da), kiosk(&db));
    let ann = sign_in(&a, "Ann");
    let bo = sign_in(&b, "Bo");
    // Never synced: each knows only its own visitor.
    let ea = a.start_evacuation(false).unwrap();
    let eb = b.start_evacuation(true).unwrap();
    assert!(eb.drill);
    a.mark_rollcall(ann.id, RollcallStatus::Accounted).unwrap();
    b.mark_rollcall(bo.id, RollcallStatus::Missing).unwrap();

    sync(&[&a, &b]);
    let (ra, rb) = (a.rollcall().unwrap().unwrap(), b.rollcall().unwrap().unwrap());
    assert_eq!(ra, rb);
    assert_eq!(ra.evacuation_ids.len(), 2);
    assert!(ra.evacuation_ids.contains(&ea.evacuation_id) && ra.evacuation_ids.contains(&eb.evacuation_id));
    assert!(!ra.drill, "a real evacuation is never shown as a drill");
    assert_eq!(ra.started_at, ea.started_at.min(eb.started_at));
    assert_eq!(status_of(&ra, ann.id), Some(RollcallStatus::Accounted));
    assert_eq!(status_of(&ra, bo.id), Some(RollcallStatus::Missing));
    assert!(ra.rows.iter().all(|r| !r.added_later), "each was on one of the frozen lists");

    // Ending on one kiosk ends both evacuations everywhere.
    let summary = a.end_evacuation().unwrap();
    assert_eq!(summary.evacuation_ids.len(), 2);
    assert_eq!(summary.missing, vec![bo.id]);
    sync(&[&a, &b]);
    assert!(b.rollcall().unwrap().is_none());
}

#[test]
fn paper_sign_ins_are_entered_afterwards_with_their_real_times() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk(&dir);
    let token = match kiosk.admin_login("000000").unwrap() {
        frontdesk_core::kiosk::AdminLogin::Granted(s) => s.token,
        other => panic!("{other:?}"),
    };
    kiosk.change_admin_pin(&token, "482915", "482915").unwrap();
    let back_enter = |e: BackEntry| kiosk.back_enter(&token, e);
    assert_eq!(
        kiosk
            .back_enter(
                "nope",
                BackEntry { visit: form("x"), signed_in_at: "2026-01-01 09:00".into(), signed_out_at: String::new() }
            )
            .unwrap_err()
            .code(),
        ErrorCode::AdminRequired
    );
    let entry = |signed_in_at: &str, signed_out_at: &str| BackEntry {
        visit: form("纸质 访客"),
        signed_in_at: signed_in_at.into(),
        signed_out_at: signed_out_at.into(),
    };
    let codes = |result: Result<Visit, frontdesk_core::CoreError>| -> Vec<(String, FieldErrorCode)> {
        result.unwrap_err().field_errors().iter().map(|e| (e.field.clone(), e.code)).collect()
    };
    assert_eq!(codes(back_enter(entry("2999-01-01 09:00", ""))), [("signed_in_at".into(), FieldErrorCode::InFuture)]);
    assert_eq!(
        codes(back_enter(entry("2026-01-05 10:00", "2026-01-05 09:00"))),
        [("signed_out_at".into(), FieldErrorCode::OutBeforeIn)]
    );
    assert_eq!(codes(back_enter(entry("yesterday", ""))), [("signed_in_at".into(), FieldErrorCode::BadTime)]);
    assert_eq!(codes(back_enter(entry("", ""))), [("signed_in_at".into(), FieldErrorCode::Required)]);
    let mut no_name = entry("2026-01-05 09:00", "");
    no_name.visit.name = String::new();
    assert_eq!(codes(back_enter(no_name)), [("name".into(), FieldErrorCode::Required)]);

    // Local site time (Asia/Shanghai, UTC+8) or RFC 3339.
    let left = back_enter(entry("2026-01-05 09:00", "2026-01-05T03:30:00Z")).unwrap();
    assert!(left.back_entered);
    assert_eq!(left.signed_in_at.to_string(), "2026-01-05T01:00:00Z");
    assert_eq!(left.signed_out_at.unwrap().to_string(), "2026-01-05T03:30:00Z");
    let staying = back_enter(entry("2026-01-05 09:15", "")).unwrap();
    let on_site = kiosk.on_site().unwrap();
    assert_eq!(on_site.len(), 1);
    assert_eq!(on_site[0].id, staying.id);
    assert!(on_site[0].back_entered);

    // A back-entered visitor still on site is on the roll call, marked as such.
    let rollcall = kiosk.start_evacuation(false).unwrap();
    assert!(rollcall.rows.iter().any(|r| r.visit_id == staying.id && r.back_entered));
}

#[test]
fn the_roll_call_prints_on_a4_and_the_roll_and_the_kit_prints_on_a4() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Arc::new(FakePrintSystem::with_printer("A4"));
    fake.inner.lock().unwrap().printers.push(frontdesk_core::print::PrinterInfo {
        name: "Labels".into(),
        is_default: false,
        state: frontdesk_core::print::PrinterState::Idle,
        message: String::new(),
    });
    let kiosk = kiosk(&dir).with_print_system(fake.clone());
    for i in 0..90 {
        sign_in(&kiosk, &format!("访客{i:02} Visitor with a rather long name number {i}"));
    }
    assert_eq!(kiosk.print_fallback_kit(Lang::ZhCn).unwrap_err().code(), ErrorCode::NoDocumentPrinter);
    kiosk.start_evacuation(true).unwrap();
    assert_eq!(kiosk.print_rollcall(Lang::En).unwrap_err().code(), ErrorCode::NoDocumentPrinter);

    kiosk.set_document_printer(Some("A4")).unwrap();
    let printed = kiosk.print_rollcall(Lang::En).unwrap();
    assert_eq!(printed.jobs.len(), 1);
    assert_eq!(printed.skipped, ["badge"]);
    kiosk.set_badge_printer(Some("Labels")).unwrap();
    fake.finish_all();
    for job in kiosk.print_jobs().unwrap() {
        kiosk.refresh_print_job(job.id).unwrap();
    }
    let printed = kiosk.print_rollcall(Lang::ZhCn).unwrap();
    assert_eq!(printed.jobs.len(), 2);
    assert!(printed.skipped.is_empty());
    let submitted = fake.submitted();
    let (a4, roll) = (&submitted[1], &submitted[2]);
    assert_eq!(a4.0, "A4");
    assert_eq!(roll.0, "Labels");
    let a4_text = String::from_utf8_lossy(&a4.2);
    // 90 rows do not fit one A4 page: the list continues.
    let pages = a4_text.matches("/Type /Page\n").count().max(a4_text.matches("/Type /Page ").count());
    assert!(a4_text.contains("/Count 3") || a4_text.contains("/Count 4"), "pages: {pages}");
    // The roll is 62 mm wide (175.7 pt).
    assert!(String::from_utf8_lossy(&roll.2).contains("175.7"));

    let kit = kiosk.print_fallback_kit(Lang::En).unwrap();
    assert_eq!(kit.jobs.len(), 1);
    let token = match kiosk.admin_login("000000").unwrap() {
        frontdesk_core::kiosk::AdminLogin::Granted(s) => s.token,
        other => panic!("{other:?}"),
    };
    kiosk.change_admin_pin(&token, "482915", "482915").unwrap();
    let actions: Vec<String> = kiosk.recent_audit(&token, 400).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "rollcall_printed").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "fallback_kit_printed").count(), 1);
}
