//! Badges end to end in core: issue a signed badge, read its QR back from the rendered page,
//! and check it offline — valid, forged, wrong site, expired, revoked here and after sync.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use frontdesk_core::badge::{BadgeRefusal, LabelSize, token};
use frontdesk_core::hlc::Hlc;
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::{HostId, SiteId};
use frontdesk_core::op::Op;
use frontdesk_core::render::Renderer;
use frontdesk_core::secrets::MemorySecretStore;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::storage::DATABASE_FILE;
use frontdesk_core::visit::NewVisit;
use frontdesk_core::{ErrorCode, Kiosk, KioskOptions};

fn visitor(name: &str) -> NewVisit {
    NewVisit {
        name: name.into(),
        company: "滨海物流".into(),
        host_id: HostId("zhang-wei".into()),
        purpose: "".into(),
        ..Default::default()
    }
}

#[test]
fn a_badge_qr_read_back_from_the_page_verifies_for_its_visit() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = support::open_kiosk(dir.path(), Arc::default());
    let visit = kiosk.sign_in(visitor("欧阳娜娜")).unwrap();
    let renderer = Renderer::shared();
    for size in LabelSize::ALL {
        let data = kiosk.badge_data(visit.id, Lang::ZhCn).unwrap();
        let page = data.render(&renderer, size, Lang::ZhCn).unwrap();
        // 300 dpi: Brother QL and DYMO LabelWriter label printers.
        let raster = renderer.raster(&page, 300.0).unwrap();
        let codes = support::decode_qr(raster.width as usize, raster.height as usize, &raster.grey());
        assert_eq!(codes.len(), 1, "{size:?}: one QR code on the badge");
        let check = kiosk.check_badge(&codes[0]).unwrap();
        assert!(check.valid, "{size:?}: {check:?}");
        assert_eq!(check.visit.unwrap().name, "欧阳娜娜");
    }
}

#[test]
fn forged_foreign_malformed_and_signed_out_badges_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = support::open_kiosk(dir.path(), Arc::default());
    let visit = kiosk.sign_in(visitor("Ann Lee")).unwrap();
    let genuine = kiosk.badge_data(visit.id, Lang::En).unwrap().token;
    assert!(kiosk.check_badge(&genuine).unwrap().valid);

    let parsed = token::parse(&genuine).unwrap();
    // Signed with some other key, claiming this site and this visit.
    let other = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let forged = token::sign(&token::Claims { key_id: parsed.claims.key_id, ..parsed.claims.clone() }, &other);
    assert_eq!(kiosk.check_badge(&forged).unwrap().refusal, Some(BadgeRefusal::Forged));
    // A badge of another site.
    let foreign = token::sign(&token::Claims { site: SiteId("harbour-point".into()), ..parsed.claims.clone() }, &other);
    let check = kiosk.check_badge(&foreign).unwrap();
    assert_eq!((check.refusal, check.other_site.as_deref()), (Some(BadgeRefusal::WrongSite), Some("harbour-point")));
    assert_eq!(kiosk.check_badge("hello world").unwrap().refusal, Some(BadgeRefusal::Malformed));
    assert_eq!(kiosk.sign_out_by_badge(&forged).unwrap_err().code(), ErrorCode::BadgeRefused);

    // Sign-out by scan; on this device the badge is revoked at once.
    let out = kiosk.sign_out_by_badge(&format!("{genuine}\n")).unwrap();
    assert!(out.signed_out_at.is_some());
    assert_eq!(kiosk.check_badge(&genuine).unwrap().refusal, Some(BadgeRefusal::SignedOut));
    assert_eq!(kiosk.sign_out_by_badge(&genuine).unwrap_err().code(), ErrorCode::AlreadySignedOut);
    // No badge is issued for a visit that has left.
    assert_eq!(kiosk.badge_data(visit.id, Lang::En).unwrap_err().code(), ErrorCode::AlreadySignedOut);
}

static NOW_MS: AtomicU64 = AtomicU64::new(0);
fn test_clock() -> u64 {
    NOW_MS.load(Ordering::SeqCst)
}

#[test]
fn a_badge_expires_at_the_end_of_the_site_day() {
    // 2026-11-28 09:30 in Shanghai.
    NOW_MS.store(1_795_829_400_000, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let kiosk = Kiosk::open(KioskOptions {
        data_dir: dir.path().to_owned(),
        site: SiteConfig::demo().unwrap(),
        secrets,
        os_locale: None,
        wall: test_clock,
    })
    .unwrap();
    let visit = kiosk.sign_in(visitor("王小明")).unwrap();
    let data = kiosk.badge_data(visit.id, Lang::ZhCn).unwrap();
    let local = data.expires_at.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    assert_eq!(local.strftime("%Y-%m-%d %H:%M:%S").to_string(), "2026-11-28 23:59:59");
    assert!(kiosk.check_badge(&data.token).unwrap().valid);

    // Late that evening: still valid. Next morning: expired.
    NOW_MS.store(1_795_829_400_000 + 14 * 3_600_000, Ordering::SeqCst);
    assert!(kiosk.check_badge(&data.token).unwrap().valid);
    NOW_MS.store(1_795_829_400_000 + 15 * 3_600_000, Ordering::SeqCst);
    let check = kiosk.check_badge(&data.token).unwrap();
    assert_eq!(check.refusal, Some(BadgeRefusal::Expired));
    assert_eq!(kiosk.sign_out_by_badge(&data.token).unwrap_err().code(), ErrorCode::BadgeRefused);
}

/// Every op in a device's log, as sync would ship them.
fn ops_of(dir: &std::path::Path) -> Vec<Op> {
    let conn = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let mut stmt = conn.prepare("SELECT id, hlc, device, seq, site, body FROM ops ORDER BY hlc").unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })
    .unwrap()
    .map(|row| {
        let (id, hlc, device, seq, site, body) = row.unwrap();
        Op {
            id: id.parse().unwrap(),
            hlc: hlc.parse::<Hlc>().unwrap(),
            device: device.parse().unwrap(),
            seq: seq as u64,
            site: SiteId(site),
            body: serde_json::from_str(&body).unwrap(),
        }
    })
    .collect()
}

#[test]
fn a_sign_out_on_another_device_revokes_the_badge_here_once_it_has_synced() {
    // Two kiosks of one site; they share the site key (one keyring here, as the hub would
    // hand it to both).
    let secrets = Arc::new(MemorySecretStore::default());
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = support::open_kiosk(dir_a.path(), secrets.clone());
    let b = support::open_kiosk(dir_b.path(), secrets);
    assert_eq!(a.badge_key().public_key, b.badge_key().public_key);

    let visit = a.sign_in(visitor("陈思远")).unwrap();
    let badge = a.badge_data(visit.id, Lang::ZhCn).unwrap().token;

    // Before any sync, B knows the badge is genuine but not the visit.
    let check = b.check_badge(&badge).unwrap();
    assert!(check.valid && check.visit.is_none(), "{check:?}");
    assert_eq!(b.sign_out_by_badge(&badge).unwrap_err().code(), ErrorCode::VisitNotFound);

    let mut store_b = frontdesk_core::storage::Store::open(&dir_b.path().join(DATABASE_FILE)).unwrap();
    store_b.apply_all(&ops_of(dir_a.path()), 0).unwrap();
    assert_eq!(b.check_badge(&badge).unwrap().visit.unwrap().name, "陈思远");

    // Signed out at A: A refuses at once, B still accepts until the sign-out reaches it.
    a.sign_out(visit.id).unwrap();
    assert_eq!(a.check_badge(&badge).unwrap().refusal, Some(BadgeRefusal::SignedOut));
    assert!(b.check_badge(&badge).unwrap().valid);
    store_b.apply_all(&ops_of(dir_a.path()), 0).unwrap();
    assert_eq!(b.check_badge(&badge).unwrap().refusal, Some(BadgeRefusal::SignedOut));
}

#[test]
fn a_kiosk_given_only_the_public_key_checks_badges_but_cannot_issue_them() {
    let secrets = Arc::new(MemorySecretStore::default());
    let dir_a = tempfile::tempdir().unwrap();
    let a = support::open_kiosk(dir_a.path(), secrets);
    let visit = a.sign_in(visitor("Ann Lee")).unwrap();
    let badge = a.badge_data(visit.id, Lang::En).unwrap().token;

    let mut site = SiteConfig::demo().unwrap();
    site.badges.public_key = Some(a.badge_key().public_key);
    let dir_g = tempfile::tempdir().unwrap();
    let guard = Kiosk::open(KioskOptions {
        data_dir: dir_g.path().to_owned(),
        site,
        secrets: Arc::new(MemorySecretStore::default()),
        os_locale: None,
        wall: frontdesk_core::hlc::system_millis,
    })
    .unwrap();
    assert!(!guard.badge_key().can_issue);
    assert!(guard.check_badge(&badge).unwrap().valid);
    let own = guard.sign_in(visitor("Bo")).unwrap();
    assert_eq!(guard.badge_data(own.id, Lang::En).unwrap_err().code(), ErrorCode::BadgeKeyUnavailable);
}
