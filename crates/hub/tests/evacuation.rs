//! An evacuation of a full building through a real hub: 2,000 people on site, two kiosks, one
//! cut off while both start the roll call and mark people; after reconnecting both show the
//! same roll call, and ending it on one ends it on both with the same record. Long frozen and
//! missing lists travel as several ops, each inside the hub's per-op limit.

mod common;

use std::time::Duration;

use common::*;
use frontdesk_core::Kiosk;
use frontdesk_core::evacuation::{RollCall, RollcallStatus, VISITS_PER_OP};
use frontdesk_core::ids::{HostId, VisitId};
use frontdesk_core::op::{OpBody, VisitFields, VisitSignedIn};
use frontdesk_core::sync::SyncState;
use frontdesk_core::sync::engine::SyncEngine;

const PEOPLE: usize = 2_000;

fn state(engine: &SyncEngine) -> SyncState {
    engine.status().unwrap().state
}

/// Sign `n` visitors in at `kiosk` in one change (a busy morning, without 2,000 disk syncs).
fn fill_building(kiosk: &Kiosk, n: usize) -> Vec<VisitId> {
    kiosk
        .change(|change| {
            let mut ids = Vec::with_capacity(n);
            for i in 0..n {
                let visit_id = VisitId::new();
                change.op(OpBody::VisitSignedIn(VisitSignedIn {
                    visit_id,
                    fields: VisitFields {
                        name: format!("访客 Visitor {i:04}"),
                        company: "Binhai Logistics 滨海物流".into(),
                        host_id: HostId("li-na".into()),
                        purpose: String::new(),
                    },
                    desk_id: "lobby".into(),
                    signed_in_at: change.now(),
                    terms: None,
                }))?;
                ids.push(visit_id);
            }
            Ok(ids)
        })
        .unwrap()
}

/// What must be identical on every device: who is on the roll call, and each person's status.
fn roll(rollcall: &RollCall) -> Vec<(VisitId, Option<RollcallStatus>, bool)> {
    let mut rows: Vec<_> = rollcall.rows.iter().map(|r| (r.visit_id, r.status, r.added_later)).collect();
    rows.sort_by_key(|r| r.0);
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_building_roll_call_converges_through_the_hub_after_one_kiosk_was_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let relay = Relay::start(hub.addr).await;
    let a = open_kiosk(&dir.path().join("a"));
    let b = open_kiosk(&dir.path().join("b"));
    enrol_kiosk(&hub, &a, "Lobby A").await;
    let code = code_for(&hub, SITE, "Lobby B").await;
    frontdesk_core::sync::client::enrol(&b, &relay.url(), &code, false).await.unwrap();
    let (ea, eb) = (engine(a.clone()), engine(b.clone()));

    let people = fill_building(&a, PEOPLE);
    eventually("B sees everyone A signed in", || b.on_site().unwrap().len() == PEOPLE).await;

    // B's network goes down; both desks start the roll call (neither knows of the other's).
    relay.set_online(false);
    eventually("B notices it is offline", || state(&eb) == SyncState::Offline).await;
    let at_a = a.start_evacuation(false).unwrap();
    let at_b = b.start_evacuation(false).unwrap();
    assert_eq!((at_a.counts.total as usize, at_b.counts.total as usize), (PEOPLE, PEOPLE));
    let parts = a.all_ops().unwrap().iter().filter(|op| matches!(op.body, OpBody::EvacuationStarted(_))).count();
    assert_eq!(parts, PEOPLE.div_ceil(VISITS_PER_OP), "the frozen list travels in parts");

    // Marshals mark people on both desks meanwhile; the same person marked on both: the later
    // mark wins everywhere.
    for visit in &people[..600] {
        a.mark_rollcall(*visit, RollcallStatus::Accounted).unwrap();
    }
    for visit in &people[500..700] {
        b.mark_rollcall(*visit, RollcallStatus::Refuge).unwrap();
    }
    eventually("A's parts and marks reach the hub, none refused", || state(&ea) == SyncState::Synced).await;

    relay.set_online(true);
    eb.sync_now();
    eventually("both synced", || state(&ea) == SyncState::Synced && state(&eb) == SyncState::Synced).await;
    eventually("one roll call on both desks", || {
        let (ra, rb) = (a.rollcall().unwrap().unwrap(), b.rollcall().unwrap().unwrap());
        ra.evacuation_ids.len() == 2 && roll(&ra) == roll(&rb)
    })
    .await;
    let merged = a.rollcall().unwrap().unwrap();
    assert_eq!(merged.counts.total as usize, PEOPLE, "one person is one row, whoever froze them");
    assert_eq!((merged.counts.accounted, merged.counts.refuge, merged.counts.missing), (500, 200, 1_300));

    // Ended on B: more than one op's worth of people are not accounted for.
    let summary = b.end_evacuation().unwrap();
    assert_eq!(summary.missing.len(), 1_300);
    eventually("A learns the roll call ended", || a.rollcall().unwrap().is_none()).await;
    let (ha, hb) = (a.evacuation_history(10).unwrap(), b.evacuation_history(10).unwrap());
    assert_eq!(ha, hb, "the same record on both desks");
    assert_eq!(ha.len(), 2);
    assert!(ha.iter().all(|e| e.missing_at_end == 1_300 && e.ended_at.is_some()));
    eventually("both synced at the end", || state(&ea) == SyncState::Synced && state(&eb) == SyncState::Synced).await;
    hub.shutdown(Duration::from_secs(1)).await;
}
