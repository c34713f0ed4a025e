//! Devices that have applied the same operations show the same state, whatever the order,
//! however often an operation arrives, and however the deliveries were batched.

use frontdesk_core::alert::{
    ActorKind, AlertAcknowledged, AlertActor, AlertCancelled, AlertContext, AlertEscalated, AlertKind, AlertOutcome,
    AlertRaised, AlertResolved, AlertSource, AlertTrigger, CancelReason, DeskSession,
};
use frontdesk_core::evacuation::{
    EvacuationEnded, EvacuationStarted, RollcallMarked, RollcallStatus, VisitBackEntered,
};
use frontdesk_core::hlc::Hlc;
use frontdesk_core::ids::{AlertId, DeviceId, EvacuationId, HostId, OpId, SiteId, VisitId};
use frontdesk_core::op::{
    HostRecord, Op, OpBody, VisitFields, VisitPatch, VisitSignedIn, VisitSignedOut, VisitUpdated,
};
use frontdesk_core::storage::Store;
use proptest::prelude::*;
use proptest::sample::Index;

const DEVICES: usize = 3;
const VISITS: usize = 4;
const EVACUATIONS: usize = 2;
const ALERTS: usize = 2;

#[derive(Debug, Clone)]
enum Action {
    SignIn { visit: usize, name: u8, host: u8 },
    Update { visit: usize, name: Option<u8>, company: Option<u8>, host: Option<u8> },
    SignOut { visit: usize, at: u8 },
    Host { host: u8, name: u8, active: bool },
    Site { idle: u8 },
    Evacuate { evacuation: usize, drill: bool, on_site: Vec<usize>, at: u8 },
    Mark { evacuation: usize, visit: usize, status: u8, at: u8 },
    EndEvacuation { evacuations: Vec<usize>, missing: Vec<usize>, at: u8 },
    BackEntered { visit: usize },
    RaiseAlert { alert: usize, kind: u8, at: u8 },
    AckAlert { alert: usize, guard: u8, at: u8 },
    EscalateAlert { alert: usize, round: u32, at: u8 },
    ResolveAlert { alert: usize, outcome: u8, at: u8 },
    CancelAlert { alert: usize, at: u8 },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..VISITS, any::<u8>(), 0u8..3).prop_map(|(visit, name, host)| Action::SignIn { visit, name, host }),
        (0..VISITS, any::<Option<u8>>(), any::<Option<u8>>(), proptest::option::of(0u8..3))
            .prop_map(|(visit, name, company, host)| Action::Update { visit, name, company, host }),
        (0..VISITS, any::<u8>()).prop_map(|(visit, at)| Action::SignOut { visit, at }),
        (0u8..3, any::<u8>(), any::<bool>()).prop_map(|(host, name, active)| Action::Host { host, name, active }),
        any::<u8>().prop_map(|idle| Action::Site { idle }),
        (0..EVACUATIONS, any::<bool>(), prop::collection::vec(0..VISITS, 0..4), any::<u8>())
            .prop_map(|(evacuation, drill, on_site, at)| Action::Evacuate { evacuation, drill, on_site, at }),
        (0..EVACUATIONS, 0..VISITS, 0u8..3, any::<u8>()).prop_map(|(evacuation, visit, status, at)| Action::Mark {
            evacuation,
            visit,
            status,
            at
        }),
        (prop::collection::vec(0..EVACUATIONS, 1..3), prop::collection::vec(0..VISITS, 0..3), any::<u8>())
            .prop_map(|(evacuations, missing, at)| Action::EndEvacuation { evacuations, missing, at }),
        (0..VISITS).prop_map(|visit| Action::BackEntered { visit }),
        (0..ALERTS, 0u8..3, any::<u8>()).prop_map(|(alert, kind, at)| Action::RaiseAlert { alert, kind, at }),
        (0..ALERTS, 0u8..3, any::<u8>()).prop_map(|(alert, guard, at)| Action::AckAlert { alert, guard, at }),
        (0..ALERTS, 1u32..3, any::<u8>()).prop_map(|(alert, round, at)| Action::EscalateAlert { alert, round, at }),
        (0..ALERTS, 0u8..3, any::<u8>()).prop_map(|(alert, outcome, at)| Action::ResolveAlert { alert, outcome, at }),
        (0..ALERTS, any::<u8>()).prop_map(|(alert, at)| Action::CancelAlert { alert, at }),
    ]
}

/// Ops written by DEVICES devices whose clocks disagree: small millisecond ranges make equal
/// milliseconds (ties broken by counter and device) common. A device never issues the same
/// stamp twice (its clock strictly increases), so the counter includes the sequence number.
fn history() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec((0..DEVICES, 0u64..6, 0u32..3, action()), 1..40).prop_map(|steps| {
        let devices: Vec<DeviceId> = (0..DEVICES).map(|i| DeviceId(uuid::Uuid::from_u128(i as u128 + 1))).collect();
        let visits: Vec<VisitId> = (0..VISITS).map(|i| VisitId(uuid::Uuid::from_u128(1000 + i as u128))).collect();
        let evacuations: Vec<EvacuationId> =
            (0..EVACUATIONS).map(|i| EvacuationId(uuid::Uuid::from_u128(2000 + i as u128))).collect();
        let alerts: Vec<AlertId> = (0..ALERTS).map(|i| AlertId(uuid::Uuid::from_u128(3000 + i as u128))).collect();
        let actor = |guard: u8| AlertActor {
            kind: ActorKind::Guard,
            id: format!("guard-{guard}"),
            name: format!("Guard {guard}"),
        };
        let mut seqs = [0u64; DEVICES];
        steps
            .into_iter()
            .map(|(d, millis, counter, action)| {
                seqs[d] += 1;
                let ts = |m: u8| jiff::Timestamp::from_second(1_800_000_000 + i64::from(m)).unwrap();
                let body = match action {
                    Action::SignIn { visit, name, host } => OpBody::VisitSignedIn(VisitSignedIn {
                        visit_id: visits[visit],
                        fields: VisitFields {
                            name: format!("name-{name}"),
                            company: String::new(),
                            host_id: HostId(format!("h{host}")),
                            purpose: String::new(),
                        },
                        desk_id: format!("desk-{d}"),
                        signed_in_at: ts(millis as u8),
                    }),
                    Action::Update { visit, name, company, host } => OpBody::VisitUpdated(VisitUpdated {
                        visit_id: visits[visit],
                        patch: VisitPatch {
                            name: name.map(|n| format!("name-{n}")),
                            company: company.map(|c| format!("company-{c}")),
                            host_id: host.map(|h| HostId(format!("h{h}"))),
                            purpose: None,
                        },
                    }),
                    Action::SignOut { visit, at } => {
                        OpBody::VisitSignedOut(VisitSignedOut { visit_id: visits[visit], signed_out_at: ts(at) })
                    }
                    Action::Host { host, name, active } => OpBody::HostUpserted(HostRecord {
                        id: HostId(format!("h{host}")),
                        name: format!("host-{name}"),
                        department: String::new(),
                        extension: String::new(),
                        email: String::new(),
                        may_escort: false,
                        active,
                    }),
                    Action::Site { idle } => {
                        let mut config = frontdesk_core::site::SiteConfig::demo().unwrap();
                        config.hosts.clear();
                        config.kiosk.idle_timeout_seconds = 15 + u32::from(idle);
                        OpBody::SitePublished(frontdesk_core::op::SitePublished { config: Box::new(config) })
                    }
                    Action::Evacuate { evacuation, drill, on_site, at } => {
                        OpBody::EvacuationStarted(EvacuationStarted {
                            evacuation_id: evacuations[evacuation],
                            started_at: ts(at),
                            drill,
                            desk_id: format!("desk-{d}"),
                            on_site: on_site.into_iter().map(|v| visits[v]).collect(),
                        })
                    }
                    Action::Mark { evacuation, visit, status, at } => OpBody::RollcallMarked(RollcallMarked {
                        evacuation_id: evacuations[evacuation],
                        visit_id: visits[visit],
                        status: [RollcallStatus::Accounted, RollcallStatus::Missing, RollcallStatus::Refuge]
                            [status as usize],
                        marked_at: ts(at),
                    }),
                    Action::EndEvacuation { evacuations: ended, missing, at } => {
                        OpBody::EvacuationEnded(EvacuationEnded {
                            evacuation_ids: ended.into_iter().map(|e| evacuations[e]).collect(),
                            ended_at: ts(at),
                            missing: missing.into_iter().map(|v| visits[v]).collect(),
                            duration_seconds: u64::from(at),
                        })
                    }
                    Action::BackEntered { visit } => {
                        OpBody::VisitBackEntered(VisitBackEntered { visit_id: visits[visit], entered_at: ts(0) })
                    }
                    Action::RaiseAlert { alert, kind, at } => {
                        let kind = [AlertKind::Duress, AlertKind::Assistance, AlertKind::Fire][kind as usize];
                        OpBody::AlertRaised(AlertRaised {
                            alert_id: alerts[alert],
                            kind,
                            level: kind.default_level(),
                            trigger: AlertTrigger::Discreet,
                            drill: at % 2 == 0,
                            raised_at: ts(at),
                            source: AlertSource {
                                device: devices[d],
                                device_name: format!("desk {d}"),
                                desk_id: format!("desk-{d}"),
                                desk_name: frontdesk_core::i18n::Localized {
                                    zh_cn: format!("前台 {d}"),
                                    en: format!("Desk {d}"),
                                },
                            },
                            context: AlertContext {
                                at_desk: DeskSession { role: None, admin: false },
                                visitors: Vec::new(),
                            },
                            description: None,
                            subject: None,
                        })
                    }
                    Action::AckAlert { alert, guard, at } => OpBody::AlertAcknowledged(AlertAcknowledged {
                        alert_id: alerts[alert],
                        by: actor(guard),
                        at: ts(at),
                    }),
                    Action::EscalateAlert { alert, round, at } => OpBody::AlertEscalated(AlertEscalated {
                        alert_id: alerts[alert],
                        round,
                        at: ts(at),
                        notify: Vec::new(),
                    }),
                    Action::ResolveAlert { alert, outcome, at } => OpBody::AlertResolved(AlertResolved {
                        alert_id: alerts[alert],
                        outcome: [AlertOutcome::Real, AlertOutcome::FalseAlarm, AlertOutcome::Drill][outcome as usize],
                        note: format!("note {at}"),
                        by: actor(outcome),
                        at: ts(at),
                    }),
                    Action::CancelAlert { alert, at } => OpBody::AlertCancelled(AlertCancelled {
                        alert_id: alerts[alert],
                        reason: CancelReason::Mistake,
                        note: String::new(),
                        by: actor(0),
                        at: ts(at),
                    }),
                };
                Op {
                    id: OpId::new(),
                    hlc: Hlc { millis: 1_000 + millis, counter: counter * 100 + seqs[d] as u32, device: devices[d] },
                    device: devices[d],
                    seq: seqs[d],
                    site: SiteId("s".into()),
                    body,
                }
            })
            .collect()
    })
}

fn fresh_store(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name)).unwrap()
}

fn dump(store: &Store) -> Vec<String> {
    store.read().state_dump().unwrap()
}

/// A delivery: every op at least once, some several times, in a shuffled order, in batches.
fn delivery(ops: &[Op], order: &[Index], dupes: &[Index], cuts: &[Index]) -> Vec<Vec<Op>> {
    let mut sequence: Vec<Op> = ops.to_vec();
    for d in dupes {
        sequence.push(ops[d.index(ops.len())].clone());
    }
    for (i, o) in order.iter().enumerate() {
        let len = sequence.len();
        sequence.swap(i % len, o.index(len));
    }
    let mut cut_points: Vec<usize> = cuts.iter().map(|c| c.index(sequence.len() + 1)).collect();
    cut_points.sort_unstable();
    let mut batches = Vec::new();
    let mut start = 0;
    for cut in cut_points.into_iter().chain([sequence.len()]) {
        if cut > start {
            batches.push(sequence[start..cut].to_vec());
            start = cut;
        }
    }
    batches
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_order_duplication_and_batching_converges(
        ops in history(),
        order_a in prop::collection::vec(any::<Index>(), 0..60),
        order_b in prop::collection::vec(any::<Index>(), 0..60),
        dupes in prop::collection::vec(any::<Index>(), 0..10),
        cuts in prop::collection::vec(any::<Index>(), 0..5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut reference = fresh_store(&dir, "reference.db");
        prop_assert_eq!(reference.apply_all(&ops, 0).unwrap(), ops.len());

        let mut a = fresh_store(&dir, "a.db");
        for batch in delivery(&ops, &order_a, &dupes, &cuts) {
            a.apply_all(&batch, 0).unwrap();
        }
        let mut b = fresh_store(&dir, "b.db");
        for batch in delivery(&ops, &order_b, &[], &[]) {
            b.apply_all(&batch, 0).unwrap();
        }
        // Delivering everything again changes nothing.
        prop_assert_eq!(b.apply_all(&ops, 0).unwrap(), 0);

        let expected = dump(&reference);
        prop_assert_eq!(&dump(&a), &expected);
        prop_assert_eq!(&dump(&b), &expected);
        prop_assert_eq!(a.read().on_site().unwrap(), reference.read().on_site().unwrap());
        // The roll call every device shows is the same too.
        prop_assert_eq!(a.read().rollcall().unwrap(), reference.read().rollcall().unwrap());
        prop_assert_eq!(b.read().rollcall().unwrap(), reference.read().rollcall().unwrap());
        prop_assert_eq!(a.read().evacuation_history(10).unwrap(), reference.read().evacuation_history(10).unwrap());
        // Every device shows the same alerts, the same owner, the same state.
        let views = |store: &Store| -> Vec<_> {
            store.read().alerts_open("s").unwrap().iter().filter_map(|r| r.view()).collect()
        };
        prop_assert_eq!(views(&a), views(&reference));
        prop_assert_eq!(views(&b), views(&reference));
    }
}

#[test]
fn the_earliest_sign_out_wins_and_a_sign_out_never_comes_undone() {
    let dir = tempfile::tempdir().unwrap();
    let device = DeviceId::new();
    let visit = VisitId::new();
    let op = |seq: u64, millis: u64, body: OpBody| Op {
        id: OpId::new(),
        hlc: Hlc { millis, counter: 0, device },
        device,
        seq,
        site: SiteId("s".into()),
        body,
    };
    let signed_in = op(
        1,
        10,
        OpBody::VisitSignedIn(VisitSignedIn {
            visit_id: visit,
            fields: VisitFields {
                name: "Ann".into(),
                company: "".into(),
                host_id: HostId("h".into()),
                purpose: "".into(),
            },
            desk_id: "lobby".into(),
            signed_in_at: jiff::Timestamp::from_second(100).unwrap(),
        }),
    );
    let out_late = op(
        2,
        30,
        OpBody::VisitSignedOut(VisitSignedOut {
            visit_id: visit,
            signed_out_at: jiff::Timestamp::from_second(300).unwrap(),
        }),
    );
    let out_early = op(
        3,
        20,
        OpBody::VisitSignedOut(VisitSignedOut {
            visit_id: visit,
            signed_out_at: jiff::Timestamp::from_second(200).unwrap(),
        }),
    );
    let rename = op(
        4,
        40,
        OpBody::VisitUpdated(VisitUpdated {
            visit_id: visit,
            patch: VisitPatch { name: Some("Anna".into()), ..Default::default() },
        }),
    );

    // Sign-out arrives before the sign-in it belongs to: the visit must not appear on site.
    let mut store = fresh_store(&dir, "k.db");
    store.apply_all(std::slice::from_ref(&out_late), 0).unwrap();
    assert!(store.read().visit(visit).unwrap().is_none());
    store.apply_all(&[signed_in, rename, out_early], 0).unwrap();
    let shown = store.read().visit(visit).unwrap().unwrap();
    assert_eq!(shown.signed_out_at, Some(jiff::Timestamp::from_second(200).unwrap()));
    assert_eq!(shown.name, "Anna");
    assert!(store.read().on_site().unwrap().is_empty());
}

#[test]
fn an_op_reusing_another_ops_sequence_number_is_refused_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = fresh_store(&dir, "k.db");
    let device = DeviceId::new();
    let host = |name: &str| {
        OpBody::HostUpserted(HostRecord {
            id: HostId("h".into()),
            name: name.into(),
            department: String::new(),
            extension: String::new(),
            email: String::new(),
            may_escort: false,
            active: true,
        })
    };
    let first = Op {
        id: OpId::new(),
        hlc: Hlc { millis: 1, counter: 0, device },
        device,
        seq: 1,
        site: SiteId("s".into()),
        body: host("A"),
    };
    let forged = Op {
        id: OpId::new(),
        hlc: Hlc { millis: 2, counter: 0, device },
        device,
        seq: 1,
        site: SiteId("s".into()),
        body: host("B"),
    };
    store.apply_all(&[first], 0).unwrap();
    let before = dump(&store);
    assert!(store.apply_all(&[forged], 0).is_err());
    assert_eq!(dump(&store), before);
}
