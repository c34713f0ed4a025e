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
}
