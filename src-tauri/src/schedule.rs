//! Background work of the desktop app: the scheduled backups.

use std::time::Duration;

use frontdesk_core::backup::SCHEDULE_INTERVAL;
use tauri::{Manager, Runtime};

use crate::state::AppState;

/// How often the app checks whether a scheduled backup is due.
const CHECK_EVERY: Duration = Duration::from_secs(60);

/// Check every minute (the first time a minute after start, so a start is never slowed)
/// whether the newest backup is older than the schedule's
/// interval, and make one if so. Runs on its own thread; a failed backup is logged and tried
/// again at the next check.
pub fn start_backups<R: Runtime>(app: tauri::AppHandle<R>) {
    let spawned = std::thread::Builder::new().name("frontdesk-backups".into()).spawn(move || {
        loop {
            std::thread::sleep(CHECK_EVERY);
            if let Ok(kiosk) = app.state::<AppState>().kiosk() {
                match kiosk.backup_if_due(SCHEDULE_INTERVAL) {
                    Ok(Some(info)) => eprintln!("frontdesk: scheduled backup {}", info.file_name),
                    Ok(None) => {}
                    Err(err) => eprintln!("frontdesk: scheduled backup failed: {err}"),
                }
            }
        }
    });
    if let Err(err) = spawned {
        eprintln!("frontdesk: cannot start the backup schedule: {err}");
    }
}
