//! The escort rules of a site, as its site file writes them (`[escort]`): visitor types, the
//! site's areas (restricted or not), working hours, hosts whose visitors are always escorted,
//! and the checklist. Data, not code; checked at load so a bad file names its field.

use std::collections::HashSet;

use serde::{Deserialize, Deserializer, Serialize};

use crate::i18n::{Lang, Localized};
use crate::ids::HostId;
use crate::site::is_slug;

/// Longest checklist text or name, in characters: it must fit a touch row on the kiosk.
pub const TEXT_MAX_CHARS: usize = 160;
/// At most this many checklist items: a checklist is read out at the desk, not a form.
pub const CHECKLIST_MAX_ITEMS: usize = 20;

/// `[escort]` in the site file. Absent: no visitor types or areas to choose, no escorts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscortSettings {
    /// Kinds of visitor; the first is the default on the sign-in form.
    #[serde(default)]
    pub visitor_types: Vec<VisitorTypeConfig>,
    /// Places a visit may need to go.
    #[serde(default)]
    pub areas: Vec<AreaConfig>,
    /// Working hours; outside them visits need an escort (see [`HoursConfig::areas`]).
    #[serde(default)]
    pub hours: Option<HoursConfig>,
    /// Hosts (directory ids) whose visitors are always escorted.
    #[serde(default)]
    pub escort_hosts: Vec<HostId>,
    /// What the desk goes through with an escorted visitor before the visit starts.
    #[serde(default)]
    pub checklist: Vec<ChecklistItemConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitorTypeConfig {
    pub id: String,
    #[serde(deserialize_with = "lenient_text")]
    pub name: Localized,
    /// Every visitor of this type is escorted.
    pub escort: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaConfig {
    pub id: String,
    #[serde(deserialize_with = "lenient_text")]
    pub name: Localized,
    /// Access-controlled: a visit that needs it is escorted.
    pub restricted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursConfig {
    /// Working days: `mon` … `sun`.
    pub days: Vec<String>,
    /// Start and end of the working day, `HH:MM` in the site's time zone (end not included).
    pub start: String,
    pub end: String,
    /// Outside working hours, visits needing one of these areas are escorted; empty: every visit.
    #[serde(default)]
    pub areas: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItemConfig {
    pub id: String,
    #[serde(deserialize_with = "lenient_text")]
    pub text: Localized,
    /// The visit cannot start until it is ticked (or a supervisor overrides).
    pub required: bool,
    /// Asked only of visits needing one of these areas; empty: of every escorted visit.
    #[serde(default)]
    pub areas: Vec<String>,
}

/// A text in every language where a language may be missing from the file, so validation can
/// name the missing one (`escort.checklist[2].text.en`) instead of a bare parse error.
fn lenient_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Localized, D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Partial {
        #[serde(rename = "zh-CN", default)]
        zh_cn: String,
        #[serde(default)]
        en: String,
    }
    let Partial { zh_cn, en } = Partial::deserialize(deserializer)?;
    Ok(Localized { zh_cn, en })
}

const WEEKDAYS: [(&str, jiff::civil::Weekday); 7] = [
    ("mon", jiff::civil::Weekday::Monday),
    ("tue", jiff::civil::Weekday::Tuesday),
    ("wed", jiff::civil::Weekday::Wednesday),
    ("thu", jiff::civil::Weekday::Thursday),
    ("fri", jiff::civil::Weekday::Friday),
    ("sat", jiff::civil::Weekday::Saturday),
    ("sun", jiff::civil::Weekday::Sunday),
];

/// `HH:MM`, 00:00–24:00.
pub(crate) fn parse_clock(text: &str) -> Option<jiff::civil::Time> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(jiff::civil::Time::MAX),
        (0..=23, 0..=59) => jiff::civil::Time::new(h, m, 0, 0).ok(),
        _ => None,
    }
}

impl HoursConfig {
    pub(crate) fn weekdays(&self) -> impl Iterator<Item = jiff::civil::Weekday> + '_ {
        self.days.iter().filter_map(|d| WEEKDAYS.iter().find(|(k, _)| k == d).map(|(_, w)| *w))
    }

    /// Whether `at` (the site's local time) is within working hours.
    pub(crate) fn contains(&self, at: &jiff::civil::DateTime) -> bool {
        let (Some(start), Some(end)) = (parse_clock(&self.start), parse_clock(&self.end)) else { return false };
        self.weekdays().any(|w| w == at.weekday()) && at.time() >= start && at.time() < end
    }
}

/// A rule of the escort settings is broken: the field (from `escort.`) and why.
pub type Invalid = (String, String);

impl EscortSettings {
    pub fn visitor_type(&self, id: &str) -> Option<&VisitorTypeConfig> {
        self.visitor_types.iter().find(|t| t.id == id)
    }

    pub fn area(&self, id: &str) -> Option<&AreaConfig> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// Check every rule; the error names the field, e.g. `escort.checklist[2].text.en`.
    pub fn validate(&self) -> Result<(), Invalid> {
        fn invalid<T>(field: String, reason: &str) -> Result<T, Invalid> {
            Err((format!("escort.{field}"), reason.to_owned()))
        }
        let text = |field: String, value: &Localized| -> Result<(), Invalid> {
            if let Some(lang) = value.missing() {
                return invalid(format!("{field}.{}", lang.tag()), "text is missing");
            }
            for lang in Lang::ALL {
                let s = value.get(lang);
                if s.chars().count() > TEXT_MAX_CHARS {
                    return invalid(
                        format!("{field}.{}", lang.tag()),
                        &format!("longer than {TEXT_MAX_CHARS} characters"),
                    );
                }
                if s.chars().any(char::is_control) {
                    return invalid(format!("{field}.{}", lang.tag()), "contains control characters");
                }
            }
            Ok(())
        };
        let id = |field: String, value: &str, seen: &mut HashSet<String>, what: &str| -> Result<(), Invalid> {
            if !is_slug(value) {
                return invalid(field, "must be 1-64 lowercase letters, digits or '-'");
            }
            if !seen.insert(value.to_owned()) {
                return invalid(field, &format!("duplicate {what} id"));
            }
            Ok(())
        };

        let mut seen = HashSet::new();
        for (i, t) in self.visitor_types.iter().enumerate() {
            id(format!("visitor_types[{i}].id"), &t.id, &mut seen, "visitor type")?;
            text(format!("visitor_types[{i}].name"), &t.name)?;
        }
        let mut area_ids = HashSet::new();
        for (i, a) in self.areas.iter().enumerate() {
            id(format!("areas[{i}].id"), &a.id, &mut area_ids, "area")?;
            text(format!("areas[{i}].name"), &a.name)?;
        }
        let known_area = |field: String, ids: &[String]| -> Result<(), Invalid> {
            for (j, area) in ids.iter().enumerate() {
                if !area_ids.contains(area) {
                    return invalid(
                        format!("{field}[{j}]"),
                        &format!("unknown area {area:?}; areas are listed in [[escort.areas]]"),
                    );
                }
            }
            Ok(())
        };
        if let Some(hours) = &self.hours {
            if hours.days.is_empty() {
                return invalid("hours.days".into(), "name at least one working day (mon … sun)");
            }
            let mut days = HashSet::new();
            for (j, day) in hours.days.iter().enumerate() {
                if !WEEKDAYS.iter().any(|(k, _)| k == day) {
                    return invalid(format!("hours.days[{j}]"), "must be one of mon, tue, wed, thu, fri, sat, sun");
                }
                if !days.insert(day) {
                    return invalid(format!("hours.days[{j}]"), "duplicate day");
                }
            }
            let start = parse_clock(&hours.start);
            let end = parse_clock(&hours.end);
            if start.is_none() {
                return invalid("hours.start".into(), "must be a time HH:MM, e.g. 08:30");
            }
            if end.is_none() {
                return invalid("hours.end".into(), "must be a time HH:MM, e.g. 18:00");
            }
            if start >= end {
                return invalid("hours.end".into(), "must be later than hours.start");
            }
            known_area("hours.areas".into(), &hours.areas)?;
        }
        for (i, host) in self.escort_hosts.iter().enumerate() {
            if host.0.trim().is_empty() || host.0.len() > 64 {
                return invalid(format!("escort_hosts[{i}]"), "must be a host id of 1-64 characters");
            }
        }
        if self.checklist.len() > CHECKLIST_MAX_ITEMS {
            return invalid("checklist".into(), &format!("at most {CHECKLIST_MAX_ITEMS} items"));
        }
        let mut item_ids = HashSet::new();
        for (i, item) in self.checklist.iter().enumerate() {
            id(format!("checklist[{i}].id"), &item.id, &mut item_ids, "checklist item")?;
            text(format!("checklist[{i}].text"), &item.text)?;
            known_area(format!("checklist[{i}].areas"), &item.areas)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_parse_strictly() {
        assert_eq!(parse_clock("08:30"), jiff::civil::Time::new(8, 30, 0, 0).ok());
        assert_eq!(parse_clock("24:00"), Some(jiff::civil::Time::MAX));
        for bad in ["8:30", "24:01", "12:60", "noon", "", "12-00", "-1:00"] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }
}
