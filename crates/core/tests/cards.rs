//! Every emergency card: schema, both languages, length limits, every (role, scenario) pair;
//! edits in the kiosk's cards folder are checked and a broken one never replaces a good set.

use std::path::Path;

use frontdesk_core::cards::{self, CardLibrary, Hazard, NumberKey, Reload, Role, Scenario};
use frontdesk_core::i18n::Lang;
use frontdesk_core::site::SiteConfig;
use strum::IntoEnumIterator;

const BUILT_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/cards");

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 28)
}

#[test]
fn every_built_in_card_passes_every_check() {
    let set = cards::load(None)
        .unwrap_or_else(|errors| panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    assert_eq!(set.len(), Role::iter().count() * Scenario::iter().count());
    assert_eq!(set.len(), 72);
    for role in Role::iter() {
        for scenario in Scenario::iter() {
            let card = set.get(role, scenario);
            assert_eq!((card.role, card.scenario), (role, scenario));
            for lang in Lang::ALL {
                let text = card.text(lang);
                assert!(!text.title.is_empty() && text.actions.len() >= 3, "{role:?}/{scenario:?}/{lang:?}");
            }
        }
    }
}

#[test]
fn a_card_is_filled_with_the_sites_numbers_and_places() {
    let set = cards::load(None).unwrap();
    let site = SiteConfig::demo().unwrap();
    let card = set.get(Role::Receptionist, Scenario::Fire);
    let view = cards::card_view(&set, card, &site, Lang::ZhCn, today());

    assert_eq!(view.hazard, Hazard::Fire);
    assert_eq!(view.first_actions.len(), 3);
    assert_eq!(view.first_actions.len() + view.more_actions.len(), card.zh_cn.actions.len());
    let all_text = [view.first_actions.clone(), view.more_actions.clone(), view.donts.clone()].concat().join(" ");
    assert!(!all_text.contains('{'), "no placeholder left: {all_text}");
    assert!(all_text.contains(site.places.assembly_point.get(Lang::ZhCn)));
    let fire = view.calls.iter().find(|c| c.key == NumberKey::Fire).expect("the fire card calls the fire service");
    assert_eq!(fire.number, "119");
    assert_eq!(view.switch[0].scenario, Scenario::Medical);
    assert_eq!(view.switch[0].title, set.get(Role::Receptionist, Scenario::Medical).zh_cn.title);
    assert!(!view.review_overdue);

    let later = cards::card_view(&set, card, &site, Lang::En, jiff::civil::date(2028, 1, 1));
    assert!(later.review_overdue);
    assert_eq!(cards::review_overdue(&set, jiff::civil::date(2028, 1, 1)).len(), 72);
}

fn copy_card(folder: &Path, role: &str, scenario: &str) -> std::path::PathBuf {
    let target = folder.join(role).join(format!("{scenario}.toml"));
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(Path::new(BUILT_IN).join(role).join(format!("{scenario}.toml")), &target).unwrap();
    target
}

#[test]
fn an_edit_in_the_cards_folder_shows_without_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let file = copy_card(dir.path(), "receptionist", "fire");
    let mut library = CardLibrary::open(Some(dir.path().to_owned()));
    assert!(library.problems().is_empty());

    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Close doors behind you as you leave.", "Shut every door you pass.");
    std::fs::write(&file, text).unwrap();
    assert_eq!(library.reload(), Reload::Updated);
    assert!(
        library
            .cards()
            .get(Role::Receptionist, Scenario::Fire)
            .en
            .actions
            .contains(&"Shut every door you pass.".into())
    );
    assert_eq!(library.reload(), Reload::Unchanged);
}

fn broken_edit(edit: impl Fn(&str) -> String) -> Vec<cards::CardError> {
    let dir = tempfile::tempdir().unwrap();
    let file = copy_card(dir.path(), "receptionist", "fire");
    let mut library = CardLibrary::open(Some(dir.path().to_owned()));
    let good = library.cards().clone();
    std::fs::write(&file, edit(&std::fs::read_to_string(&file).unwrap())).unwrap();
    let Reload::Kept(errors) = library.reload() else { panic!("a broken card must not be accepted") };
    assert_eq!(library.cards(), &good, "the last good set stays");
    assert_eq!(library.problems(), errors.as_slice());
    errors
}

fn fields(errors: &[cards::CardError]) -> Vec<String> {
    errors.iter().map(|e| format!("{}: {}", e.file, e.field)).collect()
}

#[test]
fn a_missing_language_names_the_file_and_field() {
    let errors = broken_edit(|t| t.replace("title = \"火灾\"", "title = \"\""));
    assert_eq!(fields(&errors), ["receptionist/fire.toml: zh-CN.title"]);
}

#[test]
fn too_many_actions_and_over_long_ones_are_refused() {
    let errors = broken_edit(|t| {
        t.replace(
            "\"Close doors behind you as you leave.\",",
            "\"Close doors behind you as you leave, and then keep walking calmly towards the exit.\", \"a\", \"b\",",
        )
    });
    let fields = fields(&errors);
    assert!(fields.contains(&"receptionist/fire.toml: en.actions[4]".to_owned()), "{fields:?}");
    assert!(fields.contains(&"receptionist/fire.toml: en.actions".to_owned()), "{fields:?}");
    assert!(
        fields.contains(&"receptionist/fire.toml: zh-CN.actions".to_owned()),
        "both languages need the same count: {fields:?}"
    );
}

#[test]
fn an_unknown_site_reference_is_refused() {
    let errors = broken_edit(|t| t.replace("{assembly_point}", "{muster_point}"));
    assert!(errors.iter().all(|e| e.reason.contains("muster_point")), "{errors:?}");
    assert!(fields(&errors).iter().any(|f| f.starts_with("receptionist/fire.toml: en.actions[")));
}

#[test]
fn unknown_keys_and_broken_toml_name_the_field() {
    let errors = broken_edit(|t| t.replace("donts = [", "dont = ["));
    assert_eq!(errors[0].file, "receptionist/fire.toml");
    assert!(errors[0].reason.contains("dont"), "{errors:?}");

    let errors = broken_edit(|t| t.replace("calls = [\"fire\", \"security_control\"]", "calls = [\"firemen\"]"));
    assert_eq!(errors[0].field, "calls");
}

#[test]
fn a_card_in_the_wrong_place_or_for_an_unknown_scenario_is_refused() {
    let errors = broken_edit(|t| t.replace("scenario = \"fire\"", "scenario = \"flood\""));
    assert_eq!(errors[0].field, "scenario");

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("receptionist")).unwrap();
    std::fs::write(dir.path().join("receptionist/alien.toml"), "").unwrap();
    let library = CardLibrary::open(Some(dir.path().to_owned()));
    assert_eq!(fields(library.problems()), ["receptionist/alien.toml: "]);
    assert_eq!(library.cards().len(), 72, "the built-in set is shown meanwhile");
}
