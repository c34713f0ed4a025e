//! The print-job table: device-local (not in the op log), durable before a job reaches the OS.

use rusqlite::{OptionalExtension, Row, params};

use super::{Result, StorageError, Store};
use crate::print::jobs::{JobUpdate, NewPrintJob, PrintJob, PrintJobId};
use crate::print::{JobState, MediaSize, PrintFailure};

const JOB_SELECT: &str = "SELECT id, kind, subject, title, printer, media_w, media_h, state, system_job, attempts,
        failure, detail, created_at, updated_at FROM print_jobs";

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

fn job_from_row(r: &Row<'_>) -> Result<PrintJob> {
    let id: String = r.get(0)?;
    let state: String = r.get(7)?;
    let failure: Option<String> = r.get(10)?;
    let ts = |ms: i64| jiff::Timestamp::from_millisecond(ms).map_err(corrupt);
    Ok(PrintJob {
        id: id.parse().map_err(corrupt)?,
        kind: r.get(1)?,
        subject: r.get(2)?,
        title: r.get(3)?,
        printer: r.get(4)?,
        media: MediaSize { width_mm: r.get::<_, f64>(5)? as f32, height_mm: r.get::<_, f64>(6)? as f32 },
        state: state.parse::<JobState>().map_err(corrupt)?,
        system_job: r.get(8)?,
        attempts: r.get(9)?,
        failure: failure.map(|f| f.parse::<PrintFailure>().map_err(corrupt)).transpose()?,
        detail: r.get(11)?,
        created_at: ts(r.get(12)?)?,
        updated_at: ts(r.get(13)?)?,
    })
}

/// A job's stored PDF, and its raster if the print system needs one.
pub type StoredDocument = (Vec<u8>, Option<Vec<u8>>);

impl Store {
    pub fn insert_print_job(&self, id: PrintJobId, job: &NewPrintJob, now: jiff::Timestamp) -> Result<()> {
        self.conn.execute(
            "INSERT INTO print_jobs (id, kind, subject, title, printer, media_w, media_h, document, raster, state,
                                     attempts, detail, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'recorded', 0, '', ?10, ?10)",
            params![
                id.to_string(),
                job.kind,
                job.subject,
                job.title,
                job.printer,
                f64::from(job.media.width_mm),
                f64::from(job.media.height_mm),
                job.pdf,
                job.raster_png,
                now.as_millisecond()
            ],
        )?;
        Ok(())
    }

    pub fn update_print_job(&self, id: PrintJobId, update: &JobUpdate<'_>, now: jiff::Timestamp) -> Result<()> {
        let state: &str = update.state.into();
        let failure: Option<&str> = update.failure.map(Into::into);
        self.conn.execute(
            "UPDATE print_jobs SET state = ?2, system_job = ?3, failure = ?4, detail = ?5,
                    attempts = attempts + ?6, updated_at = ?7,
                    document = CASE WHEN ?8 THEN NULL ELSE document END,
                    raster = CASE WHEN ?8 THEN NULL ELSE raster END
             WHERE id = ?1",
            params![
                id.to_string(),
                state,
                update.system_job,
                failure,
                update.detail,
                i64::from(update.add_attempt),
                now.as_millisecond(),
                update.drop_document
            ],
        )?;
        Ok(())
    }

    pub fn print_job(&self, id: PrintJobId) -> Result<Option<PrintJob>> {
        let mut stmt = self.conn.prepare_cached(&format!("{JOB_SELECT} WHERE id = ?1"))?;
        let mut rows = stmt.query([id.to_string()])?;
        rows.next()?.map(job_from_row).transpose()
    }

    /// The job of this kind and subject still on its way to paper, if any.
    pub fn open_print_job(&self, kind: &str, subject: &str) -> Result<Option<PrintJob>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{JOB_SELECT} WHERE kind = ?1 AND subject = ?2 AND state IN ('recorded', 'sent') ORDER BY created_at DESC LIMIT 1"
        ))?;
        let mut rows = stmt.query([kind, subject])?;
        rows.next()?.map(job_from_row).transpose()
    }

    /// The latest job of this kind and subject, whatever its state.
    pub fn latest_print_job(&self, kind: &str, subject: &str) -> Result<Option<PrintJob>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{JOB_SELECT} WHERE kind = ?1 AND subject = ?2 ORDER BY created_at DESC, id DESC LIMIT 1"
        ))?;
        let mut rows = stmt.query([kind, subject])?;
        rows.next()?.map(job_from_row).transpose()
    }

    /// The stored document (PDF, and raster if one was made), while the job may still need it.
    pub fn print_job_document(&self, id: PrintJobId) -> Result<Option<StoredDocument>> {
        Ok(self
            .conn
            .query_row(
                "SELECT document, raster FROM print_jobs WHERE id = ?1 AND document IS NOT NULL",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The latest jobs, newest first.
    pub fn recent_print_jobs(&self, limit: u32) -> Result<Vec<PrintJob>> {
        let mut stmt = self.conn.prepare_cached(&format!("{JOB_SELECT} ORDER BY created_at DESC, id DESC LIMIT ?1"))?;
        let mut rows = stmt.query([limit])?;
        let mut jobs = Vec::new();
        while let Some(row) = rows.next()? {
            jobs.push(job_from_row(row)?);
        }
        Ok(jobs)
    }

    /// At start: jobs left `recorded` by a stopped app may or may not have reached the OS.
    /// They become `interrupted` and are never handed over again without a person.
    pub fn interrupt_recorded_print_jobs(&self, now: jiff::Timestamp) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE print_jobs SET state = 'interrupted', failure = 'interrupted', updated_at = ?1 WHERE state = 'recorded'",
            [now.as_millisecond()],
        )?)
    }
}
