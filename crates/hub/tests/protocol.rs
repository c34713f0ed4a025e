//! The hub over real HTTPS on loopback with a real database file: enrolment, and every kind
//! of bad input a hub must refuse with a 4xx and a clear `{code, message}`, storing nothing.

mod common;

use common::*;
use frontdesk_core::hlc::{Hlc, system_millis};
use frontdesk_core::ids::{DeviceId, HostId, OpId, SiteId};
use frontdesk_core::op::{HostRecord, Op, OpBody};
use frontdesk_core::sync::SyncError;
use frontdesk_core::sync::credentials::{self, EnrolmentCode, Fingerprint};
use frontdesk_core::sync::protocol::{MAX_BODY_BYTES, MAX_CLOCK_SKEW_MS, MAX_PUSH_OPS};
use frontdesk_core::visit::NewVisit;
use frontdesk_core::{CoreError, ErrorCode, Kiosk};
use frontdesk_hub::enrol::{self, MAX_FAILED_ATTEMPTS};
use frontdesk_hub::server::now;
use frontdesk_hub::store::HubStore;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_else(|| panic!("no error code in {}", self.body))
    }

    fn refused(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.code(), code, "{}", self.body);
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()), "a clear message: {}", self.body);
    }
}

async fn send(method: reqwest::Method, url: String, token: Option<&str>, body: Option<Vec<u8>>) -> Answer {
    let mut request = raw_client().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body);
    }
    let response = request.send().await.expect("the hub answers");
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    let body =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
    Answer { status, body }
}

async fn push_json(hub: &frontdesk_hub::RunningHub, token: Option<&str>, body: Value) -> Answer {
    send(reqwest::Method::POST, format!("{}/v1/ops", hub.url()), token, Some(serde_json::to_vec(&body).unwrap())).await
}

async fn push(hub: &frontdesk_hub::RunningHub, token: &str, ops: &[Op]) -> Answer {
    push_json(hub, Some(token), json!({ "ops": ops })).await
}

async fn stored_ops(hub: &frontdesk_hub::RunningHub) -> u64 {
    hub.state.store.op_counts().await.unwrap().iter().map(|(_, n)| n).sum()
}

fn sign_in(kiosk: &Kiosk, name: &str) {
    kiosk
        .sign_in(NewVisit {
            name: name.into(),
            company: String::new(),
            host_id: HostId("li-na".into()),
            purpose: String::new(),
            ..NewVisit::default()
        })
        .unwrap();
}

/// A kiosk enrolled at `hub`, with its seeded directory and one visit not yet pushed.
async fn enrolled(
    hub: &frontdesk_hub::RunningHub,
    dir: &std::path::Path,
    name: &str,
) -> (std::sync::Arc<Kiosk>, String) {
    let kiosk = open_kiosk(dir);
    enrol_kiosk(hub, &kiosk, name).await;
    sign_in(&kiosk, &format!("visitor of {name}"));
    let token = credential(&kiosk);
    (kiosk, token)
}

#[tokio::test]
async fn health_answers_with_the_version_and_unknown_routes_with_json() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(dir.path()).await;
    let health = send(reqwest::Method::GET, format!("{}/v1/health", hub.url()), None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(health.body["api"], 1);
    send(reqwest::Method::GET, format!("{}/v2/anything", hub.url()), None, None).await.refused(404, "not_found");
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn enrolment_pins_the_hubs_certificate_and_keeps_the_credential_in_the_keyring_only() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let kiosk = open_kiosk(&dir.path().join("kiosk"));
    let link = enrol_kiosk(&hub, &kiosk, "Lobby desk 1").await;
    assert_eq!(link.fingerprint, hub.fingerprint, "the kiosk pinned the certificate the hub serves");
    assert_eq!(link.device_name, "Lobby desk 1");
    assert_eq!(link.site.0, SITE);
    let devices = hub.state.store.devices().await.unwrap();
    assert_eq!(devices.len(), 1);
    let token = credential(&kiosk);
    assert_ne!(devices[0].credential_hash, token, "the hub keeps only a hash");
    assert!(!devices[0].credential_hash.contains(token.rsplit('.').next().unwrap()));
    // The hub's database file holds no credential either.
    drop(devices);
    hub.shutdown(std::time::Duration::from_secs(1)).await;
    for entry in std::fs::read_dir(dir.path().join("hub")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                "{} holds the credential",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn codes_work_once_expire_and_burn_after_wrong_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let url = hub.url();

    // Replay: a used code is refused, and the second kiosk stays unenrolled.
    let code = code_for(&hub, SITE, "Lobby").await;
    let first = open_kiosk(&dir.path().join("a"));
    frontdesk_core::sync::client::enrol(&first, &url, &code, false).await.unwrap();
    let second = open_kiosk(&dir.path().join("b"));
    let err = frontdesk_core::sync::client::enrol(&second, &url, &code, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::EnrolmentCodeUsed, "{err}");
    assert!(second.hub_link().unwrap().is_none());

    // Expired: a code issued 16 minutes ago.
    let (old, _) =
        enrol::issue_code(&hub.state.store, &SiteId(SITE.into()), "Late", now() - jiff::SignedDuration::from_mins(16))
            .await
            .unwrap();
    let err = frontdesk_core::sync::client::enrol(&second, &url, &old.to_string(), false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::EnrolmentCodeExpired, "{err}");

    // Unknown code.
    let err = frontdesk_core::sync::client::enrol(&second, &url, &EnrolmentCode::generate().to_string(), false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::EnrolmentCodeInvalid, "{err}");

    // Mistyped secret part: refused, and after a few tries the code is burnt even when typed right.
    let code = code_for(&hub, SITE, "Guessed").await;
    let mut wrong = code.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    for _ in 0..MAX_FAILED_ATTEMPTS {
        let err = frontdesk_core::sync::client::enrol(&second, &url, &wrong, false).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::EnrolmentCodeInvalid, "{err}");
    }
    let err = frontdesk_core::sync::client::enrol(&second, &url, &code, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::EnrolmentCodeInvalid, "{err}");

    // Malformed codes never reach the hub.
    let err = frontdesk_core::sync::client::enrol(&second, &url, "12345", false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::EnrolmentCodeFormat);

    // A code for another site: the kiosk's data belongs to riverside-tower.
    let elsewhere = code_for(&hub, "harbour-office", "Lobby").await;
    let err = frontdesk_core::sync::client::enrol(&second, &url, &elsewhere, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::SiteMismatch, "{err}");

    assert!(second.hub_link().unwrap().is_none());
    assert_eq!(hub.state.store.devices().await.unwrap().len(), 1, "only the first kiosk is enrolled");
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_proof_made_for_another_certificate_is_refused() {
    // What a man in the middle would send: the real code id and device, but the proof the
    // kiosk computed over the certificate it saw (the attacker's).
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let code: EnrolmentCode = code_for(&hub, SITE, "Lobby").await.parse().unwrap();
    let device = DeviceId::new();
    let site = SiteId(SITE.into());
    let attacker = Fingerprint::of_der(b"the attacker's certificate");
    let body = json!({
        "code_id": code.id(),
        "device": device,
        "site": SITE,
        "handover_seq": 0,
        "proof": credentials::kiosk_proof(&code, Some(&attacker), device, &site, 0),
        "app_version": "test",
    });
    let answer =
        send(reqwest::Method::POST, format!("{}/v1/enrol", hub.url()), None, Some(serde_json::to_vec(&body).unwrap()))
            .await;
    answer.refused(401, "code_invalid");
    assert!(hub.state.store.devices().await.unwrap().is_empty());
    // The genuine kiosk still gets in with the same code.
    let proof = credentials::kiosk_proof(&code, hub.fingerprint.as_ref(), device, &site, 0);
    let body = json!({ "code_id": code.id(), "device": device, "site": SITE, "handover_seq": 0, "proof": proof, "app_version": "t" });
    let answer =
        send(reqwest::Method::POST, format!("{}/v1/enrol", hub.url()), None, Some(serde_json::to_vec(&body).unwrap()))
            .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let credential = answer.body["credential"].as_str().unwrap();
    assert!(credentials::verify_hub_proof(
        &code,
        hub.fingerprint.as_ref(),
        device,
        credential,
        answer.body["proof"].as_str().unwrap()
    ));
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn malformed_and_oversized_pushes_are_refused_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let (kiosk, token) = enrolled(&hub, &dir.path().join("a"), "A").await;
    let url = format!("{}/v1/ops", hub.url());
    let before = stored_ops(&hub).await;

    for body in [
        &b"{not json"[..],
        b"",
        b"[]",
        b"{\"ops\": 5}",
        b"{\"ops\": [{\"id\": \"x\"}]}",
        b"{\"ops\": [], \"extra\": 1}",
    ] {
        send(reqwest::Method::POST, url.clone(), Some(&token), Some(body.to_vec())).await.refused(400, "malformed");
    }
    // An op body of an unknown kind, or with fields it does not have.
    let good = &kiosk.outbox(1).unwrap()[0];
    let mut unknown_kind = serde_json::to_value(good).unwrap();
    unknown_kind["body"]["kind"] = json!("visit.teleported");
    push_json(&hub, Some(&token), json!({ "ops": [unknown_kind] })).await.refused(400, "malformed");
    let mut extra_field = serde_json::to_value(good).unwrap();
    extra_field["body"]["sneaky"] = json!(true);
    push_json(&hub, Some(&token), json!({ "ops": [extra_field] })).await.refused(400, "malformed");

    let huge = vec![b' '; MAX_BODY_BYTES + 1];
    send(reqwest::Method::POST, url.clone(), Some(&token), Some(huge)).await.refused(413, "payload_too_large");

    let many: Vec<Value> = (0..=MAX_PUSH_OPS).map(|_| serde_json::to_value(good).unwrap()).collect();
    push_json(&hub, Some(&token), json!({ "ops": many })).await.refused(413, "payload_too_large");

    // One op over the per-op limit, otherwise valid (a host entry with an absurd name).
    let mut fat = serde_json::to_value(good).unwrap();
    assert_eq!(fat["body"]["kind"], "host.upserted");
    fat["body"]["name"] = json!("x".repeat(70 * 1024));
    push_json(&hub, Some(&token), json!({ "ops": [fat] })).await.refused(413, "payload_too_large");

    // A bad page request.
    send(reqwest::Method::GET, format!("{url}?after=minus-one"), Some(&token), None).await.refused(400, "malformed");

    assert_eq!(stored_ops(&hub).await, before);
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn unknown_forged_and_revoked_devices_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let (kiosk, token) = enrolled(&hub, &dir.path().join("a"), "A").await;
    let ops = kiosk.outbox(100).unwrap();
    let url = format!("{}/v1/ops", hub.url());

    push_json(&hub, None, json!({ "ops": ops })).await.refused(401, "unauthorized");
    push_json(&hub, Some("nonsense"), json!({ "ops": ops })).await.refused(401, "unauthorized");
    // Well formed, but for a device the hub never enrolled, or with the wrong secret.
    let stranger = frontdesk_core::sync::credentials::DeviceCredential::generate(DeviceId::new());
    let stranger = std::str::from_utf8(stranger.expose()).unwrap().to_owned();
    push_json(&hub, Some(&stranger), json!({ "ops": ops })).await.refused(401, "device_unknown");
    let forged = frontdesk_core::sync::credentials::DeviceCredential::generate(kiosk.device_id());
    let forged = std::str::from_utf8(forged.expose()).unwrap().to_owned();
    push_json(&hub, Some(&forged), json!({ "ops": ops })).await.refused(401, "device_unknown");
    send(reqwest::Method::GET, format!("{url}?after=0"), Some(&forged), None).await.refused(401, "device_unknown");
    assert_eq!(stored_ops(&hub).await, 0);

    // Revoked: refused at once, on every route, with its own code.
    assert_eq!(push(&hub, &token, &ops).await.status, StatusCode::OK);
    hub.state.store.revoke(kiosk.device_id(), now()).await.unwrap();
    let stored = stored_ops(&hub).await;
    sign_in(&kiosk, "after revocation");
    push(&hub, &token, &kiosk.outbox(100).unwrap()).await.refused(403, "device_revoked");
    send(reqwest::Method::GET, format!("{url}?after=0"), Some(&token), None).await.refused(403, "device_revoked");
    assert_eq!(stored_ops(&hub).await, stored);

    // An admin brings it back with a new code: a new credential; the old one stays refused.
    kiosk.mark_revoked().unwrap();
    enrol_kiosk(&hub, &kiosk, "A again").await;
    assert!(kiosk.hub_link().unwrap().unwrap().revoked_at.is_none());
    let fresh = credential(&kiosk);
    assert_ne!(fresh, token);
    push(&hub, &token, &kiosk.outbox(100).unwrap()).await.refused(401, "device_unknown");
    let answer = push(&hub, &fresh, &kiosk.outbox(100).unwrap()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(stored_ops(&hub).await, stored + 2, "the sign-in and its private details");
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_device_cannot_write_for_another_site_another_device_or_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let (a, token_a) = enrolled(&hub, &dir.path().join("a"), "A").await;
    let (b, _token_b) = enrolled(&hub, &dir.path().join("b"), "B").await;
    let ops = a.outbox(100).unwrap();

    let mut other_site = ops.clone();
    for op in &mut other_site {
        op.site = SiteId("harbour-office".into());
    }
    push(&hub, &token_a, &other_site).await.refused(403, "site_mismatch");

    // B's ops pushed with A's credential.
    push(&hub, &token_a, &b.outbox(100).unwrap()).await.refused(403, "device_mismatch");

    // A stamp naming another device.
    let mut stolen = ops.clone();
    stolen[0].hlc.device = b.device_id();
    push(&hub, &token_a, &stolen).await.refused(422, "invalid_op");

    // A clock far ahead.
    let mut future = ops.clone();
    let last = future.len() - 1;
    future[last].hlc.millis = system_millis() + MAX_CLOCK_SKEW_MS + 60_000;
    push(&hub, &token_a, &future).await.refused(422, "clock_skew");

    assert_eq!(stored_ops(&hub).await, 0, "nothing of a refused batch is stored");

    // Site data written before enrolment is handed up; after it, it is the hub's to write.
    assert_eq!(push(&hub, &token_a, &ops).await.status, StatusCode::OK);
    let handover = a.hub_link().unwrap().unwrap().handover_seq;
    let next = ops.last().unwrap().seq + 1;
    assert!(next > handover);
    let directory_change = Op {
        id: OpId::new(),
        hlc: Hlc { millis: system_millis(), counter: 0, device: a.device_id() },
        device: a.device_id(),
        seq: next,
        site: SiteId(SITE.into()),
        body: OpBody::HostUpserted(HostRecord {
            id: HostId("li-na".into()),
            name: "Mallory".into(),
            department: String::new(),
            extension: String::new(),
            email: String::new(),
            may_escort: true,
            active: true,
        }),
    };
    let stored = stored_ops(&hub).await;
    push(&hub, &token_a, &[directory_change]).await.refused(403, "not_author");
    assert_eq!(stored_ops(&hub).await, stored);
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn resent_ops_are_no_ops_and_sequence_rules_hold() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let (a, token) = enrolled(&hub, &dir.path().join("a"), "A").await;
    let ops = a.outbox(100).unwrap();
    let n = ops.len() as u64;

    // A gap: the hub says where to continue.
    let gap = push(&hub, &token, &ops[1..]).await;
    gap.refused(422, "sequence_gap");
    assert_eq!(gap.body["expected_seq"], 1);

    let first = push(&hub, &token, &ops).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!((first.body["stored"].as_u64(), first.body["device_seq"].as_u64()), (Some(n), Some(n)));
    let again = push(&hub, &token, &ops).await;
    assert_eq!((again.body["stored"].as_u64(), again.body["duplicates"].as_u64()), (Some(0), Some(n)));
    assert_eq!(stored_ops(&hub).await, n);

    // The same id with other content, or another op in a taken slot: conflicts.
    let mut altered = ops[0].clone();
    altered.hlc.counter += 1;
    push(&hub, &token, &[altered]).await.refused(409, "sequence_conflict");
    let mut reused = ops[0].clone();
    reused.id = OpId::new();
    let conflict = push(&hub, &token, &[reused]).await;
    conflict.refused(409, "sequence_conflict");
    assert_eq!(conflict.body["expected_seq"].as_u64(), Some(n + 1));
    assert_eq!(stored_ops(&hub).await, n);
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn pulls_page_through_other_devices_ops_only() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let (a, token_a) = enrolled(&hub, &dir.path().join("a"), "A").await;
    let (b, token_b) = enrolled(&hub, &dir.path().join("b"), "B").await;
    let a_ops = a.outbox(100).unwrap();
    push(&hub, &token_a, &a_ops).await;
    push(&hub, &token_b, &b.outbox(100).unwrap()).await;

    let url = format!("{}/v1/ops", hub.url());
    let mut after = 0;
    let mut at: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let mut query = format!("{url}?after={after}&limit=3");
        if let Some(at) = &at {
            query.push_str(&format!("&at={at}"));
        }
        let page = send(reqwest::Method::GET, query, Some(&token_b), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let ops: Vec<Op> = serde_json::from_value(page.body["ops"].clone()).unwrap();
        assert!(ops.len() <= 3);
        assert!(ops.iter().all(|op| op.device == a.device_id()), "never the asking device's own ops");
        seen.extend(ops.into_iter().map(|op| op.id));
        after = page.body["next"].as_u64().unwrap();
        at = page.body["next_id"].as_str().map(str::to_owned);
        if after == page.body["head"].as_u64().unwrap() {
            break;
        }
    }
    assert_eq!(seen, a_ops.iter().map(|op| op.id).collect::<Vec<_>>());

    // A cursor naming an op the hub does not hold there: it starts over from 0.
    let page = send(reqwest::Method::GET, format!("{url}?after=2&at={}", OpId::new()), Some(&token_b), None).await;
    assert_eq!(page.body["from"], 0);
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_pinned_kiosk_refuses_a_hub_with_another_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let (kiosk, _) = enrolled(&hub, &dir.path().join("a"), "A").await;
    let mut link = kiosk.hub_link().unwrap().unwrap();
    let impostor = start_hub(&dir.path().join("impostor")).await;
    assert_ne!(impostor.fingerprint, hub.fingerprint);
    link.url = impostor.url();
    let client =
        frontdesk_core::sync::client::HubClient::for_link(&link, kiosk.hub_credential().unwrap(), false).unwrap();
    let err = client.push_ops(kiosk.outbox(10).unwrap()).await.unwrap_err();
    assert!(matches!(err, SyncError::HubIdentity), "{err}");
    let err = client.live(0).await.err().unwrap();
    assert!(matches!(err, SyncError::HubIdentity), "{err}");
    let core: CoreError = err.into();
    assert_eq!(core.code(), ErrorCode::HubIdentity);
    assert_eq!(stored_ops(&impostor).await, 0);
    impostor.shutdown(std::time::Duration::from_secs(1)).await;
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}

#[tokio::test]
async fn the_live_channel_announces_new_ops_and_revocation() {
    use frontdesk_core::sync::protocol::LiveEvent;

    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(&dir.path().join("hub")).await;
    let (a, token_a) = enrolled(&hub, &dir.path().join("a"), "A").await;
    let (b, _) = enrolled(&hub, &dir.path().join("b"), "B").await;
    let link = b.hub_link().unwrap().unwrap();
    let client = frontdesk_core::sync::client::HubClient::for_link(&link, b.hub_credential().unwrap(), false).unwrap();
    let mut live = client.live(0).await.unwrap();
    assert_eq!(live.next_event().await.unwrap(), LiveEvent::Hello { head: 0, heartbeats: true });

    let answer = push(&hub, &token_a, &a.outbox(100).unwrap()).await;
    let head = answer.body["head"].as_u64().unwrap();
    assert_eq!(live.next_event().await.unwrap(), LiveEvent::Ops { head });

    // Revoked by the command line beside the running hub: the channel says so and closes.
    let cli = frontdesk_hub::SqliteHubStore::open(&dir.path().join("hub")).unwrap();
    cli.revoke(b.device_id(), now()).await.unwrap();
    assert_eq!(live.next_event().await.unwrap(), LiveEvent::Revoked);
    assert!(live.next_event().await.is_err());
    let err = client.live(0).await.err().unwrap();
    assert!(matches!(err, SyncError::Revoked), "{err}");
    hub.shutdown(std::time::Duration::from_secs(1)).await;
}
