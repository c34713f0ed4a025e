//! The app's state: the kiosk core and its sync with the site hub, or the reason it could not
//! start.

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use frontdesk_core::secrets::{SecretError, SecretStore};
use frontdesk_core::site::{LAST_GOOD_SITE_FILE, SiteConfig, SiteLoad};
use frontdesk_core::sync::SyncError;
use frontdesk_core::sync::engine::{EngineOptions, Observer, SyncEngine};
use frontdesk_core::{ApiError, CoreError, ErrorCode, Kiosk, KioskOptions};

/// How many times the kiosk tries to reach the keyring at start, and how long it waits between.
const KEYRING_ATTEMPTS: u32 = 4;
const KEYRING_RETRY_AFTER: Duration = Duration::from_secs(2);

/// Name of the optional site file in the data folder that replaces the built-in demo site.
pub const SITE_FILE: &str = "site.toml";

pub struct AppState {
    kiosk: Result<Arc<Kiosk>, ApiError>,
    sync: Option<Arc<SyncEngine>>,
}

impl AppState {
    /// Open the kiosk in `data_dir`. A failure (no keyring, a newer database, a broken site
    /// file) is kept and reported by every command, so the window can say what is wrong
    /// instead of vanishing.
    pub fn open(data_dir: &Path, secrets: Arc<dyn SecretStore>, os_locale: Option<String>) -> AppState {
        let mut attempt = 1;
        let opened = loop {
            match open_kiosk(data_dir, secrets.clone(), os_locale.clone()) {
                // Started with the desktop session, the kiosk can be up before the keyring, and
                // a busy keyring can miss a D-Bus reply: a few tries before the window says so.
                Err(CoreError::Secret(SecretError::Unavailable { detail })) if attempt < KEYRING_ATTEMPTS => {
                    eprintln!("frontdesk: the keyring did not answer ({detail}); trying again");
                    std::thread::sleep(KEYRING_RETRY_AFTER);
                    attempt += 1;
                }
                other => break other,
            }
        };
        let kiosk = opened.map(Arc::new).map_err(|err| {
            eprintln!("frontdesk: cannot start: {err}");
            ApiError::from(err)
        });
        AppState { kiosk, sync: None }
    }

    pub fn failed(message: String) -> AppState {
        AppState { kiosk: Err(ApiError::startup_failed(message, ErrorCode::StartupFailed)), sync: None }
    }

    /// Attach the sync engine (not yet running: spawn `sync_engine().run()`).
    pub fn with_sync(mut self, observer: Observer, options: EngineOptions) -> AppState {
        if let Ok(kiosk) = &self.kiosk {
            self.sync = Some(SyncEngine::new(kiosk.clone(), observer, options));
        }
        self
    }

    pub fn sync_engine(&self) -> Option<Arc<SyncEngine>> {
        self.sync.clone()
    }

    pub fn kiosk(&self) -> Result<&Kiosk, ApiError> {
        self.kiosk.as_deref().map_err(Clone::clone)
    }

    /// What a command body works with: the kiosk, and the app around it (sync).
    pub fn ctx(&self) -> Result<Ctx<'_>, ApiError> {
        Ok(Ctx { kiosk: self.kiosk()?, sync: self.sync.as_ref() })
    }
}

/// The kiosk as commands see it (it dereferences to [`Kiosk`]), plus its sync engine.
pub struct Ctx<'a> {
    kiosk: &'a Kiosk,
    sync: Option<&'a Arc<SyncEngine>>,
}

impl Deref for Ctx<'_> {
    type Target = Kiosk;

    fn deref(&self) -> &Kiosk {
        self.kiosk
    }
}

impl Ctx<'_> {
    pub fn sync(&self) -> Result<&Arc<SyncEngine>, CoreError> {
        self.sync.ok_or_else(|| SyncError::Protocol("sync is not running in this app".into()).into())
    }
}

/// The site file in the data folder (or, if it is refused, the last good copy of it, with the
/// reason), or the built-in demo site.
pub fn load_site(data_dir: &Path) -> Result<SiteLoad, CoreError> {
    let site_file = data_dir.join(SITE_FILE);
    Ok(if site_file.exists() {
        SiteConfig::load_keeping_last_good(&site_file, &data_dir.join(LAST_GOOD_SITE_FILE))?
    } else {
        SiteLoad { config: SiteConfig::demo()?, problem: None }
    })
}

fn open_kiosk(data_dir: &Path, secrets: Arc<dyn SecretStore>, os_locale: Option<String>) -> Result<Kiosk, CoreError> {
    let site = load_site(data_dir)?;
    let kiosk = Kiosk::open(KioskOptions {
        data_dir: data_dir.to_owned(),
        site: site.config,
        secrets,
        os_locale,
        wall: frontdesk_core::hlc::system_millis,
    })?;
    kiosk.record_site_problem(site.problem.as_ref())?;
    Ok(kiosk)
}
