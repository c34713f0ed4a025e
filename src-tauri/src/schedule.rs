//! Background work of the desktop app: the scheduled backups, auto sign-out and the
//! retention purge.

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

/// Every minute: sign out whoever is left at the site's auto sign-out time, and once a day run
/// the retention purge. Failures are logged (counts only, never personal data) and retried at
/// the next check.
pub fn start_visitor_housekeeping<R: Runtime>(app: tauri::AppHandle<R>) {
    let spawned = std::thread::Builder::new().name("frontdesk-visitors".into()).spawn(move || {
        loop {
            std::thread::sleep(CHECK_EVERY);
            let state = app.state::<AppState>();
            let Ok(kiosk) = state.kiosk() else { continue };
            match kiosk.auto_sign_out_due() {
                Ok(0) => {}
                Ok(n) => {
                    eprintln!("frontdesk: auto sign-out of {n} visits");
                    let _ = tauri::Emitter::emit(&app, crate::events::DATA_CHANGED, ());
                }
                Err(err) => eprintln!("frontdesk: auto sign-out failed: {}", <&str>::from(err.code())),
            }
            match kiosk.purge_if_due() {
                Ok(Some(report)) => eprintln!(
                    "frontdesk: retention purge before {}: {} visits, {} invitations",
                    report.before, report.visits, report.invitations
                ),
                Ok(None) => {}
                Err(err) => eprintln!("frontdesk: retention purge failed: {}", <&str>::from(err.code())),
            }
        }
    });
    if let Err(err) = spawned {
        eprintln!("frontdesk: cannot start the visitor housekeeping: {err}");
    }
}
