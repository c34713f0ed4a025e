//! The device's keys live in the operating system's keyring (Secret Service on Linux) and in no
//! file. Needs a running, unlocked Secret Service: scripts/test.sh starts one in a private
//! D-Bus session; without one this test fails and says so.

use std::sync::Arc;

use frontdesk_app::AppState;
use frontdesk_core::secrets::{KeyPurpose, OsKeyring, Secret, SecretStore, device_key_account};

#[test]
fn keys_are_created_in_the_os_keyring_and_never_in_the_data_folder() {
    let keyring = OsKeyring::new();
    let probe = format!("test/probe/{}", uuid_like());
    keyring
        .set(&probe, &Secret::new(b"probe".to_vec()))
        .expect("an unlocked Secret Service; run the tests through scripts/test.sh or scripts/keyring-session.sh");
    assert_eq!(keyring.get(&probe).unwrap().unwrap().expose(), b"probe");
    keyring.delete(&probe).unwrap();
    assert!(keyring.get(&probe).unwrap().is_none());

    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(dir.path(), Arc::new(OsKeyring::new()), None);
    let kiosk = state.kiosk().expect("the kiosk starts with the OS keyring");
    let device = kiosk.device_id();

    let mut keys = Vec::new();
    for purpose in KeyPurpose::ALL {
        let key = keyring.get(&device_key_account(device, purpose)).unwrap().expect("key is in the keyring");
        assert_eq!(key.expose().len(), 32);
        keys.push(key);
    }

    // The site's badge signing key too (made on this standalone kiosk's first start).
    let site_account = frontdesk_core::badge::keys::site_key_account(&kiosk.site().site.id);
    let site_key = keyring.get(&site_account).unwrap().expect("the site badge key is in the keyring");
    assert_eq!(site_key.expose().len(), 32);
    keys.push(site_key);

    // No file in the data folder contains a key's bytes.
    drop(state);
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        for key in &keys {
            assert!(
                !bytes.windows(key.expose().len()).any(|w| w == key.expose()),
                "{} contains a device key",
                entry.display()
            );
        }
    }
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

fn uuid_like() -> String {
    format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos())
}
