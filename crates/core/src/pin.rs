//! PINs: stored only as Argon2id hashes, checked with a lockout after repeated failures.
//!
//! Every PIN prompt in Frontdesk goes through one function, [`crate::Kiosk::check_pin`], and
//! one UI component (`PinPrompt`, `data-testid="pin-input"`). The site's duress PIN is checked
//! there too: accepted exactly like the normal PIN (same result, same screens) while a silent
//! alert is written in the same transaction (see `kiosk/admin.rs`, docs/alerts.md).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::FieldErrorCode;

/// The PIN a new kiosk accepts until an administrator sets their own; it only opens the
/// "choose a new PIN" step (see docs/operator.md).
pub const DEFAULT_ADMIN_PIN: &str = "000000";
pub const PIN_MIN_DIGITS: usize = 6;
pub const PIN_MAX_DIGITS: usize = 12;
/// Consecutive failures that lock every PIN prompt of the kiosk.
pub const MAX_FAILURES: u32 = 5;
/// How long a lockout lasts; each further failure after a lockout locks again.
pub const LOCKOUT_SECONDS: i64 = 300;

/// What a PIN prompt is for; recorded in the audit log with every failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PinPurpose {
    /// Opening the admin screen.
    Admin,
    /// A supervisor approving an exception (escort override, cancelling an alert).
    Supervisor,
}

impl PinPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            PinPurpose::Admin => "admin",
            PinPurpose::Supervisor => "supervisor",
        }
    }
}

/// An Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `pin`, with a random salt.
pub fn hash_pin(pin: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    Argon2::default()
        .hash_password_with_salt(pin.as_bytes(), &salt)
        .expect("Argon2 with default parameters and a 16-byte salt cannot fail")
        .to_string()
}

/// Whether `pin` matches a stored PHC string. A malformed hash matches nothing.
pub fn verify_pin(phc: &str, pin: &str) -> bool {
    Argon2::default().verify_password(pin.as_bytes(), phc).is_ok()
}

/// Whether `text` is an Argon2id PHC string this build can verify against.
pub fn is_pin_hash(text: &str) -> bool {
    argon2::PasswordHash::new(text).is_ok_and(|h| h.algorithm.as_str() == "argon2id")
}

/// Rules for a new PIN: 6–12 digits, not the default, not one repeated digit, not a run like
/// 123456 or 987654.
pub fn validate_new_pin(pin: &str) -> Result<(), FieldErrorCode> {
    if pin.is_empty() {
        return Err(FieldErrorCode::Required);
    }
    let digits: Vec<u8> = pin.bytes().collect();
    if !digits.iter().all(u8::is_ascii_digit) || !(PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&digits.len()) {
        return Err(FieldErrorCode::PinFormat);
    }
    let steps: Vec<i16> = digits.windows(2).map(|w| i16::from(w[1]) - i16::from(w[0])).collect();
    let run = |step: i16| steps.iter().all(|s| *s == step);
    if pin == DEFAULT_ADMIN_PIN || run(0) || run(1) || run(-1) {
        return Err(FieldErrorCode::PinTooSimple);
    }
    Ok(())
}

/// Failures and lockout, kept in the device's `meta` so a restart does not reset them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LockoutState {
    pub failures: u32,
    /// Milliseconds since the epoch until which every PIN is refused.
    pub locked_until_ms: Option<i64>,
}

impl LockoutState {
    pub fn locked_at(&self, now_ms: i64) -> Option<i64> {
        self.locked_until_ms.filter(|until| *until > now_ms)
    }

    /// The state after a wrong PIN at `now_ms`; `true` if this failure starts a lockout.
    pub fn fail(self, now_ms: i64) -> (LockoutState, bool) {
        let failures = self.failures + 1;
        if failures >= MAX_FAILURES {
            (LockoutState { failures, locked_until_ms: Some(now_ms + LOCKOUT_SECONDS * 1000) }, true)
        } else {
            (LockoutState { failures, locked_until_ms: None }, false)
        }
    }

    pub fn attempts_left(&self) -> u32 {
        MAX_FAILURES.saturating_sub(self.failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_pin_and_never_contains_it() {
        let phc = hash_pin("482915");
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(!phc.contains("482915"));
        assert!(verify_pin(&phc, "482915"));
        assert!(!verify_pin(&phc, "482916"));
        assert!(!verify_pin("not a hash", "482915"));
        // Salted: the same PIN hashes differently each time.
        assert_ne!(hash_pin("482915"), phc);
    }

    #[test]
    fn new_pins_must_be_long_digits_and_not_trivial() {
        assert_eq!(validate_new_pin(""), Err(FieldErrorCode::Required));
        for bad in ["12345", "1234567890123", "48a915", "４８２９１５"] {
            assert_eq!(validate_new_pin(bad), Err(FieldErrorCode::PinFormat), "{bad}");
        }
        for simple in ["000000", "111111", "123456", "987654", "3456789"] {
            assert_eq!(validate_new_pin(simple), Err(FieldErrorCode::PinTooSimple), "{simple}");
        }
        assert_eq!(validate_new_pin("482915"), Ok(()));
    }

    #[test]
    fn the_fifth_failure_locks_and_the_lock_expires() {
        let mut state = LockoutState::default();
        for i in 1..MAX_FAILURES {
            let (next, locked) = state.fail(1_000);
            assert!(!locked);
            assert_eq!(next.attempts_left(), MAX_FAILURES - i);
            state = next;
        }
        let (state, locked) = state.fail(1_000);
        assert!(locked);
        assert_eq!(state.locked_at(1_000 + 1), Some(1_000 + LOCKOUT_SECONDS * 1000));
        assert_eq!(state.locked_at(1_000 + LOCKOUT_SECONDS * 1000), None);
        // A failure after the lock ran out locks again at once.
        let (_, again) = state.fail(1_000 + LOCKOUT_SECONDS * 1000 + 1);
        assert!(again);
    }
}
