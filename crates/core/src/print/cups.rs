//! CUPS (Linux, macOS) through its command-line clients: `lpstat` to list printers and jobs,
//! `lp` to submit, `cancel` to cancel. They speak IPP to the local scheduler and exist on every
//! CUPS system, so Frontdesk needs no IPP stack and no printer driver of its own.

use std::time::Duration;

use super::{PrintError, PrintRequest, PrintSystem, PrinterInfo, PrinterState, SystemJobState, SystemJobStatus, run};

const TIMEOUT: Duration = Duration::from_secs(20);

/// The local CUPS scheduler.
#[derive(Debug, Default, Clone)]
pub struct Cups {
    /// Extra environment for the clients (e.g. `CUPS_SERVER` to use another scheduler).
    env: Vec<(String, String)>,
}

impl Cups {
    pub fn new() -> Cups {
        Cups::default()
    }

    /// Talk to the scheduler at `server` (host, host:port or a socket path) instead of the default.
    pub fn with_server(server: &str) -> Cups {
        Cups { env: vec![("CUPS_SERVER".into(), server.into())] }
    }

    fn run(&self, program: &str, args: &[&str], input: Option<&[u8]>) -> Result<super::Output, PrintError> {
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run(program, args, &env, input, TIMEOUT)
    }

    /// Run and turn a failure into the matching error.
    fn ok(&self, program: &str, args: &[&str], input: Option<&[u8]>, printer: &str) -> Result<String, PrintError> {
        let out = self.run(program, args, input)?;
        if out.success { Ok(out.stdout) } else { Err(classify(&out.stderr, printer)) }
    }
}

/// Map the CUPS clients' (C-locale) error text onto an error kind.
fn classify(stderr: &str, printer: &str) -> PrintError {
    let text = stderr.trim();
    let lower = text.to_ascii_lowercase();
    if lower.contains("scheduler is not running")
        || lower.contains("unable to connect")
        || lower.contains("connection refused")
        || lower.contains("no such file or directory")
    {
        PrintError::Unavailable(text.to_owned())
    } else if lower.contains("does not exist")
        || lower.contains("unknown destination")
        || lower.contains("invalid destination")
    {
        PrintError::PrinterNotFound(printer.to_owned())
    } else if lower.contains("not accepting jobs") || lower.contains("not-accepting") {
        PrintError::Rejected(text.to_owned())
    } else {
        PrintError::Failed(if text.is_empty() {
            "the print command failed without saying why".into()
        } else {
            text.to_owned()
        })
    }
}

/// CUPS' own media name for a page size, e.g. `Custom.62x100mm`; label printer drivers map
/// it to their nearest label.
pub fn media_option(width_mm: f32, height_mm: f32) -> String {
    let fmt = |v: f32| {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    format!("media=Custom.{}x{}mm", fmt(width_mm), fmt(height_mm))
}

/// `request id is PDF-12 (1 file(s))` → `PDF-12`.
pub fn parse_request_id(stdout: &str) -> Option<String> {
    let rest = stdout.split("request id is ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// Job ids (first column) of `lpstat -o` output.
pub fn parse_job_ids(stdout: &str) -> Vec<String> {
    stdout.lines().filter_map(|l| l.split_whitespace().next()).map(str::to_owned).collect()
}

/// Printers from `lpstat -p` output (each printer's line, plus indented reason lines).
pub fn parse_printers(lpstat_p: &str, default: Option<&str>) -> Vec<PrinterInfo> {
    let mut printers: Vec<PrinterInfo> = Vec::new();
    for line in lpstat_p.lines() {
        if let Some(rest) = line.strip_prefix("printer ") {
            let name = rest.split_whitespace().next().unwrap_or_default().to_owned();
            let after = &rest[name.len()..];
            let state = if after.contains(" disabled") {
                PrinterState::Stopped
            } else if after.contains(" now printing") {
                PrinterState::Printing
            } else if after.contains(" is idle") {
                PrinterState::Idle
            } else {
                PrinterState::Unknown
            };
            printers.push(PrinterInfo {
                is_default: Some(name.as_str()) == default,
                name,
                state,
                message: String::new(),
            });
        } else if let Some(last) = printers.last_mut() {
            let reason = line.trim();
            if !reason.is_empty() {
                if !last.message.is_empty() {
                    last.message.push(' ');
                }
                last.message.push_str(reason);
            }
        }
    }
    printers.retain(|p| !p.name.is_empty());
    printers.sort_by(|a, b| b.is_default.cmp(&a.is_default).then_with(|| a.name.cmp(&b.name)));
    printers
}

/// `system default destination: PDF` → `PDF`.
pub fn parse_default(lpstat_d: &str) -> Option<String> {
    lpstat_d.split("system default destination:").nth(1).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl PrintSystem for Cups {
    fn printers(&self) -> Result<Vec<PrinterInfo>, PrintError> {
        let listing = self.run("lpstat", &["-p"], None)?;
        if !listing.success {
            let lower = listing.stderr.to_ascii_lowercase();
            // No printers at all is an empty list, not an error.
            if lower.contains("no destinations added") {
                return Ok(Vec::new());
            }
            return Err(classify(&listing.stderr, ""));
        }
        let default = self.run("lpstat", &["-d"], None).ok().and_then(|o| parse_default(&o.stdout));
        Ok(parse_printers(&listing.stdout, default.as_deref()))
    }

    fn submit(&self, printer: &str, request: &PrintRequest<'_>) -> Result<String, PrintError> {
        let media = media_option(request.media.width_mm, request.media.height_mm);
        let title = request.title.replace(|c: char| c.is_control(), " ");
        let args = ["-d", printer, "-t", &title, "-n", "1", "-o", &media, "-o", "print-scaling=none", "--", "-"];
        let stdout = self.ok("lp", &args, Some(request.pdf), printer)?;
        parse_request_id(&stdout)
            .ok_or_else(|| PrintError::Failed(format!("lp did not say which job it made: {stdout}")))
    }

    fn status(&self, printer: &str, job: &str) -> Result<SystemJobStatus, PrintError> {
        let pending = parse_job_ids(&self.ok("lpstat", &["-W", "not-completed", "-o", printer], None, printer)?);
        let state = if pending.iter().any(|j| j == job) {
            SystemJobState::Pending
        } else {
            let done = parse_job_ids(&self.ok("lpstat", &["-W", "completed", "-o", printer], None, printer)?);
            if done.iter().any(|j| j == job) { SystemJobState::Completed } else { SystemJobState::Gone }
        };
        let printer_problem = if state == SystemJobState::Pending {
            let p = parse_printers(&self.ok("lpstat", &["-p", printer], None, printer)?, None);
            p.into_iter()
                .find(|p| p.state == PrinterState::Stopped)
                .map(|p| if p.message.is_empty() { "the printer is paused".to_owned() } else { p.message })
        } else {
            None
        };
        Ok(SystemJobStatus { state, printer_problem })
    }

    fn cancel(&self, printer: &str, job: &str) -> Result<(), PrintError> {
        match self.ok("cancel", &[job], None, printer) {
            Ok(_) => Ok(()),
            // Already finished or gone: nothing left to cancel.
            Err(PrintError::Failed(msg)) if msg.contains("already") || msg.contains("does not exist") => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lp_and_lpstat_output_is_understood() {
        assert_eq!(parse_request_id("request id is PDF-12 (1 file(s))\n").as_deref(), Some("PDF-12"));
        assert_eq!(parse_request_id("something else"), None);
        assert_eq!(parse_default("system default destination: Brother_QL\n").as_deref(), Some("Brother_QL"));
        assert_eq!(parse_default("no system default destination\n"), None);
        let listing = "printer Brother_QL disabled since Sat 28 Nov 2026 -\n\tPaper out\nprinter PDF is idle.  enabled since x\nprinter Office now printing Office-3.  enabled since y\n";
        let printers = parse_printers(listing, Some("PDF"));
        assert_eq!(printers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["PDF", "Brother_QL", "Office"]);
        assert!(printers[0].is_default);
        assert_eq!(printers[0].state, PrinterState::Idle);
        assert_eq!((printers[1].state, printers[1].message.as_str()), (PrinterState::Stopped, "Paper out"));
        assert_eq!(printers[2].state, PrinterState::Printing);
        assert_eq!(
            parse_job_ids("PDF-1   root   1024   Sat\nPDF-7   root  2048 Sat\n"),
            ["PDF-1".to_owned(), "PDF-7".to_owned()]
        );
        assert_eq!(media_option(62.0, 100.0), "media=Custom.62x100mm");
        assert_eq!(media_option(53.98, 85.6), "media=Custom.53.98x85.6mm");
    }

    #[test]
    fn errors_are_classified() {
        assert!(matches!(classify("lpstat: Scheduler is not running.", "x"), PrintError::Unavailable(_)));
        assert!(matches!(
            classify("lp: The printer or class does not exist.", "Nope"),
            PrintError::PrinterNotFound(p) if p == "Nope"
        ));
        assert!(matches!(classify("lp: Destination \"PDF\" is not accepting jobs.", "PDF"), PrintError::Rejected(_)));
        assert!(matches!(classify("", "x"), PrintError::Failed(_)));
    }
}
