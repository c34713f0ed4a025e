//! The retention purge on the hub: when a kiosk's `retention.purged` op arrives, the hub takes
//! the personal data out of its own copies of the ops the purge covers, by the same rule as
//! every kiosk (`frontdesk_core::visitors::retention`). Runs beside the server, in batches, so
//! the writer stays free for alerts and pushes.

use std::collections::BTreeSet;

use frontdesk_core::ids::{SiteId, VisitId};
use frontdesk_core::op::{EntityKind, Op, OpBody};
use frontdesk_core::visitors::retention;

use crate::store::{HubStore, StoreError};

/// Redactions written per write job: small enough that an alert push never waits long.
const BATCH: usize = 200;

/// Redact what a purge up to `before` covers at `site`; returns how many ops were redacted.
pub async fn purge<S: HubStore>(store: &S, site: SiteId, before: jiff::Timestamp) -> Result<usize, StoreError> {
    let site_for_alerts = site.clone();
    let ops = store.redactable_ops(site.clone()).await?;
    let mut plain: Vec<Op> = ops.iter().map(|(_, op)| op.clone()).collect();
    // Visits whose sign-in was redacted already (or is not among these): when they began.
    let signed_in: BTreeSet<VisitId> = plain
        .iter()
        .filter_map(|op| match &op.body {
            OpBody::VisitSignedIn(b) => Some(b.visit_id),
            _ => None,
        })
        .collect();
    let missing: BTreeSet<VisitId> = plain
        .iter()
        .filter(|op| op.body.entity().0 == EntityKind::Visit)
        .filter_map(|op| op.body.entity().1.parse().ok())
        .filter(|v| !signed_in.contains(v))
        .collect();
    // Only to date them: never redacted (indices past `ops` are skipped below).
    plain.extend(store.sign_ins_of(site, missing.into_iter().collect()).await?);
    let redacted: Vec<(i64, _)> = retention::redactions(&plain, before)
        .into_iter()
        .filter(|(i, _)| *i < ops.len())
        .map(|(i, op)| (ops[i].0, op))
        .collect();
    let mut done = 0;
    for batch in redacted.chunks(BATCH) {
        done += store.redact(batch.to_vec()).await?;
    }
    // The guards' console reads alerts from their materialised records: those go too.
    done += store.redact_alert_records(site_for_alerts, before).await?;
    if done > 0 {
        store.checkpoint().await?;
    }
    Ok(done)
}
