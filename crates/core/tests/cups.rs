//! Printing through the real OS print system: CUPS with a PDF queue (cups-pdf), as
//! scripts/cups-pdf-queue.sh sets it up. The printed file is read back.

mod support;

use std::process::Command;
use std::sync::Arc;

use frontdesk_core::kiosk::PrintWhat;
use frontdesk_core::print::cups::Cups;
use frontdesk_core::print::{JobState, PrintFailure, PrintSystem, PrinterState};
use frontdesk_core::render::Renderer;

const PAGE: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="105mm" height="148mm" viewBox="0 0 105 148"><text x="8" y="20" font-size="8">欧阳娜娜 Łucja</text><text x="8" y="40" font-size="3">MARKER</text></svg>"#;

#[test]
fn a_document_printed_to_the_pdf_queue_comes_out_at_its_size_with_its_text() {
    let queue = support::pdf_queue();
    let cups = Cups::new();
    let printers = cups.printers().unwrap();
    assert!(printers.iter().any(|p| p.name == queue), "{printers:?}");

    let dir = tempfile::tempdir().unwrap();
    let kiosk = support::open_kiosk(dir.path(), Arc::default()).with_print_system(Arc::new(cups));
    // Upper case: the cups-pdf test printer converts through PostScript, which loses the text
    // of ligature glyphs (an "ff" in lower-case hex would vanish from pdftotext's output).
    let marker = format!("FD{}", uuid::Uuid::now_v7().simple()).to_uppercase();
    let doc = Renderer::shared().parse(&PAGE.replace("MARKER", &marker)).unwrap();
    let since = std::time::SystemTime::now();
    let job = kiosk
        .print_pages(PrintWhat { kind: "card", subject: &marker, title: &marker, printer: &queue }, &[&doc], true)
        .unwrap();
    assert_eq!(job.state, JobState::Sent, "{job:?}");
    let system_job = job.system_job.clone().unwrap();

    let pdf = support::wait_for_pdf(&system_job, since);
    let text = support::pdftotext(&pdf);
    assert!(text.contains("欧阳娜娜"), "{text}");
    assert!(text.contains("Łucja"), "a character from the system fallback font: {text}");
    assert!(text.contains(&marker), "{text}");
    // The page is A6 (105 × 148 mm = 297.6 × 419.5 pt).
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    let nums: Vec<f32> = size.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    // cups-pdf goes through PostScript, which rounds the page to whole points.
    assert!((nums[0] - 297.6).abs() < 1.0 && (nums[1] - 419.5).abs() < 1.0, "{size}");

    let done = kiosk.refresh_print_job(job.id).unwrap();
    assert_eq!(done.state, JobState::Completed);
}

/// A queue of our own, removed when dropped, so pausing it cannot disturb anyone else's
/// prints to the shared PDF queue.
struct ScratchQueue(String);

impl ScratchQueue {
    fn new() -> ScratchQueue {
        support::pdf_queue();
        let name = format!("frontdesk-test-{}", std::process::id());
        let ok = Command::new("lpadmin")
            .args(["-p", &name, "-v", "cups-pdf:/", "-E", "-m", "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"])
            .args(["-o", "pdftops-renderer-default=pdftocairo"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "lpadmin could not add a queue (these tests run as root in CI)");
        ScratchQueue(name)
    }

    fn run(&self, tool: &str) {
        assert!(Command::new(tool).arg(&self.0).status().unwrap().success(), "{tool} {}", self.0);
    }
}

impl Drop for ScratchQueue {
    fn drop(&mut self) {
        let _ = Command::new("cancel").args(["-a", &self.0]).status();
        let _ = Command::new("lpadmin").args(["-x", &self.0]).status();
    }
}

#[test]
fn a_paused_printer_is_reported_and_coming_back_prints_the_badge_once() {
    let queue = ScratchQueue::new();
    queue.run("cupsdisable");
    let dir = tempfile::tempdir().unwrap();
    let kiosk = support::open_kiosk(dir.path(), Arc::default()).with_print_system(Arc::new(Cups::new()));
    let printers = kiosk.printers().unwrap();
    let me = printers.iter().find(|p| p.name == queue.0).unwrap();
    assert_eq!(me.state, PrinterState::Stopped);

    let doc = Renderer::shared().parse(PAGE).unwrap();
    let since = std::time::SystemTime::now();
    let what = || PrintWhat { kind: "badge", subject: "visit-x", title: "paused", printer: &queue.0 };
    let job = kiosk.print_pages(what(), &[&doc], true).unwrap();
    assert_eq!(job.state, JobState::Sent);
    let waiting = kiosk.refresh_print_job(job.id).unwrap();
    assert_eq!(waiting.state, JobState::Sent);
    assert!(!waiting.detail.is_empty(), "the paused printer is reported on the job");

    // The receptionist taps print three more times while the printer is off.
    for _ in 0..3 {
        assert_eq!(kiosk.print_pages(what(), &[&doc], true).unwrap().id, job.id);
    }
    let queued = Command::new("lpstat").args(["-W", "not-completed", "-o", &queue.0]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&queued.stdout).lines().count(), 1, "one job in the OS queue");

    queue.run("cupsenable");
    support::wait_for_pdf(job.system_job.as_deref().unwrap(), since);
    assert_eq!(kiosk.refresh_print_job(job.id).unwrap().state, JobState::Completed);

    // A queue that refuses jobs: the failure is clear and the job is kept.
    queue.run("cupsreject");
    let refused = kiosk.print_pages(PrintWhat { subject: "visit-y", ..what() }, &[&doc], true).unwrap();
    assert_eq!((refused.state, refused.failure), (JobState::Failed, Some(PrintFailure::Rejected)), "{refused:?}");
    assert!(refused.detail.contains("not accepting"), "{}", refused.detail);
    queue.run("cupsaccept");
    assert_eq!(kiosk.retry_print_job(refused.id).unwrap().state, JobState::Sent);
}

#[test]
fn an_unknown_printer_is_a_clear_failure() {
    support::pdf_queue();
    let dir = tempfile::tempdir().unwrap();
    let kiosk = support::open_kiosk(dir.path(), Arc::default()).with_print_system(Arc::new(Cups::new()));
    let doc = Renderer::shared().parse(PAGE).unwrap();
    let job = kiosk
        .print_pages(PrintWhat { kind: "badge", subject: "v", title: "t", printer: "No-Such-Printer" }, &[&doc], true)
        .unwrap();
    assert_eq!((job.state, job.failure), (JobState::Failed, Some(PrintFailure::PrinterNotFound)), "{job:?}");
}

#[test]
fn a_badge_printed_through_cups_carries_the_chinese_name_and_a_qr_that_verifies() {
    let queue = support::pdf_queue();
    let dir = tempfile::tempdir().unwrap();
    let kiosk = support::open_kiosk(dir.path(), Arc::default()).with_print_system(Arc::new(Cups::new()));
    let visit = kiosk
        .sign_in(frontdesk_core::visit::NewVisit {
            name: "欧阳娜娜".into(),
            company: "滨海物流 Binhai Logistics".into(),
            host_id: frontdesk_core::ids::HostId("li-na".into()),
            purpose: "".into(),
            ..Default::default()
        })
        .unwrap();
    kiosk.set_badge_printer(Some(&queue)).unwrap();
    for size in frontdesk_core::badge::LabelSize::ALL {
        let settings = kiosk.print_settings().unwrap();
        kiosk.set_print_settings(&frontdesk_core::kiosk::PrintSettings { label_size: size, ..settings }).unwrap();
        let since = std::time::SystemTime::now();
        // The first print of a visit's badge, then a deliberate reprint on the next size.
        let job = if size == frontdesk_core::badge::LabelSize::ALL[0] {
            kiosk.print_badge(visit.id, frontdesk_core::i18n::Lang::ZhCn).unwrap()
        } else {
            // The previous copy has completed (checked below), so the reprint is not refused.
            kiosk.reprint_badge(visit.id, frontdesk_core::i18n::Lang::ZhCn).unwrap()
        };
        assert_eq!(job.state, JobState::Sent, "{job:?}");
        let pdf = support::wait_for_pdf(job.system_job.as_deref().unwrap(), since);
        let text = support::pdftotext(&pdf);
        assert!(text.contains("欧阳娜娜"), "{size:?}: {text}");
        assert!(text.contains("李娜"), "the host: {text}");

        let (w, h, grey) = support::pdftoppm_grey(&pdf, 300);
        let codes = support::decode_qr(w, h, &grey);
        assert_eq!(codes.len(), 1, "{size:?}: one QR code on the printed badge");
        let check = kiosk.check_badge(&codes[0]).unwrap();
        assert!(check.valid, "{check:?}");
        assert_eq!(check.visit_id, Some(visit.id));
        assert_eq!(kiosk.badge_job(visit.id).unwrap().unwrap().state, JobState::Completed);
    }
    // Every badge print is in the audit log, under the visit id (no name).
    let conn = rusqlite::Connection::open(dir.path().join(frontdesk_core::storage::DATABASE_FILE)).unwrap();
    let printed: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'badge_print' AND subject = ?1",
            [visit.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    let all: Vec<String> = conn
        .prepare("SELECT action || ' ' || subject FROM audit")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(printed, 3, "{all:?}");
}
