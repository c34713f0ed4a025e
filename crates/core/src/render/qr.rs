//! QR codes drawn as vector modules, so they stay sharp at any printer resolution.

use std::fmt::Write as _;

use qrcode::{EcLevel, QrCode};

use super::RenderError;

/// The quiet zone the QR standard asks for around the symbol, in modules.
pub const QUIET_MODULES: u32 = 4;

/// An SVG `<path>` drawing `data` as a QR code (error correction level M, which survives a
/// scuffed or creased badge) that fills the square at (`x`, `y`) of side `size`, quiet zone
/// included. Upper-case alphanumeric data is encoded in QR's compact alphanumeric mode.
pub fn svg_path(data: &str, x: f32, y: f32, size: f32, fill: &str) -> Result<String, RenderError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::Template { template: "qr".into(), message: format!("QR code: {e}") })?;
    let n = code.width() as u32;
    let module = size / (n + 2 * QUIET_MODULES) as f32;
    let colors = code.to_colors();
    let mut d = String::with_capacity(colors.len() * 8);
    for row in 0..n {
        // One sub-path per horizontal run of dark modules keeps the path short.
        let mut col = 0;
        while col < n {
            if colors[(row * n + col) as usize] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[(row * n + col) as usize] == qrcode::Color::Dark {
                    col += 1;
                }
                // Each run reaches 5 % into the row below: rows that merely touch can leave
                // hairline seams when rasterised at some resolutions, which upsets decoders.
                let _ = write!(
                    d,
                    "M{:.3} {:.3}h{:.3}v{:.3}h-{:.3}z",
                    x + (start + QUIET_MODULES) as f32 * module,
                    y + (row + QUIET_MODULES) as f32 * module,
                    (col - start) as f32 * module,
                    module * if row + 1 < n { 1.05 } else { 1.0 },
                    (col - start) as f32 * module
                );
            } else {
                col += 1;
            }
        }
    }
    Ok(format!(
        r##"<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="#fff"/><path d="{d}" fill="{}" shape-rendering="crispEdges"/>"##,
        super::template::escape(fill)
    ))
}

/// Modules per side of the QR symbol for `data` (without quiet zone), to check print size.
pub fn modules(data: &str) -> Option<u32> {
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok().map(|c| c.width() as u32)
}
