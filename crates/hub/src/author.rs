//! The hub as the author of site data: it publishes the site's settings and host directory as
//! ops of its own, which flow down to every kiosk of the site (read-only there).

use std::collections::BTreeMap;

use frontdesk_core::hlc::{Clock, Hlc, system_millis};
use frontdesk_core::ids::{HostId, OpId};
use frontdesk_core::op::{HostRecord, Op, OpBody, SitePublished};
use frontdesk_core::site::SiteConfig;
use frontdesk_core::sync::HubError;
use frontdesk_core::sync::protocol::MAX_PUSH_OPS;
use frontdesk_core::sync::validate::{self, Pusher};

use crate::server::now;
use crate::store::{HubStore, PushError, StoreError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishReport {
    pub settings_changed: bool,
    pub hosts_written: usize,
    pub hosts_deactivated: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Refused(#[from] HubError),
}

impl From<PushError> for PublishError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::Refused(e) => PublishError::Refused(e),
            PushError::Store(e) => PublishError::Store(e),
        }
    }
}

/// The current value of each host, by the merge rule (last writer wins by stamp).
fn current_hosts(ops: &[Op]) -> BTreeMap<HostId, (Hlc, HostRecord)> {
    let mut hosts: BTreeMap<HostId, (Hlc, HostRecord)> = BTreeMap::new();
    for op in ops {
        if let OpBody::HostUpserted(host) = &op.body
            && hosts.get(&host.id).is_none_or(|(hlc, _)| op.hlc > *hlc)
        {
            hosts.insert(host.id.clone(), (op.hlc, host.clone()));
        }
    }
    hosts
}

/// The site settings the hub published last (by stamp), if any.
pub fn current_settings(ops: &[Op]) -> Option<SiteConfig> {
    ops.iter()
        .filter_map(|op| match &op.body {
            OpBody::SitePublished(p) => Some((op.hlc, p.config.as_ref())),
            _ => None,
        })
        .max_by_key(|(hlc, _)| *hlc)
        .map(|(_, config)| config.clone())
}

/// Publish a site file: its settings, every host in it, and the deactivation of hosts the site
/// had that the file no longer lists. Only what changed is written, so publishing the same file
/// twice writes nothing.
pub async fn publish_site<S: HubStore>(store: &S, config: &SiteConfig) -> Result<PublishReport, PublishError> {
    config
        .validate("site file")
        .map_err(|e| HubError::new(frontdesk_core::sync::HubErrorCode::InvalidOp, e.to_string()))?;
    let site = config.site.id.clone();
    let mut report = PublishReport::default();
    let mut bodies = Vec::new();

    let mut settings = config.clone();
    settings.hosts.clear();
    let published = store.ops_of_kind(site.clone(), "site.published").await?;
    if current_settings(&published).as_ref() != Some(&settings) {
        report.settings_changed = true;
        bodies.push(OpBody::SitePublished(SitePublished { config: Box::new(settings) }));
    }

    let known = current_hosts(&store.ops_of_kind(site.clone(), "host.upserted").await?);
    for entry in &config.hosts {
        let host = HostRecord {
            id: entry.id.clone(),
            name: entry.name.clone(),
            department: entry.department.clone(),
            extension: entry.extension.clone(),
            email: entry.email.clone(),
            may_escort: entry.may_escort,
            active: true,
        };
        if known.get(&host.id).map(|(_, h)| h) != Some(&host) {
            report.hosts_written += 1;
            bodies.push(OpBody::HostUpserted(host));
        }
    }
    for (id, (_, host)) in &known {
        if host.active && !config.hosts.iter().any(|e| &e.id == id) {
            report.hosts_deactivated += 1;
            bodies.push(OpBody::HostUpserted(HostRecord { active: false, ..host.clone() }));
        }
    }
    if bodies.is_empty() {
        return Ok(report);
    }

    let author = store.site_author(site.clone()).await?;
    // The hub's stamps come after everything the site has seen, so its directory wins over
    // what kiosks handed up before.
    let clock = Clock::new(author.device, author.max_hlc, system_millis);
    let pusher = Pusher { device: author.device, site: site.clone(), handover_seq: u64::MAX };
    let mut seq = author.last_seq;
    let ops: Vec<Op> = bodies
        .into_iter()
        .map(|body| {
            seq += 1;
            Op { id: OpId::new(), hlc: clock.tick(), device: author.device, seq, site: site.clone(), body }
        })
        .collect();
    for batch in ops.chunks(MAX_PUSH_OPS) {
        validate::check_batch(&pusher, batch, system_millis())?;
        store.push(pusher.clone(), batch.to_vec(), now()).await?;
    }
    Ok(report)
}
