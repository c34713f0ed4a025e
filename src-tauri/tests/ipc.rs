//! The commands through Tauri's IPC on the mock runtime: what the window sends and gets back.

use std::sync::Arc;

use frontdesk_core::secrets::{MemorySecretStore, Secret, SecretError, SecretStore};
use serde_json::{Value, json};

mod common;
use common::*;

fn visitor(name: &str) -> Value {
    json!({ "visit": { "name": name, "company": "Acme", "hostId": "li-na", "purpose": "Interview" } })
}

#[test]
fn sign_in_list_and_sign_out_through_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());

    let info = app.call("kiosk_info", json!({})).unwrap();
    assert_eq!(info["site_name"]["en"], "Riverside Tower");
    assert_eq!(info["language"], "en");

    let hosts = app.call("list_hosts", json!({})).unwrap();
    assert!(hosts.as_array().unwrap().iter().any(|h| h["id"] == "li-na" && h["name"] == "李娜"));

    // The form field is named `visit` in Rust; the visit's own fields keep their names.
    let body = json!({ "visit": { "name": "陈 小红", "company": "Acme", "host_id": "li-na", "purpose": "Interview" } });
    let visit = app.call("sign_in", body).unwrap();
    assert_eq!(visit["name"], "陈 小红");
    assert_eq!(visit["host"]["name"], "李娜");

    let on_site = app.call("on_site", json!({})).unwrap();
    assert_eq!(on_site.as_array().unwrap().len(), 1);
    assert_eq!(on_site[0]["id"], visit["id"]);

    let out = app.call("sign_out", json!({ "visitId": visit["id"] })).unwrap();
    assert!(out["signed_out_at"].is_string());
    assert_eq!(app.call("on_site", json!({})).unwrap(), json!([]));

    let again = app.call("sign_out", json!({ "visitId": visit["id"] })).unwrap_err();
    assert_eq!(again["code"], "already_signed_out");
}

#[test]
fn invalid_fields_come_back_as_codes_per_field() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let body = json!({ "visit": { "name": " ", "company": "", "host_id": "nobody", "purpose": "" } });
    let err = app.call("sign_in", body).unwrap_err();
    assert_eq!(err["code"], "validation");
    assert_eq!(
        err["fields"],
        json!([
            { "field": "name", "code": "required", "limit": null },
            { "field": "host_id", "code": "unknown_host", "limit": null }
        ])
    );
    assert_eq!(app.call("on_site", json!({})).unwrap(), json!([]));
    // A payload that does not fit the form at all is refused by the IPC layer.
    assert!(app.call("sign_in", visitor("Ann")).is_err());
}

#[test]
fn without_a_keyring_every_command_says_why_the_kiosk_cannot_start() {
    let dir = tempfile::tempdir().unwrap();
    let app = start_with(dir.path(), Arc::new(MemorySecretStore::unavailable()));
    let err = app.call("kiosk_info", json!({})).unwrap_err();
    assert_eq!(err["code"], "keyring_unavailable");
    assert!(err["message"].as_str().unwrap().contains("keyring"));
    assert_eq!(app.call("on_site", json!({})).unwrap_err()["code"], "keyring_unavailable");
    // Nothing was written to a file instead.
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!entries.iter().any(|n| n.to_string_lossy().contains("key")), "{entries:?}");
}

/// A keyring that does not answer its first calls (still starting with the desktop session),
/// then works.
struct LateKeyring {
    silent_calls: std::sync::atomic::AtomicU32,
    inner: MemorySecretStore,
}

impl LateKeyring {
    fn answer(&self) -> Result<(), SecretError> {
        use std::sync::atomic::Ordering;
        let left = self.silent_calls.load(Ordering::SeqCst);
        if left == 0 {
            return Ok(());
        }
        self.silent_calls.store(left - 1, Ordering::SeqCst);
        Err(SecretError::Unavailable { detail: "Did not receive a reply".into() })
    }
}

impl SecretStore for LateKeyring {
    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
        self.answer()?;
        self.inner.get(account)
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
        self.answer()?;
        self.inner.set(account, secret)
    }
    fn delete(&self, account: &str) -> Result<(), SecretError> {
        self.answer()?;
        self.inner.delete(account)
    }
}

#[test]
fn a_keyring_that_answers_late_still_lets_the_kiosk_start() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = LateKeyring { silent_calls: 1.into(), inner: MemorySecretStore::default() };
    let app = start_with(dir.path(), Arc::new(keyring));
    let info = app.call("kiosk_info", json!({})).expect("the kiosk started on a second try");
    assert!(info["app_version"].is_string(), "{info}");
}

#[test]
fn a_broken_site_file_is_reported_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "schema = 1\n[site]\nid = 'Bad Id'\n").unwrap();
    let app = start(dir.path());
    let err = app.call("kiosk_info", json!({})).unwrap_err();
    assert_eq!(err["code"], "site_config");
    assert!(err["message"].as_str().unwrap().contains("site.toml"), "{err}");
}

#[test]
fn badge_commands_through_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let body = json!({ "visit": { "name": "欧阳娜娜", "company": "Acme", "host_id": "li-na", "purpose": "" } });
    let visit = app.call("sign_in", body).unwrap();

    let settings =
        app.call("set_print_settings", json!({ "settings": { "badge_printer": null, "label_size": "cr80" } })).unwrap();
    assert_eq!(settings["label_size"], "cr80");
    assert_eq!(app.call("print_settings", json!({})).unwrap(), settings);

    let preview = app.call("badge_preview", json!({ "visitId": visit["id"], "lang": "zh-CN" })).unwrap();
    assert_eq!(preview["label_size"], "cr80");
    assert_eq!(preview["width_mm"].as_f64().unwrap().round(), 54.0);
    assert!(preview["png_base64"].as_str().unwrap().starts_with("iVBOR"), "a PNG");
    let token = preview["token"].as_str().unwrap().to_owned();

    let check = app.call("check_badge", json!({ "token": token })).unwrap();
    assert_eq!(check["valid"], true);
    assert_eq!(check["visit"]["name"], "欧阳娜娜");
    let bad = app.call("check_badge", json!({ "token": "FD1NOTATOKEN" })).unwrap();
    assert_eq!((bad["valid"].clone(), bad["refusal"].clone()), (json!(false), json!("malformed")));

    // No printer chosen: a clear error, nothing recorded.
    let err = app.call("print_badge", json!({ "visitId": visit["id"], "lang": "en" })).unwrap_err();
    assert_eq!(err["code"], "no_printer");
    assert_eq!(app.call("print_jobs", json!({})).unwrap(), json!([]));

    let key = app.call("badge_key", json!({})).unwrap();
    assert_eq!(key["can_issue"], true);
    assert_eq!(key["public_key"].as_str().unwrap().len(), 44);

    let out = app.call("sign_out_by_badge", json!({ "token": token })).unwrap();
    assert!(out["signed_out_at"].is_string());
    let again = app.call("check_badge", json!({ "token": token })).unwrap();
    assert_eq!(again["refusal"], "signed_out");
}
