//! The Windows print spooler, through PowerShell (present on every supported Windows) and
//! .NET's System.Drawing printing, which prints to any printer with a Windows driver.
//!
//! Windows has no built-in way to print a PDF, so this backend prints the page as a raster at
//! [`RASTER_DPI`], drawn at the page's physical size. Values reach the scripts through
//! environment variables, never spliced into script text, so a printer or document name
//! cannot inject commands.
//!
//! Only compiled into the choice of print system on Windows; the scripts are unit-tested
//! everywhere. Not yet run on a real Windows machine (see docs/printing.md).

use std::time::Duration;

use super::{PrintError, PrintRequest, PrintSystem, PrinterInfo, PrinterState, SystemJobState, SystemJobStatus, run};

/// Resolution of the raster sent to Windows printers.
pub const RASTER_DPI: f32 = 300.0;
const TIMEOUT: Duration = Duration::from_secs(30);

pub const LIST_SCRIPT: &str = r#"$ErrorActionPreference = 'Stop'
Get-CimInstance -ClassName Win32_Printer | ForEach-Object {
  "{0}`t{1}`t{2}`t{3}" -f $_.Name, $_.Default, $_.PrinterStatus, $_.WorkOffline
}"#;

pub const SUBMIT_SCRIPT: &str = r#"$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Drawing
$printer = $env:FRONTDESK_PRINTER
$title = $env:FRONTDESK_TITLE
$w = [double]$env:FRONTDESK_WIDTH_MM
$h = [double]$env:FRONTDESK_HEIGHT_MM
$doc = New-Object System.Drawing.Printing.PrintDocument
$doc.PrinterSettings.PrinterName = $printer
if (-not $doc.PrinterSettings.IsValid) { Write-Error "printer not found: $printer"; exit 3 }
$doc.DocumentName = $title
$hundredths = { param($mm) [int][math]::Round($mm / 25.4 * 100) }
$doc.DefaultPageSettings.PaperSize = New-Object System.Drawing.Printing.PaperSize('Frontdesk', (& $hundredths $w), (& $hundredths $h))
$doc.DefaultPageSettings.Margins = New-Object System.Drawing.Printing.Margins(0, 0, 0, 0)
$doc.OriginAtMargins = $false
$img = [System.Drawing.Image]::FromFile($env:FRONTDESK_FILE)
$doc.add_PrintPage({
  param($sender, $e)
  $e.Graphics.PageUnit = [System.Drawing.GraphicsUnit]::Millimeter
  $e.Graphics.DrawImage($img, 0, 0, $w, $h)
  $e.HasMorePages = $false
})
$doc.Print()
$img.Dispose()
$job = Get-PrintJob -PrinterName $printer | Where-Object { $_.DocumentName -eq $title } | Sort-Object Id | Select-Object -Last 1
if ($job) { "job {0}" -f $job.Id } else { "job done" }"#;

pub const STATUS_SCRIPT: &str = r#"$ErrorActionPreference = 'Stop'
$job = Get-PrintJob -PrinterName $env:FRONTDESK_PRINTER | Where-Object { $_.Id -eq [int]$env:FRONTDESK_JOB }
if ($job) { "pending`t{0}" -f $job.JobStatus } else { "gone" }"#;

pub const CANCEL_SCRIPT: &str = r#"$ErrorActionPreference = 'Stop'
Get-PrintJob -PrinterName $env:FRONTDESK_PRINTER | Where-Object { $_.Id -eq [int]$env:FRONTDESK_JOB } | Remove-PrintJob"#;

/// The local Windows spooler.
#[derive(Debug, Default, Clone)]
pub struct WindowsSpooler;

impl WindowsSpooler {
    pub fn new() -> WindowsSpooler {
        WindowsSpooler
    }

    fn powershell(&self, script: &str, env: &[(&str, &str)], printer: &str) -> Result<String, PrintError> {
        let out = run("powershell", &["-NoProfile", "-NonInteractive", "-Command", script], env, None, TIMEOUT)?;
        if out.success {
            Ok(out.stdout)
        } else if out.stderr.contains("printer not found") || out.stderr.contains("No printer") {
            Err(PrintError::PrinterNotFound(printer.to_owned()))
        } else {
            Err(PrintError::Failed(out.stderr.trim().to_owned()))
        }
    }
}

/// `name\tTrue\t3\tFalse` lines from [`LIST_SCRIPT`].
pub fn parse_printers(stdout: &str) -> Vec<PrinterInfo> {
    let mut printers: Vec<PrinterInfo> = stdout
        .lines()
        .filter_map(|line| {
            let mut cols = line.trim_end_matches('\r').split('\t');
            let name = cols.next()?.trim().to_owned();
            let is_default = cols.next()?.trim().eq_ignore_ascii_case("true");
            // Win32_Printer.PrinterStatus: 3 idle, 4 printing, 7 offline; other values vary.
            let status = cols.next().unwrap_or_default().trim();
            let offline = cols.next().unwrap_or_default().trim().eq_ignore_ascii_case("true");
            let state = match (offline, status) {
                (true, _) | (_, "7") => PrinterState::Stopped,
                (_, "3") => PrinterState::Idle,
                (_, "4") => PrinterState::Printing,
                _ => PrinterState::Unknown,
            };
            (!name.is_empty()).then_some(PrinterInfo { name, is_default, state, message: String::new() })
        })
        .collect();
    printers.sort_by(|a, b| b.is_default.cmp(&a.is_default).then_with(|| a.name.cmp(&b.name)));
    printers
}

impl PrintSystem for WindowsSpooler {
    fn printers(&self) -> Result<Vec<PrinterInfo>, PrintError> {
        Ok(parse_printers(&self.powershell(LIST_SCRIPT, &[], "")?))
    }

    fn submit(&self, printer: &str, request: &PrintRequest<'_>) -> Result<String, PrintError> {
        let png = request.raster_png.ok_or_else(|| PrintError::Failed("no raster of the page was made".into()))?;
        let dir = std::env::temp_dir().join(format!("frontdesk-print-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).map_err(|e| PrintError::Failed(e.to_string()))?;
        let file = dir.join("page.png");
        std::fs::write(&file, png).map_err(|e| PrintError::Failed(e.to_string()))?;
        let (w, h) = (request.media.width_mm.to_string(), request.media.height_mm.to_string());
        let file_s = file.display().to_string();
        let env = [
            ("FRONTDESK_PRINTER", printer),
            ("FRONTDESK_TITLE", request.title),
            ("FRONTDESK_WIDTH_MM", w.as_str()),
            ("FRONTDESK_HEIGHT_MM", h.as_str()),
            ("FRONTDESK_FILE", file_s.as_str()),
        ];
        let result = self.powershell(SUBMIT_SCRIPT, &env, printer);
        let _ = std::fs::remove_dir_all(&dir);
        let out = result?;
        let id = out.lines().find_map(|l| l.trim().strip_prefix("job ")).unwrap_or("done").trim().to_owned();
        Ok(id)
    }

    fn status(&self, printer: &str, job: &str) -> Result<SystemJobStatus, PrintError> {
        if job == "done" {
            return Ok(SystemJobStatus { state: SystemJobState::Completed, printer_problem: None });
        }
        let out = self.powershell(STATUS_SCRIPT, &[("FRONTDESK_PRINTER", printer), ("FRONTDESK_JOB", job)], printer)?;
        let line = out.trim();
        if let Some(status) = line.strip_prefix("pending") {
            let status = status.trim();
            let problem = ["Error", "Offline", "PaperOut", "Paused", "Blocked", "UserIntervention"]
                .iter()
                .any(|s| status.contains(s))
                .then(|| status.to_owned());
            Ok(SystemJobStatus { state: SystemJobState::Pending, printer_problem: problem })
        } else {
            Ok(SystemJobStatus { state: SystemJobState::Completed, printer_problem: None })
        }
    }

    fn cancel(&self, printer: &str, job: &str) -> Result<(), PrintError> {
        if job == "done" {
            return Ok(());
        }
        self.powershell(CANCEL_SCRIPT, &[("FRONTDESK_PRINTER", printer), ("FRONTDESK_JOB", job)], printer).map(|_| ())
    }

    fn raster_dpi(&self) -> Option<f32> {
        Some(RASTER_DPI)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_listing_is_parsed() {
        let printers =
            parse_printers("Microsoft Print to PDF\tFalse\t3\tFalse\r\nBrother QL-820NWB\tTrue\t7\tFalse\r\n");
        assert_eq!(printers[0].name, "Brother QL-820NWB");
        assert!(printers[0].is_default);
        assert_eq!(printers[0].state, PrinterState::Stopped);
        assert_eq!(printers[1].state, PrinterState::Idle);
    }

    #[test]
    fn scripts_take_values_only_from_the_environment() {
        for script in [SUBMIT_SCRIPT, STATUS_SCRIPT, CANCEL_SCRIPT] {
            assert!(script.contains("$env:FRONTDESK_PRINTER"));
            assert!(!script.contains("{printer}"));
        }
    }
}
