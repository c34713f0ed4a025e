//! Who may write what. Visits are written by whichever desk handles the visitor. Site data —
//! host directory, site settings, and later card sets and the watch list — has one author at a
//! time: the kiosk's own admin while it stands alone, the site hub once the kiosk is enrolled.
//! The kiosk then refuses to write it (`hub_managed`), and the hub refuses site data from a
//! device unless it was written before that device enrolled (its hand-over).
//!
//! A new kind of site data only has to answer `Author::Site` here to get all of this.

use crate::op::OpBody;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    /// Any enrolled device writes it (visits and their changes).
    Device,
    /// The site's author writes it: the hub once the kiosk is enrolled.
    Site,
}

impl OpBody {
    pub fn author(&self) -> Author {
        match self {
            OpBody::VisitSignedIn(_) | OpBody::VisitUpdated(_) | OpBody::VisitSignedOut(_) => Author::Device,
            // Any device may start, mark and end a roll call, and enter paper sign-ins.
            OpBody::EvacuationStarted(_)
            | OpBody::RollcallMarked(_)
            | OpBody::EvacuationEnded(_)
            | OpBody::VisitBackEntered(_) => Author::Device,
            OpBody::HostUpserted(_) | OpBody::SitePublished(_) => Author::Site,
            // Any device raises and acts on alerts (guards through the hub's own device).
            OpBody::AlertRaised(_)
            | OpBody::AlertAcknowledged(_)
            | OpBody::AlertEscalated(_)
            | OpBody::AlertResolved(_)
            | OpBody::AlertCancelled(_) => Author::Device,
        }
    }
}
