//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::{Kiosk, KioskOptions};

pub fn open_kiosk(dir: &Path, secrets: Arc<MemorySecretStore>) -> Kiosk {
    Kiosk::open(KioskOptions {
        data_dir: dir.to_owned(),
        site: SiteConfig::demo().unwrap(),
        secrets,
        os_locale: Some("zh_CN.UTF-8".into()),
        wall: frontdesk_core::hlc::system_millis,
    })
    .unwrap()
}

/// The CUPS queue backed by cups-pdf that scripts/cups-pdf-queue.sh sets up.
pub fn pdf_queue() -> String {
    let queue = std::env::var("FRONTDESK_TEST_PRINTER").unwrap_or_else(|_| "PDF".into());
    let ok = Command::new("lpstat").args(["-p", &queue]).output().is_ok_and(|o| o.status.success());
    assert!(ok, "no CUPS queue {queue:?}: run scripts/cups-pdf-queue.sh (scripts/test.sh does) before these tests");
    queue
}

/// Where cups-pdf puts this user's output.
pub fn pdf_output_dir() -> PathBuf {
    PathBuf::from(std::env::var("HOME").expect("HOME is set")).join("PDF")
}

/// Wait until CUPS no longer lists the job as pending, then for cups-pdf's file for it
/// (named `…job_<n>.pdf`, written after `since`), complete.
pub fn wait_for_pdf(system_job: &str, since: std::time::SystemTime) -> PathBuf {
    let number = system_job.rsplit('-').next().unwrap();
    let queue = system_job.rsplit_once('-').unwrap().0;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending = Command::new("lpstat").args(["-W", "not-completed", "-o", queue]).output().unwrap();
        let text = String::from_utf8_lossy(&pending.stdout);
        if !text.lines().any(|l| l.split_whitespace().next() == Some(system_job)) {
            break;
        }
        assert!(Instant::now() < deadline, "job {system_job} still pending after 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let suffix = format!("job_{number}.pdf");
    loop {
        let found = std::fs::read_dir(pdf_output_dir())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(&suffix)))
            // Job numbers can repeat after the scheduler's history is reset; older files are not ours.
            .find(|p| {
                std::fs::metadata(p).and_then(|m| m.modified()).is_ok_and(|t| t + Duration::from_secs(2) >= since)
            });
        if let Some(path) = found {
            let bytes = std::fs::read(&path).unwrap_or_default();
            if bytes.windows(5).any(|w| w == b"%%EOF") {
                return path;
            }
        }
        assert!(Instant::now() < deadline, "no complete {suffix} in {}", pdf_output_dir().display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The first page as grey pixels (width, height, bytes), rasterised by pdftoppm.
pub fn pdftoppm_grey(pdf: &Path, dpi: u32) -> (usize, usize, Vec<u8>) {
    let out = Command::new("pdftoppm")
        .args(["-gray", "-r", &dpi.to_string(), "-f", "1", "-l", "1"])
        .arg(pdf)
        .output()
        .expect("pdftoppm (poppler-utils)");
    assert!(out.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&out.stderr));
    parse_pgm(&out.stdout)
}

/// A binary PGM (P5, 8-bit) image.
pub fn parse_pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes[i] == b'#' {
            while bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5", "not a binary PGM");
    assert_eq!(fields[3], "255");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let data = bytes[i + 1..i + 1 + w * h].to_vec();
    (w, h, data)
}

/// Every QR code rqrr finds in a grey image, decoded.
pub fn decode_qr(width: usize, height: usize, grey: &[u8]) -> Vec<String> {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
    img.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, content)| content)).collect()
}
