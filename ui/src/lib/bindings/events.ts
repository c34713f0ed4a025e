// Generated from src-tauri/src/events.rs by `cargo test -p frontdesk-app`. Do not edit.

export const EVENTS = {
  cardsChanged: "cards-changed",
  hubStatus: "hub-status",
  dataChanged: "data-changed",
  alertsChanged: "alerts-changed",
} as const;
