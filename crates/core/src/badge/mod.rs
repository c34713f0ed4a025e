//! Visitor badges: the signed token in the QR code, the site's badge key, the templates and
//! the check a scanned badge goes through.

pub mod keys;
pub mod token;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog;
use crate::i18n::Lang;
use crate::ids::{SiteId, VisitId};
use crate::render::{Document, RenderError, Renderer, Template, TemplateData};
use crate::visit::Visit;

pub use keys::BadgeKeys;

/// The label or card a badge is printed on; each has its template in `assets/badges/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, strum::EnumIter)]
pub enum LabelSize {
    /// 62 × 100 mm continuous label (Brother QL class).
    #[serde(rename = "62x100")]
    Label62x100,
    /// CR80 card, 54 × 86 mm, portrait.
    #[serde(rename = "cr80")]
    CardCr80,
    /// 59 × 102 mm label (DYMO 30256 class).
    #[serde(rename = "59x102")]
    Label59x102,
}

impl LabelSize {
    pub const ALL: [LabelSize; 3] = [LabelSize::Label62x100, LabelSize::CardCr80, LabelSize::Label59x102];

    pub fn key(self) -> &'static str {
        match self {
            LabelSize::Label62x100 => "62x100",
            LabelSize::CardCr80 => "cr80",
            LabelSize::Label59x102 => "59x102",
        }
    }

    pub fn from_key(key: &str) -> Option<LabelSize> {
        LabelSize::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Width and height in millimetres.
    pub fn size_mm(self) -> (f32, f32) {
        match self {
            LabelSize::Label62x100 => (62.0, 100.0),
            LabelSize::CardCr80 => (54.0, 86.0),
            LabelSize::Label59x102 => (59.0, 102.0),
        }
    }

    pub fn template(self) -> Template {
        let (file, source) = match self {
            LabelSize::Label62x100 => ("label-62x100.svg", include_str!("../../../../assets/badges/label-62x100.svg")),
            LabelSize::CardCr80 => ("card-cr80.svg", include_str!("../../../../assets/badges/card-cr80.svg")),
            LabelSize::Label59x102 => ("label-59x102.svg", include_str!("../../../../assets/badges/label-59x102.svg")),
        };
        Template::new(format!("assets/badges/{file}"), source)
    }
}

/// Everything printed on one badge.
#[derive(Debug, Clone, PartialEq)]
pub struct BadgeData {
    pub visit_id: VisitId,
    pub visitor_name: String,
    pub company: String,
    pub host: String,
    pub site_name: String,
    /// The visit's type as the site names it (printed large, so a guard sees it at a glance);
    /// `None`: "visitor".
    pub visitor_type: Option<crate::i18n::Localized>,
    /// A bold band says the visitor must be escorted (the site's escort rules decided it).
    pub escort_required: bool,
    pub issued_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    /// The site's time zone: dates on the badge are local to the site.
    pub timezone: jiff::tz::TimeZone,
    /// The signed token for the QR code.
    pub token: String,
}

impl BadgeData {
    /// The template's values, with labels in `lang`.
    pub fn template_data(&self, lang: Lang) -> TemplateData {
        let t = |id: &str| catalog::text(lang, id, &[]);
        let issued = self.issued_at.to_zoned(self.timezone.clone());
        let expires = self.expires_at.to_zoned(self.timezone.clone());
        let date = |z: &jiff::Zoned| match lang {
            Lang::ZhCn => z.strftime("%Y年%-m月%-d日").to_string(),
            Lang::En => z.strftime("%-d %b %Y").to_string(),
        };
        let valid_until = if issued.date() == expires.date() {
            expires.strftime("%H:%M").to_string()
        } else {
            format!("{} {}", date(&expires), expires.strftime("%H:%M"))
        };
        TemplateData::default()
            .text("site_name", &self.site_name)
            .text(
                "visitor_type",
                match &self.visitor_type {
                    Some(name) => name.get(lang).to_uppercase(),
                    None => t("badge-type-visitor"),
                },
            )
            .text("visitor_name", &self.visitor_name)
            .text("company", &self.company)
            .text("host_label", t("badge-host"))
            .text("host", &self.host)
            .text("date_label", t("badge-date"))
            .text("date", date(&issued))
            .text("valid_until_label", t("badge-valid-until"))
            .text("valid_until", valid_until)
            .text("escort_text", t("badge-escort-required"))
            .flag("escort_required", self.escort_required)
            .qr("token", &self.token)
    }

    pub fn render(&self, renderer: &Renderer, size: LabelSize, lang: Lang) -> Result<Document, RenderError> {
        size.template().render(renderer, &self.template_data(lang))
    }
}

/// Why a scanned badge is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BadgeRefusal {
    /// Not a Frontdesk badge at all (or damaged beyond reading).
    Malformed,
    /// Not signed by this site's key: forged or altered.
    Forged,
    /// A genuine-looking badge of another site.
    WrongSite,
    Expired,
    /// Issued in the future: a wrong clock somewhere, or a forgery.
    NotYetValid,
    /// The visit was signed out: the badge was revoked.
    SignedOut,
}

/// The outcome of checking a scanned badge. Needs no network: the signature is checked with
/// the site's public key, expiry with the clock, revocation with this device's copy of the visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BadgeCheck {
    pub valid: bool,
    pub refusal: Option<BadgeRefusal>,
    /// The visit named by a well-formed badge.
    pub visit_id: Option<VisitId>,
    /// The visit as this device knows it (absent if its sign-in has not synced here yet).
    pub visit: Option<Visit>,
    /// The site the badge names, when it is another one.
    pub other_site: Option<String>,
    #[ts(type = "string | null")]
    pub expires_at: Option<jiff::Timestamp>,
}

/// How far a badge's issue time may lie in the future before it is refused, allowing for
/// kiosks whose clocks disagree a little.
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// Check token text as scanned. `keys` are the site's badge public keys; `visit` looks a visit
/// up in this device's database.
pub fn check(
    text: &str,
    site: &SiteId,
    keys: &[ed25519_dalek::VerifyingKey],
    now: jiff::Timestamp,
    visit: impl FnOnce(VisitId) -> Option<Visit>,
) -> BadgeCheck {
    let refused = |refusal, visit_id, other_site: Option<String>| BadgeCheck {
        valid: false,
        refusal: Some(refusal),
        visit_id,
        visit: None,
        other_site,
        expires_at: None,
    };
    let Ok(token) = token::parse(text) else {
        return refused(BadgeRefusal::Malformed, None, None);
    };
    let claims = &token.claims;
    if &claims.site != site {
        return refused(BadgeRefusal::WrongSite, None, Some(claims.site.0.clone()));
    }
    if !keys.iter().any(|k| token.signed_by(k)) {
        return refused(BadgeRefusal::Forged, None, None);
    }
    // From here on the claims are the site's own words.
    let expires_at = jiff::Timestamp::from_second(i64::from(claims.expires_at)).ok();
    let now_s = now.as_second();
    let found = visit(claims.visit_id);
    let refusal = if i64::from(claims.issued_at) > now_s + CLOCK_SKEW_SECONDS {
        Some(BadgeRefusal::NotYetValid)
    } else if now_s >= i64::from(claims.expires_at) {
        Some(BadgeRefusal::Expired)
    } else if found.as_ref().is_some_and(|v| v.signed_out_at.is_some()) {
        Some(BadgeRefusal::SignedOut)
    } else {
        None
    };
    BadgeCheck {
        valid: refusal.is_none(),
        refusal,
        visit_id: Some(claims.visit_id),
        visit: found,
        other_site: None,
        expires_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Fonts;

    #[test]
    fn every_template_names_exactly_the_fields_the_badge_fills() {
        let data = sample(false).template_data(Lang::En);
        for size in LabelSize::ALL {
            let fields = size.template().fields().unwrap();
            let text: std::collections::BTreeSet<String> = data.text.keys().cloned().collect();
            assert_eq!(fields.text, text, "{size:?}");
            assert_eq!(fields.flags, ["escort_required".to_owned()].into(), "{size:?}");
            assert_eq!(fields.qr, ["token".to_owned()].into(), "{size:?}");
            let doc = sample(true).render(&Renderer::new(Fonts::bundled()), size, Lang::ZhCn).unwrap();
            let (w, h) = size.size_mm();
            assert!((doc.width_mm() - w).abs() < 0.01 && (doc.height_mm() - h).abs() < 0.01, "{size:?}");
        }
    }

    pub(crate) fn sample(escort: bool) -> BadgeData {
        BadgeData {
            visit_id: VisitId::new(),
            visitor_name: "王小明".into(),
            company: "滨海物流".into(),
            host: "张伟".into(),
            site_name: "滨江大厦".into(),
            visitor_type: None,
            escort_required: escort,
            issued_at: "2026-11-28T01:30:00Z".parse().unwrap(),
            expires_at: "2026-11-28T15:59:59Z".parse().unwrap(),
            timezone: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(),
            token: "FD1TEST".into(),
        }
    }

    #[test]
    fn dates_are_local_to_the_site_and_in_the_badge_language() {
        let d = sample(false);
        let zh = d.template_data(Lang::ZhCn);
        assert_eq!(zh.text["date"], "2026年11月28日");
        assert_eq!(zh.text["valid_until"], "23:59");
        let en = d.template_data(Lang::En);
        assert_eq!(en.text["date"], "28 Nov 2026");
        assert_eq!(en.text["host_label"], "Host");
    }
}
