//! `frontdesk backup`, `frontdesk restore FILE`, `frontdesk backup-key`: parsed before Tauri
//! starts, working on a data folder.

use std::path::PathBuf;
use std::sync::Arc;

use frontdesk_app::cli;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::visit::NewVisit;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn backup_then_restore_onto_a_replacement_machine_with_the_recovery_key() {
    let live = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    {
        let kiosk = frontdesk_core::Kiosk::open(frontdesk_core::KioskOptions {
            data_dir: live.path().to_owned(),
            site: frontdesk_core::site::SiteConfig::demo().unwrap(),
            secrets: secrets.clone(),
            os_locale: None,
            wall: frontdesk_core::hlc::system_millis,
        })
        .unwrap();
        kiosk
            .sign_in(NewVisit {
                name: "王小明".into(),
                company: String::new(),
                host_id: frontdesk_core::ids::HostId("li-na".into()),
                purpose: String::new(),
                ..Default::default()
            })
            .unwrap();
    }
    let dir = live.path().to_str().unwrap();
    let no_env = |_: &str| None;
    let no_default = || None::<PathBuf>;
    let out = cli::run(&args(&["backup", "--data-dir", dir]), secrets.as_ref(), no_env, no_default).unwrap();
    let file = out.strip_prefix("backup written: ").unwrap().to_owned();
    let key = cli::run(&args(&["backup-key", "--data-dir", dir]), secrets.as_ref(), no_env, no_default).unwrap();
    let key = key.lines().nth(1).unwrap().to_owned();

    // Another machine: empty folder, empty keyring. Without the key: refused.
    let fresh = tempfile::tempdir().unwrap();
    let other = Arc::new(MemorySecretStore::default());
    let target = fresh.path().to_str().unwrap();
    let err =
        cli::run(&args(&["restore", &file, "--data-dir", target]), other.as_ref(), no_env, no_default).unwrap_err();
    assert!(err.contains("recovery key"), "{err}");
    assert!(!fresh.path().join("frontdesk.sqlite3").exists(), "nothing was written");
    let ok = cli::run(
        &args(&["restore", &file, "--data-dir", target, "--recovery-key", &key]),
        other.as_ref(),
        no_env,
        no_default,
    )
    .unwrap();
    assert!(ok.contains("restored"), "{ok}");
    let kiosk = frontdesk_core::Kiosk::open(frontdesk_core::KioskOptions {
        data_dir: fresh.path().to_owned(),
        site: frontdesk_core::site::SiteConfig::demo().unwrap(),
        secrets: other,
        os_locale: None,
        wall: frontdesk_core::hlc::system_millis,
    })
    .unwrap();
    assert_eq!(kiosk.on_site().unwrap()[0].name, "王小明");
}

#[test]
fn unknown_arguments_show_the_usage() {
    let secrets = MemorySecretStore::default();
    let dir = tempfile::tempdir().unwrap();
    let out =
        cli::run(&args(&["help", "--data-dir", dir.path().to_str().unwrap()]), &secrets, |_| None, || None).unwrap();
    assert!(out.contains("frontdesk restore FILE"));
}
