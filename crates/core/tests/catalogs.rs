//! Every language has every message, and every error code the core can return has a message.

use std::collections::BTreeSet;

use fluent_bundle::FluentResource;
use frontdesk_core::{ErrorCode, FieldErrorCode};
use strum::IntoEnumIterator;

const CATALOGS: &[(&str, &str)] =
    &[("en", include_str!("../../../assets/i18n/en.ftl")), ("zh-CN", include_str!("../../../assets/i18n/zh-CN.ftl"))];

fn message_ids(lang: &str, text: &str) -> BTreeSet<String> {
    let resource = FluentResource::try_new(text.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("{lang}.ftl does not parse: {errors:?}"));
    let mut ids = BTreeSet::new();
    for entry in resource.entries() {
        if let fluent_syntax::ast::Entry::Message(message) = entry {
            assert!(message.value.is_some(), "{lang}.ftl: {} has no text", message.id.name);
            assert!(ids.insert(message.id.name.to_owned()), "{lang}.ftl: {} is defined twice", message.id.name);
        }
    }
    ids
}

#[test]
fn both_languages_have_the_same_messages() {
    let en = message_ids("en", CATALOGS[0].1);
    let zh = message_ids("zh-CN", CATALOGS[1].1);
    let only_en: Vec<_> = en.difference(&zh).collect();
    let only_zh: Vec<_> = zh.difference(&en).collect();
    assert!(only_en.is_empty() && only_zh.is_empty(), "missing in zh-CN: {only_en:?}; missing in en: {only_zh:?}");
}

#[test]
fn every_error_code_has_a_message_in_every_language() {
    for (lang, text) in CATALOGS {
        let ids = message_ids(lang, text);
        for code in ErrorCode::iter() {
            let id = format!("error-{}", <&str>::from(code));
            assert!(ids.contains(&id), "{lang}.ftl lacks {id}");
        }
        for code in FieldErrorCode::iter() {
            let id = format!("field-error-{}", <&str>::from(code));
            assert!(ids.contains(&id), "{lang}.ftl lacks {id}");
        }
    }
}

#[test]
fn every_audit_action_has_a_message_in_every_language() {
    for (lang, text) in CATALOGS {
        let ids = message_ids(lang, text);
        for action in frontdesk_core::audit::AuditAction::iter() {
            let id = format!("audit-action-{}", action.as_str());
            assert!(ids.contains(&id), "{lang}.ftl lacks {id}");
        }
    }
}

#[test]
fn every_visitor_code_the_ui_shows_has_a_message_in_every_language() {
    use frontdesk_core::visitors::IdType;
    use frontdesk_core::visitors::hosts_csv::ImportErrorCode;
    for (lang, text) in CATALOGS {
        let ids = message_ids(lang, text);
        let mut wanted: Vec<String> =
            ImportErrorCode::iter().map(|c| format!("import-error-{}", <&str>::from(c))).collect();
        wanted.extend(IdType::iter().map(|t| format!("id-type-{}", t.as_str())));
        for refusal in
            ["malformed", "forged", "wrong_site", "unknown", "not_yet_valid", "expired", "used_up", "revoked"]
        {
            wanted.push(format!("invite-refused-{refusal}"));
        }
        for id in wanted {
            assert!(ids.contains(&id), "{lang}.ftl lacks {id}");
        }
    }
}
