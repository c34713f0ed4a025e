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
            // Any desk works through an escorted visit's checklist, escort and hand-back.
            OpBody::ChecklistTicked(_)
            | OpBody::EscortAssigned(_)
            | OpBody::EscortCleared(_)
            | OpBody::EscortHandedBack(_) => Author::Device,
            OpBody::HostUpserted(_) | OpBody::SitePublished(_) | OpBody::CardPublished(_) => Author::Site,
            // Visitor management: visits' details, invitations, hits and purges are any desk's;
            // the watch list and the visitor settings are site data.
            OpBody::VisitDetails(_)
            | OpBody::VisitAutoSignedOut(_)
            | OpBody::InvitationCreated(_)
            | OpBody::InvitationRedeemed(_)
            | OpBody::InvitationRevoked(_)
            | OpBody::WatchlistHit(_)
            | OpBody::WatchlistCleared(_)
            | OpBody::RetentionPurged(_) => Author::Device,
            OpBody::WatchlistUpserted(_) | OpBody::VisitorSettingsPublished(_) => Author::Site,
            // Any device raises and acts on alerts (guards through the hub's own device).
            OpBody::AlertRaised(_)
            | OpBody::AlertAcknowledged(_)
            | OpBody::AlertEscalated(_)
            | OpBody::AlertResolved(_)
            | OpBody::AlertCancelled(_) => Author::Device,
        }
    }
}
