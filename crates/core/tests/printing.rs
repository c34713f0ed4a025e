//! Print jobs: recorded before they reach the OS, never resent by themselves, kept for retry.
//! The rules run against an in-memory print system here; `cups.rs` prints for real.

mod support;

use std::sync::Arc;

use frontdesk_core::ErrorCode;
use frontdesk_core::kiosk::PrintWhat;
use frontdesk_core::print::{FakePrintSystem, JobState, PrintError, PrintFailure};
use frontdesk_core::render::{Fonts, Renderer};
use frontdesk_core::storage::{DATABASE_FILE, Store};

const PAGE: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="62mm" height="100mm" viewBox="0 0 62 100"><text x="4" y="20" font-size="6">王小明</text></svg>"#;

fn what<'a>(subject: &'a str, printer: &'a str) -> PrintWhat<'a> {
    PrintWhat { kind: "badge", subject, title: "Frontdesk test", printer }
}

#[test]
fn printing_twice_while_the_first_job_waits_makes_one_copy() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Arc::new(FakePrintSystem::with_printer("Label"));
    let kiosk = support::open_kiosk(dir.path(), Arc::default()).with_print_system(fake.clone());
    let doc = Renderer::new(Fonts::bundled()).parse(PAGE).unwrap();

    let first = kiosk.print_pages(what("visit-1", "Label"), &[&doc], true).unwrap();
    assert_eq!(first.state, JobState::Sent);
    assert_eq!((first.media.width_mm.round(), first.media.height_mm.round()), (62.0, 100.0));
    let again = kiosk.print_pages(what("visit-1", "Label"), &[&doc], true).unwrap();
    assert_eq!(again.id, first.id, "the waiting job is returned, not a new one");
    assert_eq!(fake.submitted().len(), 1);

    // A deliberate reprint while the first still waits is refused, not stacked behind it.
    let err = kiosk.print_pages(what("visit-1", "Label"), &[&doc], false).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PrintJobOpen);

    // Once printed, a reprint is a new job.
    fake.finish_all();
    assert_eq!(kiosk.refresh_print_job(first.id).unwrap().state, JobState::Completed);
    let reprint = kiosk.print_pages(what("visit-1", "Label"), &[&doc], false).unwrap();
    assert_ne!(reprint.id, first.id);
    assert_eq!(fake.submitted().len(), 2);
    assert!(fake.submitted()[0].2.starts_with(b"%PDF-"));
}

#[test]
fn a_refused_job_is_kept_with_the_reason_and_retried_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Arc::new(FakePrintSystem::with_printer("Label"));
    let kiosk = support::open_kiosk(dir.path(), Arc::default()).with_print_system(fake.clone());
    let doc = Renderer::new(Fonts::bundled()).parse(PAGE).unwrap();

    fake.refuse_with(Some(PrintError::Unavailable("lp: Scheduler is not running.".into())));
    let job = kiosk.print_pages(what("visit-2", "Label"), &[&doc], true).unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.failure, Some(PrintFailure::SystemUnavailable));
    assert!(job.detail.contains("Scheduler is not running"));
    assert_eq!(job.attempts, 1);
    assert!(fake.submitted().is_empty());

    // Nothing resends it by itself: printing something else, refreshing, reopening.
    fake.refuse_with(None);
    assert_eq!(kiosk.refresh_print_job(job.id).unwrap().state, JobState::Failed);
    assert!(fake.submitted().is_empty());

    let retried = kiosk.retry_print_job(job.id).unwrap();
    assert_eq!((retried.state, retried.attempts, retried.failure), (JobState::Sent, 2, None));
    assert_eq!(fake.submitted().len(), 1);
    // A sent job cannot be retried.
    assert_eq!(kiosk.retry_print_job(job.id).unwrap_err().code(), ErrorCode::PrintJobState);

    // Unknown printer: a clear failure, kept.
    let job = kiosk.print_pages(what("visit-3", "Gone"), &[&doc], true).unwrap();
    assert_eq!(job.failure, Some(PrintFailure::PrinterNotFound));
}

#[test]
fn cancel_withdraws_the_job_and_drops_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Arc::new(FakePrintSystem::with_printer("Label"));
    let kiosk = support::open_kiosk(dir.path(), Arc::default()).with_print_system(fake.clone());
    let doc = Renderer::new(Fonts::bundled()).parse(PAGE).unwrap();
    let job = kiosk.print_pages(what("visit-4", "Label"), &[&doc], true).unwrap();
    let cancelled = kiosk.cancel_print_job(job.id).unwrap();
    assert_eq!(cancelled.state, JobState::Cancelled);
    assert_eq!(fake.inner.lock().unwrap().pending.len(), 0, "withdrawn from the OS queue");
    assert_eq!(kiosk.cancel_print_job(job.id).unwrap_err().code(), ErrorCode::PrintJobState);
    assert_eq!(kiosk.retry_print_job(job.id).unwrap_err().code(), ErrorCode::PrintJobState);
    drop(kiosk);
    let store = Store::open(&dir.path().join(DATABASE_FILE)).unwrap();
    assert!(store.print_job_document(job.id).unwrap().is_none(), "the visitor's badge is not kept");
}

#[test]
fn a_job_interrupted_mid_hand_over_is_never_resent_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(frontdesk_core::secrets::MemorySecretStore::default());
    let id = frontdesk_core::print::PrintJobId(uuid::Uuid::now_v7());
    {
        let _kiosk = support::open_kiosk(dir.path(), secrets.clone());
        // As if the app died right after recording the job, before `lp` returned.
        let store = Store::open(&dir.path().join(DATABASE_FILE)).unwrap();
        let job = frontdesk_core::print::NewPrintJob {
            kind: "badge".into(),
            subject: "visit-5".into(),
            title: "t".into(),
            printer: "Label".into(),
            media: frontdesk_core::print::MediaSize { width_mm: 62.0, height_mm: 100.0 },
            pdf: b"%PDF-1.7".to_vec(),
            raster_png: None,
        };
        store.insert_print_job(id, &job, jiff::Timestamp::now()).unwrap();
    }
    let fake = Arc::new(FakePrintSystem::with_printer("Label"));
    let kiosk = support::open_kiosk(dir.path(), secrets).with_print_system(fake.clone());
    let job = kiosk.print_job(id).unwrap();
    assert_eq!((job.state, job.failure), (JobState::Interrupted, Some(PrintFailure::Interrupted)));
    assert!(fake.submitted().is_empty());
    // A new "print" of the same badge is not blocked by it, and a person may retry it.
    let doc = Renderer::new(Fonts::bundled()).parse(PAGE).unwrap();
    assert_eq!(kiosk.print_pages(what("visit-5", "Label"), &[&doc], true).unwrap().state, JobState::Sent);
    assert_eq!(kiosk.print_jobs().unwrap().len(), 2);
}
