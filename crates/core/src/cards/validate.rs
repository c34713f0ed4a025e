//! The rules a card must meet before the kiosk shows it: both languages, length limits that keep
//! it readable in a panic, and only site references the site can fill in.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{CardFile, CardText};
use crate::i18n::Lang;

/// One problem in one card file, naming the file and the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CardError {
    /// Path relative to the cards folder, e.g. `receptionist/fire.toml`.
    pub file: String,
    /// The field, e.g. `zh-CN.actions[2]`; empty when the whole file is at fault.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.file, self.field, self.reason)
        }
    }
}

/// The site references a card may use, filled from the site's `[places]`.
pub const PLACEHOLDERS: [&str; 8] = [
    "assembly_point",
    "exits",
    "fire_extinguishers",
    "aed",
    "first_aid_kit",
    "refuge_area",
    "security_office",
    "shelter_area",
];

/// How much text fits in one slot of a card, per language.
struct Limit {
    en_words: usize,
    zh_chars: usize,
}

const TITLE: Limit = Limit { en_words: 4, zh_chars: 10 };
const WHEN: Limit = Limit { en_words: 25, zh_chars: 50 };
const ACTION: Limit = Limit { en_words: 12, zh_chars: 25 };
const SAY: Limit = Limit { en_words: 25, zh_chars: 50 };
const DONT: Limit = Limit { en_words: 12, zh_chars: 25 };
const SWITCH_IF: Limit = Limit { en_words: 12, zh_chars: 25 };
const AFTER: Limit = Limit { en_words: 15, zh_chars: 30 };

pub const ACTIONS_MIN: usize = 3;
pub const ACTIONS_MAX: usize = 8;
/// The actions shown largest, first.
pub const FIRST_ACTIONS: usize = 3;
const DONTS_MAX: usize = 3;
const AFTER_MIN: usize = 1;
const AFTER_MAX: usize = 3;
const CALLS_MAX: usize = 3;
const SWITCH_MAX: usize = 3;
/// A placeholder is replaced by a place name; in Chinese it counts as this many characters.
const PLACEHOLDER_ZH_CHARS: usize = 4;

/// Check one card read from `file` (relative path `<role>/<scenario>.toml`).
pub fn validate(file: &str, card: &CardFile) -> Vec<CardError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, reason: String| {
        errors.push(CardError { file: file.to_owned(), field: field.to_owned(), reason });
    };

    if card.schema != 1 {
        err("schema", "unsupported schema; this build reads schema 1".into());
    }
    let expected = format!("{}/{}.toml", card.role.as_str(), card.scenario.as_str());
    if file != expected {
        err("role", format!("role and scenario say {expected}, but the file is {file}"));
    }
    if card.version.trim().is_empty() {
        err("version", "missing".into());
    }
    if card.review_due <= card.reviewed_on {
        err("review_due", "must be after reviewed_on".into());
    }
    if card.calls.len() > CALLS_MAX {
        err("calls", format!("at most {CALLS_MAX}"));
    }
    if card.calls.iter().collect::<HashSet<_>>().len() != card.calls.len() {
        err("calls", "lists a number twice".into());
    }
    if card.switch_to.len() > SWITCH_MAX {
        err("switch_to", format!("at most {SWITCH_MAX}"));
    }
    if card.switch_to.contains(&card.scenario) {
        err("switch_to", "cannot switch to the card's own scenario".into());
    }
    if card.switch_to.iter().collect::<HashSet<_>>().len() != card.switch_to.len() {
        err("switch_to", "lists a scenario twice".into());
    }

    for lang in Lang::ALL {
        let text = card.text(lang);
        check_text(lang, text, card, &mut err);
    }
    let (en, zh) = (&card.en, &card.zh_cn);
    for (field, a, b) in [
        ("actions", en.actions.len(), zh.actions.len()),
        ("donts", en.donts.len(), zh.donts.len()),
        ("after", en.after.len(), zh.after.len()),
    ] {
        if a != b {
            err(&format!("zh-CN.{field}"), format!("has {b} items but en has {a}; both languages need the same"));
        }
    }
    errors
}

fn check_text(lang: Lang, text: &CardText, card: &CardFile, err: &mut impl FnMut(&str, String)) {
    let tag = lang.tag();
    let mut check = |field: String, value: &str, limit: &Limit, required: bool| {
        if value.trim().is_empty() {
            if required {
                err(&field, "text is missing".into());
            }
            return;
        }
        if let Some(bad) = unknown_placeholder(value) {
            err(&field, format!("unknown site reference {{{bad}}}; allowed: {}", PLACEHOLDERS.join(", ")));
        }
        match lang {
            Lang::En => {
                let words = value.split_whitespace().count();
                if words > limit.en_words {
                    err(&field, format!("{words} words, limit {}", limit.en_words));
                }
            }
            Lang::ZhCn => {
                let chars = zh_length(value);
                if chars > limit.zh_chars {
                    err(&field, format!("{chars} characters, limit {}", limit.zh_chars));
                }
            }
        }
    };

    check(format!("{tag}.title"), &text.title, &TITLE, true);
    check(format!("{tag}.when"), &text.when, &WHEN, true);
    check(format!("{tag}.say"), &text.say, &SAY, !card.calls.is_empty());
    for (i, action) in text.actions.iter().enumerate() {
        check(format!("{tag}.actions[{i}]"), action, &ACTION, true);
    }
    for (i, dont) in text.donts.iter().enumerate() {
        check(format!("{tag}.donts[{i}]"), dont, &DONT, true);
    }
    for (i, condition) in text.switch_if.iter().enumerate() {
        check(format!("{tag}.switch_if[{i}]"), condition, &SWITCH_IF, true);
    }
    for (i, step) in text.after.iter().enumerate() {
        check(format!("{tag}.after[{i}]"), step, &AFTER, true);
    }

    for (i, dont) in text.donts.iter().enumerate() {
        let starts = match lang {
            Lang::En => ["Do not", "Never"].iter().any(|p| dont.trim_start().starts_with(p)),
            Lang::ZhCn => ["不要", "切勿", "禁止"].iter().any(|p| dont.trim_start().starts_with(p)),
        };
        if !starts {
            let how = if lang == Lang::En { "\"Do not\" or \"Never\"" } else { "不要, 切勿 or 禁止" };
            err(&format!("{tag}.donts[{i}]"), format!("a warning starts with {how}"));
        }
    }
    for (i, condition) in text.switch_if.iter().enumerate() {
        // The kiosk builds "Switch to <card> if <condition>."; the file holds only the condition.
        let c = condition.trim();
        let lower = c.to_lowercase();
        if lower.starts_with("if ") || c.starts_with("如果") || c.starts_with('若') || c.ends_with(['.', '。']) {
            err(
                &format!("{tag}.switch_if[{i}]"),
                "a bare condition: no \"if\"/如果 in front, no full stop at the end".into(),
            );
        }
    }
    for (field, value) in std::iter::once(("say", &text.say))
        .chain(std::iter::once(("when", &text.when)))
        .chain(text.actions.iter().map(|a| ("actions", a)))
        .chain(text.donts.iter().map(|d| ("donts", d)))
        .chain(text.after.iter().map(|a| ("after", a)))
    {
        // Numbers come from the site's [numbers] by key; one written into the text would go
        // stale for every site that has other numbers.
        if value.chars().filter(char::is_ascii_digit).count() >= 3 {
            err(&format!("{tag}.{field}"), "no phone numbers in card text: list the key in `calls`".into());
        }
    }

    if !(ACTIONS_MIN..=ACTIONS_MAX).contains(&text.actions.len()) {
        err(
            &format!("{tag}.actions"),
            format!("{} actions; a card needs {ACTIONS_MIN} to {ACTIONS_MAX}", text.actions.len()),
        );
    }
    if text.donts.len() > DONTS_MAX {
        err(&format!("{tag}.donts"), format!("{} items, at most {DONTS_MAX}", text.donts.len()));
    }
    if !(AFTER_MIN..=AFTER_MAX).contains(&text.after.len()) {
        err(&format!("{tag}.after"), format!("{} items; a card needs {AFTER_MIN} to {AFTER_MAX}", text.after.len()));
    }
    if text.switch_if.len() != card.switch_to.len() {
        err(
            &format!("{tag}.switch_if"),
            format!("{} conditions for {} switch_to entries; one each", text.switch_if.len(), card.switch_to.len()),
        );
    }
    if !card.calls.is_empty() && text.say.trim().is_empty() {
        err(&format!("{tag}.say"), "say what to tell the people you call".into());
    }
}

/// Characters as a reader sees them: each placeholder stands for a short place name.
fn zh_length(text: &str) -> usize {
    let mut length = 0;
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        length += rest[..start].chars().count();
        match rest[start..].find('}') {
            Some(end) => {
                length += PLACEHOLDER_ZH_CHARS;
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    length + rest.chars().count()
}

/// The first `{name}` that is not an allowed placeholder (or an unbalanced brace).
fn unknown_placeholder(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        let open = rest.find(['{', '}'])?;
        if rest.as_bytes()[open] == b'}' {
            return Some("}".into());
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Some("{".into());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_owned());
        }
        rest = &after[close + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_as_a_short_place_name_in_chinese() {
        assert_eq!(zh_length("经{exits}撤离。"), 1 + PLACEHOLDER_ZH_CHARS + 3);
        assert_eq!(zh_length("不要乘坐电梯。"), 7);
    }

    fn card() -> CardFile {
        toml::from_str(include_str!("../../../../assets/cards/receptionist/fire.toml")).unwrap()
    }

    fn fields(card: &CardFile) -> Vec<String> {
        validate("receptionist/fire.toml", card).into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn warnings_switch_conditions_and_numbers_follow_the_writing_rules() {
        assert!(fields(&card()).is_empty());
        let mut c = card();
        c.en.donts[0] = "Avoid the lifts.".into();
        c.zh_cn.donts[0] = "请勿乘坐电梯。".into();
        assert_eq!(fields(&c), ["zh-CN.donts[0]", "en.donts[0]"]);
        let mut c = card();
        c.en.switch_if[0] = "if someone is hurt".into();
        c.zh_cn.switch_if[0] = "有人受伤。".into();
        assert_eq!(fields(&c), ["zh-CN.switch_if[0]", "en.switch_if[0]"]);
        let mut c = card();
        c.en.actions[0] = "Call 119 at once.".into();
        assert_eq!(fields(&c), ["en.actions"]);
    }

    #[test]
    fn only_known_placeholders_pass() {
        assert_eq!(unknown_placeholder("Go to {assembly_point} now."), None);
        assert_eq!(unknown_placeholder("Go to {muster}."), Some("muster".into()));
        assert_eq!(unknown_placeholder("broken {exits"), Some("{".into()));
        assert_eq!(unknown_placeholder("broken exits}"), Some("}".into()));
    }
}
