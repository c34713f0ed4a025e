//! The site configuration: who the site is, its desks, numbers, places and host directory.
//!
//! It is data, read from a TOML file. A built-in demo site ships with the app so a fresh
//! install runs with no configuration; a site file in the data folder replaces it.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::i18n::{Lang, Localized};
use crate::ids::{HostId, SiteId};

pub const DEMO_SITE_TOML: &str = include_str!("../../../assets/demo-site/site.toml");
pub const DEMO_SITE_FILE: &str = "assets/demo-site/site.toml";

/// The copy of the last site file that loaded, kept in the data folder beside it: a kiosk whose
/// site file is later broken keeps running on it (see [`SiteConfig::load_keeping_last_good`]).
pub const LAST_GOOD_SITE_FILE: &str = "site.last-good.toml";

/// A site file as a kiosk starts with it.
#[derive(Debug)]
pub struct SiteLoad {
    pub config: SiteConfig,
    /// The file was refused and the last good copy is in use: why.
    pub problem: Option<SiteError>,
}

/// Bounds on the idle timeout: short enough that a visitor's data never lingers, long enough
/// that a receptionist can finish typing.
pub const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 15..=600;

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {field}: {reason}")]
    Invalid { file: String, field: String, reason: String },
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub schema: u32,
    pub site: SiteInfo,
    pub kiosk: KioskSettings,
    pub desks: Vec<Desk>,
    pub numbers: EmergencyNumbers,
    pub places: SitePlaces,
    #[serde(default)]
    pub hosts: Vec<HostEntry>,
    #[serde(default)]
    pub badges: BadgeSettings,
    /// Escort rules, visitor types, areas and the escort checklist (`[escort]`, optional).
    #[serde(default)]
    pub escort: crate::escort::EscortSettings,
    #[serde(default)]
    pub alerts: AlertSettings,
}

/// How the site's alerts work (`[alerts]`, optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// The duress PIN, as an Argon2id hash only (`frontdesk-hub pin-hash` makes one). Typed at
    /// any PIN prompt it behaves like the real PIN and raises a silent duress alert.
    #[serde(default)]
    pub duress_pin_hash: Option<String>,
    /// Seconds without acknowledgement before the hub escalates an alert (5-600).
    #[serde(default = "default_escalate_after")]
    pub escalate_after_seconds: u32,
    /// The global hotkey that raises a silent duress alert, even while Frontdesk is not
    /// focused (e.g. `Ctrl+Shift+F9`); empty turns it off.
    #[serde(default = "default_hotkey")]
    pub hotkey: String,
}

fn default_escalate_after() -> u32 {
    crate::alert::DEFAULT_ESCALATE_AFTER_SECONDS
}

fn default_hotkey() -> String {
    crate::alert::DEFAULT_HOTKEY.to_owned()
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            duress_pin_hash: None,
            escalate_after_seconds: default_escalate_after(),
            hotkey: default_hotkey(),
        }
    }
}

/// Badge rules of the site (`[badges]`, optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeSettings {
    /// Base64 of the site's Ed25519 badge public key. Absent on a standalone kiosk, which makes
    /// the site key itself (see `badge::keys` and docs/badge-token.md).
    #[serde(default)]
    pub public_key: Option<String>,
    /// Hours a badge stays valid after sign-in (1-168); absent: until the end of the sign-in day.
    #[serde(default)]
    pub valid_hours: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SiteInfo {
    pub id: SiteId,
    pub name: Localized,
    /// IANA time zone of the site, e.g. `Asia/Shanghai`; used for "today" and end of day.
    pub timezone: String,
    pub default_language: Lang,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct KioskSettings {
    /// Seconds without a touch or key before the kiosk clears the screen and goes home.
    pub idle_timeout_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    pub id: String,
    pub name: Localized,
}

/// Phone numbers, by the keys emergency cards refer to. Defaults are mainland China's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EmergencyNumbers {
    pub police: String,
    pub fire: String,
    pub ambulance: String,
    pub traffic: String,
    pub security_control: String,
    pub duty_manager: String,
    pub it_helpdesk: String,
}

/// Places on site that emergency cards point people to, in every language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SitePlaces {
    pub assembly_point: Localized,
    pub exits: Localized,
    pub fire_extinguishers: Localized,
    pub aed: Localized,
    pub first_aid_kit: Localized,
    pub refuge_area: Localized,
    pub security_office: Localized,
    pub shelter_area: Localized,
}

/// A host as written in a directory source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostEntry {
    pub id: HostId,
    pub name: String,
    pub department: String,
    pub extension: String,
    pub email: String,
    pub may_escort: bool,
}

impl SiteConfig {
    /// The demo site built into the binary.
    pub fn demo() -> Result<SiteConfig, SiteError> {
        SiteConfig::parse(DEMO_SITE_TOML, DEMO_SITE_FILE)
    }

    pub fn load(path: &Path) -> Result<SiteConfig, SiteError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SiteError::Read { file: file.clone(), source })?;
        SiteConfig::parse(&text, &file)
    }

    /// Load the site file at `path` and, if it is good, keep its text as `last_good`. A file
    /// that cannot be read or is refused (broken TOML, a field that breaks a rule) does not stop
    /// the kiosk: it runs on the last good copy and the problem is reported. Only with no good
    /// copy is the problem an error.
    pub fn load_keeping_last_good(path: &Path, last_good: &Path) -> Result<SiteLoad, SiteError> {
        let file = path.display().to_string();
        let loaded = std::fs::read_to_string(path)
            .map_err(|source| SiteError::Read { file: file.clone(), source })
            .and_then(|text| SiteConfig::parse(&text, &file).map(|config| (config, text)));
        match loaded {
            Ok((config, text)) => {
                if std::fs::read_to_string(last_good).ok().as_deref() != Some(text.as_str())
                    && let Err(e) = write_atomically(last_good, &text)
                {
                    eprintln!("frontdesk: cannot keep a copy of the site file as {}: {e}", last_good.display());
                }
                Ok(SiteLoad { config, problem: None })
            }
            Err(problem) => match SiteConfig::load(last_good) {
                Ok(config) => Ok(SiteLoad { config, problem: Some(problem) }),
                Err(_) => Err(problem),
            },
        }
    }

    /// Parse and validate; `file` names the source in error messages.
    pub fn parse(text: &str, file: &str) -> Result<SiteConfig, SiteError> {
        let config: SiteConfig =
            toml::from_str(text).map_err(|e| SiteError::Parse { file: file.to_owned(), message: e.to_string() })?;
        config.validate(file)?;
        Ok(config)
    }

    /// Check every rule of a site configuration; `file` names its source in errors.
    pub fn validate(&self, file: &str) -> Result<(), SiteError> {
        let invalid = |field: &str, reason: &str| SiteError::Invalid {
            file: file.to_owned(),
            field: field.to_owned(),
            reason: reason.to_owned(),
        };
        if self.schema != 1 {
            return Err(invalid("schema", "unsupported schema version; this build reads schema 1"));
        }
        if !is_slug(&self.site.id.0) {
            return Err(invalid("site.id", "must be 1-64 lowercase letters, digits or '-'"));
        }
        if let Some(lang) = self.site.name.missing() {
            return Err(invalid(&format!("site.name.{}", lang.tag()), "text is missing"));
        }
        if jiff::tz::TimeZone::get(&self.site.timezone).is_err() {
            return Err(invalid("site.timezone", "not a known IANA time zone"));
        }
        if !IDLE_TIMEOUT_RANGE.contains(&self.kiosk.idle_timeout_seconds) {
            return Err(invalid(
                "kiosk.idle_timeout_seconds",
                &format!("must be between {} and {}", IDLE_TIMEOUT_RANGE.start(), IDLE_TIMEOUT_RANGE.end()),
            ));
        }
        if self.desks.is_empty() {
            return Err(invalid("desks", "a site needs at least one desk"));
        }
        let mut desk_ids = HashSet::new();
        for (i, desk) in self.desks.iter().enumerate() {
            if !is_slug(&desk.id) {
                return Err(invalid(&format!("desks[{i}].id"), "must be 1-64 lowercase letters, digits or '-'"));
            }
            if !desk_ids.insert(&desk.id) {
                return Err(invalid(&format!("desks[{i}].id"), "duplicate desk id"));
            }
            if let Some(lang) = desk.name.missing() {
                return Err(invalid(&format!("desks[{i}].name.{}", lang.tag()), "text is missing"));
            }
        }
        for (key, number) in self.numbers.entries() {
            if !is_phone_number(number) {
                return Err(invalid(&format!("numbers.{key}"), "must be a phone number (digits, spaces, + - ( ))"));
            }
        }
        for (key, place) in self.places.entries() {
            if let Some(lang) = place.missing() {
                return Err(invalid(&format!("places.{key}.{}", lang.tag()), "text is missing"));
            }
        }
        if let Some(key) = &self.badges.public_key {
            crate::badge::keys::parse_public_key(key).map_err(|reason| invalid("badges.public_key", &reason))?;
        }
        if self.badges.valid_hours.is_some_and(|h| !(1..=168).contains(&h)) {
            return Err(invalid("badges.valid_hours", "must be between 1 and 168"));
        }
        self.escort.validate().map_err(|(field, reason)| invalid(&field, &reason))?;
        if let Some(hash) = &self.alerts.duress_pin_hash
            && !crate::pin::is_pin_hash(hash)
        {
            return Err(invalid(
                "alerts.duress_pin_hash",
                "must be an Argon2id hash (frontdesk-hub pin-hash makes one)",
            ));
        }
        if !crate::alert::ESCALATE_AFTER_SECONDS.contains(&self.alerts.escalate_after_seconds) {
            return Err(invalid("alerts.escalate_after_seconds", "must be between 5 and 600"));
        }
        if let Err(reason) = crate::alert::check_hotkey(&self.alerts.hotkey) {
            return Err(invalid("alerts.hotkey", &reason));
        }
        let mut host_ids = HashSet::new();
        for (i, host) in self.hosts.iter().enumerate() {
            if host.id.0.trim().is_empty() || host.id.0.len() > 64 {
                return Err(invalid(&format!("hosts[{i}].id"), "must be 1-64 characters"));
            }
            if !host_ids.insert(&host.id) {
                return Err(invalid(&format!("hosts[{i}].id"), "duplicate host id"));
            }
            if host.name.trim().is_empty() {
                return Err(invalid(&format!("hosts[{i}].name"), "name is missing"));
            }
        }
        Ok(())
    }

    pub fn desk(&self, id: &str) -> Option<&Desk> {
        self.desks.iter().find(|d| d.id == id)
    }
}

impl EmergencyNumbers {
    pub fn entries(&self) -> [(&'static str, &str); 7] {
        [
            ("police", &self.police),
            ("fire", &self.fire),
            ("ambulance", &self.ambulance),
            ("traffic", &self.traffic),
            ("security_control", &self.security_control),
            ("duty_manager", &self.duty_manager),
            ("it_helpdesk", &self.it_helpdesk),
        ]
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries().into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

impl SitePlaces {
    pub fn entries(&self) -> [(&'static str, &Localized); 8] {
        [
            ("assembly_point", &self.assembly_point),
            ("exits", &self.exits),
            ("fire_extinguishers", &self.fire_extinguishers),
            ("aed", &self.aed),
            ("first_aid_kit", &self.first_aid_kit),
            ("refuge_area", &self.refuge_area),
            ("security_office", &self.security_office),
            ("shelter_area", &self.shelter_area),
        ]
    }

    pub fn get(&self, key: &str) -> Option<&Localized> {
        self.entries().into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Write `text` to `path` through a temporary file and a rename, so a crash never leaves half a
/// file behind.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn is_phone_number(s: &str) -> bool {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    (2..=20).contains(&digits) && s.len() <= 32 && s.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_site_is_valid() {
        let site = SiteConfig::demo().expect("demo site parses and validates");
        assert!(!site.hosts.is_empty());
        assert_eq!(site.numbers.fire, "119");
    }

    fn demo_with(edit: impl FnOnce(&mut toml::Table)) -> Result<SiteConfig, SiteError> {
        let mut table: toml::Table = toml::from_str(DEMO_SITE_TOML).unwrap();
        edit(&mut table);
        SiteConfig::parse(&toml::to_string(&table).unwrap(), "site.toml")
    }

    fn field_of(err: SiteError) -> String {
        match err {
            SiteError::Invalid { field, file, .. } => {
                assert_eq!(file, "site.toml");
                field
            }
            other => panic!("expected a field error, got {other}"),
        }
    }

    #[test]
    fn bad_values_name_the_field() {
        let err = demo_with(|t| {
            t["kiosk"]["idle_timeout_seconds"] = toml::Value::Integer(3);
        })
        .unwrap_err();
        assert_eq!(field_of(err), "kiosk.idle_timeout_seconds");

        let err = demo_with(|t| {
            t["site"]["timezone"] = toml::Value::String("Mars/Olympus".into());
        })
        .unwrap_err();
        assert_eq!(field_of(err), "site.timezone");

        let err = demo_with(|t| {
            t["numbers"]["fire"] = toml::Value::String("call the fire brigade".into());
        })
        .unwrap_err();
        assert_eq!(field_of(err), "numbers.fire");

        let err = demo_with(|t| {
            t["places"]["aed"]["zh-CN"] = toml::Value::String(" ".into());
        })
        .unwrap_err();
        assert_eq!(field_of(err), "places.aed.zh-CN");

        let err = demo_with(|t| {
            let hosts = t["hosts"].as_array_mut().unwrap();
            let first = hosts[0].clone();
            hosts.push(first);
        })
        .unwrap_err();
        assert!(field_of(err).ends_with(".id"));
    }

    #[test]
    fn bad_escort_rules_name_the_field() {
        fn escort(t: &toml::Table) -> toml::Table {
            t["escort"].as_table().unwrap().clone()
        }
        type Edit = fn(&mut toml::Table);
        let cases: Vec<(Edit, &str)> = vec![
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    let item = e["checklist"].as_array_mut().unwrap()[2].as_table_mut().unwrap();
                    item.insert("areas".into(), toml::Value::Array(vec!["roof".into()]));
                    t["escort"] = e.into();
                },
                "escort.checklist[2].areas[0]",
            ),
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    e["checklist"].as_array_mut().unwrap()[3]["text"].as_table_mut().unwrap().remove("en");
                    t["escort"] = e.into();
                },
                "escort.checklist[3].text.en",
            ),
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    e["checklist"].as_array_mut().unwrap()[0]["text"]["zh-CN"] = toml::Value::String(" ".into());
                    t["escort"] = e.into();
                },
                "escort.checklist[0].text.zh-CN",
            ),
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    let items = e["checklist"].as_array_mut().unwrap();
                    let first = items[0].clone();
                    items.push(first);
                    t["escort"] = e.into();
                },
                "escort.checklist[8].id",
            ),
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    let types = e["visitor_types"].as_array_mut().unwrap();
                    types[1]["id"] = toml::Value::String("guest".into());
                    t["escort"] = e.into();
                },
                "escort.visitor_types[1].id",
            ),
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    let areas = e["areas"].as_array_mut().unwrap();
                    areas[4]["id"] = toml::Value::String("archives".into());
                    t["escort"] = e.into();
                },
                "escort.areas[4].id",
            ),
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    e["hours"]["areas"] = toml::Value::Array(vec!["basement".into()]);
                    t["escort"] = e.into();
                },
                "escort.hours.areas[0]",
            ),
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    e["hours"]["end"] = toml::Value::String("07:00".into());
                    t["escort"] = e.into();
                },
                "escort.hours.end",
            ),
            (
                |t: &mut toml::Table| {
                    let mut e = escort(t);
                    e["hours"]["days"] = toml::Value::Array(vec!["mon".into(), "funday".into()]);
                    t["escort"] = e.into();
                },
                "escort.hours.days[1]",
            ),
        ];
        for (edit, field) in cases {
            let err = demo_with(edit).unwrap_err();
            let message = err.to_string();
            assert_eq!(field_of(err), field, "{message}");
            assert!(message.starts_with(&format!("site.toml: {field}: ")), "{message}");
        }
    }

    #[test]
    fn a_refused_site_file_falls_back_to_the_last_good_copy() {
        let dir = tempfile::tempdir().unwrap();
        let (file, copy) = (dir.path().join("site.toml"), dir.path().join(LAST_GOOD_SITE_FILE));

        // With no good copy yet, the problem is the error.
        std::fs::write(&file, "schema = ").unwrap();
        let err = SiteConfig::load_keeping_last_good(&file, &copy).unwrap_err();
        assert!(err.to_string().starts_with(&file.display().to_string()), "{err}");
        assert!(!copy.exists());

        // A good file loads and is kept.
        let mut good: toml::Table = toml::from_str(DEMO_SITE_TOML).unwrap();
        good["kiosk"]["idle_timeout_seconds"] = toml::Value::Integer(120);
        std::fs::write(&file, toml::to_string(&good).unwrap()).unwrap();
        let load = SiteConfig::load_keeping_last_good(&file, &copy).unwrap();
        assert!(load.problem.is_none());
        assert_eq!(std::fs::read_to_string(&copy).unwrap(), std::fs::read_to_string(&file).unwrap());

        // A checklist item without English: refused, naming file and field; the kiosk keeps the
        // last good settings, and the copy is not overwritten.
        let mut bad = good.clone();
        bad["escort"]["checklist"].as_array_mut().unwrap()[1]["text"].as_table_mut().unwrap().remove("en");
        std::fs::write(&file, toml::to_string(&bad).unwrap()).unwrap();
        let load = SiteConfig::load_keeping_last_good(&file, &copy).unwrap();
        assert_eq!(load.config.kiosk.idle_timeout_seconds, 120);
        assert!(!load.config.escort.checklist[1].text.en.is_empty());
        let problem = load.problem.unwrap().to_string();
        assert_eq!(problem, format!("{}: escort.checklist[1].text.en: text is missing", file.display()));
        assert!(SiteConfig::load(&copy).is_ok());
    }

    #[test]
    fn unknown_keys_and_broken_toml_are_refused_with_the_file_name() {
        let err = demo_with(|t| {
            t["kiosk"].as_table_mut().unwrap().insert("idle_timeout".into(), toml::Value::Integer(30));
        })
        .unwrap_err();
        assert!(matches!(err, SiteError::Parse { .. }));
        assert!(err.to_string().contains("idle_timeout"), "{err}");

        let err = SiteConfig::parse("schema = ", "broken.toml").unwrap_err();
        assert!(err.to_string().starts_with("broken.toml:"), "{err}");
    }
}
