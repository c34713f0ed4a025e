//! Identifiers. Records created on a device get UUIDv7 ids: unique without coordination and
//! roughly time-ordered, so indexes stay compact and ids sort in creation order.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        pub struct $name(#[ts(type = "string")] pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// One operation in the op log.
    OpId
);
uuid_id!(
    /// One kiosk or hub installation; created on first start, never changes.
    DeviceId
);
uuid_id!(
    /// One evacuation (roll call), started on one device.
    EvacuationId
);
uuid_id!(
    /// One visit: a sign-in, and later its sign-out. A returning visitor gets a new visit.
    VisitId
);
uuid_id!(
    /// One invitation (pre-registration) of a visitor.
    InvitationId
);

/// A host (staff member) in the site's directory. Ids come from the directory source
/// (site file, CSV import), so the same person keeps the same id everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct HostId(pub String);

impl fmt::Display for HostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A site, e.g. `riverside-tower`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct SiteId(pub String);

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
uuid_id!(
    /// One alert (duress, assistance, medical…), raised on one device; its later steps
    /// (acknowledged, escalated, resolved) refer to it.
    AlertId
);
