//! The hub as the author of site data: it publishes the site's settings and host directory as
//! ops of its own, which flow down to every kiosk of the site (read-only there).

use std::collections::BTreeMap;

use frontdesk_core::hlc::{Clock, Hlc, system_millis};
use frontdesk_core::ids::{HostId, OpId};
use frontdesk_core::op::{CardPublished, HostRecord, Op, OpBody, SitePublished};
use frontdesk_core::site::SiteConfig;
use frontdesk_core::sync::HubError;
use frontdesk_core::sync::protocol::MAX_PUSH_OPS;
use frontdesk_core::sync::site_secrets::SiteSecret;
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
    // The site's badge public key travels with the settings, so any device checks badges
    // offline. The hub holds the site's key once a kiosk has enrolled (see `site_secrets`).
    let held = store.offer_site_secrets(site.clone(), Vec::new(), now()).await?;
    let hub_key = held
        .iter()
        .find(|(name, _)| name == SiteSecret::BadgeSigning.name())
        .and_then(|(_, seed)| frontdesk_core::badge::keys::public_key_of_seed(seed));
    match (&settings.badges.public_key, hub_key) {
        (None, Some(key)) => settings.badges.public_key = Some(key),
        (Some(named), Some(key)) if named.trim() != key => {
            return Err(HubError::new(
                frontdesk_core::sync::HubErrorCode::InvalidOp,
                format!(
                    "site file: badges.public_key is not the site's badge key held by this hub ({key}); \
                     remove the line and the hub fills it in"
                ),
            )
            .into());
        }
        _ => {}
    }
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
    write_as_author(store, &site, bodies).await?;
    Ok(report)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardsReport {
    pub written: usize,
    pub unchanged: usize,
}

/// Publish a folder of emergency card files (laid out like `assets/cards/`, any subset): each
/// replaces the built-in card of its name on every kiosk of `site`. Every file is checked first
/// (the same rules as the kiosk's); one bad file publishes nothing. Only changed files are written.
pub async fn publish_cards<S: HubStore>(
    store: &S,
    site: &frontdesk_core::ids::SiteId,
    folder: &std::path::Path,
) -> Result<CardsReport, PublishError> {
    let files = frontdesk_core::cards::read_card_folder(folder).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        HubError::new(
            frontdesk_core::sync::HubErrorCode::InvalidOp,
            format!("cards not published:\n{}", lines.join("\n")),
        )
    })?;
    let mut current: BTreeMap<String, (Hlc, String)> = BTreeMap::new();
    for op in store.ops_of_kind(site.clone(), "card.published").await? {
        if let OpBody::CardPublished(card) = op.body
            && current.get(&card.file).is_none_or(|(hlc, _)| op.hlc > *hlc)
        {
            current.insert(card.file, (op.hlc, card.text));
        }
    }
    let mut report = CardsReport::default();
    let mut bodies = Vec::new();
    for (file, text) in files {
        if current.get(&file).map(|(_, t)| t) == Some(&text) {
            report.unchanged += 1;
        } else {
            report.written += 1;
            bodies.push(OpBody::CardPublished(CardPublished { file, text }));
        }
    }
    write_as_author(store, site, bodies).await?;
    Ok(report)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchlistReport {
    pub written: usize,
    pub deactivated: usize,
}

/// Publish a site's watch list from its file (see `visitors::watchlist::parse_published`): ID
/// numbers are hashed with the site's key (which the hub holds once a kiosk has enrolled) and
/// kept only masked; entries the site had that the file no longer lists are deactivated. One bad
/// entry publishes nothing; the same file twice writes nothing.
pub async fn publish_watchlist<S: HubStore>(
    store: &S,
    site: &frontdesk_core::ids::SiteId,
    text: &str,
) -> Result<WatchlistReport, PublishError> {
    let refuse =
        |message: String| PublishError::Refused(HubError::new(frontdesk_core::sync::HubErrorCode::InvalidOp, message));
    let held = store.offer_site_secrets(site.clone(), Vec::new(), now()).await?;
    let key = held
        .into_iter()
        .find(|(name, _)| name == SiteSecret::IdHash.name())
        .and_then(|(_, bytes)| frontdesk_core::visitors::SiteHashKey::from_secret(frontdesk_core::secrets::Secret::new(bytes)))
        .ok_or_else(|| {
            refuse(format!(
                "the hub holds no ID-hashing key for site {site} yet: enrol one of its kiosks first (it hands the key up)"
            ))
        })?;
    let entries = frontdesk_core::visitors::watchlist::parse_published(text, &key)
        .map_err(|problems| refuse(format!("watch list not published:\n{}", problems.join("\n"))))?;
    let mut current: BTreeMap<String, (Hlc, frontdesk_core::visitors::watchlist::WatchlistEntry)> = BTreeMap::new();
    for op in store.ops_of_kind(site.clone(), "watchlist.upserted").await? {
        if let OpBody::WatchlistUpserted(b) = op.body
            && current.get(&b.entry.id).is_none_or(|(hlc, _)| op.hlc > *hlc)
        {
            current.insert(b.entry.id.clone(), (op.hlc, b.entry));
        }
    }
    let mut report = WatchlistReport::default();
    let mut bodies = Vec::new();
    for entry in &entries {
        if current.get(&entry.id).map(|(_, e)| e) != Some(entry) {
            report.written += 1;
            bodies.push(OpBody::WatchlistUpserted(frontdesk_core::visitors::ops::WatchlistUpserted {
                entry: entry.clone(),
            }));
        }
    }
    for (id, (_, entry)) in &current {
        if entry.active && !entries.iter().any(|e| &e.id == id) {
            report.deactivated += 1;
            bodies.push(OpBody::WatchlistUpserted(frontdesk_core::visitors::ops::WatchlistUpserted {
                entry: frontdesk_core::visitors::watchlist::WatchlistEntry { active: false, ..entry.clone() },
            }));
        }
    }
    write_as_author(store, site, bodies).await?;
    Ok(report)
}

/// Write `bodies` as ops of the hub's own device for `site`.
pub(crate) async fn write_as_author<S: HubStore>(
    store: &S,
    site: &frontdesk_core::ids::SiteId,
    bodies: Vec<OpBody>,
) -> Result<(), PublishError> {
    if bodies.is_empty() {
        return Ok(());
    }
    let site = site.clone();
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
    Ok(())
}
