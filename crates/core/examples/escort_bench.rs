//! What escorts cost the desk, with N people on site of whom half are escorted.
//!
//!     cargo run -p frontdesk-core --example escort_bench -- [people] [runs] [every]
//!
//! `every`: every how many visits is escorted (default 2; 0: none, a baseline).
//!
//! Measures, per run: the on-site list (every visit with its escort side: the query the home
//! screen makes after each change), one visit's escort screen (`escort_status`), a tick and an
//! untick (each an op committed to disk), and signing in a contractor (rule evaluation, the
//! terms in the sign-in op, commit).

use std::sync::Arc;
use std::time::Instant;

use frontdesk_core::escort::{EscortAssigned, EscortContext};
use frontdesk_core::hlc::Hlc;
use frontdesk_core::ids::{DeviceId, HostId, OpId, VisitId};
use frontdesk_core::op::{Op, OpBody, VisitFields, VisitSignedIn};
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::visit::NewVisit;
use frontdesk_core::{Kiosk, KioskOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let people: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let every: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2);
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

    // People signed in at another desk and synced here; every other one a contractor in the
    // server room, with an escort named.
    let other = DeviceId::new();
    let now = jiff::Timestamp::now();
    let hosts: Vec<HostId> = site.hosts.iter().map(|h| h.id.clone()).collect();
    let (contractor, areas) = site.escort.classify("contractor", &["server-room".into()]).unwrap();
    let host = HostId("li-na".into());
    let at = now.to_zoned(jiff::tz::TimeZone::get(&site.site.timezone).unwrap()).datetime();
    let terms = site.escort.terms(&EscortContext {
        visitor_type: contractor,
        areas: &areas,
        host_id: &host,
        host_name: "李娜",
        at,
        watchlist_hit: false,
    });
    let mut ops = Vec::new();
    let mut escorted = Vec::new();
    for i in 0..people {
        let visit_id = VisitId::new();
        let escort = every > 0 && i % every == 0;
        let mut op = |body| {
            let seq = ops.len() as u64 + 1;
            let hlc = Hlc { millis: now.as_millisecond() as u64 - 60_000, counter: seq as u32, device: other };
            ops.push(Op { id: OpId::new(), hlc, device: other, seq, site: site.site.id.clone(), body });
        };
        op(OpBody::VisitSignedIn(VisitSignedIn {
            visit_id,
            fields: VisitFields {
                name: format!("访客{i:04} Visitor {i}"),
                company: format!("Company {}", i % 97),
                host_id: hosts[i % hosts.len()].clone(),
                purpose: String::new(),
            },
            desk_id: "lobby".into(),
            signed_in_at: now,
            terms: escort.then(|| terms.clone()),
        }));
        if escort {
            op(OpBody::EscortAssigned(EscortAssigned {
                visit_id,
                host_id: HostId("chen-jie".into()),
                desk_id: "lobby".into(),
                at: now,
            }));
            escorted.push(visit_id);
        }
    }
    kiosk.receive_ops(&ops).unwrap();
    assert_eq!(kiosk.on_site().unwrap().len(), people);

    let mut list_ms = Vec::new();
    let mut status_ms = Vec::new();
    let mut tick_ms = Vec::new();
    let mut sign_in_ms = Vec::new();
    let timed = |out: &mut Vec<f64>, f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        out.push(t.elapsed().as_secs_f64() * 1000.0);
    };
    for run in 0..runs {
        let visit = match escorted.get(run % escorted.len().max(1)) {
            Some(v) => *v,
            None => {
                let form = NewVisit { name: "Escorted".into(), visitor_type: "contractor".into(), ..bench_form() };
                kiosk.sign_in(form).unwrap().id
            }
        };
        timed(&mut list_ms, &mut || {
            std::hint::black_box(kiosk.on_site().unwrap());
        });
        timed(&mut status_ms, &mut || {
            std::hint::black_box(kiosk.escort_status(visit).unwrap());
        });
        timed(&mut tick_ms, &mut || {
            kiosk.tick_checklist(visit, "exits", true).unwrap();
        });
        timed(&mut tick_ms, &mut || {
            kiosk.tick_checklist(visit, "exits", false).unwrap();
        });
        timed(&mut sign_in_ms, &mut || {
            let form = NewVisit { name: format!("Bench {run}"), ..bench_form() };
            assert!(kiosk.sign_in(form).unwrap().escort.unwrap().pending);
        });
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let max = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    println!("people on site: {people} ({} escorted), runs: {runs}", escorted.len());
    for (what, v) in [
        ("on-site list with escorts", &mut list_ms),
        ("escort screen (escort_status)", &mut status_ms),
        ("tick or untick (committed)", &mut tick_ms),
        ("sign in a contractor (rules + commit)", &mut sign_in_ms),
    ] {
        let m = max(v);
        println!("{what}: median {:.1} ms, max {m:.1} ms", median(v));
    }
}

/// A contractor for the server room, visiting li-na.
fn bench_form() -> NewVisit {
    NewVisit {
        host_id: HostId("li-na".into()),
        visitor_type: "contractor".into(),
        areas: vec!["server-room".into()],
        ..NewVisit::default()
    }
}
