//! The kiosk's backups: made on a schedule, on request and before migrations; restored from
//! the admin screen (see `backup`).

use serde_json::json;

use super::Kiosk;
use crate::audit::{AuditAction, NewAuditEntry};
use crate::backup::{self, BackupContext, BackupError, BackupInfo, BackupKind, RestoreReport, RestoreTarget};
use crate::error::CoreError;

/// The actor of actions taken on the command line.
pub const CLI_ACTOR: &str = "cli";

impl Kiosk {
    fn backup_context<'a>(&'a self, site: &'a crate::site::SiteConfig) -> BackupContext<'a> {
        BackupContext {
            data_dir: &self.data_dir,
            site: &site.site.id,
            device: self.device,
            secrets: self.secrets.as_ref(),
        }
    }

    /// The folder the backups are kept in.
    pub fn backup_folder(&self) -> std::path::PathBuf {
        self.data_dir.join(backup::BACKUP_FOLDER)
    }

    /// Make a backup now (through the live connection, so it is one consistent snapshot) and
    /// rotate; audited.
    pub fn backup(&self, kind: BackupKind, actor: &str) -> Result<BackupInfo, CoreError> {
        let now = self.now();
        let site = self.site();
        let mut store = self.store();
        let info = backup::create(store.connection(), &self.backup_context(&site), kind, now)?;
        let details = json!({ "kind": kind, "schema_version": info.header.schema_version, "bytes": info.size_bytes });
        store.transaction(now.as_millisecond(), |tx| {
            tx.audit(
                now.as_millisecond(),
                &NewAuditEntry {
                    actor: actor.to_owned(),
                    action: AuditAction::BackupCreated,
                    subject: info.file_name.clone(),
                    details,
                },
            )
        })?;
        Ok(info)
    }

    /// A scheduled backup, if the newest regular one is older than `interval` (or there is
    /// none). The desktop app calls this in the background.
    pub fn backup_if_due(&self, interval: std::time::Duration) -> Result<Option<BackupInfo>, CoreError> {
        let newest = backup::list(&self.backup_folder())?
            .into_iter()
            .find(|b| matches!(b.header.kind, BackupKind::Scheduled | BackupKind::Manual));
        let due = newest.is_none_or(|b| {
            let age = self.now().as_millisecond() - b.header.created_at.as_millisecond();
            age < 0 || age as u128 >= interval.as_millis()
        });
        if !due {
            return Ok(None);
        }
        self.backup(BackupKind::Scheduled, super::SYSTEM_ACTOR).map(Some)
    }

    /// "Back up now" on the admin screen.
    pub fn backup_now(&self, token: &str) -> Result<BackupInfo, CoreError> {
        self.require_admin(token)?;
        let actor = self.change(|change| change.admin_actor())?;
        self.backup(BackupKind::Manual, &actor)
    }

    /// The backups in the backup folder, newest first.
    pub fn backups(&self, token: &str) -> Result<Vec<BackupInfo>, CoreError> {
        self.require_admin(token)?;
        Ok(backup::list(&self.backup_folder())?)
    }

    /// Restore one of this kiosk's backups from the admin screen, then carry on with the
    /// restored database. The backup is decrypted and checked in a temp file first; a refusal
    /// leaves the live database as it was and is audited there. On success the replaced
    /// database is kept as a `pre-restore` backup and the restore is audited in the restored
    /// database.
    pub fn restore_backup(&self, token: &str, file_name: &str) -> Result<RestoreReport, CoreError> {
        self.require_admin(token)?;
        let actor = self.change(|change| change.admin_actor())?;
        let site = self.site();
        let staged = backup::path_in(&self.backup_folder(), file_name).and_then(|path| {
            backup::stage(
                &path,
                &RestoreTarget {
                    data_dir: &self.data_dir,
                    site: &site.site.id,
                    device: Some(self.device),
                    secrets: self.secrets.as_ref(),
                    recovery_key: None,
                },
            )
        });
        let staged = match staged {
            Ok(staged) => staged,
            Err(err) => {
                self.audit_refusal(&actor, file_name, &err)?;
                return Err(err.into());
            }
        };
        let now = self.now();
        let mut store = self.store();
        let ctx = self.backup_context(&site);
        let installed = store.reopen_after(|live| staged.install(&ctx, Some(live), now))?;
        drop(store);
        match installed {
            Ok(report) => {
                self.change(|change| {
                    change.audit(
                        &actor,
                        AuditAction::BackupRestored,
                        file_name,
                        json!({
                            "created_at": report.restored.created_at.to_string(),
                            "schema_version": report.restored.schema_version,
                            "previous": report.previous,
                            "new_identity": report.new_identity,
                        }),
                    )
                })?;
                if report.new_identity {
                    // This kiosk's device id is no longer the database's: stop writing under it.
                    self.retire();
                }
                Ok(report)
            }
            Err(err) => {
                self.audit_refusal(&actor, file_name, &err)?;
                Err(err.into())
            }
        }
    }

    fn audit_refusal(&self, actor: &str, file_name: &str, err: &BackupError) -> Result<(), CoreError> {
        self.change(|change| {
            change.audit(actor, AuditAction::BackupRefused, file_name, json!({ "reason": err.reason() }))?;
            Ok(())
        })
    }
}
