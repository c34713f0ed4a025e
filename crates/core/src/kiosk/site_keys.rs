//! The site's shared secrets on this kiosk: offered to the site hub and replaced by the site's
//! (see `sync::site_secrets`), and the badge keys this kiosk used before, kept for checking the
//! badges it printed with them until those have expired.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Kiosk, SYSTEM_ACTOR};
use crate::audit::AuditAction;
use crate::error::CoreError;
use crate::secrets::{Secret, SecretError};
use crate::sync::SyncError;
use crate::sync::site_secrets::{SiteSecret, SiteSecrets};

/// Set once this kiosk holds the secrets its hub hands out.
pub(crate) const META_SITE_SECRETS_AT: &str = "hub.site_secrets_at";
/// Badge public keys this kiosk signed with before its key was replaced: `[{public, until}]`.
const META_PREVIOUS_BADGE_KEYS: &str = "badge.previous_keys";
/// The longest a badge stays valid (`[badges] valid_hours` ≤ 168): an old key is kept this long.
const PREVIOUS_KEY_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PreviousKey {
    /// Base64 of the Ed25519 public key.
    public: String,
    until: jiff::Timestamp,
}

impl Kiosk {
    /// Whether this kiosk already took the site's secrets from its hub.
    pub fn site_secrets_settled(&self) -> Result<bool, CoreError> {
        Ok(self.store().meta(META_SITE_SECRETS_AT)?.is_some())
    }

    /// The site secrets this kiosk holds, to offer to the hub (the first kiosk of a site hands
    /// its keys up).
    pub fn site_secrets_offer(&self) -> Result<SiteSecrets, CoreError> {
        let site = self.site();
        let mut offer = SiteSecrets::default();
        for secret in SiteSecret::ALL {
            if let Some(value) = self.secrets().get(&secret.account(&site.site.id))? {
                offer.insert(*secret, value.expose());
            }
        }
        Ok(offer)
    }

    /// Keep the site's secrets as the hub answered them. A badge key that replaces this kiosk's
    /// own is remembered (public half only) for checking the badges it already printed.
    pub fn adopt_site_secrets(&self, answer: &SiteSecrets) -> Result<(), CoreError> {
        let decoded = answer.decode().map_err(SyncError::Protocol)?;
        let site = self.site();
        let now = self.now();
        let mut replaced = Vec::new();
        let mut previous = self.previous_badge_keys()?;
        for (secret, bytes) in decoded {
            let account = secret.account(&site.site.id);
            let current = self.secrets().get(&account)?;
            if current.as_ref().is_some_and(|c| c.expose() == bytes.as_slice()) {
                continue;
            }
            if secret == SiteSecret::BadgeSigning && current.is_some() {
                previous.push(PreviousKey {
                    public: crate::badge::keys::encode_public_key(self.badge_keys().public_key()),
                    until: now + jiff::SignedDuration::from_hours(PREVIOUS_KEY_DAYS * 24),
                });
            }
            let value = Secret::new(bytes);
            self.secrets().set(&account, &value)?;
            if self.secrets().get(&account)?.as_ref() != Some(&value) {
                return Err(SecretError::Unavailable {
                    detail: "the keyring accepted a site key but did not return it".into(),
                }
                .into());
            }
            replaced.push(secret.name());
        }
        previous.retain(|k| k.until > now);
        let previous_json = serde_json::to_string(&previous).unwrap_or_else(|_| "[]".into());
        self.change(|change| {
            change.set_meta(META_PREVIOUS_BADGE_KEYS, &previous_json)?;
            change.set_meta(META_SITE_SECRETS_AT, &now.to_string())?;
            change.audit(
                SYSTEM_ACTOR,
                AuditAction::SiteKeysAdopted,
                site.site.id.0.clone(),
                json!({ "replaced": replaced }),
            )?;
            Ok(())
        })?;
        self.reload_badge_keys()?;
        self.reload_hash_key()
    }

    fn previous_badge_keys(&self) -> Result<Vec<PreviousKey>, CoreError> {
        Ok(parse_previous(self.store().meta(META_PREVIOUS_BADGE_KEYS)?))
    }

    /// Public keys of badges this kiosk printed before its key was replaced, while such badges
    /// may still be valid. (Not inside a change: it reads the store itself.)
    pub(crate) fn previous_badge_public_keys(&self) -> Result<Vec<ed25519_dalek::VerifyingKey>, CoreError> {
        Ok(still_valid(parse_previous(self.store().meta(META_PREVIOUS_BADGE_KEYS)?), self.now()))
    }

    /// [`Kiosk::previous_badge_public_keys`] inside a change (which holds the store).
    pub(crate) fn previous_badge_public_keys_in(
        &self,
        change: &super::Change<'_>,
    ) -> Result<Vec<ed25519_dalek::VerifyingKey>, CoreError> {
        Ok(still_valid(parse_previous(change.meta(META_PREVIOUS_BADGE_KEYS)?), change.now()))
    }
}

fn parse_previous(json: Option<String>) -> Vec<PreviousKey> {
    json.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default()
}

fn still_valid(keys: Vec<PreviousKey>, now: jiff::Timestamp) -> Vec<ed25519_dalek::VerifyingKey> {
    keys.into_iter()
        .filter(|k| k.until > now)
        .filter_map(|k| crate::badge::keys::parse_public_key(&k.public).ok())
        .collect()
}
