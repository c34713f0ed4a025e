//! N kiosks sync through a model hub that applies the real hub's rules
//! (`sync::validate`), with random interleaving of desk work and exchanges, partitions, lost
//! acknowledgements (so ops are sent twice), re-delivery of everything pulled, small pull
//! pages, the hub publishing site data, and the hub being restored from an older backup.
//! When the network heals, every kiosk shows the same state.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use frontdesk_core::hlc::{Clock, Hlc, system_millis};
use frontdesk_core::ids::{DeviceId, HostId, OpId, SiteId};
use frontdesk_core::op::{HostRecord, Op, OpBody, SitePublished};
use frontdesk_core::secrets::{MemorySecretStore, Secret};
use frontdesk_core::site::SiteConfig;
use frontdesk_core::storage::{DATABASE_FILE, Store};
use frontdesk_core::sync::protocol::{PullResponse, PushResponse};
use frontdesk_core::sync::round::{Transport, sync_round};
use frontdesk_core::sync::validate::{self, Arrival, Pusher};
use frontdesk_core::sync::{HubError, HubLink, SyncError};
use frontdesk_core::visit::NewVisit;
use frontdesk_core::{Kiosk, KioskOptions};
use proptest::prelude::*;

const HOSTS: [&str; 4] = ["zhang-wei", "li-na", "wang-fang", "emma-clarke"];

/// The hub's rules over an in-memory log.
#[derive(Default)]
struct ModelHub {
    log: Vec<Op>,
    by_id: HashMap<OpId, String>,
    author: Option<(DeviceId, Clock)>,
}

impl ModelHub {
    fn device_seq(&self, device: DeviceId) -> u64 {
        self.log.iter().filter(|op| op.device == device).map(|op| op.seq).max().unwrap_or(0)
    }

    fn push(&mut self, pusher: &Pusher, ops: Vec<Op>) -> Result<PushResponse, HubError> {
        validate::check_batch(pusher, &ops, system_millis())?;
        let mut seq = self.device_seq(pusher.device);
        let mut staged: Vec<(Op, String)> = Vec::new();
        let mut duplicates = 0;
        for op in ops {
            let json = validate::op_json(&op);
            let existing = self.by_id.get(&op.id).cloned();
            match validate::classify(&op, &json, existing.as_deref(), seq)? {
                Arrival::Duplicate => duplicates += 1,
                Arrival::New => {
                    seq = op.seq;
                    staged.push((op, json));
                }
            }
        }
        let stored = staged.len() as u32;
        for (op, json) in staged {
            self.by_id.insert(op.id, json);
            self.log.push(op);
        }
        Ok(PushResponse { stored, duplicates, device_seq: seq, head: self.log.len() as u64 })
    }

    /// Cursor N is the N-th op of the log (1-based), as on the real hub.
    fn pull(&self, device: DeviceId, after: u64, at: Option<OpId>, limit: u32) -> PullResponse {
        let head = self.log.len() as u64;
        let id_at = |cursor: u64| if cursor == 0 { None } else { self.log.get(cursor as usize - 1).map(|op| op.id) };
        let from = match at {
            Some(at) if after > 0 => {
                if id_at(after) == Some(at) {
                    after
                } else {
                    0
                }
            }
            _ if after > head => 0,
            _ => after,
        };
        let mut ops = Vec::new();
        let mut next = head;
        for (i, op) in self.log.iter().enumerate().skip(from as usize) {
            if op.device == device {
                continue;
            }
            ops.push(op.clone());
            if ops.len() as u32 >= limit {
                next = i as u64 + 1;
                break;
            }
        }
        PullResponse { from, ops, next, next_id: id_at(next), head, device_seq: self.device_seq(device) }
    }

    /// The hub writes site data as a device of its own, stamped after all it has seen.
    fn publish(&mut self, site: &SiteId, body: OpBody) {
        let max = self.log.iter().map(|op| op.hlc).max();
        let (device, clock) = self.author.get_or_insert_with(|| {
            let device = DeviceId::new();
            (device, Clock::new(device, None, system_millis))
        });
        let device = *device;
        if let Some(max) = max {
            clock.observe(max);
        }
        let op = Op {
            id: OpId::new(),
            hlc: clock.tick(),
            device,
            seq: self.device_seq(device) + 1,
            site: site.clone(),
            body,
        };
        let pusher = Pusher { device, site: site.clone(), handover_seq: u64::MAX };
        self.push(&pusher, vec![op]).expect("the hub's own op is valid");
    }

    /// Go back to an older backup holding the first `keep` ops. Only ops after the hub's own
    /// last write are lost (see docs/sync.md: a restored hub must not lose its own writes).
    fn restore(&mut self, keep: usize) {
        let author = self.author.as_ref().map(|(d, _)| *d);
        let floor = self.log.iter().rposition(|op| Some(op.device) == author).map_or(0, |i| i + 1);
        let keep = keep.clamp(floor, self.log.len());
        for op in self.log.drain(keep..) {
            self.by_id.remove(&op.id);
        }
    }
}

/// One kiosk's path to the hub, with the faults the test injects.
struct Link<'h> {
    hub: &'h Mutex<ModelHub>,
    pusher: Pusher,
    partitioned: AtomicBool,
    lose_next_ack: AtomicBool,
    page: AtomicU32,
}

impl Transport for Link<'_> {
    async fn push(&self, ops: Vec<Op>) -> Result<PushResponse, SyncError> {
        if self.partitioned.load(Ordering::SeqCst) {
            return Err(SyncError::Unreachable("partitioned".into()));
        }
        let answer = self.hub.lock().unwrap().push(&self.pusher, ops).map_err(SyncError::Refused)?;
        if self.lose_next_ack.swap(false, Ordering::SeqCst) {
            return Err(SyncError::Unreachable("the answer was lost".into()));
        }
        Ok(answer)
    }

    async fn pull(&self, after: u64, at: Option<OpId>, limit: u32) -> Result<PullResponse, SyncError> {
        if self.partitioned.load(Ordering::SeqCst) {
            return Err(SyncError::Unreachable("partitioned".into()));
        }
        Ok(self.hub.lock().unwrap().pull(self.pusher.device, after, at, limit.min(self.page.load(Ordering::SeqCst))))
    }
}

#[derive(Debug, Clone)]
enum Step {
    SignIn { kiosk: usize, host: usize },
    SignOut { kiosk: usize, pick: usize },
    Sync { kiosk: usize },
    Partition { kiosk: usize, on: bool },
    LoseAck { kiosk: usize },
    Redeliver { kiosk: usize },
    Page { kiosk: usize, size: u32 },
    HubHost { host: usize, active: bool, name: u8 },
    HubSettings { idle: u32 },
    HubRestore { keep: usize },
}

fn step(kiosks: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..kiosks, 0..HOSTS.len()).prop_map(|(kiosk, host)| Step::SignIn { kiosk, host }),
        3 => (0..kiosks, 0usize..8).prop_map(|(kiosk, pick)| Step::SignOut { kiosk, pick }),
        5 => (0..kiosks).prop_map(|kiosk| Step::Sync { kiosk }),
        2 => (0..kiosks, any::<bool>()).prop_map(|(kiosk, on)| Step::Partition { kiosk, on }),
        1 => (0..kiosks).prop_map(|kiosk| Step::LoseAck { kiosk }),
        1 => (0..kiosks).prop_map(|kiosk| Step::Redeliver { kiosk }),
        1 => (0..kiosks, 1u32..6).prop_map(|(kiosk, size)| Step::Page { kiosk, size }),
        1 => (0..HOSTS.len(), any::<bool>(), any::<u8>()).prop_map(|(host, active, name)| Step::HubHost { host, active, name }),
        1 => (15u32..600).prop_map(|idle| Step::HubSettings { idle }),
        1 => (0usize..200).prop_map(|keep| Step::HubRestore { keep }),
    ]
}

fn open_kiosk(dir: &std::path::Path) -> Kiosk {
    Kiosk::open(KioskOptions {
        data_dir: dir.to_owned(),
        site: SiteConfig::demo().unwrap(),
        secrets: Arc::new(MemorySecretStore::default()),
        os_locale: None,
        wall: system_millis,
    })
    .unwrap()
}

fn enrol(kiosk: &Kiosk, name: &str) -> Pusher {
    let request = kiosk.enrolment_request().unwrap();
    let link = HubLink {
        url: "https://model-hub:8443".into(),
        fingerprint: None,
        site: request.site.clone(),
        device_name: name.into(),
        handover_seq: request.handover_seq,
        enrolled_at: jiff::Timestamp::UNIX_EPOCH,
        revoked_at: None,
    };
    kiosk.complete_enrolment(&link, &Secret::new(b"credential".to_vec())).unwrap();
    Pusher { device: request.device, site: request.site, handover_seq: request.handover_seq }
}

fn dump(dir: &std::path::Path) -> Vec<String> {
    Store::open(&dir.join(DATABASE_FILE)).unwrap().read().state_dump().unwrap()
}

fn run(kiosk_count: usize, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let hub = Mutex::new(ModelHub::default());
    let site = SiteConfig::demo().unwrap();
    let dirs: Vec<tempfile::TempDir> = (0..kiosk_count).map(|_| tempfile::tempdir().unwrap()).collect();
    let kiosks: Vec<Arc<Kiosk>> = dirs.iter().map(|d| Arc::new(open_kiosk(d.path()))).collect();
    let links: Vec<Link<'_>> = kiosks
        .iter()
        .enumerate()
        .map(|(i, k)| Link {
            hub: &hub,
            pusher: enrol(k, &format!("kiosk {i}")),
            partitioned: AtomicBool::new(false),
            lose_next_ack: AtomicBool::new(false),
            page: AtomicU32::new(1_000),
        })
        .collect();

    for step in steps {
        match step {
            Step::SignIn { kiosk, host } => {
                let _ = kiosks[kiosk].sign_in(NewVisit {
                    name: format!("visitor {}", kiosks[kiosk].on_site().unwrap().len()),
                    company: String::new(),
                    host_id: HostId(HOSTS[host].into()),
                    purpose: String::new(),
                    ..NewVisit::default()
                });
            }
            Step::SignOut { kiosk, pick } => {
                let on_site = kiosks[kiosk].on_site().unwrap();
                if !on_site.is_empty() {
                    kiosks[kiosk].sign_out(on_site[pick % on_site.len()].id).unwrap();
                }
            }
            Step::Sync { kiosk } => {
                // Failing exchanges (partitions, lost answers) are part of the test.
                let _ = runtime.block_on(sync_round(&kiosks[kiosk], &links[kiosk]));
            }
            Step::Partition { kiosk, on } => links[kiosk].partitioned.store(on, Ordering::SeqCst),
            Step::LoseAck { kiosk } => links[kiosk].lose_next_ack.store(true, Ordering::SeqCst),
            Step::Redeliver { kiosk } => kiosks[kiosk].reset_pull_cursor().unwrap(),
            Step::Page { kiosk, size } => links[kiosk].page.store(size, Ordering::SeqCst),
            Step::HubHost { host, active, name } => hub.lock().unwrap().publish(
                &site.site.id,
                OpBody::HostUpserted(HostRecord {
                    id: HostId(HOSTS[host].into()),
                    name: format!("host {name}"),
                    department: "dept".into(),
                    extension: "1".into(),
                    email: String::new(),
                    may_escort: true,
                    active,
                }),
            ),
            Step::HubSettings { idle } => {
                let mut config = site.clone();
                config.hosts.clear();
                config.kiosk.idle_timeout_seconds = idle;
                hub.lock()
                    .unwrap()
                    .publish(&site.site.id, OpBody::SitePublished(SitePublished { config: Box::new(config) }));
            }
            Step::HubRestore { keep } => hub.lock().unwrap().restore(keep),
        }
    }

    // The network heals; two passes move everything everywhere.
    for link in &links {
        link.partitioned.store(false, Ordering::SeqCst);
        link.lose_next_ack.store(false, Ordering::SeqCst);
    }
    for _ in 0..2 {
        for (kiosk, link) in kiosks.iter().zip(&links) {
            runtime.block_on(sync_round(kiosk, link)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
    }

    let hub = hub.lock().unwrap();
    for (kiosk, link) in kiosks.iter().zip(&links) {
        prop_assert_eq!(kiosk.ops_waiting().unwrap(), 0);
        prop_assert_eq!(hub.device_seq(link.pusher.device), kiosk.enrolment_request().unwrap().handover_seq);
    }
    let expected = dump(dirs[0].path());
    for dir in &dirs[1..] {
        prop_assert_eq!(&dump(dir.path()), &expected);
    }
    let reference_dir = tempfile::tempdir().unwrap();
    let mut reference = Store::open(&reference_dir.path().join("reference.db")).unwrap();
    reference.apply_all(&hub.log, 0).unwrap();
    prop_assert_eq!(reference.read().state_dump().unwrap(), expected);
    // The hub's settings reached every kiosk.
    let latest: Option<u32> = hub
        .log
        .iter()
        .filter_map(|op| match &op.body {
            OpBody::SitePublished(p) => Some((op.hlc, p.config.kiosk.idle_timeout_seconds)),
            _ => None,
        })
        .max_by_key(|(hlc, _): &(Hlc, u32)| *hlc)
        .map(|(_, idle)| idle);
    if let Some(idle) = latest {
        for kiosk in &kiosks {
            prop_assert_eq!(kiosk.info().unwrap().idle_timeout_seconds, idle);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn kiosks_syncing_through_the_hub_converge_whatever_the_network_does(
        kiosk_count in 2usize..5,
        steps in prop::collection::vec(step(4), 1..60),
    ) {
        let steps = steps
            .into_iter()
            .map(|s| remap(s, kiosk_count))
            .collect();
        run(kiosk_count, steps)?;
    }
}

/// Steps are generated for 4 kiosks; fold them onto the kiosks the case has.
fn remap(step: Step, n: usize) -> Step {
    match step {
        Step::SignIn { kiosk, host } => Step::SignIn { kiosk: kiosk % n, host },
        Step::SignOut { kiosk, pick } => Step::SignOut { kiosk: kiosk % n, pick },
        Step::Sync { kiosk } => Step::Sync { kiosk: kiosk % n },
        Step::Partition { kiosk, on } => Step::Partition { kiosk: kiosk % n, on },
        Step::LoseAck { kiosk } => Step::LoseAck { kiosk: kiosk % n },
        Step::Redeliver { kiosk } => Step::Redeliver { kiosk: kiosk % n },
        Step::Page { kiosk, size } => Step::Page { kiosk: kiosk % n, size },
        other => other,
    }
}

#[test]
fn an_enrolled_kiosk_still_writes_visits_and_queues_them_for_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = open_kiosk(dir.path());
    let hosts_before = kiosk.hosts().unwrap().len();
    enrol(&kiosk, "lobby");
    // Visits are still the desk's to write.
    let visit = kiosk
        .sign_in(NewVisit {
            name: "Ann".into(),
            company: String::new(),
            host_id: HostId("li-na".into()),
            purpose: String::new(),
            ..NewVisit::default()
        })
        .unwrap();
    assert!(kiosk.on_site().unwrap().iter().any(|v| v.id == visit.id));
    assert_eq!(kiosk.hosts().unwrap().len(), hosts_before);
    assert!(kiosk.ops_waiting().unwrap() > 0);
}
