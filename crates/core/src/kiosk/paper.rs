//! Printing the roll call and the paper fallback kit (see `paper`), and the document printer
//! (A4) setting beside the badge printer.

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::{Kiosk, PrintWhat};
use crate::audit::AuditAction;
use crate::error::CoreError;
use crate::i18n::Lang;
use crate::print::PrintJob;
use crate::render::Renderer;

const META_DOCUMENT_PRINTER: &str = "print.document_printer";

/// What a paper print did: the jobs handed to the printers, and which printer was skipped
/// because none is chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaperPrint {
    pub jobs: Vec<PrintJob>,
    pub skipped: Vec<PrinterRole>,
    /// The badge printer was skipped because its labels are cut to size (cards, die-cut
    /// labels), not a continuous roll a long list can run on.
    pub badge_printer_has_no_roll: bool,
}

/// The kiosk's two printers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrinterRole {
    /// A4 lists and the fallback kit.
    Document,
    /// Badges, and the roll call on its label roll.
    Badge,
}

impl PrinterRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PrinterRole::Document => "document",
            PrinterRole::Badge => "badge",
        }
    }
}

impl Kiosk {
    /// The A4 printer for lists and the fallback kit (a device setting, not synced).
    pub fn document_printer(&self) -> Result<Option<String>, CoreError> {
        Ok(self.store().meta(META_DOCUMENT_PRINTER)?.filter(|p| !p.is_empty()))
    }

    pub fn set_document_printer(&self, printer: Option<&str>) -> Result<(), CoreError> {
        let printer = printer.unwrap_or("").trim().to_owned();
        self.change(|change| {
            change.set_meta(META_DOCUMENT_PRINTER, &printer)?;
            let actor = change.desk_actor()?;
            change.audit(&actor, AuditAction::SettingsChange, META_DOCUMENT_PRINTER, json!({}))?;
            Ok(())
        })
    }

    /// Print the running roll call at once on the document printer (A4) and on the badge
    /// printer's roll, each with a tick column. Prints on whichever of the two is chosen;
    /// fails with `no_document_printer` only if neither is.
    pub fn print_rollcall(&self, lang: Lang) -> Result<PaperPrint, CoreError> {
        let rollcall = self.rollcall()?.ok_or(CoreError::NoEvacuation)?;
        let renderer = Renderer::shared();
        let now = self.now();
        let title = crate::catalog::text(lang, "rollcall-print-title", &[]);
        let subject = rollcall.evacuation_id.to_string();
        let mut result = PaperPrint { jobs: Vec::new(), skipped: Vec::new(), badge_printer_has_no_roll: false };
        // Only the 62 mm label comes as a continuous roll; a list on CR80 cards or die-cut
        // labels would be cut into pieces.
        let roll = self.print_settings()?.label_size == crate::badge::LabelSize::Label62x100;
        let targets = [(PrinterRole::Document, self.document_printer()?), (PrinterRole::Badge, self.badge_printer()?)];
        if targets.iter().all(|(_, p)| p.is_none()) {
            return Err(CoreError::NoDocumentPrinter);
        }
        for (which, printer) in targets {
            let Some(printer) = printer else {
                result.skipped.push(which);
                continue;
            };
            if which == PrinterRole::Badge && !roll {
                result.badge_printer_has_no_roll = true;
                continue;
            }
            let pages = if which == PrinterRole::Document {
                crate::paper::rollcall_a4(&renderer, lang, &self.site(), &rollcall, now)?
            } else {
                crate::paper::rollcall_roll(&renderer, lang, &self.site(), &rollcall, now)?
            };
            let refs: Vec<_> = pages.iter().collect();
            let job = self.print_pages(
                PrintWhat {
                    kind: "rollcall",
                    subject: &format!("{subject}/{}", which.as_str()),
                    title: &title,
                    printer: &printer,
                },
                &refs,
                true,
            )?;
            result.jobs.push(job);
        }
        if result.jobs.is_empty() {
            // Only a badge printer without a roll is chosen: nothing could print.
            return Err(CoreError::NoDocumentPrinter);
        }
        self.change(|change| {
            let actor = change.desk_actor()?;
            change.audit(
                &actor,
                AuditAction::RollcallPrinted,
                subject.clone(),
                json!({ "people": rollcall.counts.total, "printers": result.jobs.len(), "drill": rollcall.drill }),
            )?;
            Ok(())
        })?;
        Ok(result)
    }

    /// Print the paper fallback kit on the document printer: the emergency sheet and a blank
    /// sign-in sheet in each language, and the current on-site list. Needs no network: the
    /// pages are drawn here and the printer is the OS's.
    pub fn print_fallback_kit(&self, lang: Lang) -> Result<PaperPrint, CoreError> {
        let printer = self.document_printer()?.ok_or(CoreError::NoDocumentPrinter)?;
        let on_site = self.on_site()?;
        let renderer = Renderer::shared();
        let now = self.now();
        let pages = crate::paper::fallback_kit(&renderer, lang, &self.site(), &on_site, now)?;
        let refs: Vec<_> = pages.iter().collect();
        let title = crate::catalog::text(lang, "kit-title", &[]);
        let job = self.print_pages(
            PrintWhat { kind: "fallback-kit", subject: "kit", title: &title, printer: &printer },
            &refs,
            true,
        )?;
        self.change(|change| {
            let actor = change.desk_actor()?;
            change.audit(
                &actor,
                AuditAction::FallbackKitPrinted,
                "kit",
                json!({ "pages": pages.len(), "on_site": on_site.len() }),
            )?;
            Ok(())
        })?;
        Ok(PaperPrint { jobs: vec![job], skipped: Vec::new(), badge_printer_has_no_roll: false })
    }
}
