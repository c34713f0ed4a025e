//! Frontdesk's desktop app: a thin Tauri shell over `frontdesk-core`.

pub mod bindings;
pub mod cli;
pub mod commands;
pub mod events;
pub mod guard;
pub mod hotkey;
pub mod launch;
pub mod schedule;
pub mod state;
pub mod watch;
pub mod webcam;

use std::path::PathBuf;
use std::sync::Arc;

use frontdesk_core::secrets::SecretStore;
use tauri::{Manager, Runtime};

pub use launch::Launch;
pub use state::AppState;

/// Everything the app needs from outside: where its data lives and where its secrets live.
pub struct Environment {
    pub launch: Launch,
    pub secrets: Arc<dyn SecretStore>,
    pub os_locale: Option<String>,
}

/// Register the commands and the start-up on a builder. The real app and the tests (on
/// Tauri's mock runtime) both build through here.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, env: Environment) -> tauri::Builder<R> {
    builder.invoke_handler(commands::handler()).setup(move |app| {
        let state = match data_dir(app.handle(), &env.launch) {
            Ok(dir) => AppState::open(&dir, env.secrets.clone(), env.os_locale.clone()),
            Err(message) => AppState::failed(message),
        };
        let cards_folder = state.kiosk().ok().and_then(|k| k.cards_folder());
        if let Ok(kiosk) = state.kiosk() {
            // Restored from an enrolled kiosk's backup: the database is now a new device's,
            // which only a fresh start takes on. The window first says so (restore's answer).
            let handle = app.handle().clone();
            kiosk.on_retired(Arc::new(move || {
                let handle = handle.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_secs(3));
                    handle.restart();
                });
            }));
        }
        let state = state.with_sync(sync_observer(app.handle().clone()), sync_options());
        if let Some(engine) = state.sync_engine() {
            tauri::async_runtime::spawn(engine.run());
        }
        app.manage(state);
        app.manage(hotkey::Registered::default());
        app.manage(guard::Notified::default());
        hotkey::sync(app.handle());
        if let Some(folder) = cards_folder {
            watch::watch_cards(app.handle().clone(), folder);
        }
        schedule::start_backups(app.handle().clone());
        schedule::start_visitor_housekeeping(app.handle().clone());
        if let Some(window) = app.get_webview_window("main") {
            webcam::allow_camera(&window);
        }
        if env.launch.kiosk_mode
            && let Some(window) = app.get_webview_window("main")
        {
            // Full screen, above other windows, no title bar: the desk shows Frontdesk only.
            window.set_decorations(false)?;
            window.set_always_on_top(true)?;
            window.set_fullscreen(true)?;
        }
        Ok(())
    })
}

/// Sync news goes to the window as events.
fn sync_observer<R: Runtime>(app: tauri::AppHandle<R>) -> frontdesk_core::sync::engine::Observer {
    use frontdesk_core::sync::engine::SyncEvent;
    use tauri::Emitter;
    Arc::new(move |event| {
        let _ = match event {
            SyncEvent::Status(status) => app.emit(events::HUB_STATUS, &*status),
            SyncEvent::DataChanged => {
                // The hub may have published a new hotkey with the site settings.
                hotkey::sync(&app);
                app.emit(events::DATA_CHANGED, ())
            }
            SyncEvent::AlertsChanged => {
                guard::alerts_changed(&app);
                app.emit(events::ALERTS_CHANGED, ())
            }
        };
    })
}

/// `FRONTDESK_ALLOW_INSECURE_HUB=1` lets the kiosk talk to a development hub over plain HTTP.
fn sync_options() -> frontdesk_core::sync::engine::EngineOptions {
    let allow_insecure =
        std::env::var("FRONTDESK_ALLOW_INSECURE_HUB").is_ok_and(|v| matches!(v.as_str(), "1" | "true" | "yes"));
    frontdesk_core::sync::engine::EngineOptions { allow_insecure, ..Default::default() }
}

fn data_dir<R: Runtime>(app: &tauri::AppHandle<R>, launch: &Launch) -> Result<PathBuf, String> {
    match &launch.data_dir {
        Some(dir) => Ok(dir.clone()),
        None => app.path().app_data_dir().map_err(|e| format!("cannot find the per-user app data folder: {e}")),
    }
}

/// Start the desktop app.
pub fn run() {
    // `frontdesk backup`, `frontdesk restore FILE`…: run without a window and exit.
    if let Some(code) = cli::run_if_command() {
        std::process::exit(code);
    }
    let env = Environment {
        launch: Launch::from_env_and_args(),
        secrets: Arc::new(frontdesk_core::secrets::OsKeyring::new()),
        os_locale: sys_locale::get_locale(),
    };
    // A second start brings the running kiosk to the front instead of opening a second
    // database writer; this plugin must be registered first.
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        // The duress hotkey, which works while another window is focused.
        .plugin(hotkey::plugin())
        // Guard mode tells the OS to show arriving alerts, even with the window minimised.
        .plugin(tauri_plugin_notification::init());
    configure(builder, env).run(tauri::generate_context!()).expect("Frontdesk could not start its window");
}
