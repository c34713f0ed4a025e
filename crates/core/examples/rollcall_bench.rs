//! Time from "start evacuation" to the roll call ready to show, with N people on site.
//!
//!     cargo run -p frontdesk-core --example rollcall_bench -- [people] [runs] [pdf-dir]
//!
//! Measures, per run: `Kiosk::start_evacuation` (the op with the frozen list written and
//! committed, then the roll call read back: everything the `evacuate_start` command does) and
//! serialising the result to JSON (what crosses IPC to the window). Then it ends the
//! evacuation and starts again. With a third argument it also renders the A4 and roll PDFs
//! there, and times that.

use std::sync::Arc;
use std::time::Instant;

use frontdesk_core::hlc::Hlc;
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::{DeviceId, HostId, OpId, VisitId};
use frontdesk_core::op::{Op, OpBody, VisitFields, VisitSignedIn};
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::{Kiosk, KioskOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let people: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let site = SiteConfig::demo().unwrap();
    let kiosk = Kiosk::open(KioskOptions {
        data_dir: dir.path().to_owned(),
        site: site.clone(),
        secrets: Arc::new(MemorySecretStore::default()),
        os_locale: None,
        wall: frontdesk_core::hlc::system_millis,
    })
    .unwrap();

    // People signed in at another desk and synced here: one batch of sign-in ops.
    let other = DeviceId::new();
    let now = jiff::Timestamp::now();
    let hosts: Vec<HostId> = site.hosts.iter().map(|h| h.id.clone()).collect();
    let ops: Vec<Op> = (0..people)
        .map(|i| Op {
            id: OpId::new(),
            hlc: Hlc { millis: now.as_millisecond() as u64 - 60_000, counter: i as u32, device: other },
            device: other,
            seq: i as u64 + 1,
            site: site.site.id.clone(),
            body: OpBody::VisitSignedIn(VisitSignedIn {
                visit_id: VisitId::new(),
                fields: VisitFields {
                    name: format!("访客{i:04} Visitor {i}"),
                    company: format!("Company {}", i % 97),
                    host_id: hosts[i % hosts.len()].clone(),
                    purpose: String::new(),
                },
                desk_id: "lobby".into(),
                signed_in_at: now,
                terms: None,
            }),
        })
        .collect();
    kiosk.receive_ops(&ops).unwrap();
    assert_eq!(kiosk.on_site().unwrap().len(), people);

    let mut start_ms = Vec::new();
    let mut json_ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let rollcall = kiosk.start_evacuation(false).unwrap();
        start_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(rollcall.counts.total as usize, people);
        let t = Instant::now();
        let json = serde_json::to_vec(&rollcall).unwrap();
        json_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(json);
        kiosk.end_evacuation().unwrap();
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let max = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    println!("people on site: {people}, runs: {runs}");
    println!(
        "start_evacuation (write + read roll call): median {:.1} ms, max {:.1} ms",
        median(&mut start_ms),
        max(&start_ms)
    );
    println!("serialise for IPC: median {:.1} ms, max {:.1} ms", median(&mut json_ms), max(&json_ms));

    if let Some(out) = args.get(2) {
        let rollcall = kiosk.start_evacuation(true).unwrap();
        let renderer = frontdesk_core::render::Renderer::shared();
        let t = Instant::now();
        let a4 = frontdesk_core::paper::rollcall_a4(&renderer, Lang::ZhCn, &site, &rollcall, now).unwrap();
        let refs: Vec<_> = a4.iter().collect();
        let pdf = renderer.pdf(&refs, "roll call").unwrap();
        println!("A4 roll call: {} pages in {:.0} ms", a4.len(), t.elapsed().as_secs_f64() * 1000.0);
        std::fs::write(format!("{out}/rollcall-a4.pdf"), pdf).unwrap();
        let t = Instant::now();
        let roll = frontdesk_core::paper::rollcall_roll(&renderer, Lang::En, &site, &rollcall, now).unwrap();
        let refs: Vec<_> = roll.iter().collect();
        std::fs::write(format!("{out}/rollcall-roll.pdf"), renderer.pdf(&refs, "roll call").unwrap()).unwrap();
        println!("62 mm roll: {} pages in {:.0} ms", roll.len(), t.elapsed().as_secs_f64() * 1000.0);
        let kit = frontdesk_core::paper::fallback_kit(&renderer, Lang::En, &site, &kiosk.on_site().unwrap()[..40], now)
            .unwrap();
        let refs: Vec<_> = kit.iter().collect();
        std::fs::write(format!("{out}/fallback-kit.pdf"), renderer.pdf(&refs, "kit").unwrap()).unwrap();
    }
}
