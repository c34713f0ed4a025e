//! Watches the kiosk's cards folder so an edited card shows without a rebuild or restart.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use frontdesk_core::cards::Reload;
use notify::{RecursiveMode, Watcher};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::events;
use crate::state::AppState;

/// Editors save in bursts (temp file, rename, chmod); wait for quiet before re-reading.
const SETTLE: Duration = Duration::from_millis(300);

/// Start watching `folder` (created if missing, so a site can drop files in later).
pub fn watch_cards<R: Runtime>(app: AppHandle<R>, folder: PathBuf) {
    if let Err(e) = std::fs::create_dir_all(&folder) {
        eprintln!("frontdesk: cannot create the cards folder {}: {e}", folder.display());
        return;
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("frontdesk: cannot watch {} for card edits: {e}", folder.display());
            return;
        }
    };
    if let Err(e) = watcher.watch(&folder, RecursiveMode::Recursive) {
        eprintln!("frontdesk: cannot watch {} for card edits: {e}", folder.display());
        return;
    }
    std::thread::Builder::new()
        .name("cards-watch".into())
        .spawn(move || {
            let _watcher = watcher; // lives as long as this thread
            let mut reported = Vec::new();
            while rx.recv().is_ok() {
                while rx.recv_timeout(SETTLE).is_ok() {}
                let state = app.state::<AppState>();
                let Ok(kiosk) = state.kiosk() else { return };
                match kiosk.reload_cards() {
                    Reload::Updated => {
                        reported.clear();
                        let _ = app.emit(events::CARDS_CHANGED, ());
                    }
                    Reload::Unchanged => reported.clear(),
                    Reload::Kept(errors) if errors != reported => {
                        for error in &errors {
                            eprintln!("frontdesk: card not loaded, keeping the last good set: {error}");
                        }
                        reported = errors;
                    }
                    Reload::Kept(_) => {}
                }
            }
        })
        .expect("spawn the cards watcher");
}
