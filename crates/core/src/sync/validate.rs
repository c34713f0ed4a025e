//! The hub's checks of pushed ops. Pure rules, here in core so they are written once and the
//! model hub of the property tests applies exactly what the real hub applies.

use super::authority::Author;
use super::protocol::{HubError, HubErrorCode, MAX_CLOCK_SKEW_MS, MAX_OP_BYTES, MAX_PUSH_OPS};
use crate::ids::{DeviceId, SiteId};
use crate::op::{Op, OpBody};

/// The device pushing, as the hub knows it from its credential.
#[derive(Debug, Clone)]
pub struct Pusher {
    pub device: DeviceId,
    pub site: SiteId,
    /// Site data with a sequence number up to here was written before the device enrolled and
    /// is handed up; later site data from this device is refused. `u64::MAX` for the hub itself.
    pub handover_seq: u64,
}

fn refuse(code: HubErrorCode, op: &Op, why: impl std::fmt::Display) -> HubError {
    HubError::new(code, format!("operation {} (seq {}): {why}", op.id, op.seq))
}

/// Everything about a batch that needs no stored state. Nothing of a batch is stored unless
/// all of it passes.
pub fn check_batch(pusher: &Pusher, ops: &[Op], now_ms: u64) -> Result<(), HubError> {
    if ops.len() > MAX_PUSH_OPS {
        return Err(HubError::new(
            HubErrorCode::PayloadTooLarge,
            format!("{} operations in one push; at most {MAX_PUSH_OPS}", ops.len()),
        ));
    }
    for pair in ops.windows(2) {
        if pair[1].seq <= pair[0].seq {
            return Err(refuse(HubErrorCode::InvalidOp, &pair[1], "a batch must be in increasing sequence order"));
        }
    }
    for op in ops {
        check_op(pusher, op, now_ms)?;
    }
    Ok(())
}

pub fn check_op(pusher: &Pusher, op: &Op, now_ms: u64) -> Result<(), HubError> {
    if op.site != pusher.site {
        return Err(refuse(
            HubErrorCode::SiteMismatch,
            op,
            format_args!("belongs to site {} but this device is enrolled at {}", op.site, pusher.site),
        ));
    }
    if op.device != pusher.device {
        return Err(refuse(
            HubErrorCode::DeviceMismatch,
            op,
            format_args!("claims device {} but was pushed by {}", op.device, pusher.device),
        ));
    }
    if op.hlc.device != op.device {
        return Err(refuse(HubErrorCode::InvalidOp, op, "its clock stamp names another device"));
    }
    if op.seq == 0 {
        return Err(refuse(HubErrorCode::InvalidOp, op, "sequence numbers start at 1"));
    }
    if op.hlc.millis > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
        return Err(refuse(
            HubErrorCode::ClockSkew,
            op,
            format_args!(
                "its clock stamp is {} s ahead of the hub's clock; set the kiosk's clock right",
                (op.hlc.millis - now_ms) / 1000
            ),
        ));
    }
    if op.body.author() == Author::Site && op.seq > pusher.handover_seq {
        return Err(refuse(
            HubErrorCode::NotAuthor,
            op,
            format_args!("{} is site data, which the hub writes for enrolled devices", op.body.kind()),
        ));
    }
    let size = serde_json::to_vec(op).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_OP_BYTES {
        return Err(refuse(
            HubErrorCode::PayloadTooLarge,
            op,
            format_args!("{size} bytes; one operation may have at most {MAX_OP_BYTES}"),
        ));
    }
    if let OpBody::CardPublished(card) = &op.body
        && let Err(problems) = crate::cards::check_file(&card.file, &card.text)
    {
        let first = problems.first().map(ToString::to_string).unwrap_or_default();
        return Err(refuse(HubErrorCode::InvalidOp, op, format_args!("the card is not valid: {first}")));
    }
    if let Err(why) = crate::alert::check_op(&op.body) {
        return Err(refuse(HubErrorCode::InvalidOp, op, why));
    }
    // A kiosk cannot report its own silence: lost contact is the hub's (its pusher has no
    // hand-over limit).
    if let OpBody::AlertRaised(raised) = &op.body
        && raised.kind.hub_only()
        && pusher.handover_seq != u64::MAX
    {
        return Err(refuse(HubErrorCode::NotAuthor, op, "only the hub raises lost-contact alerts"));
    }
    if let OpBody::SitePublished(published) = &op.body {
        if published.config.site.id != op.site {
            return Err(refuse(HubErrorCode::SiteMismatch, op, "the settings are another site's"));
        }
        if let Err(e) = published.config.validate("site.published") {
            return Err(refuse(HubErrorCode::InvalidOp, op, e));
        }
    }
    Ok(())
}

/// Whether an op passing `check_op` is new, given what the hub holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Store it.
    New,
    /// The hub has this very op: a no-op.
    Duplicate,
}

/// The sequence rules. `stored` is the op the hub holds with this op's id (as JSON), if any;
/// `device_seq` the highest sequence number it holds of the device (0 for none). The hub holds
/// every device's ops without gaps, so `device_seq` also says what it expects next.
pub fn classify(op: &Op, op_json: &str, stored: Option<&str>, device_seq: u64) -> Result<Arrival, HubError> {
    if let Some(stored) = stored {
        // A purge may have redacted either copy (the hub's or the re-sender's): still the same op.
        let redacted_copy = || {
            serde_json::from_str::<Op>(stored)
                .is_ok_and(|stored| crate::visitors::retention::same_up_to_redaction(&stored, op))
        };
        return if stored == op_json || redacted_copy() {
            Ok(Arrival::Duplicate)
        } else {
            Err(refuse(HubErrorCode::SequenceConflict, op, "an operation with this id and other content exists"))
        };
    }
    let expected = device_seq + 1;
    if op.seq < expected {
        let mut err = refuse(HubErrorCode::SequenceConflict, op, "another operation holds this sequence number");
        err.expected_seq = Some(expected);
        return Err(err);
    }
    if op.seq > expected {
        let mut err = refuse(
            HubErrorCode::SequenceGap,
            op,
            format_args!("the hub holds this device's operations up to {device_seq}; send from {expected}"),
        );
        err.expected_seq = Some(expected);
        return Err(err);
    }
    Ok(Arrival::New)
}

/// The canonical JSON the hub stores and compares re-sent ops with.
pub fn op_json(op: &Op) -> String {
    serde_json::to_string(op).expect("an op always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use crate::ids::{HostId, OpId, VisitId};
    use crate::op::{HostRecord, VisitSignedOut};

    const NOW: u64 = 1_800_000_000_000;

    fn pusher() -> Pusher {
        Pusher { device: DeviceId(uuid::Uuid::from_u128(1)), site: SiteId("s".into()), handover_seq: 2 }
    }

    fn op(seq: u64, body: OpBody) -> Op {
        let device = pusher().device;
        Op {
            id: OpId::new(),
            hlc: Hlc { millis: NOW, counter: seq as u32, device },
            device,
            seq,
            site: pusher().site,
            body,
        }
    }

    fn sign_out() -> OpBody {
        OpBody::VisitSignedOut(VisitSignedOut { visit_id: VisitId::new(), signed_out_at: jiff::Timestamp::UNIX_EPOCH })
    }

    fn host() -> OpBody {
        OpBody::HostUpserted(HostRecord {
            id: HostId("h".into()),
            name: "H".into(),
            department: String::new(),
            extension: String::new(),
            email: String::new(),
            may_escort: false,
            active: true,
        })
    }

    fn code(result: Result<(), HubError>) -> HubErrorCode {
        result.unwrap_err().code
    }

    #[test]
    fn each_op_must_be_the_pushers_own_at_its_site() {
        assert!(check_op(&pusher(), &op(1, sign_out()), NOW).is_ok());
        let mut other_site = op(1, sign_out());
        other_site.site = SiteId("elsewhere".into());
        assert_eq!(code(check_op(&pusher(), &other_site, NOW)), HubErrorCode::SiteMismatch);
        let mut other_device = op(1, sign_out());
        other_device.device = DeviceId::new();
        assert_eq!(code(check_op(&pusher(), &other_device, NOW)), HubErrorCode::DeviceMismatch);
        let mut stolen_stamp = op(1, sign_out());
        stolen_stamp.hlc.device = DeviceId::new();
        assert_eq!(code(check_op(&pusher(), &stolen_stamp, NOW)), HubErrorCode::InvalidOp);
        assert_eq!(code(check_op(&pusher(), &op(0, sign_out()), NOW)), HubErrorCode::InvalidOp);
        let mut future = op(1, sign_out());
        future.hlc.millis = NOW + MAX_CLOCK_SKEW_MS + 1;
        assert_eq!(code(check_op(&pusher(), &future, NOW)), HubErrorCode::ClockSkew);
    }

    #[test]
    fn site_data_is_accepted_only_up_to_the_hand_over() {
        assert!(check_op(&pusher(), &op(2, host()), NOW).is_ok());
        assert_eq!(code(check_op(&pusher(), &op(3, host()), NOW)), HubErrorCode::NotAuthor);
        assert!(check_op(&pusher(), &op(3, sign_out()), NOW).is_ok());
    }

    #[test]
    fn a_published_card_must_pass_the_kiosks_card_rules() {
        let good = include_str!("../../../../assets/cards/receptionist/fire.toml");
        let card = |file: &str, text: &str| {
            op(1, OpBody::CardPublished(crate::op::CardPublished { file: file.into(), text: text.into() }))
        };
        assert!(check_op(&pusher(), &card("receptionist/fire.toml", good), NOW).is_ok());
        let too_many = good.replace("actions = [", "actions = [\"One.\", \"Two.\", \"Three.\",");
        for (file, text) in [
            ("receptionist/fire.toml", too_many.as_str()),
            ("receptionist/flood.toml", good),
            ("../fire.toml", good),
            ("receptionist/fire.toml", "not = [toml"),
        ] {
            assert_eq!(code(check_op(&pusher(), &card(file, text), NOW)), HubErrorCode::InvalidOp, "{file}");
        }
    }

    #[test]
    fn batches_are_bounded_and_ordered() {
        let ops: Vec<Op> = (1..=MAX_PUSH_OPS as u64 + 1).map(|s| op(s, sign_out())).collect();
        assert_eq!(code(check_batch(&pusher(), &ops, NOW)), HubErrorCode::PayloadTooLarge);
        let unordered = vec![op(2, sign_out()), op(1, sign_out())];
        assert_eq!(code(check_batch(&pusher(), &unordered, NOW)), HubErrorCode::InvalidOp);
    }

    #[test]
    fn sequence_numbers_continue_without_gaps_and_resends_are_no_ops() {
        let first = op(1, sign_out());
        let json = op_json(&first);
        assert_eq!(classify(&first, &json, None, 0).unwrap(), Arrival::New);
        assert_eq!(classify(&first, &json, Some(&json), 1).unwrap(), Arrival::Duplicate);
        let mut altered = first.clone();
        altered.body = sign_out();
        let err = classify(&altered, &op_json(&altered), Some(&json), 1).unwrap_err();
        assert_eq!(err.code, HubErrorCode::SequenceConflict);
        let reuse = op(1, sign_out());
        assert_eq!(classify(&reuse, &op_json(&reuse), None, 1).unwrap_err().expected_seq, Some(2));
        let gap = op(5, sign_out());
        let err = classify(&gap, &op_json(&gap), None, 1).unwrap_err();
        assert_eq!((err.code, err.expected_seq), (HubErrorCode::SequenceGap, Some(2)));
    }
}
