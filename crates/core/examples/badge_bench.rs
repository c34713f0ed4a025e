//! Badge rendering benchmark, and sample badges to look at.
//!   cargo run -p frontdesk-core --example badge_bench -- [ROUNDS] [OUT_DIR]
//! Renders every label size for a Chinese, a long Latin and a mixed name, ROUNDS times each:
//! template filled (text fitted, QR drawn), SVG parsed and laid out, then a PDF and a 300 dpi
//! raster. Prints per-badge times; with OUT_DIR writes each sample as PDF and PNG.
use std::time::Instant;

use frontdesk_core::badge::{BadgeData, LabelSize, token};
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::{SiteId, VisitId};
use frontdesk_core::render::{Fonts, Renderer};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20);
    let out = args.get(1).map(std::path::PathBuf::from);

    let started = Instant::now();
    let renderer = Renderer::new(Fonts::shared().clone());
    println!("fonts loaded (shipped + system fallback) in {:.1} ms", started.elapsed().as_secs_f64() * 1e3);

    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let issued: jiff::Timestamp = "2026-11-28T01:30:00Z".parse().unwrap();
    let names = [
        ("zh", "欧阳娜娜", "滨海物流有限公司", Lang::ZhCn, true),
        ("long", "Maximilian Alexander von Hohenzollern-Sigmaringen", "Northwind Audit LLP", Lang::En, false),
        ("mixed", "王小明 Wang Xiaoming", "Hikari Robotics 光机器人", Lang::En, true),
    ];
    let mut times = Vec::new();
    for (tag, name, company, lang, escort) in names {
        for size in LabelSize::ALL {
            let visit_id = VisitId::new();
            let claims = token::Claims {
                key_id: token::key_id(&key.verifying_key()),
                visit_id,
                site: SiteId("riverside-tower".into()),
                issued_at: issued.as_second() as u32,
                expires_at: issued.as_second() as u32 + 52_000,
            };
            let data = BadgeData {
                visit_id,
                visitor_name: name.into(),
                company: company.into(),
                host: "张伟".into(),
                site_name: if lang == Lang::ZhCn { "滨江大厦".into() } else { "Riverside Tower".into() },
                visitor_type: None,
                escort_required: escort,
                issued_at: issued,
                expires_at: issued + jiff::SignedDuration::from_secs(52_000),
                timezone: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(),
                token: token::sign(&claims, &key),
            };
            for round in 0..rounds.max(1) {
                let t = Instant::now();
                let doc = data.render(&renderer, size, lang).unwrap();
                let pdf = renderer.pdf(&[&doc], "badge").unwrap();
                let raster = renderer.raster(&doc, 300.0).unwrap();
                let elapsed = t.elapsed().as_secs_f64() * 1e3;
                if round > 0 || rounds == 1 {
                    times.push(elapsed); // the first round warms caches
                }
                if round == 0
                    && let Some(dir) = &out
                {
                    std::fs::create_dir_all(dir).unwrap();
                    std::fs::write(dir.join(format!("{tag}-{}.pdf", size.key())), &pdf).unwrap();
                    std::fs::write(dir.join(format!("{tag}-{}.png", size.key())), raster.png().unwrap()).unwrap();
                }
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{} badges (fill + layout + PDF + 300 dpi raster): mean {mean:.1} ms, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
}
