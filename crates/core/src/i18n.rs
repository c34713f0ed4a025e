//! Languages and translated text.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The languages Frontdesk speaks. Every user-visible text exists in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language for an OS locale such as `zh_CN.UTF-8`, `zh-Hans-CN` or `en-GB`.
    /// Any Chinese locale maps to zh-CN (the only Chinese we ship); anything else to English.
    pub fn from_locale(locale: &str) -> Lang {
        let lower = locale.trim().to_ascii_lowercase();
        if lower == "zh" || lower.starts_with("zh-") || lower.starts_with("zh_") { Lang::ZhCn } else { Lang::En }
    }
}

/// A text in every language, e.g. a desk's name in the site file:
/// `name = { en = "Main lobby", "zh-CN" = "大堂前台" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh_cn,
            Lang::En => &self.en,
        }
    }

    /// The first language whose text is blank, if any.
    pub fn missing(&self) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| self.get(*lang).trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_locales_map_to_our_languages() {
        for (locale, lang) in [
            ("zh_CN.UTF-8", Lang::ZhCn),
            ("zh-Hans-CN", Lang::ZhCn),
            ("zh", Lang::ZhCn),
            ("zh-TW", Lang::ZhCn),
            ("en-GB", Lang::En),
            ("en_US.UTF-8", Lang::En),
            ("C", Lang::En),
            ("", Lang::En),
            ("zhx", Lang::En),
        ] {
            assert_eq!(Lang::from_locale(locale), lang, "{locale}");
        }
    }
}
