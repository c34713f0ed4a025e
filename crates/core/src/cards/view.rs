//! A card as the reader sees it: one language, site references and numbers filled in.

use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;
use ts_rs::TS;

use super::library::CardSet;
use super::model::{CardFile, Hazard, NumberKey, Role, Scenario};
use super::validate::{CardError, FIRST_ACTIONS, PLACEHOLDERS};
use crate::i18n::{Lang, Localized};
use crate::site::SiteConfig;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CallView {
    pub key: NumberKey,
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SwitchView {
    pub scenario: Scenario,
    /// The other card's title, in this card's language.
    pub title: String,
    pub condition: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CardView {
    pub role: Role,
    pub scenario: Scenario,
    pub hazard: Hazard,
    /// The hazard's colour (`#rrggbb`), the same on screen and on paper.
    pub colour: String,
    pub lang: Lang,
    pub title: String,
    pub when: String,
    /// The first three actions, shown largest.
    pub first_actions: Vec<String>,
    pub more_actions: Vec<String>,
    pub calls: Vec<CallView>,
    pub say: String,
    pub donts: Vec<String>,
    pub switch: Vec<SwitchView>,
    pub after: Vec<String>,
    pub version: String,
    pub reviewed_on: String,
    pub review_due: String,
    /// The review date has passed: the card may be out of date.
    pub review_overdue: bool,
}

/// One scenario as the card menu offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ScenarioEntry {
    pub scenario: Scenario,
    pub hazard: Hazard,
    pub colour: String,
    pub title: Localized,
}

/// What the card menu shows: the kiosk's remembered role, if any, and every scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CardMenu {
    pub role: Option<Role>,
    pub roles: Vec<Role>,
    pub scenarios: Vec<ScenarioEntry>,
}

/// A card whose review date has passed, for the admin screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReviewDue {
    pub role: Role,
    pub scenario: Scenario,
    pub review_due: String,
}

/// The state of the card set, for the admin screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CardsStatus {
    pub cards: u32,
    /// Problems with edited card files; while there are any, the last good set is shown.
    pub problems: Vec<CardError>,
    pub review_overdue: Vec<ReviewDue>,
}

/// Replace every `{place}` with the site's text for it in `lang`.
pub fn fill_places(text: &str, site: &SiteConfig, lang: Lang) -> String {
    let mut out = text.to_owned();
    for key in PLACEHOLDERS {
        let pattern = format!("{{{key}}}");
        if out.contains(&pattern)
            && let Some(place) = site.places.get(key)
        {
            out = out.replace(&pattern, place.get(lang));
        }
    }
    out
}

pub fn card_view(
    cards: &CardSet,
    card: &CardFile,
    site: &SiteConfig,
    lang: Lang,
    today: jiff::civil::Date,
) -> CardView {
    let text = card.text(lang);
    let fill = |s: &String| fill_places(s, site, lang);
    let actions: Vec<String> = text.actions.iter().map(fill).collect();
    let split = FIRST_ACTIONS.min(actions.len());
    CardView {
        role: card.role,
        scenario: card.scenario,
        hazard: card.scenario.hazard(),
        colour: card.scenario.hazard().colour().to_owned(),
        lang,
        title: text.title.clone(),
        when: fill(&text.when),
        first_actions: actions[..split].to_vec(),
        more_actions: actions[split..].to_vec(),
        calls: card
            .calls
            .iter()
            .map(|key| CallView { key: *key, number: site.numbers.get(key.as_str()).unwrap_or_default().to_owned() })
            .collect(),
        say: fill(&text.say),
        donts: text.donts.iter().map(fill).collect(),
        switch: card
            .switch_to
            .iter()
            .zip(&text.switch_if)
            .map(|(scenario, condition)| SwitchView {
                scenario: *scenario,
                title: cards.get(card.role, *scenario).text(lang).title.clone(),
                condition: fill(condition),
            })
            .collect(),
        after: text.after.iter().map(fill).collect(),
        version: card.version.clone(),
        reviewed_on: card.reviewed_on.to_string(),
        review_due: card.review_due.to_string(),
        review_overdue: card.review_due < today,
    }
}

pub fn menu(cards: &CardSet, role: Option<Role>) -> CardMenu {
    let titled_by = role.unwrap_or(Role::AllStaff);
    CardMenu {
        role,
        roles: Role::iter().collect(),
        scenarios: Scenario::iter()
            .map(|scenario| {
                let card = cards.get(titled_by, scenario);
                ScenarioEntry {
                    scenario,
                    hazard: scenario.hazard(),
                    colour: scenario.hazard().colour().to_owned(),
                    title: Localized { zh_cn: card.zh_cn.title.clone(), en: card.en.title.clone() },
                }
            })
            .collect(),
    }
}

pub fn review_overdue(cards: &CardSet, today: jiff::civil::Date) -> Vec<ReviewDue> {
    cards
        .iter()
        .filter(|c| c.review_due < today)
        .map(|c| ReviewDue { role: c.role, scenario: c.scenario, review_due: c.review_due.to_string() })
        .collect()
}
