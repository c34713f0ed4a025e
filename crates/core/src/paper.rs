//! Printed paper for when things fail: the roll-call list (A4 and the badge printer's 62 mm
//! roll, with a tick column) and the paper fallback kit (emergency numbers and places, blank
//! sign-in sheets in zh-CN and en, the current on-site list).
//!
//! Pages are SVG in millimetres, laid out by a small flowing layout ([`Flow`]): rows go down
//! the page and a new page (with the running header and the column heads again) starts when
//! the next row does not fit, so a list of any length paginates. On the roll, pages are
//! as long as their rows need, up to [`ROLL_MAX_MM`] each. Every printed word comes from the
//! Fluent catalogues (`catalog::text`); cell text that is too wide is cut with "…", never run
//! into the next column.

use std::fmt::Write as _;

use crate::catalog::text;
use crate::evacuation::{RollCall, RollcallRow, RollcallStatus};
use crate::i18n::Lang;
use crate::render::template::escape;
use crate::render::{Document, RenderError, Renderer, fonts};
use crate::site::SiteConfig;
use crate::visit::Visit;

pub const A4: (f32, f32) = (210.0, 297.0);
/// The badge printer's continuous roll.
pub const ROLL_WIDTH_MM: f32 = 62.0;
/// The longest page on the roll; a longer list continues on the next.
pub const ROLL_MAX_MM: f32 = 600.0;

/// One column of a table: heading, width in mm.
struct Column {
    head: String,
    width: f32,
}

/// A cell: the text, and whether it is the row's main (bold) text.
struct Cell {
    text: String,
    bold: bool,
}

impl Cell {
    fn plain(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), bold: false }
    }
    fn bold(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), bold: true }
    }
}

/// A flowing layout of pages of one width.
struct Flow {
    width: f32,
    /// Fixed page height, or `None` for the roll (each page as long as its content).
    height: Option<f32>,
    margin: f32,
    pages: Vec<String>,
    body: String,
    y: f32,
    /// Drawn at the top of every page after the first (a title and page-continuation line).
    running_head: String,
}

impl Flow {
    fn new(width: f32, height: Option<f32>, margin: f32) -> Flow {
        Flow { width, height, margin, pages: Vec::new(), body: String::new(), y: margin, running_head: String::new() }
    }

    fn inner(&self) -> f32 {
        self.width - 2.0 * self.margin
    }

    fn limit(&self) -> f32 {
        self.height.unwrap_or(ROLL_MAX_MM) - self.margin
    }

    fn fits(&self, h: f32) -> bool {
        self.y + h <= self.limit()
    }

    fn break_page(&mut self) {
        let height = self.height.unwrap_or(self.y + self.margin);
        let body = std::mem::take(&mut self.body);
        self.pages.push(page_svg(self.width, height, &body));
        self.y = self.margin;
        if !self.running_head.is_empty() {
            let head = self.running_head.clone();
            self.text(&head, 3.0, true, 0.0);
            self.y += 1.5;
        }
    }

    /// A line of text, wrapped onto at most one line (cut to fit).
    fn text(&mut self, content: &str, size: f32, bold: bool, gap_after: f32) {
        if !self.fits(size * 1.3) {
            self.break_page();
        }
        self.y += size;
        let x = self.margin;
        text_el(&mut self.body, x, self.y, size, bold, content);
        self.y += size * 0.3 + gap_after;
    }

    fn rule(&mut self, weight: f32) {
        let _ = write!(
            self.body,
            r##"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="#000" stroke-width="{weight}"/>"##,
            self.margin,
            self.y,
            self.width - self.margin,
            self.y
        );
    }

    fn finish(mut self) -> Vec<String> {
        if !self.body.is_empty() || self.pages.is_empty() {
            self.break_page();
        }
        self.pages
    }
}

fn page_svg(width: f32, height: f32, body: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height:.2}mm" viewBox="0 0 {width} {height:.2}" font-family="{family}"><rect width="{width}" height="{height:.2}" fill="#fff"/>{body}</svg>"##,
        family = fonts::FAMILY
    )
}

fn text_el(out: &mut String, x: f32, y: f32, size: f32, bold: bool, content: &str) {
    let weight = if bold { "700" } else { "400" };
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-size="{size}" font-weight="{weight}" xml:space="preserve">{}</text>"#,
        escape(content)
    );
}

/// Cut every text that is wider than its limit, with "…". One measuring pass for all of them.
fn fit_all(renderer: &Renderer, items: &mut [(String, f32, f32, bool)]) -> Result<(), RenderError> {
    // (text, max width mm, font size mm, bold)
    for bold in [false, true] {
        for size_class in distinct_sizes(items, bold) {
            let idx: Vec<usize> = (0..items.len())
                .filter(|&i| items[i].3 == bold && items[i].2 == size_class && !items[i].0.is_empty())
                .collect();
            if idx.is_empty() {
                continue;
            }
            let texts: Vec<&str> = idx.iter().map(|&i| items[i].0.as_str()).collect();
            let weight = if bold { "700" } else { "400" };
            let widths = renderer.measure(&texts, fonts::FAMILY, weight, size_class)?;
            for (k, &i) in idx.iter().enumerate() {
                let (text, max, _, _) = &mut items[i];
                if widths[k] > *max {
                    let chars: Vec<char> = text.chars().collect();
                    // Proportional cut with room for the ellipsis; glyph widths vary, so keep a margin.
                    let keep = ((chars.len() as f32) * (*max / widths[k]) * 0.92).floor() as usize;
                    let keep = keep.saturating_sub(1).min(chars.len());
                    *text = chars[..keep].iter().collect::<String>().trim_end().to_owned() + "…";
                }
            }
        }
    }
    Ok(())
}

fn distinct_sizes(items: &[(String, f32, f32, bool)], bold: bool) -> Vec<f32> {
    let mut sizes: Vec<f32> = items.iter().filter(|i| i.3 == bold).map(|i| i.2).collect();
    sizes.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    sizes.dedup();
    sizes
}

/// A table drawn into a flow: column heads repeated on every page, an optional tick box first.
struct Table {
    columns: Vec<Column>,
    tick: bool,
    row_height: f32,
    size: f32,
}

impl Table {
    fn widths(&self) -> Vec<f32> {
        self.columns.iter().map(|c| c.width).collect()
    }

    fn head(&self, flow: &mut Flow) {
        let h = self.row_height;
        let mut x = flow.margin;
        for col in &self.columns {
            text_el(&mut flow.body, x + 1.0, flow.y + h * 0.68, self.size * 0.85, true, &col.head);
            x += col.width;
        }
        flow.y += h;
        flow.rule(0.4);
    }

    /// Rows of cells (already fitted), each `lines` text lines high.
    fn rows(&self, flow: &mut Flow, rows: Vec<Vec<Vec<Cell>>>) {
        let widths = self.widths();
        for row in rows {
            let lines = row.iter().map(|c| c.len()).max().unwrap_or(1).max(1) as f32;
            let h = self.row_height + (lines - 1.0) * self.size * 1.15;
            if !flow.fits(h) {
                flow.break_page();
                self.head(flow);
            }
            let mut x = flow.margin;
            for (col, cell_lines) in row.iter().enumerate() {
                if col == 0 && self.tick {
                    let b = (self.row_height * 0.6).min(widths[0] - 2.0);
                    let _ = write!(
                        flow.body,
                        r##"<rect x="{:.2}" y="{:.2}" width="{b:.2}" height="{b:.2}" fill="none" stroke="#000" stroke-width="0.35"/>"##,
                        x + (widths[0] - b) / 2.0,
                        flow.y + (self.row_height - b) / 2.0
                    );
                }
                for (line, cell) in cell_lines.iter().enumerate() {
                    let size = if line == 0 { self.size } else { self.size * 0.8 };
                    let y = flow.y + self.row_height * 0.66 + line as f32 * self.size * 1.15;
                    text_el(&mut flow.body, x + 1.0, y, size, cell.bold, &cell.text);
                }
                x += widths[col];
            }
            flow.y += h;
            flow.rule(0.15);
        }
    }
}

fn local_time(site: &SiteConfig, t: jiff::Timestamp, with_date: bool) -> String {
    let tz = jiff::tz::TimeZone::get(&site.site.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let z = t.to_zoned(tz);
    if with_date { z.strftime("%Y-%m-%d %H:%M").to_string() } else { z.strftime("%H:%M").to_string() }
}

fn status_text(lang: Lang, status: Option<RollcallStatus>) -> String {
    match status {
        None => String::new(),
        Some(RollcallStatus::Accounted) => text(lang, "rollcall-status-accounted", &[]),
        Some(RollcallStatus::Missing) => text(lang, "rollcall-status-missing", &[]),
        Some(RollcallStatus::Refuge) => text(lang, "rollcall-status-refuge", &[]),
    }
}

fn row_notes(lang: Lang, site: &SiteConfig, row: &RollcallRow) -> String {
    let mut notes = Vec::new();
    // Who to ask about an escorted visitor: their escort, by name and extension.
    if let Some(escort) = &row.escort {
        notes.push(text(lang, "onsite-escort", &[("name", &escort.name), ("extension", &escort.extension)]));
    }
    if row.waiting_for_escort {
        notes.push(text(lang, "onsite-escort-pending", &[]));
    }
    if row.added_later {
        notes.push(text(lang, "rollcall-added-later", &[]));
    }
    if row.back_entered {
        notes.push(text(lang, "visit-back-entered", &[]));
    }
    if let Some(out) = row.signed_out_at {
        notes.push(text(lang, "rollcall-left-at", &[("time", &local_time(site, out, false))]));
    }
    notes.join(" · ")
}

fn person_name(lang: Lang, row: &RollcallRow) -> String {
    if row.name.is_empty() { text(lang, "rollcall-not-synced", &[]) } else { row.name.clone() }
}

/// The header every roll-call page starts with.
fn rollcall_header(
    flow: &mut Flow,
    lang: Lang,
    site: &SiteConfig,
    rollcall: &RollCall,
    printed: jiff::Timestamp,
    narrow: bool,
) {
    let big = if narrow { 5.0 } else { 7.0 };
    let small = if narrow { 2.6 } else { 3.4 };
    if rollcall.drill {
        // A drill is marked on paper as plainly as on screen: a black band above the title.
        let h = big * 1.5;
        let _ = write!(
            flow.body,
            r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{h:.2}" fill="#000"/>"##,
            flow.margin,
            flow.y,
            flow.inner()
        );
        let _ = write!(
            flow.body,
            r##"<text x="{:.2}" y="{:.2}" font-size="{big}" font-weight="700" fill="#fff" xml:space="preserve">{}</text>"##,
            flow.margin + 2.0,
            flow.y + big * 1.1,
            escape(&text(lang, "rollcall-drill-banner", &[]))
        );
        flow.y += h + 2.0;
    }
    flow.text(&text(lang, "rollcall-print-title", &[]), big, true, 1.0);
    flow.text(site.site.name.get(lang), small * 1.2, true, 0.5);
    flow.text(
        &text(lang, "rollcall-print-started", &[("time", &local_time(site, rollcall.started_at, true))]),
        small,
        false,
        0.0,
    );
    flow.text(&text(lang, "rollcall-print-printed", &[("time", &local_time(site, printed, true))]), small, false, 0.0);
    let c = rollcall.counts;
    let counts = text(
        lang,
        "rollcall-print-counts",
        &[
            ("total", &c.total.to_string()),
            ("accounted", &c.accounted.to_string()),
            ("missing", &c.missing.to_string()),
            ("refuge", &c.refuge.to_string()),
        ],
    );
    flow.text(&counts, small * 1.1, true, 0.5);
    if !narrow {
        flow.text(
            &text(lang, "rollcall-print-assembly", &[("place", site.places.assembly_point.get(lang))]),
            small,
            false,
            1.0,
        );
    }
    flow.y += 1.0;
}

/// The roll call on A4, with a tick column.
pub fn rollcall_a4(
    renderer: &Renderer,
    lang: Lang,
    site: &SiteConfig,
    rollcall: &RollCall,
    printed: jiff::Timestamp,
) -> Result<Vec<Document>, RenderError> {
    let mut flow = Flow::new(A4.0, Some(A4.1), 12.0);
    flow.running_head = format!(
        "{} · {}{}",
        text(lang, "rollcall-print-title", &[]),
        local_time(site, rollcall.started_at, true),
        if rollcall.drill { format!(" · {}", text(lang, "rollcall-drill-banner", &[])) } else { String::new() }
    );
    rollcall_header(&mut flow, lang, site, rollcall, printed, false);
    let table = Table {
        columns: vec![
            Column { head: text(lang, "rollcall-col-tick", &[]), width: 11.0 },
            Column { head: text(lang, "rollcall-col-name", &[]), width: 50.0 },
            Column { head: text(lang, "rollcall-col-company", &[]), width: 36.0 },
            Column { head: text(lang, "rollcall-col-host", &[]), width: 38.0 },
            Column { head: text(lang, "rollcall-col-status", &[]), width: 21.0 },
            Column { head: text(lang, "rollcall-col-notes", &[]), width: 30.0 },
        ],
        tick: true,
        row_height: 7.0,
        size: 3.1,
    };
    let widths = table.widths();
    let mut items: Vec<(String, f32, f32, bool)> = Vec::new();
    for row in &rollcall.rows {
        let host = match (&row.host_name, &row.host_extension) {
            (Some(n), Some(e)) if !e.is_empty() => format!("{n} ({e})"),
            (Some(n), _) => n.clone(),
            _ => row.host_id.0.clone(),
        };
        items.push((person_name(lang, row), widths[1] - 2.0, table.size, true));
        items.push((row.company.clone(), widths[2] - 2.0, table.size, false));
        items.push((host, widths[3] - 2.0, table.size, false));
        items.push((status_text(lang, row.status), widths[4] - 2.0, table.size, false));
        items.push((row_notes(lang, site, row), widths[5] - 2.0, table.size, false));
    }
    fit_all(renderer, &mut items)?;
    let mut cells = items.into_iter();
    let mut rows = Vec::new();
    for _ in &rollcall.rows {
        let mut next = |bold: bool| {
            let (t, ..) = cells.next().expect("five cells a row");
            if bold { Cell::bold(t) } else { Cell::plain(t) }
        };
        let name = next(true);
        let company = next(false);
        let host = next(false);
        let status = next(false);
        let notes = next(false);
        rows.push(vec![vec![], vec![name], vec![company], vec![host], vec![status], vec![notes]]);
    }
    table.head(&mut flow);
    table.rows(&mut flow, rows);
    flow.y += 4.0;
    if flow.fits(10.0) {
        flow.text(&text(lang, "rollcall-print-footer", &[]), 2.8, false, 0.0);
    }
    parse_pages(renderer, flow)
}

/// The roll call on the badge printer's 62 mm continuous roll: a tick box, the name in bold,
/// company and host beneath it.
pub fn rollcall_roll(
    renderer: &Renderer,
    lang: Lang,
    site: &SiteConfig,
    rollcall: &RollCall,
    printed: jiff::Timestamp,
) -> Result<Vec<Document>, RenderError> {
    let mut flow = Flow::new(ROLL_WIDTH_MM, None, 3.0);
    flow.running_head = text(lang, "rollcall-print-title", &[]);
    rollcall_header(&mut flow, lang, site, rollcall, printed, true);
    let table = Table {
        columns: vec![
            Column { head: text(lang, "rollcall-col-tick", &[]), width: 8.0 },
            Column { head: text(lang, "rollcall-col-name", &[]), width: 48.0 },
        ],
        tick: true,
        row_height: 6.5,
        size: 3.0,
    };
    let width = 48.0 - 2.0;
    let mut items: Vec<(String, f32, f32, bool)> = Vec::new();
    for row in &rollcall.rows {
        let host = row.host_name.clone().unwrap_or_else(|| row.host_id.0.clone());
        let mut second = [row.company.as_str(), host.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · ");
        let notes = row_notes(lang, site, row);
        if !notes.is_empty() {
            second = if second.is_empty() { notes } else { format!("{second} · {notes}") };
        }
        items.push((person_name(lang, row), width, table.size, true));
        items.push((second, width, table.size * 0.8, false));
    }
    fit_all(renderer, &mut items)?;
    let mut cells = items.into_iter();
    let mut rows = Vec::new();
    for _ in &rollcall.rows {
        let (name, ..) = cells.next().expect("two cells a row");
        let (second, ..) = cells.next().expect("two cells a row");
        let mut lines = vec![Cell::bold(name)];
        if !second.is_empty() {
            lines.push(Cell::plain(second));
        }
        rows.push(vec![vec![], lines]);
    }
    table.head(&mut flow);
    table.rows(&mut flow, rows);
    flow.y += 3.0;
    parse_pages(renderer, flow)
}

fn parse_pages(renderer: &Renderer, flow: Flow) -> Result<Vec<Document>, RenderError> {
    flow.finish().iter().map(|svg| renderer.parse(svg)).collect()
}

/// The paper fallback kit: emergency sheet and a blank sign-in sheet in each language, then the
/// current on-site list (in `lang`).
pub fn fallback_kit(
    renderer: &Renderer,
    lang: Lang,
    site: &SiteConfig,
    on_site: &[Visit],
    printed: jiff::Timestamp,
) -> Result<Vec<Document>, RenderError> {
    let mut pages = Vec::new();
    for l in [Lang::ZhCn, Lang::En] {
        pages.extend(emergency_sheet(renderer, l, site, printed)?);
    }
    for l in [Lang::ZhCn, Lang::En] {
        pages.extend(sign_in_sheet(renderer, l, site)?);
    }
    pages.extend(on_site_list(renderer, lang, site, on_site, printed)?);
    Ok(pages)
}

fn emergency_sheet(
    renderer: &Renderer,
    lang: Lang,
    site: &SiteConfig,
    printed: jiff::Timestamp,
) -> Result<Vec<Document>, RenderError> {
    let mut flow = Flow::new(A4.0, Some(A4.1), 15.0);
    flow.text(&text(lang, "kit-emergency-title", &[]), 8.0, true, 1.0);
    flow.text(site.site.name.get(lang), 4.5, true, 0.5);
    flow.text(&text(lang, "kit-printed", &[("time", &local_time(site, printed, true))]), 3.2, false, 3.0);
    flow.rule(0.5);
    flow.y += 3.0;
    flow.text(&text(lang, "kit-numbers", &[]), 5.0, true, 2.0);
    let n = &site.numbers;
    let numbers = [
        ("call-fire", &n.fire),
        ("call-ambulance", &n.ambulance),
        ("call-police", &n.police),
        ("call-security_control", &n.security_control),
        ("call-duty_manager", &n.duty_manager),
        ("call-traffic", &n.traffic),
        ("call-it_helpdesk", &n.it_helpdesk),
    ];
    for (id, number) in numbers {
        flow.y += 6.0;
        text_el(&mut flow.body, flow.margin, flow.y, 5.0, false, &text(lang, id, &[]));
        text_el(&mut flow.body, flow.margin + 95.0, flow.y, 6.0, true, number);
        flow.y += 3.0;
    }
    flow.y += 5.0;
    flow.rule(0.5);
    flow.y += 3.0;
    flow.text(&text(lang, "kit-places", &[]), 5.0, true, 2.0);
    let p = &site.places;
    let places = [
        ("kit-place-assembly_point", &p.assembly_point),
        ("kit-place-refuge_area", &p.refuge_area),
        ("kit-place-exits", &p.exits),
        ("kit-place-security_office", &p.security_office),
        ("kit-place-first_aid_kit", &p.first_aid_kit),
        ("kit-place-aed", &p.aed),
        ("kit-place-fire_extinguishers", &p.fire_extinguishers),
        ("kit-place-shelter_area", &p.shelter_area),
    ];
    let mut items: Vec<(String, f32, f32, bool)> =
        places.iter().map(|(_, place)| (place.get(lang).to_owned(), flow.inner(), 4.2, false)).collect();
    fit_all(renderer, &mut items)?;
    for ((id, _), (place, ..)) in places.iter().zip(items) {
        flow.text(&text(lang, id, &[]), 3.4, true, 0.3);
        flow.text(&place, 4.2, false, 2.0);
    }
    flow.y += 3.0;
    flow.rule(0.5);
    flow.y += 3.0;
    for id in ["kit-howto-1", "kit-howto-2", "kit-howto-3"] {
        flow.text(&text(lang, id, &[]), 3.4, false, 1.0);
    }
    parse_pages(renderer, flow)
}

/// The columns a paper sign-in sheet has: what the kiosk records at sign-in, plus the checks
/// and signature a paper record needs.
const SHEET_COLUMNS: &[(&str, f32)] = &[
    ("kit-col-no", 9.0),
    ("kit-col-name", 30.0),
    ("kit-col-company", 28.0),
    ("kit-col-host", 26.0),
    ("kit-col-purpose", 24.0),
    ("kit-col-in", 15.0),
    ("kit-col-out", 15.0),
    ("kit-col-badge", 14.0),
    ("kit-col-signature", 25.0),
];

fn sign_in_sheet(renderer: &Renderer, lang: Lang, site: &SiteConfig) -> Result<Vec<Document>, RenderError> {
    let mut flow = Flow::new(A4.0, Some(A4.1), 12.0);
    flow.text(&text(lang, "kit-sheet-title", &[]), 6.5, true, 1.0);
    flow.text(site.site.name.get(lang), 3.8, true, 1.0);
    flow.text(&text(lang, "kit-sheet-date", &[]), 3.6, false, 1.0);
    flow.text(&text(lang, "kit-sheet-hint", &[]), 3.0, false, 3.0);
    let table = Table {
        columns: SHEET_COLUMNS.iter().map(|(id, w)| Column { head: text(lang, id, &[]), width: *w }).collect(),
        tick: false,
        row_height: 10.5,
        size: 3.2,
    };
    table.head(&mut flow);
    let rows_left = ((flow.limit() - flow.y - 8.0) / table.row_height).floor().max(1.0) as usize;
    let rows = (1..=rows_left)
        .map(|i| {
            let mut r: Vec<Vec<Cell>> = vec![vec![Cell::plain(i.to_string())]];
            r.extend((1..SHEET_COLUMNS.len()).map(|_| vec![]));
            r
        })
        .collect();
    table.rows(&mut flow, rows);
    // Column rules, so the blank sheet reads as a grid.
    let mut x = flow.margin;
    let top = flow.margin;
    let _ = top;
    for (_, w) in SHEET_COLUMNS.iter().take(SHEET_COLUMNS.len() - 1) {
        x += w;
        let _ = write!(
            flow.body,
            r##"<line x1="{x:.2}" y1="{:.2}" x2="{x:.2}" y2="{:.2}" stroke="#000" stroke-width="0.15"/>"##,
            flow.y - rows_left as f32 * table.row_height - table.row_height,
            flow.y
        );
    }
    flow.y += 3.0;
    flow.text(&text(lang, "kit-sheet-footer", &[]), 2.8, false, 0.0);
    parse_pages(renderer, flow)
}

fn on_site_list(
    renderer: &Renderer,
    lang: Lang,
    site: &SiteConfig,
    on_site: &[Visit],
    printed: jiff::Timestamp,
) -> Result<Vec<Document>, RenderError> {
    let mut flow = Flow::new(A4.0, Some(A4.1), 12.0);
    flow.running_head = text(lang, "kit-onsite-title", &[]);
    flow.text(&text(lang, "kit-onsite-title", &[]), 6.5, true, 1.0);
    flow.text(site.site.name.get(lang), 3.8, true, 0.5);
    flow.text(&text(lang, "kit-printed", &[("time", &local_time(site, printed, true))]), 3.2, false, 0.5);
    flow.text(&text(lang, "kit-onsite-count", &[("count", &on_site.len().to_string())]), 3.6, true, 2.0);
    let table = Table {
        columns: vec![
            Column { head: text(lang, "rollcall-col-tick", &[]), width: 11.0 },
            Column { head: text(lang, "rollcall-col-name", &[]), width: 52.0 },
            Column { head: text(lang, "rollcall-col-company", &[]), width: 40.0 },
            Column { head: text(lang, "rollcall-col-host", &[]), width: 45.0 },
            Column { head: text(lang, "kit-col-in", &[]), width: 38.0 },
        ],
        tick: true,
        row_height: 7.0,
        size: 3.1,
    };
    let widths = table.widths();
    let mut items = Vec::new();
    for v in on_site {
        let host = v.host.as_ref().map(|h| h.name.clone()).unwrap_or_else(|| v.host_id.0.clone());
        let mut when = local_time(site, v.signed_in_at, true);
        if v.back_entered {
            when = format!("{when} · {}", text(lang, "visit-back-entered", &[]));
        }
        items.push((v.name.clone(), widths[1] - 2.0, table.size, true));
        items.push((v.company.clone(), widths[2] - 2.0, table.size, false));
        items.push((host, widths[3] - 2.0, table.size, false));
        items.push((when, widths[4] - 2.0, table.size, false));
    }
    fit_all(renderer, &mut items)?;
    let mut cells = items.into_iter().map(|(t, _, _, bold)| if bold { Cell::bold(t) } else { Cell::plain(t) });
    let rows = on_site
        .iter()
        .map(|_| {
            let mut r: Vec<Vec<Cell>> = vec![vec![]];
            for _ in 0..4 {
                r.push(vec![cells.next().expect("four cells a row")]);
            }
            r
        })
        .collect();
    table.head(&mut flow);
    table.rows(&mut flow, rows);
    parse_pages(renderer, flow)
}
