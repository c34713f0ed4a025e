//! Errors of the core, each with a stable [`ErrorCode`] so adapters (IPC, HTTP) can hand the
//! caller a code to react to instead of a sentence to parse.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoStaticStr};
use ts_rs::TS;

use crate::print::PrintError;
use crate::render::RenderError;
use crate::secrets::SecretError;
use crate::site::SiteError;
use crate::storage::StorageError;
use crate::sync::SyncError;

/// Stable, machine-readable error codes. The UI translates each one; adding a variant means
/// adding its message to every catalogue in `assets/i18n/` (a test checks this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, EnumIter, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    /// One or more form fields are invalid; see the field errors.
    Validation,
    VisitNotFound,
    AlreadySignedOut,
    /// The operating system's keyring cannot be reached or refused access.
    KeyringUnavailable,
    /// The device's keys were created before but are gone from the keyring.
    KeysMissing,
    /// The database was written by a newer Frontdesk and this binary refuses to touch it.
    SchemaTooNew,
    /// The site configuration file is invalid.
    SiteConfig,
    Storage,
    /// The app could not start; the message says why.
    StartupFailed,
    /// No printer is chosen for badges (settings), or the chosen one is gone.
    NoPrinter,
    /// The OS print system cannot be reached (CUPS not running, spooler stopped).
    PrintSystemUnavailable,
    /// The OS print system does not know the printer.
    PrinterNotFound,
    /// The print system refused or failed the request; the message has its words.
    PrintFailed,
    PrintJobNotFound,
    /// A job for the same document is still on its way to the printer: cancel it or wait.
    PrintJobOpen,
    /// The job cannot be retried or cancelled in its current state.
    PrintJobState,
    /// A document could not be rendered (a broken template).
    RenderFailed,
    /// This kiosk holds no badge signing key for its site, or one that does not match the
    /// site's public key: it can check badges but not issue them.
    BadgeKeyUnavailable,
    /// The admin session is missing or has timed out; enter the PIN again.
    AdminRequired,
    /// The admin PIN is still the first-run default and must be changed first.
    PinChangeRequired,
    /// The hub address cannot be used (malformed, or plain HTTP).
    HubAddress,
    /// The hub cannot be reached (network, hub down); the kiosk keeps trying.
    HubUnreachable,
    /// The hub refused the request; the message says why.
    HubRefused,
    /// The hub's answer was not understood (another program, or an incompatible version).
    HubProtocol,
    /// The hub could not prove its identity at enrolment: possible interception.
    HubIdentity,
    /// An enrolment code is mistyped (wrong length or characters).
    EnrolmentCodeFormat,
    /// The hub does not know the enrolment code, or it was typed wrong.
    EnrolmentCodeInvalid,
    EnrolmentCodeExpired,
    /// The enrolment code was used already; each code works once.
    EnrolmentCodeUsed,
    /// The hub revoked this kiosk's credential.
    DeviceRevoked,
    /// The kiosk's data belongs to another site than the hub or code.
    SiteMismatch,
    /// The kiosk's clock is too far ahead for the hub to accept its changes.
    ClockSkew,
    /// The kiosk is not enrolled at a hub.
    NotEnrolled,
    /// The data is managed by the site hub and read-only on this kiosk.
    HubManaged,
    /// A scanned badge did not check out; the UI shows the refusal's reason.
    BadgeRefused,
    /// The file is not a Frontdesk backup.
    BackupNotABackup,
    /// The backup is damaged or truncated; the live database was not touched.
    BackupDamaged,
    /// The backup belongs to another site or another kiosk.
    BackupForeign,
    /// The backup was made with another key, or no key to open it is in the keyring.
    BackupWrongKey,
    /// The backup was made by a newer Frontdesk.
    BackupTooNew,
    /// The database is open in a running Frontdesk.
    BackupInUse,
    BackupNotFound,
    /// Making or restoring the backup failed (disk, keyring); the message says why.
    BackupFailed,
    /// No evacuation is in progress.
    NoEvacuation,
    /// No document (A4) printer is chosen in the settings.
    NoDocumentPrinter,
    /// The database was replaced (restored as a new device): the app must restart first.
    RestartRequired,
    /// The visit waits for its escort checklist and escort: no badge, not started yet.
    EscortPending,
    /// Required checklist items are not ticked.
    ChecklistIncomplete,
    /// No escort is named for the visit.
    EscortMissing,
    /// The visit does not need an escort.
    EscortNotRequired,
    /// The person is not in the directory, not active, or may not escort visitors.
    EscortNotAllowed,
    /// The visit's checklist has no such item.
    ChecklistItemUnknown,
    /// The visit has started already; its checklist is closed.
    VisitAlreadyStarted,
    /// The escort must confirm the hand-back before this visit signs out.
    HandbackRequired,
    /// An invitation was refused (forged, expired, used up, revoked, unknown).
    InvitationRefused,
    /// The record (invitation, watch-list entry, host) does not exist.
    NotFound,
    /// No alert with that id is known here.
    AlertNotFound,
    /// The alert is already resolved or cancelled.
    AlertEnded,
    /// An alert must be acknowledged before it is resolved.
    AlertNotAcknowledged,
    /// Only the raising desk's staff-assistance call can be cancelled.
    AlertNotCancellable,
    /// The 10 seconds to cancel a staff-assistance call have passed.
    AlertCancelWindow,
    /// Acknowledging and resolving alerts needs this desk in guard mode.
    GuardModeRequired,
}

/// Why one form field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, EnumIter, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FieldErrorCode {
    Required,
    TooLong,
    ControlCharacters,
    UnknownHost,
    HostInactive,
    /// A time in the future (back-entry of paper sign-ins).
    InFuture,
    /// A sign-out before its sign-in.
    OutBeforeIn,
    /// Not a date and time.
    BadTime,
    /// A PIN must be 6–12 digits.
    PinFormat,
    /// A PIN must not be the default, one repeated digit, or a run like 123456.
    PinTooSimple,
    /// The two entries of a new PIN differ.
    PinMismatch,
    /// Not one of the site's visitor types.
    UnknownVisitorType,
    /// Not one of the site's areas.
    UnknownArea,
    /// An ID number of the wrong shape for its type.
    IdFormat,
    /// A resident identity card number whose GB 11643 check character is wrong (a typo).
    IdChecksum,
    /// Not a phone number.
    PhoneFormat,
    /// Not a time of day (`HH:MM`).
    TimeFormat,
    /// A time that has already passed today.
    TimePassed,
    /// A number outside its allowed range.
    OutOfRange,
    /// The photo is not a JPEG or PNG image, or is too large.
    PhotoInvalid,
    /// Not a date (`YYYY-MM-DD`).
    DateFormat,
    /// The end date is before the start, in the past, or too far from it.
    DateRange,
    /// Not an email address.
    EmailFormat,
    /// Not a phone extension (digits).
    ExtensionFormat,
    /// Give a name, an ID number, or both.
    NameOrId,
    /// The PIN is taken for another purpose (the site's duress PIN).
    PinReserved,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldError {
    /// The form field, named as in the request (`name`, `company`, `host_id`, `purpose`).
    pub field: String,
    pub code: FieldErrorCode,
    /// The limit that was exceeded, for `too_long`.
    pub limit: Option<u32>,
}

impl FieldError {
    pub fn new(field: &str, code: FieldErrorCode) -> Self {
        Self { field: field.to_owned(), code, limit: None }
    }

    pub fn too_long(field: &str, limit: usize) -> Self {
        Self {
            field: field.to_owned(),
            code: FieldErrorCode::TooLong,
            limit: Some(u32::try_from(limit).unwrap_or(u32::MAX)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("invalid input: {}", describe_fields(.0))]
    Validation(Vec<FieldError>),
    #[error("no visit with id {0}")]
    VisitNotFound(String),
    #[error("visit {0} is already signed out")]
    AlreadySignedOut(String),
    #[error("this needs an admin session; enter the admin PIN")]
    AdminRequired,
    #[error("the admin PIN is still the first-run default; choose a new PIN first")]
    PinChangeRequired,
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Site(#[from] SiteError),
    #[error("no badge printer is chosen in the settings")]
    NoPrinter,
    #[error(transparent)]
    Print(PrintError),
    #[error("no print job with id {0}")]
    PrintJobNotFound(String),
    #[error("print job {0} for the same document is still on its way to the printer")]
    PrintJobOpen(String),
    #[error("print job {0} cannot do that in its current state")]
    PrintJobState(String),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("cannot issue badges: {0}")]
    BadgeKey(String),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("the badge was refused: {0:?}")]
    BadgeRefused(crate::badge::BadgeRefusal),
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    #[error("no evacuation is in progress")]
    NoEvacuation,
    #[error("no document printer is chosen in the settings")]
    NoDocumentPrinter,
    #[error("the database was restored as a new device; restart the app")]
    RestartRequired,
    #[error("visit {0} waits for its escort checklist and escort; it has not started")]
    EscortPending(String),
    #[error("required checklist items are not ticked: {}", .0.join(", "))]
    ChecklistIncomplete(Vec<String>),
    #[error("no escort is named for visit {0}")]
    EscortMissing(String),
    #[error("visit {0} does not need an escort")]
    EscortNotRequired(String),
    #[error("{0} cannot escort visitors (not in the directory, inactive, or not allowed to escort)")]
    EscortNotAllowed(String),
    #[error("the visit's checklist has no item {0:?}")]
    ChecklistItemUnknown(String),
    #[error("visit {0} has started already")]
    VisitAlreadyStarted(String),
    #[error("visit {0} is escorted: the escort must confirm the hand-back before it signs out")]
    HandbackRequired(String),
    #[error("the invitation was refused: {0:?}")]
    InvitationRefused(crate::visitors::invitation::InvitationRefusal),
    #[error("not found: {0}")]
    NotFound(String),
    #[error(transparent)]
    Alert(#[from] crate::alert::AlertRefusal),
    #[error("this needs the desk in guard mode (admin settings)")]
    GuardModeRequired,
}

fn describe_fields(fields: &[FieldError]) -> String {
    fields.iter().map(|f| format!("{} ({:?})", f.field, f.code)).collect::<Vec<_>>().join(", ")
}

impl CoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Validation(_) => ErrorCode::Validation,
            CoreError::VisitNotFound(_) => ErrorCode::VisitNotFound,
            CoreError::AlreadySignedOut(_) => ErrorCode::AlreadySignedOut,
            CoreError::AdminRequired => ErrorCode::AdminRequired,
            CoreError::PinChangeRequired => ErrorCode::PinChangeRequired,
            CoreError::Secret(SecretError::KeysMissing { .. }) => ErrorCode::KeysMissing,
            CoreError::Secret(_) => ErrorCode::KeyringUnavailable,
            CoreError::Storage(StorageError::SchemaTooNew { .. }) => ErrorCode::SchemaTooNew,
            CoreError::Storage(_) => ErrorCode::Storage,
            CoreError::Site(_) => ErrorCode::SiteConfig,
            CoreError::NoPrinter => ErrorCode::NoPrinter,
            CoreError::Print(PrintError::Unavailable(_)) => ErrorCode::PrintSystemUnavailable,
            CoreError::Print(PrintError::PrinterNotFound(_)) => ErrorCode::PrinterNotFound,
            CoreError::Print(_) => ErrorCode::PrintFailed,
            CoreError::PrintJobNotFound(_) => ErrorCode::PrintJobNotFound,
            CoreError::PrintJobOpen(_) => ErrorCode::PrintJobOpen,
            CoreError::PrintJobState(_) => ErrorCode::PrintJobState,
            CoreError::Render(_) => ErrorCode::RenderFailed,
            CoreError::BadgeKey(_) => ErrorCode::BadgeKeyUnavailable,
            CoreError::Sync(e) => e.code(),
            CoreError::BadgeRefused(_) => ErrorCode::BadgeRefused,
            CoreError::Backup(e) => match e.reason() {
                "not_a_backup" => ErrorCode::BackupNotABackup,
                "damaged" => ErrorCode::BackupDamaged,
                "foreign" => ErrorCode::BackupForeign,
                "wrong_key" => ErrorCode::BackupWrongKey,
                "too_new" => ErrorCode::BackupTooNew,
                "in_use" => ErrorCode::BackupInUse,
                "not_found" => ErrorCode::BackupNotFound,
                _ => ErrorCode::BackupFailed,
            },
            CoreError::NoEvacuation => ErrorCode::NoEvacuation,
            CoreError::NoDocumentPrinter => ErrorCode::NoDocumentPrinter,
            CoreError::RestartRequired => ErrorCode::RestartRequired,
            CoreError::EscortPending(_) => ErrorCode::EscortPending,
            CoreError::ChecklistIncomplete(_) => ErrorCode::ChecklistIncomplete,
            CoreError::EscortMissing(_) => ErrorCode::EscortMissing,
            CoreError::EscortNotRequired(_) => ErrorCode::EscortNotRequired,
            CoreError::EscortNotAllowed(_) => ErrorCode::EscortNotAllowed,
            CoreError::ChecklistItemUnknown(_) => ErrorCode::ChecklistItemUnknown,
            CoreError::VisitAlreadyStarted(_) => ErrorCode::VisitAlreadyStarted,
            CoreError::HandbackRequired(_) => ErrorCode::HandbackRequired,
            CoreError::InvitationRefused(_) => ErrorCode::InvitationRefused,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::Alert(refusal) => match refusal {
                crate::alert::AlertRefusal::NotFound => ErrorCode::AlertNotFound,
                crate::alert::AlertRefusal::Ended => ErrorCode::AlertEnded,
                crate::alert::AlertRefusal::NotAcknowledged => ErrorCode::AlertNotAcknowledged,
                crate::alert::AlertRefusal::NotCancellable | crate::alert::AlertRefusal::NotRaiser => {
                    ErrorCode::AlertNotCancellable
                }
                crate::alert::AlertRefusal::CancelWindowPassed => ErrorCode::AlertCancelWindow,
            },
            CoreError::GuardModeRequired => ErrorCode::GuardModeRequired,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            CoreError::Validation(fields) => fields,
            _ => &[],
        }
    }
}

/// The shape every error takes when it leaves the core through an adapter (Tauri IPC, HTTP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    /// English detail for logs and operators; the UI shows its own translation of `code`.
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl From<&CoreError> for ApiError {
    fn from(err: &CoreError) -> Self {
        ApiError { code: err.code(), message: err.to_string(), fields: err.field_errors().to_vec() }
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        ApiError::from(&err)
    }
}

impl ApiError {
    pub fn startup_failed(message: impl Into<String>, code: ErrorCode) -> Self {
        ApiError { code, message: message.into(), fields: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn as_str_matches_the_serialised_form() {
        for code in ErrorCode::iter() {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", <&str>::from(code)));
        }
        for code in FieldErrorCode::iter() {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", <&str>::from(code)));
        }
    }
}
