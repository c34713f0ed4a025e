//! Emergency cards: per role and scenario, in every language, checked at load, filled with the
//! site's numbers and places, shown offline.

mod library;
mod model;
mod print;
mod validate;
mod view;

pub use library::{
    CardLibrary, CardSet, Published, Reload, check_file, check_name, load, load_layers, read_card_folder,
};
pub use model::{CardFile, CardText, Hazard, NumberKey, Role, Scenario};
pub use print::{CardLabels, PAGE_HEIGHT, PAGE_WIDTH, card_page};
pub use validate::{CardError, PLACEHOLDERS, validate};
pub use view::{
    CallView, CardMenu, CardView, CardsStatus, ReviewDue, ScenarioEntry, SwitchView, card_view, fill_places, menu,
    review_overdue,
};
