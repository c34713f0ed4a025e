//! `frontdesk backup`, `frontdesk restore FILE`, `frontdesk backup-key`: parsed before Tauri
//! starts, working on a data folder.

use std::path::PathBuf;
use std::sync::Arc;

use frontdesk_app::cli;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::visit::NewVisit;

fn set_admin_pin(dir: &std::path::Path, secrets: Arc<MemorySecretStore>, pin: &str) {
    let kiosk = frontdesk_core::Kiosk::open(frontdesk_core::KioskOptions {
        data_dir: dir.to_owned(),
        site: frontdesk_core::site::SiteConfig::demo().unwrap(),
        secrets,
        os_locale: None,
        wall: frontdesk_core::hlc::system_millis,
    })
    .unwrap();
    match kiosk.admin_login("000000").unwrap() {
        frontdesk_core::kiosk::AdminLogin::Granted(s) => kiosk.change_admin_pin(&s.token, pin, pin).unwrap(),
        other => panic!("{other:?}"),
    }
}

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
                ..NewVisit::default()
            })
            .unwrap();
    }
    let dir = live.path().to_str().unwrap();
    let no_env = |_: &str| None;
    let no_default = || None::<PathBuf>;
    let no_pin = || None::<String>;
    let out = cli::run(&args(&["backup", "--data-dir", dir]), secrets.clone(), no_env, no_default, no_pin).unwrap();
    let file = out.strip_prefix("backup written: ").unwrap().to_owned();
    // The recovery key is shown to an administrator only: a PIN is asked, the default one is not
    // enough, a wrong one is refused (and counts towards the lockout).
    let key_with = |pin: &'static str| {
        cli::run(&args(&["backup-key", "--data-dir", dir]), secrets.clone(), no_env, no_default, move || {
            Some(pin.to_owned())
        })
    };
    assert!(cli::run(&args(&["backup-key", "--data-dir", dir]), secrets.clone(), no_env, no_default, no_pin).is_err());
    assert!(key_with("000000").unwrap_err().contains("default"));
    set_admin_pin(live.path(), secrets.clone(), "482915");
    assert!(key_with("111111").unwrap_err().contains("wrong admin PIN"));
    let key = key_with("482915").unwrap();
    let key = key.lines().nth(1).unwrap().to_owned();

    // Another machine: empty folder, empty keyring. Without the key: refused.
    let fresh = tempfile::tempdir().unwrap();
    let other = Arc::new(MemorySecretStore::default());
    let target = fresh.path().to_str().unwrap();
    let err = cli::run(&args(&["restore", &file, "--data-dir", target]), other.clone(), no_env, no_default, no_pin)
        .unwrap_err();
    assert!(err.contains("recovery key"), "{err}");
    assert!(!fresh.path().join("frontdesk.sqlite3").exists(), "nothing was written");
    let ok = cli::run(
        &args(&["restore", &file, "--data-dir", target, "--recovery-key", &key]),
        other.clone(),
        no_env,
        no_default,
        no_pin,
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
    let secrets = Arc::new(MemorySecretStore::default());
    let dir = tempfile::tempdir().unwrap();
    let out =
        cli::run(&args(&["help", "--data-dir", dir.path().to_str().unwrap()]), secrets, |_| None, || None, || None)
            .unwrap();
    assert!(out.contains("frontdesk restore FILE"));
}
