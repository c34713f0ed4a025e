//! Render an SVG file (physical size, mm user units) to PDF and PNG:
//!   cargo run -p frontdesk-core --example render_svg -- in.svg out.pdf out.png [dpi]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pdf, png, rest @ ..] = &args[..] else {
        eprintln!("usage: render_svg IN.svg OUT.pdf OUT.png [DPI]");
        std::process::exit(2);
    };
    let dpi: f32 = rest.first().and_then(|d| d.parse().ok()).unwrap_or(300.0);
    let renderer = frontdesk_core::render::Renderer::shared();
    let doc = renderer.parse(&std::fs::read_to_string(input).expect("read the SVG")).expect("parse");
    std::fs::write(pdf, renderer.pdf(&[&doc], input).expect("pdf")).expect("write pdf");
    std::fs::write(png, renderer.raster(&doc, dpi).expect("raster").png().expect("png")).expect("write png");
}
