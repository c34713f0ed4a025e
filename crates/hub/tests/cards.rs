//! Emergency cards published by a real hub reach its kiosks (read-only there); a bad card file
//! is refused with its file and field and publishes nothing.

mod common;

use std::time::Duration;

use common::*;
use frontdesk_core::cards::{Role, Scenario};
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::SiteId;
use frontdesk_hub::store::HubStore;

fn built_in(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/cards").join(file);
    std::fs::read_to_string(path).unwrap()
}

fn write(folder: &std::path::Path, file: &str, text: &str) {
    let path = folder.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cards_published_at_the_hub_replace_the_built_in_ones_on_every_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let kiosk = open_kiosk(&dir.path().join("kiosk"));
    // A card file the kiosk had itself while standalone no longer counts once it is enrolled.
    let own = dir.path().join("kiosk").join(frontdesk_core::kiosk::CARDS_FOLDER);
    write(
        &own,
        "receptionist/fire.toml",
        &built_in("receptionist/fire.toml").replace("title = \"Fire\"", "title = \"Fire (desk copy)\""),
    );
    assert_eq!(kiosk.reload_cards(), frontdesk_core::cards::Reload::Updated);
    assert_eq!(kiosk.card(Role::Receptionist, Scenario::Fire, Lang::En).title, "Fire (desk copy)");
    enrol_kiosk(&hub, &kiosk, "Lobby").await;
    let _engine = engine(kiosk.clone());
    assert_eq!(kiosk.card(Role::Receptionist, Scenario::Fire, Lang::En).title, "Fire", "the hub is the author now");

    let site = SiteId(SITE.into());
    let folder = dir.path().join("site-cards");
    write(
        &folder,
        "receptionist/fire.toml",
        &built_in("receptionist/fire.toml").replace("title = \"Fire\"", "title = \"Fire — Tower B\""),
    );
    let report = frontdesk_hub::author::publish_cards(&hub.state.store, &site, &folder).await.unwrap();
    assert_eq!((report.written, report.unchanged), (1, 0));
    eventually("the published card reaches the kiosk", || {
        kiosk.card(Role::Receptionist, Scenario::Fire, Lang::En).title == "Fire — Tower B"
    })
    .await;
    assert_eq!(kiosk.card(Role::Receptionist, Scenario::Medical, Lang::En).title, "Medical emergency");
    // A guard's card at the console is the site's too.
    write(
        &folder,
        "security_guard/fire.toml",
        &built_in("security_guard/fire.toml").replace("title = \"Fire\"", "title = \"Fire, Tower B guards\""),
    );
    frontdesk_hub::author::publish_cards(&hub.state.store, &site, &folder).await.unwrap();
    let console = Console::sign_in(&hub, "wang", frontdesk_hub::store::GuardRole::Guard).await;
    let card: serde_json::Value = console.get("/console/api/card?scenario=fire&lang=en").await.json().await.unwrap();
    assert_eq!(card["title"], "Fire, Tower B guards");
    let again = frontdesk_hub::author::publish_cards(&hub.state.store, &site, &folder).await.unwrap();
    assert_eq!((again.written, again.unchanged), (0, 2), "publishing the same files again writes nothing");

    // A broken file (an action without Chinese text) is refused, naming file and field.
    let broken = built_in("security_guard/hostage.toml").replacen("[\"zh-CN\"]", "[\"zh-CN-missing\"]", 1);
    write(&folder, "security_guard/hostage.toml", &broken);
    let before = hub.state.store.ops_of_kind(site.clone(), "card.published").await.unwrap().len();
    let err = frontdesk_hub::author::publish_cards(&hub.state.store, &site, &folder).await.unwrap_err().to_string();
    assert!(err.contains("security_guard/hostage.toml"), "{err}");
    assert_eq!(hub.state.store.ops_of_kind(site, "card.published").await.unwrap().len(), before, "nothing published");
    hub.shutdown(Duration::from_secs(1)).await;
}
