//! Alert latency through the hub on loopback: from the moment a kiosk core is asked to raise an
//! alert (its commit to disk included) to the moment a guard console's live feed (Server-Sent
//! Events over TLS, signed in like a browser) receives it. The hub is the real `frontdesk-hub
//! serve` process; the kiosks are real kiosk cores with their real sync engines and alert
//! couriers (live channel + HTTP), each on its own database file.
//!
//!     cargo bench -p frontdesk-hub --bench alerts [--profile dev] [-- ALERTS]
//!
//! (a) a site with one kiosk, raising ALERTS alerts one after another; (b) 10 kiosks raising at
//! the same moment, round after round, ALERTS in all (every kiosk also pulls every other's
//! alerts, as kiosks do); (b') throughput: the 10 raising ALERTS in all as fast as each one's
//! commits allow, not waiting for the console; then the time from a kiosk's last word (a
//! heartbeat) to the lost-contact alarm on the console.
//! Results go to docs/BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::{cli, code_from, cpu_seconds, serve};
use common::{Console, Feed};
use frontdesk_core::Kiosk;
use frontdesk_core::alert::AlertTrigger;
use frontdesk_core::sync::SyncState;
use frontdesk_core::sync::engine::{EngineOptions, SyncEngine};

const PASSWORD: &str = "correct horse battery";

/// When the console received each alert (by id), and a wake-up for whoever waits for one.
#[derive(Default)]
struct Receipts {
    at: Mutex<HashMap<String, Instant>>,
    lost_contact: Mutex<Vec<(String, Instant)>>,
    arrived: tokio::sync::Notify,
}

impl Receipts {
    async fn wait(&self, id: &str) -> Instant {
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < give_up, "alert {id} never reached the console");
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(at) = self.at.lock().unwrap().get(id) {
                return *at;
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), arrived).await;
        }
    }
}

fn summary(name: &str, mut ms: Vec<f64>, seconds: f64) {
    ms.sort_by(f64::total_cmp);
    // Nearest rank.
    let p = |q: f64| ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    println!(
        "{name}: {} alerts in {seconds:.2} s = {:.0} alerts/s; raise → console p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        ms.len() as f64 / seconds,
        p(0.5),
        p(0.95),
        p(0.99),
        ms[ms.len() - 1]
    );
}

/// Raise `n` alerts on `kiosk` one after another, each once the previous one has reached the
/// console; returns each one's raise → received time in ms, and the part of it the kiosk took
/// to commit the alert to its disk.
async fn raise_in_turn(kiosk: Arc<Kiosk>, receipts: Arc<Receipts>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut ms, mut commit) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let started = Instant::now();
        let k = kiosk.clone();
        let id = tokio::task::spawn_blocking(move || k.raise_duress(AlertTrigger::Discreet).unwrap())
            .await
            .unwrap()
            .to_string();
        commit.push(started.elapsed().as_secs_f64() * 1000.0);
        let received = receipts.wait(&id).await;
        ms.push(received.duration_since(started).as_secs_f64() * 1000.0);
    }
    (ms, commit)
}

/// Raise `n` alerts on `kiosk` back to back, each as soon as the previous one is committed (all
/// a desk waits for), without waiting for the console: each one's id and when raising it began.
async fn raise_back_to_back(kiosk: Arc<Kiosk>, n: usize) -> Vec<(String, Instant)> {
    let mut raised = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let k = kiosk.clone();
        let id = tokio::task::spawn_blocking(move || k.raise_duress(AlertTrigger::Discreet).unwrap())
            .await
            .unwrap()
            .to_string();
        raised.push((id, started));
    }
    raised
}

fn percentile(mut ms: Vec<f64>, q: f64) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1]
}

fn main() {
    let alerts: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let (mut hub, url) = serve(&data, "127.0.0.1:0");
    let hub_pid = hub.id();
    let cpu = move |since: (f64, f64), seconds: f64| {
        println!(
            "    CPU: hub {:.2} cores, kiosks and console (one process) {:.2} cores, of {}",
            (cpu_seconds(hub_pid) - since.0) / seconds,
            (cpu_seconds(std::process::id()) - since.1) / seconds,
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
        );
    };
    let cpu_now = move || (cpu_seconds(hub_pid), cpu_seconds(std::process::id()));
    // No escalation while measuring (each alert changes once: raised).
    let site = dir.path().join("site.toml");
    std::fs::write(
        &site,
        format!("{}\n[alerts]\nescalate_after_seconds = 600\n", frontdesk_core::site::DEMO_SITE_TOML),
    )
    .unwrap();
    cli(&data, &["site", "publish", site.to_str().unwrap()], None);
    cli(
        &data,
        &["guards", "add", "wang", "--site", "riverside-tower", "--name", "Wang", "--password-stdin"],
        Some(PASSWORD),
    );

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let began = Instant::now();
    let phase = move |what: &str| eprintln!("[{:>6.1} s] {what}", began.elapsed().as_secs_f64());
    runtime.block_on(async move {
        phase("hub up; enrolling the first kiosk");
        let enrol = |i: usize| {
            let (dir, data, url) = (dir.path().to_owned(), data.clone(), url.clone());
            async move {
                let kiosk = common::open_kiosk(&dir.join(format!("kiosk-{i}")));
                let code = code_from(&cli(
                    &data,
                    &["enrol", "--site", "riverside-tower", "--device", &format!("Desk {i}")],
                    None,
                ));
                frontdesk_core::sync::client::enrol(&kiosk, &url, &code, false).await.unwrap();
                let engine = SyncEngine::new(kiosk.clone(), Arc::new(|_| {}), EngineOptions::default());
                tokio::spawn(engine.clone().run());
                common::eventually("the kiosk synced", || {
                    engine.status().map(|s| s.state == SyncState::Synced).unwrap_or(false)
                })
                .await;
                (kiosk, engine)
            }
        };
        // (a) is a site with one kiosk: no other desk pulls each alert meanwhile.
        let mut kiosks = vec![enrol(0).await];
        phase("signing in the console");
        let console = Console::login(&url, "wang", PASSWORD).await.unwrap();
        let receipts = Arc::new(Receipts::default());
        let mut feed: Feed = console.feed(None).await;
        let r = receipts.clone();
        tokio::spawn(async move {
            while let Some(event) = feed.next().await {
                if event.event != "alert" {
                    continue;
                }
                let now = Instant::now();
                let alert = &event.data["alert"];
                let id = alert["id"].as_str().unwrap_or_default().to_owned();
                if alert["kind"] == "lost_contact" && alert["state"] == "raised" {
                    r.lost_contact
                        .lock()
                        .unwrap()
                        .push((alert["subject"]["name"].as_str().unwrap_or_default().to_owned(), now));
                }
                r.at.lock().unwrap().entry(id).or_insert(now);
                r.arrived.notify_waiters();
            }
        });
        // Warm up: TLS connections, prepared statements.
        raise_in_turn(kiosks[0].0.clone(), receipts.clone(), 20).await;

        println!(
            "hub {url}, {} build, {} cores shared with the load",
            if cfg!(debug_assertions) { "dev (unoptimised)" } else { "optimised (bench profile)" },
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
        );
        let started = Instant::now();
        let cpu_before = cpu_now();
        let (sequential, commit) = raise_in_turn(kiosks[0].0.clone(), receipts.clone(), alerts).await;
        summary("(a) one kiosk, one after another", sequential, started.elapsed().as_secs_f64());
        cpu(cpu_before, started.elapsed().as_secs_f64());
        println!(
            "    of which the kiosk's commit to disk: p50 {:.2} ms, p99 {:.2} ms",
            percentile(commit.clone(), 0.5),
            percentile(commit, 0.99)
        );

        phase("enrolling nine more kiosks");
        for i in 1..10 {
            kiosks.push(enrol(i).await);
        }
        // Rounds: the ten desks raise at the same moment; the next round starts once the
        // console has all ten.
        let started = Instant::now();
        let cpu_before = cpu_now();
        let rounds = alerts.div_ceil(kiosks.len());
        let (mut together, mut commits) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let tasks: Vec<_> =
                kiosks.iter().map(|(k, _)| tokio::spawn(raise_in_turn(k.clone(), receipts.clone(), 1))).collect();
            for task in tasks {
                let (ms, commit) = task.await.unwrap();
                together.extend(ms);
                commits.extend(commit);
            }
        }
        summary("(b) 10 kiosks at the same moment, round after round", together, started.elapsed().as_secs_f64());
        cpu(cpu_before, started.elapsed().as_secs_f64());
        println!(
            "    of which the kiosks' commits to disk: p50 {:.2} ms, p99 {:.2} ms",
            percentile(commits.clone(), 0.5),
            percentile(commits, 0.99)
        );

        // Throughput: the ten raise as fast as their own commits allow; the rate is alerts over
        // the time from the first raise to the console holding the last.
        let started = Instant::now();
        let cpu_before = cpu_now();
        let each = alerts.div_ceil(kiosks.len());
        let tasks: Vec<_> = kiosks.iter().map(|(k, _)| tokio::spawn(raise_back_to_back(k.clone(), each))).collect();
        let mut raised = Vec::new();
        for task in tasks {
            raised.extend(task.await.unwrap());
        }
        let mut flood = Vec::with_capacity(raised.len());
        let mut last = started;
        for (id, began) in raised {
            let received = receipts.wait(&id).await;
            last = last.max(received);
            flood.push(received.duration_since(began).as_secs_f64() * 1000.0);
        }
        let seconds = last.duration_since(started).as_secs_f64();
        summary("(b') 10 kiosks raising as fast as their commits allow", flood, seconds);
        cpu(cpu_before, seconds);

        phase("lost contact");
        // Lost contact: a device says one last word (a heartbeat), then nothing.
        for trial in 0..3 {
            let kiosk = common::open_kiosk(&dir.path().join(format!("silent-{trial}")));
            let name = format!("Silent {trial}");
            let code = code_from(&cli(&data, &["enrol", "--site", "riverside-tower", "--device", &name], None));
            let link = frontdesk_core::sync::client::enrol(&kiosk, &url, &code, false).await.unwrap();
            let client =
                frontdesk_core::sync::client::HubClient::for_link(&link, kiosk.hub_credential().unwrap(), false)
                    .unwrap();
            client.heartbeat().await.unwrap();
            let last_word = Instant::now();
            let alarm = loop {
                if let Some((_, at)) = receipts.lost_contact.lock().unwrap().iter().find(|(n, _)| *n == name) {
                    break *at;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            };
            println!(
                "(c) lost contact: last heartbeat → alarm on the console {:.3} s (silence threshold 15 s)",
                alarm.duration_since(last_word).as_secs_f64()
            );
        }
    });
    let _ = hub.kill();
    let _ = hub.wait();
}
