//! The kiosk's side of sync: its link to a hub (kept in `meta`), its credential (kept in the OS
//! keyring), the ops waiting to be pushed and applying what it pulls.

use serde::{Deserialize, Serialize};

use super::SyncError;
use super::credentials::Fingerprint;
use super::protocol::PullResponse;
use super::status::{LinkHealth, SyncStatus};
use crate::audit::AuditAction;
use crate::error::CoreError;
use crate::ids::{DeviceId, SiteId};
use crate::kiosk::{Kiosk, SYSTEM_ACTOR};
use crate::op::{Op, OpBody};
use crate::secrets::{Secret, SecretError};
use crate::site::SiteConfig;
use crate::storage::{StorageError, Store};

pub(crate) const META_LINK: &str = "hub.link";
const META_CURSOR: &str = "hub.cursor";
const META_CURSOR_ID: &str = "hub.cursor_id";
pub(crate) const META_PUSHED: &str = "hub.pushed_seq";
const META_LAST_SYNC: &str = "hub.last_sync_at";

/// Where the kiosk syncs, as recorded at enrolment. Not secret: the credential is in the keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubLink {
    /// `https://host:port`, no trailing slash.
    pub url: String,
    /// The hub certificate's fingerprint, pinned at enrolment. `None` only for a plain-HTTP
    /// development hub.
    pub fingerprint: Option<Fingerprint>,
    pub site: SiteId,
    pub device_name: String,
    pub handover_seq: u64,
    pub enrolled_at: jiff::Timestamp,
    pub revoked_at: Option<jiff::Timestamp>,
}

/// What a kiosk tells the hub when it enrols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentRequest {
    pub device: DeviceId,
    pub site: SiteId,
    pub handover_seq: u64,
}

/// Where the link of a database restored from a backup is kept for the admin screen (the hub
/// address to enrol again at); the kiosk itself is no longer linked.
pub const META_RESTORED_LINK: &str = "hub.restored_link";

/// A database restored from a backup of an enrolled kiosk is behind the hub: the hub holds the
/// ops this device wrote after the backup, under sequence numbers the restored log would hand
/// out again (the hub refuses them, and pulls never return a device's own ops). So the restored
/// database continues as a new device: a new id (new keys are made at the next start), no hub
/// link (enrol again; the old device's later ops then arrive like anyone else's) and its link
/// kept for the admin screen. Returns the old device id, or `None` if it was not enrolled.
pub(crate) fn detach_restored(conn: &rusqlite::Connection) -> rusqlite::Result<Option<DeviceId>> {
    use rusqlite::OptionalExtension;
    let meta = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()
    };
    let Some(link) = meta(META_LINK)? else { return Ok(None) };
    let Some(old) = meta("device_id")?.and_then(|d| d.parse::<DeviceId>().ok()) else { return Ok(None) };
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (META_RESTORED_LINK, &link),
    )?;
    tx.execute("UPDATE meta SET value = ?1 WHERE key = 'device_id'", [DeviceId::new().to_string()])?;
    tx.execute(
        "DELETE FROM meta WHERE key IN ('keys_created_at', ?1, ?2, ?3, ?4, ?5, ?6)",
        (META_LINK, META_CURSOR, META_CURSOR_ID, META_PUSHED, META_LAST_SYNC, crate::kiosk::META_SITE_SECRETS_AT),
    )?;
    tx.commit()?;
    Ok(Some(old))
}

/// The keyring account of the kiosk's hub credential.
pub fn credential_account(device: DeviceId) -> String {
    format!("device/{device}/hub-credential")
}

/// Once a kiosk is enrolled, the hub is the author of site data and the kiosk only reads it.
pub fn hub_managed(store: &Store) -> Result<bool, StorageError> {
    Ok(store.meta(META_LINK)?.is_some())
}

/// [`hub_managed`], asked inside a write transaction.
pub fn hub_managed_in(tx: &crate::storage::Tx<'_>) -> Result<bool, StorageError> {
    Ok(tx.meta(META_LINK)?.is_some())
}

/// The site settings the hub published for `local`'s site, if any and if they are valid.
pub fn published_site(store: &Store, local: &SiteConfig) -> Result<Option<SiteConfig>, CoreError> {
    let Some((body, version)) = store.read().authored_doc(crate::storage::AUTHORED_SITE, &local.site.id.0)? else {
        return Ok(None);
    };
    let config: SiteConfig = serde_json::from_str(&body).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    // The hub checked it before publishing; a kiosk still never runs on settings it cannot use.
    if let Err(e) = config.validate("site settings from the hub") {
        eprintln!("frontdesk: ignoring the site settings of version {version}: {e}");
        return Ok(None);
    }
    if config.site.id != local.site.id {
        return Ok(None);
    }
    Ok(Some(config))
}

fn parse_u64(value: Option<String>) -> u64 {
    value.and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl Kiosk {
    pub fn hub_link(&self) -> Result<Option<HubLink>, CoreError> {
        let Some(json) = self.store().meta(META_LINK)? else { return Ok(None) };
        let link = serde_json::from_str(&json).map_err(|e| StorageError::Corrupt(format!("hub link: {e}")))?;
        Ok(Some(link))
    }

    /// What to tell the hub at enrolment: who this kiosk is, its site, and how much site data it
    /// wrote so far (handed up to the hub).
    pub fn enrolment_request(&self) -> Result<EnrolmentRequest, CoreError> {
        let next = self.store().next_seq(self.device_id())?;
        Ok(EnrolmentRequest { device: self.device_id(), site: self.site().site.id.clone(), handover_seq: next - 1 })
    }

    /// Keep a new credential (in the keyring, read back to be sure) and the link. From now on
    /// the hub is the author of site data. The cursor starts over: what this kiosk already has
    /// is skipped as it arrives again.
    pub fn complete_enrolment(&self, link: &HubLink, credential: &Secret) -> Result<(), CoreError> {
        let account = credential_account(self.device_id());
        self.secrets().set(&account, credential)?;
        if self.secrets().get(&account)?.as_ref() != Some(credential) {
            return Err(SecretError::Unavailable {
                detail: "the keyring accepted the hub credential but did not return it".into(),
            }
            .into());
        }
        let json = serde_json::to_string(link).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        // The link, the fresh cursor and the audit entry commit together.
        self.change(|change| {
            change.set_meta(META_LINK, &json)?;
            change.set_meta(META_CURSOR, "0")?;
            change.set_meta(META_CURSOR_ID, "")?;
            change.set_meta(META_PUSHED, "0")?;
            let actor = change.admin_actor()?;
            change.audit(
                &actor,
                AuditAction::HubEnrolled,
                link.url.clone(),
                serde_json::json!({
                    "site": link.site,
                    "device_name": link.device_name,
                    "fingerprint": link.fingerprint.map(|f| f.to_string()),
                    "handover_seq": link.handover_seq,
                }),
            )?;
            Ok(())
        })?;
        // From now on the hub publishes the cards; the kiosk's own card files no longer count.
        self.reload_cards();
        Ok(())
    }

    /// The credential from the keyring. Missing although enrolled: the keyring was wiped.
    pub fn hub_credential(&self) -> Result<Secret, CoreError> {
        let link = self.hub_link()?.ok_or(SyncError::NotEnrolled)?;
        self.secrets().get(&credential_account(self.device_id()))?.ok_or_else(|| {
            SecretError::KeysMissing { purpose: "hub credential", created: link.enrolled_at.to_string() }.into()
        })
    }

    /// The hub said this kiosk's credential is revoked: remember it and stop.
    pub fn mark_revoked(&self) -> Result<(), CoreError> {
        if let Some(mut link) = self.hub_link()?
            && link.revoked_at.is_none()
        {
            link.revoked_at = Some(self.now_timestamp());
            let json = serde_json::to_string(&link).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            self.change(|change| {
                change.set_meta(META_LINK, &json)?;
                change.audit(SYSTEM_ACTOR, AuditAction::HubRevoked, link.url.clone(), serde_json::json!({}))?;
                Ok(())
            })?;
        }
        Ok(())
    }

    fn now_timestamp(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.clock_wall_ms()).unwrap_or_default()
    }

    /// The highest sequence number of this kiosk's ops the hub confirmed it holds.
    pub fn pushed_seq(&self) -> Result<u64, CoreError> {
        Ok(parse_u64(self.store().meta(META_PUSHED)?))
    }

    /// This kiosk's own ops the hub does not have yet, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<Op>, CoreError> {
        let pushed = self.pushed_seq()?;
        Ok(self.store().own_ops_after(self.device_id(), pushed, limit)?)
    }

    pub fn ops_waiting(&self) -> Result<u64, CoreError> {
        let pushed = self.pushed_seq()?;
        Ok(self.store().count_own_after(self.device_id(), pushed)?)
    }

    /// The hub holds this kiosk's ops up to `device_seq` (it keeps them without gaps). Also
    /// moves back when the hub has lost some (restored from a backup), so they are sent again.
    pub fn push_acknowledged(&self, device_seq: u64) -> Result<(), CoreError> {
        // Lost to a power cut, the ops are pushed again: the hub keeps each once.
        self.store().redoable(|store| store.set_meta(META_PUSHED, &device_seq.to_string()))?;
        Ok(())
    }

    /// Pull everything again from the start (the hub went back in time: restored from a
    /// backup). What is here already is skipped as it arrives.
    pub fn reset_pull_cursor(&self) -> Result<(), CoreError> {
        let store = self.store();
        store.set_meta(META_CURSOR, "0")?;
        store.set_meta(META_CURSOR_ID, "")?;
        Ok(())
    }

    pub fn pull_cursor(&self) -> Result<u64, CoreError> {
        Ok(parse_u64(self.store().meta(META_CURSOR)?))
    }

    /// The cursor and the id of the op the hub holds there.
    pub fn pull_position(&self) -> Result<(u64, Option<crate::ids::OpId>), CoreError> {
        let store = self.store();
        let at = store.meta(META_CURSOR_ID)?.and_then(|id| id.parse().ok());
        Ok((parse_u64(store.meta(META_CURSOR)?), at))
    }

    /// Apply a page of other devices' ops and advance the cursor, in one transaction; then let
    /// the clock observe their stamps and take up newly published site settings. Returns how
    /// many ops were new here.
    pub fn apply_pulled(&self, page: &PullResponse) -> Result<usize, CoreError> {
        let site = self.site().site.id.clone();
        if let Some(stray) = page.ops.iter().find(|op| op.site != site) {
            return Err(SyncError::Protocol(format!("the hub sent operation {} of another site", stray.id)).into());
        }
        let received_at = self.clock_wall_ms();
        let position = [
            (META_CURSOR, page.next.to_string()),
            (META_CURSOR_ID, page.next_id.map(|id| id.to_string()).unwrap_or_default()),
        ];
        let new = self.store().apply_with_meta(&page.ops, received_at, &position)?;
        for op in &page.ops {
            self.clock().observe(op.hlc);
        }
        if page.ops.iter().any(|op| matches!(op.body, OpBody::CardPublished(_))) {
            self.reload_cards();
        }
        self.audit_alert_news(&page.ops)?;
        if page.ops.iter().any(|op| matches!(op.body, OpBody::SitePublished(_))) {
            let current = self.site();
            if let Some(published) = published_site(&self.store(), &current)? {
                self.replace_site(published);
            }
        }
        Ok(new)
    }

    /// A full exchange with the hub succeeded now.
    pub fn record_sync(&self) -> Result<jiff::Timestamp, CoreError> {
        let now = self.now_timestamp();
        self.store().redoable(|store| store.set_meta(META_LAST_SYNC, &now.to_string()))?;
        Ok(now)
    }

    pub fn last_sync_at(&self) -> Result<Option<jiff::Timestamp>, CoreError> {
        Ok(self.store().meta(META_LAST_SYNC)?.and_then(|t| t.parse().ok()))
    }

    /// Every materialised row as text (`Reader::state_dump`): devices that applied the same
    /// ops return the same dump. For tests and diagnostics.
    pub fn state_dump(&self) -> Result<Vec<String>, CoreError> {
        Ok(self.store().read().state_dump()?)
    }

    /// The sync state to show, from what is stored and what the sync loop knows now.
    pub fn sync_status(&self, health: &LinkHealth) -> Result<SyncStatus, CoreError> {
        let link = self.hub_link()?;
        let waiting = if link.is_some() { self.ops_waiting()? } else { 0 };
        Ok(SyncStatus::compose(link.as_ref(), waiting, self.last_sync_at()?, health))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ids::HostId;
    use crate::kiosk::KioskOptions;
    use crate::op::HostRecord;
    use crate::secrets::{MemorySecretStore, SecretStore};

    fn kiosk(dir: &std::path::Path, secrets: Arc<MemorySecretStore>) -> Kiosk {
        Kiosk::open(KioskOptions {
            data_dir: dir.to_owned(),
            site: SiteConfig::demo().unwrap(),
            secrets,
            os_locale: None,
            wall: crate::hlc::system_millis,
        })
        .unwrap()
    }

    fn link(kiosk: &Kiosk) -> HubLink {
        let request = kiosk.enrolment_request().unwrap();
        HubLink {
            url: "https://hub:8443".into(),
            fingerprint: Some(Fingerprint::of_der(b"cert")),
            site: request.site,
            device_name: "Lobby".into(),
            handover_seq: request.handover_seq,
            enrolled_at: jiff::Timestamp::UNIX_EPOCH,
            revoked_at: None,
        }
    }

    fn host_change() -> OpBody {
        OpBody::HostUpserted(HostRecord {
            id: HostId("li-na".into()),
            name: "Someone else".into(),
            department: String::new(),
            extension: String::new(),
            email: String::new(),
            may_escort: false,
            active: true,
        })
    }

    #[test]
    fn once_enrolled_the_kiosk_refuses_to_write_site_data_and_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let kiosk = kiosk(dir.path(), Arc::default());
        kiosk.write(host_change()).expect("a kiosk on its own is the author of its directory");
        let handover = kiosk.enrolment_request().unwrap().handover_seq;
        kiosk.complete_enrolment(&link(&kiosk), &Secret::new(b"fdc1.x".to_vec())).unwrap();
        let err = kiosk.write(host_change()).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::HubManaged);
        assert_eq!(kiosk.enrolment_request().unwrap().handover_seq, handover, "nothing was stored");
    }

    #[test]
    fn the_credential_lives_in_the_secret_store_and_nowhere_in_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecretStore::default());
        let kiosk = kiosk(dir.path(), secrets.clone());
        assert!(matches!(kiosk.hub_credential().unwrap_err(), CoreError::Sync(SyncError::NotEnrolled)));
        let credential = Secret::new(b"fdc1.device.very-secret-credential-bytes".to_vec());
        kiosk.complete_enrolment(&link(&kiosk), &credential).unwrap();
        assert_eq!(kiosk.hub_credential().unwrap(), credential);
        assert_eq!(kiosk.hub_link().unwrap().unwrap().device_name, "Lobby");
        drop(kiosk);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(credential.expose().len()).any(|w| w == credential.expose()));
        }
        // A keyring that lost the credential is reported, not papered over.
        let kiosk = self::kiosk(dir.path(), secrets.clone());
        secrets.delete(&credential_account(kiosk.device_id())).unwrap();
        assert_eq!(kiosk.hub_credential().unwrap_err().code(), crate::ErrorCode::KeysMissing);
    }

    /// A keyring that holds the device keys but refuses to store anything new.
    #[derive(Default)]
    struct ReadOnlyKeyring(MemorySecretStore, std::sync::atomic::AtomicBool);

    impl SecretStore for ReadOnlyKeyring {
        fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
            self.0.get(account)
        }
        fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
            if self.1.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(SecretError::Unavailable { detail: "the collection is locked".into() });
            }
            self.0.set(account, secret)
        }
        fn delete(&self, account: &str) -> Result<(), SecretError> {
            self.0.delete(account)
        }
    }

    #[test]
    fn when_the_keyring_refuses_the_credential_enrolment_fails_clearly_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(ReadOnlyKeyring::default());
        let kiosk = Kiosk::open(KioskOptions {
            data_dir: dir.path().to_owned(),
            site: SiteConfig::demo().unwrap(),
            secrets: keyring.clone(),
            os_locale: None,
            wall: crate::hlc::system_millis,
        })
        .unwrap();
        keyring.1.store(true, std::sync::atomic::Ordering::SeqCst);
        let err = kiosk.complete_enrolment(&link(&kiosk), &Secret::new(b"fdc1.x".to_vec())).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::KeyringUnavailable);
        assert!(err.to_string().contains("keyring"), "{err}");
        assert!(kiosk.hub_link().unwrap().is_none(), "no link without a kept credential");
        // And no file fallback: nothing in the data folder holds it.
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(6).any(|w| w == b"fdc1.x"));
        }
    }

    fn synchronous(kiosk: &Kiosk) -> i64 {
        kiosk.store().connection().pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap()
    }

    #[test]
    fn sync_bookkeeping_commits_unsynced_and_every_other_commit_stays_synced() {
        let dir = tempfile::tempdir().unwrap();
        let kiosk = kiosk(dir.path(), Arc::default());
        assert_eq!(synchronous(&kiosk), 2, "FULL: every commit synced");
        let seen = kiosk.store().redoable(|store| {
            store
                .connection()
                .pragma_query_value(None, "synchronous", |r| r.get::<_, i64>(0))
                .map_err(StorageError::from)
        });
        assert_eq!(seen.unwrap(), 1, "NORMAL inside");
        assert_eq!(synchronous(&kiosk), 2, "FULL again after");
        let failed: Result<(), StorageError> = kiosk.store().redoable(|_| Err(StorageError::Corrupt("refused".into())));
        assert!(failed.is_err());
        assert_eq!(synchronous(&kiosk), 2, "FULL again after a failure too");
        kiosk.push_acknowledged(0).unwrap();
        kiosk.record_sync().unwrap();
        assert_eq!(synchronous(&kiosk), 2);
    }

    #[test]
    fn a_change_that_is_not_synced_cannot_write_an_op_and_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let kiosk = kiosk(dir.path(), Arc::default());
        let before = kiosk.enrolment_request().unwrap().handover_seq;
        let err = kiosk
            .change_redoable(|change| {
                change.set_meta(META_LAST_SYNC, "2026-12-02T00:00:00Z")?;
                change.op(host_change()).map(|_| ())
            })
            .unwrap_err();
        assert!(matches!(err, CoreError::Storage(StorageError::UnsyncedOp(_))), "{err}");
        assert_eq!(kiosk.enrolment_request().unwrap().handover_seq, before, "no op stored");
        assert_eq!(kiosk.last_sync_at().unwrap(), None, "nothing of the change stored");
        assert_eq!(synchronous(&kiosk), 2);
    }
}
