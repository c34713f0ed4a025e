//! Emergency cards as written in their files: one per role and scenario, both languages inside.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoStaticStr};
use ts_rs::TS;

/// Who a card is for. The kiosk remembers its own.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, EnumIter, IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Receptionist,
    SecurityGuard,
    FireWarden,
    FirstAider,
    DutyManager,
    AllStaff,
}

/// The emergency a card is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, EnumIter, IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Scenario {
    Fire,
    Earthquake,
    SevereWeather,
    Medical,
    ViolentVisitor,
    SuspiciousPerson,
    SuspiciousPackage,
    Attacker,
    Hostage,
    SystemOutage,
    CyberIncident,
    PublicHealth,
}

/// The kind of danger, which sets a card's colour: one colour per hazard, so a card is
/// recognised before it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    Fire,
    Structural,
    Weather,
    Medical,
    Violence,
    Hazmat,
    Systems,
    Health,
}

impl Scenario {
    pub fn hazard(self) -> Hazard {
        match self {
            Scenario::Fire => Hazard::Fire,
            Scenario::Earthquake => Hazard::Structural,
            Scenario::SevereWeather => Hazard::Weather,
            Scenario::Medical => Hazard::Medical,
            Scenario::ViolentVisitor | Scenario::SuspiciousPerson | Scenario::Attacker | Scenario::Hostage => {
                Hazard::Violence
            }
            Scenario::SuspiciousPackage => Hazard::Hazmat,
            Scenario::SystemOutage | Scenario::CyberIncident => Hazard::Systems,
            Scenario::PublicHealth => Hazard::Health,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl Role {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Whom a card tells you to call: a key into the site's `[numbers]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum NumberKey {
    Police,
    Fire,
    Ambulance,
    Traffic,
    SecurityControl,
    DutyManager,
    ItHelpdesk,
}

impl NumberKey {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A card file, exactly as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardFile {
    pub schema: u32,
    pub role: Role,
    pub scenario: Scenario,
    pub version: String,
    pub reviewed_on: jiff::civil::Date,
    pub review_due: jiff::civil::Date,
    pub calls: Vec<NumberKey>,
    pub switch_to: Vec<Scenario>,
    pub en: CardText,
    #[serde(rename = "zh-CN")]
    pub zh_cn: CardText,
}

/// The text of a card in one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardText {
    pub title: String,
    pub when: String,
    pub actions: Vec<String>,
    pub say: String,
    pub donts: Vec<String>,
    pub switch_if: Vec<String>,
    pub after: Vec<String>,
}

impl CardFile {
    pub fn text(&self, lang: crate::i18n::Lang) -> &CardText {
        match lang {
            crate::i18n::Lang::ZhCn => &self.zh_cn,
            crate::i18n::Lang::En => &self.en,
        }
    }
}
