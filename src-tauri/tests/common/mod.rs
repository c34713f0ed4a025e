//! The app on Tauri's mock runtime, driven through IPC as the window drives it. Shared by the
//! command tests; each uses a different part of it.
#![allow(dead_code)]

use std::sync::Arc;

use frontdesk_app::{Environment, Launch};
use frontdesk_core::secrets::{MemorySecretStore, SecretStore};
use serde_json::Value;
use tauri::Manager;
use tauri::test::{MockRuntime, mock_builder};
use tauri::webview::InvokeRequest;

pub struct Harness {
    pub app: tauri::App<MockRuntime>,
    pub window: tauri::WebviewWindow<MockRuntime>,
}

/// The app on `data_dir` with an in-memory keyring.
pub fn start(data_dir: &std::path::Path) -> Harness {
    start_with(data_dir, Arc::new(MemorySecretStore::default()))
}

/// The app on `data_dir` with the given keyring.
pub fn start_with(data_dir: &std::path::Path, secrets: Arc<dyn SecretStore>) -> Harness {
    let env = Environment {
        launch: Launch { data_dir: Some(data_dir.to_owned()), kiosk_mode: false },
        secrets,
        os_locale: Some("en_GB.UTF-8".into()),
    };
    let mut app = frontdesk_app::configure(mock_builder(), env).build(tauri::generate_context!()).expect("app builds");
    // One turn of the event loop runs the setup hook, which opens the kiosk and creates the
    // window from tauri.conf.json, as on a real start.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = app.get_webview_window("main").expect("the main window from tauri.conf.json");
    Harness { app, window }
}

impl Harness {
    /// Invoke a command as the window does; its answer or its error, as JSON.
    pub fn call(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        tauri::test::get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: tauri::test::INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }
}
