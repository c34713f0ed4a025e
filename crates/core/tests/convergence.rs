//! Devices that have applied the same operations show the same state, whatever the order,
//! however often an operation arrives, and however the deliveries were batched.

use frontdesk_core::alert::{
    ActorKind, AlertAcknowledged, AlertActor, AlertCancelled, AlertContext, AlertEscalated, AlertKind, AlertOutcome,
    AlertRaised, AlertResolved, AlertSource, AlertTrigger, CancelReason, DeskSession,
};
use frontdesk_core::escort::{
    ChecklistItem, ChecklistTicked, EscortAssigned, EscortCleared, EscortHandedBack, EscortOverride, EscortReason,
    HandbackBy, Label, VisitTerms,
};
use frontdesk_core::evacuation::{
    EvacuationEnded, EvacuationStarted, RollcallMarked, RollcallStatus, VisitBackEntered,
};
use frontdesk_core::hlc::Hlc;
use frontdesk_core::i18n::Localized;
use frontdesk_core::ids::{AlertId, DeviceId, EvacuationId, HostId, InvitationId, OpId, SiteId, VisitId};
use frontdesk_core::op::{
    HostRecord, Op, OpBody, VisitFields, VisitPatch, VisitSignedIn, VisitSignedOut, VisitUpdated,
};
use frontdesk_core::storage::Store;
use frontdesk_core::visitors::VisitorSettings;
use frontdesk_core::visitors::identity::IdType;
use frontdesk_core::visitors::ops;
use frontdesk_core::visitors::watchlist::{MatchedBy, WatchlistEntry};
use proptest::prelude::*;
use proptest::sample::Index;

const DEVICES: usize = 3;
const VISITS: usize = 4;
const EVACUATIONS: usize = 2;
const ALERTS: usize = 2;

#[derive(Debug, Clone)]
enum Action {
    SignIn { visit: usize, name: u8, host: u8, escorted: Option<bool> },
    Update { visit: usize, name: Option<u8>, company: Option<u8>, host: Option<u8> },
    SignOut { visit: usize, at: u8 },
    Host { host: u8, name: u8, active: bool },
    Site { idle: u8 },
    Evacuate { evacuation: usize, drill: bool, on_site: Vec<usize>, at: u8 },
    Mark { evacuation: usize, visit: usize, status: u8, at: u8 },
    EndEvacuation { evacuations: Vec<usize>, missing: Vec<usize>, at: u8 },
    BackEntered { visit: usize },
    Tick { visit: usize, item: u8, ticked: bool, at: u8 },
    Assign { visit: usize, host: u8, at: u8 },
    Clear { visit: usize, supervisor: bool, at: u8 },
    HandBack { visit: usize, host: u8, by_escort: bool, at: u8 },
    Details { visit: usize, id: u8, end: u8 },
    AutoOut { visit: usize, at: u8 },
    Invite { invitation: usize, name: u8, until: u8 },
    Redeem { invitation: usize, visit: usize },
    Revoke { invitation: usize, at: u8 },
    Watch { entry: u8, name: u8, active: bool },
    Hit { visit: usize, entry: u8, at: u8 },
    ClearHit { visit: usize, entry: u8, exempt: Option<u8>, at: u8 },
    Purge { before: u8 },
    Settings { days: u8 },
    RaiseAlert { alert: usize, kind: u8, at: u8 },
    AckAlert { alert: usize, guard: u8, at: u8 },
    EscalateAlert { alert: usize, round: u32, at: u8 },
    ResolveAlert { alert: usize, outcome: u8, at: u8 },
    CancelAlert { alert: usize, at: u8 },
}

const INVITATIONS: usize = 2;

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..VISITS, any::<u8>(), 0u8..3, any::<Option<bool>>())
            .prop_map(|(visit, name, host, escorted)| Action::SignIn { visit, name, host, escorted }),
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
        (0..VISITS, 0u8..3, any::<bool>(), any::<u8>()).prop_map(|(visit, item, ticked, at)| Action::Tick {
            visit,
            item,
            ticked,
            at
        }),
        (0..VISITS, 0u8..3, any::<u8>()).prop_map(|(visit, host, at)| Action::Assign { visit, host, at }),
        (0..VISITS, any::<bool>(), any::<u8>()).prop_map(|(visit, supervisor, at)| Action::Clear {
            visit,
            supervisor,
            at
        }),
        (0..VISITS, 0u8..3, any::<bool>(), any::<u8>()).prop_map(|(visit, host, by_escort, at)| Action::HandBack {
            visit,
            host,
            by_escort,
            at
        }),
        (0..VISITS, 0u8..3, any::<u8>()).prop_map(|(visit, id, end)| Action::Details { visit, id, end }),
        (0..VISITS, any::<u8>()).prop_map(|(visit, at)| Action::AutoOut { visit, at }),
        (0..INVITATIONS, any::<u8>(), 0u8..8).prop_map(|(invitation, name, until)| Action::Invite {
            invitation,
            name,
            until
        }),
        (0..INVITATIONS, 0..VISITS).prop_map(|(invitation, visit)| Action::Redeem { invitation, visit }),
        (0..INVITATIONS, any::<u8>()).prop_map(|(invitation, at)| Action::Revoke { invitation, at }),
        (0u8..2, any::<u8>(), any::<bool>()).prop_map(|(entry, name, active)| Action::Watch { entry, name, active }),
        (0..VISITS, 0u8..2, any::<u8>()).prop_map(|(visit, entry, at)| Action::Hit { visit, entry, at }),
        (0..VISITS, 0u8..2, proptest::option::of(0u8..2), 0u8..8)
            .prop_map(|(visit, entry, exempt, at)| Action::ClearHit { visit, entry, exempt, at }),
        (0u8..8).prop_map(|before| Action::Purge { before }),
        any::<u8>().prop_map(|days| Action::Settings { days }),
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
        let invitations: Vec<InvitationId> =
            (0..INVITATIONS).map(|i| InvitationId(uuid::Uuid::from_u128(3000 + i as u128))).collect();
        let alerts: Vec<AlertId> = (0..ALERTS).map(|i| AlertId(uuid::Uuid::from_u128(4000 + i as u128))).collect();
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
                    Action::SignIn { visit, name, host, escorted } => OpBody::VisitSignedIn(VisitSignedIn {
                        visit_id: visits[visit],
                        fields: VisitFields {
                            name: format!("name-{name}"),
                            company: String::new(),
                            host_id: HostId(format!("h{host}")),
                            purpose: String::new(),
                        },
                        desk_id: format!("desk-{d}"),
                        signed_in_at: ts(millis as u8),
                        // Two sign-ins of one visit may disagree on terms; the earliest wins.
                        terms: escorted.map(|required| terms(required, name)),
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
                            missing_total: None,
                            duration_seconds: u64::from(at),
                        })
                    }
                    Action::BackEntered { visit } => {
                        OpBody::VisitBackEntered(VisitBackEntered { visit_id: visits[visit], entered_at: ts(0) })
                    }
                    Action::Tick { visit, item, ticked, at } => OpBody::ChecklistTicked(ChecklistTicked {
                        visit_id: visits[visit],
                        item_id: format!("item-{item}"),
                        ticked,
                        desk_id: format!("desk-{d}"),
                        at: ts(at),
                    }),
                    Action::Assign { visit, host, at } => OpBody::EscortAssigned(EscortAssigned {
                        visit_id: visits[visit],
                        host_id: HostId(format!("h{host}")),
                        desk_id: format!("desk-{d}"),
                        at: ts(at),
                    }),
                    Action::Clear { visit, supervisor, at } => OpBody::EscortCleared(EscortCleared {
                        visit_id: visits[visit],
                        desk_id: format!("desk-{d}"),
                        at: ts(at),
                        supervisor_override: supervisor.then(|| EscortOverride {
                            reason: format!("reason {at}"),
                            missing_items: vec!["item-0".into()],
                            without_escort: at % 2 == 0,
                        }),
                    }),
                    Action::HandBack { visit, host, by_escort, at } => OpBody::EscortHandedBack(EscortHandedBack {
                        visit_id: visits[visit],
                        host_id: HostId(format!("h{host}")),
                        by: if by_escort { HandbackBy::Escort } else { HandbackBy::Desk },
                        desk_id: format!("desk-{d}"),
                        at: ts(at),
                    }),
                    Action::Details { visit, id, end } => OpBody::VisitDetails(ops::VisitDetails {
                        visit_id: visits[visit],
                        id_type: Some(IdType::Passport),
                        id_masked: Some(format!("E1***{id}")),
                        id_hash: Some(format!("hash-{id}")),
                        phone_masked: None,
                        phone_hash: None,
                        name_key: Some(format!("key-{id}")),
                        expected_end: Some(ts(end)),
                        invitation_id: None,
                    }),
                    Action::AutoOut { visit, at } => {
                        OpBody::VisitAutoSignedOut(ops::VisitAutoSignedOut { visit_id: visits[visit], at: ts(at) })
                    }
                    Action::Invite { invitation, name, until } => OpBody::InvitationCreated(ops::InvitationCreated {
                        invitation_id: invitations[invitation],
                        code: format!("CODE000{invitation}"),
                        name: format!("guest-{name}"),
                        company: String::new(),
                        host_id: HostId("h0".into()),
                        valid_from: ts(0),
                        valid_until: ts(until),
                        uses: 1,
                        created_at: ts(0),
                    }),
                    Action::Redeem { invitation, visit } => OpBody::InvitationRedeemed(ops::InvitationRedeemed {
                        invitation_id: invitations[invitation],
                        visit_id: visits[visit],
                        redeemed_at: ts(1),
                    }),
                    Action::Revoke { invitation, at } => OpBody::InvitationRevoked(ops::InvitationRevoked {
                        invitation_id: invitations[invitation],
                        revoked_at: ts(at),
                    }),
                    Action::Watch { entry, name, active } => OpBody::WatchlistUpserted(ops::WatchlistUpserted {
                        entry: WatchlistEntry {
                            id: format!("w{entry}"),
                            name: format!("watched-{name}"),
                            id_type: None,
                            id_masked: None,
                            id_hash: None,
                            reason: String::new(),
                            active,
                        },
                    }),
                    Action::Hit { visit, entry, at } => OpBody::WatchlistHit(ops::WatchlistHit {
                        visit_id: visits[visit],
                        entries: vec![ops::HitEntry {
                            entry_id: format!("w{entry}"),
                            matched_by: vec![MatchedBy::Name],
                        }],
                        desk_id: format!("desk-{d}"),
                        raised_at: ts(at),
                    }),
                    Action::ClearHit { visit, entry, exempt, at } => OpBody::WatchlistCleared(ops::WatchlistCleared {
                        visit_id: visits[visit],
                        entry_id: format!("w{entry}"),
                        exempt_id_hash: exempt.map(|e| format!("hash-{e}")),
                        cleared_at: ts(at),
                    }),
                    Action::Purge { before } => {
                        OpBody::RetentionPurged(ops::RetentionPurged { before: ts(before), purged_at: ts(8) })
                    }
                    Action::Settings { days } => OpBody::VisitorSettingsPublished(ops::VisitorSettingsPublished {
                        settings: VisitorSettings { retention_days: 1 + u32::from(days), ..VisitorSettings::default() },
                    }),
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

/// Escort terms for a sign-in: two required items and an optional one, or none needed.
fn terms(required: bool, name: u8) -> VisitTerms {
    let label = |id: &str| Localized { zh_cn: format!("{id}-zh"), en: format!("{id}-en") };
    VisitTerms {
        visitor_type: Some(Label { id: format!("type-{}", name % 2), name: label("type") }),
        areas: vec![],
        escort_required: required,
        reasons: if required { vec![EscortReason::WatchList] } else { vec![] },
        checklist: if required {
            (0..3).map(|i| ChecklistItem { id: format!("item-{i}"), text: label("item"), required: i < 2 }).collect()
        } else {
            vec![]
        },
    }
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
        // Every visit's escort screen (checklist, current escort, history, clearance, hand-back).
        for i in 0..VISITS {
            let visit = VisitId(uuid::Uuid::from_u128(1000 + i as u128));
            let expected = reference.read().escort_status(visit, false).unwrap();
            prop_assert_eq!(&a.read().escort_status(visit, false).unwrap(), &expected);
            prop_assert_eq!(&b.read().escort_status(visit, false).unwrap(), &expected);
        }
        // Every desk finds the same visits (the index order may differ; the kiosk sorts by time),
        // and a purged visit's ops hold no personal data anywhere.
        let found = |store: &Store| {
            let mut ids = store.read().search_visit_ids("\"name\"", 50).unwrap();
            ids.sort();
            ids
        };
        prop_assert_eq!(found(&a), found(&reference));
        prop_assert_eq!(found(&b), found(&reference));
        if let Some(horizon) = a.read().retention_horizon().unwrap() {
            let dump = dump(&a).join("\n");
            for op in a.read().all_ops().unwrap() {
                if let OpBody::VisitSignedIn(b) = &op.body
                    && b.signed_in_at < horizon
                {
                    let visit = b.visit_id.to_string();
                    prop_assert!(!dump.lines().any(|l| l.starts_with("visit ") && l.contains(&visit) && l.contains("name-")));
                    prop_assert!(b.fields.name.is_empty(), "op body of a purged visit still names {}", b.fields.name);
                }
            }
        }
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
            terms: None,
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
