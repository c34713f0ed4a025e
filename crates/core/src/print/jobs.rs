//! The durable print-job record and the rules around it.
//!
//! ```text
//!             hand-over ok              OS queue empty
//! recorded ───────────────► sent ──────────────────────► completed
//!    │  │                    │
//!    │  │ OS refused/failed  │ cancel
//!    │  └──────────► failed ─┼──────────► cancelled
//!    │                 ▲  │  │
//!    │ app stopped     │  │ retry (a person asks)
//!    └─► interrupted ──┘  └──► recorded …
//! ```
//!
//! A job is written (and synced to disk) *before* it is handed to the OS. Nothing here ever
//! hands a job over again by itself: `failed` and `interrupted` jobs wait for a person's retry,
//! and asking to print something that already has a `recorded` or `sent` job returns that job.

use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::{MediaSize, PrintError, PrintFailure, PrintRequest, PrintSystem, SystemJobState};
use crate::error::CoreError;
use crate::storage::Store;

/// One print job, as this device recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct PrintJobId(#[ts(type = "string")] pub Uuid);

impl std::fmt::Display for PrintJobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for PrintJobId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(PrintJobId)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum JobState {
    /// Written down, not yet handed to the OS.
    Recorded,
    /// The OS has it (queued or printing).
    Sent,
    /// The OS reports it done.
    Completed,
    /// The OS refused it or could not be reached; kept for a retry.
    Failed,
    Cancelled,
    /// The app stopped while handing it over; a person decides whether to retry.
    Interrupted,
}

impl JobState {
    /// Still on its way to paper: a second request for the same thing returns this job.
    pub fn is_open(self) -> bool {
        matches!(self, JobState::Recorded | JobState::Sent)
    }

    pub fn can_retry(self) -> bool {
        matches!(self, JobState::Failed | JobState::Interrupted)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PrintJob {
    pub id: PrintJobId,
    /// What sort of document: `badge`, `card`, `list`…
    pub kind: String,
    /// What it prints, e.g. the visit id of a badge.
    pub subject: String,
    pub title: String,
    pub printer: String,
    pub media: MediaSize,
    pub state: JobState,
    /// The OS's id for the job once handed over (e.g. `PDF-12`).
    pub system_job: Option<String>,
    /// How many times it was handed to the OS.
    pub attempts: u32,
    pub failure: Option<PrintFailure>,
    /// The print system's own words: why it failed, or why a sent job is waiting.
    pub detail: String,
    #[ts(type = "string")]
    pub created_at: jiff::Timestamp,
    #[ts(type = "string")]
    pub updated_at: jiff::Timestamp,
}

/// A document to print.
pub struct NewPrintJob {
    pub kind: String,
    pub subject: String,
    pub title: String,
    pub printer: String,
    pub media: MediaSize,
    pub pdf: Vec<u8>,
    /// Needed only by print systems that print pixels ([`PrintSystem::raster_dpi`]).
    pub raster_png: Option<Vec<u8>>,
}

/// A change of a job's record.
pub struct JobUpdate<'a> {
    pub state: JobState,
    pub system_job: Option<&'a str>,
    pub failure: Option<PrintFailure>,
    pub detail: &'a str,
    pub add_attempt: bool,
    /// Drop the stored document (done with it: completed or cancelled).
    pub drop_document: bool,
}

/// Print jobs of one device: its database and its OS print system.
pub struct Spooler<'a> {
    pub store: &'a Mutex<Store>,
    pub system: &'a dyn PrintSystem,
    pub now: jiff::Timestamp,
}

impl Spooler<'_> {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn job(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        self.store().print_job(id)?.ok_or_else(|| CoreError::PrintJobNotFound(id.to_string()))
    }

    /// Record and hand over a document. With `reuse_open`, an open job for the same kind and
    /// subject is returned instead (a double tap, or "print" again while the printer is off,
    /// makes no second copy); without it, an open job makes the request fail with
    /// [`CoreError::PrintJobOpen`] so a deliberate reprint never stacks up behind a stuck one.
    pub fn print(&self, job: NewPrintJob, reuse_open: bool) -> Result<PrintJob, CoreError> {
        let id = PrintJobId(Uuid::now_v7());
        {
            let store = self.store();
            if let Some(open) = store.open_print_job(&job.kind, &job.subject)? {
                return if reuse_open { Ok(open) } else { Err(CoreError::PrintJobOpen(open.id.to_string())) };
            }
            store.insert_print_job(id, &job, self.now)?;
        }
        self.hand_over(id)
    }

    /// Hand a failed or interrupted job to the OS again, because a person asked.
    pub fn retry(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        {
            let store = self.store();
            let job = store.print_job(id)?.ok_or_else(|| CoreError::PrintJobNotFound(id.to_string()))?;
            if !job.state.can_retry() {
                return Err(CoreError::PrintJobState(id.to_string()));
            }
            if let Some(open) = store.open_print_job(&job.kind, &job.subject)? {
                return Err(CoreError::PrintJobOpen(open.id.to_string()));
            }
            store.update_print_job(
                id,
                &JobUpdate {
                    state: JobState::Recorded,
                    system_job: None,
                    failure: None,
                    detail: "",
                    add_attempt: false,
                    drop_document: false,
                },
                self.now,
            )?;
        }
        self.hand_over(id)
    }

    fn hand_over(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        let (job, document) = {
            let store = self.store();
            let job = store.print_job(id)?.ok_or_else(|| CoreError::PrintJobNotFound(id.to_string()))?;
            let document = store.print_job_document(id)?.ok_or_else(|| CoreError::PrintJobState(id.to_string()))?;
            (job, document)
        };
        // The store is not locked while the OS works: a slow scheduler must not stall the desk.
        let request =
            PrintRequest { title: &job.title, media: job.media, pdf: &document.0, raster_png: document.1.as_deref() };
        let result = self.system.submit(&job.printer, &request);
        let update = match &result {
            Ok(system_job) => JobUpdate {
                state: JobState::Sent,
                system_job: Some(system_job),
                failure: None,
                detail: "",
                add_attempt: true,
                drop_document: false,
            },
            Err(err) => JobUpdate {
                state: JobState::Failed,
                system_job: None,
                failure: Some(err.code()),
                detail: &error_detail(err),
                add_attempt: true,
                drop_document: false,
            },
        };
        self.store().update_print_job(id, &update, self.now)?;
        self.job(id)
    }

    /// Ask the OS where a sent job is; a job that left the queue is completed.
    pub fn refresh(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        let job = self.job(id)?;
        let (JobState::Sent, Some(system_job)) = (job.state, job.system_job.as_deref()) else {
            return Ok(job);
        };
        let status = self.system.status(&job.printer, system_job);
        let error_text = status.as_ref().err().map(error_detail).unwrap_or_default();
        let update = match &status {
            Ok(status) => match status.state {
                SystemJobState::Pending => JobUpdate {
                    state: JobState::Sent,
                    system_job: Some(system_job),
                    failure: None,
                    detail: status.printer_problem.as_deref().unwrap_or(""),
                    add_attempt: false,
                    drop_document: false,
                },
                SystemJobState::Completed | SystemJobState::Gone => JobUpdate {
                    state: JobState::Completed,
                    system_job: Some(system_job),
                    failure: None,
                    detail: "",
                    add_attempt: false,
                    drop_document: true,
                },
            },
            // The OS cannot be asked right now: the job stays as it is, with the reason.
            Err(_) => JobUpdate {
                state: JobState::Sent,
                system_job: Some(system_job),
                failure: None,
                detail: &error_text,
                add_attempt: false,
                drop_document: false,
            },
        };
        self.store().update_print_job(id, &update, self.now)?;
        self.job(id)
    }

    /// Cancel a job: withdrawn from the OS's queue if it is there, and never printed by us.
    pub fn cancel(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        let job = self.job(id)?;
        match job.state {
            JobState::Completed | JobState::Cancelled => return Err(CoreError::PrintJobState(id.to_string())),
            JobState::Sent => {
                if let Some(system_job) = job.system_job.as_deref() {
                    self.system.cancel(&job.printer, system_job).map_err(CoreError::Print)?;
                }
            }
            JobState::Recorded | JobState::Failed | JobState::Interrupted => {}
        }
        self.store().update_print_job(
            id,
            &JobUpdate {
                state: JobState::Cancelled,
                system_job: job.system_job.as_deref(),
                failure: None,
                detail: "",
                add_attempt: false,
                drop_document: true,
            },
            self.now,
        )?;
        self.job(id)
    }
}

fn error_detail(err: &PrintError) -> String {
    match err {
        PrintError::Unavailable(d) | PrintError::Rejected(d) | PrintError::Failed(d) => d.clone(),
        PrintError::PrinterNotFound(p) => p.clone(),
    }
}
