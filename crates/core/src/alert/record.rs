//! One alert as merged from its ops, and what the rules allow next.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{
    AlertAcknowledged, AlertActor, AlertCancelled, AlertContext, AlertEscalated, AlertKind, AlertLevel, AlertOutcome,
    AlertRaised, AlertResolved, AlertSource, AlertState, AlertSubject, AlertTrigger, CANCEL_WINDOW_MS,
    SuspiciousDescription,
};
use crate::cards::Scenario;
use crate::hlc::Hlc;
use crate::ids::AlertId;
use crate::op::OpBody;

/// An op's body with the stamp it was written at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamped<T> {
    pub hlc: Hlc,
    pub body: T,
}

/// How an alert ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AlertEnd {
    Resolved(AlertResolved),
    Cancelled(AlertCancelled),
}

/// Everything known about one alert. Built by [`AlertRecord::merge`] from its ops in any
/// order, with duplicates: every device that has the same ops has the same record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRecord {
    pub id: AlertId,
    /// The earliest `alert.raised` by stamp (`None`: an acknowledgement arrived first).
    pub raised: Option<Stamped<AlertRaised>>,
    /// One per acknowledger (its earliest), ordered by stamp: the first owns the alert.
    pub acks: Vec<Stamped<AlertAcknowledged>>,
    /// One per round (its earliest), ordered by round.
    pub escalations: Vec<Stamped<AlertEscalated>>,
    /// The earliest `alert.resolved` or `alert.cancelled` by stamp.
    pub end: Option<Stamped<AlertEnd>>,
}

/// Why an action on an alert is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AlertRefusal {
    #[error("no such alert")]
    NotFound,
    #[error("the alert is already resolved or cancelled")]
    Ended,
    #[error("acknowledge the alert before resolving it")]
    NotAcknowledged,
    #[error("only a staff-assistance call can be cancelled")]
    NotCancellable,
    #[error("the 10-second window to cancel has passed")]
    CancelWindowPassed,
    #[error("only the desk that raised it can cancel it")]
    NotRaiser,
}

/// An alert as screens show it (guard consoles, the raising desk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertView {
    pub id: AlertId,
    pub kind: AlertKind,
    pub level: AlertLevel,
    pub trigger: AlertTrigger,
    pub drill: bool,
    pub state: AlertState,
    #[ts(type = "string")]
    pub raised_at: jiff::Timestamp,
    pub source: AlertSource,
    pub context: AlertContext,
    pub description: Option<SuspiciousDescription>,
    pub subject: Option<AlertSubject>,
    /// The first to acknowledge: the alert is theirs.
    pub owner: Option<AlertAcknowledged>,
    /// Everyone who acknowledged, first first.
    pub acks: Vec<AlertAcknowledged>,
    /// The highest escalation round (0: not escalated).
    pub escalated: u32,
    #[ts(type = "string | null")]
    pub escalated_at: Option<jiff::Timestamp>,
    pub resolution: Option<AlertResolved>,
    pub cancellation: Option<AlertCancelled>,
    /// The emergency card that goes with it.
    pub scenario: Option<Scenario>,
    /// Seconds from raising to the first acknowledgement.
    #[ts(type = "number | null")]
    pub seconds_to_ack: Option<i64>,
}

impl AlertRecord {
    pub fn new(id: AlertId) -> Self {
        AlertRecord { id, raised: None, acks: Vec::new(), escalations: Vec::new(), end: None }
    }

    /// The alert an op is about, if it is an alert op.
    pub fn alert_of(body: &OpBody) -> Option<AlertId> {
        match body {
            OpBody::AlertRaised(b) => Some(b.alert_id),
            OpBody::AlertAcknowledged(b) => Some(b.alert_id),
            OpBody::AlertEscalated(b) => Some(b.alert_id),
            OpBody::AlertResolved(b) => Some(b.alert_id),
            OpBody::AlertCancelled(b) => Some(b.alert_id),
            _ => None,
        }
    }

    /// Merge one op of this alert; `true` if the record changed. Commutative and idempotent:
    /// each part keeps the earliest stamp (or the union), whatever the order of arrival.
    pub fn merge(&mut self, hlc: Hlc, body: &OpBody) -> bool {
        if AlertRecord::alert_of(body) != Some(self.id) {
            return false;
        }
        match body {
            OpBody::AlertRaised(b) => keep_earliest(&mut self.raised, hlc, b.clone()),
            OpBody::AlertAcknowledged(b) => {
                let key = b.by.key();
                let changed = match self.acks.iter().position(|a| a.body.by.key() == key) {
                    Some(i) => replace_if_earlier(&mut self.acks[i], hlc, b),
                    None => {
                        self.acks.push(Stamped { hlc, body: b.clone() });
                        true
                    }
                };
                self.acks.sort_by_cached_key(|a| (a.hlc, a.body.by.key()));
                changed
            }
            OpBody::AlertEscalated(b) => {
                let changed = match self.escalations.iter().position(|e| e.body.round == b.round) {
                    Some(i) => replace_if_earlier(&mut self.escalations[i], hlc, b),
                    None => {
                        self.escalations.push(Stamped { hlc, body: b.clone() });
                        true
                    }
                };
                self.escalations.sort_by_key(|e| e.body.round);
                changed
            }
            OpBody::AlertResolved(b) => keep_earliest(&mut self.end, hlc, AlertEnd::Resolved(b.clone())),
            OpBody::AlertCancelled(b) => keep_earliest(&mut self.end, hlc, AlertEnd::Cancelled(b.clone())),
            _ => false,
        }
    }

    /// Raised here already (not only a placeholder for acknowledgements that came first).
    pub fn created(&self) -> bool {
        self.raised.is_some()
    }

    pub fn state(&self) -> AlertState {
        match &self.end {
            Some(Stamped { body: AlertEnd::Resolved(_), .. }) => AlertState::Resolved,
            Some(Stamped { body: AlertEnd::Cancelled(_), .. }) => AlertState::Cancelled,
            None if !self.acks.is_empty() => AlertState::Acknowledged,
            None => AlertState::Raised,
        }
    }

    pub fn ended(&self) -> bool {
        self.end.is_some()
    }

    /// The first acknowledgement by stamp: its actor owns the alert.
    pub fn owner(&self) -> Option<&AlertAcknowledged> {
        self.acks.first().map(|a| &a.body)
    }

    pub fn raise(&self) -> Option<&AlertRaised> {
        self.raised.as_ref().map(|r| &r.body)
    }

    pub fn escalated(&self) -> u32 {
        self.escalations.iter().map(|e| e.body.round).max().unwrap_or(0)
    }

    pub fn resolution(&self) -> Option<&AlertResolved> {
        match &self.end {
            Some(Stamped { body: AlertEnd::Resolved(r), .. }) => Some(r),
            _ => None,
        }
    }

    pub fn cancellation(&self) -> Option<&AlertCancelled> {
        match &self.end {
            Some(Stamped { body: AlertEnd::Cancelled(c), .. }) => Some(c),
            _ => None,
        }
    }

    /// When it ended (by the ending op's own time).
    pub fn ended_at(&self) -> Option<jiff::Timestamp> {
        match &self.end {
            Some(Stamped { body: AlertEnd::Resolved(r), .. }) => Some(r.at),
            Some(Stamped { body: AlertEnd::Cancelled(c), .. }) => Some(c.at),
            None => None,
        }
    }

    /// Seconds from raising to the owner's acknowledgement (never negative, whatever the two
    /// devices' clocks say).
    pub fn seconds_to_ack(&self) -> Option<i64> {
        let raised = self.raise()?.raised_at;
        let acked = self.owner()?.at;
        Some(((acked.as_millisecond() - raised.as_millisecond()).max(0) + 500) / 1000)
    }

    pub fn view(&self) -> Option<AlertView> {
        let r = self.raise()?;
        Some(AlertView {
            id: self.id,
            kind: r.kind,
            level: r.level,
            trigger: r.trigger,
            drill: r.drill,
            state: self.state(),
            raised_at: r.raised_at,
            source: r.source.clone(),
            context: r.context.clone(),
            description: r.description.clone(),
            subject: r.subject.clone(),
            owner: self.owner().cloned(),
            acks: self.acks.iter().map(|a| a.body.clone()).collect(),
            escalated: self.escalated(),
            escalated_at: self.escalations.first().map(|e| e.body.at),
            resolution: self.resolution().cloned(),
            cancellation: self.cancellation().cloned(),
            scenario: r.kind.scenario(r.description.as_ref()),
            seconds_to_ack: self.seconds_to_ack(),
        })
    }

    /// May `actor` acknowledge it now? `Ok(false)`: they already did (nothing to write).
    pub fn check_acknowledge(&self, actor: &AlertActor) -> Result<bool, AlertRefusal> {
        if !self.created() {
            return Err(AlertRefusal::NotFound);
        }
        if self.ended() {
            return Err(AlertRefusal::Ended);
        }
        Ok(!self.acks.iter().any(|a| a.body.by.key() == actor.key()))
    }

    /// May it be resolved now? Only once acknowledged: raised → acknowledged → resolved.
    pub fn check_resolve(&self) -> Result<(), AlertRefusal> {
        if !self.created() {
            return Err(AlertRefusal::NotFound);
        }
        if self.ended() {
            return Err(AlertRefusal::Ended);
        }
        if self.acks.is_empty() {
            return Err(AlertRefusal::NotAcknowledged);
        }
        Ok(())
    }

    /// May the desk `device` cancel it at `now_ms`? Only its own staff-assistance call, within
    /// [`CANCEL_WINDOW_MS`] of raising it, and not once it ended.
    pub fn check_cancel(&self, device: crate::ids::DeviceId, now_ms: i64) -> Result<(), AlertRefusal> {
        let raised = self.raise().ok_or(AlertRefusal::NotFound)?;
        if !raised.kind.cancellable() {
            return Err(AlertRefusal::NotCancellable);
        }
        if raised.source.device != device {
            return Err(AlertRefusal::NotRaiser);
        }
        if self.ended() {
            return Err(AlertRefusal::Ended);
        }
        if now_ms - raised.raised_at.as_millisecond() > CANCEL_WINDOW_MS {
            return Err(AlertRefusal::CancelWindowPassed);
        }
        Ok(())
    }

    /// Is it due for escalation round 1: not acknowledged, not ended, not escalated, and
    /// `waited_ms` (since the hub first had it) at least `after_ms`?
    pub fn due_for_escalation(&self, waited_ms: i64, after_ms: i64) -> bool {
        self.created() && self.acks.is_empty() && !self.ended() && self.escalations.is_empty() && waited_ms >= after_ms
    }

    /// The outcome, if resolved.
    pub fn outcome(&self) -> Option<AlertOutcome> {
        self.resolution().map(|r| r.outcome)
    }
}

/// Is (`hlc`, `body`) earlier than `than`? Stamps are unique in practice (a device's clock
/// strictly increases); should two ever be equal, the smaller JSON wins, so the choice never
/// depends on the order of arrival.
fn earlier<T: Serialize>(hlc: Hlc, body: &T, than: &Stamped<T>) -> bool {
    match hlc.cmp(&than.hlc) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => {
            let json = |b: &T| serde_json::to_string(b).unwrap_or_default();
            json(body) < json(&than.body)
        }
    }
}

fn replace_if_earlier<T: Serialize + Clone>(slot: &mut Stamped<T>, hlc: Hlc, body: &T) -> bool {
    if earlier(hlc, body, slot) {
        *slot = Stamped { hlc, body: body.clone() };
        true
    } else {
        false
    }
}

fn keep_earliest<T: Serialize + Clone>(slot: &mut Option<Stamped<T>>, hlc: Hlc, body: T) -> bool {
    match slot {
        Some(existing) => replace_if_earlier(existing, hlc, &body),
        None => {
            *slot = Some(Stamped { hlc, body });
            true
        }
    }
}

/// What a retention purge leaves of an alert raise: visitors' names and companies, and the
/// description of a suspicious person's appearance, blanked; the rest (kind, time, desk, host)
/// stays for the monthly report.
pub fn redact_raise(raise: &mut AlertRaised) {
    for visitor in &mut raise.context.visitors {
        visitor.name.clear();
        visitor.company.clear();
        visitor.photo = None;
    }
    if let Some(description) = &mut raise.description {
        description.appearance.clear();
    }
}

impl AlertRecord {
    /// The record without personal data (see [`redact_raise`]); free-text notes of the end are
    /// blanked too (they may name people).
    pub fn redacted(&self) -> AlertRecord {
        let mut record = self.clone();
        if let Some(raised) = &mut record.raised {
            redact_raise(&mut raised.body);
        }
        match record.end.as_mut().map(|e| &mut e.body) {
            Some(AlertEnd::Resolved(r)) => r.note.clear(),
            Some(AlertEnd::Cancelled(c)) => c.note.clear(),
            None => {}
        }
        record
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use crate::i18n::Localized;
    use crate::ids::DeviceId;
    use proptest::prelude::*;

    fn device(n: u128) -> DeviceId {
        DeviceId(uuid::Uuid::from_u128(n))
    }

    fn ts(s: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    fn hlc(millis: u64, d: u128) -> Hlc {
        Hlc { millis, counter: 0, device: device(d) }
    }

    fn actor(kind: ActorKind, id: &str) -> AlertActor {
        AlertActor { kind, id: id.into(), name: id.to_uppercase() }
    }

    fn raised(id: AlertId, kind: AlertKind, at: i64) -> OpBody {
        OpBody::AlertRaised(AlertRaised {
            alert_id: id,
            kind,
            level: kind.default_level(),
            trigger: AlertTrigger::Discreet,
            drill: false,
            raised_at: ts(at),
            source: AlertSource {
                device: device(1),
                device_name: "Lobby".into(),
                desk_id: "lobby".into(),
                desk_name: Localized { zh_cn: "大堂".into(), en: "Lobby".into() },
            },
            context: AlertContext { at_desk: DeskSession { role: None, admin: false }, visitors: vec![] },
            description: None,
            subject: None,
        })
    }

    fn ack(id: AlertId, who: &str, at: i64) -> OpBody {
        OpBody::AlertAcknowledged(AlertAcknowledged { alert_id: id, by: actor(ActorKind::Guard, who), at: ts(at) })
    }

    fn resolve(id: AlertId, outcome: AlertOutcome, at: i64) -> OpBody {
        OpBody::AlertResolved(AlertResolved {
            alert_id: id,
            outcome,
            note: "n".into(),
            by: actor(ActorKind::Guard, "wang"),
            at: ts(at),
        })
    }

    fn cancel(id: AlertId, at: i64) -> OpBody {
        OpBody::AlertCancelled(AlertCancelled {
            alert_id: id,
            reason: CancelReason::Mistake,
            note: String::new(),
            by: actor(ActorKind::Desk, "lobby"),
            at: ts(at),
        })
    }

    fn escalate(id: AlertId, round: u32, at: i64) -> OpBody {
        OpBody::AlertEscalated(AlertEscalated { alert_id: id, round, at: ts(at), notify: vec![] })
    }

    #[test]
    fn state_moves_forward_and_the_first_acknowledger_owns_it() {
        let id = AlertId::new();
        let mut r = AlertRecord::new(id);
        assert!(r.merge(hlc(10, 1), &raised(id, AlertKind::Duress, 0)));
        assert_eq!(r.state(), AlertState::Raised);
        assert!(r.merge(hlc(30, 3), &ack(id, "li", 9)));
        assert!(r.merge(hlc(20, 2), &ack(id, "wang", 4)));
        assert_eq!(r.state(), AlertState::Acknowledged);
        assert_eq!(r.owner().unwrap().by.id, "wang", "the earliest stamp owns it, whatever arrived first");
        assert_eq!(r.seconds_to_ack(), Some(4));
        assert!(r.merge(hlc(40, 2), &resolve(id, AlertOutcome::Real, 60)));
        assert_eq!(r.state(), AlertState::Resolved);
        // A late acknowledgement is recorded but never moves the state back.
        assert!(r.merge(hlc(50, 4), &ack(id, "zhao", 70)));
        assert_eq!(r.state(), AlertState::Resolved);
        assert_eq!(r.check_acknowledge(&actor(ActorKind::Guard, "x")), Err(AlertRefusal::Ended));
    }

    #[test]
    fn the_earliest_end_wins_between_a_cancel_and_a_resolve() {
        let id = AlertId::new();
        let mut a = AlertRecord::new(id);
        let mut b = AlertRecord::new(id);
        let ops = [
            (hlc(1, 1), raised(id, AlertKind::Assistance, 0)),
            (hlc(5, 1), cancel(id, 3)),
            (hlc(4, 2), ack(id, "wang", 2)),
            (hlc(6, 2), resolve(id, AlertOutcome::FalseAlarm, 4)),
        ];
        for (h, op) in &ops {
            a.merge(*h, op);
        }
        for (h, op) in ops.iter().rev() {
            b.merge(*h, op);
        }
        assert_eq!(a, b);
        assert_eq!(a.state(), AlertState::Cancelled);
    }

    #[test]
    fn cancelling_is_for_the_raising_desks_assistance_call_within_ten_seconds() {
        let id = AlertId::new();
        let mut r = AlertRecord::new(id);
        r.merge(hlc(1, 1), &raised(id, AlertKind::Assistance, 0));
        let raised_ms = ts(0).as_millisecond();
        assert_eq!(r.check_cancel(device(1), raised_ms + CANCEL_WINDOW_MS), Ok(()));
        assert_eq!(r.check_cancel(device(1), raised_ms + CANCEL_WINDOW_MS + 1), Err(AlertRefusal::CancelWindowPassed));
        assert_eq!(r.check_cancel(device(2), raised_ms), Err(AlertRefusal::NotRaiser));
        let id2 = AlertId::new();
        let mut duress = AlertRecord::new(id2);
        duress.merge(hlc(1, 1), &raised(id2, AlertKind::Duress, 0));
        assert_eq!(duress.check_cancel(device(1), raised_ms), Err(AlertRefusal::NotCancellable));
        assert_eq!(AlertRecord::new(AlertId::new()).check_cancel(device(1), 0), Err(AlertRefusal::NotFound));
    }

    #[test]
    fn resolving_needs_an_acknowledgement_first() {
        let id = AlertId::new();
        let mut r = AlertRecord::new(id);
        assert_eq!(r.check_resolve(), Err(AlertRefusal::NotFound));
        r.merge(hlc(1, 1), &raised(id, AlertKind::Fire, 0));
        assert_eq!(r.check_resolve(), Err(AlertRefusal::NotAcknowledged));
        assert_eq!(r.check_acknowledge(&actor(ActorKind::Guard, "wang")), Ok(true));
        r.merge(hlc(2, 2), &ack(id, "wang", 1));
        assert_eq!(r.check_acknowledge(&actor(ActorKind::Guard, "wang")), Ok(false), "twice is a no-op");
        assert_eq!(r.check_resolve(), Ok(()));
    }

    #[test]
    fn escalation_is_due_once_when_nobody_acknowledged_in_time() {
        let id = AlertId::new();
        let mut r = AlertRecord::new(id);
        assert!(!r.due_for_escalation(60_000, 20_000), "not before the raise is here");
        r.merge(hlc(1, 1), &raised(id, AlertKind::Duress, 0));
        assert!(!r.due_for_escalation(19_999, 20_000));
        assert!(r.due_for_escalation(20_000, 20_000));
        r.merge(hlc(2, 9), &escalate(id, 1, 20));
        assert!(!r.due_for_escalation(40_000, 20_000));
        assert_eq!(r.escalated(), 1);
    }

    #[test]
    fn ops_of_another_alert_or_kind_change_nothing() {
        let id = AlertId::new();
        let mut r = AlertRecord::new(id);
        assert!(!r.merge(hlc(1, 1), &raised(AlertId::new(), AlertKind::Fire, 0)));
        assert_eq!(r, AlertRecord::new(id));
    }

    #[test]
    fn the_rules_of_every_alert_op() {
        let id = AlertId::new();
        let mut duress = raised(id, AlertKind::Duress, 0);
        assert!(check_op(&duress).is_ok());
        if let OpBody::AlertRaised(r) = &mut duress {
            r.level = AlertLevel::Warning;
        }
        assert!(check_op(&duress).is_err(), "a duress alert is always an emergency");
        assert!(check_op(&raised(id, AlertKind::LostContact, 0)).is_err(), "lost contact names its device");
        assert!(check_op(&raised(id, AlertKind::Suspicious, 0)).is_err(), "suspicious needs a description");
        let long = OpBody::AlertResolved(AlertResolved {
            alert_id: id,
            outcome: AlertOutcome::Real,
            note: "x".repeat(NOTE_MAX_CHARS + 1),
            by: actor(ActorKind::Guard, "wang"),
            at: ts(0),
        });
        assert!(check_op(&long).is_err());
        assert!(check_op(&escalate(id, 0, 0)).is_err());
        let nobody =
            OpBody::AlertAcknowledged(AlertAcknowledged { alert_id: id, by: actor(ActorKind::Guard, ""), at: ts(0) });
        assert!(check_op(&nobody).is_err());
    }

    fn any_op(id: AlertId) -> impl Strategy<Value = (Hlc, OpBody)> {
        (0u64..8, 1u128..4, 0u8..5, 0u8..3, 0i64..30).prop_map(move |(millis, d, which, who, at)| {
            let who = ["wang", "li", "zhao"][who as usize];
            let body = match which {
                0 => raised(id, AlertKind::Assistance, at),
                1 => ack(id, who, at),
                2 => escalate(id, 1 + (at % 2) as u32, at),
                3 => resolve(id, AlertOutcome::Real, at),
                _ => cancel(id, at),
            };
            (Hlc { millis, counter: (at as u32) * 10 + which as u32, device: device(d) }, body)
        })
    }

    proptest! {
        #[test]
        fn any_order_and_any_duplication_give_the_same_record(
            ops in prop::collection::vec(any_op(AlertId(uuid::Uuid::from_u128(77))), 1..12),
            shuffle in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
            dupes in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        ) {
            let id = AlertId(uuid::Uuid::from_u128(77));
            let mut reference = AlertRecord::new(id);
            for (h, op) in &ops {
                reference.merge(*h, op);
            }
            let mut delivery = ops.clone();
            for d in &dupes {
                delivery.push(ops[d.index(ops.len())].clone());
            }
            for (i, s) in shuffle.iter().enumerate() {
                let len = delivery.len();
                delivery.swap(i % len, s.index(len));
            }
            let mut other = AlertRecord::new(id);
            for (h, op) in &delivery {
                other.merge(*h, op);
            }
            prop_assert_eq!(&other, &reference);
            // The state never goes back: an ended alert stays ended, whatever came later.
            if reference.ended() {
                prop_assert!(matches!(reference.state(), AlertState::Resolved | AlertState::Cancelled));
            }
        }
    }
}
