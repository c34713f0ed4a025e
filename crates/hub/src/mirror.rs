//! Each site's state as a kiosk sees it — visits, the roll call of an evacuation, published
//! cards — for the guards' console. It is core's own store (`frontdesk_core::storage::Store`),
//! one file per site beside the hub's database (`DATA/sites/<site>.sqlite3`, same owner-only
//! folder), fed the site's ops in the hub's cursor order and brought up to date before every
//! read. So the console shows exactly what every kiosk shows, by the same merge rules; the
//! retention purge reaches it like any kiosk (the purge op is one of the ops it applies).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use frontdesk_core::ids::{DeviceId, SiteId};
use frontdesk_core::op::Op;
use frontdesk_core::storage::{Reader, StorageError, Store};

use crate::server::now;
use crate::store::{HubStore, StoreError};

const META_CURSOR: &str = "hub.mirror_cursor";
/// Ops applied per transaction while catching up.
const PAGE: u32 = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("site mirror: {0}")]
    Mirror(#[from] StorageError),
    #[error("site mirror: {0}")]
    Task(String),
}

/// The mirrors of every site the hub serves, opened on first use.
pub struct SiteMirrors {
    dir: PathBuf,
    sites: Mutex<HashMap<SiteId, Arc<Mutex<Store>>>>,
}

impl SiteMirrors {
    pub fn new(data_dir: &std::path::Path) -> SiteMirrors {
        SiteMirrors { dir: data_dir.join("sites"), sites: Mutex::default() }
    }

    fn open(&self, site: &SiteId) -> Result<Arc<Mutex<Store>>, MirrorError> {
        let mut sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(store) = sites.get(site) {
            return Ok(store.clone());
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| MirrorError::Task(format!("{}: {e}", self.dir.display())))?;
        // Site ids are slugs (site file rules): a safe file name.
        let store = Arc::new(Mutex::new(Store::open(&self.dir.join(format!("{site}.sqlite3")))?));
        sites.insert(site.clone(), store.clone());
        Ok(store)
    }

    /// Bring `site`'s mirror up to date with the hub's ops, then read it.
    pub async fn read<S: HubStore, T: Send + 'static>(
        &self,
        hub: &S,
        site: &SiteId,
        read: impl FnOnce(Reader<'_>) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, MirrorError> {
        let store = self.open(site)?;
        self.catch_up(hub, site, &store).await?;
        blocking(store, move |store| Ok(read(store.read())?)).await
    }

    async fn catch_up<S: HubStore>(
        &self,
        hub: &S,
        site: &SiteId,
        store: &Arc<Mutex<Store>>,
    ) -> Result<(), MirrorError> {
        // Nobody's ops are left out: the mirror is no device.
        let nobody = DeviceId(uuid::Uuid::nil());
        loop {
            let cursor = blocking(store.clone(), |store| {
                Ok(store.meta(META_CURSOR)?.and_then(|c| c.parse::<u64>().ok()).unwrap_or(0))
            })
            .await?;
            let page = hub.pull(site.clone(), nobody, cursor, None, PAGE).await?;
            if page.ops.is_empty() || page.next <= cursor {
                return Ok(());
            }
            let ops: Vec<Op> = page.ops.iter().map(|op| op.parse()).collect::<Result<_, _>>()?;
            let next = page.next;
            let received = now().as_millisecond();
            blocking(store.clone(), move |store| {
                store.apply_with_meta(&ops, received, &[(META_CURSOR, next.to_string())])?;
                Ok(())
            })
            .await?;
        }
    }
}

async fn blocking<T: Send + 'static>(
    store: Arc<Mutex<Store>>,
    f: impl FnOnce(&mut Store) -> Result<T, MirrorError> + Send + 'static,
) -> Result<T, MirrorError> {
    tokio::task::spawn_blocking(move || {
        let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut store)
    })
    .await
    .map_err(|e| MirrorError::Task(e.to_string()))?
}
