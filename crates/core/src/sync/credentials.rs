//! Enrolment codes, the proofs exchanged at enrolment, device credentials and certificate
//! fingerprints.
//!
//! Enrolment (see `docs/sync.md`): the hub's operator prints a one-time code
//! `XXXX-XXXX-XXXX-XXXX`. The first four characters name the code; the other twelve (60 bits)
//! are its secret, which never crosses the network. The kiosk connects over TLS, notes the
//! certificate the hub presented, and sends an HMAC keyed with the secret over that
//! certificate's fingerprint. The hub checks it against its own certificate, so a
//! man in the middle (whose certificate differs) cannot use the code; the hub answers with an
//! HMAC of its own, so a man in the middle cannot pose as the hub either. Only then does the
//! kiosk pin the certificate and keep the credential.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::ids::{DeviceId, SiteId};
use crate::secrets::Secret;

/// Crockford's base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_ID_LEN: usize = 4;
const CODE_SECRET_LEN: usize = 12;

/// A one-time enrolment code.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentCode {
    id: String,
    secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an enrolment code is 16 letters and digits, like K7QM-2XPA-9CWD-4RTB")]
pub struct CodeFormatError;

impl EnrolmentCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let mut pick =
            |n: usize| -> String { (0..n).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect() };
        EnrolmentCode { id: pick(CODE_ID_LEN), secret: pick(CODE_SECRET_LEN) }
    }

    /// Rebuild a code from its stored parts (the hub keeps them until the code is used).
    pub fn from_parts(id: &str, secret: &str) -> Result<Self, CodeFormatError> {
        format!("{id}{secret}").parse()
    }

    /// The public part: the hub looks the code up by it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret part; it keys the proofs and never travels.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Display for EnrolmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = format!("{}{}", self.id, self.secret);
        let groups: Vec<&str> = (0..all.len()).step_by(4).map(|i| &all[i..i + 4]).collect();
        f.write_str(&groups.join("-"))
    }
}

impl fmt::Debug for EnrolmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnrolmentCode({}-…)", self.id)
    }
}

impl FromStr for EnrolmentCode {
    type Err = CodeFormatError;

    /// Accepts what a person types: any case, spaces or dashes anywhere, and the letters
    /// Crockford's alphabet maps (O → 0, I and L → 1).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chars = String::with_capacity(CODE_ID_LEN + CODE_SECRET_LEN);
        for c in s.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\u{3000}' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return Err(CodeFormatError),
            };
            chars.push(c);
        }
        if chars.len() != CODE_ID_LEN + CODE_SECRET_LEN {
            return Err(CodeFormatError);
        }
        let (id, secret) = chars.split_at(CODE_ID_LEN);
        Ok(EnrolmentCode { id: id.to_owned(), secret: secret.to_owned() })
    }
}

/// SHA-256 of a certificate (DER), shown as `AB:CD:…` like `openssl x509 -fingerprint -sha256`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of_der(der: &[u8]) -> Self {
        Fingerprint(Sha256::digest(der).into())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&hex.join(":"))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a SHA-256 fingerprint (64 hexadecimal digits, colons allowed)")]
pub struct FingerprintParseError;

impl FromStr for Fingerprint {
    type Err = FingerprintParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex: String = s.chars().filter(|c| *c != ':' && !c.is_whitespace()).collect();
        let bytes = decode_hex(&hex).ok_or(FingerprintParseError)?;
        Ok(Fingerprint(bytes.try_into().map_err(|_| FingerprintParseError)?))
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// What the hub's certificate was, as the party computing a proof saw it. `None` only on a
/// plain-HTTP development hub (`--insecure-dev`), where there is nothing to bind to.
fn channel_label(fingerprint: Option<&Fingerprint>) -> String {
    fingerprint.map_or_else(|| "insecure-http".to_owned(), Fingerprint::to_string)
}

fn hmac_hex(key: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    encode_hex(&mac.finalize().into_bytes())
}

fn hmac_verify(key: &str, message: &str, proof: &str) -> bool {
    let Some(given) = decode_hex(proof) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    mac.verify_slice(&given).is_ok() // constant time
}

fn kiosk_message(
    code: &EnrolmentCode,
    fingerprint: Option<&Fingerprint>,
    device: DeviceId,
    site: &SiteId,
    handover_seq: u64,
) -> String {
    format!("frontdesk-enrol-v1|kiosk|{}|{}|{device}|{site}|{handover_seq}", code.id, channel_label(fingerprint))
}

fn hub_message(code: &EnrolmentCode, fingerprint: Option<&Fingerprint>, device: DeviceId, credential: &str) -> String {
    format!(
        "frontdesk-enrol-v1|hub|{}|{}|{device}|{}",
        code.id,
        channel_label(fingerprint),
        DeviceCredential::hash_token(credential)
    )
}

/// The kiosk's proof that it holds `code`, bound to the certificate it saw and what it asks for.
pub fn kiosk_proof(
    code: &EnrolmentCode,
    fingerprint: Option<&Fingerprint>,
    device: DeviceId,
    site: &SiteId,
    handover_seq: u64,
) -> String {
    hmac_hex(&code.secret, &kiosk_message(code, fingerprint, device, site, handover_seq))
}

pub fn verify_kiosk_proof(
    code: &EnrolmentCode,
    fingerprint: Option<&Fingerprint>,
    device: DeviceId,
    site: &SiteId,
    handover_seq: u64,
    proof: &str,
) -> bool {
    hmac_verify(&code.secret, &kiosk_message(code, fingerprint, device, site, handover_seq), proof)
}

/// The hub's proof that it issued `code` and is the one behind the certificate the kiosk saw.
pub fn hub_proof(
    code: &EnrolmentCode,
    fingerprint: Option<&Fingerprint>,
    device: DeviceId,
    credential: &str,
) -> String {
    hmac_hex(&code.secret, &hub_message(code, fingerprint, device, credential))
}

pub fn verify_hub_proof(
    code: &EnrolmentCode,
    fingerprint: Option<&Fingerprint>,
    device: DeviceId,
    credential: &str,
    proof: &str,
) -> bool {
    hmac_verify(&code.secret, &hub_message(code, fingerprint, device, credential), proof)
}

/// A device's credential: `fdc1.<device id>.<32 random bytes, base64url>`. The kiosk keeps it in
/// the OS keyring; the hub keeps only its SHA-256 (the secret is random, so a slow password hash
/// would add nothing).
pub struct DeviceCredential;

const CREDENTIAL_PREFIX: &str = "fdc1";

impl DeviceCredential {
    pub fn generate(device: DeviceId) -> Secret {
        let random = Secret::random(32);
        Secret::new(format!("{CREDENTIAL_PREFIX}.{device}.{}", URL_SAFE_NO_PAD.encode(random.expose())).into_bytes())
    }

    /// The device a credential claims to be, if it is well formed.
    pub fn device_of(token: &str) -> Option<DeviceId> {
        let mut parts = token.split('.');
        let (Some(CREDENTIAL_PREFIX), Some(device), Some(secret), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let bytes = URL_SAFE_NO_PAD.decode(secret).ok()?;
        if bytes.len() != 32 {
            return None;
        }
        device.parse().ok()
    }

    pub fn hash_token(token: &str) -> String {
        encode_hex(&Sha256::digest(token.as_bytes()))
    }

    /// Constant-time comparison of a presented credential with a stored hash.
    pub fn matches(token: &str, stored_hash: &str) -> bool {
        let Some(stored) = decode_hex(stored_hash) else { return false };
        let presented = Sha256::digest(token.as_bytes());
        stored.len() == presented.len()
            && stored.iter().zip(presented.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_print_in_groups_and_parse_back_from_sloppy_typing() {
        let code = EnrolmentCode::generate();
        let shown = code.to_string();
        assert_eq!(shown.len(), 19);
        assert_eq!(shown.matches('-').count(), 3);
        assert_eq!(shown.parse::<EnrolmentCode>().unwrap(), code);
        let sloppy = format!(" {} ", shown.to_lowercase().replace('-', " "));
        assert_eq!(sloppy.parse::<EnrolmentCode>().unwrap(), code);
        assert_eq!("oooo-iiii-llll-0000".parse::<EnrolmentCode>().unwrap().to_string(), "0000-1111-1111-0000");
        for bad in ["", "ABCD-EFGH", "ABCD-EFGH-JKMN-PQRS-T", "ABCD-EFGH-JKMN-PQRU", "ABCD-EFGH-JKMN-PQR!"] {
            assert!(bad.parse::<EnrolmentCode>().is_err(), "{bad}");
        }
        assert!(!format!("{code:?}").contains(code.secret()));
    }

    #[test]
    fn proofs_bind_the_certificate_the_kiosk_saw() {
        let code = EnrolmentCode::generate();
        let real = Fingerprint::of_der(b"the hub's certificate");
        let mitm = Fingerprint::of_der(b"someone else's certificate");
        let device = DeviceId::new();
        let site = SiteId("riverside-tower".into());
        let proof = kiosk_proof(&code, Some(&real), device, &site, 7);
        assert!(verify_kiosk_proof(&code, Some(&real), device, &site, 7, &proof));
        assert!(!verify_kiosk_proof(&code, Some(&mitm), device, &site, 7, &proof));
        assert!(!verify_kiosk_proof(&code, Some(&real), device, &site, 8, &proof));
        assert!(!verify_kiosk_proof(&EnrolmentCode::generate(), Some(&real), device, &site, 7, &proof));
        assert!(!verify_kiosk_proof(&code, Some(&real), device, &site, 7, "zz"));

        let credential = "fdc1.x.y";
        let answer = hub_proof(&code, Some(&real), device, credential);
        assert!(verify_hub_proof(&code, Some(&real), device, credential, &answer));
        assert!(!verify_hub_proof(&code, Some(&mitm), device, credential, &answer));
        assert!(!verify_hub_proof(&code, Some(&real), device, "fdc1.x.z", &answer));
        assert_ne!(answer, proof, "the two directions use different messages");
    }

    #[test]
    fn credentials_name_their_device_and_match_only_their_hash() {
        let device = DeviceId::new();
        let token = DeviceCredential::generate(device);
        let token = std::str::from_utf8(token.expose()).unwrap();
        assert_eq!(DeviceCredential::device_of(token), Some(device));
        let hash = DeviceCredential::hash_token(token);
        assert!(DeviceCredential::matches(token, &hash));
        assert!(!DeviceCredential::matches(&format!("{token}x"), &hash));
        assert!(!hash.contains(&token[token.len() - 10..]));
        for bad in ["", "fdc1", "fdc1.x.y", &format!("fdc2.{device}.AAAA"), &format!("{token}.extra")] {
            assert_eq!(DeviceCredential::device_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn fingerprints_print_like_openssl_and_parse_back() {
        let fp = Fingerprint::of_der(b"x");
        let text = fp.to_string();
        assert_eq!(text.len(), 32 * 3 - 1);
        assert_eq!(text.parse::<Fingerprint>().unwrap(), fp);
        assert_eq!(text.replace(':', "").to_lowercase().parse::<Fingerprint>().unwrap(), fp);
        assert!("AB:CD".parse::<Fingerprint>().is_err());
    }
}
