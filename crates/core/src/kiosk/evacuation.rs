//! The kiosk's side of an evacuation: start, mark, end; and back-entry of paper sign-ins.

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::Kiosk;
use crate::audit::AuditAction;
use crate::error::{CoreError, FieldError, FieldErrorCode};
use crate::evacuation::{EvacuationRecord, RollCall, RollcallMarked, RollcallStatus, RollcallUpdate, VisitBackEntered};
use crate::ids::{EvacuationId, VisitId};
use crate::op::{OpBody, VisitSignedIn, VisitSignedOut};
use crate::visit::{NewVisit, Visit};

/// How an evacuation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EvacuationSummary {
    pub evacuation_ids: Vec<EvacuationId>,
    pub drill: bool,
    #[ts(type = "number")]
    pub duration_seconds: u64,
    pub total: u32,
    /// Not accounted for at the end.
    pub missing: Vec<VisitId>,
}

/// A visit written on paper during an outage, entered afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct BackEntry {
    pub visit: NewVisit,
    /// When the visitor really arrived, as written on the sheet (RFC 3339, or the site's local
    /// `YYYY-MM-DD HH:MM`).
    pub signed_in_at: String,
    /// When they left, if the sheet says; empty if they are still on site.
    pub signed_out_at: String,
}

impl Kiosk {
    /// The roll call of the running evacuation(s), if any.
    pub fn rollcall(&self) -> Result<Option<RollCall>, CoreError> {
        Ok(self.store().read().rollcall()?)
    }

    /// Start an evacuation: the on-site list is frozen into the op. If one is already running
    /// (here or synced from another device), its roll call is returned and nothing is written,
    /// so a second tap, or a second kiosk, never starts a second roll call it knows of.
    pub fn start_evacuation(&self, drill: bool) -> Result<RollCall, CoreError> {
        self.change(|change| {
            if change.read().rollcall()?.is_some() {
                return Ok(());
            }
            let actor = change.desk_actor()?;
            let on_site: Vec<VisitId> = change.read().on_site()?.into_iter().map(|v| v.id).collect();
            let evacuation_id = EvacuationId::new();
            let people = on_site.len();
            let (started_at, desk_id) = (change.now(), change.desk()?.id);
            for body in crate::evacuation::start_ops(evacuation_id, started_at, drill, &desk_id, &on_site) {
                change.op(body)?;
            }
            change.audit(
                &actor,
                AuditAction::EvacuationStarted,
                evacuation_id.to_string(),
                json!({ "drill": drill, "people": people }),
            )?;
            Ok(())
        })?;
        self.rollcall()?.ok_or(CoreError::NoEvacuation)
    }

    /// Mark one person on the running roll call.
    pub fn mark_rollcall(&self, visit_id: VisitId, status: RollcallStatus) -> Result<RollcallUpdate, CoreError> {
        let rollcall = self.change(|change| {
            let running = change.read().running_evacuations()?;
            let first = running.first().ok_or(CoreError::NoEvacuation)?.id;
            let ids: Vec<EvacuationId> = running.iter().map(|e| e.id).collect();
            if !change.read().on_rollcall(visit_id, &ids)? {
                return Err(CoreError::VisitNotFound(visit_id.to_string()));
            }
            let actor = change.desk_actor()?;
            change.op(OpBody::RollcallMarked(RollcallMarked {
                evacuation_id: first,
                visit_id,
                status,
                marked_at: change.now(),
            }))?;
            change.audit(
                &actor,
                AuditAction::RollcallMarked,
                visit_id.to_string(),
                json!({ "evacuation": first.to_string(), "status": status }),
            )?;
            Ok(change.read().rollcall()?)
        })?;
        let rollcall = rollcall.ok_or(CoreError::NoEvacuation)?;
        let row = rollcall
            .rows
            .iter()
            .find(|r| r.visit_id == visit_id)
            .cloned()
            .ok_or_else(|| CoreError::VisitNotFound(visit_id.to_string()))?;
        Ok(RollcallUpdate { row, counts: rollcall.counts })
    }

    /// End the running evacuation(s): records who was not accounted for and how long it took.
    pub fn end_evacuation(&self) -> Result<EvacuationSummary, CoreError> {
        self.change(|change| {
            let rollcall = change.read().rollcall()?.ok_or(CoreError::NoEvacuation)?;
            let actor = change.desk_actor()?;
            let (ops, facts) = crate::evacuation::end_ops(&rollcall, change.now());
            for body in ops {
                change.op(body)?;
            }
            change.audit(
                &actor,
                AuditAction::EvacuationEnded,
                rollcall.evacuation_id.to_string(),
                facts.audit_details(&rollcall),
            )?;
            let crate::evacuation::EndFacts { missing, duration_seconds } = facts;
            Ok(EvacuationSummary {
                evacuation_ids: rollcall.evacuation_ids,
                drill: rollcall.drill,
                duration_seconds,
                total: rollcall.counts.total,
                missing,
            })
        })
    }

    /// Ended evacuations, latest first.
    pub fn evacuation_history(&self, limit: u32) -> Result<Vec<EvacuationRecord>, CoreError> {
        Ok(self.store().read().evacuation_history(limit.min(200))?)
    }

    /// Enter a visit written on paper during an outage, with its real times. Refused: times in
    /// the future, a sign-out before the sign-in, and everything the sign-in form refuses.
    /// Admin only: it writes history.
    pub fn back_enter(&self, token: &str, entry: BackEntry) -> Result<Visit, CoreError> {
        self.require_admin(token)?;
        let visit_id = VisitId::new();
        self.change(|change| {
            let now = change.now();
            let mut errors = Vec::new();
            let signed_in_at = self.parse_entry_time("signed_in_at", &entry.signed_in_at, true, now, &mut errors);
            let signed_out_at = self.parse_entry_time("signed_out_at", &entry.signed_out_at, false, now, &mut errors);
            if let (Some(i), Some(o)) = (signed_in_at, signed_out_at)
                && o <= i
            {
                errors.push(FieldError::new("signed_out_at", FieldErrorCode::OutBeforeIn));
            }
            let host = change.read().host(&entry.visit.host_id)?;
            let fields = match entry.visit.validate(host.as_ref()) {
                Ok(fields) => Some(fields),
                Err(mut more) => {
                    errors.append(&mut more);
                    None
                }
            };
            let (Some(fields), Some(signed_in_at), true) = (fields, signed_in_at, errors.is_empty()) else {
                return Err(CoreError::Validation(errors));
            };
            let desk_id = change.desk()?.id;
            let actor = change.admin_actor()?;
            change.op(OpBody::VisitSignedIn(VisitSignedIn { visit_id, fields, desk_id, signed_in_at, terms: None }))?;
            if let Some(signed_out_at) = signed_out_at {
                change.op(OpBody::VisitSignedOut(VisitSignedOut { visit_id, signed_out_at }))?;
            }
            change.op(OpBody::VisitBackEntered(VisitBackEntered { visit_id, entered_at: now }))?;
            change.audit(
                &actor,
                AuditAction::BackEntry,
                visit_id.to_string(),
                json!({
                    "signed_in_at": signed_in_at.to_string(),
                    "signed_out_at": signed_out_at.map(|t| t.to_string()),
                }),
            )?;
            Ok(())
        })?;
        self.visit(visit_id)
    }

    /// A time from a back-entry form: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in the site's zone.
    fn parse_entry_time(
        &self,
        field: &str,
        raw: &str,
        required: bool,
        now: jiff::Timestamp,
        errors: &mut Vec<FieldError>,
    ) -> Option<jiff::Timestamp> {
        let raw = raw.trim();
        if raw.is_empty() {
            if required {
                errors.push(FieldError::new(field, FieldErrorCode::Required));
            }
            return None;
        }
        let tz = jiff::tz::TimeZone::get(&self.site().site.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let parsed = raw.parse::<jiff::Timestamp>().ok().or_else(|| {
            let local = raw.replace('T', " ");
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|fmt| jiff::civil::DateTime::strptime(fmt, &local).ok())
                .and_then(|dt| dt.to_zoned(tz.clone()).ok())
                .map(|z| z.timestamp())
        });
        match parsed {
            None => {
                errors.push(FieldError::new(field, FieldErrorCode::BadTime));
                None
            }
            Some(t) if t > now => {
                errors.push(FieldError::new(field, FieldErrorCode::InFuture));
                None
            }
            Some(t) => Some(t),
        }
    }
}

impl Kiosk {
    /// Every op this kiosk holds, in clock order (tests exchange these through a model hub).
    pub fn all_ops(&self) -> Result<Vec<crate::op::Op>, CoreError> {
        Ok(self.store().read().all_ops()?)
    }

    /// Apply ops from other devices and move this kiosk's clock past them, so a mark made
    /// here afterwards wins over every mark it has seen.
    pub fn receive_ops(&self, ops: &[crate::op::Op]) -> Result<usize, CoreError> {
        let new = self.store().apply_all(ops, self.clock_wall_ms())?;
        if let Some(max) = ops.iter().map(|o| o.hlc).max() {
            self.clock.observe(max);
        }
        Ok(new)
    }
}
