//! Restoring an enrolled kiosk from a backup, with a real hub: the restored database is behind
//! the hub (it holds what the kiosk wrote after the backup), so it continues as a new device.
//! It works at once, offline; enrolled again, it gets back what it wrote after the backup and
//! its new work reaches the other desks. Nothing the old kiosk synced is lost.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use frontdesk_core::backup::{self, BackupKind};
use frontdesk_core::hlc::system_millis;
use frontdesk_core::ids::{HostId, SiteId};
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::sync::SyncState;
use frontdesk_core::sync::engine::SyncEngine;
use frontdesk_core::visit::NewVisit;
use frontdesk_core::{Kiosk, KioskOptions};
use frontdesk_hub::server::now;

fn visitor(name: &str) -> NewVisit {
    NewVisit {
        name: name.into(),
        company: "Acme".into(),
        host_id: HostId("li-na".into()),
        purpose: String::new(),
        ..NewVisit::default()
    }
}

fn open_with(dir: &std::path::Path, secrets: Arc<MemorySecretStore>) -> Arc<Kiosk> {
    Arc::new(
        Kiosk::open(KioskOptions {
            data_dir: dir.to_owned(),
            site: SiteConfig::demo().unwrap(),
            secrets,
            os_locale: None,
            wall: system_millis,
        })
        .unwrap(),
    )
}

fn synced(engine: &SyncEngine) -> bool {
    engine.status().unwrap().state == SyncState::Synced
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restored_kiosk_continues_as_a_new_device_and_loses_nothing_the_hub_had() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let secrets = Arc::new(MemorySecretStore::default());
    let desk_dir = dir.path().join("desk");
    let desk = open_with(&desk_dir, secrets.clone());
    let other = open_kiosk(&dir.path().join("other"));
    enrol_kiosk(&hub, &desk, "Lobby").await;
    enrol_kiosk(&hub, &other, "Side door").await;
    let (desk_sync, desk_task) = engine_and_task(desk.clone());
    let (other_sync, _other_task) = engine_and_task(other.clone());

    let before = desk.sign_in(visitor("Before the backup")).unwrap();
    let backup = desk.backup(BackupKind::Manual, "test").unwrap();
    let after = desk.sign_in(visitor("After the backup")).unwrap();
    eventually("the hub has both", || synced(&desk_sync) && other.visit(after.id).is_ok()).await;
    let old_device = desk.device_id();

    // The desk's disk is replaced; its backup is restored from the command line.
    desk_task.abort();
    let _ = desk_task.await;
    drop(desk_sync);
    drop(desk);
    let file = desk_dir.join(backup::BACKUP_FOLDER).join(&backup.file_name);
    let report =
        backup::restore_data_dir(&file, &desk_dir, &SiteId(SITE.into()), secrets.as_ref(), None, now()).unwrap();
    assert!(report.new_identity, "an enrolled kiosk's backup comes back as a new device");

    let restored = open_with(&desk_dir, secrets.clone());
    assert_ne!(restored.device_id(), old_device);
    assert!(restored.hub_link().unwrap().is_none(), "not enrolled: it must be enrolled again");
    assert!(restored.visit(before.id).is_ok());
    assert!(restored.visit(after.id).is_err(), "written after the backup: only the hub has it");
    // It works at once, before anyone enrols it again.
    let offline = restored.sign_in(visitor("While waiting to enrol")).unwrap();

    enrol_kiosk(&hub, &restored, "Lobby (restored)").await;
    let (restored_sync, _task) = engine_and_task(restored.clone());
    eventually("the restored desk gets back what it wrote after the backup", || {
        synced(&restored_sync) && restored.visit(after.id).is_ok()
    })
    .await;
    eventually("its new work reaches the other desk", || synced(&other_sync) && other.visit(offline.id).is_ok()).await;
    eventually("identical state", || restored.state_dump().unwrap() == other.state_dump().unwrap()).await;
    hub.shutdown(Duration::from_secs(1)).await;
}

#[test]
fn restoring_a_kiosk_that_never_enrolled_keeps_its_identity() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = open_with(dir.path(), secrets.clone());
    let device = kiosk.device_id();
    kiosk.sign_in(visitor("Ann")).unwrap();
    let backup = kiosk.backup(BackupKind::Manual, "test").unwrap();
    drop(kiosk);
    let file = dir.path().join(backup::BACKUP_FOLDER).join(&backup.file_name);
    let report =
        backup::restore_data_dir(&file, dir.path(), &SiteId(SITE.into()), secrets.as_ref(), None, now()).unwrap();
    assert!(!report.new_identity);
    assert_eq!(open_with(dir.path(), secrets).device_id(), device);
}
