//! The kiosk's printing: its printers, settings and durable print jobs (see `print`).

use std::sync::Arc;

use super::Kiosk;
use crate::error::CoreError;
use crate::print::jobs::Spooler;
use crate::print::{MediaSize, NewPrintJob, PrintJob, PrintJobId, PrintSystem, PrinterInfo};
use crate::render::{Document, Renderer};

const META_BADGE_PRINTER: &str = "print.badge_printer";

/// How many recent jobs the settings screen lists.
pub const RECENT_JOBS: u32 = 20;

impl Kiosk {
    /// Use another print system (tests; a hub-managed printer later).
    pub fn with_print_system(mut self, system: Arc<dyn PrintSystem>) -> Kiosk {
        self.print_system = system;
        self
    }

    fn spooler(&self) -> Spooler<'_> {
        Spooler { store: &self.store, system: self.print_system.as_ref(), now: self.now() }
    }

    /// Printers the OS knows, the default first.
    pub fn printers(&self) -> Result<Vec<PrinterInfo>, CoreError> {
        self.print_system.printers().map_err(CoreError::Print)
    }

    /// The printer chosen for badges on this kiosk (a device setting, not synced).
    pub fn badge_printer(&self) -> Result<Option<String>, CoreError> {
        Ok(self.store().meta(META_BADGE_PRINTER)?.filter(|p| !p.is_empty()))
    }

    pub fn set_badge_printer(&self, printer: Option<&str>) -> Result<(), CoreError> {
        self.store().set_meta(META_BADGE_PRINTER, printer.unwrap_or(""))?;
        Ok(())
    }

    /// Render `pages` (each at its own physical size) and print them as one job: recorded
    /// first, then handed to the OS print system. With `reuse_open`, a job for the same kind
    /// and subject still on its way is returned instead of a new one; without it, such a job
    /// makes this fail with `print_job_open`. The job comes back even when the OS refused it:
    /// its state, failure and detail say why, and it waits for a retry.
    pub fn print_pages(
        &self,
        what: PrintWhat<'_>,
        pages: &[&Document],
        reuse_open: bool,
    ) -> Result<PrintJob, CoreError> {
        let first = pages.first().ok_or(crate::render::RenderError::NoPages)?;
        let renderer = Renderer::shared();
        let pdf = renderer.pdf(pages, what.title)?;
        let raster_png = match self.print_system.raster_dpi() {
            Some(dpi) => Some(renderer.raster(first, dpi)?.png()?),
            None => None,
        };
        self.spooler().print(
            NewPrintJob {
                kind: what.kind.to_owned(),
                subject: what.subject.to_owned(),
                title: what.title.to_owned(),
                printer: what.printer.to_owned(),
                media: MediaSize { width_mm: first.width_mm(), height_mm: first.height_mm() },
                pdf,
                raster_png,
            },
            reuse_open,
        )
    }

    /// The latest jobs on this kiosk, newest first.
    pub fn print_jobs(&self) -> Result<Vec<PrintJob>, CoreError> {
        Ok(self.store().recent_print_jobs(RECENT_JOBS)?)
    }

    pub fn print_job(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        self.store().print_job(id)?.ok_or_else(|| CoreError::PrintJobNotFound(id.to_string()))
    }

    /// Ask the OS how a sent job is doing.
    pub fn refresh_print_job(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        self.spooler().refresh(id)
    }

    /// Hand a failed or interrupted job over again (a person asked).
    pub fn retry_print_job(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        self.spooler().retry(id)
    }

    pub fn cancel_print_job(&self, id: PrintJobId) -> Result<PrintJob, CoreError> {
        self.spooler().cancel(id)
    }
}

/// What a print job is, for [`Kiosk::print_pages`].
pub struct PrintWhat<'a> {
    /// `badge`, `card`, `list`…: with `subject`, what makes two jobs "the same document".
    pub kind: &'a str,
    pub subject: &'a str,
    /// Shown in the OS's queue.
    pub title: &'a str,
    pub printer: &'a str,
}
