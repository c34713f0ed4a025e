//! The live channel: a WebSocket between the hub and each device. Hub to device: typed events
//! (`frontdesk_core::sync::protocol::LiveEvent`): "new ops up to cursor N" nudges, revocation,
//! `alive` answers to heartbeats and answers to pushes. Device to hub (`ClientMessage`):
//! heartbeats every 5 s, and pushes of ops (alerts travel this way and by HTTP at once). Every
//! event refers to the site cursor, so a device that reconnects with `?after=<cursor>` learns
//! at once what it missed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use frontdesk_core::ids::{DeviceId, SiteId};
use frontdesk_core::sync::protocol::{ClientMessage, LiveEvent, MAX_BODY_BYTES};
use tokio::sync::{broadcast, watch};

/// How often the hub pings an idle channel, so dead connections are noticed on both ends.
pub const PING_EVERY: Duration = Duration::from_secs(15);

pub struct LiveHub {
    heads: Mutex<HashMap<SiteId, watch::Sender<u64>>>,
    revoked: broadcast::Sender<DeviceId>,
    shutdown: watch::Sender<bool>,
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub { heads: Mutex::default(), revoked: broadcast::channel(256).0, shutdown: watch::channel(false).0 }
    }
}

impl LiveHub {
    fn sender(&self, site: &SiteId) -> watch::Sender<u64> {
        let mut heads = self.heads.lock().unwrap_or_else(|e| e.into_inner());
        heads.entry(site.clone()).or_insert_with(|| watch::channel(0).0).clone()
    }

    /// The site's ops reach up to `head` now. Only ever moves forward; repeated calls with the
    /// same head wake nobody.
    pub fn advance(&self, site: &SiteId, head: u64) {
        self.sender(site).send_if_modified(|current| {
            if head > *current {
                *current = head;
                true
            } else {
                false
            }
        });
    }

    pub fn subscribe(&self, site: &SiteId) -> watch::Receiver<u64> {
        self.sender(site).subscribe()
    }

    /// Close `device`'s channels, telling it why.
    pub fn revoke(&self, device: DeviceId) {
        let _ = self.revoked.send(device);
    }

    /// Close every channel (the hub is stopping).
    pub fn shut_down(&self) {
        let _ = self.shutdown.send(true);
    }

    /// Serve one device's channel until it goes away, is revoked or the hub stops. `heard` is
    /// called on every message from the device (supervision); `answer` answers its heartbeats
    /// and pushes.
    pub async fn serve<A, F>(
        &self,
        mut socket: WebSocket,
        device: DeviceId,
        site: SiteId,
        heard: impl Fn() + Send,
        mut answer: A,
    ) where
        A: FnMut(ClientMessage) -> F + Send,
        F: std::future::Future<Output = LiveEvent> + Send,
    {
        let mut heads = self.subscribe(&site);
        let mut revoked = self.revoked.subscribe();
        let mut shutdown = self.shutdown.subscribe();
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        let head = *heads.borrow_and_update();
        if send(&mut socket, &LiveEvent::Hello { head, heartbeats: true }).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                changed = heads.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let head = *heads.borrow_and_update();
                    if send(&mut socket, &LiveEvent::Ops { head }).await.is_err() {
                        break;
                    }
                }
                gone = revoked.recv() => match gone {
                    Ok(id) if id == device => {
                        let _ = send(&mut socket, &LiveEvent::Revoked).await;
                        let _ = socket.send(Message::Close(None)).await;
                        break;
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = shutdown.changed() => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
                incoming = socket.recv() => match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                    Some(Ok(Message::Text(text))) => {
                        heard();
                        if text.len() > MAX_BODY_BYTES {
                            break;
                        }
                        // A message this hub does not understand is ignored, like unknown events.
                        if let Ok(message) = serde_json::from_str::<ClientMessage>(text.as_str()) {
                            let reply = answer(message).await;
                            if send(&mut socket, &reply).await.is_err() {
                                break;
                            }
                        }
                    }
                    Some(Ok(_)) => heard(),
                },
                _ = ping.tick() => {
                    if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                        break;
                    }
                }
            }
        }
    }
}

async fn send(socket: &mut WebSocket, event: &LiveEvent) -> Result<(), axum::Error> {
    let text = serde_json::to_string(event).expect("events serialise");
    socket.send(Message::Text(text.into())).await
}
