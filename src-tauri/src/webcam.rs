//! The sign-in form's webcam on Linux. WebKitGTK ships with media streams switched off and
//! refuses every permission request that the embedding app does not answer (wry answers none),
//! so `getUserMedia` never reaches a camera. For the main window only: switch media streams on
//! and grant requests for a video device alone — never a microphone, screen, location or
//! anything else. Elsewhere (macOS, Windows) the system webview asks the OS.

/// Let the window's webview use the camera (Linux); a no-op elsewhere.
pub fn allow_camera<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        use webkit2gtk::glib::object::Cast as _;
        use webkit2gtk::{
            PermissionRequestExt as _, SettingsExt as _, UserMediaPermissionRequestExt as _, WebViewExt as _,
        };
        let done = window.with_webview(|webview| {
            let view = webview.inner();
            if let Some(settings) = view.settings() {
                settings.set_enable_media_stream(true);
            }
            view.connect_permission_request(|_, request| {
                match request.downcast_ref::<webkit2gtk::UserMediaPermissionRequest>() {
                    Some(media) if media.is_for_video_device() && !media.is_for_audio_device() => {
                        request.allow();
                        true
                    }
                    // Not ours to grant: WebKit's default (deny).
                    _ => false,
                }
            });
        });
        if let Err(err) = done {
            eprintln!("frontdesk: the webcam cannot be enabled: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
