//! Alerts: duress and threat alerts raised at a desk (or by the hub), delivered to guards,
//! acknowledged, escalated and resolved.
//!
//! An alert is a handful of operations in the op log, all written by devices
//! (`Author::Device`):
//!
//! | op | written by | meaning |
//! |---|---|---|
//! | `alert.raised` | the raising kiosk (the hub for `lost_contact`) | kind, level, trigger, drill flag, where and when, who was at the desk, the visitors of the last 15 minutes |
//! | `alert.acknowledged` | a guard (web console → the hub's device, or a desk in guard mode) | "I have it" |
//! | `alert.escalated` | the hub | nobody acknowledged in time: re-alert every guard and the duty manager |
//! | `alert.resolved` | a guard, or the hub when a silent kiosk is heard again | outcome (real, false alarm, drill, contact restored) and a note |
//! | `alert.cancelled` | the raising kiosk | a staff-assistance call withdrawn within 10 s, with PIN and reason |
//!
//! The merge rule ([`AlertRecord::merge`]) is commutative and idempotent: the raise is the
//! earliest `alert.raised` by HLC; acknowledgements are a set (one per acknowledger, its
//! earliest), and the earliest by HLC owns the alert, so every device names the same owner;
//! escalations are a set of rounds; the end is the earliest `alert.resolved` or
//! `alert.cancelled` by HLC. The state derived from these only moves forward:
//! raised → acknowledged → resolved | cancelled.
//!
//! See docs/alerts.md for the wire format (the visitors work records watch-list hits as
//! `alert.raised` with kind `watchlist_hit`).

mod record;
mod report;

use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoStaticStr};
use ts_rs::TS;

use crate::cards::{Role, Scenario};
use crate::i18n::Localized;
use crate::ids::{AlertId, DeviceId, VisitId};

pub use record::{AlertEnd, AlertRecord, AlertRefusal, AlertView, Stamped, redact_raise};
pub use report::{AckStats, AlertReport, DrillRow, KindRow, TriggerRow, monthly_report, parse_month};

/// A staff-assistance call can be withdrawn this long after it was raised.
pub const CANCEL_WINDOW_MS: i64 = 10_000;
/// The visitors signed in at the raising desk this long before an alert travel with it.
pub const CONTEXT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// At most this many visitors travel with an alert (the most recent first).
pub const MAX_CONTEXT_VISITORS: usize = 30;
/// Escalate when nobody acknowledged for this long, unless the site says otherwise.
pub const DEFAULT_ESCALATE_AFTER_SECONDS: u32 = 20;
/// The escalation delays a site may set, in seconds.
pub const ESCALATE_AFTER_SECONDS: std::ops::RangeInclusive<u32> = 5..=600;
/// Limits of free text in alerts.
pub const NOTE_MAX_CHARS: usize = 500;
pub const DESCRIPTION_MAX_CHARS: usize = 200;
pub const NAME_MAX_CHARS: usize = 120;
/// A photo in an alert's context (a small `data:image/…` URL) may be at most this long.
pub const PHOTO_MAX_BYTES: usize = 24 * 1024;

macro_rules! snake_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, EnumIter,
            IntoStaticStr,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}

snake_enum! {
    /// What happened.
    pub enum AlertKind {
        /// A receptionist under threat: silent, always an emergency, cannot be cancelled.
        Duress,
        /// Staff need a guard at the desk; can be withdrawn within 10 s with PIN and reason.
        Assistance,
        Medical,
        Fire,
        /// A suspicious person or package, with a quick description.
        Suspicious,
        /// A visitor matched the site's watch list (recorded by the visitors work).
        WatchlistHit,
        /// The hub stopped hearing a kiosk's heartbeat.
        LostContact,
    }
}

snake_enum! {
    /// The three levels of the source material: notice (提示), warning (警告), emergency (紧急).
    pub enum AlertLevel {
        Notice,
        Warning,
        Emergency,
    }
}

snake_enum! {
    /// How the alert was raised (the monthly report counts false alarms per trigger).
    pub enum AlertTrigger {
        /// The discreet control present on every kiosk screen.
        Discreet,
        /// The global hotkey (works while the app is not focused).
        Hotkey,
        /// The duress PIN typed at a PIN prompt.
        DuressPin,
        /// The alert panel (assistance, medical, fire, suspicious).
        Panel,
        /// A watch-list match at sign-in.
        Watchlist,
        /// The hub's supervision of kiosk heartbeats.
        Supervision,
    }
}

snake_enum! {
    pub enum AlertState {
        Raised,
        Acknowledged,
        Resolved,
        Cancelled,
    }
}

snake_enum! {
    /// How a guard closed an alert.
    pub enum AlertOutcome {
        Real,
        FalseAlarm,
        Drill,
        /// A lost-contact alert closed by the hub because the kiosk was heard again.
        ContactRestored,
    }
}

snake_enum! {
    /// Why a staff-assistance call was withdrawn.
    pub enum CancelReason {
        Mistake,
        NoLongerNeeded,
        Other,
    }
}

snake_enum! {
    /// Who acted on an alert.
    pub enum ActorKind {
        /// A guard signed in to the hub's web console.
        Guard,
        /// A desk (a kiosk, or a desktop in guard mode).
        Desk,
        /// The hub itself (escalation, supervision).
        Hub,
    }
}

snake_enum! {
    /// What a suspicious-activity alert is about.
    pub enum SuspiciousWhat {
        Person,
        Package,
    }
}

impl AlertKind {
    /// The level an alert of this kind gets unless the raiser chooses one.
    pub fn default_level(self) -> AlertLevel {
        match self {
            AlertKind::Duress | AlertKind::Medical | AlertKind::Fire => AlertLevel::Emergency,
            AlertKind::Assistance | AlertKind::Suspicious | AlertKind::WatchlistHit | AlertKind::LostContact => {
                AlertLevel::Warning
            }
        }
    }

    /// Nothing on the raising kiosk's screen may show that it was raised.
    pub fn silent(self) -> bool {
        matches!(self, AlertKind::Duress | AlertKind::WatchlistHit)
    }

    /// May be withdrawn by the raising desk within [`CANCEL_WINDOW_MS`].
    pub fn cancellable(self) -> bool {
        self == AlertKind::Assistance
    }

    /// Raised by the hub only (a kiosk cannot report its own silence).
    pub fn hub_only(self) -> bool {
        self == AlertKind::LostContact
    }

    /// The emergency card that goes with this alert (the raising desk's on raise, the guard's
    /// on acknowledgement).
    pub fn scenario(self, description: Option<&SuspiciousDescription>) -> Option<Scenario> {
        match self {
            AlertKind::Duress => Some(Scenario::ViolentVisitor),
            AlertKind::Medical => Some(Scenario::Medical),
            AlertKind::Fire => Some(Scenario::Fire),
            AlertKind::Suspicious => Some(match description.map(|d| d.what) {
                Some(SuspiciousWhat::Package) => Scenario::SuspiciousPackage,
                _ => Scenario::SuspiciousPerson,
            }),
            AlertKind::WatchlistHit => Some(Scenario::SuspiciousPerson),
            AlertKind::Assistance | AlertKind::LostContact => None,
        }
    }
}

/// Who acted: `kind:id` is their identity in the set of acknowledgements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertActor {
    pub kind: ActorKind,
    /// A guard's login, a desk's device id, or the hub's device id.
    pub id: String,
    /// What to show: the guard's display name, the desk's name.
    pub name: String,
}

impl AlertActor {
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }
}

/// Where the alert comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertSource {
    pub device: DeviceId,
    /// The kiosk's name at the hub ("Lobby desk 1"), or its desk's name when standalone.
    pub device_name: String,
    pub desk_id: String,
    /// The desk's name, which says where it is ("Ground-floor lobby desk").
    pub desk_name: Localized,
}

/// Who was signed in at the kiosk. Frontdesk has no personal logins at the desk: the desk's
/// role (whose emergency cards it opens) and whether an administrator was signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeskSession {
    pub role: Option<Role>,
    pub admin: bool,
}

/// A visitor signed in at the raising desk in the last 15 minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertVisitor {
    pub visit_id: VisitId,
    pub name: String,
    pub company: String,
    pub host_name: String,
    pub host_extension: String,
    #[ts(type = "string")]
    pub signed_in_at: jiff::Timestamp,
    /// Signed out again since (still worth knowing: they just left).
    pub signed_out: bool,
    /// A small `data:image/jpeg;base64,…` portrait if the visit has one.
    #[serde(default)]
    pub photo: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertContext {
    pub at_desk: DeskSession,
    /// Most recent first.
    pub visitors: Vec<AlertVisitor>,
}

/// The quick description of a suspicious person or package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SuspiciousDescription {
    pub what: SuspiciousWhat,
    /// Clothing, build, what it looks like.
    pub appearance: String,
    /// Where it is or was seen.
    pub place: String,
    /// Which way the person went (empty for a package).
    pub direction: String,
}

/// What an alert is about, beyond its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertSubject {
    /// A visit (a watch-list hit names the visit that matched).
    Visit { visit_id: VisitId },
    /// A device (the kiosk that went silent).
    Device { device: DeviceId, name: String },
}

/// `alert.raised`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertRaised {
    pub alert_id: AlertId,
    /// `alert_kind` on the wire: an op's `kind` is its op kind (`alert.raised`).
    #[serde(rename = "alert_kind")]
    pub kind: AlertKind,
    pub level: AlertLevel,
    pub trigger: AlertTrigger,
    /// Raised during a drill: marked on every screen, counted apart in the report.
    pub drill: bool,
    #[ts(type = "string")]
    pub raised_at: jiff::Timestamp,
    pub source: AlertSource,
    pub context: AlertContext,
    #[serde(default)]
    pub description: Option<SuspiciousDescription>,
    #[serde(default)]
    pub subject: Option<AlertSubject>,
}

/// `alert.acknowledged`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertAcknowledged {
    pub alert_id: AlertId,
    pub by: AlertActor,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
}

/// `alert.escalated`: round 1 after the first escalation delay without acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertEscalated {
    pub alert_id: AlertId,
    pub round: u32,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
    /// The roles re-alerted.
    pub notify: Vec<Role>,
}

/// `alert.resolved`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertResolved {
    pub alert_id: AlertId,
    pub outcome: AlertOutcome,
    pub note: String,
    pub by: AlertActor,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
}

/// `alert.cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertCancelled {
    pub alert_id: AlertId,
    pub reason: CancelReason,
    pub note: String,
    pub by: AlertActor,
    #[ts(type = "string")]
    pub at: jiff::Timestamp,
}

fn bad_text(text: &str, max: usize) -> bool {
    text.chars().count() > max || text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
}

/// The rules every alert op obeys, whoever wrote it; the hub refuses a pushed op that breaks
/// one (`invalid_op`). Forms get field errors earlier, in the kiosk.
pub fn check_op(body: &crate::op::OpBody) -> Result<(), String> {
    use crate::op::OpBody;
    match body {
        OpBody::AlertRaised(r) => {
            if r.kind == AlertKind::Duress && r.level != AlertLevel::Emergency {
                return Err("a duress alert is always an emergency".into());
            }
            if r.kind == AlertKind::LostContact && !matches!(r.subject, Some(AlertSubject::Device { .. })) {
                return Err("a lost-contact alert names the silent device".into());
            }
            if r.kind == AlertKind::Suspicious && r.description.is_none() {
                return Err("a suspicious-activity alert carries its description".into());
            }
            if r.context.visitors.len() > MAX_CONTEXT_VISITORS {
                return Err(format!("at most {MAX_CONTEXT_VISITORS} visitors travel with an alert"));
            }
            for v in &r.context.visitors {
                if bad_text(&v.name, NAME_MAX_CHARS)
                    || bad_text(&v.company, NAME_MAX_CHARS)
                    || bad_text(&v.host_name, NAME_MAX_CHARS)
                    || bad_text(&v.host_extension, NAME_MAX_CHARS)
                {
                    return Err("a visitor's text is too long or has control characters".into());
                }
                if let Some(photo) = &v.photo
                    && (photo.len() > PHOTO_MAX_BYTES || !photo.starts_with("data:image/"))
                {
                    return Err(format!("a photo must be a data:image URL of at most {PHOTO_MAX_BYTES} bytes"));
                }
            }
            if let Some(d) = &r.description
                && [&d.appearance, &d.place, &d.direction].iter().any(|t| bad_text(t, DESCRIPTION_MAX_CHARS))
            {
                return Err("the description is too long or has control characters".into());
            }
            if bad_text(&r.source.device_name, NAME_MAX_CHARS) || bad_text(&r.source.desk_id, 64) {
                return Err("the source's names are too long or have control characters".into());
            }
            Ok(())
        }
        OpBody::AlertAcknowledged(a) => check_actor(&a.by),
        OpBody::AlertEscalated(e) => {
            if e.round == 0 {
                Err("escalation rounds start at 1".into())
            } else {
                Ok(())
            }
        }
        OpBody::AlertResolved(r) => {
            check_actor(&r.by)?;
            if bad_text(&r.note, NOTE_MAX_CHARS) { Err("the note is too long".into()) } else { Ok(()) }
        }
        OpBody::AlertCancelled(c) => {
            check_actor(&c.by)?;
            if bad_text(&c.note, NOTE_MAX_CHARS) { Err("the note is too long".into()) } else { Ok(()) }
        }
        _ => Ok(()),
    }
}

fn check_actor(actor: &AlertActor) -> Result<(), String> {
    if actor.id.is_empty() || bad_text(&actor.id, 64) || bad_text(&actor.name, NAME_MAX_CHARS) {
        return Err("the actor's id or name is empty, too long or has control characters".into());
    }
    Ok(())
}

/// The global hotkey a site gets unless its site file says otherwise.
pub const DEFAULT_HOTKEY: &str = "Ctrl+Shift+F9";

/// Check a hotkey as the site file writes it: modifiers and one key joined by `+`
/// (`Ctrl+Shift+F9`, `Shift+Pause`). Empty means no hotkey. A key without a modifier is only
/// allowed for keys nobody types by accident (F13-F24, Pause, ScrollLock: what USB panic
/// buttons send).
pub fn check_hotkey(text: &str) -> Result<(), String> {
    const MODIFIERS: &[&str] =
        &["ctrl", "control", "alt", "option", "shift", "super", "cmd", "command", "cmdorctrl", "commandorcontrol"];
    const NAMED: &[&str] = &[
        "space",
        "enter",
        "escape",
        "tab",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "pause",
        "scrolllock",
        "printscreen",
        "up",
        "down",
        "left",
        "right",
    ];
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    let parts: Vec<String> = text.split('+').map(|p| p.trim().to_ascii_lowercase()).collect();
    let (key, modifiers) = parts.split_last().ok_or("empty")?;
    for m in modifiers {
        if !MODIFIERS.contains(&m.as_str()) {
            return Err(format!("{m:?} is not a modifier (Ctrl, Alt, Shift, Super)"));
        }
    }
    let function_key = key.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=24).contains(n));
    let valid_key = function_key.is_some()
        || (key.len() == 1 && key.chars().all(|c| c.is_ascii_alphanumeric()))
        || NAMED.contains(&key.as_str());
    if !valid_key {
        return Err(format!("{key:?} is not a key (A-Z, 0-9, F1-F24, Space, Pause…)"));
    }
    let unlikely_alone = function_key.is_some_and(|n| n >= 13) || matches!(key.as_str(), "pause" | "scrolllock");
    if modifiers.is_empty() && !unlikely_alone {
        return Err("needs a modifier (e.g. Ctrl+Shift+F9), so nobody raises an alert by typing".into());
    }
    let ctrl = modifiers.iter().any(|m| m == "ctrl" || m == "control");
    let alt = modifiers.iter().any(|m| m == "alt" || m == "option");
    if ctrl && alt && function_key.is_some_and(|n| n <= 12) {
        // The X server (and the Linux console) take these to switch terminals: never delivered.
        return Err("Ctrl+Alt+F1 to F12 switch the screen to a text console on Linux; choose another".into());
    }
    Ok(())
}

#[cfg(test)]
mod hotkey_tests {
    use super::check_hotkey;

    #[test]
    fn hotkeys_need_a_real_key_and_a_modifier_unless_nobody_types_it() {
        for good in
            ["", "Ctrl+Shift+F9", "ctrl + shift + A", "Shift+Pause", "F13", "Pause", "CmdOrCtrl+Alt+1", "Ctrl+Alt+F13"]
        {
            assert!(check_hotkey(good).is_ok(), "{good}");
        }
        for bad in ["A", "F9", "Ctrl+", "Hyper+F9", "Ctrl+Alt+F25", "Ctrl+Alt+Banana", "+", "Ctrl+Alt+F9"] {
            assert!(check_hotkey(bad).is_err(), "{bad}");
        }
    }
}
