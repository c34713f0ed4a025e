//! Secrets every device of a site must share — the badge signing key today (and the key of
//! the keyed ID hashes) — handed out by the site hub.
//!
//! A standalone kiosk makes its own. At enrolment it offers them to the hub, which keeps the
//! first offer for each secret and answers with the site's: the first kiosk of a site hands its
//! keys up (badges it already printed stay valid everywhere), later kiosks take the site's.
//! A kiosk whose own key is replaced keeps its old badge public key for checking the badges it
//! printed before, until they have all expired.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::ids::SiteId;

/// `POST`: offer this device's site secrets; the answer is the site's.
pub const PATH_SITE_SECRETS: &str = "/v1/site-secrets";

/// Every site secret is 32 random bytes.
pub const SECRET_BYTES: usize = 32;

/// One shared secret of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SiteSecret {
    /// The Ed25519 seed badges and invitations are signed with (`badge::keys`).
    BadgeSigning,
    /// The HMAC key of ID, phone and name hashes (`visitors::identity`): one per site, so a
    /// returning visitor or a watch-list entry matches at every desk.
    IdHash,
}

impl SiteSecret {
    pub const ALL: &'static [SiteSecret] = &[SiteSecret::BadgeSigning, SiteSecret::IdHash];

    /// The name on the wire and in the hub's store.
    pub fn name(self) -> &'static str {
        match self {
            SiteSecret::BadgeSigning => "badge-signing",
            SiteSecret::IdHash => "id-hash",
        }
    }

    pub fn from_name(name: &str) -> Option<SiteSecret> {
        SiteSecret::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// Where a device keeps it: the OS keyring, account `site/<site>/<name>`.
    pub fn account(self, site: &SiteId) -> String {
        format!("site/{site}/{}", self.name())
    }
}

/// The body of both the offer and the answer: secret name → base64url (no padding) of its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSecrets {
    pub secrets: BTreeMap<String, String>,
}

impl SiteSecrets {
    pub fn insert(&mut self, secret: SiteSecret, bytes: &[u8]) {
        self.secrets.insert(secret.name().to_owned(), base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    }

    /// Every entry decoded and checked: a known name and exactly `SECRET_BYTES` bytes.
    pub fn decode(&self) -> Result<Vec<(SiteSecret, Vec<u8>)>, String> {
        self.secrets
            .iter()
            .map(|(name, text)| {
                let secret = SiteSecret::from_name(name).ok_or_else(|| format!("unknown site secret {name:?}"))?;
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(text)
                    .map_err(|_| format!("site secret {name:?} is not base64url"))?;
                if bytes.len() != SECRET_BYTES {
                    return Err(format!("site secret {name:?} must be {SECRET_BYTES} bytes"));
                }
                Ok((secret, bytes))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_and_bad_entries_are_refused() {
        let mut offer = SiteSecrets::default();
        offer.insert(SiteSecret::BadgeSigning, &[7; 32]);
        assert_eq!(offer.decode().unwrap(), vec![(SiteSecret::BadgeSigning, vec![7; 32])]);
        let json = serde_json::to_string(&offer).unwrap();
        assert_eq!(serde_json::from_str::<SiteSecrets>(&json).unwrap(), offer);

        let mut short = SiteSecrets::default();
        short.insert(SiteSecret::BadgeSigning, &[7; 31]);
        assert!(short.decode().unwrap_err().contains("32 bytes"));
        let unknown = SiteSecrets { secrets: [("admin-pin".to_owned(), "AAAA".to_owned())].into() };
        assert!(unknown.decode().unwrap_err().contains("unknown"));
        let junk = SiteSecrets { secrets: [("badge-signing".to_owned(), "!!".to_owned())].into() };
        assert!(junk.decode().is_err());
        assert!(serde_json::from_str::<SiteSecrets>(r#"{"secrets":{},"x":1}"#).is_err());
    }

    #[test]
    fn accounts_are_per_site() {
        let site = SiteId("riverside-tower".into());
        assert_eq!(SiteSecret::BadgeSigning.account(&site), crate::badge::keys::site_key_account(&site));
        assert_eq!(SiteSecret::IdHash.account(&site), crate::visitors::identity::site_hash_key_account(&site));
    }
}
