//! The kiosk's emergency cards: its remembered role, the card for a role and scenario, reloads
//! of edited card files.

use std::path::PathBuf;

use super::Kiosk;
use crate::cards::{CardLibrary, CardMenu, CardView, CardsStatus, Reload, Role, Scenario};
use crate::error::CoreError;
use crate::i18n::Lang;

const META_CARD_ROLE: &str = "card_role";

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

    /// Re-read edited card files; a broken edit keeps the last good set.
    pub fn reload_cards(&self) -> Reload {
        self.cards.write().unwrap_or_else(|e| e.into_inner()).reload()
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
