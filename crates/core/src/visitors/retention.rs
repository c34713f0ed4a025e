//! The retention rule for stored *operations*, shared by the kiosk and the site hub: which ops a
//! purge up to a horizon takes personal data out of, and their redacted form.
//!
//! A visit is purged when the earliest sign-in any op names is before the horizon; an
//! invitation when it was valid only until before it (the kiosk keeps the least `valid_until`
//! of an invitation's creation ops); an alert (which names the visitors at its desk) when it was
//! raised before it. A redacted op keeps its id, stamp, sequence number and kind
//! — only the personal fields of its body are blanked (`storage::visitors::redact_body`) — so it
//! still syncs and merges like the original.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{AlertId, InvitationId, VisitId};
use crate::op::{Op, OpBody};

/// `op` without its personal data, or `None` if it holds none (or cannot be read back).
pub fn redact_op(op: &Op) -> Option<Op> {
    let body = serde_json::to_string(&op.body).ok()?;
    let redacted = crate::storage::visitors::redact_body(op.body.kind(), &body).ok()??;
    let body: OpBody = serde_json::from_str(&redacted).ok()?;
    (body != op.body).then(|| Op { body, ..op.clone() })
}

/// Whether two stored copies of one op are the same op, one perhaps redacted by a purge.
pub fn same_up_to_redaction(a: &Op, b: &Op) -> bool {
    if a == b {
        return true;
    }
    let plain = |op: &Op| redact_op(op).unwrap_or_else(|| op.clone());
    plain(a) == plain(b)
}

/// Of `ops` (everything a store holds of a site that may need redacting), the indices of those
/// a purge up to `before` redacts, with their redacted form.
pub fn redactions(ops: &[Op], before: jiff::Timestamp) -> Vec<(usize, Op)> {
    let mut earliest_in: BTreeMap<VisitId, jiff::Timestamp> = BTreeMap::new();
    let mut least_until: BTreeMap<InvitationId, jiff::Timestamp> = BTreeMap::new();
    let mut raised_at: BTreeMap<AlertId, jiff::Timestamp> = BTreeMap::new();
    for op in ops {
        match &op.body {
            OpBody::AlertRaised(b) => {
                let at = raised_at.entry(b.alert_id).or_insert(b.raised_at);
                *at = (*at).min(b.raised_at);
            }
            OpBody::VisitSignedIn(b) => {
                let at = earliest_in.entry(b.visit_id).or_insert(b.signed_in_at);
                *at = (*at).min(b.signed_in_at);
            }
            OpBody::InvitationCreated(b) => {
                let until = least_until.entry(b.invitation_id).or_insert(b.valid_until);
                *until = (*until).min(b.valid_until);
            }
            _ => {}
        }
    }
    let purged_visits: BTreeSet<VisitId> =
        earliest_in.into_iter().filter(|(_, at)| *at < before).map(|(id, _)| id).collect();
    let purged_invitations: BTreeSet<InvitationId> =
        least_until.into_iter().filter(|(_, until)| *until < before).map(|(id, _)| id).collect();
    let purged_alerts: BTreeSet<AlertId> =
        raised_at.into_iter().filter(|(_, at)| *at < before).map(|(id, _)| id).collect();
    ops.iter()
        .enumerate()
        .filter(|(_, op)| {
            let (kind, id) = op.body.entity();
            match kind {
                crate::op::EntityKind::Visit => id.parse().is_ok_and(|v| purged_visits.contains(&v)),
                crate::op::EntityKind::Invitation => id.parse().is_ok_and(|i| purged_invitations.contains(&i)),
                crate::op::EntityKind::Alert => id.parse().is_ok_and(|a| purged_alerts.contains(&a)),
                _ => false,
            }
        })
        .filter_map(|(i, op)| redact_op(op).map(|redacted| (i, redacted)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::ids::{DeviceId, HostId, OpId, SiteId};
    use crate::op::{VisitFields, VisitSignedIn, VisitSignedOut};

    fn op(seq: u64, body: OpBody) -> Op {
        let device = DeviceId::new();
        Op {
            id: OpId::new(),
            hlc: Hlc { millis: seq, counter: 0, device },
            device,
            seq,
            site: SiteId("s".into()),
            body,
        }
    }

    fn sign_in(visit: VisitId, name: &str, at: i64) -> OpBody {
        OpBody::VisitSignedIn(VisitSignedIn {
            visit_id: visit,
            fields: VisitFields {
                name: name.into(),
                company: "Acme".into(),
                host_id: HostId("h".into()),
                purpose: "talk".into(),
            },
            desk_id: "lobby".into(),
            signed_in_at: jiff::Timestamp::from_second(at).unwrap(),
            terms: None,
        })
    }

    #[test]
    fn visits_signed_in_before_the_horizon_lose_their_names_and_later_ones_keep_them() {
        let (old, new) = (VisitId::new(), VisitId::new());
        let ops = vec![
            op(1, sign_in(old, "王小明", 1_000)),
            op(2, sign_in(new, "Ann Lee", 5_000)),
            op(3, OpBody::VisitSignedOut(VisitSignedOut { visit_id: old, signed_out_at: jiff::Timestamp::UNIX_EPOCH })),
            // A second desk's copy of the old visit names a later time: the earliest counts.
            op(4, sign_in(old, "王小明", 9_000)),
        ];
        let redacted = redactions(&ops, jiff::Timestamp::from_second(2_000).unwrap());
        let indices: Vec<usize> = redacted.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, [0, 3], "the sign-out holds no personal data, the new visit is kept");
        for (i, op) in &redacted {
            let text = serde_json::to_string(op).unwrap();
            assert!(!text.contains("王小明") && !text.contains("Acme"), "{text}");
            assert_eq!((op.id, op.seq, op.body.kind()), (ops[*i].id, ops[*i].seq, ops[*i].body.kind()));
            assert!(same_up_to_redaction(op, &ops[*i]));
        }
        assert!(!same_up_to_redaction(&ops[0], &ops[1]));
    }
}
