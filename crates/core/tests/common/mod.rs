//! Shared helpers for the kiosk integration tests: a kiosk on a real database file, with a
//! clock the test can move.
#![allow(dead_code, clippy::needless_update)]

use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;

use frontdesk_core::ids::HostId;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::visit::NewVisit;
use frontdesk_core::{CoreError, Kiosk, KioskOptions};

thread_local! {
    static NOW: Cell<u64> = const { Cell::new(0) };
}

/// 2026-03-02 09:00 in Shanghai (01:00 UTC), a Monday.
pub const MONDAY_9AM: u64 = 1_772_413_200_000;

/// The test's clock: each test runs on its own thread and sets its own time.
pub fn test_now() -> u64 {
    NOW.with(|n| if n.get() == 0 { MONDAY_9AM } else { n.get() })
}

pub fn set_now(ms: u64) {
    NOW.with(|n| n.set(ms));
}

pub fn advance(ms: u64) {
    set_now(test_now() + ms);
}

pub fn open_with(dir: &Path, secrets: Arc<MemorySecretStore>, site: SiteConfig) -> Result<Kiosk, CoreError> {
    Kiosk::open(KioskOptions {
        data_dir: dir.to_owned(),
        site,
        secrets,
        os_locale: Some("zh_CN.UTF-8".into()),
        wall: test_now,
    })
}

pub fn open(dir: &Path, secrets: Arc<MemorySecretStore>) -> Kiosk {
    open_with(dir, secrets, SiteConfig::demo().unwrap()).unwrap()
}

pub fn visitor(name: &str) -> NewVisit {
    NewVisit {
        name: name.into(),
        company: "Acme 物流".into(),
        host_id: HostId("zhang-wei".into()),
        purpose: "Quarterly review".into(),
        ..NewVisit::default()
    }
}

/// Every byte of the database, its WAL and shared-memory files, concatenated.
pub fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    all
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}
