//! The badge token: what the QR code on a badge carries. Format in `docs/badge-token.md`.
//!
//! `FD1` + base32 (RFC 4648, no padding) of
//! `version(1) key_id(4) visit_id(16) issued(u32 BE) expires(u32 BE) site_len(1) site(site_len)
//! signature(64)`, the Ed25519 signature covering the domain tag `frontdesk-badge-v1\0` and
//! every byte before it. Base32 keeps the QR in its compact alphanumeric mode and is typed
//! faithfully by USB scanners that act as a keyboard (letters and digits only).
//!
//! [`parse`] never panics, whatever it is given; it checks the shape only. Whether a token is
//! genuine, for this site, current and not revoked is [`super::check`]'s job.

use data_encoding::BASE32_NOPAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::ids::{SiteId, VisitId};

pub const PREFIX: &str = "FD1";
pub const VERSION: u8 = 1;
/// Domain separation: a signature over a badge can never be mistaken for one over anything
/// else this key might sign later.
pub const SIGNING_CONTEXT: &[u8] = b"frontdesk-badge-v1\0";
pub const SIGNATURE_LEN: usize = 64;
const FIXED_LEN: usize = 1 + 4 + 16 + 4 + 4 + 1;
/// Site ids are slugs of at most 64 bytes (see `site.rs`).
pub const MAX_SITE_LEN: usize = 64;
/// The longest token text: bounded, so a scanner flooding the input cannot make us decode megabytes.
pub const MAX_TOKEN_CHARS: usize = PREFIX.len() + (FIXED_LEN + MAX_SITE_LEN + SIGNATURE_LEN).div_ceil(5) * 8;

/// What a badge vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// Which key signed it (first 4 bytes of SHA-256 of the public key), so a site can rotate keys.
    pub key_id: [u8; 4],
    pub visit_id: VisitId,
    pub site: SiteId,
    /// Seconds since the Unix epoch.
    pub issued_at: u32,
    pub expires_at: u32,
}

/// A token whose shape is right; not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub claims: Claims,
    signed: Vec<u8>,
    signature: [u8; SIGNATURE_LEN],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("not a Frontdesk badge: {0}")]
    Malformed(&'static str),
}

/// The key id of a public key.
pub fn key_id(key: &VerifyingKey) -> [u8; 4] {
    let digest = Sha256::digest(key.as_bytes());
    [digest[0], digest[1], digest[2], digest[3]]
}

fn claims_bytes(claims: &Claims) -> Vec<u8> {
    let site = claims.site.0.as_bytes();
    let mut out = Vec::with_capacity(FIXED_LEN + site.len());
    out.push(VERSION);
    out.extend_from_slice(&claims.key_id);
    out.extend_from_slice(claims.visit_id.0.as_bytes());
    out.extend_from_slice(&claims.issued_at.to_be_bytes());
    out.extend_from_slice(&claims.expires_at.to_be_bytes());
    out.push(site.len() as u8);
    out.extend_from_slice(site);
    out
}

fn message(signed: &[u8]) -> Vec<u8> {
    [SIGNING_CONTEXT, signed].concat()
}

/// Sign `claims` into token text. The site id must be at most [`MAX_SITE_LEN`] bytes (site
/// config validation guarantees it). Ed25519 is deterministic: the same claims give the same
/// token, so a preview and the printed badge carry the same QR.
pub fn sign(claims: &Claims, key: &SigningKey) -> String {
    debug_assert!(claims.site.0.len() <= MAX_SITE_LEN);
    let mut bytes = claims_bytes(claims);
    let signature = key.sign(&message(&bytes));
    bytes.extend_from_slice(&signature.to_bytes());
    format!("{PREFIX}{}", BASE32_NOPAD.encode(&bytes))
}

/// Parse token text as a scanner types it: surrounding white space (the scanner's Enter) is
/// ignored and letters may come in either case. Never panics.
pub fn parse(text: &str) -> Result<Token, TokenError> {
    let text = text.trim();
    if text.len() > MAX_TOKEN_CHARS {
        return Err(TokenError::Malformed("too long"));
    }
    let upper = text.to_ascii_uppercase();
    let body = upper.strip_prefix(PREFIX).ok_or(TokenError::Malformed("wrong prefix"))?;
    let bytes = BASE32_NOPAD.decode(body.as_bytes()).map_err(|_| TokenError::Malformed("not base32"))?;
    if bytes.len() < FIXED_LEN + SIGNATURE_LEN {
        return Err(TokenError::Malformed("too short"));
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    if signed[0] != VERSION {
        return Err(TokenError::Malformed("unknown version"));
    }
    let site_len = usize::from(signed[FIXED_LEN - 1]);
    if site_len == 0 || site_len > MAX_SITE_LEN || signed.len() != FIXED_LEN + site_len {
        return Err(TokenError::Malformed("bad site length"));
    }
    let site = std::str::from_utf8(&signed[FIXED_LEN..]).map_err(|_| TokenError::Malformed("site is not text"))?;
    if !site.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(TokenError::Malformed("site is not a site id"));
    }
    let u32_at = |i: usize| u32::from_be_bytes([signed[i], signed[i + 1], signed[i + 2], signed[i + 3]]);
    let mut visit = [0u8; 16];
    visit.copy_from_slice(&signed[5..21]);
    let claims = Claims {
        key_id: [signed[1], signed[2], signed[3], signed[4]],
        visit_id: VisitId(uuid::Uuid::from_bytes(visit)),
        site: SiteId(site.to_owned()),
        issued_at: u32_at(21),
        expires_at: u32_at(25),
    };
    if claims.expires_at < claims.issued_at {
        return Err(TokenError::Malformed("expires before it was issued"));
    }
    let mut sig = [0u8; SIGNATURE_LEN];
    sig.copy_from_slice(signature);
    Ok(Token { claims, signed: signed.to_vec(), signature: sig })
}

impl Token {
    /// Whether `key` made this token's signature (strict Ed25519: no malleable signatures,
    /// no weak keys).
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        key_id(key) == self.claims.key_id
            && key.verify_strict(&message(&self.signed), &Signature::from_bytes(&self.signature)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn claims(key: &SigningKey) -> Claims {
        Claims {
            key_id: key_id(&key.verifying_key()),
            visit_id: VisitId::new(),
            site: SiteId("riverside-tower".into()),
            issued_at: 1_790_000_000,
            expires_at: 1_790_040_000,
        }
    }

    #[test]
    fn a_token_round_trips_and_is_compact_alphanumeric() {
        let k = key(7);
        let c = claims(&k);
        let text = sign(&c, &k);
        assert!(text.starts_with("FD1"));
        assert!(text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{text}");
        assert!(text.len() <= MAX_TOKEN_CHARS);
        let token = parse(&text).unwrap();
        assert_eq!(token.claims, c);
        assert!(token.signed_by(&k.verifying_key()));
        assert!(!token.signed_by(&key(8).verifying_key()));
        // A scanner's trailing Enter, or caps-lock the other way, changes nothing.
        assert_eq!(parse(&format!("{}\r\n", text.to_ascii_lowercase())).unwrap(), token);
        assert_eq!(sign(&c, &k), text, "deterministic");
    }

    #[test]
    fn any_changed_character_breaks_the_signature_or_the_shape() {
        let k = key(9);
        let text = sign(&claims(&k), &k);
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        for i in PREFIX.len()..text.len() {
            let original = text.as_bytes()[i] as char;
            let replacement = alphabet.chars().find(|&c| c != original).unwrap();
            let mut forged = text.clone();
            forged.replace_range(i..=i, &replacement.to_string());
            if let Ok(token) = parse(&forged) {
                assert!(!token.signed_by(&k.verifying_key()), "changing char {i} kept a valid signature");
            }
        }
    }

    #[test]
    fn bad_shapes_are_refused() {
        for bad in ["", "FD1", "FD2AAAA", "hello", "FD1!!!!", &"A".repeat(10_000)] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse(&String::from_utf8_lossy(&bytes));
            let _ = parse(&format!("FD1{}", BASE32_NOPAD.encode(&bytes)));
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(text in "\\PC{0,300}") {
            let _ = parse(&text);
        }

        #[test]
        fn mutated_tokens_never_verify(pos in 0usize..200, byte in any::<u8>()) {
            let k = key(3);
            let text = sign(&claims(&k), &k);
            let mut raw = BASE32_NOPAD.decode(&text.as_bytes()[3..]).unwrap();
            let i = pos % raw.len();
            prop_assume!(raw[i] != byte);
            raw[i] = byte;
            if let Ok(token) = parse(&format!("FD1{}", BASE32_NOPAD.encode(&raw))) {
                prop_assert!(!token.signed_by(&k.verifying_key()));
            }
        }
    }
}
