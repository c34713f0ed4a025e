//! The app's state: the kiosk core, or the reason it could not start.

use std::path::Path;
use std::sync::Arc;

use frontdesk_core::secrets::SecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::{ApiError, CoreError, ErrorCode, Kiosk, KioskOptions};

/// Name of the optional site file in the data folder that replaces the built-in demo site.
pub const SITE_FILE: &str = "site.toml";

pub struct AppState {
    kiosk: Result<Kiosk, ApiError>,
}

impl AppState {
    /// Open the kiosk in `data_dir`. A failure (no keyring, a newer database, a broken site
    /// file) is kept and reported by every command, so the window can say what is wrong
    /// instead of vanishing.
    pub fn open(data_dir: &Path, secrets: Arc<dyn SecretStore>, os_locale: Option<String>) -> AppState {
        let kiosk = open_kiosk(data_dir, secrets, os_locale).map_err(|err| {
            eprintln!("frontdesk: cannot start: {err}");
            ApiError::from(err)
        });
        AppState { kiosk }
    }

    pub fn failed(message: String) -> AppState {
        AppState { kiosk: Err(ApiError::startup_failed(message, ErrorCode::StartupFailed)) }
    }

    pub fn kiosk(&self) -> Result<&Kiosk, ApiError> {
        self.kiosk.as_ref().map_err(Clone::clone)
    }
}

fn open_kiosk(data_dir: &Path, secrets: Arc<dyn SecretStore>, os_locale: Option<String>) -> Result<Kiosk, CoreError> {
    let site_file = data_dir.join(SITE_FILE);
    let site = if site_file.exists() { SiteConfig::load(&site_file)? } else { SiteConfig::demo()? };
    Kiosk::open(KioskOptions {
        data_dir: data_dir.to_owned(),
        site,
        secrets,
        os_locale,
        wall: frontdesk_core::hlc::system_millis,
    })
}
