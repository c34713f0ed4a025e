//! Escorts through the kiosk, on a real database file: the rules decide at sign-in, the
//! checklist and a named escort gate the badge and the start, a supervisor may override with
//! PIN and reason, hand-overs and the hand-back are recorded, and two kiosks converge.

mod common;

use std::sync::Arc;

use common::*;
use frontdesk_core::audit::AuditEntry;
use frontdesk_core::escort::{EscortReason, EscortStatus, HandbackBy, OverrideOutcome, overdue_flag};
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::{HostId, VisitId};
use frontdesk_core::kiosk::{AdminLogin, AdminSession};
use frontdesk_core::op::OpBody;
use frontdesk_core::pin::DEFAULT_ADMIN_PIN;
use frontdesk_core::visit::{NewVisit, Visit};
use frontdesk_core::{ErrorCode, FieldErrorCode, Kiosk};

const REQUIRED_DEMO_ITEMS: [&str; 6] =
    ["escort-present", "badge-visible", "restricted-areas", "photography", "confidentiality", "exits"];

fn contractor(name: &str) -> NewVisit {
    NewVisit { visitor_type: "contractor".into(), ..visitor(name) }
}

fn code(err: frontdesk_core::CoreError) -> ErrorCode {
    err.code()
}

/// Set the admin (and supervisor) PIN to 482915.
fn admin(kiosk: &Kiosk) -> AdminSession {
    let AdminLogin::Granted(first) = kiosk.admin_login(DEFAULT_ADMIN_PIN).unwrap() else { panic!("default PIN") };
    kiosk.change_admin_pin(&first.token, "482915", "482915").unwrap();
    admin_session(kiosk)
}

fn admin_session(kiosk: &Kiosk) -> AdminSession {
    let AdminLogin::Granted(session) = kiosk.admin_login("482915").unwrap() else { panic!("admin PIN") };
    session
}

/// The audit entries of one action, newest first (a fresh admin session: tests move the clock
/// past the session's idle timeout).
fn audit(kiosk: &Kiosk, action: &str) -> Vec<AuditEntry> {
    let session = admin_session(kiosk);
    kiosk.recent_audit(&session.token, 500).unwrap().into_iter().filter(|e| e.action == action).collect()
}

fn tick_all_required(kiosk: &Kiosk, visit: &Visit) -> EscortStatus {
    let mut status = kiosk.escort_status(visit.id).unwrap();
    for item in REQUIRED_DEMO_ITEMS {
        status = kiosk.tick_checklist(visit.id, item, true).unwrap();
    }
    status
}

#[test]
fn a_guest_starts_at_once_and_a_contractor_waits_for_checklist_and_escort() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());

    let guest = kiosk.sign_in(visitor("Ann Lee")).unwrap();
    let escort = guest.escort.as_ref().unwrap();
    assert_eq!(escort.visitor_type.as_ref().unwrap().id, "guest", "the site's first type is the default");
    assert!(!escort.required && !escort.pending);
    assert!(!kiosk.badge_data(guest.id, Lang::En).unwrap().escort_required);
    let status = kiosk.escort_status(guest.id).unwrap();
    assert!(!status.required && status.checklist.is_empty() && !status.can_start);

    let visit = kiosk.sign_in(contractor("王建国")).unwrap();
    let summary = visit.escort.clone().unwrap();
    assert!(summary.required && summary.pending && summary.escort.is_none());
    // Waiting at the desk is being in the building: on the on-site list, marked pending.
    let listed = kiosk.on_site().unwrap();
    assert!(listed.iter().any(|v| v.id == visit.id && v.escort.as_ref().unwrap().pending));

    let status = kiosk.escort_status(visit.id).unwrap();
    assert!(status.required);
    assert!(matches!(&status.reasons[..], [EscortReason::VisitorType { id, .. }] if id == "contractor"));
    let required: Vec<&str> = status.checklist.iter().filter(|i| i.required).map(|i| i.id.as_str()).collect();
    assert_eq!(required, REQUIRED_DEMO_ITEMS);
    assert!(!status.checklist_complete && !status.can_start);

    // No badge and no start: core refuses, whatever the UI does.
    for err in [
        kiosk.badge_data(visit.id, Lang::ZhCn).unwrap_err(),
        kiosk.badge_preview(visit.id, Lang::ZhCn).unwrap_err(),
        kiosk.print_badge(visit.id, Lang::ZhCn).unwrap_err(),
    ] {
        assert_eq!(err.code(), ErrorCode::EscortPending, "{err}");
    }
    let err = kiosk.start_visit(visit.id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ChecklistIncomplete);
    assert!(err.to_string().contains("escort-present"), "{err}");

    // Every required item but one: still not.
    for item in &REQUIRED_DEMO_ITEMS[..5] {
        kiosk.tick_checklist(visit.id, item, true).unwrap();
    }
    assert_eq!(code(kiosk.start_visit(visit.id).unwrap_err()), ErrorCode::ChecklistIncomplete);
    let status = kiosk.tick_checklist(visit.id, "exits", true).unwrap();
    assert!(status.checklist_complete, "optional items do not hold the visit up");
    assert!(!status.can_start, "an escort is still missing");
    assert_eq!(code(kiosk.start_visit(visit.id).unwrap_err()), ErrorCode::EscortMissing);
    assert_eq!(code(kiosk.badge_data(visit.id, Lang::En).unwrap_err()), ErrorCode::EscortPending);

    let status = kiosk.assign_escort(visit.id, &HostId("chen-jie".into())).unwrap();
    assert!(status.can_start);
    assert_eq!(status.escort.as_ref().unwrap().name, "陈杰");
    let started = kiosk.start_visit(visit.id).unwrap();
    let summary = started.escort.unwrap();
    assert!(summary.required && !summary.pending);
    assert_eq!(summary.escort.unwrap().extension, "8300");

    // Now the badge: escort band, the site's name for the type.
    let badge = kiosk.badge_data(visit.id, Lang::En).unwrap();
    assert!(badge.escort_required);
    assert_eq!(badge.visitor_type.unwrap().en, "Contractor");
    assert_eq!(code(kiosk.start_visit(visit.id).unwrap_err()), ErrorCode::VisitAlreadyStarted);
    assert_eq!(code(kiosk.tick_checklist(visit.id, "exits", false).unwrap_err()), ErrorCode::VisitAlreadyStarted);
}

#[test]
fn ticks_and_unticks_are_ops_with_desk_and_time_and_unknown_items_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let visit = kiosk.sign_in(contractor("Sam")).unwrap();
    let before = kiosk.all_ops().unwrap().len();

    kiosk.tick_checklist(visit.id, "exits", true).unwrap();
    advance(60_000);
    let status = kiosk.tick_checklist(visit.id, "exits", false).unwrap();
    let item = status.checklist.iter().find(|i| i.id == "exits").unwrap();
    assert!(!item.ticked);
    assert_eq!(item.changed_by.as_deref(), Some("lobby"));
    assert_eq!(item.changed_at.unwrap().as_millisecond() as u64, test_now());
    // Unticking what is not ticked writes nothing.
    kiosk.tick_checklist(visit.id, "exits", false).unwrap();

    let ops = kiosk.all_ops().unwrap();
    let ticks: Vec<bool> = ops[before..]
        .iter()
        .filter_map(|op| match &op.body {
            OpBody::ChecklistTicked(t) if t.item_id == "exits" => Some(t.ticked),
            _ => None,
        })
        .collect();
    assert_eq!(ticks, [true, false]);

    assert_eq!(
        code(kiosk.tick_checklist(visit.id, "no-such-item", true).unwrap_err()),
        ErrorCode::ChecklistItemUnknown
    );
    // The server-room item is only on visits that need the server room.
    assert_eq!(
        code(kiosk.tick_checklist(visit.id, "server-room-rules", true).unwrap_err()),
        ErrorCode::ChecklistItemUnknown
    );
    let guest = kiosk.sign_in(visitor("Guest")).unwrap();
    assert_eq!(code(kiosk.tick_checklist(guest.id, "exits", true).unwrap_err()), ErrorCode::EscortNotRequired);
    assert_eq!(code(kiosk.tick_checklist(VisitId::new(), "exits", true).unwrap_err()), ErrorCode::VisitNotFound);
}

#[test]
fn only_active_staff_allowed_to_escort_can_be_named_and_hand_overs_are_recorded_with_time() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    admin(&kiosk);
    let visit = kiosk.sign_in(contractor("Sam")).unwrap();

    let escorts: Vec<String> = kiosk.escorts().unwrap().into_iter().map(|h| h.id.0).collect();
    assert!(escorts.contains(&"chen-jie".to_owned()));
    assert!(!escorts.contains(&"wang-fang".to_owned()), "wang-fang may not escort");
    for who in ["wang-fang", "nobody"] {
        assert_eq!(code(kiosk.assign_escort(visit.id, &HostId(who.into())).unwrap_err()), ErrorCode::EscortNotAllowed);
    }

    kiosk.assign_escort(visit.id, &HostId("chen-jie".into())).unwrap();
    tick_all_required(&kiosk, &visit);
    kiosk.start_visit(visit.id).unwrap();
    advance(45 * 60_000);
    let handed_over_at = test_now();
    let status = kiosk.assign_escort(visit.id, &HostId("sun-li".into())).unwrap();
    // Naming the current escort again changes nothing.
    kiosk.assign_escort(visit.id, &HostId("sun-li".into())).unwrap();

    let names: Vec<&str> = status.history.iter().map(|a| a.escort.name.as_str()).collect();
    assert_eq!(names, ["陈杰", "孙丽"]);
    assert_eq!(status.history[1].at.as_millisecond() as u64, handed_over_at);
    assert_eq!(status.escort.as_ref().unwrap().host_id.0, "sun-li");
    assert_eq!(kiosk.visit(visit.id).unwrap().escort.unwrap().escort.unwrap().extension, "8110");

    let entries = audit(&kiosk, "escort_assigned");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].details["handover"], true, "newest first");
    assert_eq!(entries[0].details["from"], "chen-jie");
    assert_eq!(entries[0].subject, visit.id.to_string());
}

#[test]
fn a_supervisor_override_needs_a_reason_and_the_pin_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let visit = kiosk.sign_in(contractor("Sam")).unwrap();

    // The first-run PIN approves nothing.
    assert_eq!(
        code(kiosk.override_escort(visit.id, DEFAULT_ADMIN_PIN, "escort delayed").unwrap_err()),
        ErrorCode::PinChangeRequired
    );
    admin(&kiosk);

    // A reason first: no reason, a bad one, or one too long is refused before any PIN is checked.
    let long = "x".repeat(201);
    for (reason, field_code) in [
        ("  ", FieldErrorCode::Required),
        ("bad\u{202E}reason", FieldErrorCode::ControlCharacters),
        (long.as_str(), FieldErrorCode::TooLong),
    ] {
        let err = kiosk.override_escort(visit.id, "111111", reason).unwrap_err();
        assert_eq!(err.field_errors()[0].field, "reason");
        assert_eq!(err.field_errors()[0].code, field_code);
    }
    assert!(audit(&kiosk, "pin_failed").is_empty());

    let OverrideOutcome::Refused(refusal) = kiosk.override_escort(visit.id, "111111", "escort delayed").unwrap() else {
        panic!("a wrong PIN is refused");
    };
    assert_eq!(refusal.attempts_left, 4);
    assert_eq!(audit(&kiosk, "pin_failed")[0].subject, "supervisor");
    assert!(kiosk.visit(visit.id).unwrap().escort.unwrap().pending);

    kiosk.tick_checklist(visit.id, "exits", true).unwrap();
    let OverrideOutcome::Granted(started) =
        kiosk.override_escort(visit.id, "482915", "  Escort on the way from floor 5 ").unwrap()
    else {
        panic!("the supervisor PIN is accepted");
    };
    assert!(!started.escort.unwrap().pending);
    kiosk.badge_data(visit.id, Lang::En).unwrap();

    let status = kiosk.escort_status(visit.id).unwrap();
    let over = status.cleared.unwrap().supervisor_override.unwrap();
    assert_eq!(over.reason, "Escort on the way from floor 5");
    assert!(over.without_escort);
    assert_eq!(over.missing_items, REQUIRED_DEMO_ITEMS[..5]);

    let entry = &audit(&kiosk, "escort_override")[0];
    assert_eq!(entry.subject, visit.id.to_string());
    assert_eq!(entry.details["reason"], "Escort on the way from floor 5");
    assert_eq!(entry.details["without_escort"], true);
    let session = admin_session(&kiosk);
    assert!(kiosk.verify_audit(&session.token).unwrap().is_intact());
    assert_eq!(code(kiosk.override_escort(visit.id, "482915", "again").unwrap_err()), ErrorCode::VisitAlreadyStarted);
}

#[test]
fn an_escorted_visit_signs_out_only_after_the_hand_back() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    admin(&kiosk);

    // Waiting at the desk with no escort named: the visitor may simply leave.
    let gave_up = kiosk.sign_in(contractor("Left early")).unwrap();
    kiosk.sign_out(gave_up.id).unwrap();

    let visit = kiosk.sign_in(contractor("Sam")).unwrap();
    kiosk.assign_escort(visit.id, &HostId("chen-jie".into())).unwrap();
    tick_all_required(&kiosk, &visit);
    kiosk.start_visit(visit.id).unwrap();
    assert!(kiosk.visit(visit.id).unwrap().escort.unwrap().needs_handback);

    let err = kiosk.sign_out(visit.id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::HandbackRequired);
    assert!(kiosk.visit(visit.id).unwrap().signed_out_at.is_none(), "nothing was stored");

    advance(3_600_000);
    let out = kiosk.hand_back(visit.id, HandbackBy::Desk).unwrap();
    assert!(out.signed_out_at.is_some());
    assert!(!out.escort.unwrap().needs_handback);
    let status = kiosk.escort_status(visit.id).unwrap();
    let handback = status.handback.unwrap();
    assert_eq!((handback.escort.host_id.0.as_str(), handback.by), ("chen-jie", HandbackBy::Desk));
    assert_eq!(handback.at.as_millisecond() as u64, test_now());
    assert!(status.signed_out);
    assert_eq!(code(kiosk.hand_back(visit.id, HandbackBy::Escort).unwrap_err()), ErrorCode::AlreadySignedOut);

    let entry = &audit(&kiosk, "escort_handback")[0];
    assert_eq!((entry.details["escort"].as_str(), entry.details["by"].as_str()), (Some("chen-jie"), Some("desk")));
    assert_eq!(audit(&kiosk, "sign_out")[0].subject, visit.id.to_string());

    // A visit without an escort has no hand-back to confirm.
    let guest = kiosk.sign_in(visitor("Guest")).unwrap();
    assert_eq!(code(kiosk.hand_back(guest.id, HandbackBy::Escort).unwrap_err()), ErrorCode::EscortMissing);
}

#[test]
fn the_overdue_list_gets_the_escorts_name_and_extension() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let guest = kiosk.sign_in(visitor("Guest")).unwrap();
    assert_eq!(overdue_flag(&guest), None);

    let visit = kiosk.sign_in(contractor("Sam")).unwrap();
    let flag = overdue_flag(&kiosk.visit(visit.id).unwrap()).unwrap();
    assert!(flag.escorted && flag.escort.is_none());
    kiosk.assign_escort(visit.id, &HostId("sun-li".into())).unwrap();
    let flag = overdue_flag(&kiosk.visit(visit.id).unwrap()).unwrap();
    let escort = flag.escort.unwrap();
    assert_eq!((escort.name.as_str(), escort.extension.as_str()), ("孙丽", "8110"));
}

#[test]
fn areas_hours_and_the_hosts_policy_decide_at_sign_in_and_bad_fields_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());

    let server = kiosk
        .sign_in(NewVisit { areas: vec!["server-room".into(), "meeting-rooms".into()], ..visitor("Ana") })
        .unwrap();
    let status = kiosk.escort_status(server.id).unwrap();
    assert!(matches!(&status.reasons[..], [EscortReason::RestrictedArea { id, .. }] if id == "server-room"));
    assert!(status.checklist.iter().any(|i| i.id == "server-room-rules" && i.required));
    let areas: Vec<&str> = status.areas.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(areas, ["meeting-rooms", "server-room"], "in the site's order");

    let legal = kiosk.sign_in(NewVisit { host_id: HostId("zhao-min".into()), ..visitor("Bo") }).unwrap();
    assert!(legal.escort.unwrap().pending);
    let reasons = kiosk.escort_status(legal.id).unwrap().reasons;
    assert!(matches!(&reasons[..], [EscortReason::HostPolicy { name, .. }] if name == "赵敏"), "{reasons:?}");

    // Office floors at 09:00 on a Monday: no escort. At 19:30: escort.
    let upstairs = || NewVisit { areas: vec!["office-floors".into()], ..visitor("Cy") };
    assert!(!kiosk.sign_in(upstairs()).unwrap().escort.unwrap().required);
    set_now(MONDAY_9AM + 630 * 60_000);
    let late = kiosk.sign_in(upstairs()).unwrap();
    let status = kiosk.escort_status(late.id).unwrap();
    assert_eq!(status.reasons, [EscortReason::OutsideHours { start: "08:30".into(), end: "18:00".into() }]);

    // The preview the form shows decides alike.
    let preview = kiosk.escort_preview("guest", &["office-floors".into()], &HostId("li-na".into())).unwrap();
    assert!(preview.required);
    let err = kiosk.escort_preview("astronaut", &[], &HostId("li-na".into())).unwrap_err();
    assert_eq!(err.field_errors()[0].code, FieldErrorCode::UnknownVisitorType);

    // Unknown type and area are reported with every other bad field, and nothing is stored.
    let on_site = kiosk.on_site().unwrap().len();
    let ops = kiosk.all_ops().unwrap().len();
    let err = kiosk
        .sign_in(NewVisit {
            name: " ".into(),
            visitor_type: "astronaut".into(),
            areas: vec!["moon".into()],
            ..visitor("x")
        })
        .unwrap_err();
    let fields: Vec<(&str, FieldErrorCode)> = err.field_errors().iter().map(|f| (f.field.as_str(), f.code)).collect();
    assert_eq!(
        fields,
        [
            ("name", FieldErrorCode::Required),
            ("visitor_type", FieldErrorCode::UnknownVisitorType),
            ("areas", FieldErrorCode::UnknownArea)
        ]
    );
    assert_eq!(kiosk.on_site().unwrap().len(), on_site);
    assert_eq!(kiosk.all_ops().unwrap().len(), ops);
}

#[test]
fn a_visitor_waiting_for_an_escort_is_on_the_evacuation_roll_call() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open(dir.path(), Arc::default());
    let waiting = kiosk.sign_in(contractor("Waiting")).unwrap();
    let escorted = kiosk.sign_in(contractor("With escort")).unwrap();
    tick_all_required(&kiosk, &escorted);
    kiosk.assign_escort(escorted.id, &HostId("zhang-wei".into())).unwrap();
    kiosk.start_visit(escorted.id).unwrap();
    let rollcall = kiosk.start_evacuation(true).unwrap();
    let row = |id: VisitId| rollcall.rows.iter().find(|r| r.visit_id == id).unwrap().clone();
    let (w, e) = (row(waiting.id), row(escorted.id));
    assert!(!w.added_later && w.waiting_for_escort && w.escort.is_none(), "{w:?}");
    // Marshals see whom to ask about an escorted visitor: the escort, with their extension.
    let contact = e.escort.clone().unwrap();
    assert!(!e.waiting_for_escort);
    assert_eq!((contact.name.as_str(), contact.extension.as_str()), ("张伟", "8012"));
}

#[test]
fn two_kiosks_converge_per_item_and_on_the_latest_escort() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = open(a_dir.path(), Arc::default());
    let b = open(b_dir.path(), Arc::default());
    let sync = || {
        let all: Vec<_> = a.all_ops().unwrap().into_iter().chain(b.all_ops().unwrap()).collect();
        a.receive_ops(&all).unwrap();
        b.receive_ops(&all).unwrap();
    };
    let visit = a.sign_in(contractor("Sam")).unwrap();
    sync();
    assert!(b.visit(visit.id).unwrap().escort.unwrap().pending, "the terms travel with the sign-in");
    assert_eq!(code(b.badge_data(visit.id, Lang::En).unwrap_err()), ErrorCode::EscortPending);

    // Cut off from each other: A ticks "exits", B ticks then unticks it later; both name an escort.
    a.tick_checklist(visit.id, "exits", true).unwrap();
    a.assign_escort(visit.id, &HostId("chen-jie".into())).unwrap();
    advance(1_000);
    b.tick_checklist(visit.id, "exits", true).unwrap();
    b.tick_checklist(visit.id, "exits", false).unwrap();
    b.tick_checklist(visit.id, "photography", true).unwrap();
    b.assign_escort(visit.id, &HostId("sun-li".into())).unwrap();
    sync();

    let (sa, sb) = (a.escort_status(visit.id).unwrap(), b.escort_status(visit.id).unwrap());
    assert_eq!(sa, sb);
    let ticked: Vec<&str> = sa.checklist.iter().filter(|i| i.ticked).map(|i| i.id.as_str()).collect();
    assert_eq!(ticked, ["photography"], "B's later untick wins; B's tick of another item stands");
    assert_eq!(sa.escort.as_ref().unwrap().host_id.0, "sun-li");
    assert_eq!(sa.history.len(), 2);

    // Started on A; B learns it and prints.
    for item in REQUIRED_DEMO_ITEMS {
        a.tick_checklist(visit.id, item, true).unwrap();
    }
    a.start_visit(visit.id).unwrap();
    sync();
    b.badge_data(visit.id, Lang::En).unwrap();
    assert_eq!(a.escort_status(visit.id).unwrap(), b.escort_status(visit.id).unwrap());
}
