//! Printing through the operating system's print system.
//!
//! Frontdesk has no printer drivers of its own: it hands a PDF at the page's real size to the
//! OS, which knows the printer (CUPS through `lp`/`lpstat`/`cancel` on Linux and macOS; the
//! Windows spooler through PowerShell and System.Drawing on Windows). Any printer the OS can
//! print to works, label printers included.
//!
//! Every job is first recorded in the kiosk's database ([`jobs`]), then handed to the OS, so:
//! - nothing is ever sent twice by itself: a job whose hand-over was interrupted (crash, power
//!   loss) is marked `interrupted` and waits for a person, and a second "print" of the same
//!   badge while the first is still queued returns the queued job instead of a new one — no
//!   print storm when a printer comes back;
//! - a refused or failed hand-over keeps the job, with the reason, for an explicit retry.
//!
//! See `docs/printing.md` for the API other features (cards, lists) use.

pub mod cups;
pub mod jobs;
pub mod windows;

use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use jobs::{JobState, NewPrintJob, PrintJob, PrintJobId};

/// A printer the OS knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrinterInfo {
    pub name: String,
    pub is_default: bool,
    pub state: PrinterState,
    /// The print system's own words about the printer (e.g. why it is paused), if any.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    Idle,
    Printing,
    /// Paused or disabled: jobs wait in its queue until someone resumes it.
    Stopped,
    Unknown,
}

/// A page size in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct MediaSize {
    pub width_mm: f32,
    pub height_mm: f32,
}

/// One document for the print system.
pub struct PrintRequest<'a> {
    /// Shown in the OS's queue.
    pub title: &'a str,
    pub media: MediaSize,
    /// The document at its real page size.
    pub pdf: &'a [u8],
    /// The first page as PNG at [`PrintSystem::raster_dpi`], for systems that print pixels.
    pub raster_png: Option<&'a [u8]>,
}

/// Where a job is in the OS's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemJobState {
    /// Waiting or printing.
    Pending,
    /// Left the queue: printed (or, for CUPS, finished in some other way the queue reports
    /// as completed).
    Completed,
    /// The OS no longer knows the job (cancelled there, or purged).
    Gone,
}

/// The state of a job in the OS, plus what the OS says about its printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemJobStatus {
    pub state: SystemJobState,
    /// Set when the printer is stopped or reports a problem: the job waits.
    pub printer_problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error("the print system is not available: {0}")]
    Unavailable(String),
    #[error("the print system does not know the printer {0:?}")]
    PrinterNotFound(String),
    #[error("the printer refused the job: {0}")]
    Rejected(String),
    #[error("printing failed: {0}")]
    Failed(String),
}

impl PrintError {
    /// A stable code for the UI and the job record.
    pub fn code(&self) -> PrintFailure {
        match self {
            PrintError::Unavailable(_) => PrintFailure::SystemUnavailable,
            PrintError::PrinterNotFound(_) => PrintFailure::PrinterNotFound,
            PrintError::Rejected(_) => PrintFailure::Rejected,
            PrintError::Failed(_) => PrintFailure::Failed,
        }
    }
}

/// Why a job did not reach (or did not leave) the printer, as recorded on the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PrintFailure {
    SystemUnavailable,
    PrinterNotFound,
    Rejected,
    Failed,
    /// The app stopped while handing the job over; whether the OS got it is unknown.
    Interrupted,
}

/// The OS print system, as Frontdesk uses it.
pub trait PrintSystem: Send + Sync {
    /// Printers the OS knows, the default first.
    fn printers(&self) -> Result<Vec<PrinterInfo>, PrintError>;
    /// Hand a document to the OS; returns the OS's job id.
    fn submit(&self, printer: &str, request: &PrintRequest<'_>) -> Result<String, PrintError>;
    fn status(&self, printer: &str, job: &str) -> Result<SystemJobStatus, PrintError>;
    fn cancel(&self, printer: &str, job: &str) -> Result<(), PrintError>;
    /// `Some(dpi)` if this system prints pixels and needs [`PrintRequest::raster_png`].
    fn raster_dpi(&self) -> Option<f32> {
        None
    }
}

/// The print system of the OS this build runs on.
pub fn os_print_system() -> std::sync::Arc<dyn PrintSystem> {
    #[cfg(windows)]
    {
        std::sync::Arc::new(windows::WindowsSpooler::new())
    }
    #[cfg(not(windows))]
    {
        std::sync::Arc::new(cups::Cups::new())
    }
}

/// What a finished command printed.
struct Output {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Run a print-system command with `input` on stdin, in the C locale (its messages are
/// parsed), killed after `timeout` so a hung scheduler cannot hang the kiosk.
fn run(
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
    input: Option<&[u8]>,
    timeout: Duration,
) -> Result<Output, PrintError> {
    let mut command = Command::new(program);
    command
        .args(args)
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().map_err(|e| PrintError::Unavailable(format!("cannot run {program}: {e}")))?;
    // Feed stdin and drain stdout/stderr on threads, so a large document cannot deadlock
    // against a full pipe.
    let writer = input.map(|bytes| {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        })
    });
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PrintError::Unavailable(format!("{program} did not answer within {}s", timeout.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(PrintError::Unavailable(format!("{program}: {e}"))),
        }
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    let stdout = String::from_utf8_lossy(&out_thread.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_thread.join().unwrap_or_default()).into_owned();
    Ok(Output { success: status.success(), stdout, stderr })
}

#[cfg(any(test, feature = "test-support"))]
pub use fake::FakePrintSystem;

#[cfg(any(test, feature = "test-support"))]
mod fake {
    use std::sync::Mutex;

    use super::*;

    /// A print system in memory, for tests of the job rules: printers can be removed,
    /// stopped or made to refuse, and every submitted document is kept.
    #[derive(Default)]
    pub struct FakePrintSystem {
        pub inner: Mutex<FakeState>,
    }

    #[derive(Default)]
    pub struct FakeState {
        pub printers: Vec<PrinterInfo>,
        pub submitted: Vec<(String, String, Vec<u8>)>,
        pub pending: Vec<String>,
        pub refuse: Option<PrintError>,
        pub next_id: u32,
    }

    impl FakePrintSystem {
        pub fn with_printer(name: &str) -> Self {
            let fake = FakePrintSystem::default();
            fake.inner.lock().unwrap().printers.push(PrinterInfo {
                name: name.to_owned(),
                is_default: true,
                state: PrinterState::Idle,
                message: String::new(),
            });
            fake
        }

        pub fn refuse_with(&self, error: Option<PrintError>) {
            self.inner.lock().unwrap().refuse = error;
        }

        /// Documents handed over so far: (printer, OS job id, PDF).
        pub fn submitted(&self) -> Vec<(String, String, Vec<u8>)> {
            self.inner.lock().unwrap().submitted.clone()
        }

        /// The printer prints everything waiting.
        pub fn finish_all(&self) {
            self.inner.lock().unwrap().pending.clear();
        }
    }

    impl PrintSystem for FakePrintSystem {
        fn printers(&self) -> Result<Vec<PrinterInfo>, PrintError> {
            Ok(self.inner.lock().unwrap().printers.clone())
        }

        fn submit(&self, printer: &str, request: &PrintRequest<'_>) -> Result<String, PrintError> {
            let mut s = self.inner.lock().unwrap();
            if let Some(err) = &s.refuse {
                return Err(err.clone());
            }
            if !s.printers.iter().any(|p| p.name == printer) {
                return Err(PrintError::PrinterNotFound(printer.to_owned()));
            }
            s.next_id += 1;
            let id = format!("{printer}-{}", s.next_id);
            s.submitted.push((printer.to_owned(), id.clone(), request.pdf.to_vec()));
            s.pending.push(id.clone());
            Ok(id)
        }

        fn status(&self, _printer: &str, job: &str) -> Result<SystemJobStatus, PrintError> {
            let s = self.inner.lock().unwrap();
            let state =
                if s.pending.iter().any(|j| j == job) { SystemJobState::Pending } else { SystemJobState::Completed };
            Ok(SystemJobStatus { state, printer_problem: None })
        }

        fn cancel(&self, _printer: &str, job: &str) -> Result<(), PrintError> {
            self.inner.lock().unwrap().pending.retain(|j| j != job);
            Ok(())
        }
    }
}
