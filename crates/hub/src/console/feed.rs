//! The console's live feed: Server-Sent Events, one `alert` event per alert change with the
//! change's cursor as its event id. A console that reconnects (the browser does it by itself,
//! sending `Last-Event-ID`, or the page asks with `?after=`) first gets every alert changed
//! after its cursor from the database, each once in its latest state, then the live changes
//! after those: nothing raised meanwhile is lost, nothing is shown twice.
//!
//! The feed subscribes before it reads the backlog, and the store publishes changes after they
//! committed and in commit order, so every change is either in the backlog or in the live
//! stream; changes at or below the cursor already sent are skipped.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};

use super::auth::GuardSession;
use crate::server::{HubState, now};
use crate::store::{AlertUpdate, HubStore};

/// The backlog is read in pages of this many alerts.
const PAGE: u32 = 500;
/// How often a live feed checks that its session is still valid (ended, disabled account).
const SESSION_CHECK: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
pub struct After {
    after: Option<u64>,
}

fn event(update: &AlertUpdate) -> Event {
    Event::default()
        .event("alert")
        .id(update.cursor.to_string())
        .data(serde_json::to_string(update).expect("an alert update serialises"))
}

pub async fn live<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
    headers: HeaderMap,
    Query(query): Query<After>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let resumed = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    let after = resumed.or(query.after).unwrap_or(0);
    let (tx, rx) = mpsc::channel::<Event>(64);
    let site = session.guard.site.clone();
    let token_hash = session.session.token_hash.clone();
    // Subscribe before reading the backlog: nothing committed in between is missed.
    let mut changes = hub.consoles.subscribe(&site);
    tokio::spawn(async move {
        let mut sent = after;
        let _ = tx.send(Event::default().event("hello").data(format!("{{\"after\":{after}}}"))).await;
        if backlog(&hub, &site, &mut sent, &tx).await.is_err() {
            return;
        }
        let mut check = tokio::time::interval(SESSION_CHECK);
        check.tick().await;
        loop {
            tokio::select! {
                change = changes.recv() => match change {
                    Ok(update) => {
                        if update.cursor > sent {
                            sent = update.cursor;
                            if tx.send(event(&update)).await.is_err() {
                                return;
                            }
                        }
                    }
                    // Fell behind: read what was missed from the database instead.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        if backlog(&hub, &site, &mut sent, &tx).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = check.tick() => {
                    if !matches!(hub.store.session(token_hash.clone(), now()).await, Ok(Some(_))) {
                        let _ = tx.send(Event::default().event("signed_out").data("{}")).await;
                        return;
                    }
                }
                _ = tx.closed() => return,
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Send every alert changed after `sent`, each once (latest state), advancing `sent`.
async fn backlog<S: HubStore>(
    hub: &HubState<S>,
    site: &frontdesk_core::ids::SiteId,
    sent: &mut u64,
    tx: &mpsc::Sender<Event>,
) -> Result<(), ()> {
    loop {
        let page = match hub.store.alert_feed(site.clone(), *sent, PAGE).await {
            Ok(page) => page,
            Err(e) => {
                eprintln!("frontdesk-hub: console feed: {e}");
                return Err(());
            }
        };
        let full = page.len() as u32 >= PAGE;
        for update in &page {
            *sent = (*sent).max(update.cursor);
            tx.send(event(update)).await.map_err(|_| ())?;
        }
        if !full {
            return Ok(());
        }
    }
}
