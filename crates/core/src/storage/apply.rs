//! The merge rules: how one operation changes the materialised tables.
//!
//! Every rule is commutative and idempotent, so any order of delivery (with duplicates) gives
//! the same tables:
//! - a visit's fields: last writer wins per field, by HLC;
//! - creation (desk, sign-in time): the earliest creation op by HLC;
//! - sign-out: once signed out, always signed out; the earliest sign-out by HLC is kept;
//! - hosts: last writer wins for the whole record, by HLC;
//! - authored documents (site settings): last writer wins for the whole document, by HLC;
//! - escorts (terms, ticks, assignments, clearance, hand-back): see `storage/escort.rs`.
//! - alerts: see `crate::alert` (state only moves forward; acknowledgements are a set).

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::{Result, StorageError};
use crate::hlc::Hlc;
use crate::op::{HostRecord, Op, OpBody, VisitPatch};

/// Store `op` in the log and apply it. Returns `false` (and changes nothing) if the log
/// already holds it.
pub(super) fn append_and_apply(tx: &Transaction<'_>, op: &Op, received_at_ms: i64) -> Result<bool> {
    // Stamps are unique because each device's clock strictly increases and the stamp names its
    // device; an op claiming another device's stamp would break that, so it is refused.
    if op.hlc.device != op.device || op.seq == 0 {
        return Err(StorageError::InvalidOp {
            op: op.id.to_string(),
            reason: "its clock stamp must name its own device and its sequence number start at 1".into(),
        });
    }
    // An op larger than the hub accepts would be refused at every push and hold up everything
    // this device writes after it (the log is append-only), so it is never stored.
    let size = serde_json::to_vec(op).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > crate::sync::protocol::MAX_OP_BYTES {
        return Err(StorageError::InvalidOp {
            op: op.id.to_string(),
            reason: format!(
                "{size} bytes; one operation may have at most {} (split it)",
                crate::sync::protocol::MAX_OP_BYTES
            ),
        });
    }
    if !append(tx, op, received_at_ms)? {
        return Ok(false);
    }
    match &op.body {
        OpBody::VisitSignedIn(b) => {
            let mut visit = VisitRow::load(tx, &b.visit_id.to_string())?;
            if visit.created_hlc.is_none_or(|existing| op.hlc < existing) {
                visit.created_hlc = Some(op.hlc);
                visit.desk_id = b.desk_id.clone();
                visit.device = op.device.to_string();
                visit.signed_in_at = Some(b.signed_in_at.as_millisecond());
            }
            let patch = VisitPatch {
                name: Some(b.fields.name.clone()),
                company: Some(b.fields.company.clone()),
                host_id: Some(b.fields.host_id.clone()),
                purpose: Some(b.fields.purpose.clone()),
            };
            visit.merge(&patch, op.hlc);
            visit.save(tx)?;
            super::escort::apply_signed_in(tx, op, b)?;
        }
        OpBody::VisitUpdated(b) => {
            let mut visit = VisitRow::load(tx, &b.visit_id.to_string())?;
            visit.merge(&b.patch, op.hlc);
            visit.save(tx)?;
        }
        OpBody::VisitSignedOut(b) => {
            let mut visit = VisitRow::load(tx, &b.visit_id.to_string())?;
            if visit.signed_out_hlc.is_none_or(|existing| op.hlc < existing) {
                visit.signed_out_hlc = Some(op.hlc);
                visit.signed_out_at = Some(b.signed_out_at.as_millisecond());
            }
            visit.save(tx)?;
        }
        OpBody::HostUpserted(host) => upsert_host(tx, host, op.hlc)?,
        OpBody::SitePublished(published) => {
            let body = serde_json::to_string(&published.config).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            super::authored::put(tx, super::authored::SITE, &published.config.site.id.0, &body, op.hlc)?;
        }
        OpBody::EvacuationStarted(b) => super::evacuation::apply_started(tx, op, b)?,
        OpBody::RollcallMarked(b) => super::evacuation::apply_marked(tx, op, b)?,
        OpBody::EvacuationEnded(b) => super::evacuation::apply_ended(tx, op, b)?,
        OpBody::VisitBackEntered(b) => super::evacuation::apply_back_entered(tx, b)?,
        OpBody::CardPublished(card) => {
            super::authored::put(tx, super::authored::CARDS, &card.file, &card.text, op.hlc)?
        }
        OpBody::ChecklistTicked(b) => super::escort::apply_ticked(tx, op, b)?,
        OpBody::EscortAssigned(b) => super::escort::apply_assigned(tx, op, b)?,
        OpBody::EscortCleared(b) => super::escort::apply_cleared(tx, op, b)?,
        OpBody::EscortHandedBack(b) => super::escort::apply_handed_back(tx, op, b)?,
        OpBody::VisitDetails(_)
        | OpBody::VisitAutoSignedOut(_)
        | OpBody::InvitationCreated(_)
        | OpBody::InvitationRedeemed(_)
        | OpBody::InvitationRevoked(_)
        | OpBody::WatchlistUpserted(_)
        | OpBody::WatchlistHit(_)
        | OpBody::WatchlistCleared(_)
        | OpBody::RetentionPurged(_)
        | OpBody::VisitorSettingsPublished(_) => super::visitors::apply(tx, op)?,
        OpBody::AlertRaised(_)
        | OpBody::AlertAcknowledged(_)
        | OpBody::AlertEscalated(_)
        | OpBody::AlertResolved(_)
        | OpBody::AlertCancelled(_) => {
            super::alerts::apply(tx, op, received_at_ms)?;
        }
    }
    // The search index and the retention horizon follow every change of a visit.
    super::visitors::after_visit_op(tx, op)?;
    super::visitors::after_alert_op(tx, op)?;
    Ok(true)
}

fn append(tx: &Transaction<'_>, op: &Op, received_at_ms: i64) -> Result<bool> {
    let (entity, entity_id) = op.body.entity();
    let body = serde_json::to_string(&op.body).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    // Cached statements: a catch-up applies thousands of ops in one transaction.
    let inserted = tx
        .prepare_cached(
            "INSERT INTO ops (id, hlc, device, seq, site, kind, entity, entity_id, body, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                op.id.to_string(),
                op.hlc.to_string(),
                op.device.to_string(),
                op.seq as i64,
                op.site.0,
                op.body.kind(),
                entity.as_str(),
                entity_id,
                body,
                received_at_ms,
            ])
        });
    match inserted {
        Ok(n) => Ok(n == 1),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            Err(StorageError::SequenceConflict { op: op.id.to_string(), device: op.device.to_string(), seq: op.seq })
        }
        Err(e) => Err(e.into()),
    }
}

fn upsert_host(tx: &Transaction<'_>, host: &HostRecord, hlc: Hlc) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO hosts (id, name, department, extension, email, may_escort, active, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET
            name = excluded.name, department = excluded.department, extension = excluded.extension,
            email = excluded.email, may_escort = excluded.may_escort, active = excluded.active,
            hlc = excluded.hlc
         WHERE excluded.hlc > hosts.hlc",
    )?
    .execute(params![
        host.id.0,
        host.name,
        host.department,
        host.extension,
        host.email,
        host.may_escort,
        host.active,
        hlc.to_string()
    ])?;
    Ok(())
}

/// A visit row while a merge rule works on it.
#[derive(Default)]
struct VisitRow {
    id: String,
    created_hlc: Option<Hlc>,
    name: String,
    company: String,
    host_id: String,
    purpose: String,
    field_clocks: BTreeMap<String, Hlc>,
    desk_id: String,
    device: String,
    signed_in_at: Option<i64>,
    signed_out_at: Option<i64>,
    signed_out_hlc: Option<Hlc>,
}

fn parse_hlc(text: Option<String>) -> Result<Option<Hlc>> {
    text.map(|t| t.parse().map_err(|e: crate::hlc::HlcParseError| StorageError::Corrupt(e.to_string()))).transpose()
}

impl VisitRow {
    fn load(tx: &Transaction<'_>, id: &str) -> Result<VisitRow> {
        let row = tx
            .prepare_cached(
                "SELECT created_hlc, name, company, host_id, purpose, field_clocks, desk_id, device,
                        signed_in_at, signed_out_at, signed_out_hlc
                 FROM visits WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get::<_, String>(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get::<_, Option<String>>(10)?,
                ))
            })
            .optional()?;
        let Some((created, name, company, host_id, purpose, clocks, desk_id, device, signed_in_at, signed_out_at, out)) =
            row
        else {
            return Ok(VisitRow { id: id.to_owned(), ..VisitRow::default() });
        };
        Ok(VisitRow {
            id: id.to_owned(),
            created_hlc: parse_hlc(created)?,
            name,
            company,
            host_id,
            purpose,
            field_clocks: serde_json::from_str(&clocks).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            desk_id,
            device,
            signed_in_at,
            signed_out_at,
            signed_out_hlc: parse_hlc(out)?,
        })
    }

    /// Last writer wins, field by field.
    fn merge(&mut self, patch: &VisitPatch, hlc: Hlc) {
        let VisitPatch { name, company, host_id, purpose } = patch;
        let clocks = &mut self.field_clocks;
        let mut set = |field: &str, target: &mut String, value: &Option<String>| {
            if let Some(value) = value
                && clocks.get(field).is_none_or(|existing| hlc > *existing)
            {
                *target = value.clone();
                clocks.insert(field.to_owned(), hlc);
            }
        };
        set("name", &mut self.name, name);
        set("company", &mut self.company, company);
        set("host_id", &mut self.host_id, &host_id.as_ref().map(|h| h.0.clone()));
        set("purpose", &mut self.purpose, purpose);
    }

    fn save(&self, tx: &Transaction<'_>) -> Result<()> {
        let clocks = serde_json::to_string(&self.field_clocks).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        tx.prepare_cached(
            "INSERT INTO visits (id, created, created_hlc, name, company, host_id, purpose, field_clocks,
                                 desk_id, device, signed_in_at, signed_out_at, signed_out_hlc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (id) DO UPDATE SET
                created = excluded.created, created_hlc = excluded.created_hlc, name = excluded.name,
                company = excluded.company, host_id = excluded.host_id, purpose = excluded.purpose,
                field_clocks = excluded.field_clocks, desk_id = excluded.desk_id, device = excluded.device,
                signed_in_at = excluded.signed_in_at, signed_out_at = excluded.signed_out_at,
                signed_out_hlc = excluded.signed_out_hlc",
        )?
        .execute(params![
            self.id,
            self.created_hlc.is_some(),
            self.created_hlc.map(|h| h.to_string()),
            self.name,
            self.company,
            self.host_id,
            self.purpose,
            clocks,
            self.desk_id,
            self.device,
            self.signed_in_at,
            self.signed_out_at,
            self.signed_out_hlc.map(|h| h.to_string()),
        ])?;
        Ok(())
    }
}
