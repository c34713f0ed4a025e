//! The hub commands through Tauri's IPC on the mock runtime, against a real hub (TLS, port 0):
//! the status the window shows, enrolment behind the admin PIN, and the events the window
//! listens to.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontdesk_core::ids::SiteId;
use frontdesk_hub::{HubConfig, Transport};
use serde_json::{Value, json};
use tauri::Listener;

mod common;
use common::*;

impl Harness {
    /// An admin session with a chosen PIN (the first-run PIN only allows changing it).
    fn admin(&self) -> String {
        let login = self.call("admin_login", json!({ "pin": "000000" })).unwrap();
        let token = login["token"].as_str().unwrap().to_owned();
        self.call("admin_change_pin", json!({ "session": token, "newPin": "482915", "confirm": "482915" })).unwrap();
        token
    }

    fn wait_for_state(&self, state: &str) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let status = self.call("hub_status", json!({})).unwrap();
            if status["state"] == state {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "gave up waiting for {state}: {status}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

#[test]
fn enrol_through_ipc_then_sync_and_report_it() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let hub = runtime
        .block_on(frontdesk_hub::start(HubConfig {
            data_dir: dir.path().join("hub"),
            listen: "127.0.0.1:0".parse().unwrap(),
            transport: Transport::Tls { cert_and_key: None },
        }))
        .unwrap();
    let app = start(&dir.path().join("kiosk"));
    let statuses: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = statuses.clone();
    app.app.listen_any("hub-status", move |event| {
        seen.lock().unwrap().push(serde_json::from_str(event.payload()).unwrap());
    });

    let status = app.call("hub_status", json!({})).unwrap();
    assert_eq!(status["state"], "not_enrolled");
    assert_eq!(status["hub"], Value::Null);

    // Enrolling decides where visitor data goes: it needs an admin session.
    let code = runtime
        .block_on(frontdesk_hub::enrol::issue_code(
            &hub.state.store,
            &SiteId("riverside-tower".into()),
            "Lobby desk 1",
            frontdesk_hub::server::now(),
        ))
        .unwrap()
        .0
        .to_string();
    let err = app.call("hub_enrol", json!({ "session": "forged", "address": hub.url(), "code": code })).unwrap_err();
    assert_eq!(err["code"], "admin_required");
    let session = app.admin();
    let err = app.call("hub_enrol", json!({ "session": session, "address": hub.url(), "code": "1234" })).unwrap_err();
    assert_eq!(err["code"], "enrolment_code_format");
    let err = app
        .call("hub_enrol", json!({ "session": session, "address": "http://127.0.0.1:1", "code": code }))
        .unwrap_err();
    assert_eq!(err["code"], "hub_address", "plain HTTP is refused");

    let status = app.call("hub_enrol", json!({ "session": session, "address": hub.url(), "code": code })).unwrap();
    assert_eq!(status["hub"]["device_name"], "Lobby desk 1");
    assert_eq!(status["hub"]["fingerprint"], hub.fingerprint.unwrap().to_string());
    let synced = app.wait_for_state("synced");
    assert_eq!(synced["ops_waiting"], 0);
    assert!(synced["last_sync_at"].is_string());

    // A visitor signed in here reaches the hub; the window is told the state it ends in (the
    // engine tells it at most every 100 ms, what is true when told).
    let body = json!({ "visit": { "name": "陈 小红", "company": "Acme", "host_id": "li-na", "purpose": "" } });
    app.call("sign_in", body).unwrap();
    app.wait_for_state("synced");
    let held: u64 = runtime.block_on(async {
        use frontdesk_hub::store::HubStore;
        hub.state.store.op_counts().await.unwrap().iter().map(|(_, n)| n).sum()
    });
    let kiosk_ops = app.call("hub_status", json!({})).unwrap();
    assert_eq!(kiosk_ops["ops_waiting"], 0);
    assert!(held > 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let last = statuses.lock().unwrap().last().cloned().unwrap_or_default();
        if last["state"] == "synced" && last["ops_waiting"] == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the window was last told {last}");
        std::thread::sleep(Duration::from_millis(25));
    }

    // The enrolment is in the audit log.
    let audit = app.call("audit_recent", json!({ "session": session, "limit": 20 })).unwrap();
    assert!(audit.as_array().unwrap().iter().any(|e| e["action"] == "hub_enrolled"), "{audit}");

    // Revoked at the hub: the window learns it.
    runtime.block_on(async {
        use frontdesk_hub::store::HubStore;
        let devices = hub.state.store.devices().await.unwrap();
        hub.state.store.revoke(devices[0].id, frontdesk_hub::server::now()).await.unwrap();
    });
    let revoked = app.wait_for_state("revoked");
    assert_eq!(revoked["hub"]["device_name"], "Lobby desk 1");
    runtime.block_on(hub.shutdown(Duration::from_secs(1)));
}
