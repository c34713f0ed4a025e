//! A watch list published at a real hub reaches its kiosks: names match in any script, ID
//! numbers match by the site's keyed hash (the hub never stores them in clear), entries the file
//! drops are deactivated, and a bad file publishes nothing.

mod common;

use std::time::Duration;

use common::*;
use frontdesk_core::Kiosk;
use frontdesk_core::ids::{HostId, SiteId};
use frontdesk_core::sync::SyncState;
use frontdesk_core::visit::NewVisit;
use frontdesk_core::visitors::{IdType, NewVisitDetails};
use frontdesk_hub::store::HubStore;

const LISTED_ID: &str = "11010519491231002X";

fn hit(kiosk: &Kiosk, name: &str, id_number: &str) -> bool {
    let details = NewVisitDetails {
        id_type: (!id_number.is_empty()).then_some(IdType::CnResident),
        id_number: id_number.into(),
        ..Default::default()
    };
    let form = NewVisit { name: name.into(), host_id: HostId("li-na".into()), details, ..NewVisit::default() };
    let visit = kiosk.sign_in(form).unwrap();
    kiosk.visit_has_watchlist_hit(visit.id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_published_watch_list_reaches_the_kiosks_without_clear_id_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let hub = start_hub(&hub_dir).await;
    let site = SiteId(SITE.into());
    let file = format!(
        "[[entry]]\nid = \"w-001\"\nname = \"张三\"\nreason = \"Banned after an incident\"\n\n\
         [[entry]]\nid = \"w-002\"\nid_type = \"cn_resident\"\nid_number = \"{LISTED_ID}\"\n"
    );
    let refused = frontdesk_hub::author::publish_watchlist(&hub.state.store, &site, &file).await.unwrap_err();
    assert!(refused.to_string().contains("enrol one of its kiosks first"), "{refused}");

    let kiosk = open_kiosk(&dir.path().join("k"));
    enrol_kiosk(&hub, &kiosk, "Lobby").await;
    let sync = engine(kiosk.clone());
    eventually("the kiosk hands the site's keys up", || {
        kiosk.site_secrets_settled().unwrap() && sync.status().unwrap().state == SyncState::Synced
    })
    .await;

    let report = frontdesk_hub::author::publish_watchlist(&hub.state.store, &site, &file).await.unwrap();
    assert_eq!((report.written, report.deactivated), (2, 0));
    let token = admin_token(&kiosk);
    eventually("the list reaches the kiosk", || kiosk.watchlist(&token).unwrap().len() == 2).await;
    let listed = kiosk.watchlist(&token).unwrap();
    assert!(listed.iter().any(|e| e.id_masked.as_deref().is_some_and(|m| m.starts_with("110") && !m.contains("1949"))));
    assert!(hit(&kiosk, "張三", ""), "traditional script matches the listed simplified name");
    assert!(hit(&kiosk, "Someone Else", LISTED_ID), "the ID matches by the site's hash");
    assert!(!hit(&kiosk, "Ann Lee", ""));
    let bytes: Vec<u8> = ["hub.sqlite3", "hub.sqlite3-wal"]
        .iter()
        .flat_map(|f| std::fs::read(hub_dir.join(f)).unwrap_or_default())
        .collect();
    assert!(!bytes.windows(LISTED_ID.len()).any(|w| w == LISTED_ID.as_bytes()), "no clear ID at the hub");

    let again = frontdesk_hub::author::publish_watchlist(&hub.state.store, &site, &file).await.unwrap();
    assert_eq!((again.written, again.deactivated), (0, 0), "the same file writes nothing");
    let shorter = file.split("\n\n").next().unwrap().to_owned();
    let dropped = frontdesk_hub::author::publish_watchlist(&hub.state.store, &site, &shorter).await.unwrap();
    assert_eq!((dropped.written, dropped.deactivated), (0, 1));
    eventually("the dropped entry stops matching", || !hit(&kiosk, "Another Person", LISTED_ID)).await;

    let before = hub.state.store.ops_of_kind(site.clone(), "watchlist.upserted").await.unwrap().len();
    let bad = "[[entry]]\nid = \"w-003\"\nid_type = \"cn_resident\"\nid_number = \"110105194912310021\"\n";
    let err = frontdesk_hub::author::publish_watchlist(&hub.state.store, &site, bad).await.unwrap_err().to_string();
    assert!(err.contains("entry[0].id_number"), "{err}");
    assert_eq!(hub.state.store.ops_of_kind(site, "watchlist.upserted").await.unwrap().len(), before);
    hub.shutdown(Duration::from_secs(1)).await;
}
