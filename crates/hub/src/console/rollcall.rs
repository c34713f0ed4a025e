//! The evacuation roll call in the guards' console: start an evacuation (or a drill) for the
//! site, mark people accounted for, missing or in a refuge area, and end it — from a phone at the
//! assembly point. The roll call is read from the site's mirror (the same merge rules as every
//! kiosk) and every action is an op the hub writes as its own device at the site, so kiosks and
//! consoles converge on one list; each is in the hub's audit trail.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_core::audit::{AuditAction, NewAuditEntry};
use frontdesk_core::evacuation::{EvacuationRecord, RollCall, RollcallMarked, RollcallStatus};
use frontdesk_core::ids::{EvacuationId, SiteId, VisitId};
use frontdesk_core::op::OpBody;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{self, GuardSession};
use super::{ConsoleError, json};
use crate::mirror::MirrorError;
use crate::server::{HubState, now};
use crate::store::HubStore;

/// The desk id a roll call started from the console carries.
pub const CONSOLE_DESK: &str = "guard-console";

impl From<MirrorError> for ConsoleError {
    fn from(e: MirrorError) -> Self {
        eprintln!("frontdesk-hub: console: {e}");
        ConsoleError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the hub could not read the site's state")
    }
}

impl From<crate::author::PublishError> for ConsoleError {
    fn from(e: crate::author::PublishError) -> Self {
        match e {
            crate::author::PublishError::Store(e) => e.into(),
            crate::author::PublishError::Refused(e) => {
                eprintln!("frontdesk-hub: console: {}", e.message);
                ConsoleError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the hub refused its own change")
            }
        }
    }
}

#[derive(Serialize)]
struct RollcallPage {
    /// The running incident's roll call, if an evacuation is on.
    rollcall: Option<RollCall>,
    /// Ended evacuations and drills, latest first.
    history: Vec<EvacuationRecord>,
}

async fn current<S: HubStore>(hub: &HubState<S>, site: &SiteId) -> Result<RollcallPage, ConsoleError> {
    let (rollcall, history) =
        hub.mirrors.read(&hub.store, site, |r| Ok((r.rollcall()?, r.evacuation_history(10)?))).await?;
    Ok(RollcallPage { rollcall, history })
}

fn answer(page: RollcallPage) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(page)).into_response()
}

async fn audit<S: HubStore>(
    hub: &HubState<S>,
    session: &GuardSession,
    action: AuditAction,
    subject: String,
    details: serde_json::Value,
) -> Result<(), ConsoleError> {
    let entry = NewAuditEntry { actor: session.actor(), action, subject, details };
    Ok(hub.store.audit(entry, now()).await?)
}

/// `GET /console/api/rollcall`: the running roll call (if any) and the latest ended ones.
pub async fn show<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
) -> Result<Response, ConsoleError> {
    Ok(answer(current(&hub, &session.guard.site).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    drill: bool,
}

/// `POST /console/api/evacuation`: start an evacuation for the site with everyone on site
/// frozen on the list. If one is running already (from any desk), it is the answer and nothing
/// is written.
pub async fn start<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    auth::require_change(&headers, &session)?;
    let request: Start = json(body)?;
    let site = session.guard.site.clone();
    let (running, on_site) = hub
        .mirrors
        .read(&hub.store, &site, |r| {
            Ok((r.rollcall()?.is_some(), r.on_site()?.into_iter().map(|v| v.id).collect::<Vec<VisitId>>()))
        })
        .await?;
    if !running {
        let evacuation = EvacuationId::new();
        let ops = frontdesk_core::evacuation::start_ops(evacuation, now(), request.drill, CONSOLE_DESK, &on_site);
        crate::author::write_as_author(&hub.store, &site, ops).await?;
        audit(
            &hub,
            &session,
            AuditAction::EvacuationStarted,
            evacuation.to_string(),
            json!({ "drill": request.drill, "people": on_site.len() }),
        )
        .await?;
    }
    Ok(answer(current(&hub, &site).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    visit_id: VisitId,
    status: RollcallStatus,
}

/// `POST /console/api/rollcall/mark`: mark one person on the running roll call.
pub async fn mark<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    auth::require_change(&headers, &session)?;
    let request: Mark = json(body)?;
    let site = session.guard.site.clone();
    let rollcall = current(&hub, &site)
        .await?
        .rollcall
        .ok_or_else(|| ConsoleError::new(StatusCode::CONFLICT, "no_evacuation", "no evacuation is running"))?;
    if !rollcall.rows.iter().any(|r| r.visit_id == request.visit_id) {
        return Err(ConsoleError::new(StatusCode::NOT_FOUND, "not_on_rollcall", "that person is not on the roll call"));
    }
    let op = OpBody::RollcallMarked(RollcallMarked {
        evacuation_id: rollcall.evacuation_id,
        visit_id: request.visit_id,
        status: request.status,
        marked_at: now(),
    });
    crate::author::write_as_author(&hub.store, &site, vec![op]).await?;
    audit(
        &hub,
        &session,
        AuditAction::RollcallMarked,
        request.visit_id.to_string(),
        json!({ "evacuation": rollcall.evacuation_id.to_string(), "status": request.status }),
    )
    .await?;
    Ok(answer(current(&hub, &site).await?))
}

/// `POST /console/api/evacuation/end`: end the running roll call; who was not accounted for and
/// how long it took are recorded.
pub async fn end<S: HubStore>(
    State(hub): State<Arc<HubState<S>>>,
    session: GuardSession,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    auth::require_change(&headers, &session)?;
    let site = session.guard.site.clone();
    let rollcall = current(&hub, &site)
        .await?
        .rollcall
        .ok_or_else(|| ConsoleError::new(StatusCode::CONFLICT, "no_evacuation", "no evacuation is running"))?;
    let (ops, facts) = frontdesk_core::evacuation::end_ops(&rollcall, now());
    crate::author::write_as_author(&hub.store, &site, ops).await?;
    audit(
        &hub,
        &session,
        AuditAction::EvacuationEnded,
        rollcall.evacuation_id.to_string(),
        facts.audit_details(&rollcall),
    )
    .await?;
    Ok(answer(current(&hub, &site).await?))
}
