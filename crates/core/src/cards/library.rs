//! The card set a kiosk shows: the cards built into the app, each replaceable by a file of the
//! same name — published by the site hub on an enrolled kiosk (`card.published` ops), or put in
//! the kiosk's own cards folder on a standalone one. A set is only ever swapped for another that
//! passes every check; until then the last good set stays on screen.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use strum::IntoEnumIterator;

use super::model::{CardFile, Role, Scenario};
use super::validate::{CardError, validate};

static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../assets/cards");

/// Every card, one per role and scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct CardSet {
    cards: BTreeMap<(Role, Scenario), CardFile>,
}

impl CardSet {
    pub fn get(&self, role: Role, scenario: Scenario) -> &CardFile {
        // A set is complete by construction (`load` refuses one with a pair missing).
        &self.cards[&(role, scenario)]
    }

    pub fn iter(&self) -> impl Iterator<Item = &CardFile> {
        self.cards.values()
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }
}

/// Read the built-in cards overlaid by `folder` (if given and present) and check all of them.
/// Returns every problem found, not just the first.
pub fn load(folder: Option<&Path>) -> Result<CardSet, Vec<CardError>> {
    load_layers(&BTreeMap::new(), folder)
}

/// Card files by name (`role/scenario.toml`) that replace built-in ones: the site hub's.
pub type Published = BTreeMap<String, String>;

/// The built-in cards, replaced by `published` ones, then by `folder`'s, all checked.
pub fn load_layers(published: &Published, folder: Option<&Path>) -> Result<CardSet, Vec<CardError>> {
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    let mut errors = Vec::new();

    for role_dir in BUILT_IN.dirs() {
        for file in role_dir.files() {
            let name = relative_name(file.path());
            match file.contents_utf8() {
                Some(text) => {
                    sources.insert(name, text.to_owned());
                }
                None => errors.push(file_error(&name, "not UTF-8 text")),
            }
        }
    }
    for (name, text) in published {
        match check_name(name) {
            Ok(()) => {
                sources.insert(name.clone(), text.clone());
            }
            Err(e) => errors.push(e),
        }
    }
    if let Some(folder) = folder.filter(|f| f.is_dir()) {
        read_folder(folder, &mut sources, &mut errors);
    }

    let mut cards = BTreeMap::new();
    for (name, text) in &sources {
        match toml::from_str::<CardFile>(text) {
            Ok(card) => {
                let problems = validate(name, &card);
                if problems.is_empty() {
                    cards.insert((card.role, card.scenario), card);
                } else {
                    errors.extend(problems);
                }
            }
            Err(e) => errors.push(CardError {
                file: name.clone(),
                field: e.span().map(|s| key_at(text, s.start)).unwrap_or_default(),
                reason: e.message().to_owned(),
            }),
        }
    }
    for role in Role::iter() {
        for scenario in Scenario::iter() {
            let name = format!("{}/{}.toml", role.as_str(), scenario.as_str());
            if !sources.contains_key(&name) {
                errors.push(file_error(&name, "missing: every role needs a card for every scenario"));
            }
        }
    }

    if errors.is_empty() { Ok(CardSet { cards }) } else { Err(errors) }
}

/// The card files of a folder laid out like `assets/cards/` (`<role>/<scenario>.toml`), by name,
/// each checked on its own and against the built-in set (e.g. for the hub to publish).
pub fn read_card_folder(folder: &Path) -> Result<Published, Vec<CardError>> {
    let mut sources = BTreeMap::new();
    let mut errors = Vec::new();
    if !folder.is_dir() {
        return Err(vec![file_error(&folder.display().to_string(), "not a folder")]);
    }
    read_folder(folder, &mut sources, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    load_layers(&sources, None)?;
    Ok(sources)
}

/// A card file's name must be `<role>/<scenario>.toml` of a known role and scenario.
pub fn check_name(name: &str) -> Result<(), CardError> {
    let known = name.split_once('/').and_then(|(role, file)| Some((role, file.strip_suffix(".toml")?))).is_some_and(
        |(role, scenario)| Role::iter().any(|r| r.as_str() == role) && Scenario::iter().any(|s| s.as_str() == scenario),
    );
    if known { Ok(()) } else { Err(file_error(name, "not <role>/<scenario>.toml of a known role and scenario")) }
}

/// Check one card file as someone publishes it: its name, its TOML, every rule, and that it is
/// the card its name says.
pub fn check_file(name: &str, text: &str) -> Result<CardFile, Vec<CardError>> {
    check_name(name).map_err(|e| vec![e])?;
    let card = toml::from_str::<CardFile>(text).map_err(|e| {
        vec![CardError {
            file: name.to_owned(),
            field: e.span().map(|s| key_at(text, s.start)).unwrap_or_default(),
            reason: e.message().to_owned(),
        }]
    })?;
    let problems = validate(name, &card);
    if !problems.is_empty() {
        return Err(problems);
    }
    if name != format!("{}/{}.toml", card.role.as_str(), card.scenario.as_str()) {
        return Err(vec![CardError {
            file: name.to_owned(),
            field: "role".into(),
            reason: "the card's role and scenario do not match its file name".into(),
        }]);
    }
    Ok(card)
}

fn read_folder(folder: &Path, sources: &mut BTreeMap<String, String>, errors: &mut Vec<CardError>) {
    let Ok(roles) = std::fs::read_dir(folder) else {
        errors.push(file_error(&folder.display().to_string(), "cannot read the cards folder"));
        return;
    };
    for role_dir in roles.flatten() {
        let role_path = role_dir.path();
        let role_name = role_dir.file_name().to_string_lossy().into_owned();
        if !role_path.is_dir() {
            continue;
        }
        if !Role::iter().any(|r| r.as_str() == role_name) {
            errors.push(file_error(&role_name, "not a known role folder"));
            continue;
        }
        let Ok(files) = std::fs::read_dir(&role_path) else { continue };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let name = format!("{role_name}/{}", file.file_name().to_string_lossy());
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if !Scenario::iter().any(|s| s.as_str() == stem) {
                errors.push(file_error(&name, "not a known scenario"));
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    sources.insert(name, text);
                }
                Err(e) => errors.push(file_error(&name, &format!("cannot read: {e}"))),
            }
        }
    }
}

fn relative_name(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn file_error(file: &str, reason: &str) -> CardError {
    CardError { file: file.to_owned(), field: String::new(), reason: reason.to_owned() }
}

/// The dotted key of the TOML line holding byte `offset`, for naming the field of a parse error.
fn key_at(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let mut table = String::new();
    for line in before.lines() {
        let line = line.trim();
        if line.starts_with('[') && line.ends_with(']') {
            table = line.trim_matches(['[', ']']).trim_matches('"').to_owned();
        }
    }
    let line = before.rsplit('\n').next().unwrap_or("");
    let line_start = offset - line.len();
    let full_line = text[line_start..].lines().next().unwrap_or("");
    let key = full_line.split('=').next().unwrap_or("").trim();
    match (table.is_empty(), key.is_empty() || full_line.trim_start().starts_with('[')) {
        (_, true) => table,
        (true, false) => key.to_owned(),
        (false, false) => format!("{table}.{key}"),
    }
}

/// The cards a kiosk shows, and what went wrong with the last attempt to change them.
pub struct CardLibrary {
    folder: Option<PathBuf>,
    /// Whether the folder counts: only while the kiosk is its own author (not enrolled).
    folder_enabled: bool,
    published: Published,
    current: CardSet,
    problems: Vec<CardError>,
}

/// What a reload did.
#[derive(Debug, PartialEq)]
pub enum Reload {
    /// The folder's cards passed every check and are shown now.
    Updated,
    /// Nothing changed.
    Unchanged,
    /// Some card is wrong; the last good set stays on screen.
    Kept(Vec<CardError>),
}

impl CardLibrary {
    /// Load the built-in cards overlaid by `folder`. If the folder's cards are wrong, the
    /// built-in set is shown and the problems are kept for the admin screen.
    pub fn open(folder: Option<PathBuf>) -> CardLibrary {
        CardLibrary::open_with(folder, true, Published::new())
    }

    /// Load the built-in cards replaced by the hub's `published` ones and, if `folder_enabled`,
    /// by the folder's.
    pub fn open_with(folder: Option<PathBuf>, folder_enabled: bool, published: Published) -> CardLibrary {
        let layered = load_layers(&published, folder.as_deref().filter(|_| folder_enabled));
        let (current, problems) = match layered {
            Ok(current) => (current, Vec::new()),
            Err(problems) => (load(None).expect("the built-in cards are valid (checked by a test)"), problems),
        };
        CardLibrary { folder, folder_enabled, published, current, problems }
    }

    /// Change where cards come from (the hub published cards, the kiosk was enrolled), then
    /// reload.
    pub fn set_sources(&mut self, folder_enabled: bool, published: Published) -> Reload {
        self.folder_enabled = folder_enabled;
        self.published = published;
        self.reload()
    }

    pub fn cards(&self) -> &CardSet {
        &self.current
    }

    pub fn problems(&self) -> &[CardError] {
        &self.problems
    }

    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// Re-read the folder after an edit.
    pub fn reload(&mut self) -> Reload {
        match load_layers(&self.published, self.folder.as_deref().filter(|_| self.folder_enabled)) {
            Ok(set) => {
                self.problems.clear();
                if set == self.current {
                    Reload::Unchanged
                } else {
                    self.current = set;
                    Reload::Updated
                }
            }
            Err(problems) => {
                self.problems = problems.clone();
                Reload::Kept(problems)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_at_names_the_field_of_a_parse_error() {
        let text = "schema = 1\n[en]\ntitle = \"Fire\"\nactions = 3\n";
        let offset = text.find("actions").unwrap() + 10;
        assert_eq!(key_at(text, offset), "en.actions");
        assert_eq!(key_at(text, 3), "schema");
    }
}
