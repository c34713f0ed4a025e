//! Rendering printed things (badges, emergency cards, lists) from SVG at their real size.
//!
//! Everything printed is an SVG document whose `width`/`height` are physical (`62mm`, `105mm`)
//! and whose user units are millimetres (`viewBox="0 0 62 100"`). From one parsed
//! [`Document`] the [`Renderer`] makes:
//! - a vector PDF at exactly that page size, text embedded as searchable text (svg2pdf), the
//!   form the OS print system takes;
//! - a raster (PNG or grey pixels) at any resolution, e.g. the printer's 300 dpi or a preview
//!   on screen (resvg).
//!
//! Templates with named fields (text that shrinks and wraps to fit a box, elements shown only
//! when a flag is set, QR codes) are filled by [`template`]. See `docs/printing.md`.

pub mod fonts;
pub mod qr;
pub mod template;

use std::sync::Arc;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, TextStr};

pub use fonts::Fonts;
pub use template::{Template, TemplateData};

/// SVG's CSS pixel: usvg reports sizes in pixels at 96 per inch.
const SVG_PX_PER_INCH: f32 = 96.0;
const MM_PER_INCH: f32 = 25.4;
const PT_PER_INCH: f32 = 72.0;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the SVG document is invalid: {0}")]
    Svg(String),
    #[error("template {template}: {message}")]
    Template { template: String, message: String },
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
    #[error("rasterising failed: {0}")]
    Raster(String),
    #[error("a PDF needs at least one page")]
    NoPages,
}

/// A parsed SVG document, ready to render.
pub struct Document {
    tree: usvg::Tree,
}

impl Document {
    /// Page width in millimetres.
    pub fn width_mm(&self) -> f32 {
        self.tree.size().width() / SVG_PX_PER_INCH * MM_PER_INCH
    }

    /// Page height in millimetres.
    pub fn height_mm(&self) -> f32 {
        self.tree.size().height() / SVG_PX_PER_INCH * MM_PER_INCH
    }

    pub fn tree(&self) -> &usvg::Tree {
        &self.tree
    }
}

/// A raster of a page: 8-bit RGBA, premultiplied alpha, `width × height` pixels.
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub dpi: f32,
    pixmap: resvg::tiny_skia::Pixmap,
}

impl Raster {
    pub fn rgba(&self) -> &[u8] {
        self.pixmap.data()
    }

    /// The page as grey levels (0 black … 255 white) on white paper, one byte per pixel:
    /// what a monochrome label printer or a QR decoder needs.
    pub fn grey(&self) -> Vec<u8> {
        self.pixmap
            .pixels()
            .iter()
            .map(|p| {
                // Composite over white, then luminance (Rec. 601 weights, integer maths).
                let a = u32::from(p.alpha());
                let over = |c: u8| u32::from(c) + (255 - a);
                let (r, g, b) = (over(p.red()), over(p.green()), over(p.blue()));
                ((r * 299 + g * 587 + b * 114) / 1000).min(255) as u8
            })
            .collect()
    }

    pub fn png(&self) -> Result<Vec<u8>, RenderError> {
        self.pixmap.encode_png().map_err(|e| RenderError::Raster(e.to_string()))
    }
}

/// Renders documents with one shared font database. Cheap to clone.
#[derive(Clone)]
pub struct Renderer {
    fonts: Fonts,
}

impl Renderer {
    pub fn new(fonts: Fonts) -> Renderer {
        Renderer { fonts }
    }

    /// A renderer on the process-wide fonts (shipped family + system fallback).
    pub fn shared() -> Renderer {
        Renderer::new(Fonts::shared().clone())
    }

    pub fn fonts(&self) -> &Fonts {
        &self.fonts
    }

    fn options(&self) -> usvg::Options<'static> {
        usvg::Options {
            fontdb: Arc::clone(self.fonts.database()),
            font_family: fonts::FAMILY.to_owned(),
            languages: vec!["zh-CN".into(), "en".into()],
            // Documents are self-contained: an `<image href>` never reads a file or URL.
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        }
    }

    /// Parse an SVG document (text laid out, fonts resolved).
    pub fn parse(&self, svg: &str) -> Result<Document, RenderError> {
        let tree = usvg::Tree::from_str(svg, &self.options()).map_err(|e| RenderError::Svg(e.to_string()))?;
        Ok(Document { tree })
    }

    /// A vector PDF with one page per document, each at its document's physical size.
    pub fn pdf(&self, pages: &[&Document], title: &str) -> Result<Vec<u8>, RenderError> {
        if pages.is_empty() {
            return Err(RenderError::NoPages);
        }
        let mut alloc = Ref::new(1);
        let catalog = alloc.bump();
        let page_tree = alloc.bump();
        let info = alloc.bump();
        let mut pdf = Pdf::new();
        let mut page_refs = Vec::with_capacity(pages.len());
        let options = svg2pdf::ConversionOptions::default();
        for doc in pages {
            let (chunk, svg_ref) =
                svg2pdf::to_chunk(&doc.tree, options).map_err(|e| RenderError::Pdf(e.to_string()))?;
            let mut map = std::collections::HashMap::new();
            let chunk = chunk.renumber(|old| *map.entry(old).or_insert_with(|| alloc.bump()));
            let svg_ref = map[&svg_ref];
            let (page_ref, content_ref) = (alloc.bump(), alloc.bump());
            let w = doc.width_mm() / MM_PER_INCH * PT_PER_INCH;
            let h = doc.height_mm() / MM_PER_INCH * PT_PER_INCH;
            let mut page = pdf.page(page_ref);
            page.media_box(Rect::new(0.0, 0.0, w, h));
            page.parent(page_tree);
            page.contents(content_ref);
            page.resources().x_objects().pair(Name(b"S"), svg_ref);
            page.finish();
            // The chunk's form XObject is one point square: scale it to the page.
            let mut content = Content::new();
            content.transform([w, 0.0, 0.0, h, 0.0, 0.0]).x_object(Name(b"S"));
            pdf.stream(content_ref, &content.finish());
            pdf.extend(&chunk);
            page_refs.push(page_ref);
        }
        pdf.catalog(catalog).pages(page_tree);
        pdf.pages(page_tree).count(page_refs.len() as i32).kids(page_refs);
        pdf.document_info(info).title(TextStr(title)).producer(TextStr("Frontdesk"));
        Ok(pdf.finish())
    }

    /// Rasterise a document at `dpi` pixels per inch (e.g. a 300 dpi label printer).
    pub fn raster(&self, doc: &Document, dpi: f32) -> Result<Raster, RenderError> {
        let scale = dpi / SVG_PX_PER_INCH;
        let size = doc.tree.size();
        let (width, height) = ((size.width() * scale).round() as u32, (size.height() * scale).round() as u32);
        let mut pixmap = resvg::tiny_skia::Pixmap::new(width.max(1), height.max(1))
            .ok_or_else(|| RenderError::Raster(format!("cannot allocate {width}×{height} pixels")))?;
        resvg::render(&doc.tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        Ok(Raster { width: pixmap.width(), height: pixmap.height(), dpi, pixmap })
    }

    /// Advance widths of each text, in the units of `font_size`, set in `family` at `weight`.
    /// One layout pass for all of them; used to fit text into boxes.
    pub fn measure(&self, texts: &[&str], family: &str, weight: &str, font_size: f32) -> Result<Vec<f32>, RenderError> {
        use std::fmt::Write as _;
        let mut svg = String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100">"#);
        for (i, text) in texts.iter().enumerate() {
            let _ = write!(
                svg,
                r#"<text id="m{i}" x="0" y="50" xml:space="preserve" font-family="{}" font-weight="{}" font-size="{font_size}">{}</text>"#,
                template::escape(family),
                template::escape(weight),
                template::escape(text)
            );
        }
        svg.push_str("</svg>");
        let tree = usvg::Tree::from_str(&svg, &self.options()).map_err(|e| RenderError::Svg(e.to_string()))?;
        Ok((0..texts.len())
            .map(|i| match tree.node_by_id(&format!("m{i}")) {
                Some(usvg::Node::Text(text)) => text.bounding_box().width(),
                // Blank text has no node; it takes no width.
                _ => 0.0,
            })
            .collect())
    }
}

/// Millimetres to PDF points.
pub fn mm_to_pt(mm: f32) -> f32 {
    mm / MM_PER_INCH * PT_PER_INCH
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="62mm" height="100mm" viewBox="0 0 62 100">
        <rect width="62" height="100" fill="#fff"/>
        <rect x="0" y="0" width="31" height="10" fill="#000"/>
        <text x="4" y="40" font-size="8" font-family="Frontdesk Sans CJK">王小明 Ann</text>
    </svg>"##;

    #[test]
    fn a_document_keeps_its_physical_size() {
        let r = Renderer::new(Fonts::bundled());
        let doc = r.parse(PAGE).unwrap();
        assert!((doc.width_mm() - 62.0).abs() < 0.01, "{}", doc.width_mm());
        assert!((doc.height_mm() - 100.0).abs() < 0.01, "{}", doc.height_mm());
        let raster = r.raster(&doc, 300.0).unwrap();
        // 62 mm at 300 dpi = 732.3 px.
        assert_eq!((raster.width, raster.height), (732, 1181));
        let grey = raster.grey();
        assert_eq!(grey[0], 0, "top-left is inside the black bar");
        assert_eq!(grey[raster.width as usize - 1], 255, "top-right is white paper");
    }

    #[test]
    fn pdf_pages_have_the_documents_sizes() {
        let r = Renderer::new(Fonts::bundled());
        let a = r.parse(PAGE).unwrap();
        let b = r
            .parse(r#"<svg xmlns="http://www.w3.org/2000/svg" width="105mm" height="148mm" viewBox="0 0 105 148"/>"#)
            .unwrap();
        let pdf = r.pdf(&[&a, &b], "test").unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("/Count 2"), "two pages");
        // 62 mm = 175.748 pt; 105 mm = 297.638 pt.
        assert!(text.contains("175.7"), "first page width in points");
        assert!(text.contains("297.6"), "second page width in points");
        assert!(matches!(r.pdf(&[], "x"), Err(RenderError::NoPages)));
    }

    #[test]
    fn measuring_scales_with_size_and_blank_is_zero() {
        let r = Renderer::new(Fonts::bundled());
        let w = r.measure(&["王小明", "Ann", ""], fonts::FAMILY, "400", 10.0).unwrap();
        assert!((w[0] - 30.0).abs() < 0.5, "CJK glyphs are one em wide: {}", w[0]);
        assert!(w[1] > 10.0 && w[1] < 25.0, "{}", w[1]);
        assert_eq!(w[2], 0.0);
        let w20 = r.measure(&["Ann"], fonts::FAMILY, "400", 20.0).unwrap();
        assert!((w20[0] - 2.0 * w[1]).abs() < 0.1);
    }

    #[test]
    fn external_files_are_never_read() {
        let r = Renderer::new(Fonts::bundled());
        let doc = r
            .parse(r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10mm" height="10mm"><image xlink:href="/etc/passwd" width="10" height="10"/></svg>"#)
            .unwrap();
        assert!(!doc.tree().root().has_children());
    }
}
