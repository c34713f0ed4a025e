//! The device's secrets, held only in the operating system's keyring.
//!
//! Keys never touch the database or a file: a stolen disk image or backup holds no key. If the
//! keyring is missing or locked, Frontdesk refuses to start and says why; there is no silent
//! fallback to a file. Backends: Secret Service over D-Bus on Linux (GNOME Keyring, KWallet),
//! Keychain on macOS, Credential Manager on Windows.

use std::fmt;

use rand::RngCore;
use zeroize::Zeroizing;

use crate::ids::DeviceId;

/// Service name under which every Frontdesk secret is filed in the keyring.
pub const KEYRING_SERVICE: &str = "frontdesk";

/// Secret bytes; wiped from memory when dropped, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }

    pub fn random(len: usize) -> Self {
        let mut bytes = vec![0u8; len];
        rand::rng().fill_bytes(&mut bytes);
        Secret::new(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([{} bytes])", self.0.len())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the operating system keyring is not available ({detail}); Frontdesk keeps its device keys \
         only there: start or unlock the keyring (GNOME Keyring or KWallet on Linux) and start again"
    )]
    Unavailable { detail: String },
    #[error(
        "this device's {purpose} key is missing from the keyring although it was created on {created}; \
         restore the keyring or re-enrol the device"
    )]
    KeysMissing { purpose: &'static str, created: String },
}

/// Where secrets live. The shipped app uses [`OsKeyring`]; tests of other crates may use the
/// in-memory store from the `test-support` feature.
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError>;
    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError>;
    fn delete(&self, account: &str) -> Result<(), SecretError>;
}

/// What each device key is for; also its name in the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    /// Ed25519 seed used to sign what this device vouches for (badges).
    Signing,
    /// HMAC key for hashing ID numbers so they can be matched but not read.
    IdHash,
}

impl KeyPurpose {
    pub const ALL: [KeyPurpose; 2] = [KeyPurpose::Signing, KeyPurpose::IdHash];

    pub fn name(self) -> &'static str {
        match self {
            KeyPurpose::Signing => "signing",
            KeyPurpose::IdHash => "id-hash",
        }
    }
}

/// The keyring account of one of a device's keys.
pub fn device_key_account(device: DeviceId, purpose: KeyPurpose) -> String {
    format!("device/{device}/{}", purpose.name())
}

/// The device's keys, loaded from (or on first start created in) the keyring.
pub struct DeviceKeys {
    pub signing_seed: Secret,
    pub id_hash_key: Secret,
}

impl fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceKeys { .. }")
    }
}

const KEY_LEN: usize = 32;

impl DeviceKeys {
    /// Load the device's keys. `created` is when this device first made them (from its
    /// database), or `None` on the very first start, when they are created now.
    pub fn load_or_create(
        store: &dyn SecretStore,
        device: DeviceId,
        created: Option<&str>,
    ) -> Result<DeviceKeys, SecretError> {
        let mut loaded = Vec::with_capacity(KeyPurpose::ALL.len());
        for purpose in KeyPurpose::ALL {
            let account = device_key_account(device, purpose);
            let secret = match (store.get(&account)?, created) {
                (Some(secret), _) => secret,
                (None, Some(created)) => {
                    return Err(SecretError::KeysMissing { purpose: purpose.name(), created: created.to_owned() });
                }
                (None, None) => {
                    let secret = Secret::random(KEY_LEN);
                    store.set(&account, &secret)?;
                    // Read back: some keyrings accept a write they cannot keep (locked collection).
                    store.get(&account)?.filter(|s| s == &secret).ok_or_else(|| SecretError::Unavailable {
                        detail: "the keyring accepted a key but did not return it".into(),
                    })?
                }
            };
            loaded.push(secret);
        }
        let id_hash_key = loaded.pop().expect("two keys");
        let signing_seed = loaded.pop().expect("two keys");
        Ok(DeviceKeys { signing_seed, id_hash_key })
    }
}

#[cfg(feature = "os-keyring")]
pub use os::OsKeyring;

#[cfg(feature = "os-keyring")]
mod os {
    use super::{KEYRING_SERVICE, Secret, SecretError, SecretStore};

    /// The operating system's keyring through the `keyring` crate.
    pub struct OsKeyring {
        service: String,
    }

    impl OsKeyring {
        pub fn new() -> Self {
            OsKeyring { service: KEYRING_SERVICE.to_owned() }
        }

        fn entry(&self, account: &str) -> Result<keyring::Entry, SecretError> {
            keyring::Entry::new(&self.service, account).map_err(unavailable)
        }
    }

    impl Default for OsKeyring {
        fn default() -> Self {
            Self::new()
        }
    }

    fn unavailable(err: keyring::Error) -> SecretError {
        SecretError::Unavailable { detail: err.to_string() }
    }

    impl SecretStore for OsKeyring {
        fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
            match self.entry(account)?.get_secret() {
                Ok(bytes) => Ok(Some(Secret::new(bytes))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(err) => Err(unavailable(err)),
            }
        }

        fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
            self.entry(account)?.set_secret(secret.expose()).map_err(unavailable)
        }

        fn delete(&self, account: &str) -> Result<(), SecretError> {
            match self.entry(account)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(err) => Err(unavailable(err)),
            }
        }
    }
}

#[cfg(any(test, feature = "test-support"))]
pub use memory::MemorySecretStore;

#[cfg(any(test, feature = "test-support"))]
mod memory {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::{Secret, SecretError, SecretStore};

    /// Secrets in memory, for tests only. `unavailable()` behaves like a missing keyring.
    #[derive(Default)]
    pub struct MemorySecretStore {
        secrets: Mutex<HashMap<String, Secret>>,
        broken: bool,
    }

    impl MemorySecretStore {
        pub fn unavailable() -> Self {
            MemorySecretStore { secrets: Mutex::default(), broken: true }
        }

        fn check(&self) -> Result<(), SecretError> {
            if self.broken {
                Err(SecretError::Unavailable { detail: "no keyring in this test".into() })
            } else {
                Ok(())
            }
        }
    }

    impl SecretStore for MemorySecretStore {
        fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
            self.check()?;
            Ok(self.secrets.lock().unwrap().get(account).cloned())
        }

        fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
            self.check()?;
            self.secrets.lock().unwrap().insert(account.to_owned(), secret.clone());
            Ok(())
        }

        fn delete(&self, account: &str) -> Result<(), SecretError> {
            self.check()?;
            self.secrets.lock().unwrap().remove(account);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_once_and_then_reloaded() {
        let store = MemorySecretStore::default();
        let device = DeviceId::new();
        let first = DeviceKeys::load_or_create(&store, device, None).unwrap();
        let again = DeviceKeys::load_or_create(&store, device, Some("2026-01-01")).unwrap();
        assert_eq!(first.signing_seed, again.signing_seed);
        assert_eq!(first.id_hash_key, again.id_hash_key);
        assert_ne!(first.signing_seed, first.id_hash_key);
        assert_eq!(first.signing_seed.expose().len(), KEY_LEN);
    }

    #[test]
    fn keys_lost_from_the_keyring_are_reported_not_silently_replaced() {
        let store = MemorySecretStore::default();
        let device = DeviceId::new();
        DeviceKeys::load_or_create(&store, device, None).unwrap();
        store.delete(&device_key_account(device, KeyPurpose::IdHash)).unwrap();
        let err = DeviceKeys::load_or_create(&store, device, Some("2026-01-01")).unwrap_err();
        assert!(matches!(err, SecretError::KeysMissing { purpose: "id-hash", .. }), "{err}");
    }

    #[test]
    fn a_missing_keyring_is_an_error_that_says_what_to_do() {
        let err = DeviceKeys::load_or_create(&MemorySecretStore::unavailable(), DeviceId::new(), None).unwrap_err();
        assert!(err.to_string().contains("keyring is not available"), "{err}");
    }

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new(b"hunter2".to_vec());
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
