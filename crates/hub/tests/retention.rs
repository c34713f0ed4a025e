//! The retention purge reaches the hub: a kiosk purges visitors older than the site's horizon,
//! and the hub takes their personal data out of its own copies of the ops (its database file and
//! WAL no longer hold the names), serves only the redacted form to a desk that joins later, and
//! still treats the original op, re-sent by a kiosk, as the same op.

mod common;

use std::time::Duration;

use common::*;
use frontdesk_core::Kiosk;
use frontdesk_core::ids::{HostId, VisitId};
use frontdesk_core::op::{Op, OpBody, VisitFields, VisitSignedIn};
use frontdesk_core::sync::SyncState;
use reqwest::Method;

/// A visit signed in `days_ago` (as if the kiosk had been in service that long).
fn visit_from(kiosk: &Kiosk, name: &str, days_ago: i64) -> Op {
    kiosk
        .change(|change| {
            change.op(OpBody::VisitSignedIn(VisitSignedIn {
                visit_id: VisitId::new(),
                fields: VisitFields {
                    name: name.into(),
                    company: format!("{name} Ltd"),
                    host_id: HostId("li-na".into()),
                    purpose: String::new(),
                },
                desk_id: "lobby".into(),
                signed_in_at: change.now() - jiff::SignedDuration::from_hours(24 * days_ago),
                terms: None,
            }))
        })
        .unwrap()
}

/// Every byte the hub keeps in its data folder's database (file and WAL).
fn hub_bytes(dir: &std::path::Path) -> Vec<u8> {
    ["hub.sqlite3", "hub.sqlite3-wal"].iter().flat_map(|f| std::fs::read(dir.join(f)).unwrap_or_default()).collect()
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kiosks_purge_takes_the_names_out_of_the_hubs_copies_too() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let hub = start_hub(&hub_dir).await;
    let kiosk = open_kiosk(&dir.path().join("a"));
    enrol_kiosk(&hub, &kiosk, "Lobby").await;
    let sync = engine(kiosk.clone());
    let old = visit_from(&kiosk, "Oldvisitor Purgeme", 200);
    visit_from(&kiosk, "Recent Keeper", 2);
    eventually("both visits reach the hub, names and all", || {
        let bytes = hub_bytes(&hub_dir);
        sync.status().unwrap().state == SyncState::Synced && holds(&bytes, "Purgeme") && holds(&bytes, "Recent Keeper")
    })
    .await;

    let token = admin_token(&kiosk);
    let report = kiosk.purge_now(&token).unwrap();
    assert_eq!(report.visits, 1);
    eventually("the hub's copies lose the old name", || !holds(&hub_bytes(&hub_dir), "Purgeme")).await;
    let bytes = hub_bytes(&hub_dir);
    assert!(!holds(&bytes, "Oldvisitor") && !holds(&bytes, "Purgeme Ltd"));
    assert!(holds(&bytes, "Recent Keeper"), "visits inside the retention period are kept");

    // A desk that joins now receives only the redacted form.
    let late = open_kiosk(&dir.path().join("b"));
    enrol_kiosk(&hub, &late, "Side door").await;
    let late_sync = engine(late.clone());
    eventually("the late desk catches up", || {
        late_sync.status().unwrap().state == SyncState::Synced
            && late.on_site().unwrap().iter().any(|v| v.name == "Recent Keeper")
    })
    .await;
    assert!(!late.state_dump().unwrap().join("\n").contains("Purgeme"));

    // The kiosk sends its original op again (e.g. after the hub was restored): the same op.
    let body = serde_json::json!({ "ops": [old] }).to_string();
    let answer = raw_client()
        .request(Method::POST, format!("{}/v1/ops", hub.url()))
        .bearer_auth(credential(&kiosk))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let answer: serde_json::Value = answer.json().await.unwrap();
    assert_eq!((answer["stored"].as_u64(), answer["duplicates"].as_u64()), (Some(0), Some(1)), "{answer}");
    hub.shutdown(Duration::from_secs(1)).await;
}
