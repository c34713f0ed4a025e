//! Read queries over the materialised tables.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StorageError};
use crate::ids::{HostId, VisitId};
use crate::op::HostRecord;
use crate::visit::{HostSummary, Visit};

pub(super) const VISIT_SELECT: &str = "
    SELECT v.id, v.name, v.company, v.purpose, v.host_id, v.desk_id, v.signed_in_at, v.signed_out_at,
           h.id, h.name, h.department, h.extension, v.back_entered,
           v.id_type, v.id_masked, v.phone_masked, v.expected_end, v.invitation_id, v.auto_signed_out_at, v.purged,
           EXISTS (SELECT 1 FROM watchlist_hits w WHERE w.visit_id = v.id AND NOT EXISTS
                   (SELECT 1 FROM watchlist_cleared c WHERE c.visit_id = w.visit_id AND c.entry_id = w.entry_id)),
           EXISTS (SELECT 1 FROM visit_photos p WHERE p.visit_id = v.id)
    FROM visits v LEFT JOIN hosts h ON h.id = v.host_id";

fn timestamp(ms: i64) -> Result<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(super) fn visit_from_row(r: &Row<'_>) -> Result<Visit> {
    let id: String = r.get(0)?;
    let host = match r.get::<_, Option<String>>(8)? {
        Some(host_id) => {
            Some(HostSummary { id: HostId(host_id), name: r.get(9)?, department: r.get(10)?, extension: r.get(11)? })
        }
        None => None,
    };
    Ok(Visit {
        id: id.parse::<VisitId>().map_err(|e| StorageError::Corrupt(e.to_string()))?,
        name: r.get(1)?,
        company: r.get(2)?,
        purpose: r.get(3)?,
        host_id: HostId(r.get(4)?),
        host,
        desk_id: r.get(5)?,
        signed_in_at: timestamp(r.get(6)?)?,
        signed_out_at: r.get::<_, Option<i64>>(7)?.map(timestamp).transpose()?,
        back_entered: r.get(12)?,
        escort: None, // see Reader::attach_escorts
        details: crate::visitors::VisitorDetails::from_row(r, 13)?,
    })
}

fn host_from_row(r: &Row<'_>) -> rusqlite::Result<HostRecord> {
    Ok(HostRecord {
        id: HostId(r.get(0)?),
        name: r.get(1)?,
        department: r.get(2)?,
        extension: r.get(3)?,
        email: r.get(4)?,
        may_escort: r.get(5)?,
        active: r.get(6)?,
    })
}

/// Read access to the tables, from the store or from inside a write transaction.
#[derive(Clone, Copy)]
pub struct Reader<'c>(pub(super) &'c Connection);

impl Reader<'_> {
    /// Everyone signed in and not yet out, latest arrival first.
    pub fn on_site(&self) -> Result<Vec<Visit>> {
        let mut stmt = self.0.prepare_cached(&format!(
            "{VISIT_SELECT} WHERE v.created = 1 AND v.signed_out_at IS NULL ORDER BY v.signed_in_at DESC, v.id DESC"
        ))?;
        let mut rows = stmt.query([])?;
        let mut visits = Vec::new();
        while let Some(row) = rows.next()? {
            visits.push(visit_from_row(row)?);
        }
        self.attach_escorts(&mut visits)?;
        Ok(visits)
    }

    /// A visit, if it has been created (a placeholder for a visit whose sign-in has not yet
    /// arrived is not a visit).
    pub fn visit(&self, id: VisitId) -> Result<Option<Visit>> {
        let mut stmt = self.0.prepare_cached(&format!("{VISIT_SELECT} WHERE v.id = ?1 AND v.created = 1"))?;
        let mut rows = stmt.query(params![id.to_string()])?;
        let mut visit = rows.next()?.map(visit_from_row).transpose()?;
        self.attach_escorts(visit.as_mut_slice())?;
        Ok(visit)
    }

    pub fn hosts(&self) -> Result<Vec<HostRecord>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, name, department, extension, email, may_escort, active FROM hosts ORDER BY name, id",
        )?;
        let hosts = stmt.query_map([], host_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(hosts)
    }

    pub fn host(&self, id: &HostId) -> Result<Option<HostRecord>> {
        Ok(self
            .0
            .query_row(
                "SELECT id, name, department, extension, email, may_escort, active FROM hosts WHERE id = ?1",
                [&id.0],
                host_from_row,
            )
            .optional()?)
    }

    pub fn op_count(&self) -> Result<u64> {
        let n: i64 = self.0.query_row("SELECT count(*) FROM ops", [], |r| r.get(0))?;
        Ok(n as u64)
    }
}

impl Reader<'_> {
    /// Every materialised row (visits and hosts) as text, in a fixed order. Two devices that
    /// have applied the same operations return the same dump; sync tests compare these.
    pub fn state_dump(&self) -> Result<Vec<String>> {
        let mut dump = Vec::new();
        let mut stmt = self.0.prepare(
            "SELECT id, created, created_hlc, name, company, host_id, purpose, field_clocks, desk_id, device,
                    signed_in_at, signed_out_at, signed_out_hlc
             FROM visits ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let cols: Vec<String> =
                (0..13).map(|i| r.get_ref(i).map(|v| format!("{v:?}"))).collect::<rusqlite::Result<_>>()?;
            dump.push(format!("visit {}", cols.join(" | ")));
        }
        for host in self.hosts()? {
            dump.push(format!("host {host:?}"));
        }
        let mut stmt = self.0.prepare("SELECT collection, id, hlc, body FROM authored_docs ORDER BY collection, id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (collection, id, hlc, body): (String, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            dump.push(format!("doc {collection} {id} | {hlc} | {body}"));
        }
        dump.extend(self.evacuation_dump()?);
        dump.extend(self.escort_dump()?);
        dump.extend(self.visitors_dump()?);
        dump.extend(super::alerts::dump(self.0)?);
        Ok(dump)
    }
}

impl Reader<'_> {
    /// The latest audit entries, newest first.
    pub fn audit_recent(&self, limit: u32) -> Result<Vec<crate::audit::AuditEntry>> {
        crate::audit::recent(self.0, limit)
    }
}

impl Reader<'_> {
    /// Every op in the log, in clock order (a model hub in tests; a full resend).
    pub fn all_ops(&self) -> Result<Vec<crate::op::Op>> {
        let mut stmt = self.0.prepare("SELECT id, hlc, device, seq, site, body FROM ops ORDER BY hlc")?;
        let mut rows = stmt.query([])?;
        let mut ops = Vec::new();
        while let Some(r) = rows.next()? {
            let corrupt = |e: String| StorageError::Corrupt(e);
            ops.push(crate::op::Op {
                id: r.get::<_, String>(0)?.parse().map_err(|e: uuid::Error| corrupt(e.to_string()))?,
                hlc: r.get::<_, String>(1)?.parse().map_err(|e: crate::hlc::HlcParseError| corrupt(e.to_string()))?,
                device: r.get::<_, String>(2)?.parse().map_err(|e: uuid::Error| corrupt(e.to_string()))?,
                seq: r.get::<_, i64>(3)? as u64,
                site: crate::ids::SiteId(r.get(4)?),
                body: serde_json::from_str(&r.get::<_, String>(5)?).map_err(|e| corrupt(e.to_string()))?,
            });
        }
        Ok(ops)
    }
}
