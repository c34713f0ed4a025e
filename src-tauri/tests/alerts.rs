//! The alert commands through Tauri's IPC on the mock runtime, and the hotkey's handler path
//! (what pressing the registered shortcut runs; the OS grab itself is tested end to end).

use serde_json::{Value, json};
use tauri::Manager;

mod common;
use common::*;

impl Harness {
    fn raised_kinds(&self) -> Vec<String> {
        let state = self.app.state::<frontdesk_app::AppState>();
        let kiosk = state.kiosk().unwrap();
        kiosk
            .all_ops()
            .unwrap()
            .into_iter()
            .filter_map(|op| match op.body {
                frontdesk_core::op::OpBody::AlertRaised(r) => {
                    Some(format!("{}/{}", r.kind.as_str(), r.trigger.as_str()))
                }
                _ => None,
            })
            .collect()
    }
}

#[test]
fn the_discreet_control_and_the_hotkey_raise_silent_alerts_and_nothing_shows() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    assert_eq!(app.call("alert_status", json!({})).unwrap()["indicator"], "none");

    assert_eq!(app.call("alert_discreet", json!({})).unwrap(), Value::Null);
    // What the registered shortcut runs when pressed (under any focus).
    frontdesk_app::hotkey::pressed(app.app.handle());
    assert_eq!(app.raised_kinds(), ["duress/discreet", "duress/hotkey"]);

    let status = app.call("alert_status", json!({})).unwrap();
    assert_eq!(status["indicator"], "waiting", "kept here until a hub confirms it (standalone: none does)");
    assert_eq!(status["visible"], json!([]), "a silent alert is never listed at the desk");
    assert_eq!(status["hotkey"], "Ctrl+Shift+F9");
}

#[test]
fn a_call_for_assistance_shows_and_can_be_withdrawn_with_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let raised = app
        .call("alert_raise", json!({ "request": { "kind": "assistance", "level": null, "description": null } }))
        .unwrap();
    let id = raised["alert"]["id"].as_str().unwrap().to_owned();
    assert!(raised["cancellable_until"].is_string());
    assert_eq!(app.call("alert_status", json!({})).unwrap()["visible"][0]["id"], id);

    let wrong =
        app.call("alert_cancel", json!({ "alertId": id, "pin": "123123", "reason": "mistake", "note": "" })).unwrap();
    assert_eq!(wrong["outcome"], "pin_refused");
    let done =
        app.call("alert_cancel", json!({ "alertId": id, "pin": "000000", "reason": "mistake", "note": "" })).unwrap();
    assert_eq!(done["outcome"], "cancelled");
    assert_eq!(done["alert"]["state"], "cancelled");

    let bad = app
        .call("alert_raise", json!({ "request": { "kind": "suspicious", "level": null, "description": null } }))
        .unwrap_err();
    assert_eq!(bad["code"], "validation");
    let guard = app.call("guard_alerts", json!({})).unwrap_err();
    assert_eq!(guard["code"], "guard_mode_required");
}
