//! The watch list: people the site's security team wants to know about when they sign in.
//!
//! Entries are site data (`watchlist.upserted`, last writer wins per entry, `Author::Site`).
//! An entry names a person, an ID document, or both; its ID number is kept only masked and as
//! the site's keyed hash, like a visitor's. Names are compared after [`normalise_name`], so
//! "ZHANG  Wei", "zhang wei", "Ｗｅｉ　Ｚｈａｎｇ" and "張偉"/"张伟" pairs meet.
//!
//! A hit is recorded as a `watchlist.hit` op (for the guards; the alerts feature delivers it)
//! and an audit entry. The visitor sees nothing; the receptionist gets a discreet cue.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::identity::IdType;

/// One watch-list entry as its author wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WatchlistEntry {
    /// Stable id, e.g. a UUID; the same entry keeps it when edited.
    pub id: String,
    /// The person's name as the author wrote it; empty if the entry is by ID only.
    pub name: String,
    pub id_type: Option<IdType>,
    /// The ID number masked (never the clear number).
    pub id_masked: Option<String>,
    /// The site's keyed hash of the ID number.
    pub id_hash: Option<String>,
    /// Why the person is listed (for the security team; never shown to a visitor).
    pub reason: String,
    pub active: bool,
}

/// How a visitor matched an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Name,
    Id,
}

/// The keys a name is compared by: NFKC (full-width to half-width), lower case, traditional
/// to simplified Chinese, and everything but letters and digits dropped. Two keys: words in the
/// order written and in sorted order, so "Wei Zhang" meets "Zhang Wei".
pub fn normalise_name(name: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization as _;
    let folded: String = fast2s::convert(&name.nfkc().collect::<String>().to_lowercase());
    let words: Vec<String> =
        folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let in_order = words.concat();
    let mut sorted = words;
    sorted.sort();
    let sorted = sorted.concat();
    if sorted == in_order { vec![in_order] } else { vec![in_order, sorted] }
}

/// A visitor as the watch list sees them.
pub struct Candidate<'a> {
    pub name: &'a str,
    pub id_hash: Option<&'a str>,
}

/// The entries `candidate` matches, with how. `exempt` says whether an entry was marked a
/// false positive for this visitor's ID before (then a name-only match is not a hit again).
pub fn matches<'e>(
    entries: &'e [WatchlistEntry],
    candidate: &Candidate<'_>,
    exempt: impl Fn(&str) -> bool,
) -> Vec<(&'e WatchlistEntry, Vec<MatchedBy>)> {
    let keys = normalise_name(candidate.name);
    let mut hits = Vec::new();
    for entry in entries.iter().filter(|e| e.active) {
        let mut how = Vec::new();
        if let (Some(a), Some(b)) = (entry.id_hash.as_deref(), candidate.id_hash)
            && a == b
        {
            how.push(MatchedBy::Id);
        }
        let entry_keys = normalise_name(&entry.name);
        if entry_keys.iter().any(|k| keys.contains(k)) && !(how.is_empty() && exempt(&entry.id)) {
            how.push(MatchedBy::Name);
        }
        if !how.is_empty() {
            hits.push((entry, how));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, id_hash: Option<&str>) -> WatchlistEntry {
        WatchlistEntry {
            id: format!("e-{name}"),
            name: name.into(),
            id_type: None,
            id_masked: None,
            id_hash: id_hash.map(str::to_owned),
            reason: "test".into(),
            active: true,
        }
    }

    #[test]
    fn names_meet_across_case_width_spacing_punctuation_order_and_script() {
        let same = ["Zhang Wei", "ZHANG  wei", "zhang-wei", "Ｚｈａｎｇ　Ｗｅｉ", "Wei Zhang", "zhang.wei"];
        for a in same {
            for b in same {
                let (ka, kb) = (normalise_name(a), normalise_name(b));
                assert!(ka.iter().any(|k| kb.contains(k)), "{a:?} vs {b:?}: {ka:?} {kb:?}");
            }
        }
        assert_eq!(normalise_name("張偉"), normalise_name("张伟"));
        assert!(normalise_name("王 小明").contains(&"王小明".to_owned()));
        assert_ne!(normalise_name("Zhang Wei"), normalise_name("Zhang Wen"));
        assert!(normalise_name(" -- ").is_empty());
    }

    #[test]
    fn ids_match_by_hash_names_by_key_and_exemptions_only_silence_name_matches() {
        let list = vec![entry("張偉", None), entry("", Some("abc")), entry("Li Na", Some("def"))];
        let hit = |name: &str, id: Option<&str>| -> Vec<(String, Vec<MatchedBy>)> {
            matches(&list, &Candidate { name, id_hash: id }, |e| e == "e-Li Na")
                .into_iter()
                .map(|(e, how)| (e.id.clone(), how))
                .collect()
        };
        assert_eq!(hit("张伟", None), [("e-張偉".to_owned(), vec![MatchedBy::Name])]);
        assert_eq!(hit("Someone", Some("abc")), [("e-".to_owned(), vec![MatchedBy::Id])]);
        assert!(hit("Someone", None).is_empty());
        // Marked a false positive for this visitor: the name alone no longer hits; the ID does.
        assert!(hit("li na", None).is_empty());
        assert_eq!(hit("li na", Some("def")), [("e-Li Na".to_owned(), vec![MatchedBy::Id, MatchedBy::Name])]);
        let mut inactive = list.clone();
        inactive[0].active = false;
        assert!(matches(&inactive, &Candidate { name: "张伟", id_hash: None }, |_| false).is_empty());
    }
}

/// What an author gives for one entry: the number in clear, which never leaves this function.
pub struct EntryInput<'a> {
    pub id: String,
    pub name: &'a str,
    pub id_type: Option<IdType>,
    /// Empty keeps `existing`'s ID as it is.
    pub id_number: &'a str,
    pub reason: &'a str,
    pub active: bool,
}

/// Check an entry as an author wrote it and turn it into what is stored: a cleaned name, the ID
/// only masked and as the site's keyed hash. Every bad field is reported at once.
pub fn build_entry(
    input: EntryInput<'_>,
    existing: Option<&WatchlistEntry>,
    key: &super::SiteHashKey,
) -> Result<WatchlistEntry, Vec<crate::error::FieldError>> {
    use super::identity::{self, HashKind};
    use crate::error::{FieldError, FieldErrorCode};
    let mut errors = Vec::new();
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if super::hosts_csv::has_forbidden_chars(input.name) {
        errors.push(FieldError::new("name", FieldErrorCode::ControlCharacters));
    } else if name.chars().count() > crate::visit::NAME_MAX_CHARS {
        errors.push(FieldError::too_long("name", crate::visit::NAME_MAX_CHARS));
    }
    if super::hosts_csv::has_forbidden_chars(input.reason) {
        errors.push(FieldError::new("reason", FieldErrorCode::ControlCharacters));
    } else if input.reason.chars().count() > crate::visit::PURPOSE_MAX_CHARS {
        errors.push(FieldError::too_long("reason", crate::visit::PURPOSE_MAX_CHARS));
    }
    let (mut id_type, mut id_masked, mut id_hash) =
        existing.map_or((None, None, None), |e| (e.id_type, e.id_masked.clone(), e.id_hash.clone()));
    if !input.id_number.trim().is_empty() {
        match input.id_type {
            None => errors.push(FieldError::new("id_type", FieldErrorCode::Required)),
            Some(t) => match identity::check_id(t, input.id_number) {
                Ok(number) => {
                    id_type = Some(t);
                    id_masked = Some(identity::mask(&number));
                    id_hash = Some(key.hash(HashKind::Id, &number));
                }
                Err(code) => errors.push(FieldError::new("id_number", code)),
            },
        }
    }
    if name.is_empty() && id_hash.is_none() && errors.is_empty() {
        errors.push(FieldError::new("name", FieldErrorCode::NameOrId));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(WatchlistEntry {
        id: input.id,
        name,
        id_type,
        id_masked,
        id_hash,
        reason: input.reason.trim().to_owned(),
        active: input.active,
    })
}

/// A watch list as the site's security team keeps it for the hub to publish (TOML):
///
/// ```toml
/// [[entry]]
/// id = "w-001"                       # the author's stable key for the entry
/// name = "张三"                      # and/or an ID document:
/// id_type = "cn_resident"            # cn_resident, passport, hk_macau_permit, taiwan_permit, other
/// id_number = "11010519491231002X"   # kept only masked and as the site's keyed hash
/// reason = "Banned after the incident of 2026-10-04"
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishedFile {
    #[serde(default)]
    entry: Vec<PublishedEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishedEntry {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_type: Option<IdType>,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    reason: String,
}

/// Read a published watch-list file into stored entries (all active). Every problem is reported
/// as `entry[i].field: reason`; one bad entry publishes nothing.
pub fn parse_published(text: &str, key: &super::SiteHashKey) -> Result<Vec<WatchlistEntry>, Vec<String>> {
    let file: PublishedFile = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for (i, e) in file.entry.iter().enumerate() {
        let valid_id = !e.id.is_empty()
            && e.id.len() <= 64
            && e.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_id {
            problems.push(format!("entry[{i}].id: 1-64 letters, digits, '-' or '_'"));
        } else if !ids.insert(e.id.clone()) {
            problems.push(format!("entry[{i}].id: {:?} is used twice", e.id));
        }
        let input = EntryInput {
            id: e.id.clone(),
            name: &e.name,
            id_type: e.id_type,
            id_number: &e.id_number,
            reason: &e.reason,
            active: true,
        };
        match build_entry(input, None, key) {
            Ok(entry) => entries.push(entry),
            Err(fields) => {
                problems.extend(fields.iter().map(|f| format!("entry[{i}].{}: {:?}", f.field, f.code)));
            }
        }
    }
    if problems.is_empty() { Ok(entries) } else { Err(problems) }
}
