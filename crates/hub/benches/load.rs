//! The hub under load: 200 simulated kiosks at once, each with its own TLS connection and live
//! channel, pushing batches of new visits and pulling everything the others wrote, as fast as
//! the hub answers. The hub runs as its own process (the real `frontdesk-hub serve`); on this
//! machine hub and load generator share its 2 cores.
//!
//!     cargo bench -p frontdesk-hub --bench load --profile dev [-- KIOSKS SITES SECONDS]
//!
//! Results go to docs/BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::process::cpu_seconds;
use common::raw_client;
use frontdesk_core::hlc::{Clock, system_millis};
use frontdesk_core::ids::{DeviceId, HostId, OpId, SiteId, VisitId};
use frontdesk_core::op::{Op, OpBody, VisitFields, VisitSignedIn};
use frontdesk_core::secrets::Secret;
use frontdesk_core::sync::HubLink;
use frontdesk_core::sync::client::HubClient;
use frontdesk_core::sync::credentials::{self, EnrolmentCode, Fingerprint};
use frontdesk_core::sync::protocol::{PushRequest, PushResponse};
use frontdesk_hub::server::now;
use frontdesk_hub::{SqliteHubStore, enrol};

const BATCH: usize = 5;

/// A pull answer, reading only the cursor and counting the ops.
#[derive(serde::Deserialize)]
struct PageSummary {
    ops: Vec<serde::de::IgnoredAny>,
    next: u64,
    next_id: Option<String>,
}

struct Totals {
    pushed: AtomicU64,
    pulled: AtomicU64,
    nudges: AtomicU64,
}

fn summary(name: &str, mut ms: Vec<f64>, seconds: f64) {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:>5}: {:>6} requests, {:>7.0}/s, p50 {:>6.1} ms, p99 {:>7.1} ms, max {:>7.1} ms",
        ms.len(),
        ms.len() as f64 / seconds,
        p(0.5),
        p(0.99),
        ms[ms.len() - 1]
    );
}

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let kiosks = *args.first().unwrap_or(&200) as usize;
    let sites = *args.get(1).unwrap_or(&1) as usize;
    let seconds = *args.get(2).unwrap_or(&20);
    // 0: every kiosk pushes and pulls again as soon as it has an answer (saturation). N: each
    // kiosk pushes a batch every N ms (a steady load), starting at a random offset.
    let pace_ms = *args.get(3).unwrap_or(&0);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let mut hub = Command::new(env!("CARGO_BIN_EXE_frontdesk-hub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut url, mut fingerprint) = (String::new(), None);
    let mut lines = BufReader::new(hub.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(fp) = line.strip_prefix("certificate SHA-256 fingerprint ") {
            fingerprint = Some(fp.parse::<Fingerprint>().unwrap());
        }
        if let Some(rest) = line.strip_prefix("listening on ") {
            url = rest.split_whitespace().next().unwrap().to_owned();
            break;
        }
    }
    let fingerprint = fingerprint.unwrap();
    let hub_pid = hub.id();
    // Keep reading what the hub prints, so it never writes into a full or closed pipe.
    std::thread::spawn(move || lines.for_each(drop));

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        // Enrol every simulated kiosk the way a kiosk does (codes made beside the running hub).
        let store = SqliteHubStore::open(&data).unwrap();
        let raw = raw_client();
        let mut sims = Vec::with_capacity(kiosks);
        for i in 0..kiosks {
            let site = SiteId(format!("site-{}", i % sites));
            let (code, _) = enrol::issue_code(&store, &site, &format!("sim {i}"), now()).await.unwrap();
            let code: EnrolmentCode = code.to_string().parse().unwrap();
            let device = DeviceId::new();
            let body = serde_json::json!({
                "code_id": code.id(),
                "device": device,
                "site": site,
                "handover_seq": 0,
                "proof": credentials::kiosk_proof(&code, Some(&fingerprint), device, &site, 0),
                "app_version": "bench",
            });
            let answer: serde_json::Value =
                raw.post(format!("{url}/v1/enrol")).json(&body).send().await.unwrap().json().await.unwrap();
            let credential = answer["credential"].as_str().expect("enrolled").to_owned();
            let link = HubLink {
                url: url.clone(),
                fingerprint: Some(fingerprint),
                site: site.clone(),
                device_name: format!("sim {i}"),
                handover_seq: 0,
                enrolled_at: now(),
                revoked_at: None,
            };
            let live = HubClient::for_link(&link, Secret::new(credential.clone().into_bytes()), false).unwrap();
            sims.push((live, credential, device, site));
        }
        let mode = if pace_ms == 0 { "as fast as answered".to_owned() } else { format!("one push + pull every {pace_ms} ms each") };
        println!("{kiosks} kiosks enrolled at {sites} site(s); running {seconds} s, {mode}");

        let totals = Arc::new(Totals { pushed: AtomicU64::new(0), pulled: AtomicU64::new(0), nudges: AtomicU64::new(0) });
        let start_gate = Arc::new(tokio::sync::Barrier::new(kiosks + 1));
        let mut tasks = Vec::new();
        for (live_client, credential, device, site) in sims {
            let totals = totals.clone();
            let gate = start_gate.clone();
            let url = url.clone();
            tasks.push(tokio::spawn(async move {
                // Each kiosk: its own HTTPS connection for push and pull, and its live channel.
                let http = raw_client();
                let ops_url = format!("{url}/v1/ops");
                let bearer = format!("Bearer {credential}");
                let mut live = live_client.live(0).await.expect("live channel");
                let nudges = totals.clone();
                let listener = tokio::spawn(async move {
                    while live.next_event().await.is_ok() {
                        nudges.nudges.fetch_add(1, Ordering::Relaxed);
                    }
                });
                let clock = Clock::new(device, None, system_millis);
                let (mut seq, mut cursor, mut at) = (0u64, 0u64, None::<String>);
                let pull = |cursor: u64, at: Option<String>| {
                    let mut query = vec![("after", cursor.to_string()), ("limit", "1000".to_owned())];
                    if let Some(at) = at {
                        query.push(("at", at));
                    }
                    http.get(&ops_url).header("authorization", &bearer).query(&query).send()
                };
                // Warm up (TLS handshake) before the clock starts.
                let _ = pull(0, None).await.expect("pull").bytes().await;
                let (mut push_ms, mut pull_ms) = (Vec::new(), Vec::new());
                gate.wait().await;
                let deadline = Instant::now() + Duration::from_secs(seconds);
                let mut pace = (pace_ms > 0).then(|| {
                    let offset = Duration::from_millis(rand::random::<u64>() % pace_ms);
                    let mut tick = tokio::time::interval_at(
                        tokio::time::Instant::now() + offset,
                        Duration::from_millis(pace_ms),
                    );
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    tick
                });
                while Instant::now() < deadline {
                    if let Some(tick) = pace.as_mut() {
                        tick.tick().await;
                    }
                    let ops: Vec<Op> = (0..BATCH)
                        .map(|_| {
                            seq += 1;
                            let hlc = clock.tick();
                            Op {
                                id: OpId::new(),
                                hlc,
                                device,
                                seq,
                                site: site.clone(),
                                body: OpBody::VisitSignedIn(VisitSignedIn {
                                    visit_id: VisitId::new(),
                                    fields: VisitFields {
                                        name: format!("Load {seq}"),
                                        company: "Acme".into(),
                                        host_id: HostId("li-na".into()),
                                        purpose: String::new(),
                                    },
                                    desk_id: "lobby".into(),
                                    signed_in_at: jiff::Timestamp::from_millisecond(hlc.millis as i64).unwrap(),
                                    terms: None,
                                }),
                            }
                        })
                        .collect();
                    let body = serde_json::to_vec(&PushRequest { ops }).unwrap();
                    let t = Instant::now();
                    let response = http
                        .post(&ops_url)
                        .header("authorization", &bearer)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .expect("push");
                    assert!(response.status().is_success(), "push refused: {}", response.status());
                    let answer: PushResponse = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                    push_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    totals.pushed.fetch_add(u64::from(answer.stored), Ordering::Relaxed);
                    let t = Instant::now();
                    let bytes = pull(cursor, at.clone()).await.expect("pull").bytes().await.unwrap();
                    // Only the cursor matters here; the ops are counted, not decoded.
                    let page: PageSummary = serde_json::from_slice(&bytes).unwrap();
                    pull_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    totals.pulled.fetch_add(page.ops.len() as u64, Ordering::Relaxed);
                    cursor = page.next;
                    at = page.next_id;
                }
                listener.abort();
                (push_ms, pull_ms)
            }));
        }
        start_gate.wait().await;
        let cpu_before = cpu_seconds(hub_pid);
        let own_before = cpu_seconds(std::process::id());
        let started = Instant::now();
        let (mut push_ms, mut pull_ms) = (Vec::new(), Vec::new());
        for task in tasks {
            let (push, pull) = task.await.unwrap();
            push_ms.extend(push);
            pull_ms.extend(pull);
        }
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds(hub_pid) - cpu_before;
        let own = cpu_seconds(std::process::id()) - own_before;
        let all: Vec<f64> = push_ms.iter().chain(&pull_ms).copied().collect();
        summary("push", push_ms, elapsed);
        summary("pull", pull_ms, elapsed);
        summary("all", all, elapsed);
        let pushed = totals.pushed.load(Ordering::Relaxed);
        println!(
            "ops stored {pushed} ({:.0}/s), ops delivered by pulls {} ({:.0}/s), live nudges {}; CPU: hub {:.2} cores, load generator {:.2} cores, of the machine's {}",
            pushed as f64 / elapsed,
            totals.pulled.load(Ordering::Relaxed),
            totals.pulled.load(Ordering::Relaxed) as f64 / elapsed,
            totals.nudges.load(Ordering::Relaxed),
            cpu / elapsed,
            own / elapsed,
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
        );
    });
    Command::new("kill").arg(hub.id().to_string()).status().unwrap();
    let _ = hub.wait();
}
