//! The real `frontdesk-hub` binary as an operator runs it: `serve` in a child process, and the
//! operator's commands on the same data folder.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

pub const HUB_BINARY: &str = env!("CARGO_BIN_EXE_frontdesk-hub");

/// `frontdesk-hub serve` on `listen`; the child and the address it prints.
pub fn serve(data: &std::path::Path, listen: &str) -> (Child, String) {
    let mut child = Command::new(HUB_BINARY)
        .args(["serve", "--listen", listen, "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the hub starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the hub prints where it listens").unwrap();
        if let Some(rest) = line.strip_prefix("listening on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

/// An operator command on the hub's data folder, with `stdin` typed at its prompt; its output.
pub fn cli(data: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(HUB_BINARY)
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "frontdesk-hub {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The one-time code in `frontdesk-hub enrol`'s output.
pub fn code_from(output: &str) -> String {
    output.lines().map(str::trim).find(|l| l.len() == 19 && l.matches('-').count() == 3).unwrap().to_owned()
}

/// CPU seconds a process has used (user + system), from /proc.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}
