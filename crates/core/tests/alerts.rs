//! Alerts at the desk on real database files: the duress PIN behaves exactly like the real PIN
//! and raises a silent alert, alerts carry their context, a staff-assistance call can be
//! withdrawn for 10 s only, guard mode acknowledges and resolves, drills are marked, and the
//! alert is committed to disk before the call returns.

mod common;

use std::sync::Arc;

use common::*;
use frontdesk_core::alert::{
    ActorKind, AlertAcknowledged, AlertActor, AlertKind, AlertLevel, AlertOutcome, AlertResolved, AlertState,
    AlertTrigger, CancelReason, SuspiciousDescription, SuspiciousWhat,
};
use frontdesk_core::hlc::Hlc;
use frontdesk_core::ids::{AlertId, DeviceId, OpId, SiteId};
use frontdesk_core::kiosk::{AdminLogin, CancelOutcome, IndicatorState, RaiseAlert};
use frontdesk_core::op::{Op, OpBody};
use frontdesk_core::pin;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::sync::protocol::PullResponse;
use frontdesk_core::{ErrorCode, Kiosk};

const ADMIN_PIN: &str = "482915";
const DURESS_PIN: &str = "735108";

fn site_with_duress() -> SiteConfig {
    let mut site = SiteConfig::demo().unwrap();
    site.alerts.duress_pin_hash = Some(pin::hash_pin(DURESS_PIN));
    site
}

/// A kiosk whose admin PIN is set, on the demo site with a duress PIN.
fn prepared(dir: &std::path::Path) -> Kiosk {
    let kiosk = open_with(dir, Arc::new(MemorySecretStore::default()), site_with_duress()).unwrap();
    let AdminLogin::Granted(session) = kiosk.admin_login("000000").unwrap() else { panic!("first-run PIN") };
    kiosk.change_admin_pin(&session.token, ADMIN_PIN, ADMIN_PIN).unwrap();
    kiosk.admin_logout(&session.token);
    kiosk
}

fn alert_ops(kiosk: &Kiosk) -> Vec<Op> {
    kiosk.all_ops().unwrap().into_iter().filter(|op| op.body.kind().starts_with("alert.")).collect()
}

fn audit_actions(kiosk: &Kiosk) -> Vec<String> {
    let AdminLogin::Granted(session) = kiosk.admin_login(ADMIN_PIN).unwrap() else { panic!("admin PIN") };
    let actions = kiosk.recent_audit(&session.token, 100).unwrap().into_iter().map(|e| e.action).collect();
    kiosk.admin_logout(&session.token);
    actions
}

/// A page as the hub would serve it, with ops of another device.
fn page(ops: Vec<Op>) -> PullResponse {
    PullResponse { from: 0, next: ops.len() as u64, next_id: None, head: ops.len() as u64, device_seq: 0, ops }
}

fn guard_op(seq: u64, millis: u64, body: OpBody) -> Op {
    let device = DeviceId(uuid::Uuid::from_u128(99));
    Op {
        id: OpId::new(),
        hlc: Hlc { millis, counter: 0, device },
        device,
        seq,
        site: SiteId("riverside-tower".into()),
        body,
    }
}

fn guard() -> AlertActor {
    AlertActor { kind: ActorKind::Guard, id: "wang".into(), name: "Wang Lei".into() }
}

#[test]
fn the_duress_pin_opens_admin_exactly_like_the_real_pin_and_raises_a_silent_alert() {
    let dir = tempfile::tempdir().unwrap();
    let real = prepared(&dir.path().join("real"));
    let duress = prepared(&dir.path().join("duress"));

    let by_real = real.admin_login(ADMIN_PIN).unwrap();
    let by_duress = duress.admin_login(DURESS_PIN).unwrap();
    // Same outcome, same flags; only the random session token differs.
    let (AdminLogin::Granted(a), AdminLogin::Granted(b)) = (&by_real, &by_duress) else { panic!("both open admin") };
    assert_eq!(a.must_change_pin, b.must_change_pin);
    assert_eq!(a.token.len(), b.token.len());
    duress.require_admin(&b.token).expect("the duress session is a real admin session");

    assert!(alert_ops(&real).is_empty());
    let ops = alert_ops(&duress);
    assert_eq!(ops.len(), 1);
    let OpBody::AlertRaised(raised) = &ops[0].body else { panic!("a raise") };
    assert_eq!(
        (raised.kind, raised.level, raised.trigger),
        (AlertKind::Duress, AlertLevel::Emergency, AlertTrigger::DuressPin)
    );

    // Nothing on the duress kiosk's screens differs: its audit list reads like the other's.
    real.admin_logout(&a.token);
    duress.admin_logout(&b.token);
    assert_eq!(audit_actions(&real), audit_actions(&duress));
    // The desk's indicator shows nothing until a guard acknowledges.
    assert_eq!(duress.desk_alert_status().unwrap().indicator, IndicatorState::Waiting);
    assert!(duress.desk_alert_status().unwrap().visible.is_empty(), "a silent alert is never listed at the desk");
}

#[test]
fn a_duress_pin_during_a_lockout_is_refused_like_any_pin_but_still_raises_the_alert() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = prepared(dir.path());
    for _ in 0..5 {
        let _ = kiosk.admin_login("111111").unwrap();
    }
    let AdminLogin::Refused(refusal) = kiosk.admin_login(DURESS_PIN).unwrap() else { panic!("locked out") };
    assert_eq!(refusal.attempts_left, 0);
    assert!(refusal.locked_until.is_some());
    assert_eq!(alert_ops(&kiosk).len(), 1, "the alert is raised all the same");
}

#[test]
fn the_admin_pin_cannot_be_the_duress_pin() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = prepared(dir.path());
    let AdminLogin::Granted(session) = kiosk.admin_login(ADMIN_PIN).unwrap() else { panic!() };
    let err = kiosk.change_admin_pin(&session.token, DURESS_PIN, DURESS_PIN).unwrap_err();
    assert_eq!(err.field_errors()[0].code, frontdesk_core::FieldErrorCode::PinReserved);
}

#[test]
fn an_alert_carries_the_desk_and_the_visitors_of_the_last_fifteen_minutes_and_is_on_disk_when_raised() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = prepared(dir.path());
    let earlier = kiosk.sign_in(visitor("Early Bird")).unwrap();
    advance(16 * 60 * 1000);
    let recent = kiosk.sign_in(visitor("王小明")).unwrap();
    kiosk.sign_out(recent.id).unwrap();
    let late = kiosk.sign_in(visitor("Sarah Mitchell")).unwrap();

    let id = kiosk.raise_duress(AlertTrigger::Discreet).unwrap();
    // Committed before the call returned: another connection to the file sees it.
    let conn = rusqlite::Connection::open(dir.path().join("frontdesk.sqlite3")).unwrap();
    let on_disk: i64 = conn
        .query_row("SELECT count(*) FROM ops WHERE kind = 'alert.raised' AND entity_id = ?1", [id.to_string()], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(on_disk, 1);

    let OpBody::AlertRaised(raised) = &alert_ops(&kiosk)[0].body else { panic!() };
    let names: Vec<&str> = raised.context.visitors.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Sarah Mitchell", "王小明"], "latest first, only the last 15 minutes");
    assert!(raised.context.visitors[1].signed_out, "one who just left is listed, marked as gone");
    assert!(!raised.context.visitors.iter().any(|v| v.visit_id == earlier.id));
    assert_eq!(raised.context.visitors[0].visit_id, late.id);
    assert_eq!(raised.context.visitors[0].host_name, "张伟");
    assert_eq!(raised.source.desk_id, kiosk.info().unwrap().desk.id);
    assert!(!raised.context.at_desk.admin);
}

#[test]
fn a_call_for_assistance_can_be_withdrawn_within_ten_seconds_with_the_pin_and_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = prepared(dir.path());
    let call =
        || kiosk.raise_alert(RaiseAlert { kind: AlertKind::Assistance, level: None, description: None }).unwrap();

    let first = call();
    assert!(first.cancellable_until.is_some());
    assert_eq!(kiosk.desk_alert_status().unwrap().visible.len(), 1, "a visible alert is listed at the desk");
    let CancelOutcome::PinRefused(_) = kiosk.cancel_alert(first.alert.id, "999999", CancelReason::Mistake, "").unwrap()
    else {
        panic!("a wrong PIN is refused")
    };
    let CancelOutcome::Cancelled { alert } =
        kiosk.cancel_alert(first.alert.id, ADMIN_PIN, CancelReason::Mistake, "wrong button").unwrap()
    else {
        panic!("cancelled within the window")
    };
    assert_eq!(alert.state, AlertState::Cancelled);
    assert_eq!(alert.cancellation.unwrap().note, "wrong button");

    let second = call();
    advance(10_001);
    let outcome = kiosk.cancel_alert(second.alert.id, ADMIN_PIN, CancelReason::NoLongerNeeded, "").unwrap();
    assert_eq!(outcome, CancelOutcome::NotCancelled { code: ErrorCode::AlertCancelWindow });

    // The duress PIN cancels like the real one, and raises its silent alert too.
    let third = call();
    let CancelOutcome::Cancelled { .. } =
        kiosk.cancel_alert(third.alert.id, DURESS_PIN, CancelReason::Other, "").unwrap()
    else {
        panic!("the duress PIN works like the real PIN")
    };
    assert!(
        alert_ops(&kiosk).iter().any(|op| matches!(&op.body, OpBody::AlertRaised(r) if r.kind == AlertKind::Duress))
    );

    // A duress alert is never cancellable, and a bad note is refused before the PIN is used.
    let duress = kiosk.raise_duress(AlertTrigger::Hotkey).unwrap();
    let outcome = kiosk.cancel_alert(duress, ADMIN_PIN, CancelReason::Mistake, "").unwrap();
    assert_eq!(outcome, CancelOutcome::NotCancelled { code: ErrorCode::AlertNotCancellable });
    let err = kiosk.cancel_alert(duress, ADMIN_PIN, CancelReason::Other, "\u{202E}x").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
}

#[test]
fn a_suspicious_alert_needs_its_description_and_opens_the_matching_card() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = prepared(dir.path());
    let err =
        kiosk.raise_alert(RaiseAlert { kind: AlertKind::Suspicious, level: None, description: None }).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    let raised = kiosk
        .raise_alert(RaiseAlert {
            kind: AlertKind::Suspicious,
            level: Some(AlertLevel::Emergency),
            description: Some(SuspiciousDescription {
                what: SuspiciousWhat::Package,
                appearance: "  grey   backpack ".into(),
                place: "lift lobby B".into(),
                direction: String::new(),
            }),
        })
        .unwrap();
    assert_eq!(raised.alert.level, AlertLevel::Emergency);
    assert_eq!(raised.alert.description.as_ref().unwrap().appearance, "grey backpack");
    assert_eq!(raised.alert.scenario, Some(frontdesk_core::cards::Scenario::SuspiciousPackage));
    let medical = kiosk.raise_alert(RaiseAlert { kind: AlertKind::Medical, level: None, description: None }).unwrap();
    assert_eq!(medical.alert.scenario, Some(frontdesk_core::cards::Scenario::Medical));
    assert!(medical.cancellable_until.is_none());
    let err =
        kiosk.raise_alert(RaiseAlert { kind: AlertKind::LostContact, level: None, description: None }).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "a desk never raises lost contact by hand");
}

#[test]
fn guard_mode_acknowledges_then_resolves_and_the_first_acknowledger_owns_the_alert() {
    let dir = tempfile::tempdir().unwrap();
    let desk = prepared(&dir.path().join("desk"));
    let office = prepared(&dir.path().join("office"));
    let id = desk.raise_duress(AlertTrigger::Discreet).unwrap();
    office.receive_ops(&desk.all_ops().unwrap()).unwrap();

    assert_eq!(office.acknowledge_alert(id).unwrap_err().code(), ErrorCode::GuardModeRequired);
    let AdminLogin::Granted(session) = office.admin_login(ADMIN_PIN).unwrap() else { panic!() };
    assert!(office.set_guard_mode(&session.token, true).unwrap().guard_mode);
    assert_eq!(office.guard_alerts(24).unwrap().len(), 1);
    assert_eq!(office.resolve_alert(id, AlertOutcome::Real, "").unwrap_err().code(), ErrorCode::AlertNotAcknowledged);
    let view = office.acknowledge_alert(id).unwrap();
    assert_eq!(view.state, AlertState::Acknowledged);
    let again = office.acknowledge_alert(id).unwrap();
    assert_eq!(again.acks.len(), 1, "acknowledging twice writes nothing");
    let err = office.resolve_alert(id, AlertOutcome::ContactRestored, "").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "only the hub closes with contact restored");
    let resolved = office.resolve_alert(id, AlertOutcome::FalseAlarm, "tested the button").unwrap();
    assert_eq!(resolved.state, AlertState::Resolved);
    assert_eq!(office.acknowledge_alert(id).unwrap_err().code(), ErrorCode::AlertEnded);
    assert!(office.guard_alerts(24).unwrap()[0].resolution.is_some());
}

#[test]
fn the_desk_learns_of_the_acknowledgement_and_audits_a_silent_alert_only_once_it_ended() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = prepared(dir.path());
    let id: AlertId = kiosk.raise_duress(AlertTrigger::Hotkey).unwrap();
    let seq = kiosk.undelivered_alert_seq().unwrap().expect("waiting for the hub");
    assert_eq!(kiosk.desk_alert_status().unwrap().indicator, IndicatorState::Waiting);
    kiosk.alerts_confirmed(seq).unwrap();
    assert_eq!(kiosk.undelivered_alert_seq().unwrap(), None);
    assert_eq!(kiosk.desk_alert_status().unwrap().indicator, IndicatorState::Delivered);
    assert!(kiosk.take_alerts_changed());

    let now = jiff::Timestamp::from_millisecond(test_now() as i64).unwrap();
    let ack = guard_op(
        1,
        test_now() + 1,
        OpBody::AlertAcknowledged(AlertAcknowledged { alert_id: id, by: guard(), at: now }),
    );
    kiosk.apply_pulled(&page(vec![ack.clone()])).unwrap();
    assert_eq!(kiosk.desk_alert_status().unwrap().indicator, IndicatorState::Acknowledged);
    assert!(kiosk.take_alerts_changed(), "the app is told to redraw");
    assert!(
        !audit_actions(&kiosk).iter().any(|a| a.starts_with("alert_")),
        "nothing of a running silent alert in the admin screen's list"
    );

    let end = guard_op(
        2,
        test_now() + 2,
        OpBody::AlertResolved(AlertResolved {
            alert_id: id,
            outcome: AlertOutcome::Real,
            note: String::new(),
            by: guard(),
            at: now,
        }),
    );
    kiosk.apply_pulled(&page(vec![ack, end])).unwrap();
    assert_eq!(kiosk.desk_alert_status().unwrap().indicator, IndicatorState::Resolved);
    let actions = audit_actions(&kiosk);
    for expected in ["alert_raised", "alert_acknowledged", "alert_resolved"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} audited once it ended: {actions:?}");
    }
    let AdminLogin::Granted(session) = kiosk.admin_login(ADMIN_PIN).unwrap() else { panic!() };
    assert!(kiosk.verify_audit(&session.token).unwrap().is_intact());
}

#[test]
fn drill_mode_marks_every_alert_raised_while_it_is_on_and_ends_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = prepared(dir.path());
    let AdminLogin::Granted(session) = kiosk.admin_login(ADMIN_PIN).unwrap() else { panic!() };
    let status = kiosk.set_drill_mode(&session.token, 30).unwrap();
    assert!(status.drill_until.is_some());
    let drill = kiosk.raise_duress(AlertTrigger::Discreet).unwrap();
    assert!(kiosk.alert_view(drill).unwrap().drill);
    advance(31 * 60 * 1000);
    assert!(kiosk.desk_alert_status().unwrap().drill_until.is_none());
    let real = kiosk.raise_duress(AlertTrigger::Discreet).unwrap();
    assert!(!kiosk.alert_view(real).unwrap().drill);
    let AdminLogin::Granted(session) = kiosk.admin_login(ADMIN_PIN).unwrap() else { panic!() };
    assert_eq!(kiosk.set_drill_mode(&session.token, 241).unwrap_err().code(), ErrorCode::Validation);
    let report = kiosk
        .alert_report(
            &session.token,
            &jiff::Timestamp::from_millisecond(test_now() as i64).unwrap().strftime("%Y-%m").to_string(),
        )
        .unwrap();
    assert_eq!((report.alerts, report.drills.len()), (1, 1));
}

#[test]
fn a_watch_list_hit_travels_as_a_silent_alert_naming_the_visit() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = prepared(dir.path());
    let visit = kiosk.sign_in(visitor("Someone On The List")).unwrap();
    let id = kiosk.change(|change| kiosk.raise_watchlist_hit_in(change, visit.id)).unwrap();
    let view = kiosk.alert_view(id).unwrap();
    assert_eq!((view.kind, view.trigger), (AlertKind::WatchlistHit, AlertTrigger::Watchlist));
    assert_eq!(view.subject, Some(frontdesk_core::alert::AlertSubject::Visit { visit_id: visit.id }));
    assert_eq!(view.context.visitors[0].visit_id, visit.id, "the visitor is in the context too");
    assert!(kiosk.desk_alert_status().unwrap().visible.is_empty(), "silent: nothing at the desk");
    assert!(!audit_actions(&kiosk).iter().any(|a| a.starts_with("alert_")));
    assert!(kiosk.undelivered_alert_seq().unwrap().is_some(), "the courier delivers it like any alert");
}
