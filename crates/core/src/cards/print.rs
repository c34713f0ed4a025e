//! Emergency cards on paper: one A6 page per card, laid out from the card's content and shrunk
//! as a whole until everything fits, so a printed card never loses a line.

use std::fmt::Write as _;

use super::model::Hazard;
use super::view::CardView;
use crate::render::template::{FitSpec, escape, fit};
use crate::render::{Document, RenderError, Renderer};

/// A6 portrait, in millimetres.
pub const PAGE_WIDTH: f32 = 105.0;
pub const PAGE_HEIGHT: f32 = 148.0;
const MARGIN: f32 = 6.0;
const BAND_HEIGHT: f32 = 24.0;
const FOOTER_HEIGHT: f32 = 7.0;
/// Below this the smallest text would be under 1.6 mm (about 6.5 pt): too small to read.
const MIN_SCALE: f32 = 0.55;
const FAMILY: &str = "Frontdesk Sans CJK";
const INK: &str = "#13222e";
const MUTED: &str = "#465866";
const DANGER: &str = "#a8261b";

/// The words a printed card needs around its content, already in the card's language.
pub struct CardLabels {
    pub role: String,
    pub site: String,
    pub when: String,
    pub then: String,
    pub call: String,
    pub say: String,
    pub donts: String,
    pub after: String,
    /// "Switch to … if …" for each entry of `CardView::switch`, in order.
    pub switches: Vec<String>,
    /// Who each entry of `CardView::calls` reaches, in order.
    pub call_names: Vec<String>,
    pub version: String,
}

impl Hazard {
    /// The hazard's colour on screen and on paper; white text on it is at least 6.5:1.
    pub fn colour(self) -> &'static str {
        match self {
            Hazard::Fire => "#b3261e",
            Hazard::Structural => "#7a4a12",
            Hazard::Weather => "#1d4f91",
            Hazard::Medical => "#17663a",
            Hazard::Violence => "#5b2a86",
            Hazard::Hazmat => "#8f4500",
            Hazard::Systems => "#3d4b57",
            Hazard::Health => "#00656d",
        }
    }
}

/// Text sizes in mm at scale 1; everything shrinks together.
struct Sizes {
    body: f32,
    first: f32,
    more: f32,
    small: f32,
    number: f32,
    heading: f32,
}

impl Sizes {
    fn at(scale: f32) -> Sizes {
        Sizes {
            body: 3.3 * scale,
            first: 4.3 * scale,
            more: 3.4 * scale,
            small: 2.9 * scale,
            number: 4.6 * scale,
            heading: 2.6 * scale,
        }
    }
}

/// Lays content out downwards from the top of the body area.
struct Column<'r> {
    renderer: &'r Renderer,
    svg: String,
    y: f32,
    left: f32,
    width: f32,
}

impl Column<'_> {
    fn lines(&self, text: &str, width: f32, size: f32, weight: &str) -> Result<Vec<String>, RenderError> {
        let spec = FitSpec {
            width,
            height: 10_000.0,
            max_lines: 200,
            max_size: size,
            min_size: size,
            line_height: 1.2,
            family: FAMILY,
            weight,
        };
        Ok(fit(self.renderer, text, &spec)?.lines)
    }

    /// A wrapped paragraph, optionally with a hanging marker (a number) in front.
    fn paragraph(
        &mut self,
        marker: Option<(&str, &str)>,
        text: &str,
        size: f32,
        weight: &str,
        colour: &str,
    ) -> Result<(), RenderError> {
        let indent = if marker.is_some() { size * 1.5 } else { 0.0 };
        let lines = self.lines(text, self.width - indent, size, weight)?;
        let pitch = size * 1.2;
        let x = self.left + indent;
        for (i, line) in lines.iter().enumerate() {
            let baseline = self.y + size * 0.88 + pitch * i as f32;
            if i == 0
                && let Some((marker, marker_colour)) = marker
            {
                let _ = write!(
                    self.svg,
                    r##"<text x="{:.2}" y="{baseline:.2}" font-family="{FAMILY}" font-size="{size:.2}" font-weight="700" fill="{marker_colour}">{}</text>"##,
                    self.left,
                    escape(marker)
                );
            }
            let _ = write!(
                self.svg,
                r##"<text x="{x:.2}" y="{baseline:.2}" font-family="{FAMILY}" font-size="{size:.2}" font-weight="{weight}" fill="{colour}">{}</text>"##,
                escape(line)
            );
        }
        self.y += pitch * lines.len() as f32;
        Ok(())
    }

    fn heading(&mut self, text: &str, size: f32) -> Result<(), RenderError> {
        self.gap(size * 0.5);
        self.paragraph(None, text, size, "700", MUTED)
    }

    fn gap(&mut self, mm: f32) {
        self.y += mm;
    }
}

/// The card as one A6 page.
pub fn card_page(renderer: &Renderer, card: &CardView, labels: &CardLabels) -> Result<Document, RenderError> {
    let top = BAND_HEIGHT + 3.0;
    let bottom = PAGE_HEIGHT - FOOTER_HEIGHT - 1.0;
    let mut scale = 1.0;
    loop {
        let (body, end) = body(renderer, card, labels, &Sizes::at(scale), top)?;
        if end <= bottom {
            return renderer.parse(&page(renderer, card, labels, &body)?);
        }
        scale -= 0.05;
        if scale < MIN_SCALE {
            return Err(RenderError::Template {
                template: format!("card {}/{}", card.role.as_str(), card.scenario.as_str()),
                message: "the card does not fit on an A6 page even at the smallest print size".into(),
            });
        }
    }
}

fn body(
    renderer: &Renderer,
    card: &CardView,
    labels: &CardLabels,
    s: &Sizes,
    top: f32,
) -> Result<(String, f32), RenderError> {
    let hazard = card.hazard.colour();
    let mut col = Column { renderer, svg: String::new(), y: top, left: MARGIN, width: PAGE_WIDTH - 2.0 * MARGIN };

    col.paragraph(None, &format!("{} {}", labels.when, card.when), s.small, "400", INK)?;
    col.gap(s.body * 0.5);
    for (i, action) in card.first_actions.iter().enumerate() {
        col.paragraph(Some((&format!("{}.", i + 1), hazard)), action, s.first, "700", INK)?;
        col.gap(s.first * 0.25);
    }
    if !card.more_actions.is_empty() {
        col.heading(&labels.then, s.heading)?;
        for (i, action) in card.more_actions.iter().enumerate() {
            let n = card.first_actions.len() + i + 1;
            col.paragraph(Some((&format!("{n}."), MUTED)), action, s.more, "400", INK)?;
        }
    }
    if !card.calls.is_empty() {
        col.heading(&labels.call, s.heading)?;
        for (call, name) in card.calls.iter().zip(&labels.call_names) {
            let baseline = col.y + s.number * 0.9;
            let right = PAGE_WIDTH - MARGIN;
            let _ = write!(
                col.svg,
                r##"<text x="{:.2}" y="{baseline:.2}" font-family="{FAMILY}" font-size="{:.2}" fill="{INK}">{}</text><text x="{right:.2}" y="{baseline:.2}" font-family="{FAMILY}" font-size="{:.2}" font-weight="700" text-anchor="end" fill="{INK}">{}</text>"##,
                MARGIN,
                s.body,
                escape(name),
                s.number,
                escape(&call.number)
            );
            col.y += s.number * 1.25;
        }
        col.paragraph(None, &format!("{} {}", labels.say, card.say), s.small, "400", INK)?;
    }
    if !card.donts.is_empty() {
        col.heading(&labels.donts, s.heading)?;
        let start = col.y;
        col.left += 2.5;
        col.width -= 2.5;
        for dont in &card.donts {
            col.paragraph(None, dont, s.body, "700", INK)?;
        }
        col.left -= 2.5;
        col.width += 2.5;
        let _ = write!(
            col.svg,
            r##"<rect x="{MARGIN}" y="{start:.2}" width="1.2" height="{:.2}" fill="{DANGER}"/>"##,
            col.y - start
        );
    }
    for line in &labels.switches {
        col.gap(s.small * 0.5);
        col.paragraph(None, line, s.small, "700", hazard)?;
    }
    col.heading(&labels.after, s.heading)?;
    for step in &card.after {
        col.paragraph(Some(("•", MUTED)), step, s.small, "400", INK)?;
    }
    Ok((col.svg, col.y))
}

fn page(renderer: &Renderer, card: &CardView, labels: &CardLabels, body: &str) -> Result<String, RenderError> {
    let hazard = card.hazard.colour();
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let title_size = {
        let spec = FitSpec {
            width,
            height: 11.0,
            max_lines: 1,
            max_size: 9.0,
            min_size: 5.0,
            line_height: 1.1,
            family: FAMILY,
            weight: "700",
        };
        fit(renderer, &card.title, &spec)?.size
    };
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_WIDTH}mm" height="{PAGE_HEIGHT}mm" viewBox="0 0 {PAGE_WIDTH} {PAGE_HEIGHT}">"##
    );
    let _ = write!(
        svg,
        r##"<rect width="{PAGE_WIDTH}" height="{PAGE_HEIGHT}" fill="#ffffff"/><rect width="{PAGE_WIDTH}" height="{BAND_HEIGHT}" fill="{hazard}"/><rect x="1.5" y="1.5" width="{:.1}" height="{:.1}" fill="none" stroke="{hazard}" stroke-width="3"/>"##,
        PAGE_WIDTH - 3.0,
        PAGE_HEIGHT - 3.0
    );
    let _ = write!(
        svg,
        r##"<text x="{MARGIN}" y="8.5" font-family="{FAMILY}" font-size="3.4" font-weight="700" fill="#ffffff">{}</text><text x="{MARGIN}" y="19.5" font-family="{FAMILY}" font-size="{title_size:.2}" font-weight="700" fill="#ffffff">{}</text>"##,
        escape(&labels.role),
        escape(&card.title)
    );
    svg.push_str(body);
    let footer_y = PAGE_HEIGHT - FOOTER_HEIGHT + 2.5;
    let _ = write!(
        svg,
        r##"<line x1="{MARGIN}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="#d5dde3" stroke-width="0.3"/><text x="{MARGIN}" y="{footer_y:.2}" font-family="{FAMILY}" font-size="2.3" fill="{MUTED}">{}</text><text x="{:.2}" y="{footer_y:.2}" font-family="{FAMILY}" font-size="2.3" text-anchor="end" fill="{MUTED}">{}</text>"##,
        footer_y - 3.2,
        PAGE_WIDTH - MARGIN,
        footer_y - 3.2,
        escape(&labels.site),
        PAGE_WIDTH - MARGIN,
        escape(&labels.version)
    );
    svg.push_str("</svg>");
    Ok(svg)
}
