//! ID documents and phone numbers: checked, then kept only as a masked form and a keyed hash.
//!
//! The clear number lives only in the sign-in request; what is stored, synced, shown and
//! exported is the masked form (`110***********1234`) and `HMAC-SHA256(site key, kind | number)`,
//! which lets any desk of the site find a returning visitor or a watch-list entry by the same
//! number without anyone being able to read it back. The key is the site's (every desk hashes
//! alike) and lives only in the OS keyring (`site/<site-id>/id-hash`).

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use ts_rs::TS;

use crate::error::FieldErrorCode;
use crate::ids::SiteId;
use crate::secrets::{Secret, SecretError, SecretStore};

/// The kind of identity document a visitor shows.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, strum::EnumIter, strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum IdType {
    /// 居民身份证: 18 characters, checked with the GB 11643-1999 checksum.
    CnResident,
    Passport,
    /// 港澳居民来往内地通行证 (home-return permit).
    HkMacauPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanPermit,
    Other,
}

impl IdType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What the HMAC of a number is for: part of the hashed message, so an ID number and a phone
/// number with the same digits never hash alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    Id,
    Phone,
    /// Full name plus company, normalised: the returning-visitor lookup by name.
    NameCompany,
}

impl HashKind {
    fn tag(self) -> &'static str {
        match self {
            HashKind::Id => "id",
            HashKind::Phone => "phone",
            HashKind::NameCompany => "name-company",
        }
    }
}

/// The keyring account of a site's ID-hashing key.
pub fn site_hash_key_account(site: &SiteId) -> String {
    format!("site/{site}/id-hash")
}

/// The site's HMAC key for ID numbers, phone numbers and returning-visitor lookups. One small
/// type so the hub can later hand it to kiosks at enrolment: everything else only calls
/// [`SiteHashKey::hash`].
pub struct SiteHashKey(Secret);

impl std::fmt::Debug for SiteHashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteHashKey(..)")
    }
}

impl SiteHashKey {
    pub const LEN: usize = 32;

    pub fn from_secret(secret: Secret) -> Option<SiteHashKey> {
        (secret.expose().len() == Self::LEN).then_some(SiteHashKey(secret))
    }

    /// Load the site's key, or make it on a standalone kiosk's first start. `created` says
    /// when this device made or received it before (from its database): a key that vanished
    /// from the keyring then is an error, never silently replaced (every stored hash would stop
    /// matching). Returns the key and whether it was made now.
    pub fn load_or_create(
        secrets: &dyn SecretStore,
        site: &SiteId,
        created: Option<&str>,
    ) -> Result<(SiteHashKey, bool), SecretError> {
        let account = site_hash_key_account(site);
        if let Some(key) = secrets.get(&account)?.and_then(SiteHashKey::from_secret) {
            return Ok((key, false));
        }
        if let Some(created) = created {
            return Err(SecretError::KeysMissing { purpose: "site ID hashing", created: created.to_owned() });
        }
        let secret = Secret::random(Self::LEN);
        secrets.set(&account, &secret)?;
        let stored = secrets.get(&account)?.filter(|s| s == &secret).ok_or_else(|| SecretError::Unavailable {
            detail: "the keyring accepted the site's ID-hashing key but did not return it".into(),
        })?;
        Ok((SiteHashKey(stored), true))
    }

    /// Hex HMAC-SHA256 of a normalised value (128 bits kept: plenty to tell numbers apart).
    pub fn hash(&self, kind: HashKind, normalised: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.expose()).expect("HMAC takes any key length");
        mac.update(b"frontdesk-personal-v1\0");
        mac.update(kind.tag().as_bytes());
        mac.update(b"\0");
        mac.update(normalised.as_bytes());
        mac.finalize().into_bytes()[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// An ID number as typed: spaces and dashes dropped, letters upper-cased (full-width digits and
/// letters become ASCII).
pub fn normalise_id(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    raw.nfkc().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// Check an ID number for its type; returns the normalised number.
pub fn check_id(id_type: IdType, raw: &str) -> Result<String, FieldErrorCode> {
    let number = normalise_id(raw);
    if number.is_empty() {
        return Err(FieldErrorCode::Required);
    }
    match id_type {
        IdType::CnResident => {
            if number.len() != 18
                || !number[..17].bytes().all(|b| b.is_ascii_digit())
                || !matches!(number.as_bytes()[17], b'0'..=b'9' | b'X')
            {
                return Err(FieldErrorCode::IdFormat);
            }
            if !birth_date_ok(&number[6..14]) {
                return Err(FieldErrorCode::IdFormat);
            }
            if gb11643_check_char(&number[..17]) != Some(number.as_bytes()[17] as char) {
                return Err(FieldErrorCode::IdChecksum);
            }
        }
        _ => {
            if !(5..=20).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(FieldErrorCode::IdFormat);
            }
        }
    }
    Ok(number)
}

/// The GB 11643-1999 (ISO 7064 MOD 11-2) check character of the first 17 digits.
pub fn gb11643_check_char(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(b"10X98765432"[(sum % 11) as usize] as char)
}

fn birth_date_ok(yyyymmdd: &str) -> bool {
    let (Ok(y), Ok(m), Ok(d)) =
        (yyyymmdd[..4].parse::<i16>(), yyyymmdd[4..6].parse::<i8>(), yyyymmdd[6..].parse::<i8>())
    else {
        return false;
    };
    (1900..=2100).contains(&y) && jiff::civil::Date::new(y, m, d).is_ok()
}

/// The masked form shown and stored: at most the first 3 and last 4 characters, and never
/// more than half of a short number.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    let (head, tail) = if n >= 14 {
        (3, 4)
    } else if n >= 8 {
        (2, 2)
    } else {
        (0, (n / 3).min(2))
    };
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// A phone number as digits only (a leading +86 or 0086 dropped); 5 to 15 digits.
pub fn check_phone(raw: &str) -> Result<String, FieldErrorCode> {
    use unicode_normalization::UnicodeNormalization as _;
    let text: String = raw.nfkc().collect();
    if text.trim().is_empty() {
        return Err(FieldErrorCode::Required);
    }
    if !text.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return Err(FieldErrorCode::PhoneFormat);
    }
    let mut digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let trimmed = text.trim_start();
    if trimmed.starts_with("+86") && digits.len() > 11 {
        digits.drain(..2);
    } else if digits.starts_with("0086") && digits.len() > 13 {
        digits.drain(..4);
    }
    if !(5..=15).contains(&digits.len()) {
        return Err(FieldErrorCode::PhoneFormat);
    }
    Ok(digits)
}

/// A name and company as the returning-visitor lookup compares them: case, widths and runs of
/// white space do not matter; the words must match exactly.
pub fn name_company_key(name: &str, company: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    let clean = |s: &str| s.nfkc().collect::<String>().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}\u{1f}{}", clean(name), clean(company))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    /// A valid number built with the checksum (the well-known GB 11643 example prefix).
    fn valid_cn(first17: &str) -> String {
        format!("{first17}{}", gb11643_check_char(first17).unwrap())
    }

    #[test]
    fn gb11643_accepts_good_numbers_and_refuses_a_wrong_check_character() {
        assert_eq!(gb11643_check_char("11010519491231002"), Some('X'));
        assert_eq!(check_id(IdType::CnResident, "11010519491231002X").unwrap(), "11010519491231002X");
        // Lower-case x, spaces, full-width digits are typed forms of the same number.
        assert_eq!(check_id(IdType::CnResident, "110105 19491231 002x").unwrap(), "11010519491231002X");
        assert_eq!(check_id(IdType::CnResident, "１１０１０５１９４９１２３１００２Ｘ").unwrap(), "11010519491231002X");
        assert_eq!(check_id(IdType::CnResident, "110105194912310021"), Err(FieldErrorCode::IdChecksum));
        for bad in ["11010519491231002", "1101051949123100211", "1101051949123100A1", "110105194913310021"] {
            assert_eq!(check_id(IdType::CnResident, bad), Err(FieldErrorCode::IdFormat), "{bad}");
        }
        assert_eq!(check_id(IdType::CnResident, " "), Err(FieldErrorCode::Required));
        let n = valid_cn("44030120000229123");
        assert!(check_id(IdType::CnResident, &n).is_ok(), "29 Feb 2000 exists");
        let n = valid_cn("44030119990229123");
        assert_eq!(check_id(IdType::CnResident, &n), Err(FieldErrorCode::IdFormat), "29 Feb 1999 does not");
    }

    #[test]
    fn other_documents_need_5_to_20_letters_or_digits() {
        assert_eq!(check_id(IdType::Passport, "e1234-5678").unwrap(), "E12345678");
        assert_eq!(check_id(IdType::Passport, "E12"), Err(FieldErrorCode::IdFormat));
        assert_eq!(check_id(IdType::Other, "AB#12345"), Err(FieldErrorCode::IdFormat));
    }

    #[test]
    fn masks_keep_first_three_and_last_four_and_never_half_of_a_short_number() {
        assert_eq!(mask("11010519491231002X"), "110***********002X");
        assert_eq!(mask("13800138000"), "13*******00");
        assert_eq!(mask("E12345678"), "E1*****78");
        for n in ["11010519491231002X", "E12345678", "12345", "13800138000"] {
            let shown = mask(n).chars().filter(|c| *c != '*').count();
            assert!(shown * 2 <= n.len(), "{n} -> {}", mask(n));
            assert_eq!(mask(n).chars().count(), n.chars().count());
        }
    }

    #[test]
    fn phones_are_digits_with_the_country_prefix_dropped() {
        assert_eq!(check_phone("138 0013 8000").unwrap(), "13800138000");
        assert_eq!(check_phone("+86 138-0013-8000").unwrap(), "13800138000");
        assert_eq!(check_phone("008613800138000").unwrap(), "13800138000");
        assert_eq!(check_phone("(021) 6123 4567").unwrap(), "02161234567");
        assert_eq!(check_phone("call me"), Err(FieldErrorCode::PhoneFormat));
        assert_eq!(check_phone("123"), Err(FieldErrorCode::PhoneFormat));
    }

    #[test]
    fn hashes_are_keyed_per_site_and_per_kind() {
        let store = MemorySecretStore::default();
        let site = SiteId("riverside-tower".into());
        let (key, made) = SiteHashKey::load_or_create(&store, &site, None).unwrap();
        assert!(made);
        let (again, made) = SiteHashKey::load_or_create(&store, &site, Some("2026-01-01")).unwrap();
        assert!(!made);
        assert_eq!(key.hash(HashKind::Id, "E12345678"), again.hash(HashKind::Id, "E12345678"));
        assert_ne!(key.hash(HashKind::Id, "13800138000"), key.hash(HashKind::Phone, "13800138000"));
        let (other, _) = SiteHashKey::load_or_create(&store, &SiteId("other".into()), None).unwrap();
        assert_ne!(key.hash(HashKind::Id, "E12345678"), other.hash(HashKind::Id, "E12345678"));
        assert!(!key.hash(HashKind::Id, "E12345678").contains("12345678"));

        store.delete(&site_hash_key_account(&site)).unwrap();
        let err = SiteHashKey::load_or_create(&store, &site, Some("2026-01-01")).unwrap_err();
        assert!(matches!(err, SecretError::KeysMissing { .. }), "{err}");
    }

    #[test]
    fn name_keys_ignore_case_width_and_spacing_only() {
        assert_eq!(name_company_key(" Li  Na ", "ACME"), name_company_key("li na", "ａｃｍｅ"));
        assert_ne!(name_company_key("Li Na", "Acme"), name_company_key("Lina", "Acme"));
    }
}
