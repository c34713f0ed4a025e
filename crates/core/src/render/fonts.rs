//! The fonts every rendered document uses, loaded once per process.
//!
//! Frontdesk ships its own CJK-capable family (`assets/fonts/`, a GB2312 + Latin subset of
//! Noto Sans CJK SC, SIL OFL 1.1) so a badge looks the same on every kiosk. A name with a
//! character outside the subset (a rare surname character, an accented letter beyond
//! Latin Extended-A) is still drawn: text layout falls back, glyph by glyph, to any font of
//! the system that has it.

use std::sync::{Arc, OnceLock};

use usvg::fontdb;

/// The family name of the shipped fonts; templates name it in `font-family`.
pub const FAMILY: &str = "Frontdesk Sans CJK";

const REGULAR: &[u8] = include_bytes!("../../../../assets/fonts/FrontdeskSansCJK-Regular.otf");
const BOLD: &[u8] = include_bytes!("../../../../assets/fonts/FrontdeskSansCJK-Bold.otf");

/// A font database: the shipped family first, then (optionally) the system's fonts.
#[derive(Clone)]
pub struct Fonts {
    db: Arc<fontdb::Database>,
}

impl Fonts {
    /// The shipped fonts only. Renders are byte-for-byte the same on every machine; text
    /// outside the subset shows as missing glyphs. Tests use this to check what the shipped
    /// fonts cover.
    pub fn bundled() -> Fonts {
        let mut db = fontdb::Database::new();
        Self::add_bundled(&mut db);
        Fonts { db: Arc::new(db) }
    }

    /// The shipped fonts plus every font the system has, as a per-glyph fallback. Scanning
    /// the system's fonts takes a moment, so the app keeps one of these ([`Fonts::shared`]).
    pub fn with_system_fallback() -> Fonts {
        let mut db = fontdb::Database::new();
        Self::add_bundled(&mut db);
        db.load_system_fonts();
        Fonts { db: Arc::new(db) }
    }

    /// The process-wide font database, with system fallback, loaded on first use.
    pub fn shared() -> &'static Fonts {
        static SHARED: OnceLock<Fonts> = OnceLock::new();
        SHARED.get_or_init(Fonts::with_system_fallback)
    }

    fn add_bundled(db: &mut fontdb::Database) {
        db.load_font_source(fontdb::Source::Binary(Arc::new(REGULAR)));
        db.load_font_source(fontdb::Source::Binary(Arc::new(BOLD)));
        // Generic families in a template resolve to the shipped family, never to whatever the
        // system happens to call sans-serif.
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
    }

    pub fn database(&self) -> &Arc<fontdb::Database> {
        &self.db
    }

    /// Whether some font in the database has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.db.faces().any(|face| {
            self.db.with_face_data(face.id, |data, index| ttf_parser_has_glyph(data, index, c)) == Some(true)
        })
    }

    /// Whether the shipped family alone has a glyph for `c`.
    pub fn bundled_covers(c: char) -> bool {
        ttf_parser_has_glyph(REGULAR, 0, c)
    }
}

fn ttf_parser_has_glyph(data: &[u8], index: u32, c: char) -> bool {
    match ttf_parser::Face::parse(data, index) {
        Ok(face) => face.glyph_index(c).is_some(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_family_has_both_weights_and_covers_gb2312_and_latin() {
        let fonts = Fonts::bundled();
        let faces: Vec<_> = fonts.database().faces().collect();
        assert_eq!(faces.len(), 2);
        assert!(faces.iter().all(|f| f.families.iter().any(|(name, _)| name == FAMILY)));
        let mut weights: Vec<u16> = faces.iter().map(|f| f.weight.0).collect();
        weights.sort();
        assert_eq!(weights, [400, 700]);
        for c in "王小明张伟李娜陈思远欧阳锋黄磊Àéøß，。！Ｆ（）·—“”ABCxyz0189ĀūŒ".chars()
        {
            assert!(Fonts::bundled_covers(c), "{c:?} is not in the shipped subset");
        }
    }

    #[test]
    fn rare_name_characters_come_from_the_system_fonts() {
        // 䶮 (as in 刘䶮) and Ł are outside the shipped subset; fonts-noto-cjk and the
        // system's Latin fonts have them.
        for c in ['䶮', 'Ł'] {
            assert!(!Fonts::bundled_covers(c), "{c} is unexpectedly in the subset");
            assert!(Fonts::shared().covers(c), "no system font has {c}; install fonts-noto-cjk");
        }
    }
}
