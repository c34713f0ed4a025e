//! SVG templates with named fields.
//!
//! A template is an ordinary SVG file (edit it in any SVG editor) whose user units are
//! millimetres. A few `data-*` attributes name what the renderer fills in:
//!
//! - `<text data-field="visitor_name" data-box="4 30 54 16" data-lines="2" data-min-size="3.5"
//!   font-size="8" text-anchor="middle" …>` — the field's text, laid out inside the box
//!   `x y width height`: it is set at `font-size` if it fits, otherwise smaller (down to
//!   `data-min-size`, default half of `font-size`) and wrapped onto up to `data-lines` lines
//!   (default 1), breaking between words or between CJK characters. Text that cannot fit even
//!   then is cut with "…" — it never runs out of its box. `data-valign` is `top`, `middle`
//!   (default) or `bottom`; `data-line-height` is the line pitch in ems (default 1.15).
//!   Without `data-box`, the text simply replaces the element's content.
//! - `data-if="escort_required"` / `data-unless="…"` on any element — the element is kept only
//!   when the flag is set / not set.
//! - `<rect data-qr="token" x y width height fill>` — replaced by a QR code of that value
//!   filling the square (quiet zone included).
//!
//! Values are escaped; a template can only be filled with the fields it names, and filling it
//! without one of them is an error, so a template and its data cannot silently drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{Document, RenderError, Renderer, fonts, qr};

/// The values to fill a template with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateData {
    pub text: BTreeMap<String, String>,
    pub flags: BTreeSet<String>,
    pub qr: BTreeMap<String, String>,
}

impl TemplateData {
    pub fn text(mut self, key: &str, value: impl Into<String>) -> Self {
        self.text.insert(key.to_owned(), value.into());
        self
    }

    pub fn flag(mut self, key: &str, on: bool) -> Self {
        if on {
            self.flags.insert(key.to_owned());
        } else {
            self.flags.remove(key);
        }
        self
    }

    pub fn qr(mut self, key: &str, value: impl Into<String>) -> Self {
        self.qr.insert(key.to_owned(), value.into());
        self
    }
}

/// The names a template uses, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateFields {
    pub text: BTreeSet<String>,
    pub flags: BTreeSet<String>,
    pub qr: BTreeSet<String>,
}

/// An SVG template, as text.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    source: String,
}

impl Template {
    /// `name` identifies the template in errors (e.g. its file name).
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Template {
        Template { name: name.into(), source: source.into() }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn error(&self, message: impl Into<String>) -> RenderError {
        RenderError::Template { template: self.name.clone(), message: message.into() }
    }

    fn parse(&self) -> Result<roxmltree::Document<'_>, RenderError> {
        roxmltree::Document::parse(&self.source).map_err(|e| self.error(e.to_string()))
    }

    /// Every field, flag and QR code the template names.
    pub fn fields(&self) -> Result<TemplateFields, RenderError> {
        let doc = self.parse()?;
        let mut fields = TemplateFields::default();
        for node in doc.descendants().filter(roxmltree::Node::is_element) {
            if let Some(v) = node.attribute("data-field") {
                fields.text.insert(v.to_owned());
            }
            for attr in ["data-if", "data-unless"] {
                if let Some(v) = node.attribute(attr) {
                    fields.flags.insert(v.to_owned());
                }
            }
            if let Some(v) = node.attribute("data-qr") {
                fields.qr.insert(v.to_owned());
            }
        }
        Ok(fields)
    }

    /// The filled SVG text.
    pub fn fill(&self, renderer: &Renderer, data: &TemplateData) -> Result<String, RenderError> {
        let doc = self.parse()?;
        let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        let mut skip_until = 0;
        for node in doc.descendants().filter(roxmltree::Node::is_element) {
            let range = node.range();
            if range.start < skip_until {
                continue;
            }
            let keep = match (node.attribute("data-if"), node.attribute("data-unless")) {
                (Some(flag), _) => data.flags.contains(flag),
                (_, Some(flag)) => !data.flags.contains(flag),
                _ => true,
            };
            if !keep {
                skip_until = range.end;
                edits.push((range, String::new()));
                continue;
            }
            if let Some(key) = node.attribute("data-field") {
                let value = data.text.get(key).ok_or_else(|| self.error(format!("no value for field {key:?}")))?;
                edits.push((range.clone(), self.text_element(renderer, node, value)?));
                skip_until = range.end;
            } else if let Some(key) = node.attribute("data-qr") {
                let value = data.qr.get(key).ok_or_else(|| self.error(format!("no value for QR code {key:?}")))?;
                let num = |attr: &str| -> Result<f32, RenderError> {
                    node.attribute(attr)
                        .and_then(|v| v.trim().parse().ok())
                        .ok_or_else(|| self.error(format!("QR code {key:?} needs a numeric {attr}")))
                };
                let (x, y, w, h) = (num("x")?, num("y")?, num("width")?, num("height")?);
                let size = w.min(h);
                let fill = node.attribute("fill").unwrap_or("#000");
                edits.push((
                    range.clone(),
                    qr::svg_path(value, x + (w - size) / 2.0, y + (h - size) / 2.0, size, fill)?,
                ));
                skip_until = range.end;
            }
        }
        let mut out = self.source.clone();
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        for (range, text) in edits {
            out.replace_range(range, &text);
        }
        Ok(out)
    }

    /// Fill and parse, ready to print.
    pub fn render(&self, renderer: &Renderer, data: &TemplateData) -> Result<Document, RenderError> {
        renderer.parse(&self.fill(renderer, data)?)
    }

    fn text_element(
        &self,
        renderer: &Renderer,
        node: roxmltree::Node<'_, '_>,
        value: &str,
    ) -> Result<String, RenderError> {
        let mut attrs = String::new();
        for attr in node.attributes() {
            let name = attr.name();
            if name.starts_with("data-")
                || attr.namespace().is_some()
                || (node.has_attribute("data-box") && matches!(name, "x" | "y" | "font-size" | "text-anchor"))
            {
                continue;
            }
            let _ = write!(attrs, r#" {name}="{}""#, escape(attr.value()));
        }
        let Some(boxed) = node.attribute("data-box") else {
            return Ok(format!("<text{attrs}>{}</text>", escape(value)));
        };
        let nums: Vec<f32> = boxed.split_whitespace().filter_map(|v| v.parse().ok()).collect();
        let [x, y, w, h] = nums[..] else {
            return Err(self.error(format!("data-box {boxed:?} must be four numbers: x y width height")));
        };
        let attr_num = |name: &str| node.attribute(name).and_then(|v| v.trim().parse::<f32>().ok());
        let max_size = attr_num("font-size").ok_or_else(|| self.error("a boxed field needs a numeric font-size"))?;
        let spec = FitSpec {
            width: w,
            height: h,
            max_lines: attr_num("data-lines").map_or(1, |n| n.max(1.0) as usize),
            max_size,
            min_size: attr_num("data-min-size").unwrap_or(max_size / 2.0).min(max_size),
            line_height: attr_num("data-line-height").unwrap_or(1.15),
            family: node.attribute("font-family").unwrap_or(fonts::FAMILY),
            weight: node.attribute("font-weight").unwrap_or("400"),
        };
        let fitted = fit(renderer, value, &spec)?;
        let anchor = node.attribute("text-anchor").unwrap_or("start");
        let tx = match anchor {
            "middle" => x + w / 2.0,
            "end" => x + w,
            _ => x,
        };
        let s = fitted.size;
        let pitch = s * spec.line_height;
        let block = s + pitch * (fitted.lines.len().saturating_sub(1)) as f32;
        let top = match node.attribute("data-valign").unwrap_or("middle") {
            "top" => y,
            "bottom" => y + h - block,
            _ => y + (h - block) / 2.0,
        };
        // Noto Sans CJK's ascender is 0.88 em: the first baseline sits that far below the top.
        let first = top + s * 0.88;
        let mut out = format!(r#"<text{attrs} font-size="{s:.3}" text-anchor="{}">"#, escape(anchor));
        for (i, line) in fitted.lines.iter().enumerate() {
            let _ = write!(out, r#"<tspan x="{tx:.3}" y="{:.3}">{}</tspan>"#, first + pitch * i as f32, escape(line));
        }
        out.push_str("</text>");
        Ok(out)
    }
}

/// How a boxed text field may be laid out.
pub struct FitSpec<'a> {
    pub width: f32,
    pub height: f32,
    pub max_lines: usize,
    pub max_size: f32,
    pub min_size: f32,
    /// Line pitch in ems.
    pub line_height: f32,
    pub family: &'a str,
    pub weight: &'a str,
}

/// Text laid out to fit: its size and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub size: f32,
    pub lines: Vec<String>,
    /// Whether the text had to be cut to fit.
    pub truncated: bool,
}

/// A piece of text no line may break inside, and whether a space separates it from the one
/// before.
#[derive(Debug, Clone)]
struct Atom {
    text: String,
    space_before: bool,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F | 0x31A0..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
}

/// Punctuation that must not start a line (it stays with what comes before).
fn no_break_before(c: char) -> bool {
    "，。、；：？！）」』】》〉”’,.;:?!)]}%·…—".contains(c)
}

/// Punctuation that must not end a line (it stays with what follows).
fn no_break_after(c: char) -> bool {
    "（「『【《〈“‘([{".contains(c)
}

fn atoms(text: &str) -> Vec<Atom> {
    let mut atoms: Vec<Atom> = Vec::new();
    let mut space = false;
    let mut glue_next = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !atoms.is_empty();
            glue_next = false;
            continue;
        }
        let joins = match atoms.last() {
            None => false,
            Some(_) if space => false,
            Some(_) if glue_next || no_break_before(c) => true,
            Some(last) => {
                let prev = last.text.chars().last().unwrap_or(' ');
                // Runs of non-CJK letters are words; every CJK character may break, and so
                // may a word after a hyphen or slash (Hohenzollern-|Sigmaringen).
                !is_cjk(c) && !is_cjk(prev) && !matches!(prev, '-' | '‐' | '/')
            }
        };
        if joins && let Some(last) = atoms.last_mut() {
            last.text.push(c);
        } else {
            atoms.push(Atom { text: c.to_string(), space_before: space });
        }
        space = false;
        glue_next = no_break_after(c);
    }
    atoms
}

/// Lay `text` out in the box: the largest size (in steps of 5 % of the maximum) at which it
/// fits in at most `max_lines` lines; at the minimum size, words are broken anywhere and, as a
/// last resort, the text is cut with an ellipsis.
pub fn fit(renderer: &Renderer, text: &str, spec: &FitSpec<'_>) -> Result<Fitted, RenderError> {
    const REF: f32 = 100.0;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = atoms(&text);
    let chars: Vec<Atom> = text
        .chars()
        .scan(false, |space, c| {
            if c == ' ' {
                *space = true;
                Some(None)
            } else {
                let atom = Atom { text: c.to_string(), space_before: *space };
                *space = false;
                Some(Some(atom))
            }
        })
        .flatten()
        .collect();
    // Measure every distinct piece once, at a reference size; widths scale linearly.
    let mut pieces: BTreeSet<&str> = words.iter().chain(&chars).map(|a| a.text.as_str()).collect();
    pieces.insert(" ");
    pieces.insert("…");
    let pieces: Vec<&str> = pieces.into_iter().collect();
    let widths = renderer.measure(&pieces, spec.family, spec.weight, REF)?;
    let width_of: BTreeMap<&str, f32> = pieces.iter().copied().zip(widths).collect();
    let space_w = width_of[" "].max(REF * 0.25);
    // A little slack: glyphs measured apart ignore kerning between them.
    let limit = spec.width * 0.98;

    let max_lines_for = |size: f32| -> usize {
        let pitch = size * spec.line_height;
        let by_height = if spec.height <= size { 1 } else { 1 + ((spec.height - size) / pitch).floor() as usize };
        spec.max_lines.min(by_height).max(1)
    };

    let mut size = spec.max_size;
    let step = (spec.max_size * 0.05).max(0.01);
    loop {
        let scale = size / REF;
        let allowed = max_lines_for(size);
        if let Some(lines) = break_lines(&words, &width_of, space_w, scale, limit, allowed) {
            return Ok(Fitted { size, lines, truncated: false });
        }
        if size <= spec.min_size {
            break;
        }
        size = (size - step).max(spec.min_size);
    }
    // At the minimum size: break anywhere, and cut what still does not fit.
    let size = spec.min_size;
    let scale = size / REF;
    let allowed = max_lines_for(size);
    if let Some(lines) = break_lines(&chars, &width_of, space_w, scale, limit, allowed) {
        return Ok(Fitted { size, lines, truncated: false });
    }
    let mut lines = break_lines(&chars, &width_of, space_w, scale, limit, usize::MAX).unwrap_or_default();
    lines.truncate(allowed);
    if let Some(last) = lines.last_mut() {
        let ellipsis = width_of["…"] * scale;
        let mut kept: Vec<char> = last.chars().collect();
        while !kept.is_empty() {
            let w: f32 = kept.iter().map(|c| piece_width(&width_of, &c.to_string(), space_w) * scale).sum();
            if w + ellipsis <= limit {
                break;
            }
            kept.pop();
        }
        *last = kept.into_iter().collect::<String>().trim_end().to_owned() + "…";
    }
    Ok(Fitted { size, lines, truncated: true })
}

fn piece_width(widths: &BTreeMap<&str, f32>, piece: &str, space_w: f32) -> f32 {
    if piece == " " { space_w } else { widths.get(piece).copied().unwrap_or(0.0) }
}

/// Greedy line breaking; `None` if a piece is wider than a line or more lines are needed.
fn break_lines(
    atoms: &[Atom],
    widths: &BTreeMap<&str, f32>,
    space_w: f32,
    scale: f32,
    limit: f32,
    max_lines: usize,
) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_w = 0.0;
    for atom in atoms {
        let w = piece_width(widths, &atom.text, space_w) * scale;
        if w > limit {
            return None;
        }
        let gap = if atom.space_before && !line.is_empty() { space_w * scale } else { 0.0 };
        if !line.is_empty() && line_w + gap + w > limit {
            lines.push(std::mem::take(&mut line));
            line_w = 0.0;
            if lines.len() >= max_lines {
                return None;
            }
        } else if gap > 0.0 {
            line.push(' ');
            line_w += gap;
        }
        line.push_str(&atom.text);
        line_w += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    (lines.len() <= max_lines).then_some(lines)
}

/// Escape text for an XML attribute or element.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Fonts;

    fn spec(width: f32, lines: usize) -> FitSpec<'static> {
        FitSpec {
            width,
            height: 40.0,
            max_lines: lines,
            max_size: 8.0,
            min_size: 3.0,
            line_height: 1.15,
            family: fonts::FAMILY,
            weight: "700",
        }
    }

    fn widest(r: &Renderer, f: &Fitted) -> f32 {
        let lines: Vec<&str> = f.lines.iter().map(String::as_str).collect();
        r.measure(&lines, fonts::FAMILY, "700", f.size).unwrap().into_iter().fold(0.0, f32::max)
    }

    #[test]
    fn short_names_keep_the_full_size_on_one_line() {
        let r = Renderer::new(Fonts::bundled());
        let f = fit(&r, "王小明", &spec(54.0, 2)).unwrap();
        assert_eq!((f.size, f.lines.clone()), (8.0, vec!["王小明".to_owned()]));
    }

    #[test]
    fn long_names_shrink_and_wrap_but_never_overflow() {
        let r = Renderer::new(Fonts::bundled());
        for name in [
            "Maximilian Alexander von Hohenzollern-Sigmaringen",
            "欧阳娜娜 Nana Ouyang-Richardson",
            "爱新觉罗·溥仪爱新觉罗·溥仪爱新觉罗·溥仪爱新觉罗·溥仪",
            "Supercalifragilisticexpialidociousandevenlongerwithoutanyspaceatall",
            &"名".repeat(100),
        ] {
            let f = fit(&r, name, &spec(54.0, 2)).unwrap();
            assert!(f.lines.len() <= 2, "{name}: {:?}", f.lines);
            assert!(f.size >= 3.0 && f.size <= 8.0);
            assert!(widest(&r, &f) <= 54.0, "{name}: {:?} at {} is {} wide", f.lines, f.size, widest(&r, &f));
            let joined: String = f.lines.concat();
            if !f.truncated {
                assert_eq!(joined.replace(' ', ""), name.replace(' ', ""), "nothing lost");
            }
        }
    }

    #[test]
    fn latin_breaks_between_words_and_cjk_between_characters() {
        assert_eq!(atoms("Ann Lee").iter().map(|a| a.text.as_str()).collect::<Vec<_>>(), ["Ann", "Lee"]);
        assert_eq!(atoms("王小明").len(), 3);
        let hyphenated: Vec<String> = atoms("Hohenzollern-Sigmaringen").into_iter().map(|a| a.text).collect();
        assert_eq!(hyphenated, ["Hohenzollern-", "Sigmaringen"]);
        let a = atoms("（王）小明，你好");
        assert_eq!(a.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(), ["（王）", "小", "明，", "你", "好"]);
    }

    #[test]
    fn fields_flags_and_qr_are_filled_and_values_escaped() {
        let r = Renderer::new(Fonts::bundled());
        let t = Template::new(
            "t.svg",
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="62mm" height="100mm" viewBox="0 0 62 100">
              <text data-field="name" data-box="4 10 54 20" data-lines="2" font-size="8" text-anchor="middle">NAME</text>
              <text data-field="company" x="4" y="40" font-size="4">COMPANY</text>
              <g data-if="escort"><rect width="62" height="8"/><text>ESCORT</text></g>
              <g data-unless="escort"><text>NO ESCORT</text></g>
              <rect data-qr="token" x="16" y="60" width="30" height="30"/>
            </svg>"##,
        );
        let fields = t.fields().unwrap();
        assert_eq!(fields.text, ["company".to_owned(), "name".to_owned()].into());
        assert_eq!(fields.flags, ["escort".to_owned()].into());
        assert_eq!(fields.qr, ["token".to_owned()].into());

        let data = TemplateData::default().text("name", "<Ann & \"Bo\">").text("company", "A&B").qr("token", "FD1ABC");
        let svg = t.fill(&r, &data).unwrap();
        assert!(svg.contains("&lt;Ann &amp; &quot;Bo&quot;&gt;"), "{svg}");
        assert!(svg.contains(">A&amp;B</text>"));
        assert!(!svg.contains(">ESCORT<") && svg.contains("NO ESCORT"));
        assert!(!svg.contains("data-qr"));
        t.render(&r, &data).unwrap();

        let svg = t.fill(&r, &data.clone().flag("escort", true)).unwrap();
        assert!(svg.contains(">ESCORT<") && !svg.contains("NO ESCORT"));

        let missing = t.fill(&r, &TemplateData::default().text("name", "x")).unwrap_err();
        assert!(missing.to_string().contains("company"), "{missing}");
    }
}
