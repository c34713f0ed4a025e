//! Frontdesk's site hub: enrols kiosks and relays their op logs between them, over HTTPS with
//! a pinned self-signed certificate, with a WebSocket live channel for "new ops" nudges.
//!
//! The protocol and its rules live in `frontdesk_core::sync`; this crate adapts them to HTTP
//! and stores ops behind the [`store::HubStore`] trait (SQLite now). See `docs/sync.md`.

pub mod alerting;
pub mod author;
pub mod console;
pub mod enrol;
pub mod live;
pub mod mirror;
pub mod retention;
pub mod server;
pub mod store;
pub mod supervision;
pub mod tls;

pub use server::{HubConfig, RunningHub, Transport, start};
pub use store::{HubStore, SqliteHubStore};
