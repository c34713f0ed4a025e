//! Catch-up after an outage, and how fast a change reaches another kiosk, through a real hub
//! over TLS on loopback with real database files.
//!
//!     cargo bench -p frontdesk-hub --bench catchup --profile dev
//!
//! (dev profile on purpose: the machine is shared and release builds are not made here; the
//! figures are therefore pessimistic). Results go to docs/BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use frontdesk_core::Kiosk;
use frontdesk_core::hlc::{Hlc, system_millis};
use frontdesk_core::ids::{HostId, OpId, VisitId};
use frontdesk_core::op::{Op, OpBody, VisitFields, VisitSignedIn, VisitSignedOut};
use frontdesk_core::storage::Store;
use frontdesk_core::sync::client::HubClient;
use frontdesk_core::sync::engine::{EngineOptions, SyncEngine, SyncEvent};
use frontdesk_core::sync::round::sync_round;
use frontdesk_core::visit::NewVisit;

const OPS: usize = 10_000;

/// `n` ops written by `kiosk` while offline: visits signed in and (half of them) out again.
fn offline_ops(kiosk: &Kiosk, n: usize) -> Vec<Op> {
    let device = kiosk.device_id();
    let request = kiosk.enrolment_request().unwrap();
    let start = system_millis() - n as u64;
    let mut ops = Vec::with_capacity(n);
    let mut open: Vec<VisitId> = Vec::new();
    for i in 0..n {
        let hlc = Hlc { millis: start + i as u64, counter: 0, device };
        let at = jiff::Timestamp::from_millisecond(hlc.millis as i64).unwrap();
        let body = if i % 2 == 1 && !open.is_empty() {
            OpBody::VisitSignedOut(VisitSignedOut { visit_id: open.remove(0), signed_out_at: at })
        } else {
            let visit_id = VisitId::new();
            open.push(visit_id);
            OpBody::VisitSignedIn(VisitSignedIn {
                visit_id,
                fields: VisitFields {
                    name: format!("Visitor {i} 访客"),
                    company: "Acme 物流".into(),
                    host_id: HostId("li-na".into()),
                    purpose: "Benchmark".into(),
                },
                desk_id: "lobby".into(),
                signed_in_at: at,
            })
        };
        ops.push(Op {
            id: OpId::new(),
            hlc,
            device,
            seq: request.handover_seq + 1 + i as u64,
            site: request.site.clone(),
            body,
        });
    }
    ops
}

fn client(kiosk: &Kiosk) -> HubClient {
    HubClient::for_link(&kiosk.hub_link().unwrap().unwrap(), kiosk.hub_credential().unwrap(), false).unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let hub = start_hub(&dir.path().join("hub")).await;

        // A kiosk that worked offline: 10,000 ops in its log, none at the hub.
        let writer = open_kiosk(&dir.path().join("writer"));
        enrol_kiosk(&hub, &writer, "writer").await;
        let ops = offline_ops(&writer, OPS);
        let started = Instant::now();
        Store::open_in(&dir.path().join("writer")).unwrap().apply_all(&ops, system_millis() as i64).unwrap();
        println!("(writing {OPS} ops into a log in one transaction, no network: {:.0} ms)", ms(started.elapsed()));
        let waiting = writer.ops_waiting().unwrap();
        let started = Instant::now();
        let report = sync_round(&writer, &client(&writer)).await.unwrap();
        let push = started.elapsed();
        assert_eq!(writer.ops_waiting().unwrap(), 0);
        println!("push catch-up: {waiting} ops waiting, {} stored at the hub in {:.0} ms", report.pushed, ms(push));

        // Kiosks that were offline while those 10,000 ops happened: pull and apply them all.
        let mut pulls = Vec::new();
        for i in 0..3 {
            let reader = open_kiosk(&dir.path().join(format!("reader-{i}")));
            enrol_kiosk(&hub, &reader, &format!("reader {i}")).await;
            let started = Instant::now();
            let report = sync_round(&reader, &client(&reader)).await.unwrap();
            let took = started.elapsed();
            assert!(report.applied >= OPS as u64, "{report:?}");
            assert_eq!(reader.on_site().unwrap().len(), writer.on_site().unwrap().len());
            println!("pull catch-up {i}: {} ops applied in {:.0} ms", report.applied, ms(took));
            pulls.push(ms(took));
        }
        pulls.sort_by(f64::total_cmp);
        println!("pull catch-up of {OPS} ops: median {:.0} ms, worst {:.0} ms", pulls[1], pulls[2]);

        // Propagation: a visitor signed in at A, until B has applied it (live channel + pull).
        let a = open_kiosk(&dir.path().join("a"));
        let b = open_kiosk(&dir.path().join("b"));
        enrol_kiosk(&hub, &a, "A").await;
        enrol_kiosk(&hub, &b, "B").await;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let engine_a = SyncEngine::new(a.clone(), Arc::new(|_| {}), EngineOptions::default());
        let engine_b = SyncEngine::new(
            b.clone(),
            Arc::new(move |event| {
                if event == SyncEvent::DataChanged {
                    let _ = tx.send(Instant::now());
                }
            }),
            EngineOptions::default(),
        );
        tokio::spawn(engine_a.clone().run());
        tokio::spawn(engine_b.clone().run());
        // Both caught up (10,000 ops each) before measuring.
        eventually("caught up", || {
            engine_a.status().unwrap().state == frontdesk_core::sync::SyncState::Synced
                && engine_b.status().unwrap().state == frontdesk_core::sync::SyncState::Synced
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        while rx.try_recv().is_ok() {}
        let mut latencies = Vec::new();
        for i in 0..100 {
            let started = Instant::now();
            let visit = a
                .sign_in(NewVisit {
                    name: format!("Propagation {i}"),
                    company: String::new(),
                    host_id: HostId("li-na".into()),
                    purpose: String::new(),
                    ..Default::default()
                })
                .unwrap();
            loop {
                let arrived = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
                if b.visit(visit.id).is_ok() {
                    latencies.push(ms(arrived - started));
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        latencies.sort_by(f64::total_cmp);
        println!(
            "propagation A -> hub -> B ({} sign-ins): p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            latencies.len(),
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.95),
            percentile(&latencies, 0.99),
            latencies[latencies.len() - 1]
        );
        hub.shutdown(Duration::from_secs(1)).await;
    });
}
