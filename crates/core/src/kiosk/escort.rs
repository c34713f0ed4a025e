//! The desk's escort actions: what the sign-in form offers and whether a visit will need an
//! escort, the checklist, naming the escort and hand-overs, starting the visit (or a
//! supervisor's override with PIN and reason), and the hand-back at sign-out.

use serde_json::json;

use super::Kiosk;
use super::admin::PinCheck;
use super::change::Change;
use crate::audit::AuditAction;
use crate::error::CoreError;
use crate::escort::{
    ChecklistTicked, EscortAssigned, EscortCleared, EscortContext, EscortDecision, EscortHandedBack, EscortOverride,
    EscortStatus, HandbackBy, OVERRIDE_REASON_MAX_CHARS, OverrideOutcome, VisitOptions, VisitTerms,
};
use crate::ids::{HostId, VisitId};
use crate::op::{HostRecord, OpBody, VisitFields};
use crate::pin::PinPurpose;
use crate::visit::{HostSummary, NewVisit, Visit};

impl Kiosk {
    /// The site's visitor types (the default first) and areas, for the sign-in form.
    pub fn visit_options(&self) -> VisitOptions {
        self.site().escort.options()
    }

    /// Whether a visit as the form stands would need an escort, and why, so the desk knows
    /// before signing in. Unknown types or areas are field errors, as at sign-in.
    pub fn escort_preview(
        &self,
        visitor_type: &str,
        areas: &[String],
        host_id: &HostId,
    ) -> Result<EscortDecision, CoreError> {
        let site = self.site();
        let (visitor_type, areas) = site.escort.classify(visitor_type, areas).map_err(CoreError::Validation)?;
        let at = self.site_local(self.now());
        let host = self.store().read().host(host_id)?;
        let host_name = host.as_ref().map_or("", |h| h.name.as_str());
        // The watch list is checked at sign-in, against the visitor's identity; not here.
        let ctx = EscortContext { visitor_type, areas: &areas, host_id, host_name, at, watchlist_hit: false };
        Ok(site.escort.decide(&ctx))
    }

    /// Check a sign-in form and decide its escort terms; every field error at once.
    pub(crate) fn validate_sign_in(
        &self,
        form: &NewVisit,
        host: Option<&HostRecord>,
        at: jiff::Timestamp,
        watchlist_hit: bool,
    ) -> Result<(VisitFields, VisitTerms), CoreError> {
        let site = self.site();
        let fields = form.validate(host);
        let class = site.escort.classify(&form.visitor_type, &form.areas);
        match (fields, class) {
            (Ok(fields), Ok((visitor_type, areas))) => {
                let ctx = EscortContext {
                    visitor_type,
                    areas: &areas,
                    host_id: &form.host_id,
                    host_name: host.map_or("", |h| h.name.as_str()),
                    at: self.site_local(at),
                    watchlist_hit,
                };
                Ok((fields, site.escort.terms(&ctx)))
            }
            (fields, class) => {
                let mut errors = fields.err().unwrap_or_default();
                errors.extend(class.err().unwrap_or_default());
                Err(CoreError::Validation(errors))
            }
        }
    }

    fn site_local(&self, at: jiff::Timestamp) -> jiff::civil::DateTime {
        at.to_zoned(self.site_timezone()).datetime()
    }

    /// Who may escort: active hosts the directory allows to.
    pub fn escorts(&self) -> Result<Vec<HostSummary>, CoreError> {
        Ok(self.store().read().hosts()?.iter().filter(|h| h.active && h.may_escort).map(HostSummary::from).collect())
    }

    /// The escort screen of a visit: reasons, checklist, escort and history, and whether it may
    /// start now.
    pub fn escort_status(&self, visit_id: VisitId) -> Result<EscortStatus, CoreError> {
        let store = self.store();
        let read = store.read();
        let visit = read.visit(visit_id)?.ok_or_else(|| CoreError::VisitNotFound(visit_id.to_string()))?;
        read.escort_status(visit_id, visit.signed_out_at.is_some())?
            .ok_or_else(|| CoreError::EscortNotRequired(visit_id.to_string()))
    }

    /// Tick or untick a checklist item. Closed once the visit has started.
    pub fn tick_checklist(&self, visit_id: VisitId, item_id: &str, ticked: bool) -> Result<EscortStatus, CoreError> {
        self.change(|change| {
            let status = open_status(change, visit_id)?;
            if status.cleared.is_some() {
                return Err(CoreError::VisitAlreadyStarted(visit_id.to_string()));
            }
            let item = status
                .checklist
                .iter()
                .find(|i| i.id == item_id)
                .ok_or_else(|| CoreError::ChecklistItemUnknown(item_id.to_owned()))?;
            if item.ticked != ticked {
                let desk_id = change.desk()?.id;
                let at = change.now();
                change.op(OpBody::ChecklistTicked(ChecklistTicked {
                    visit_id,
                    item_id: item_id.to_owned(),
                    ticked,
                    desk_id,
                    at,
                }))?;
            }
            Ok(())
        })?;
        self.escort_status(visit_id)
    }

    /// Name the visit's escort; once one is named, naming another is a hand-over (recorded
    /// with its time, like the first).
    pub fn assign_escort(&self, visit_id: VisitId, host_id: &HostId) -> Result<EscortStatus, CoreError> {
        self.change(|change| {
            let status = open_status(change, visit_id)?;
            let host = change.read().host(host_id)?;
            if !host.is_some_and(|h| h.active && h.may_escort) {
                return Err(CoreError::EscortNotAllowed(host_id.0.clone()));
            }
            if status.escort.as_ref().is_some_and(|e| &e.host_id == host_id) {
                return Ok(());
            }
            let actor = change.desk_actor()?;
            let desk_id = change.desk()?.id;
            let at = change.now();
            change.op(OpBody::EscortAssigned(EscortAssigned { visit_id, host_id: host_id.clone(), desk_id, at }))?;
            let details = json!({
                "escort": host_id.0,
                "handover": status.escort.is_some(),
                "from": status.escort.map(|e| e.host_id.0),
            });
            change.audit(&actor, AuditAction::EscortAssigned, visit_id.to_string(), details)?;
            Ok(())
        })?;
        self.escort_status(visit_id)
    }

    /// Start an escorted visit: every required item ticked and an escort named. Its badge can
    /// be printed from then on.
    pub fn start_visit(&self, visit_id: VisitId) -> Result<Visit, CoreError> {
        self.change(|change| {
            let status = open_status(change, visit_id)?;
            if status.cleared.is_some() {
                return Err(CoreError::VisitAlreadyStarted(visit_id.to_string()));
            }
            let missing = status.missing_items();
            if !missing.is_empty() {
                return Err(CoreError::ChecklistIncomplete(missing));
            }
            if status.escort.is_none() {
                return Err(CoreError::EscortMissing(visit_id.to_string()));
            }
            let desk_id = change.desk()?.id;
            let at = change.now();
            change.op(OpBody::EscortCleared(EscortCleared { visit_id, desk_id, at, supervisor_override: None }))?;
            Ok(())
        })?;
        self.visit(visit_id)
    }

    /// A supervisor starts an escorted visit whose checklist or escort is not complete: the
    /// supervisor PIN (through the kiosk's one PIN check) and a reason, both recorded — the
    /// reason, the items left unticked and a missing escort go into the op and the audit log.
    pub fn override_escort(&self, visit_id: VisitId, pin: &str, reason: &str) -> Result<OverrideOutcome, CoreError> {
        let mut errors = Vec::new();
        let reason = crate::visit::clean_text("reason", reason, OVERRIDE_REASON_MAX_CHARS, true, &mut errors);
        if !errors.is_empty() {
            return Err(CoreError::Validation(errors));
        }
        let refused = self.change(|change| {
            let status = open_status(change, visit_id)?;
            if status.cleared.is_some() {
                return Err(CoreError::VisitAlreadyStarted(visit_id.to_string()));
            }
            match self.check_pin_in(change, PinPurpose::Supervisor, pin)? {
                PinCheck::Refused(refusal) => return Ok(Some(refusal)),
                // The first-run PIN is known to everyone: it approves nothing.
                PinCheck::Accepted { must_change: true } => return Err(CoreError::PinChangeRequired),
                PinCheck::Accepted { must_change: false } => {}
            }
            let actor = change.desk_actor()?;
            let desk_id = change.desk()?.id;
            let at = change.now();
            let supervisor_override = EscortOverride {
                reason: reason.clone(),
                missing_items: status.missing_items(),
                without_escort: status.escort.is_none(),
            };
            let details = json!({
                "reason": supervisor_override.reason,
                "missing_items": supervisor_override.missing_items,
                "without_escort": supervisor_override.without_escort,
            });
            change.op(OpBody::EscortCleared(EscortCleared {
                visit_id,
                desk_id,
                at,
                supervisor_override: Some(supervisor_override),
            }))?;
            change.audit(&actor, AuditAction::EscortOverride, visit_id.to_string(), details)?;
            Ok(None)
        })?;
        match refused {
            Some(refusal) => Ok(OverrideOutcome::Refused(refusal)),
            None => Ok(OverrideOutcome::Granted(Box::new(self.visit(visit_id)?))),
        }
    }

    /// Sign out an escorted visit: the escort (or the receptionist on their behalf) confirms
    /// the escort brought the visitor back; recorded, then the visit signs out.
    pub fn hand_back(&self, visit_id: VisitId, by: HandbackBy) -> Result<Visit, CoreError> {
        self.change(|change| {
            let visit = change.read().visit(visit_id)?.ok_or_else(|| CoreError::VisitNotFound(visit_id.to_string()))?;
            if visit.signed_out_at.is_some() {
                return Err(CoreError::AlreadySignedOut(visit_id.to_string()));
            }
            let escort =
                visit.escort.and_then(|e| e.escort).ok_or_else(|| CoreError::EscortMissing(visit_id.to_string()))?;
            let actor = change.desk_actor()?;
            let desk_id = change.desk()?.id;
            let at = change.now();
            change.op(OpBody::EscortHandedBack(EscortHandedBack {
                visit_id,
                host_id: escort.host_id.clone(),
                by,
                desk_id,
                at,
            }))?;
            let by_code: &str = by.into();
            change.audit(
                &actor,
                AuditAction::EscortHandback,
                visit_id.to_string(),
                json!({ "escort": escort.host_id.0, "by": by_code }),
            )?;
            self.sign_out_in(change, visit_id)
        })?;
        self.visit(visit_id)
    }
}

/// The escort status of a visit that is still at the desk or on site, for a change to act on.
fn open_status(change: &Change<'_>, visit_id: VisitId) -> Result<EscortStatus, CoreError> {
    let read = change.read();
    let visit = read.visit(visit_id)?.ok_or_else(|| CoreError::VisitNotFound(visit_id.to_string()))?;
    if visit.signed_out_at.is_some() {
        return Err(CoreError::AlreadySignedOut(visit_id.to_string()));
    }
    match read.escort_status(visit_id, false)? {
        Some(status) if status.required => Ok(status),
        _ => Err(CoreError::EscortNotRequired(visit_id.to_string())),
    }
}

/// A signing-out visit whose escort has not confirmed the hand-back is refused.
pub(crate) fn check_handback(visit: &Visit) -> Result<(), CoreError> {
    if visit.escort.as_ref().is_some_and(|e| e.needs_handback) {
        return Err(CoreError::HandbackRequired(visit.id.to_string()));
    }
    Ok(())
}
