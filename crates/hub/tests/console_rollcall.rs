//! The evacuation roll call from the guards' web console, with a real hub and two kiosks: a
//! guard starts the evacuation from a phone, marks people, a desk marks others, and everyone
//! ends on one list; a desk's own roll call shows at the console too. Every step is audited.

mod common;

use std::time::Duration;

use common::*;
use frontdesk_core::Kiosk;
use frontdesk_core::evacuation::RollcallStatus;
use frontdesk_core::ids::HostId;
use frontdesk_core::sync::SyncState;
use frontdesk_core::visit::{NewVisit, Visit};
use frontdesk_hub::store::{GuardRole, HubStore};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn visitor(kiosk: &Kiosk, name: &str) -> Visit {
    kiosk.sign_in(NewVisit { name: name.into(), host_id: HostId("li-na".into()), ..NewVisit::default() }).unwrap()
}

async fn page(console: &Console) -> Value {
    let answer = console.get("/console/api/rollcall").await;
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.unwrap()
}

fn status_of(page: &Value, visit: &Visit) -> Option<String> {
    page["rollcall"]["rows"]
        .as_array()?
        .iter()
        .find(|r| r["visit_id"] == visit.id.to_string())
        .map(|r| r["status"].as_str().unwrap_or("unmarked").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_guard_runs_the_roll_call_from_the_console_with_the_desks() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let (a, b) = (open_kiosk(&dir.path().join("a")), open_kiosk(&dir.path().join("b")));
    enrol_kiosk(&hub, &a, "Lobby A").await;
    enrol_kiosk(&hub, &b, "Lobby B").await;
    let (ea, eb) = (engine(a.clone()), engine(b.clone()));
    let ann = visitor(&a, "Ann Lee");
    let wang = visitor(&b, "王小明");
    eventually("both desks synced", || {
        ea.status().unwrap().state == SyncState::Synced && eb.status().unwrap().state == SyncState::Synced
    })
    .await;

    let console = Console::sign_in(&hub, "wang.qiang", GuardRole::Guard).await;
    assert!(page(&console).await["rollcall"].is_null());
    // A change needs the session's CSRF token.
    let forged = console
        .client
        .post(format!("{}/console/api/evacuation", console.base))
        .header("cookie", &console.cookie)
        .json(&json!({ "drill": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let started: Value = console.post("/console/api/evacuation", json!({ "drill": true })).await.json().await.unwrap();
    assert_eq!(started["rollcall"]["drill"], true);
    assert_eq!(started["rollcall"]["counts"]["total"], 2, "everyone signed in at either desk");
    // Starting again from the console (or a desk) joins the running one.
    let again: Value = console.post("/console/api/evacuation", json!({ "drill": true })).await.json().await.unwrap();
    assert_eq!(again["rollcall"]["evacuation_id"], started["rollcall"]["evacuation_id"]);
    eventually("the desks show the console's roll call", || {
        a.rollcall().unwrap().is_some_and(|r| r.counts.total == 2) && b.rollcall().unwrap().is_some()
    })
    .await;

    // The guard marks Ann at the assembly point; desk B marks 王小明.
    let marked = console.post("/console/api/rollcall/mark", json!({ "visit_id": ann.id, "status": "accounted" })).await;
    assert_eq!(marked.status(), StatusCode::OK);
    b.mark_rollcall(wang.id, RollcallStatus::Refuge).unwrap();
    eventually("desk A sees the guard's mark", || {
        a.rollcall()
            .unwrap()
            .unwrap()
            .rows
            .iter()
            .any(|r| r.visit_id == ann.id && r.status == Some(RollcallStatus::Accounted))
    })
    .await;
    let mut seen = Value::Null;
    for _ in 0..200 {
        seen = page(&console).await;
        if status_of(&seen, &wang).as_deref() == Some("refuge") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status_of(&seen, &wang).as_deref(), Some("refuge"), "the console sees the desk's mark");
    assert_eq!(status_of(&seen, &ann).as_deref(), Some("accounted"));
    let stranger = console
        .post("/console/api/rollcall/mark", json!({ "visit_id": uuid::Uuid::now_v7(), "status": "accounted" }))
        .await;
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    let bad = console.post("/console/api/rollcall/mark", json!({ "visit_id": ann.id, "status": "gone" })).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let ended: Value = console.post("/console/api/evacuation/end", json!({})).await.json().await.unwrap();
    assert!(ended["rollcall"].is_null());
    assert_eq!(ended["history"][0]["missing_at_end"], 0, "both were accounted for or in refuge");
    eventually("the desks end it too", || a.rollcall().unwrap().is_none() && b.rollcall().unwrap().is_none()).await;
    let no_more = console.post("/console/api/evacuation/end", json!({})).await;
    assert_eq!(no_more.status(), StatusCode::CONFLICT);

    let trail: Vec<String> = hub
        .state
        .store
        .audit_recent(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == "guard:wang.qiang")
        .map(|e| e.action)
        .collect();
    for action in ["evacuation_started", "rollcall_marked", "evacuation_ended"] {
        assert!(trail.iter().any(|a| a == action), "{action} in {trail:?}");
    }
    hub.shutdown(Duration::from_secs(1)).await;
}
