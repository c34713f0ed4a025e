//! One exchange with the hub: push everything waiting, then pull until the cursor reaches the
//! hub's head. Written against a `Transport` so the same code runs over HTTPS in the app and
//! against the model hub of the property tests.

use std::future::Future;
use std::sync::Arc;

use super::protocol::{HubErrorCode, MAX_PULL_OPS, MAX_PUSH_OPS, PullResponse, PushResponse};
use super::{SyncError, on_kiosk};
use crate::error::CoreError;
use crate::ids::OpId;
use crate::kiosk::Kiosk;
use crate::op::Op;

/// The hub as one exchange needs it. Errors are `SyncError::Unreachable` (try later),
/// `SyncError::Refused` (the hub said no) or `SyncError::Protocol`.
pub trait Transport {
    fn push(&self, ops: Vec<Op>) -> impl Future<Output = Result<PushResponse, SyncError>> + Send;
    fn pull(
        &self,
        after: u64,
        at: Option<OpId>,
        limit: u32,
    ) -> impl Future<Output = Result<PullResponse, SyncError>> + Send;
}

/// What one exchange did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub pushed: u64,
    /// Pulled ops that were new here.
    pub applied: u64,
    /// The hub's head at the end.
    pub head: u64,
}

/// How often in a row the hub may ask for ops to be sent again (it lost some) before the
/// exchange gives up; a healthy hub asks at most once.
const MAX_RESENDS: u32 = 3;

pub async fn sync_round<T: Transport>(kiosk: &Arc<Kiosk>, hub: &T) -> Result<RoundReport, CoreError> {
    let mut report = RoundReport::default();
    let mut resends = 0;
    loop {
        push_all(kiosk, hub, &mut report, &mut resends).await?;
        let device_seq = pull_all(kiosk, hub, &mut report).await?;
        // The hub holds fewer of our ops than it confirmed before: it lost some (restored from
        // a backup). Send them again.
        if device_seq < on_kiosk(kiosk, Kiosk::pushed_seq).await? && resends < MAX_RESENDS {
            resends += 1;
            on_kiosk(kiosk, move |k| k.push_acknowledged(device_seq)).await?;
            continue;
        }
        return Ok(report);
    }
}

async fn push_all<T: Transport>(
    kiosk: &Arc<Kiosk>,
    hub: &T,
    report: &mut RoundReport,
    resends: &mut u32,
) -> Result<(), CoreError> {
    loop {
        let batch = on_kiosk(kiosk, |k| k.outbox(MAX_PUSH_OPS)).await?;
        let (Some(first), Some(last)) = (batch.first().map(|op| op.seq), batch.last().map(|op| op.seq)) else {
            return Ok(());
        };
        match hub.push(batch).await {
            Ok(answer) => {
                // The hub holds this device's ops without gaps up to `device_seq`.
                if answer.device_seq < first {
                    return Err(SyncError::Protocol(format!(
                        "the hub acknowledged up to {} after a push of {first}..{last}",
                        answer.device_seq
                    ))
                    .into());
                }
                on_kiosk(kiosk, move |k| k.push_acknowledged(answer.device_seq)).await?;
                report.pushed += u64::from(answer.stored);
                report.head = answer.head;
            }
            Err(SyncError::Refused(e))
                if matches!(e.code, HubErrorCode::SequenceGap | HubErrorCode::SequenceConflict)
                    && e.expected_seq.is_some_and(|s| s >= 1 && s <= first)
                    && *resends < MAX_RESENDS =>
            {
                // The hub has fewer of our ops than we thought: send from where it is.
                *resends += 1;
                let seq = e.expected_seq.unwrap_or(1) - 1;
                on_kiosk(kiosk, move |k| k.push_acknowledged(seq)).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Pull until the cursor reaches the head; returns the hub's count of our own ops.
async fn pull_all<T: Transport>(kiosk: &Arc<Kiosk>, hub: &T, report: &mut RoundReport) -> Result<u64, CoreError> {
    loop {
        let (after, at) = on_kiosk(kiosk, Kiosk::pull_position).await?;
        let page = hub.pull(after, at, MAX_PULL_OPS as u32).await?;
        // The hub starts over from 0 when it does not hold the op we last saw at our cursor
        // (it was restored from a backup): applying is idempotent, so that is safe.
        if (page.from != after && page.from != 0) || page.next < page.from || page.next > page.head {
            return Err(SyncError::Protocol(format!(
                "the hub's page runs from {} to {} (head {}) for a cursor at {after}",
                page.from, page.next, page.head
            ))
            .into());
        }
        let after = page.from;
        let (applied, page) = on_kiosk(kiosk, move |k| (k.apply_pulled(&page), page)).await;
        report.applied += applied? as u64;
        report.head = page.head;
        if !page.more() {
            return Ok(page.device_seq);
        }
        if page.next == after {
            return Err(SyncError::Protocol("the hub announced more ops but sent none".into()).into());
        }
    }
}
