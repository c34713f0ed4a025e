//! The site's badge signing key.
//!
//! Badges are signed with a key of the *site*, not of one kiosk, so every desk and guard
//! device of the site verifies every badge with one public key. The private half lives only in
//! the OS keyring (account `site/<site-id>/badge-signing`); the public half travels with the
//! site configuration (`[badges] public_key` in site.toml) so devices that only check badges
//! need no secret at all.
//!
//! - A standalone kiosk whose site file names no public key creates the site key in its
//!   keyring on first start and uses it (its public key is shown in Settings and by
//!   `Kiosk::badge_key`, to be copied into the site file of other devices).
//! - A site file that names a public key is authoritative: the kiosk verifies with it, and
//!   issues badges only if its keyring holds the matching private key (the hub will hand it
//!   over at enrolment). It never makes a key of its own then.
//! - A key this kiosk created that has vanished from the keyring is an error, not silently
//!   replaced: every badge already printed would stop verifying.

use base64::Engine as _;
use ed25519_dalek::{SigningKey, VerifyingKey};

use super::token;
use crate::ids::SiteId;
use crate::secrets::{Secret, SecretError, SecretStore};

pub fn site_key_account(site: &SiteId) -> String {
    format!("site/{site}/badge-signing")
}

/// Decode a public key as written in a site file (standard base64 of the 32 key bytes).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|e| format!("not base64: {e}"))?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| "an Ed25519 public key is 32 bytes".to_owned())?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| "not a valid Ed25519 public key".to_owned())?;
    if key.is_weak() {
        return Err("a weak (small-order) key".into());
    }
    Ok(key)
}

/// The public key (as a site file writes it) of a signing seed as the keyring holds it.
pub fn public_key_of_seed(seed: &[u8]) -> Option<String> {
    signing_key(&Secret::new(seed.to_vec())).map(|key| encode_public_key(&key.verifying_key()))
}

pub fn encode_public_key(key: &VerifyingKey) -> String {
    base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
}

/// The site's badge keys as this device holds them.
pub struct BadgeKeys {
    signing: Option<SigningKey>,
    verifying: VerifyingKey,
    /// Why this device cannot issue badges, when it cannot.
    cannot_issue: Option<String>,
}

impl std::fmt::Debug for BadgeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BadgeKeys").field("public", &encode_public_key(&self.verifying)).finish_non_exhaustive()
    }
}

impl BadgeKeys {
    /// Load (or, for a standalone kiosk on first start, create) the site's badge key.
    /// `configured` is the site file's public key; `created` says when this device made a site
    /// key before (from its database), if it did.
    pub fn load_or_create(
        secrets: &dyn SecretStore,
        site: &SiteId,
        configured: Option<VerifyingKey>,
        created: Option<&str>,
    ) -> Result<(BadgeKeys, bool), SecretError> {
        let account = site_key_account(site);
        let stored = secrets.get(&account)?.and_then(|s| signing_key(&s));
        match (configured, stored) {
            (Some(public), Some(key)) if key.verifying_key() == public => {
                Ok((BadgeKeys { signing: Some(key), verifying: public, cannot_issue: None }, false))
            }
            (Some(public), Some(_)) => Ok((
                BadgeKeys {
                    signing: None,
                    verifying: public,
                    cannot_issue: Some("the keyring's site key does not match the site file's public key".into()),
                },
                false,
            )),
            (Some(public), None) => Ok((
                BadgeKeys {
                    signing: None,
                    verifying: public,
                    cannot_issue: Some("the keyring holds no signing key for this site".into()),
                },
                false,
            )),
            (None, Some(key)) => {
                Ok((BadgeKeys { verifying: key.verifying_key(), signing: Some(key), cannot_issue: None }, false))
            }
            (None, None) => {
                if let Some(created) = created {
                    return Err(SecretError::KeysMissing {
                        purpose: "site badge signing",
                        created: created.to_owned(),
                    });
                }
                let seed = Secret::random(32);
                secrets.set(&account, &seed)?;
                let key =
                    secrets.get(&account)?.and_then(|s| signing_key(&s)).ok_or_else(|| SecretError::Unavailable {
                        detail: "the keyring accepted the site key but did not return it".into(),
                    })?;
                Ok((BadgeKeys { verifying: key.verifying_key(), signing: Some(key), cannot_issue: None }, true))
            }
        }
    }

    pub fn public_key(&self) -> &VerifyingKey {
        &self.verifying
    }

    pub fn key_id(&self) -> [u8; 4] {
        token::key_id(&self.verifying)
    }

    /// The key to sign badges with, or why this device may not.
    pub fn signing(&self) -> Result<&SigningKey, String> {
        self.signing.as_ref().ok_or_else(|| self.cannot_issue.clone().unwrap_or_default())
    }

    pub fn can_issue(&self) -> bool {
        self.signing.is_some()
    }
}

fn signing_key(secret: &Secret) -> Option<SigningKey> {
    let bytes: [u8; 32] = secret.expose().try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    fn site() -> SiteId {
        SiteId("riverside-tower".into())
    }

    #[test]
    fn a_standalone_kiosk_makes_the_site_key_once_and_keeps_it() {
        let store = MemorySecretStore::default();
        let (first, made) = BadgeKeys::load_or_create(&store, &site(), None, None).unwrap();
        assert!(made && first.can_issue());
        let (again, made) = BadgeKeys::load_or_create(&store, &site(), None, Some("2026-11-28")).unwrap();
        assert!(!made);
        assert_eq!(again.public_key(), first.public_key());

        store.delete(&site_key_account(&site())).unwrap();
        let err = BadgeKeys::load_or_create(&store, &site(), None, Some("2026-11-28")).unwrap_err();
        assert!(matches!(err, SecretError::KeysMissing { .. }), "{err}");
    }

    #[test]
    fn a_configured_public_key_rules_and_no_key_is_made() {
        let store = MemorySecretStore::default();
        let other = SigningKey::from_bytes(&[5; 32]);
        let (keys, made) = BadgeKeys::load_or_create(&store, &site(), Some(other.verifying_key()), None).unwrap();
        assert!(!made && !keys.can_issue());
        assert!(keys.signing().unwrap_err().contains("no signing key"));
        assert!(store.get(&site_key_account(&site())).unwrap().is_none());

        // With the matching private key in the keyring (as the hub will hand it over), it issues.
        store.set(&site_key_account(&site()), &Secret::new(vec![5; 32])).unwrap();
        let (keys, _) = BadgeKeys::load_or_create(&store, &site(), Some(other.verifying_key()), None).unwrap();
        assert!(keys.can_issue());
        // A mismatching private key is not used.
        let third = SigningKey::from_bytes(&[6; 32]);
        let (keys, _) = BadgeKeys::load_or_create(&store, &site(), Some(third.verifying_key()), None).unwrap();
        assert!(!keys.can_issue());
    }

    #[test]
    fn public_keys_round_trip_and_junk_is_refused() {
        let key = SigningKey::from_bytes(&[9; 32]).verifying_key();
        assert_eq!(parse_public_key(&encode_public_key(&key)).unwrap(), key);
        assert!(parse_public_key("not base64!").is_err());
        assert!(parse_public_key("AAAA").is_err());
        // The identity point is a weak key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(parse_public_key(&base64::engine::general_purpose::STANDARD.encode(identity)).is_err());
    }
}
