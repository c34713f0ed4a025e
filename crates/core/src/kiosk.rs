//! A kiosk: one device's database, clock, keys and site, and the actions the desk performs.
//! Adapters (the desktop app, tests) call these; none of them re-implements a rule.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::audit::AuditAction;
use crate::cards::CardLibrary;
use crate::error::CoreError;
use crate::hlc::{Clock, WallClock};
use crate::i18n::{Lang, Localized};
use crate::ids::{DeviceId, OpId, VisitId};
use crate::op::{HostRecord, Op, OpBody, VisitSignedIn, VisitSignedOut};
use crate::secrets::{DeviceKeys, SecretStore};
use crate::site::{Desk, SiteConfig};
use crate::storage::{StorageError, Store};
use crate::visit::{HostSummary, NewVisit, Visit};

mod admin;
mod alerts;
mod backups;
mod change;
mod escort;
mod evacuation;
mod paper;
mod site_file;
mod visitors;

pub use admin::{AdminLogin, AdminSession, PinCheck, PinRefusal};
pub use alerts::{CancelOutcome, DeskAlertStatus, IndicatorState, MAX_DRILL_MINUTES, RaiseAlert, RaisedAlert};
pub use backups::CLI_ACTOR;
pub use change::{Change, SYSTEM_ACTOR};
pub use evacuation::{BackEntry, EvacuationSummary};
pub use paper::{PaperPrint, PrinterRole};
pub use visitors::{
    ExportResult, HostImport, Invitation, InvitationCheck, InvitationStatus, IssuedInvitation, NewInvitation,
    OverdueList, OverdueVisit, Photo, PurgeReport, ReturningQuery, ReturningVisitor, WatchlistHitView, WatchlistInput,
};

const META_DEVICE_ID: &str = "device_id";
const META_KEYS_CREATED: &str = "keys_created_at";
pub(crate) const META_DESK: &str = "desk_id";
const META_LANGUAGE: &str = "language";
const META_DIRECTORY_SEEDED: &str = "directory_seeded_from";

/// Folder in the data folder whose card files replace the built-in ones of the same name.
pub const CARDS_FOLDER: &str = "cards";

pub struct KioskOptions {
    pub data_dir: PathBuf,
    pub site: SiteConfig,
    pub secrets: Arc<dyn SecretStore>,
    /// The OS locale (e.g. `zh_CN.UTF-8`), which picks the default language.
    pub os_locale: Option<String>,
    pub wall: WallClock,
}

/// What the UI needs to know about this kiosk to draw its frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KioskInfo {
    pub app_version: String,
    pub site_name: Localized,
    pub desk: Desk,
    pub device_id: DeviceId,
    pub idle_timeout_seconds: u32,
    /// IANA time zone of the site; times are shown in it.
    pub timezone: String,
    /// The language to show: the one last chosen on this kiosk, else the OS locale's.
    pub language: Lang,
}

/// Called after every change this kiosk commits (the sync engine pushes at once).
pub type ChangeListener = Arc<dyn Fn() + Send + Sync>;

pub struct Kiosk {
    store: Mutex<Store>,
    clock: Clock,
    /// The site file's configuration, replaced by the one the hub publishes once enrolled.
    site: RwLock<Arc<SiteConfig>>,
    device: DeviceId,
    keys: DeviceKeys,
    secrets: Arc<dyn SecretStore>,
    default_language: Lang,
    /// The OS print system (see `kiosk/printing.rs`); tests swap in a fake.
    print_system: Arc<dyn crate::print::PrintSystem>,
    admin: Mutex<Option<admin::SessionState>>,
    cards: RwLock<CardLibrary>,
    listeners: Mutex<Vec<ChangeListener>>,
    /// Set once the database under this kiosk was restored as a new device: nothing more may be
    /// written under the old identity, and the app restarts (see `on_retired`).
    retired: std::sync::atomic::AtomicBool,
    retire_listeners: Mutex<Vec<ChangeListener>>,
    /// The site's badge key (see `kiosk/badges.rs`); replaced when the hub hands out the site's.
    badge_keys: RwLock<Arc<crate::badge::BadgeKeys>>,
    /// The site's key for ID and phone hashes (see `visitors::identity`).
    hash_key: RwLock<Arc<crate::visitors::SiteHashKey>>,
    data_dir: PathBuf,
    /// Alerts changed since the sync engine last told the app (see `kiosk/alerts.rs`).
    alerts_dirty: std::sync::atomic::AtomicBool,
}

mod badges;
mod cards;
mod printing;
mod site_keys;
pub use badges::{BadgeKeyInfo, BadgePreview, PrintSettings};
pub use printing::PrintWhat;
pub(crate) use site_keys::META_SITE_SECRETS_AT;

impl Kiosk {
    pub fn open(options: KioskOptions) -> Result<Kiosk, CoreError> {
        let KioskOptions { data_dir, site, secrets, os_locale, wall } = options;
        // A database this build is about to migrate is backed up first (see `backup`).
        let started = jiff::Timestamp::from_millisecond(wall() as i64).unwrap_or_default();
        crate::backup::before_migration(&data_dir, &site.site.id, secrets.as_ref(), started)?;
        let store = Store::open_in(&data_dir)?;

        let device = match store.meta(META_DEVICE_ID)? {
            Some(id) => id.parse().map_err(|_| StorageError::Corrupt(format!("bad device id {id:?}")))?,
            None => {
                let id = DeviceId::new();
                store.set_meta(META_DEVICE_ID, &id.to_string())?;
                id
            }
        };
        let created = store.meta(META_KEYS_CREATED)?;
        let keys = DeviceKeys::load_or_create(secrets.as_ref(), device, created.as_deref())?;
        let site = crate::sync::published_site(&store, &site)?.unwrap_or(site);
        if created.is_none() {
            store.set_meta(
                META_KEYS_CREATED,
                &jiff::Timestamp::from_millisecond(wall() as i64).unwrap_or_default().to_string(),
            )?;
        }

        let badge_keys = open_badge_keys(&store, secrets.as_ref(), &site, wall)?;
        let hash_key = visitors::open_hash_key(&store, secrets.as_ref(), &site, wall)?;

        let clock = Clock::new(device, store.max_hlc()?, wall);
        let default_language = os_locale.as_deref().map_or(site.site.default_language, Lang::from_locale);
        // A job the last run recorded but may not have handed over is never resent by itself.
        store.interrupt_recorded_print_jobs(jiff::Timestamp::from_millisecond(wall() as i64).unwrap_or_default())?;
        let print_system = crate::print::os_print_system();
        let cards = {
            let managed = crate::sync::hub_managed(&store)?;
            let published = store.read().authored_docs(crate::storage::AUTHORED_CARDS)?;
            RwLock::new(CardLibrary::open_with(Some(data_dir.join(CARDS_FOLDER)), !managed, published))
        };
        let kiosk = Kiosk {
            store: Mutex::new(store),
            clock,
            site: RwLock::new(Arc::new(site)),
            device,
            keys,
            secrets,
            default_language,
            print_system,
            admin: Mutex::new(None),
            cards,
            listeners: Mutex::default(),
            retired: Default::default(),
            retire_listeners: Mutex::default(),
            badge_keys: RwLock::new(Arc::new(badge_keys)),
            hash_key: RwLock::new(Arc::new(hash_key)),
            data_dir,
            alerts_dirty: std::sync::atomic::AtomicBool::new(false),
        };
        kiosk.seed_directory()?;
        Ok(kiosk)
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave a half-written transaction behind
        // (SQLite rolls it back), so the store stays usable.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// On first start, write the site file's host directory into the log, so it syncs like any
    /// other change.
    fn seed_directory(&self) -> Result<(), CoreError> {
        if self.store().meta(META_DIRECTORY_SEEDED)?.is_some() {
            return Ok(());
        }
        let site = self.site();
        for entry in &site.hosts {
            self.write(OpBody::HostUpserted(HostRecord {
                id: entry.id.clone(),
                name: entry.name.clone(),
                department: entry.department.clone(),
                extension: entry.extension.clone(),
                email: entry.email.clone(),
                may_escort: entry.may_escort,
                active: true,
            }))?;
        }
        self.store().set_meta(META_DIRECTORY_SEEDED, &site.site.id.0)?;
        Ok(())
    }

    pub fn device_id(&self) -> DeviceId {
        self.device
    }

    /// The site's configuration now (the hub may publish a new one at any time).
    pub fn site(&self) -> Arc<SiteConfig> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn badge_keys(&self) -> Arc<crate::badge::BadgeKeys> {
        self.badge_keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn hash_key(&self) -> Arc<crate::visitors::SiteHashKey> {
        self.hash_key.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Read the site's ID-hashing key again (the hub handed out the site's).
    pub(crate) fn reload_hash_key(&self) -> Result<(), CoreError> {
        let key = visitors::open_hash_key(&self.store(), self.secrets.as_ref(), &self.site(), self.clock.wall_fn())?;
        *self.hash_key.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(key);
        Ok(())
    }

    /// Read the site's badge key again (the keyring's changed: the hub handed out the site's).
    pub(crate) fn reload_badge_keys(&self) -> Result<(), CoreError> {
        let keys = open_badge_keys(&self.store(), self.secrets.as_ref(), &self.site(), self.clock.wall_fn())?;
        *self.badge_keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
        Ok(())
    }

    pub(crate) fn replace_site(&self, site: SiteConfig) {
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(site);
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    pub(crate) fn secrets(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }

    /// Call `listener` after every change this kiosk commits.
    pub fn on_change(&self, listener: ChangeListener) {
        self.listeners.lock().unwrap_or_else(|e| e.into_inner()).push(listener);
    }

    /// Call `listener` when this kiosk retires (its database now belongs to a new device
    /// identity): the adapter restarts the app, which opens the database afresh.
    pub fn on_retired(&self, listener: ChangeListener) {
        self.retire_listeners.lock().unwrap_or_else(|e| e.into_inner()).push(listener);
    }

    pub(crate) fn retire(&self) {
        self.retired.store(true, std::sync::atomic::Ordering::SeqCst);
        let listeners = self.retire_listeners.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for listener in listeners {
            listener();
        }
    }

    pub(crate) fn check_not_retired(&self) -> Result<(), CoreError> {
        if self.retired.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(CoreError::RestartRequired);
        }
        Ok(())
    }

    pub(crate) fn changed(&self) {
        let listeners = self.listeners.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for listener in listeners {
            listener();
        }
    }

    pub fn keys(&self) -> &DeviceKeys {
        &self.keys
    }

    pub(crate) fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.clock_wall_ms()).unwrap_or_default()
    }

    pub(crate) fn clock_wall_ms(&self) -> i64 {
        i64::try_from(self.clock.wall_millis()).unwrap_or(i64::MAX)
    }

    fn desk(&self) -> Result<Desk, CoreError> {
        let chosen = self.store().meta(META_DESK)?;
        Ok(self.desk_for(chosen))
    }

    fn desk_for(&self, chosen: Option<String>) -> Desk {
        let site = self.site();
        chosen.and_then(|id| site.desk(&id).cloned()).unwrap_or_else(|| site.desks[0].clone())
    }

    pub fn info(&self) -> Result<KioskInfo, CoreError> {
        let language = match self.store().meta(META_LANGUAGE)?.as_deref() {
            Some("zh-CN") => Lang::ZhCn,
            Some("en") => Lang::En,
            _ => self.default_language,
        };
        let site = self.site();
        Ok(KioskInfo {
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            site_name: site.site.name.clone(),
            desk: self.desk()?,
            device_id: self.device,
            idle_timeout_seconds: site.kiosk.idle_timeout_seconds,
            timezone: site.site.timezone.clone(),
            language,
        })
    }

    /// Remember the language chosen on this kiosk (a device setting, not synced).
    pub fn set_language(&self, lang: Lang) -> Result<(), CoreError> {
        self.store().set_meta(META_LANGUAGE, lang.tag())?;
        Ok(())
    }

    /// Active hosts, for the sign-in form.
    pub fn hosts(&self) -> Result<Vec<HostSummary>, CoreError> {
        Ok(self.store().read().hosts()?.iter().filter(|h| h.active).map(HostSummary::from).collect())
    }

    pub fn on_site(&self) -> Result<Vec<Visit>, CoreError> {
        Ok(self.store().read().on_site()?)
    }

    pub fn visit(&self, id: VisitId) -> Result<Visit, CoreError> {
        self.store().read().visit(id)?.ok_or_else(|| CoreError::VisitNotFound(id.to_string()))
    }

    /// Sign a visitor in. Invalid input stores nothing and reports every bad field.
    pub fn sign_in(&self, form: NewVisit) -> Result<Visit, CoreError> {
        let visit_id = VisitId::new();
        self.change(|change| {
            let desk_id = change.desk()?.id;
            let actor = change.desk_actor()?;
            let signed_in_at = change.now();
            let host = change.read().host(&form.host_id)?;
            // Both checks run, so the form marks every bad field at once; a watch-list hit
            // (decided before anything is written) makes the escort rules require an escort.
            let checked = self.check_sign_in(change, &form);
            let hit = match &checked {
                Ok((fields, details)) => !self.watchlist_matches(change, fields, details)?.is_empty(),
                Err(_) => false,
            };
            let escort = self.validate_sign_in(&form, host.as_ref(), signed_in_at, hit);
            let ((fields, details), terms) = match (checked, escort) {
                (Ok(checked), Ok((_, terms))) => (checked, terms),
                (Err(CoreError::Validation(mut a)), Err(CoreError::Validation(b))) => {
                    for e in b {
                        if !a.contains(&e) {
                            a.push(e);
                        }
                    }
                    return Err(CoreError::Validation(a));
                }
                (Err(e), _) | (_, Err(e)) => return Err(e),
            };
            let body = VisitSignedIn { visit_id, fields: fields.clone(), desk_id, signed_in_at, terms: Some(terms) };
            change.op(OpBody::VisitSignedIn(body))?;
            change.audit(&actor, AuditAction::SignIn, visit_id.to_string(), serde_json::json!({}))?;
            self.record_sign_in_details(change, visit_id, &fields, details)?;
            Ok(())
        })?;
        self.visit(visit_id)
    }

    /// Sign a visit out. A visit signed out already (here or on another device) is refused, and
    /// so is an escorted one until its escort's hand-back is confirmed ([`Kiosk::hand_back`]).
    pub fn sign_out(&self, visit_id: VisitId) -> Result<Visit, CoreError> {
        self.change(|change| self.sign_out_in(change, visit_id))?;
        self.visit(visit_id)
    }

    pub(crate) fn sign_out_in(&self, change: &mut Change<'_>, visit_id: VisitId) -> Result<(), CoreError> {
        let actor = change.desk_actor()?;
        let visit = change.read().visit(visit_id)?.ok_or_else(|| CoreError::VisitNotFound(visit_id.to_string()))?;
        if visit.signed_out_at.is_some() {
            return Err(CoreError::AlreadySignedOut(visit_id.to_string()));
        }
        escort::check_handback(&visit)?;
        let signed_out_at = change.now();
        change.op(OpBody::VisitSignedOut(VisitSignedOut { visit_id, signed_out_at }))?;
        change.audit(&actor, AuditAction::SignOut, visit_id.to_string(), serde_json::json!({}))?;
        Ok(())
    }

    /// Today's date at the site.
    pub(crate) fn today(&self) -> jiff::civil::Date {
        let tz = jiff::tz::TimeZone::get(&self.site().site.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        self.now().to_zoned(tz).date()
    }

    pub(crate) fn write(&self, body: OpBody) -> Result<Op, CoreError> {
        self.write_checked(|_| Ok(body))
    }

    /// Build an operation from the current state and commit it, under the store's lock and
    /// inside one transaction, so the check and the write see the same data and a refused
    /// change stores nothing.
    fn write_checked(
        &self,
        build: impl FnOnce(crate::storage::Reader<'_>) -> Result<OpBody, CoreError>,
    ) -> Result<Op, CoreError> {
        self.check_not_retired()?;
        let mut store = self.store();
        let seq = store.next_seq(self.device)?;
        let received_at = self.clock_wall_ms();
        let site = self.site().site.id.clone();
        let managed = crate::sync::hub_managed(&store)?;
        let op = store.commit_with(received_at, |reader| {
            let body = build(reader)?;
            if managed && body.author() == crate::sync::Author::Site {
                return Err(CoreError::from(crate::sync::SyncError::HubManaged));
            }
            Ok(Op { id: OpId::new(), hlc: self.clock.tick(), device: self.device, seq, site, body })
        })?;
        drop(store);
        self.changed();
        Ok(op)
    }
}

/// The site's badge key from the keyring, made on a standalone kiosk's first start.
fn open_badge_keys(
    store: &Store,
    secrets: &dyn SecretStore,
    site: &SiteConfig,
    wall: WallClock,
) -> Result<crate::badge::BadgeKeys, CoreError> {
    let configured = match &site.badges.public_key {
        Some(text) => Some(crate::badge::keys::parse_public_key(text).map_err(|reason| {
            crate::site::SiteError::Invalid { file: "site".into(), field: "badges.public_key".into(), reason }
        })?),
        None => None,
    };
    let meta_key = format!("site_badge_key_created/{}", site.site.id);
    let created = store.meta(&meta_key)?;
    let (keys, made) = crate::badge::BadgeKeys::load_or_create(secrets, &site.site.id, configured, created.as_deref())?;
    if made {
        store.set_meta(&meta_key, &jiff::Timestamp::from_millisecond(wall() as i64).unwrap_or_default().to_string())?;
    }
    Ok(keys)
}
