//! Events the app sends to the window. Named once here; the UI's constants are generated.

/// The emergency cards changed on disk and passed every check; the window re-reads them.
pub const CARDS_CHANGED: &str = "cards-changed";

/// The sync state with the site hub changed; the payload is the new `SyncStatus`.
pub const HUB_STATUS: &str = "hub-status";

/// Other desks' changes (or the hub's site data) arrived; lists on screen may be stale.
pub const DATA_CHANGED: &str = "data-changed";

/// Alerts changed (raised, acknowledged, resolved, delivered): the desk's indicator and guard
/// mode redraw.
pub const ALERTS_CHANGED: &str = "alerts-changed";

/// Every event, for the TypeScript bindings.
pub const ALL: &[(&str, &str)] = &[
    ("cardsChanged", CARDS_CHANGED),
    ("hubStatus", HUB_STATUS),
    ("dataChanged", DATA_CHANGED),
    ("alertsChanged", ALERTS_CHANGED),
];
