//! Guard mode's OS side: when an alert arrives (or escalates) on a desk in guard mode, the OS
//! shows a notification, so it is seen even with the window minimised or behind others; the
//! window asks for attention. The sound and the flashing screen are the window's.

use std::collections::HashSet;
use std::sync::Mutex;

use frontdesk_core::alert::AlertState;
use frontdesk_core::catalog;
use frontdesk_core::ids::AlertId;
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// Alerts (and escalation rounds) already notified.
#[derive(Default)]
pub struct Notified(Mutex<HashSet<(AlertId, u32)>>);

/// Alerts changed: notify the ones a guard has not been told of.
pub fn alerts_changed<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let Ok(kiosk) = state.kiosk() else { return };
    let Ok(status) = kiosk.desk_alert_status() else { return };
    if !status.guard_mode {
        return;
    }
    let Ok(alerts) = kiosk.guard_alerts(24) else { return };
    let lang = kiosk.info().map(|i| i.language).unwrap_or(frontdesk_core::i18n::Lang::ZhCn);
    let Some(notified) = app.try_state::<Notified>() else { return };
    let fresh: Vec<_> = {
        let mut seen = notified.0.lock().unwrap_or_else(|e| e.into_inner());
        alerts.into_iter().filter(|a| a.state == AlertState::Raised && seen.insert((a.id, a.escalated))).collect()
    };
    for alert in fresh {
        let kind = catalog::text(lang, &format!("alert-kind-{}", alert.kind.as_str()), &[]);
        let desk = match &alert.subject {
            Some(frontdesk_core::alert::AlertSubject::Device { name, .. }) => name.clone(),
            _ => format!("{} · {}", alert.source.device_name, alert.source.desk_name.get(lang)),
        };
        let mut title = catalog::text(lang, "notify-alert-title", &[("kind", kind.as_str())]);
        if alert.drill {
            title = format!("{} · {}", catalog::text(lang, "drill-badge", &[]), title);
        }
        let body = catalog::text(lang, "notify-alert-body", &[("desk", desk.as_str())]);
        notify(app, &title, &body);
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.request_user_attention(Some(tauri::UserAttentionType::Critical));
        }
    }
}

fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    if app.try_state::<tauri_plugin_notification::Notification<R>>().is_none() {
        return; // no notification plugin (tests on the mock runtime)
    }
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        eprintln!("frontdesk: the OS did not show the alert notification: {e}");
    }
}
