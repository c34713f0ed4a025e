//! Two kiosk cores syncing through a real hub (TLS with a pinned certificate, port 0, a real
//! database file): one goes offline while visitors come and go on both, a visit made on one is
//! signed out on the other, the hub restarts; afterwards both show the same on-site list.

mod common;

use std::time::Duration;

use common::*;
use frontdesk_core::Kiosk;
use frontdesk_core::ids::HostId;
use frontdesk_core::site::{HostEntry, SiteConfig};
use frontdesk_core::sync::SyncState;
use frontdesk_core::sync::engine::SyncEngine;
use frontdesk_core::visit::{NewVisit, Visit};
use frontdesk_hub::server::now;
use frontdesk_hub::store::HubStore;

fn visitor(name: &str, host: &str) -> NewVisit {
    NewVisit {
        name: name.into(),
        company: "Acme".into(),
        host_id: HostId(host.into()),
        purpose: String::new(),
        ..NewVisit::default()
    }
}

fn state(engine: &SyncEngine) -> SyncState {
    engine.status().unwrap().state
}

fn names(visits: &[Visit]) -> Vec<String> {
    let mut names: Vec<String> = visits.iter().map(|v| v.name.clone()).collect();
    names.sort();
    names
}

fn dump(kiosk: &Kiosk) -> Vec<String> {
    kiosk.state_dump().unwrap()
}

async fn both_synced(a: &SyncEngine, b: &SyncEngine) {
    eventually("both kiosks synced", || state(a) == SyncState::Synced && state(b) == SyncState::Synced).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kiosks_converge_after_an_outage_and_a_hub_restart() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let hub = start_hub(&hub_dir).await;
    let hub_addr = hub.addr;
    let relay = Relay::start(hub_addr).await;

    let a = open_kiosk(&dir.path().join("a"));
    let b = open_kiosk(&dir.path().join("b"));
    enrol_kiosk(&hub, &a, "Lobby A").await;
    // B reaches the hub through a relay that the test can cut; TLS and pinning run end to end.
    let code = code_for(&hub, SITE, "Lobby B").await;
    let link = frontdesk_core::sync::client::enrol(&b, &relay.url(), &code, false).await.unwrap();
    assert_eq!(link.fingerprint, hub.fingerprint);

    let (ea, eb) = (engine(a.clone()), engine(b.clone()));
    both_synced(&ea, &eb).await;

    let v1 = a.sign_in(visitor("王小明", "li-na")).unwrap();
    let v2 = a.sign_in(visitor("Sarah Mitchell", "wang-fang")).unwrap();
    eventually("B sees A's visitors", || names(&b.on_site().unwrap()) == ["Sarah Mitchell", "王小明"]).await;

    // B loses the network. Both desks keep working.
    relay.set_online(false);
    eventually("B notices it is offline", || state(&eb) == SyncState::Offline).await;
    a.sign_out(v1.id).unwrap();
    let _v3 = a.sign_in(visitor("陈思远", "sun-li")).unwrap();
    b.sign_out(v2.id).unwrap(); // made on A, signed out on B
    b.sign_out(v1.id).unwrap(); // signed out on both desks: the earliest sign-out wins
    let _v4 = b.sign_in(visitor("Kenji Watanabe", "emma-clarke")).unwrap();
    let v5 = b.sign_in(visitor("Short stay", "li-na")).unwrap();
    b.sign_out(v5.id).unwrap();
    let status = eb.status().unwrap();
    assert_eq!(status.state, SyncState::Offline);
    // Three sign-outs, two sign-ins with their private details.
    assert_eq!(status.ops_waiting, 7, "B's changes wait for the hub");
    assert!(status.problem.is_some(), "the status says why");
    assert!(names(&a.on_site().unwrap()).contains(&"Sarah Mitchell".to_owned()), "A cannot know yet");

    relay.set_online(true);
    eb.sync_now();
    both_synced(&ea, &eb).await;
    eventually("identical state", || dump(&a) == dump(&b)).await;
    assert_eq!(names(&a.on_site().unwrap()), ["Kenji Watanabe", "陈思远"]);
    assert_eq!(names(&b.on_site().unwrap()), names(&a.on_site().unwrap()));
    assert_eq!(a.on_site().unwrap(), b.on_site().unwrap(), "the same visits, fields and times");
    let out_a = a.visit(v1.id).unwrap().signed_out_at;
    assert_eq!(out_a, b.visit(v1.id).unwrap().signed_out_at);

    // The hub restarts (same port, same data). Work done meanwhile arrives once it is back.
    hub.shutdown(Duration::from_secs(1)).await;
    eventually("A notices the hub is gone", || state(&ea) == SyncState::Offline).await;
    let v6 = a.sign_in(visitor("During the restart", "chen-jie")).unwrap();
    let hub = start_hub_on(&hub_dir, hub_addr).await;
    eventually("B gets the visit made while the hub was down", || b.visit(v6.id).is_ok()).await;
    both_synced(&ea, &eb).await;
    eventually("identical state after the restart", || dump(&a) == dump(&b)).await;

    // Site data published on the hub flows down to both, and is read-only there.
    let mut site = SiteConfig::demo().unwrap();
    site.kiosk.idle_timeout_seconds = 45;
    site.hosts.retain(|h| h.id.0 != "zhao-min");
    site.hosts.push(HostEntry {
        id: HostId("new-hire".into()),
        name: "Nadia Novak".into(),
        department: "Security".into(),
        extension: "8999".into(),
        email: "nadia@riverside.example".into(),
        may_escort: true,
    });
    let report = frontdesk_hub::author::publish_site(&hub.state.store, &site).await.unwrap();
    assert!(report.settings_changed);
    assert_eq!((report.hosts_deactivated, report.hosts_written), (1, 1));
    let again = frontdesk_hub::author::publish_site(&hub.state.store, &site).await.unwrap();
    assert_eq!(again, Default::default(), "publishing the same file again writes nothing");
    for kiosk in [&a, &b] {
        eventually("the directory and settings arrive", || {
            let hosts = kiosk.hosts().unwrap();
            hosts.iter().any(|h| h.name == "Nadia Novak")
                && !hosts.iter().any(|h| h.id.0 == "zhao-min")
                && kiosk.info().unwrap().idle_timeout_seconds == 45
        })
        .await;
    }

    // Revoked at the hub: B says so, stops syncing, and still works at the desk.
    hub.state.store.revoke(b.device_id(), now()).await.unwrap();
    eventually("B shows it was revoked", || state(&eb) == SyncState::Revoked).await;
    let late = b.sign_in(visitor("After revocation", "li-na")).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(a.visit(late.id).is_err(), "nothing from a revoked kiosk reaches the others");
    assert_eq!(state(&eb), SyncState::Revoked);
    assert!(hub.state.store.devices().await.unwrap().iter().any(|d| d.id == b.device_id() && d.revoked_at.is_some()));
    hub.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_changes_is_told_to_the_app_as_a_few_statuses_the_last_one_true() {
    use std::sync::{Arc, Mutex};

    use frontdesk_core::sync::backoff::Backoff;
    use frontdesk_core::sync::engine::{EngineOptions, SyncEvent};

    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let relay = Relay::start(hub.addr).await;
    let kiosk = open_kiosk(&dir.path().join("desk"));
    let code = code_for(&hub, SITE, "Lobby").await;
    frontdesk_core::sync::client::enrol(&kiosk, &relay.url(), &code, false).await.unwrap();
    let told: Arc<Mutex<Vec<frontdesk_core::sync::SyncStatus>>> = Arc::default();
    let observer_told = told.clone();
    let observer = Arc::new(move |event: SyncEvent| {
        if let SyncEvent::Status(status) = event {
            observer_told.lock().unwrap().push(*status);
        }
    });
    let options =
        EngineOptions { allow_insecure: false, backoff: Backoff::new(Duration::from_secs(5), Duration::from_secs(5)) };
    let engine = SyncEngine::new(kiosk.clone(), observer, options);
    tokio::spawn(engine.clone().run());
    eventually("synced", || state(&engine) == SyncState::Synced).await;
    relay.set_online(false);
    eventually("offline", || state(&engine) == SyncState::Offline).await;
    let last_told = || told.lock().unwrap().last().cloned();
    eventually("the app was told it is offline", || last_told().is_some_and(|s| s.state == SyncState::Offline)).await;

    told.lock().unwrap().clear();
    let changes = 100;
    for i in 0..changes {
        kiosk.sign_in(visitor(&format!("Visitor {i}"), "li-na")).unwrap();
    }
    let waiting = kiosk.ops_waiting().unwrap();
    assert!(waiting >= changes, "each sign-in waits for the hub");
    eventually("the app is told every change waits", || last_told().is_some_and(|s| s.ops_waiting == waiting)).await;
    let reports = told.lock().unwrap().len();
    assert!(reports < changes as usize / 2, "{reports} status reports for {changes} changes");
    assert_eq!(last_told().unwrap().state, SyncState::Offline, "and still offline");
}
