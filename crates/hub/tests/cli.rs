//! The `frontdesk-hub` binary as an operator uses it: serve, enrol, devices list/revoke, site
//! publish, fingerprint — the commands run beside the serving hub on the same data folder.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use frontdesk_core::sync::SyncError;
use frontdesk_core::sync::client::HubClient;

fn hub_cmd(data: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk-hub")).arg("--data").arg(data).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_runs_a_hub_enrols_a_kiosk_publishes_the_site_and_revokes_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let mut serve = Command::new(env!("CARGO_BIN_EXE_frontdesk-hub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(serve.stdout.take().unwrap()).lines();
    let (mut url, mut fingerprint) = (String::new(), String::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(fp) = line.strip_prefix("certificate SHA-256 fingerprint ") {
            fingerprint = fp.to_owned();
        }
        if let Some(rest) = line.strip_prefix("listening on ") {
            url = rest.split_whitespace().next().unwrap().to_owned();
            break;
        }
    }
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(fingerprint.len(), 95, "{fingerprint}");
    assert!(std::fs::metadata(data.join("tls/key.pem")).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("tls/key.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the TLS key is readable by its owner only");
        let mode = std::fs::metadata(&data).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the data folder is private");
    }

    let (ok, out, _) = hub_cmd(&data, &["fingerprint"]);
    assert!(ok);
    assert_eq!(out.trim(), fingerprint);

    let (ok, out, err) = hub_cmd(&data, &["enrol", "--site", SITE, "--device", "Lobby desk 1"]);
    assert!(ok, "{err}");
    let code =
        out.lines().map(str::trim).find(|l| l.len() == 19 && l.matches('-').count() == 3).expect(&out).to_owned();
    assert!(out.contains(&fingerprint), "enrol shows the fingerprint the kiosk will pin: {out}");

    let kiosk = open_kiosk(&dir.path().join("kiosk"));
    let link = frontdesk_core::sync::client::enrol(&kiosk, &url, &code, false).await.unwrap();
    assert_eq!(link.fingerprint.unwrap().to_string(), fingerprint);

    let (ok, out, _) = hub_cmd(&data, &["devices", "list"]);
    assert!(ok);
    assert!(out.contains("Lobby desk 1") && out.contains("active") && out.contains(SITE), "{out}");

    // Publish a site file: its directory and settings are now the hub's.
    let site_file = dir.path().join("site.toml");
    std::fs::write(&site_file, frontdesk_core::site::DEMO_SITE_TOML).unwrap();
    let (ok, out, err) = hub_cmd(&data, &["site", "publish", site_file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("settings updated"), "{out}");
    let (_, out, _) = hub_cmd(&data, &["site", "publish", site_file.to_str().unwrap()]);
    assert!(out.contains("settings unchanged, 0 host(s) written, 0 deactivated"), "{out}");
    std::fs::write(&site_file, "schema = 1\n").unwrap();
    let (ok, _, err) = hub_cmd(&data, &["site", "publish", site_file.to_str().unwrap()]);
    assert!(!ok && err.contains("site.toml"), "{err}");

    // Revoked from the command line: the running hub refuses the kiosk at once.
    let client = HubClient::for_link(&link, kiosk.hub_credential().unwrap(), false).unwrap();
    client.push_ops(kiosk.outbox(100).unwrap()).await.unwrap();
    let (ok, out, _) = hub_cmd(&data, &["devices", "revoke", "Lobby desk 1"]);
    assert!(ok && out.contains("Revoked"), "{out}");
    let err = client.pull_ops(0, None, 10).await.unwrap_err();
    assert!(matches!(err, SyncError::Revoked), "{err}");
    let (_, out, _) = hub_cmd(&data, &["devices", "list"]);
    assert!(out.contains("revoked"), "{out}");

    // Mistakes get a message and a failing exit status.
    let (ok, _, err) = hub_cmd(&data, &["enrol", "--site", "Not A Site", "--device", "x"]);
    assert!(!ok && err.contains("site id"), "{err}");
    let (ok, _, err) = hub_cmd(&data, &["devices", "revoke", "nobody"]);
    assert!(!ok && err.contains("no device named"), "{err}");

    // SIGTERM stops the hub cleanly.
    Command::new("kill").arg(serve.id().to_string()).status().unwrap();
    assert!(serve.wait().unwrap().success());
}
