//! Alerts through a real hub (TLS on port 0, a real database file) to a guard's web console:
//! a duress alert arrives with its context, the guard acknowledges, the desk learns of it;
//! the console is protected (sign-in, lockout, CSRF, origin); unacknowledged alerts escalate;
//! a silent kiosk raises "lost contact" and clears it when heard again; a console that
//! reconnects replays what it missed, each alert once.

mod common;

use std::time::Duration;

use common::*;
use frontdesk_core::Kiosk;
use frontdesk_core::alert::AlertTrigger;
use frontdesk_core::ids::HostId;
use frontdesk_core::kiosk::IndicatorState;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::visit::NewVisit;
use frontdesk_hub::store::{GuardRole, HubStore};
use reqwest::StatusCode;
use serde_json::json;

fn indicator(kiosk: &Kiosk) -> IndicatorState {
    kiosk.desk_alert_status().unwrap().indicator
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_duress_alert_reaches_the_console_with_its_context_and_the_desk_learns_of_the_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let desk = open_kiosk(&dir.path().join("desk"));
    enrol_kiosk(&hub, &desk, "Lobby desk 1").await;
    let (_engine, _task) = engine_and_task(desk.clone());
    let console = Console::sign_in(&hub, "wang", GuardRole::Guard).await;
    let mut feed = console.feed(None).await;

    desk.sign_in(NewVisit {
        name: "王小明".into(),
        company: "滨海物流".into(),
        host_id: HostId("li-na".into()),
        purpose: String::new(),
        ..NewVisit::default()
    })
    .unwrap();
    let id = desk.raise_duress(AlertTrigger::Discreet).unwrap();

    let event = feed.next_alert("the duress alert").await;
    let alert = &event.data["alert"];
    assert_eq!(alert["id"], id.to_string());
    assert_eq!(event.id, event.data["cursor"].as_u64(), "the event id is the cursor a reconnect resumes from");
    assert_eq!(
        (alert["kind"].as_str(), alert["level"].as_str(), alert["state"].as_str()),
        (Some("duress"), Some("emergency"), Some("raised"))
    );
    assert_eq!(alert["source"]["device_name"], "Lobby desk 1");
    assert_eq!(alert["context"]["visitors"][0]["name"], "王小明");
    assert_eq!(alert["context"]["visitors"][0]["company"], "滨海物流");
    assert_eq!(alert["context"]["visitors"][0]["host_name"], "李娜");
    eventually("the hub's commit is confirmed to the desk", || indicator(&desk) == IndicatorState::Delivered).await;

    // Acknowledging needs the session's token: a forged request is refused.
    let forged = console
        .client
        .post(format!("{}/console/api/alerts/{id}/acknowledge", console.base))
        .header("cookie", &console.cookie)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let acked = console.post(&format!("/console/api/alerts/{id}/acknowledge"), json!({})).await;
    assert_eq!(acked.status(), StatusCode::OK);
    let view: serde_json::Value = acked.json().await.unwrap();
    assert_eq!((view["state"].as_str(), view["owner"]["by"]["id"].as_str()), (Some("acknowledged"), Some("wang")));
    let event = feed.next_alert("the acknowledgement").await;
    assert_eq!(event.data["alert"]["state"], "acknowledged");
    eventually("the desk learns of the acknowledgement", || indicator(&desk) == IndicatorState::Acknowledged).await;

    // A second guard acknowledging too is recorded; the first still owns it.
    let li = Console::sign_in(&hub, "li.na", GuardRole::DutyManager).await;
    let second: serde_json::Value =
        li.post(&format!("/console/api/alerts/{id}/acknowledge"), json!({})).await.json().await.unwrap();
    assert_eq!(second["owner"]["by"]["id"], "wang");
    assert_eq!(second["acks"].as_array().unwrap().len(), 2);

    let resolved = console
        .post(&format!("/console/api/alerts/{id}/resolve"), json!({ "outcome": "false_alarm", "note": "tested" }))
        .await;
    assert_eq!(resolved.status(), StatusCode::OK);
    let again =
        console.post(&format!("/console/api/alerts/{id}/resolve"), json!({ "outcome": "real", "note": "" })).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "resolved once and for all");
    eventually("the desk learns it is over", || indicator(&desk) == IndicatorState::Resolved).await;

    // Every step is in the hub's audit trail, with the guard as actor, and the chain holds.
    let verification = hub.state.store.audit_verify().await.unwrap();
    assert!(verification.is_intact(), "{verification:?}");
    let trail: Vec<(String, String)> =
        hub.state.store.audit_recent(100).await.unwrap().into_iter().map(|e| (e.actor, e.action)).collect();
    for (actor, action) in [
        (format!("device:{}", desk.device_id()), "alert_raised"),
        ("guard:wang".to_owned(), "guard_login"),
        ("guard:wang".to_owned(), "alert_acknowledged"),
        ("guard:wang".to_owned(), "alert_resolved"),
    ] {
        assert!(trail.contains(&(actor.clone(), action.to_owned())), "{actor} {action} in {trail:?}");
    }
    hub.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_console_needs_a_signed_in_guard_locks_out_guessing_and_refuses_other_origins() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let client = raw_client();
    let base = hub.url();

    let page = client.get(format!("{base}/console")).send().await.unwrap();
    let csp = page.headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(page.text().await.unwrap().contains("console.js"));
    let messages: serde_json::Value =
        client.get(format!("{base}/console/api/messages?lang=zh-CN")).send().await.unwrap().json().await.unwrap();
    assert_eq!(messages["console-ack"], "接警");
    assert_eq!(messages["console-raised-at"], "{$time} 发出");

    let status = client.get(format!("{base}/console/api/alerts")).send().await.unwrap().status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let live = client.get(format!("{base}/console/api/live")).send().await.unwrap().status();
    assert_eq!(live, StatusCode::UNAUTHORIZED, "no alert context without a session");

    let console = Console::sign_in(&hub, "zhao", GuardRole::Guard).await;
    assert!(console.cookie.starts_with("__Host-fd_console="), "a __Host- cookie over TLS");
    assert_eq!(Console::login(&base, "zhao", "wrong password!").await.err(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(Console::login(&base, "nobody", "wrong password!").await.err(), Some(StatusCode::UNAUTHORIZED));
    for _ in 0..4 {
        let _ = Console::login(&base, "zhao", "wrong password!").await;
    }
    assert_eq!(
        Console::login(&base, "zhao", "correct horse battery").await.err(),
        Some(StatusCode::TOO_MANY_REQUESTS),
        "five wrong tries lock the account, even for the right password"
    );
    // The session signed in before keeps working; a request from another origin does not.
    assert_eq!(console.get("/console/api/alerts").await.status(), StatusCode::OK);
    let foreign = console
        .client
        .post(format!("{base}/console/api/logout"))
        .header("cookie", &console.cookie)
        .header("x-csrf-token", &console.csrf)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    // Disabling the account ends its sessions.
    frontdesk_hub::console::auth::change_guard(&hub.state.store, "zhao", None, Some(true)).await.unwrap();
    assert_eq!(console.get("/console/api/alerts").await.status(), StatusCode::UNAUTHORIZED);
    let trail: Vec<String> = hub.state.store.audit_recent(50).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(trail.iter().filter(|a| *a == "guard_login_failed").count() >= 6, "{trail:?}");
    hub.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_alert_nobody_acknowledges_escalates_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let mut site = SiteConfig::demo().unwrap();
    site.alerts.escalate_after_seconds = 5;
    frontdesk_hub::author::publish_site(&hub.state.store, &site).await.unwrap();
    let desk = open_kiosk(&dir.path().join("desk"));
    enrol_kiosk(&hub, &desk, "Lobby").await;
    let (_engine, _task) = engine_and_task(desk.clone());
    let console = Console::sign_in(&hub, "wang", GuardRole::DutyManager).await;
    let mut feed = console.feed(None).await;

    let id = desk.raise_duress(AlertTrigger::Hotkey).unwrap();
    let first = feed.next_alert("the alert").await;
    assert_eq!(first.data["alert"]["escalated"], 0);
    let escalated = feed.next_alert("its escalation").await;
    assert_eq!(escalated.data["alert"]["id"], id.to_string());
    assert_eq!(escalated.data["alert"]["escalated"], 1);
    assert!(escalated.id > first.id);
    eventually("the desk has the escalation too", || desk.alert_view(id).is_ok_and(|v| v.escalated == 1)).await;
    // Acknowledged after that: no second escalation, ever.
    console.post(&format!("/console/api/alerts/{id}/acknowledge"), json!({})).await;
    let acked = feed.next_alert("the acknowledgement").await;
    assert_eq!(
        (acked.data["alert"]["state"].as_str(), acked.data["alert"]["escalated"].as_u64()),
        (Some("acknowledged"), Some(1))
    );
    hub.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_silent_kiosk_raises_lost_contact_and_clears_it_when_heard_again() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let desk = open_kiosk(&dir.path().join("desk"));
    enrol_kiosk(&hub, &desk, "Lobby desk 2").await;
    let (_engine, task) = engine_and_task(desk.clone());
    let console = Console::sign_in(&hub, "wang", GuardRole::Guard).await;
    let mut feed = console.feed(None).await;
    eventually("the hub hears the desk", || hub.state.supervisor.is_watched(desk.device_id())).await;

    // The kiosk goes silent: its app stops (no more heartbeats, no channel).
    task.abort();
    let lost = feed.next_alert("lost contact").await;
    let alert = &lost.data["alert"];
    assert_eq!((alert["kind"].as_str(), alert["trigger"].as_str()), (Some("lost_contact"), Some("supervision")));
    assert_eq!(alert["subject"]["device"], desk.device_id().to_string());
    assert_eq!(alert["subject"]["name"], "Lobby desk 2");

    // Back again: the hub closes the alert itself.
    let (_engine, _task) = engine_and_task(desk.clone());
    let restored = feed.next_alert("contact restored").await;
    assert_eq!(restored.data["alert"]["id"], alert["id"]);
    assert_eq!(restored.data["alert"]["state"], "resolved");
    assert_eq!(restored.data["alert"]["resolution"]["outcome"], "contact_restored");
    let trail: Vec<String> = hub.state.store.audit_recent(50).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(trail.contains(&"lost_contact".to_owned()) && trail.contains(&"contact_restored".to_owned()));
    // The kiosk has the hub's alert, and never takes it for one of its own.
    let lost_id: frontdesk_core::ids::AlertId = alert["id"].as_str().unwrap().parse().unwrap();
    eventually("the desk pulled the hub's alert", || desk.alert_view(lost_id).is_ok()).await;
    assert_eq!(indicator(&desk), IndicatorState::None);
    hub.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_console_that_reconnects_replays_what_it_missed_each_alert_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let desk = open_kiosk(&dir.path().join("desk"));
    enrol_kiosk(&hub, &desk, "Lobby").await;
    let (_engine, _task) = engine_and_task(desk.clone());
    let console = Console::sign_in(&hub, "wang", GuardRole::Guard).await;

    let mut feed = console.feed(None).await;
    let first = desk.raise_duress(AlertTrigger::Discreet).unwrap();
    let seen = feed.next_alert("the first alert").await;
    assert_eq!(seen.data["alert"]["id"], first.to_string());
    let cursor = seen.id.unwrap();
    drop(feed); // the guard's phone loses its connection

    let mut missed = Vec::new();
    for _ in 0..5 {
        missed.push(desk.raise_duress(AlertTrigger::Discreet).unwrap().to_string());
    }
    eventually("the hub has them all", || desk.undelivered_alert_seq().unwrap().is_none()).await;

    let mut feed = console.feed(Some(cursor)).await;
    let mut replayed = Vec::new();
    while replayed.len() < missed.len() {
        let event = feed.next_alert("the replay").await;
        replayed.push(event.data["alert"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(replayed, missed, "every alert raised meanwhile, in order, the one seen before not again");
    // And nothing more: the next event is the next new alert.
    let next = desk.raise_duress(AlertTrigger::Discreet).unwrap();
    assert_eq!(feed.next_alert("the next new alert").await.data["alert"]["id"], next.to_string());

    // The list a console loads on start holds them all once, with the cursor to follow from.
    let list: serde_json::Value = console.get("/console/api/alerts").await.json().await.unwrap();
    assert_eq!(list["alerts"].as_array().unwrap().len(), 7);
    assert!(list["cursor"].as_u64().unwrap() > cursor);
    hub.shutdown(Duration::from_secs(1)).await;
}
