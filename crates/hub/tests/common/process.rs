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
