//! Every emergency card prints on one A6 page, in both languages, without losing a line.

use frontdesk_core::cards::{self, CardLabels, CardView, Role, Scenario};
use frontdesk_core::i18n::Lang;
use frontdesk_core::render::Renderer;
use frontdesk_core::site::SiteConfig;
use strum::IntoEnumIterator;

fn labels(card: &CardView) -> CardLabels {
    CardLabels {
        role: format!("{:?}", card.role),
        site: "Riverside Tower".into(),
        when: "When:".into(),
        then: "Then".into(),
        call: "Call".into(),
        say: "Tell them:".into(),
        donts: "Do not".into(),
        after: "Afterwards".into(),
        switches: card.switch.iter().map(|s| format!("Switch to {} if {}.", s.title, s.condition)).collect(),
        call_names: card.calls.iter().map(|c| format!("{:?}", c.key)).collect(),
        version: format!("v{} · review {}", card.version, card.review_due),
    }
}

#[test]
fn every_card_fits_one_a6_page_in_both_languages() {
    let set = cards::load(None).unwrap();
    let site = SiteConfig::demo().unwrap();
    let renderer = Renderer::shared();
    let today = jiff::civil::date(2026, 11, 28);
    for role in Role::iter() {
        for scenario in Scenario::iter() {
            for lang in Lang::ALL {
                let view = cards::card_view(&set, set.get(role, scenario), &site, lang, today);
                let page = cards::card_page(&renderer, &view, &labels(&view))
                    .unwrap_or_else(|e| panic!("{role:?}/{scenario:?}/{lang:?}: {e}"));
                assert!((page.width_mm() - 105.0).abs() < 0.1 && (page.height_mm() - 148.0).abs() < 0.1);
            }
        }
    }
}

#[test]
/// Renders to PDF (the printed text is checked through CUPS in `tests/cups.rs`); with
/// FRONTDESK_CARD_PREVIEW=DIR it also writes the PDF and a PNG there to look at.
fn a_card_renders_to_a_pdf() {
    let set = cards::load(None).unwrap();
    let site = SiteConfig::demo().unwrap();
    let renderer = Renderer::shared();
    let view = cards::card_view(
        &set,
        set.get(Role::Receptionist, Scenario::Fire),
        &site,
        Lang::ZhCn,
        jiff::civil::date(2026, 11, 28),
    );
    let page = cards::card_page(&renderer, &view, &labels(&view)).unwrap();
    let pdf = renderer.pdf(&[&page], "fire").unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if let Ok(dir) = std::env::var("FRONTDESK_CARD_PREVIEW") {
        std::fs::write(format!("{dir}/card.png"), renderer.raster(&page, 150.0).unwrap().png().unwrap()).unwrap();
        std::fs::write(format!("{dir}/card.pdf"), &pdf).unwrap();
    }
}
