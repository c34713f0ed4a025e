//! The on-site list and visit search at a site with a long history.
//!
//!     cargo run -p frontdesk-core --example visits_bench -- [visits] [runs]
//!
//! Builds a kiosk database with `visits` visits (default 1,000,000; 200 of them still on
//! site) on the fast path — one transaction, prepared statements, straight into the tables the
//! merge rules fill (visits, the search index) — then opens it as a kiosk and times, `runs`
//! times each (default 50): `Kiosk::on_site` (the home screen's list) and
//! `Kiosk::search_visits` for typical queries (what the admin's search box calls).

use std::sync::Arc;
use std::time::Instant;

use frontdesk_core::kiosk::AdminLogin;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::storage::{DATABASE_FILE, Store};
use frontdesk_core::{Kiosk, KioskOptions};
use rand::Rng as _;

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "小明", "秀英",
    "建国", "子涵",
];
const LATIN: &[&str] = &["Smith", "Wang", "Garcia", "Müller", "Okafor", "Tanaka", "Kim", "Nguyen", "Rossi", "Dubois"];
const FIRST: &[&str] = &["Anna", "Lei", "John", "Maria", "David", "Yuki", "Emma", "Omar", "Sara", "Liam"];
const COMPANIES: &[&str] = &[
    "滨海物流",
    "华东建设",
    "Acme Logistics",
    "Riverside Labs",
    "中信咨询",
    "Northwind Traders",
    "蓝天科技",
    "Globex",
    "",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let total: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let site = SiteConfig::demo().unwrap();
    let hosts: Vec<String> = site.hosts.iter().map(|h| h.id.0.clone()).collect();

    let t = Instant::now();
    drop(Store::open_in(dir.path()).unwrap()); // the schema, migrated
    let mut conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut visit = tx
            .prepare(
                "INSERT INTO visits (id, created, created_hlc, name, company, host_id, purpose, desk_id, device,
                                     signed_in_at, signed_out_at, earliest_in)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, '', 'lobby', 'bench', ?6, ?7, ?6)",
            )
            .unwrap();
        let mut rowid = tx.prepare("INSERT INTO visit_rowids (visit_id) VALUES (?1)").unwrap();
        let mut index = tx.prepare("INSERT INTO visit_search (rowid, t) VALUES (last_insert_rowid(), ?1)").unwrap();
        let mut rng = rand::rng();
        let now = jiff::Timestamp::now().as_millisecond();
        // A year and a half of visits, oldest first, ~1,800 a day.
        let span = 540 * 86_400_000i64;
        for i in 0..total {
            let at = now - span + span * i as i64 / total as i64;
            let name = if rng.random_bool(0.75) {
                format!("{}{}", SURNAMES[rng.random_range(0..SURNAMES.len())], GIVEN[rng.random_range(0..GIVEN.len())])
            } else {
                format!("{} {}", FIRST[rng.random_range(0..FIRST.len())], LATIN[rng.random_range(0..LATIN.len())])
            };
            let company = COMPANIES[rng.random_range(0..COMPANIES.len())];
            let id = uuid::Uuid::now_v7().to_string();
            let out = if i + 200 >= total { None } else { Some(at + 3_600_000) };
            visit
                .execute(rusqlite::params![
                    id,
                    format!("{at:013}-00000-bench"),
                    name,
                    company,
                    hosts[i % hosts.len()],
                    at,
                    out
                ])
                .unwrap();
            rowid.execute([&id]).unwrap();
            index.execute([frontdesk_core::storage::visitors::search_text(&name, company)]).unwrap();
        }
    }
    tx.commit().unwrap();
    drop(conn);
    println!("built {total} visits in {:.1} s", t.elapsed().as_secs_f64());

    let kiosk = Kiosk::open(KioskOptions {
        data_dir: dir.path().to_owned(),
        site,
        secrets: Arc::new(MemorySecretStore::default()),
        os_locale: None,
        wall: frontdesk_core::hlc::system_millis,
    })
    .unwrap();
    let AdminLogin::Granted(first) = kiosk.admin_login("000000").unwrap() else { panic!("PIN") };
    kiosk.change_admin_pin(&first.token, "482915", "482915").unwrap();
    let AdminLogin::Granted(session) = kiosk.admin_login("482915").unwrap() else { panic!("PIN") };

    let median = |f: &mut dyn FnMut() -> usize| {
        let mut ms = Vec::with_capacity(runs);
        let mut found = 0;
        for _ in 0..runs {
            let t = Instant::now();
            found = f();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        (ms[ms.len() / 2], ms[ms.len() * 95 / 100], found)
    };
    let (p50, p95, n) = median(&mut || kiosk.on_site().unwrap().len());
    println!("on-site list ({n} on site): median {p50:.2} ms, p95 {p95:.2} ms");
    for query in
        ["王", "小明", "张伟", "物流", "logistics", "Wang Lei", "Riverside Anna", "Emma Clarke", "nobody-at-all"]
    {
        let (p50, p95, n) = median(&mut || kiosk.search_visits(&session.token, query).unwrap().len());
        println!("search {query:?} ({n} shown): median {p50:.2} ms, p95 {p95:.2} ms");
    }
    let size: u64 =
        std::fs::read_dir(dir.path()).unwrap().flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum();
    println!("database with index: {:.0} MB", size as f64 / 1e6);
}
