//! Chaos: the real `frontdesk-hub` process is killed (SIGKILL, mid-write if it happens to be)
//! and restarted during a burst of alerts from two kiosks, while one guard console stays
//! connected through it all and another is cut off for a few seconds in the middle of the
//! burst. Afterwards each console has been shown every alert, and none twice.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::{cli, code_from, serve};
use common::*;
use frontdesk_core::alert::AlertTrigger;
use frontdesk_core::sync::backoff::Backoff;
use frontdesk_core::sync::engine::{EngineOptions, SyncEngine};

const PASSWORD: &str = "correct horse battery";

/// What one console was shown: each alert event (id, state, escalation round) in order.
#[derive(Default)]
struct Shown {
    events: Vec<(String, String, u64)>,
    last: u64,
}

/// A console that reconnects whenever its feed breaks (as the page's EventSource does),
/// resuming after the last event it was shown. `pause` cuts it off for a while on demand.
fn follow(base: String, shown: Arc<Mutex<Shown>>, pause: Arc<tokio::sync::Notify>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let console = loop {
            match Console::login(&base, "wang", PASSWORD).await {
                Ok(c) => break c,
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        loop {
            let after = shown.lock().unwrap().last;
            let request = console
                .client
                .get(format!("{base}/console/api/live"))
                .header("cookie", &console.cookie)
                .header("last-event-id", after.to_string())
                .send()
                .await;
            let Ok(response) = request else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            if !response.status().is_success() {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            let mut feed = Feed::from_response(response);
            loop {
                tokio::select! {
                    event = feed.next() => match event {
                        Some(e) if e.event == "alert" => {
                            let alert = &e.data["alert"];
                            let mut s = shown.lock().unwrap();
                            s.events.push((
                                alert["id"].as_str().unwrap().to_owned(),
                                alert["state"].as_str().unwrap().to_owned(),
                                alert["escalated"].as_u64().unwrap(),
                            ));
                            s.last = s.last.max(e.id.unwrap());
                        }
                        Some(_) => {}
                        None => break, // the hub went away: reconnect
                    },
                    _ = pause.notified() => {
                        // The guard's phone loses the network for a few seconds.
                        drop(feed);
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        break;
                    }
                }
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_hub_and_cutting_a_console_during_a_burst_loses_no_alert_and_shows_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let (mut hub, url) = serve(&data, "127.0.0.1:0");
    let listen = url.trim_start_matches("https://").to_owned();
    cli(&data, &["guards", "add", "wang", "--site", SITE, "--name", "Wang Lei", "--password-stdin"], Some(PASSWORD));

    let mut kiosks = Vec::new();
    for name in ["Lobby A", "Lobby B"] {
        let kiosk = open_kiosk(&dir.path().join(name));
        let code = code_from(&cli(&data, &["enrol", "--site", SITE, "--device", name], None));
        frontdesk_core::sync::client::enrol(&kiosk, &url, &code, false).await.unwrap();
        let options = EngineOptions { allow_insecure: false, backoff: Backoff::default() };
        let engine = SyncEngine::new(kiosk.clone(), Arc::new(|_| {}), options);
        tokio::spawn(engine.run());
        kiosks.push(kiosk);
    }

    let steady = Arc::new(Mutex::new(Shown::default()));
    let cut = Arc::new(Mutex::new(Shown::default()));
    let never = Arc::new(tokio::sync::Notify::new());
    let cut_now = Arc::new(tokio::sync::Notify::new());
    let _steady = follow(url.clone(), steady.clone(), never.clone());
    let _cut = follow(url.clone(), cut.clone(), cut_now.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut raised = BTreeSet::new();
    for i in 0..40 {
        let kiosk = &kiosks[i % 2];
        raised.insert(kiosk.raise_duress(AlertTrigger::Discreet).unwrap().to_string());
        if i == 10 {
            cut_now.notify_one();
        }
        if i == 15 {
            hub.kill().unwrap(); // SIGKILL: no goodbye, maybe mid-commit
            hub.wait().unwrap();
        }
        if i == 25 {
            let (restarted, _) = serve(&data, &listen);
            hub = restarted;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    for (name, shown) in [("the steady console", &steady), ("the console cut off mid-burst", &cut)] {
        eventually(&format!("{name} was shown every alert"), || {
            let s = shown.lock().unwrap();
            let ids: BTreeSet<String> = s.events.iter().map(|(id, _, _)| id.clone()).collect();
            raised.is_subset(&ids)
        })
        .await;
        let s = shown.lock().unwrap();
        let mut times: BTreeMap<&(String, String, u64), usize> = BTreeMap::new();
        for event in &s.events {
            *times.entry(event).or_default() += 1;
        }
        let twice: Vec<_> = times.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{name} was shown these twice: {twice:?}");
        let raised_events = s.events.iter().filter(|(_, state, esc)| state == "raised" && *esc == 0).count();
        assert_eq!(raised_events, raised.len(), "{name}: each alert appeared once");
    }
    // The hub's own records agree: its audit trail holds, and the month's report counts 40.
    let out = cli(&data, &["audit", "verify"], None);
    assert!(out.contains("intact"), "{out}");
    let report = cli(&data, &["alerts", "report", "--site", SITE], None);
    assert!(report.contains("alerts 40, false alarms 0, cancelled 0"), "{report}");
    assert!(report.contains("discreet"), "{report}");
    hub.kill().unwrap();
    let _ = hub.wait();
}
