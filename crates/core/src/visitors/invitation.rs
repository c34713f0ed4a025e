//! Invitations (pre-registration): a signed, expiring token for the QR code, and a short code.
//!
//! Token: `FI1` + base32 (RFC 4648, no padding) of
//! `version(1) key_id(4) invitation_id(16) valid_from(u32 BE) valid_until(u32 BE) uses(1)
//! site_len(1) site host_len(1) host name_len(u16 BE) name company_len(u16 BE) company
//! signature(64)`, signed with the site's Ed25519 badge key over the domain tag
//! `frontdesk-invitation-v1\0` and every byte before the signature. The token carries what the
//! desk needs to fill the visit, so any desk of the site signs the visitor in offline, even
//! before the invitation itself has synced; "used up" is counted from `invitation.redeemed` ops.
//!
//! The short code (8 Crockford base32 characters, 40 random bits, shown `ABCD-EFGH`) is typed
//! by hand and looked up among the invitations this desk has.

use data_encoding::BASE32_NOPAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{HostId, InvitationId, SiteId};

pub const PREFIX: &str = "FI1";
pub const VERSION: u8 = 1;
pub const SIGNING_CONTEXT: &[u8] = b"frontdesk-invitation-v1\0";
const SIGNATURE_LEN: usize = 64;
/// Longest token text accepted (names are at most 100 characters, companies 120).
pub const MAX_TOKEN_CHARS: usize = 2_000;
pub const CODE_LEN: usize = 8;
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// What an invitation vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub key_id: [u8; 4],
    pub invitation_id: InvitationId,
    pub site: SiteId,
    pub host_id: HostId,
    pub name: String,
    pub company: String,
    /// Seconds since the epoch.
    pub valid_from: u32,
    pub valid_until: u32,
    pub uses: u8,
}

/// Why an invitation is not accepted; each has its own message at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InvitationRefusal {
    /// Neither a token nor a code.
    Malformed,
    /// Not signed by this site's key: forged or altered.
    Forged,
    WrongSite,
    /// A code this desk does not know (mistyped, or its invitation has not synced here yet).
    Unknown,
    NotYetValid,
    Expired,
    UsedUp,
    Revoked,
}

fn message(signed: &[u8]) -> Vec<u8> {
    [SIGNING_CONTEXT, signed].concat()
}

fn push_str8(out: &mut Vec<u8>, s: &str) {
    out.push(s.len() as u8);
    out.extend_from_slice(s.as_bytes());
}

fn push_str16(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn claims_bytes(c: &Claims) -> Vec<u8> {
    let mut out = vec![VERSION];
    out.extend_from_slice(&c.key_id);
    out.extend_from_slice(c.invitation_id.0.as_bytes());
    out.extend_from_slice(&c.valid_from.to_be_bytes());
    out.extend_from_slice(&c.valid_until.to_be_bytes());
    out.push(c.uses);
    push_str8(&mut out, &c.site.0);
    push_str8(&mut out, &c.host_id.0);
    push_str16(&mut out, &c.name);
    push_str16(&mut out, &c.company);
    out
}

/// Sign claims into token text. Site and host ids must be at most 255 bytes, names far less
/// (the sign-in rules hold them to 100/120 characters).
pub fn sign(claims: &Claims, key: &SigningKey) -> String {
    let mut bytes = claims_bytes(claims);
    let signature = key.sign(&message(&bytes));
    bytes.extend_from_slice(&signature.to_bytes());
    format!("{PREFIX}{}", BASE32_NOPAD.encode(&bytes))
}

/// Whether `text` looks like a token (rather than a short code).
pub fn is_token(text: &str) -> bool {
    text.trim().to_ascii_uppercase().starts_with(PREFIX) && text.trim().len() > 20
}

/// A token whose shape is right, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub claims: Claims,
    signed: Vec<u8>,
    signature: [u8; SIGNATURE_LEN],
}

/// Parse token text as a scanner types it (case and surrounding white space do not matter).
/// Never panics; checks the shape only.
pub fn parse(text: &str) -> Result<Token, InvitationRefusal> {
    let text = text.trim();
    if text.len() > MAX_TOKEN_CHARS {
        return Err(InvitationRefusal::Malformed);
    }
    let upper = text.to_ascii_uppercase();
    let body = upper.strip_prefix(PREFIX).ok_or(InvitationRefusal::Malformed)?;
    let bytes = BASE32_NOPAD.decode(body.as_bytes()).map_err(|_| InvitationRefusal::Malformed)?;
    if bytes.len() < SIGNATURE_LEN + 1 {
        return Err(InvitationRefusal::Malformed);
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    let mut r = Reader { bytes: signed, at: 0 };
    let bad = InvitationRefusal::Malformed;
    if r.take(1).ok_or(bad)?[0] != VERSION {
        return Err(bad);
    }
    let key_id: [u8; 4] = r.take(4).ok_or(bad)?.try_into().map_err(|_| bad)?;
    let id: [u8; 16] = r.take(16).ok_or(bad)?.try_into().map_err(|_| bad)?;
    let valid_from = u32::from_be_bytes(r.take(4).ok_or(bad)?.try_into().map_err(|_| bad)?);
    let valid_until = u32::from_be_bytes(r.take(4).ok_or(bad)?.try_into().map_err(|_| bad)?);
    let uses = r.take(1).ok_or(bad)?[0];
    let site = r.str8().ok_or(bad)?;
    let host = r.str8().ok_or(bad)?;
    let name = r.str16().ok_or(bad)?;
    let company = r.str16().ok_or(bad)?;
    if r.at != signed.len() || valid_until < valid_from || uses == 0 {
        return Err(bad);
    }
    let claims = Claims {
        key_id,
        invitation_id: InvitationId(uuid::Uuid::from_bytes(id)),
        site: SiteId(site),
        host_id: HostId(host),
        name,
        company,
        valid_from,
        valid_until,
        uses,
    };
    let mut sig = [0u8; SIGNATURE_LEN];
    sig.copy_from_slice(signature);
    Ok(Token { claims, signed: signed.to_vec(), signature: sig })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn str8(&mut self) -> Option<String> {
        let n = usize::from(self.take(1)?[0]);
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    fn str16(&mut self) -> Option<String> {
        let len = self.take(2)?;
        let n = usize::from(u16::from_be_bytes([len[0], len[1]]));
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

impl Token {
    /// Whether `key` made this token's signature (strict Ed25519).
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        crate::badge::token::key_id(key) == self.claims.key_id
            && key.verify_strict(&message(&self.signed), &Signature::from_bytes(&self.signature)).is_ok()
    }
}

/// A fresh short code.
pub fn new_code() -> String {
    let mut bytes = [0u8; 5];
    rand::rng().fill_bytes(&mut bytes);
    let bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    (0..CODE_LEN).rev().map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char).collect()
}

/// A code as typed, in its stored form: case, spaces and dashes do not matter, and the letters
/// Crockford base32 leaves out are read as the digits they look like (I, L → 1; O → 0).
pub fn normalise_code(text: &str) -> Option<String> {
    let code: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CROCKFORD.contains(&b))).then_some(code)
}

/// A code as shown: `ABCD-EFGH`.
pub fn display_code(code: &str) -> String {
    if code.len() == CODE_LEN { format!("{}-{}", &code[..4], &code[4..]) } else { code.to_owned() }
}

/// Whether an invitation's window holds at `now` (seconds), or why not.
pub fn window_refusal(valid_from: i64, valid_until: i64, now: i64) -> Option<InvitationRefusal> {
    if now < valid_from {
        Some(InvitationRefusal::NotYetValid)
    } else if now > valid_until {
        Some(InvitationRefusal::Expired)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn claims(k: &SigningKey) -> Claims {
        Claims {
            key_id: crate::badge::token::key_id(&k.verifying_key()),
            invitation_id: InvitationId::new(),
            site: SiteId("riverside-tower".into()),
            host_id: HostId("li-na".into()),
            name: "王小明 Wang Xiaoming".into(),
            company: "滨海物流".into(),
            valid_from: 1_790_000_000,
            valid_until: 1_790_086_399,
            uses: 1,
        }
    }

    #[test]
    fn a_token_round_trips_verifies_and_is_typable() {
        let k = key(1);
        let c = claims(&k);
        let text = sign(&c, &k);
        assert!(text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{text}");
        assert!(is_token(&text));
        let token = parse(&format!(" {}\n", text.to_ascii_lowercase())).unwrap();
        assert_eq!(token.claims, c);
        assert!(token.signed_by(&k.verifying_key()));
        assert!(!token.signed_by(&key(2).verifying_key()));
    }

    #[test]
    fn a_badge_signature_is_not_an_invitation_signature() {
        // Same key, same bytes signed under the badge's domain tag: refused.
        let k = key(3);
        let c = claims(&k);
        let mut bytes = claims_bytes(&c);
        let badge_sig = k.sign(&[crate::badge::token::SIGNING_CONTEXT, &bytes].concat());
        bytes.extend_from_slice(&badge_sig.to_bytes());
        let forged = format!("{PREFIX}{}", BASE32_NOPAD.encode(&bytes));
        assert!(!parse(&forged).unwrap().signed_by(&k.verifying_key()));
    }

    #[test]
    fn codes_are_typable_and_forgiving() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN);
        assert_eq!(normalise_code(&display_code(&code).to_lowercase()), Some(code.clone()));
        assert_eq!(normalise_code("abcd-efgo"), Some("ABCDEFG0".into()));
        assert_eq!(normalise_code("ABCD-EFG"), None);
        assert_eq!(normalise_code("ABCD-EFGU"), None);
    }

    #[test]
    fn windows_refuse_early_and_late() {
        assert_eq!(window_refusal(10, 20, 9), Some(InvitationRefusal::NotYetValid));
        assert_eq!(window_refusal(10, 20, 21), Some(InvitationRefusal::Expired));
        assert_eq!(window_refusal(10, 20, 20), None);
    }

    proptest! {
        #[test]
        fn parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse(&format!("FI1{}", BASE32_NOPAD.encode(&bytes)));
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn a_changed_byte_never_verifies(pos in 0usize..400, byte in any::<u8>()) {
            let k = key(4);
            let text = sign(&claims(&k), &k);
            let mut raw = BASE32_NOPAD.decode(&text.as_bytes()[3..]).unwrap();
            let i = pos % raw.len();
            prop_assume!(raw[i] != byte);
            raw[i] = byte;
            if let Ok(token) = parse(&format!("FI1{}", BASE32_NOPAD.encode(&raw))) {
                prop_assert!(!token.signed_by(&k.verifying_key()));
            }
        }
    }
}
