//! Rule evaluation: from a visit's type, areas, host, time and watch-list result to whether it
//! needs an escort, why, and which checklist items it must complete. Pure functions of the
//! site's settings, so every desk decides alike.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::config::{AreaConfig, EscortSettings, VisitorTypeConfig};
use super::{ChecklistItem, EscortReason, Label, VisitTerms};
use crate::error::{FieldError, FieldErrorCode};
use crate::ids::HostId;

/// Everything the rules look at.
#[derive(Debug, Clone)]
pub struct EscortContext<'a> {
    pub visitor_type: Option<&'a VisitorTypeConfig>,
    pub areas: &'a [&'a AreaConfig],
    pub host_id: &'a HostId,
    /// The host's name in the directory, for the reason the desk reads.
    pub host_name: &'a str,
    /// The site's local time of the sign-in.
    pub at: jiff::civil::DateTime,
    /// The visitor matched the watch list. The watch list (issue 4) sets this; until it is
    /// wired, sign-in passes `false`.
    pub watchlist_hit: bool,
}

/// Whether an escort is required, and every reason, for the form to show before sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EscortDecision {
    pub required: bool,
    pub reasons: Vec<EscortReason>,
}

impl EscortSettings {
    /// The visitor type and areas a sign-in form names, checked against the site. An empty type
    /// is the site's default (its first); areas come back in the site's order, once each.
    pub fn classify(
        &self,
        visitor_type: &str,
        areas: &[String],
    ) -> Result<(Option<&VisitorTypeConfig>, Vec<&AreaConfig>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let chosen = if visitor_type.is_empty() {
            self.visitor_types.first()
        } else {
            let found = self.visitor_type(visitor_type);
            if found.is_none() {
                errors.push(FieldError::new("visitor_type", FieldErrorCode::UnknownVisitorType));
            }
            found
        };
        if areas.iter().any(|a| self.area(a).is_none()) {
            errors.push(FieldError::new("areas", FieldErrorCode::UnknownArea));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let needed = self.areas.iter().filter(|a| areas.contains(&a.id)).collect();
        Ok((chosen, needed))
    }

    /// Whether the visit needs an escort, with every reason that applies.
    pub fn decide(&self, ctx: &EscortContext<'_>) -> EscortDecision {
        let mut reasons = Vec::new();
        if let Some(t) = ctx.visitor_type.filter(|t| t.escort) {
            reasons.push(EscortReason::VisitorType { id: t.id.clone(), name: t.name.clone() });
        }
        for area in ctx.areas.iter().filter(|a| a.restricted) {
            reasons.push(EscortReason::RestrictedArea { id: area.id.clone(), name: area.name.clone() });
        }
        if let Some(hours) = &self.hours {
            let applies = hours.areas.is_empty() || ctx.areas.iter().any(|a| hours.areas.contains(&a.id));
            if applies && !hours.contains(&ctx.at) {
                reasons.push(EscortReason::OutsideHours { start: hours.start.clone(), end: hours.end.clone() });
            }
        }
        if ctx.watchlist_hit {
            reasons.push(EscortReason::WatchList);
        }
        if self.escort_hosts.contains(ctx.host_id) {
            reasons.push(EscortReason::HostPolicy { host_id: ctx.host_id.clone(), name: ctx.host_name.to_owned() });
        }
        EscortDecision { required: !reasons.is_empty(), reasons }
    }

    /// The visit's terms: the decision, and a copy of the checklist items it must go through
    /// (those for every escorted visit and those for an area it needs).
    pub fn terms(&self, ctx: &EscortContext<'_>) -> VisitTerms {
        let decision = self.decide(ctx);
        let checklist = if decision.required {
            self.checklist
                .iter()
                .filter(|item| item.areas.is_empty() || ctx.areas.iter().any(|a| item.areas.contains(&a.id)))
                .map(|item| ChecklistItem { id: item.id.clone(), text: item.text.clone(), required: item.required })
                .collect()
        } else {
            Vec::new()
        };
        VisitTerms {
            visitor_type: ctx.visitor_type.map(|t| Label { id: t.id.clone(), name: t.name.clone() }),
            areas: ctx.areas.iter().map(|a| Label { id: a.id.clone(), name: a.name.clone() }).collect(),
            escort_required: decision.required,
            reasons: decision.reasons,
            checklist,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::SiteConfig;

    fn demo() -> EscortSettings {
        SiteConfig::demo().unwrap().escort
    }

    /// Monday 2 March 2026 at `hh:mm`, local to the site.
    fn monday(h: i8, m: i8) -> jiff::civil::DateTime {
        jiff::civil::date(2026, 3, 2).at(h, m, 0, 0)
    }

    fn decide(
        settings: &EscortSettings,
        kind: &str,
        areas: &[&str],
        host: &str,
        at: jiff::civil::DateTime,
    ) -> EscortDecision {
        let areas: Vec<String> = areas.iter().map(|a| a.to_string()).collect();
        let (visitor_type, areas) = settings.classify(kind, &areas).unwrap();
        let host = HostId(host.into());
        settings.decide(&EscortContext {
            visitor_type,
            areas: &areas,
            host_id: &host,
            host_name: "",
            at,
            watchlist_hit: false,
        })
    }

    fn kinds(decision: &EscortDecision) -> Vec<&'static str> {
        decision
            .reasons
            .iter()
            .map(|r| match r {
                EscortReason::VisitorType { .. } => "visitor_type",
                EscortReason::RestrictedArea { .. } => "restricted_area",
                EscortReason::OutsideHours { .. } => "outside_hours",
                EscortReason::WatchList => "watch_list",
                EscortReason::HostPolicy { .. } => "host_policy",
            })
            .collect()
    }

    #[test]
    fn a_guest_in_the_meeting_rooms_during_hours_needs_no_escort() {
        let d = decide(&demo(), "", &["meeting-rooms"], "li-na", monday(10, 0));
        assert!(!d.required);
        assert!(d.reasons.is_empty());
        // The default type is the site's first: a guest.
        let demo = demo();
        let (t, _) = demo.classify("", &[]).unwrap();
        assert_eq!(t.unwrap().id, "guest");
    }

    #[test]
    fn a_contractor_needs_an_escort_because_of_the_type() {
        let d = decide(&demo(), "contractor", &[], "li-na", monday(10, 0));
        assert!(d.required);
        assert_eq!(kinds(&d), ["visitor_type"]);
        let EscortReason::VisitorType { id, name } = &d.reasons[0] else { unreachable!() };
        assert_eq!(id, "contractor");
        assert!(!name.zh_cn.is_empty() && !name.en.is_empty());
    }

    #[test]
    fn restricted_areas_each_give_a_reason_and_open_areas_none() {
        let d = decide(&demo(), "guest", &["server-room", "meeting-rooms", "archives"], "li-na", monday(10, 0));
        assert_eq!(kinds(&d), ["restricted_area", "restricted_area"]);
        let ids: Vec<&str> = d
            .reasons
            .iter()
            .filter_map(|r| match r {
                EscortReason::RestrictedArea { id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["server-room", "archives"], "in the site's order");
    }

    #[test]
    fn the_hours_rule_applies_outside_working_hours_to_the_areas_it_names() {
        // The demo site escorts visits to the office floors outside Mon-Fri 08:30-18:00.
        let s = demo();
        assert!(!decide(&s, "guest", &["office-floors"], "li-na", monday(8, 30)).required);
        assert!(!decide(&s, "guest", &["office-floors"], "li-na", monday(17, 59)).required);
        let late = decide(&s, "guest", &["office-floors"], "li-na", monday(18, 0));
        assert_eq!(kinds(&late), ["outside_hours"]);
        assert_eq!(late.reasons[0], EscortReason::OutsideHours { start: "08:30".into(), end: "18:00".into() });
        assert!(decide(&s, "guest", &["office-floors"], "li-na", monday(7, 0)).required);
        let saturday = jiff::civil::date(2026, 3, 7).at(11, 0, 0, 0);
        assert!(decide(&s, "guest", &["office-floors"], "li-na", saturday).required);
        // Not for a visit that stays in the meeting rooms.
        assert!(!decide(&s, "guest", &["meeting-rooms"], "li-na", saturday).required);

        // With no areas named, the hours rule covers every visit.
        let mut every = demo();
        every.hours.as_mut().unwrap().areas.clear();
        assert_eq!(kinds(&decide(&every, "guest", &[], "li-na", saturday)), ["outside_hours"]);
    }

    #[test]
    fn the_hosts_policy_and_a_watch_list_hit_require_an_escort() {
        let s = demo();
        assert_eq!(kinds(&decide(&s, "guest", &[], "zhao-min", monday(10, 0))), ["host_policy"]);
        let host = HostId("li-na".into());
        let (t, areas) = s.classify("guest", &[]).unwrap();
        let hit = s.decide(&EscortContext {
            visitor_type: t,
            areas: &areas,
            host_id: &host,
            host_name: "",
            at: monday(10, 0),
            watchlist_hit: true,
        });
        assert_eq!(kinds(&hit), ["watch_list"]);
    }

    #[test]
    fn every_reason_that_applies_is_listed() {
        let s = demo();
        let host = HostId("zhao-min".into());
        let (t, areas) = s.classify("contractor", &["server-room".into(), "office-floors".into()]).unwrap();
        let at = jiff::civil::date(2026, 3, 8).at(22, 0, 0, 0);
        let d = s.decide(&EscortContext {
            visitor_type: t,
            areas: &areas,
            host_id: &host,
            host_name: "",
            at,
            watchlist_hit: true,
        });
        assert_eq!(kinds(&d), ["visitor_type", "restricted_area", "outside_hours", "watch_list", "host_policy"]);
    }

    #[test]
    fn unknown_types_and_areas_are_field_errors() {
        let s = demo();
        let err = s.classify("astronaut", &["moon".into()]).unwrap_err();
        let codes: Vec<(&str, FieldErrorCode)> = err.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [("visitor_type", FieldErrorCode::UnknownVisitorType), ("areas", FieldErrorCode::UnknownArea)]
        );
    }

    #[test]
    fn the_checklist_copies_the_items_for_every_visit_and_for_the_areas_needed() {
        let s = demo();
        let host = HostId("li-na".into());
        let at = monday(10, 0);
        let terms = |kind: &str, areas: &[&str]| {
            let areas: Vec<String> = areas.iter().map(|a| a.to_string()).collect();
            let (t, areas) = s.classify(kind, &areas).unwrap();
            s.terms(&EscortContext {
                visitor_type: t,
                areas: &areas,
                host_id: &host,
                host_name: "",
                at,
                watchlist_hit: false,
            })
        };
        // Not escorted: no checklist at all.
        assert!(terms("guest", &[]).checklist.is_empty());

        let general: Vec<String> = s.checklist.iter().filter(|i| i.areas.is_empty()).map(|i| i.id.clone()).collect();
        let contractor = terms("contractor", &["meeting-rooms"]);
        let ids: Vec<String> = contractor.checklist.iter().map(|i| i.id.clone()).collect();
        assert_eq!(ids, general);
        assert!(contractor.checklist.iter().any(|i| i.required) && contractor.checklist.iter().any(|i| !i.required));

        let server = terms("contractor", &["server-room"]);
        assert!(server.checklist.len() > general.len(), "the server room adds its own item");
        assert_eq!(server.areas.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["server-room"]);
        assert_eq!(server.visitor_type.as_ref().unwrap().id, "contractor");
    }
}
