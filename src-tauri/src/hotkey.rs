//! The global hotkey (site setting `[alerts] hotkey`, e.g. `Ctrl+Shift+F9`): raises a silent
//! duress alert even while Frontdesk is not the focused window, through the OS's global
//! shortcut registration (X11 key grab, macOS/Windows hotkey APIs) via Tauri's
//! global-shortcut plugin. Nothing on screen changes when it is pressed.

use std::sync::Mutex;

use frontdesk_core::alert::AlertTrigger;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcut, ShortcutState};

use crate::events;
use crate::state::AppState;

/// The hotkey registered now ("" for none).
#[derive(Default)]
pub struct Registered(Mutex<String>);

/// The plugin, with the handler every registered shortcut runs.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                pressed(app);
            }
        })
        .build()
}

/// What pressing the hotkey does: a silent duress alert, committed before this returns.
pub fn pressed<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let Ok(kiosk) = state.kiosk() else { return };
    match kiosk.raise_duress(AlertTrigger::Hotkey) {
        Ok(_) => {
            let _ = app.emit(events::ALERTS_CHANGED, ());
        }
        Err(e) => eprintln!("frontdesk: the hotkey could not raise its alert: {e}"),
    }
}

/// Register the site's hotkey if it differs from the one registered (the hub may publish a new
/// one). Without the plugin (tests on the mock runtime) nothing is registered.
pub fn sync<R: Runtime>(app: &AppHandle<R>) {
    let Some(shortcuts) = app.try_state::<GlobalShortcut<R>>() else { return };
    let Ok(kiosk) = app.state::<AppState>().kiosk().map(|k| k.site()) else { return };
    let wanted = kiosk.alerts.hotkey.trim().to_owned();
    let registered = app.state::<Registered>();
    let mut current = registered.0.lock().unwrap_or_else(|e| e.into_inner());
    if *current == wanted {
        return;
    }
    if !current.is_empty()
        && let Err(e) = shortcuts.unregister(current.as_str())
    {
        eprintln!("frontdesk: cannot release the hotkey {current}: {e}");
    }
    current.clear();
    if wanted.is_empty() {
        return;
    }
    match shortcuts.register(wanted.as_str()) {
        Ok(()) => *current = wanted,
        Err(e) => eprintln!("frontdesk: cannot register the alert hotkey {wanted}: {e}"),
    }
}

/// The hotkey registered now, for the admin screen.
pub fn registered<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    let registered = app.try_state::<Registered>()?;
    let current = registered.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
    (!current.is_empty()).then_some(current)
}
