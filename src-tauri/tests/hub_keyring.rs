//! Enrolment keeps the hub credential in the operating system's keyring (Secret Service on
//! Linux, through `OsKeyring`) and in no file. Needs a running, unlocked Secret Service:
//! scripts/test.sh starts one in a private D-Bus session.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_app::AppState;
use frontdesk_core::ids::SiteId;
use frontdesk_core::secrets::{KeyPurpose, OsKeyring, SecretStore, device_key_account};
use frontdesk_core::sync::credential_account;
use frontdesk_hub::{HubConfig, Transport};

#[test]
fn the_hub_credential_lands_in_the_os_keyring_and_nowhere_in_the_data_folder() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let hub = runtime
        .block_on(frontdesk_hub::start(HubConfig {
            data_dir: dir.path().join("hub"),
            listen: "127.0.0.1:0".parse().unwrap(),
            transport: Transport::Tls { cert_and_key: None },
        }))
        .unwrap();
    let data = dir.path().join("kiosk");
    let state = AppState::open(&data, Arc::new(OsKeyring::new()), None);
    let kiosk = state.kiosk().expect("the kiosk starts with the OS keyring");
    let device = kiosk.device_id();
    let code = runtime
        .block_on(frontdesk_hub::enrol::issue_code(
            &hub.state.store,
            &SiteId("riverside-tower".into()),
            "Keyring desk",
            frontdesk_hub::server::now(),
        ))
        .unwrap()
        .0
        .to_string();
    runtime.block_on(frontdesk_core::sync::client::enrol(kiosk, &hub.url(), &code, false)).unwrap();

    let keyring = OsKeyring::new();
    let credential = keyring
        .get(&credential_account(device))
        .expect("an unlocked Secret Service; run the tests through scripts/test.sh or scripts/keyring-session.sh")
        .expect("the credential is in the keyring");
    assert!(credential.expose().starts_with(b"fdc1."));
    assert_eq!(kiosk.hub_credential().unwrap(), credential);

    drop(state);
    runtime.block_on(hub.shutdown(Duration::from_secs(1)));
    for entry in walk(&data) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(credential.expose().len()).any(|w| w == credential.expose()),
            "{} contains the hub credential",
            entry.display()
        );
    }
    keyring.delete(&credential_account(device)).unwrap();
    for purpose in KeyPurpose::ALL {
        keyring.delete(&device_key_account(device, purpose)).unwrap();
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}
