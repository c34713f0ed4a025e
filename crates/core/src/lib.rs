//! Frontdesk core: the domain model, the rules, local storage and the op log.
//!
//! Every business rule lives here, once. The desktop app and the hub adapt these functions to
//! IPC and HTTP; the UI renders what they return.

pub mod alert;
pub mod audit;
pub mod backup;
pub mod badge;
pub mod cards;
pub mod catalog;
pub mod error;
pub mod escort;
pub mod evacuation;
pub mod hlc;
pub mod i18n;
pub mod ids;
pub mod kiosk;
pub mod op;
pub mod paper;
pub mod pin;
pub mod print;
pub mod render;
pub mod secrets;
pub mod site;
pub mod storage;
pub mod sync;
pub mod visit;
pub mod visitors;

pub use error::{ApiError, CoreError, ErrorCode, FieldError, FieldErrorCode};
pub use kiosk::{Kiosk, KioskInfo, KioskOptions};
