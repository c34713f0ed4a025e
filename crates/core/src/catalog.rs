//! The Fluent catalogues (`assets/i18n/`) for text Rust draws itself: badges, printed cards
//! and lists. The UI reads the same files, so a label is translated once.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

use crate::i18n::Lang;

const EN: &str = include_str!("../../../assets/i18n/en.ftl");
const ZH_CN: &str = include_str!("../../../assets/i18n/zh-CN.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang) -> &'static Bundle {
    static EN_BUNDLE: OnceLock<Bundle> = OnceLock::new();
    static ZH_BUNDLE: OnceLock<Bundle> = OnceLock::new();
    let (cell, source) = match lang {
        Lang::En => (&EN_BUNDLE, EN),
        Lang::ZhCn => (&ZH_BUNDLE, ZH_CN),
    };
    cell.get_or_init(|| {
        let locale = lang.tag().parse().expect("a valid language tag");
        let mut bundle = FluentBundle::new_concurrent(vec![locale]);
        // No Unicode isolation marks: they would end up as invisible characters on paper.
        bundle.set_use_isolating(false);
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(resource, _)| resource);
        let _ = bundle.add_resource(resource);
        bundle
    })
}

/// The message `id` in `lang`, with `args`. A missing message yields its id (tests check
/// every id exists in both catalogues), never a blank on paper.
pub fn text(lang: Lang, id: &str, args: &[(&str, &str)]) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (k, v) in args {
        fluent_args.set(*k, *v);
    }
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
}

/// Every message whose id starts with one of `prefixes`, as a template with `{$name}` where a
/// variable goes: for a page that fills them in itself (the hub's web console). A select
/// expression keeps its default variant.
pub fn templates(lang: Lang, prefixes: &[&str]) -> std::collections::BTreeMap<String, String> {
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    fn flatten(pattern: &Pattern<&str>, out: &mut String) {
        for element in &pattern.elements {
            match element {
                PatternElement::TextElement { value } => out.push_str(value),
                PatternElement::Placeable { expression } => match expression {
                    Expression::Inline(inline) => inline_text(inline, out),
                    Expression::Select { variants, .. } => {
                        if let Some(v) = variants.iter().find(|v| v.default) {
                            flatten(&v.value, out);
                        }
                    }
                },
            }
        }
    }
    fn inline_text(inline: &InlineExpression<&str>, out: &mut String) {
        match inline {
            InlineExpression::VariableReference { id } => {
                out.push_str("{$");
                out.push_str(id.name);
                out.push('}');
            }
            InlineExpression::StringLiteral { value } | InlineExpression::NumberLiteral { value } => {
                out.push_str(value)
            }
            InlineExpression::Placeable { expression } => {
                if let Expression::Inline(inner) = expression.as_ref() {
                    inline_text(inner, out);
                }
            }
            _ => {}
        }
    }
    let source = match lang {
        Lang::En => EN,
        Lang::ZhCn => ZH_CN,
    };
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(resource, _)| resource);
    let mut out = std::collections::BTreeMap::new();
    for entry in resource.entries() {
        if let Entry::Message(message) = entry
            && prefixes.iter().any(|p| message.id.name.starts_with(p))
            && let Some(pattern) = &message.value
        {
            let mut text = String::new();
            flatten(pattern, &mut text);
            out.insert(message.id.name.to_owned(), text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_from_both_catalogues() {
        assert_eq!(text(Lang::En, "app-name", &[]), "Frontdesk");
        assert_ne!(text(Lang::ZhCn, "app-name", &[]), "Frontdesk");
        assert_eq!(text(Lang::En, "sign-in-done", &[("name", "Ann")]), "Ann is signed in.");
        assert_eq!(text(Lang::En, "no-such-message", &[]), "no-such-message");
    }

    #[test]
    fn templates_keep_their_variables_for_the_page_to_fill() {
        let en = templates(Lang::En, &["sign-in-done", "app-"]);
        assert_eq!(en.get("sign-in-done").map(String::as_str), Some("{$name} is signed in."));
        assert!(en.contains_key("app-name"));
        assert!(!en.contains_key("sign-out-done"));
        assert_eq!(templates(Lang::ZhCn, &["sign-in-done"]).len(), 1);
    }
}
