//! The kiosk's emergency cards: its remembered role, the card for a role and scenario, reloads
//! of edited card files.

use std::path::PathBuf;

use strum::IntoEnumIterator;

use super::{Kiosk, PrintWhat};
use crate::cards::{CardLabels, CardLibrary, CardMenu, CardView, CardsStatus, Reload, Role, Scenario};
use crate::catalog;
use crate::error::CoreError;
use crate::i18n::Lang;
use crate::print::PrintJob;
use crate::render::{Document, Renderer};

pub(super) const META_CARD_ROLE: &str = "card_role";

impl Kiosk {
    fn card_library(&self) -> std::sync::RwLockReadGuard<'_, CardLibrary> {
        self.cards.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The role whose cards this kiosk opens, if one was chosen (a device setting).
    pub fn card_role(&self) -> Result<Option<Role>, CoreError> {
        let stored = self.store().meta(META_CARD_ROLE)?;
        Ok(stored.and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok()))
    }

    pub fn set_card_role(&self, role: Role) -> Result<(), CoreError> {
        self.store().set_meta(META_CARD_ROLE, role.as_str())?;
        Ok(())
    }

    pub fn card_menu(&self) -> Result<CardMenu, CoreError> {
        Ok(crate::cards::menu(self.card_library().cards(), self.card_role()?))
    }

    /// The card for `role` and `scenario` in `lang`, with this site's numbers and places.
    /// Alerts open cards through this too.
    pub fn card(&self, role: Role, scenario: Scenario, lang: Lang) -> CardView {
        let library = self.card_library();
        let cards = library.cards();
        crate::cards::card_view(cards, cards.get(role, scenario), &self.site(), lang, self.today())
    }

    /// Re-read the cards: the hub's published ones on an enrolled kiosk, the cards folder's on a
    /// standalone one. A broken card keeps the last good set.
    pub fn reload_cards(&self) -> Reload {
        match self.card_sources() {
            Ok((folder_enabled, published)) => {
                self.cards.write().unwrap_or_else(|e| e.into_inner()).set_sources(folder_enabled, published)
            }
            Err(e) => {
                eprintln!("frontdesk: cannot read the published cards: {e}");
                Reload::Unchanged
            }
        }
    }

    /// Whether the cards folder counts (only while this kiosk is its own author), and the cards
    /// the hub published.
    pub(crate) fn card_sources(&self) -> Result<(bool, crate::cards::Published), CoreError> {
        let store = self.store();
        let managed = crate::sync::hub_managed(&store)?;
        let published = store.read().authored_docs(crate::storage::AUTHORED_CARDS)?;
        Ok((!managed, published))
    }

    pub fn cards_status(&self) -> CardsStatus {
        let library = self.card_library();
        CardsStatus {
            cards: library.cards().len() as u32,
            problems: library.problems().to_vec(),
            review_overdue: crate::cards::review_overdue(library.cards(), self.today()),
        }
    }

    pub fn cards_folder(&self) -> Option<PathBuf> {
        self.card_library().folder().map(|p| p.to_path_buf())
    }
}

impl Kiosk {
    /// One A6 page per scenario of `role`'s cards, in `lang`, with every label translated.
    pub fn card_pages(&self, role: Role, scenarios: &[Scenario], lang: Lang) -> Result<Vec<Document>, CoreError> {
        let renderer = Renderer::shared();
        let site = self.site();
        let mut pages = Vec::with_capacity(scenarios.len());
        for scenario in scenarios {
            let card = self.card(role, *scenario, lang);
            pages.push(crate::cards::card_page(&renderer, &card, &card_labels(&card, site.site.name.get(lang)))?);
        }
        Ok(pages)
    }

    /// Print one card on the document printer.
    pub fn print_card(&self, role: Role, scenario: Scenario, lang: Lang) -> Result<PrintJob, CoreError> {
        let pages = self.card_pages(role, &[scenario], lang)?;
        let card = self.card(role, scenario, lang);
        let title = format!("{} — {}", card.title, catalog::text(lang, &format!("role-{}", role.as_str()), &[]));
        self.print_cards(&pages, &format!("{}/{}/{}", role.as_str(), scenario.as_str(), lang.tag()), &title)
    }

    /// Print every card of a role (a deck of A6 pages) on the document printer.
    pub fn print_card_deck(&self, role: Role, lang: Lang) -> Result<PrintJob, CoreError> {
        let scenarios: Vec<Scenario> = Scenario::iter().collect();
        let pages = self.card_pages(role, &scenarios, lang)?;
        let role_name = catalog::text(lang, &format!("role-{}", role.as_str()), &[]);
        let title = catalog::text(lang, "cards-print-deck", &[("role", role_name.as_str())]);
        self.print_cards(&pages, &format!("{}/deck/{}", role.as_str(), lang.tag()), &title)
    }

    fn print_cards(&self, pages: &[Document], subject: &str, title: &str) -> Result<PrintJob, CoreError> {
        let printer = self.document_printer()?.ok_or(CoreError::NoDocumentPrinter)?;
        let pages: Vec<&Document> = pages.iter().collect();
        // A second tap while the first job still waits for the printer returns that job.
        self.print_pages(PrintWhat { kind: "card", subject, title, printer: &printer }, &pages, true)
    }
}

/// The words around a printed card's content, from the shared catalogues.
fn card_labels(card: &CardView, site: &str) -> CardLabels {
    let lang = card.lang;
    let text = |id: &str| catalog::text(lang, id, &[]);
    CardLabels {
        role: text(&format!("role-{}", card.role.as_str())),
        site: site.to_owned(),
        when: text("card-when"),
        then: text("card-then"),
        call: text("card-call"),
        say: text("card-say"),
        donts: text("card-donts"),
        after: text("card-after"),
        switches: card
            .switch
            .iter()
            .map(|s| {
                catalog::text(lang, "card-switch", &[("title", s.title.as_str()), ("condition", s.condition.as_str())])
            })
            .collect(),
        call_names: card.calls.iter().map(|c| text(&format!("call-{}", c.key.as_str()))).collect(),
        version: catalog::text(
            lang,
            "card-version",
            &[
                ("version", card.version.as_str()),
                ("reviewed", card.reviewed_on.as_str()),
                ("due", card.review_due.as_str()),
            ],
        ),
    }
}
