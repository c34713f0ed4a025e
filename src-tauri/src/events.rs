//! Events the app sends to the window. Named once here; the UI's constants are generated.

/// The emergency cards changed on disk and passed every check; the window re-reads them.
pub const CARDS_CHANGED: &str = "cards-changed";

/// Every event, for the TypeScript bindings.
pub const ALL: &[(&str, &str)] = &[("cardsChanged", CARDS_CHANGED)];
