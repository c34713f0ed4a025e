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
