//! The desk's side of alerts: raising them (discreet control, hotkey, duress PIN, the alert
//! panel), withdrawing a staff-assistance call, guard mode (acknowledge, resolve), drill mode,
//! and what the desk shows of its own alerts.
//!
//! Raising commits the `alert.raised` op (SQLite, `synchronous = FULL`: on disk) before the
//! call returns, so the screen never reacts to an alert that could still be lost; the sync
//! engine's courier then delivers it (see `sync::engine`).
//!
//! A silent alert (duress, watch-list hit) leaves nothing on this kiosk's screens, not even in
//! the admin screen's audit list: its audit entries are written here once guards have ended
//! it. It is in the op log at once, and in the hub's audit trail as soon as the hub has it.

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::Kiosk;
use super::change::Change;
use crate::alert::{
    ActorKind, AlertAcknowledged, AlertActor, AlertCancelled, AlertContext, AlertKind, AlertLevel, AlertOutcome,
    AlertRaised, AlertRecord, AlertResolved, AlertSource, AlertState, AlertTrigger, AlertView, CONTEXT_WINDOW_MS,
    CancelReason, DeskSession, MAX_CONTEXT_VISITORS, NOTE_MAX_CHARS, SuspiciousDescription,
};
use crate::audit::AuditAction;
use crate::cards::{Role, Scenario};
use crate::error::{CoreError, FieldError, FieldErrorCode};
use crate::ids::AlertId;
use crate::op::{Op, OpBody};
use crate::pin::PinPurpose;

const META_DRILL_UNTIL: &str = "alerts.drill_until";
const META_GUARD_MODE: &str = "alerts.guard_mode";
/// The highest sequence number of this device's ops the hub confirmed committing while an
/// alert was waiting (forward only; the courier's mark).
const META_CONFIRMED_SEQ: &str = "alerts.confirmed_seq";

/// The longest drill mode an admin can switch on at once.
pub const MAX_DRILL_MINUTES: u32 = 240;
/// The discreet indicator follows this desk's latest alert for this long.
const INDICATOR_WINDOW_MS: i64 = 30 * 60 * 1000;

/// An alert raised from the alert panel (the discreet control, the hotkey and the duress PIN
/// raise duress alerts without one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RaiseAlert {
    pub kind: AlertKind,
    /// Absent: the kind's default level.
    pub level: Option<AlertLevel>,
    /// Required for a suspicious person or package.
    pub description: Option<SuspiciousDescription>,
}

/// What the desk may show after raising a visible alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RaisedAlert {
    pub alert: AlertView,
    /// A staff-assistance call can be withdrawn until then.
    #[ts(type = "string | null")]
    pub cancellable_until: Option<jiff::Timestamp>,
}

/// The result of withdrawing a staff-assistance call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CancelOutcome {
    Cancelled {
        alert: Box<AlertView>,
    },
    /// The PIN was not accepted (same refusal as at any PIN prompt).
    PinRefused(super::PinRefusal),
    /// The alert can no longer be cancelled (too late, already ended, or not cancellable).
    NotCancelled {
        code: crate::ErrorCode,
    },
}

/// What the discreet indicator in the top bar says about this desk's latest duress alert. The screen
/// shows only `acknowledged` (a small mark the receptionist knows); the rest is for tests and
/// diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorState {
    None,
    /// Stored here, not yet confirmed by the hub.
    Waiting,
    /// The hub confirmed it committed the alert.
    Delivered,
    Acknowledged,
    Resolved,
}

/// The desk's alert state, for its screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeskAlertStatus {
    pub guard_mode: bool,
    /// Drill mode is on until then: every alert raised here is a drill.
    #[ts(type = "string | null")]
    pub drill_until: Option<jiff::Timestamp>,
    pub indicator: IndicatorState,
    /// This desk's own visible (not silent) alerts that are still open, latest first.
    pub visible: Vec<AlertView>,
    /// The global hotkey configured for the site ("" if none).
    pub hotkey: String,
}

impl Kiosk {
    /// Raise a silent duress alert (discreet control, hotkey): nothing to show, nothing shown.
    pub fn raise_duress(&self, trigger: AlertTrigger) -> Result<AlertId, CoreError> {
        self.change(|change| self.raise_in(change, AlertKind::Duress, None, trigger, None))
    }

    /// Raise an alert from the alert panel.
    pub fn raise_alert(&self, request: RaiseAlert) -> Result<RaisedAlert, CoreError> {
        let description = match (request.kind, request.description) {
            (AlertKind::Suspicious, Some(d)) => Some(clean_description(d)?),
            (AlertKind::Suspicious, None) => {
                return Err(CoreError::Validation(vec![FieldError::new("appearance", FieldErrorCode::Required)]));
            }
            (_, _) => None,
        };
        if matches!(request.kind, AlertKind::LostContact | AlertKind::WatchlistHit) {
            // Not raised by hand: the hub supervises, the sign-in matches the watch list.
            return Err(CoreError::Validation(vec![FieldError::new("kind", FieldErrorCode::Required)]));
        }
        let id = self.change(|change| {
            self.raise_in(change, request.kind, request.level, AlertTrigger::Panel, description.clone())
        })?;
        let alert = self.alert_view(id)?;
        let cancellable_until = request
            .kind
            .cancellable()
            .then(|| alert.raised_at + jiff::SignedDuration::from_millis(crate::alert::CANCEL_WINDOW_MS));
        Ok(RaisedAlert { alert, cancellable_until })
    }

    /// Record a watch-list hit for `visit_id` as a silent alert (kind `watchlist_hit`, trigger
    /// `watchlist`), in the change that records the hit: guards get it like any alert, the
    /// desk shows nothing of it. For the visitors work (see docs/alerts.md).
    pub fn raise_watchlist_hit_in(
        &self,
        change: &mut Change<'_>,
        visit_id: crate::ids::VisitId,
    ) -> Result<AlertId, CoreError> {
        self.raise_with_subject_in(
            change,
            AlertKind::WatchlistHit,
            None,
            AlertTrigger::Watchlist,
            None,
            Some(crate::alert::AlertSubject::Visit { visit_id }),
        )
    }

    /// Write an `alert.raised` op for this desk in `change`, with its context: who is at the
    /// desk, and the visitors signed in here in the last 15 minutes. Used by every trigger,
    /// including the duress PIN inside the PIN check.
    pub(crate) fn raise_in(
        &self,
        change: &mut Change<'_>,
        kind: AlertKind,
        level: Option<AlertLevel>,
        trigger: AlertTrigger,
        description: Option<SuspiciousDescription>,
    ) -> Result<AlertId, CoreError> {
        self.raise_with_subject_in(change, kind, level, trigger, description, None)
    }

    fn raise_with_subject_in(
        &self,
        change: &mut Change<'_>,
        kind: AlertKind,
        level: Option<AlertLevel>,
        trigger: AlertTrigger,
        description: Option<SuspiciousDescription>,
        subject: Option<crate::alert::AlertSubject>,
    ) -> Result<AlertId, CoreError> {
        let alert_id = AlertId::new();
        let now = change.now();
        let level =
            if kind == AlertKind::Duress { AlertLevel::Emergency } else { level.unwrap_or(kind.default_level()) };
        let desk = change.desk()?;
        let visitors = change.read().visitors_at_desk_since(
            &desk.id,
            change.now_ms() - CONTEXT_WINDOW_MS,
            MAX_CONTEXT_VISITORS,
        )?;
        let role: Option<Role> = change
            .meta(super::cards::META_CARD_ROLE)?
            .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok());
        let drill = self.drill_active(change)?;
        let source = self.alert_source(change)?;
        let raised = AlertRaised {
            alert_id,
            kind,
            level,
            trigger,
            drill,
            raised_at: now,
            source,
            context: AlertContext { at_desk: DeskSession { role, admin: self.admin_signed_in() }, visitors },
            description,
            subject,
        };
        let people = raised.context.visitors.len();
        change.op(OpBody::AlertRaised(raised))?;
        if !kind.silent() {
            let actor = change.desk_actor()?;
            change.audit(
                &actor,
                AuditAction::AlertRaised,
                alert_id.to_string(),
                json!({ "kind": kind, "level": level, "trigger": trigger, "drill": drill, "visitors": people }),
            )?;
        }
        self.mark_alerts_changed();
        Ok(alert_id)
    }

    /// Where this desk's alerts come from: its name at the hub (or its desk's name when
    /// standalone) and its desk.
    fn alert_source(&self, change: &Change<'_>) -> Result<AlertSource, CoreError> {
        let desk = change.desk()?;
        let site = self.site();
        let device_name = change
            .meta(crate::sync::link_meta_key())?
            .and_then(|json| serde_json::from_str::<crate::sync::HubLink>(&json).ok())
            .map(|link| link.device_name)
            .unwrap_or_else(|| desk.name.get(site.site.default_language).to_owned());
        Ok(AlertSource { device: self.device_id(), device_name, desk_id: desk.id, desk_name: desk.name })
    }

    fn desk_actor_for_alerts(&self, change: &Change<'_>) -> Result<AlertActor, CoreError> {
        let source = self.alert_source(change)?;
        Ok(AlertActor { kind: ActorKind::Desk, id: self.device_id().to_string(), name: source.device_name })
    }

    /// Is `pin` the site's duress PIN?
    pub(crate) fn is_duress_pin(&self, pin: &str) -> bool {
        self.site().alerts.duress_pin_hash.as_deref().is_some_and(|hash| crate::pin::verify_pin(hash, pin))
    }

    /// Withdraw this desk's staff-assistance call within 10 s of raising it, with the PIN and
    /// a reason. The PIN goes through the one PIN check (a duress PIN works like the real one
    /// and raises a silent alert, which is kept whatever happens to the cancellation).
    pub fn cancel_alert(
        &self,
        alert_id: AlertId,
        pin: &str,
        reason: CancelReason,
        note: &str,
    ) -> Result<CancelOutcome, CoreError> {
        let note = clean_note("note", note)?;
        // Refusals after the PIN check are answers, not errors: an error would roll back the
        // change, and with it a duress alert the PIN check may have raised.
        let refused = self.change(|change| {
            let check = self.check_pin_in(change, PinPurpose::Supervisor, pin)?;
            if let super::PinCheck::Refused(refusal) = check {
                return Ok(Some(CancelOutcome::PinRefused(refusal)));
            }
            let record = change.read().alert(alert_id)?.unwrap_or_else(|| AlertRecord::new(alert_id));
            if let Err(refusal) = record.check_cancel(self.device_id(), change.now_ms()) {
                return Ok(Some(CancelOutcome::NotCancelled { code: CoreError::Alert(refusal).code() }));
            }
            let by = self.desk_actor_for_alerts(change)?;
            change.op(OpBody::AlertCancelled(AlertCancelled {
                alert_id,
                reason,
                note: note.clone(),
                by,
                at: change.now(),
            }))?;
            let actor = change.desk_actor()?;
            change.audit(&actor, AuditAction::AlertCancelled, alert_id.to_string(), json!({ "reason": reason }))?;
            Ok(None)
        })?;
        self.mark_alerts_changed();
        match refused {
            Some(outcome) => Ok(outcome),
            None => Ok(CancelOutcome::Cancelled { alert: Box::new(self.alert_view(alert_id)?) }),
        }
    }

    /// Guard mode: acknowledge an alert ("I have it"). The first acknowledgement by clock stamp
    /// owns the alert on every device; acknowledging twice writes nothing.
    pub fn acknowledge_alert(&self, alert_id: AlertId) -> Result<AlertView, CoreError> {
        self.require_guard_mode()?;
        self.change(|change| {
            let by = self.desk_actor_for_alerts(change)?;
            let record = change.read().alert(alert_id)?.unwrap_or_else(|| AlertRecord::new(alert_id));
            if record.check_acknowledge(&by)? {
                change.op(OpBody::AlertAcknowledged(AlertAcknowledged { alert_id, by, at: change.now() }))?;
                let actor = change.desk_actor()?;
                change.audit(&actor, AuditAction::AlertAcknowledged, alert_id.to_string(), json!({}))?;
            }
            Ok(())
        })?;
        self.mark_alerts_changed();
        self.alert_view(alert_id)
    }

    /// Guard mode: resolve an acknowledged alert with its outcome and a note.
    pub fn resolve_alert(&self, alert_id: AlertId, outcome: AlertOutcome, note: &str) -> Result<AlertView, CoreError> {
        self.require_guard_mode()?;
        if outcome == AlertOutcome::ContactRestored {
            // Only the hub closes a lost-contact alert that way, when it hears the kiosk again.
            return Err(CoreError::Validation(vec![FieldError::new("outcome", FieldErrorCode::Required)]));
        }
        let note = clean_note("note", note)?;
        self.change(|change| {
            let record = change.read().alert(alert_id)?.unwrap_or_else(|| AlertRecord::new(alert_id));
            record.check_resolve()?;
            let by = self.desk_actor_for_alerts(change)?;
            change.op(OpBody::AlertResolved(AlertResolved {
                alert_id,
                outcome,
                note: note.clone(),
                by,
                at: change.now(),
            }))?;
            let actor = change.desk_actor()?;
            change.audit(&actor, AuditAction::AlertResolved, alert_id.to_string(), json!({ "outcome": outcome }))?;
            Ok(())
        })?;
        self.mark_alerts_changed();
        self.alert_view(alert_id)
    }

    pub fn alert_view(&self, alert_id: AlertId) -> Result<AlertView, CoreError> {
        self.store()
            .read()
            .alert(alert_id)?
            .and_then(|r| r.view())
            .ok_or(CoreError::Alert(crate::alert::AlertRefusal::NotFound))
    }

    /// Guard mode: the site's open alerts, and those ended in the last `hours`, open ones
    /// first, then latest first.
    pub fn guard_alerts(&self, hours: u32) -> Result<Vec<AlertView>, CoreError> {
        self.require_guard_mode()?;
        let site = self.site().site.id.0.clone();
        let now = self.clock_wall_ms();
        let store = self.store();
        let reader = store.read();
        let mut views: Vec<AlertView> = reader.alerts_open(&site)?.iter().filter_map(AlertRecord::view).collect();
        views.reverse();
        let since = now - i64::from(hours.min(24 * 7)) * 3_600_000;
        for record in reader.alerts_between(&site, since, i64::MAX, 200)? {
            if record.ended()
                && let Some(view) = record.view()
            {
                views.push(view);
            }
        }
        Ok(views)
    }

    fn require_guard_mode(&self) -> Result<(), CoreError> {
        if self.store().meta(META_GUARD_MODE)?.as_deref() == Some("1") {
            Ok(())
        } else {
            Err(CoreError::GuardModeRequired)
        }
    }

    fn drill_active(&self, change: &Change<'_>) -> Result<bool, CoreError> {
        let until = change.meta(META_DRILL_UNTIL)?.and_then(|v| v.parse::<i64>().ok());
        Ok(until.is_some_and(|until| until > change.now_ms()))
    }

    /// Switch drill mode on for `minutes` (0: off). While it is on, every alert raised here
    /// is a drill, marked as such on every screen. Admin only; audited.
    pub fn set_drill_mode(&self, token: &str, minutes: u32) -> Result<DeskAlertStatus, CoreError> {
        self.require_admin(token)?;
        if minutes > MAX_DRILL_MINUTES {
            return Err(CoreError::Validation(vec![FieldError::too_long("minutes", MAX_DRILL_MINUTES as usize)]));
        }
        self.change(|change| {
            let until = change.now_ms() + i64::from(minutes) * 60_000;
            change.set_meta(META_DRILL_UNTIL, &if minutes == 0 { "0".to_owned() } else { until.to_string() })?;
            let actor = change.admin_actor()?;
            change.audit(&actor, AuditAction::SettingsChange, "alerts.drill_mode", json!({ "minutes": minutes }))?;
            Ok(())
        })?;
        self.desk_alert_status()
    }

    /// Turn guard mode on or off: this desk then shows the site's alerts with sound and flash,
    /// and can acknowledge and resolve them. Admin only; audited.
    pub fn set_guard_mode(&self, token: &str, enabled: bool) -> Result<DeskAlertStatus, CoreError> {
        self.require_admin(token)?;
        self.change(|change| {
            change.set_meta(META_GUARD_MODE, if enabled { "1" } else { "0" })?;
            let actor = change.admin_actor()?;
            change.audit(&actor, AuditAction::SettingsChange, "alerts.guard_mode", json!({ "enabled": enabled }))?;
            Ok(())
        })?;
        self.desk_alert_status()
    }

    pub fn desk_alert_status(&self) -> Result<DeskAlertStatus, CoreError> {
        let now = self.clock_wall_ms();
        let store = self.store();
        let guard_mode = store.meta(META_GUARD_MODE)?.as_deref() == Some("1");
        let drill_until = store
            .meta(META_DRILL_UNTIL)?
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|until| *until > now)
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok());
        let confirmed = parse_seq(store.meta(META_CONFIRMED_SEQ)?);
        let own = store.read().alerts_raised_by(&self.device_id().to_string(), now - INDICATOR_WINDOW_MS)?;
        // The mark follows this desk's latest duress alert; visible alerts have their banner.
        let latest_duress = own.iter().find(|r| r.raise().is_some_and(|raise| raise.kind == AlertKind::Duress));
        let indicator = match latest_duress {
            None => IndicatorState::None,
            Some(latest) => match latest.state() {
                AlertState::Acknowledged => IndicatorState::Acknowledged,
                AlertState::Resolved | AlertState::Cancelled => IndicatorState::Resolved,
                AlertState::Raised => {
                    let seq = store.own_alert_raise_seq(self.device_id(), latest.id)?;
                    if seq.is_some_and(|s| s <= confirmed) {
                        IndicatorState::Delivered
                    } else {
                        IndicatorState::Waiting
                    }
                }
            },
        };
        let visible = own
            .iter()
            .filter(|r| !r.ended() && r.raise().is_some_and(|raise| !raise.kind.silent()))
            .filter_map(AlertRecord::view)
            .collect();
        Ok(DeskAlertStatus { guard_mode, drill_until, indicator, visible, hotkey: self.site().alerts.hotkey.clone() })
    }

    /// The monthly alert report for `YYYY-MM` in the site's time zone (admin).
    pub fn alert_report(&self, token: &str, month: &str) -> Result<crate::alert::AlertReport, CoreError> {
        self.require_admin(token)?;
        let (year, m) = crate::alert::parse_month(month)
            .ok_or_else(|| CoreError::Validation(vec![FieldError::new("month", FieldErrorCode::BadTime)]))?;
        let site = self.site();
        let tz = jiff::tz::TimeZone::get(&site.site.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let start = jiff::civil::Date::new(year, m, 1).map_err(|_| CoreError::Validation(vec![]))?;
        let from = start.to_zoned(tz.clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0);
        let to = start
            .checked_add(jiff::Span::new().months(1))
            .ok()
            .and_then(|d| d.to_zoned(tz.clone()).ok())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(i64::MAX);
        // A day either side: raise times are the raising desks' clocks.
        let records =
            self.store().read().alerts_between(&site.site.id.0, from - 86_400_000, to + 86_400_000, 100_000)?;
        Ok(crate::alert::monthly_report(&records, &tz, &site.site.timezone, year, m))
    }

    // --- Delivery (the sync engine's courier) ---------------------------------------------

    /// The highest sequence number of this device's alert ops the hub has not confirmed, if
    /// any: the courier delivers everything up to it at once.
    pub fn undelivered_alert_seq(&self) -> Result<Option<u64>, CoreError> {
        let store = self.store();
        let confirmed = parse_seq(store.meta(META_CONFIRMED_SEQ)?);
        Ok(store.own_alert_seq_after(self.device_id(), confirmed)?)
    }

    /// The hub confirmed it committed this device's ops up to `device_seq` (forward only):
    /// recorded with the sync's push mark in one commit. Audits the delivery of the visible
    /// alerts raised here among them. Not synced on its own: lost to a power cut, the alerts
    /// are sent again and the hub confirms again (it keeps each once).
    pub fn alerts_confirmed(&self, device_seq: u64) -> Result<(), CoreError> {
        let confirmed = parse_seq(self.store().meta(META_CONFIRMED_SEQ)?);
        if device_seq <= confirmed {
            return Ok(());
        }
        let delivered: Vec<Op> = self
            .store()
            .own_ops_after(self.device_id(), confirmed, (device_seq - confirmed) as usize)?
            .into_iter()
            .filter(|op| op.seq <= device_seq)
            .collect();
        self.change_redoable(|change| {
            change.set_meta(META_CONFIRMED_SEQ, &device_seq.to_string())?;
            change.set_meta(crate::sync::pushed_meta_key(), &device_seq.to_string())?;
            for op in &delivered {
                if let OpBody::AlertRaised(r) = &op.body
                    && !r.kind.silent()
                {
                    change.audit(
                        crate::kiosk::SYSTEM_ACTOR,
                        AuditAction::AlertDelivered,
                        r.alert_id.to_string(),
                        json!({ "seq": op.seq }),
                    )?;
                }
            }
            Ok(())
        })?;
        self.mark_alerts_changed();
        Ok(())
    }

    /// After ops from other devices were applied: audit what they did to this desk's own
    /// alerts (acknowledged, escalated, ended). A silent alert's whole story is audited only
    /// once it has ended, so the admin screen shows nothing of it while it runs.
    pub(crate) fn audit_alert_news(&self, ops: &[Op]) -> Result<(), CoreError> {
        let mut news: Vec<(AlertId, &Op)> = Vec::new();
        for op in ops {
            if matches!(op.body, OpBody::AlertRaised(_)) {
                continue;
            }
            if let Some(id) = AlertRecord::alert_of(&op.body) {
                news.push((id, op));
            }
        }
        if news.is_empty() {
            return Ok(());
        }
        self.mark_alerts_changed();
        let mine: Vec<(AlertRecord, &Op)> = {
            let store = self.store();
            let reader = store.read();
            let mut mine = Vec::new();
            for (id, op) in news {
                if let Some(record) = reader.alert(id)?
                    && record.raise().is_some_and(|r| r.source.device == self.device_id())
                {
                    mine.push((record, op));
                }
            }
            mine
        };
        if mine.is_empty() {
            return Ok(());
        }
        self.change(|change| {
            for (record, op) in &mine {
                let raise = record.raise().expect("filtered on raise");
                let subject = record.id.to_string();
                let actor = format!("device:{}", op.device);
                let ends = matches!(op.body, OpBody::AlertResolved(_) | OpBody::AlertCancelled(_));
                if raise.kind.silent() {
                    // Only the op that ended it (the record's own end) tells the whole story.
                    let is_end = record.end.as_ref().is_some_and(|e| e.hlc == op.hlc);
                    if !ends || !is_end {
                        continue;
                    }
                    change.audit(
                        &format!("desk:{}", raise.source.desk_id),
                        AuditAction::AlertRaised,
                        subject.clone(),
                        json!({ "kind": raise.kind, "trigger": raise.trigger, "drill": raise.drill,
                                "raised_at": raise.raised_at.to_string(), "deferred": true }),
                    )?;
                    if let Some(owner) = record.owner() {
                        change.audit(
                            &format!("{}:{}", owner.by.kind.as_str(), owner.by.id),
                            AuditAction::AlertAcknowledged,
                            subject.clone(),
                            json!({ "at": owner.at.to_string() }),
                        )?;
                    }
                }
                let (action, details) = match &op.body {
                    OpBody::AlertAcknowledged(a) => (AuditAction::AlertAcknowledged, json!({ "by": a.by.key() })),
                    OpBody::AlertEscalated(e) => (AuditAction::AlertEscalated, json!({ "round": e.round })),
                    OpBody::AlertResolved(r) => {
                        (AuditAction::AlertResolved, json!({ "outcome": r.outcome, "by": r.by.key() }))
                    }
                    OpBody::AlertCancelled(c) => (AuditAction::AlertCancelled, json!({ "reason": c.reason })),
                    _ => continue,
                };
                change.audit(&actor, action, subject.clone(), details)?;
            }
            Ok(())
        })
    }

    /// Something about alerts changed (written, applied, confirmed): the app redraws them.
    pub(crate) fn mark_alerts_changed(&self) {
        self.alerts_dirty.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether alerts changed since the last call (the sync engine tells the app).
    pub fn take_alerts_changed(&self) -> bool {
        self.alerts_dirty.swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    /// The emergency card a desk opens for its own alert of `kind` (medical, fire…), for the
    /// desk's role (receptionist if none is chosen).
    pub fn raising_card_role(&self) -> Result<Role, CoreError> {
        Ok(self.card_role()?.unwrap_or(Role::Receptionist))
    }

    /// The card a guard opens on acknowledging: the desk's role if it is a guard's or duty
    /// manager's, else the security guard's.
    pub fn guard_card(&self, scenario: Scenario) -> Result<(Role, Scenario), CoreError> {
        let role = match self.card_role()? {
            Some(role @ (Role::SecurityGuard | Role::DutyManager)) => role,
            _ => Role::SecurityGuard,
        };
        Ok((role, scenario))
    }
}

fn parse_seq(value: Option<String>) -> u64 {
    value.and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn clean_note(field: &str, note: &str) -> Result<String, CoreError> {
    let mut errors = Vec::new();
    let cleaned = crate::visit::clean_text(field, note, NOTE_MAX_CHARS, false, &mut errors);
    if errors.is_empty() { Ok(cleaned) } else { Err(CoreError::Validation(errors)) }
}

fn clean_description(d: SuspiciousDescription) -> Result<SuspiciousDescription, CoreError> {
    let max = crate::alert::DESCRIPTION_MAX_CHARS;
    let mut errors = Vec::new();
    let appearance = crate::visit::clean_text("appearance", &d.appearance, max, true, &mut errors);
    let place = crate::visit::clean_text("place", &d.place, max, true, &mut errors);
    let direction = crate::visit::clean_text("direction", &d.direction, max, false, &mut errors);
    if errors.is_empty() {
        Ok(SuspiciousDescription { what: d.what, appearance, place, direction })
    } else {
        Err(CoreError::Validation(errors))
    }
}
