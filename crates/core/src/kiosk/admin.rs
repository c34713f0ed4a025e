//! The admin PIN, its lockout, and admin sessions.

use base64::Engine as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::Kiosk;
use super::change::Change;
use crate::alert::{AlertKind, AlertTrigger};
use crate::audit::{AuditAction, AuditEntry, AuditVerification};
use crate::error::{CoreError, FieldError, FieldErrorCode};
use crate::pin::{self, LockoutState, PinPurpose};

const META_ADMIN_PIN: &str = "admin_pin_hash";
const META_PIN_LOCKOUT: &str = "pin_lockout";

/// Why a PIN was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PinRefusal {
    /// Tries left before the lockout; 0 while locked.
    pub attempts_left: u32,
    /// While locked, when PINs are accepted again.
    #[ts(type = "string | null")]
    pub locked_until: Option<jiff::Timestamp>,
}

/// The result of [`Kiosk::check_pin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinCheck {
    /// Accepted; `must_change` while the first-run default PIN is still in use.
    Accepted {
        must_change: bool,
    },
    Refused(PinRefusal),
}

/// An open admin session: the UI passes `token` with every admin command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdminSession {
    pub token: String,
    /// The default PIN opened this session: only "change PIN" works until it is changed.
    pub must_change_pin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AdminLogin {
    Granted(AdminSession),
    Refused(PinRefusal),
}

pub(super) struct SessionState {
    token: String,
    must_change_pin: bool,
    expires_ms: i64,
}

/// Tokens compared without an early exit, so timing says nothing about how much matched.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Kiosk {
    /// Check a PIN typed at any prompt. Every PIN prompt in Frontdesk calls this, and only
    /// this: failures count towards one lockout for the whole kiosk, and each failure and
    /// lockout is audited. Call it inside the change that the PIN authorises.
    pub fn check_pin_in(&self, change: &mut Change<'_>, purpose: PinPurpose, pin: &str) -> Result<PinCheck, CoreError> {
        let now = change.now_ms();
        let actor = change.desk_actor()?;
        let state: LockoutState =
            change.meta(META_PIN_LOCKOUT)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        // The site's duress PIN is checked every time (also while locked, and whatever the
        // admin PIN is), so a duress entry takes as long as any other. It raises a silent
        // alert in this change and then behaves exactly as the real PIN would.
        let duress = self.is_duress_pin(pin);
        if duress {
            self.raise_in(change, AlertKind::Duress, None, AlertTrigger::DuressPin, None)?;
        }
        if let Some(until) = state.locked_at(now) {
            change.audit(&actor, AuditAction::PinFailed, purpose.as_str(), json!({ "locked": true }))?;
            return Ok(PinCheck::Refused(PinRefusal {
                attempts_left: 0,
                locked_until: jiff::Timestamp::from_millisecond(until).ok(),
            }));
        }
        let stored = change.meta(META_ADMIN_PIN)?;
        // Both checks always run, so the time taken says nothing about which PIN it was.
        let admin_pin = match &stored {
            Some(phc) => pin::verify_pin(phc, pin),
            None => pin == pin::DEFAULT_ADMIN_PIN,
        };
        let matched = duress || admin_pin;
        if matched {
            if state != LockoutState::default() {
                change
                    .set_meta(META_PIN_LOCKOUT, &serde_json::to_string(&LockoutState::default()).unwrap_or_default())?;
            }
            return Ok(PinCheck::Accepted { must_change: stored.is_none() });
        }
        let (next, locked) = state.fail(now);
        change.set_meta(META_PIN_LOCKOUT, &serde_json::to_string(&next).unwrap_or_default())?;
        change.audit(&actor, AuditAction::PinFailed, purpose.as_str(), json!({ "failures": next.failures }))?;
        if locked {
            change.audit(
                &actor,
                AuditAction::PinLockout,
                purpose.as_str(),
                json!({ "seconds": pin::LOCKOUT_SECONDS }),
            )?;
        }
        Ok(PinCheck::Refused(PinRefusal {
            attempts_left: next.attempts_left(),
            locked_until: next.locked_at(now).and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()),
        }))
    }

    /// Check a PIN on its own (a supervisor approving something the caller then does).
    pub fn check_pin(&self, purpose: PinPurpose, pin: &str) -> Result<PinCheck, CoreError> {
        self.change(|change| self.check_pin_in(change, purpose, pin))
    }

    /// Open the admin screen with the admin PIN.
    pub fn admin_login(&self, pin: &str) -> Result<AdminLogin, CoreError> {
        let (check, now) = self.change(|change| {
            let actor = change.admin_actor()?;
            let check = self.check_pin_in(change, PinPurpose::Admin, pin)?;
            if let PinCheck::Accepted { must_change } = check {
                change.audit(&actor, AuditAction::AdminLogin, "admin", json!({ "default_pin": must_change }))?;
            }
            Ok((check, change.now_ms()))
        })?;
        match check {
            PinCheck::Refused(refusal) => Ok(AdminLogin::Refused(refusal)),
            PinCheck::Accepted { must_change } => {
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
                *self.admin_session() = Some(SessionState {
                    token: token.clone(),
                    must_change_pin: must_change,
                    expires_ms: now + self.admin_session_ms(),
                });
                Ok(AdminLogin::Granted(AdminSession { token, must_change_pin: must_change }))
            }
        }
    }

    /// Whether an admin session is open now (an alert's context says so).
    pub(crate) fn admin_signed_in(&self) -> bool {
        let now = self.clock_wall_ms();
        self.admin_session().as_ref().is_some_and(|s| s.expires_ms > now)
    }

    fn admin_session_ms(&self) -> i64 {
        i64::from(self.site().kiosk.idle_timeout_seconds) * 1000
    }

    fn admin_session(&self) -> std::sync::MutexGuard<'_, Option<SessionState>> {
        self.admin.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Check an admin session token and extend it (sessions end after the site's idle timeout
    /// without use). While the default PIN is in use only [`Kiosk::change_admin_pin`] passes.
    pub fn require_admin(&self, token: &str) -> Result<(), CoreError> {
        self.require_session(token, false)
    }

    fn require_session(&self, token: &str, allow_default_pin: bool) -> Result<(), CoreError> {
        let now = self.clock_wall_ms();
        let mut session = self.admin_session();
        let state = session.as_mut().filter(|s| same_token(&s.token, token) && s.expires_ms > now);
        let Some(state) = state else {
            return Err(CoreError::AdminRequired);
        };
        state.expires_ms = now + self.admin_session_ms();
        if state.must_change_pin && !allow_default_pin {
            return Err(CoreError::PinChangeRequired);
        }
        Ok(())
    }

    /// Close the admin session.
    pub fn admin_logout(&self, token: &str) {
        let mut session = self.admin_session();
        if session.as_ref().is_some_and(|s| same_token(&s.token, token)) {
            *session = None;
        }
    }

    /// Set a new admin PIN (twice, to catch typos). Stored only as an Argon2id hash in this
    /// device's settings (a device secret, never synced); the change is audited.
    pub fn change_admin_pin(&self, token: &str, new_pin: &str, confirm: &str) -> Result<(), CoreError> {
        self.require_session(token, true)?;
        if let Err(code) = pin::validate_new_pin(new_pin) {
            return Err(CoreError::Validation(vec![FieldError::new("new_pin", code)]));
        }
        if new_pin != confirm {
            return Err(CoreError::Validation(vec![FieldError::new("confirm", FieldErrorCode::PinMismatch)]));
        }
        // The admin PIN may not be the duress PIN: every entry of it would raise an alert.
        if self.is_duress_pin(new_pin) {
            return Err(CoreError::Validation(vec![FieldError::new("new_pin", FieldErrorCode::PinReserved)]));
        }
        let hash = pin::hash_pin(new_pin);
        self.change(|change| {
            let actor = change.admin_actor()?;
            change.set_meta(META_ADMIN_PIN, &hash)?;
            change.audit(&actor, AuditAction::PinChanged, "admin", json!({}))?;
            Ok(())
        })?;
        if let Some(state) = self.admin_session().as_mut() {
            state.must_change_pin = false;
        }
        Ok(())
    }

    /// Check the audit log's hash chain.
    pub fn verify_audit(&self, token: &str) -> Result<AuditVerification, CoreError> {
        self.require_admin(token)?;
        Ok(self.store().verify_audit()?)
    }

    /// The latest audit entries, newest first.
    pub fn recent_audit(&self, token: &str, limit: u32) -> Result<Vec<AuditEntry>, CoreError> {
        self.require_admin(token)?;
        Ok(self.store().read().audit_recent(limit.min(500))?)
    }
}
