//! The site's shared keys through a real hub: two desks that each started standalone (each made
//! its own badge key) enrol; the first hands its key up, the second takes the site's, and from
//! then on each desk's badges verify on the other. Badges the second desk printed before still
//! verify there. The hub's published settings carry the site's public key.

mod common;

use std::time::Duration;

use common::*;
use frontdesk_core::Kiosk;
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::HostId;
use frontdesk_core::site::SiteConfig;
use frontdesk_core::sync::SyncState;
use frontdesk_core::visit::NewVisit;
use reqwest::Method;

fn token_for(kiosk: &Kiosk, name: &str) -> String {
    let visit = kiosk
        .sign_in(NewVisit {
            name: name.into(),
            company: "Acme".into(),
            host_id: HostId("li-na".into()),
            purpose: String::new(),
            ..NewVisit::default()
        })
        .unwrap();
    kiosk.badge_data(visit.id, Lang::En).unwrap().token
}

fn public_key(kiosk: &Kiosk) -> String {
    kiosk.badge_key().public_key
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn desks_that_started_alone_share_the_site_badge_key_through_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let a = open_kiosk(&dir.path().join("a"));
    let b = open_kiosk(&dir.path().join("b"));
    let (key_a, key_b) = (public_key(&a), public_key(&b));
    assert_ne!(key_a, key_b, "each standalone desk made its own site key");
    let printed_alone_at_b = token_for(&b, "Printed before enrolment");
    assert!(!a.check_badge(&printed_alone_at_b).unwrap().valid, "A cannot know B's own key");

    enrol_kiosk(&hub, &a, "Lobby A").await;
    let ea = engine(a.clone());
    eventually("A hands its key up", || {
        a.site_secrets_settled().unwrap() && ea.status().unwrap().state == SyncState::Synced
    })
    .await;
    enrol_kiosk(&hub, &b, "Lobby B").await;
    let eb = engine(b.clone());
    eventually("B takes the site's key", || {
        b.site_secrets_settled().unwrap() && eb.status().unwrap().state == SyncState::Synced
    })
    .await;
    assert_eq!(public_key(&a), key_a, "the first desk's key became the site's: its badges stay valid");
    assert_eq!(public_key(&b), key_a);

    let from_a = token_for(&a, "Signed in at A");
    let from_b = token_for(&b, "Signed in at B");
    eventually("the visits reach the other desk", || {
        b.check_badge(&from_a).unwrap().valid && a.check_badge(&from_b).unwrap().valid
    })
    .await;
    assert!(b.check_badge(&printed_alone_at_b).unwrap().valid, "B still checks the badges it printed alone");

    // The ID-hashing key is the site's too: a returning visitor signed in at A is found at B by
    // phone number, though neither desk stores the number itself.
    let returning = a
        .sign_in(NewVisit {
            name: "Returning Rita".into(),
            company: "Acme".into(),
            host_id: HostId("li-na".into()),
            details: frontdesk_core::visitors::NewVisitDetails { phone: "138 0013 8000".into(), ..Default::default() },
            ..NewVisit::default()
        })
        .unwrap();
    let query = frontdesk_core::kiosk::ReturningQuery {
        number: "13800138000".into(),
        name: String::new(),
        company: String::new(),
    };
    eventually("B finds A's visitor by phone", || {
        b.returning_lookup(&query).unwrap().is_some_and(|found| found.visit_id == returning.id)
    })
    .await;
    let token = match b.admin_login("000000").unwrap() {
        frontdesk_core::kiosk::AdminLogin::Granted(s) => s.token,
        other => panic!("{other:?}"),
    };
    b.change_admin_pin(&token, "482915", "482915").unwrap();
    assert!(b.recent_audit(&token, 100).unwrap().iter().any(|e| e.action == "site_keys_adopted"), "audited");

    // Published settings carry the site's public key; a site file naming another is refused.
    let mut site = SiteConfig::demo().unwrap();
    frontdesk_hub::author::publish_site(&hub.state.store, &site).await.unwrap();
    eventually("the settings arrive", || b.site().badges.public_key.as_deref() == Some(key_a.as_str())).await;
    site.badges.public_key = Some(key_b.clone());
    let refused = frontdesk_hub::author::publish_site(&hub.state.store, &site).await.unwrap_err();
    assert!(refused.to_string().contains("badges.public_key"), "{refused}");
    assert!(a.check_badge(&from_b).unwrap().valid, "nothing changed");
    hub.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_site_secret_offers_are_refused_and_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let kiosk = open_kiosk(&dir.path().join("k"));
    enrol_kiosk(&hub, &kiosk, "Lobby").await;
    let token = credential(&kiosk);
    let url = format!("{}/v1/site-secrets", hub.url());
    let send = |body: &'static str, auth: Option<String>| {
        let mut request =
            raw_client().request(Method::POST, &url).header("content-type", "application/json").body(body);
        if let Some(auth) = auth {
            request = request.bearer_auth(auth);
        }
        request.send()
    };
    for body in [
        r#"{"secrets":{"badge-signing":"c2hvcnQ"}}"#,
        r#"{"secrets":{"admin-pin":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#,
        r#"{"secrets":{},"extra":1}"#,
        "not json",
    ] {
        let answer = send(body, Some(token.clone())).await.unwrap();
        assert_eq!(answer.status(), 400, "{body}");
    }
    assert_eq!(send("{\"secrets\":{}}", None).await.unwrap().status(), 401);
    // Nothing was kept: an empty offer gets nothing back.
    let answer = send("{\"secrets\":{}}", Some(token)).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"secrets": {}}));
    hub.shutdown(Duration::from_secs(1)).await;
}
