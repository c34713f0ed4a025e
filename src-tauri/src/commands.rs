//! The IPC commands. Each is declared once, below: the macro makes the Tauri command, adds it to
//! the handler and records its signature, from which the UI's TypeScript client is generated.
//! Bodies only adapt core: every rule lives in `frontdesk-core`.

use frontdesk_core::alert::{AlertOutcome, AlertReport, AlertTrigger, AlertView, CancelReason};
use frontdesk_core::audit::{AuditEntry, AuditVerification};
use frontdesk_core::backup::{BackupInfo, RestoreReport};
use frontdesk_core::badge::BadgeCheck;
use frontdesk_core::cards::{CardMenu, CardView, CardsStatus, Role, Scenario};
use frontdesk_core::escort::{EscortDecision, EscortStatus, HandbackBy, OverrideOutcome, VisitOptions};
use frontdesk_core::evacuation::{EvacuationRecord, RollCall, RollcallStatus, RollcallUpdate};
use frontdesk_core::i18n::Lang;
use frontdesk_core::ids::{AlertId, HostId, InvitationId, VisitId};
use frontdesk_core::kiosk::{AdminLogin, BadgeKeyInfo, BadgePreview, PrintSettings};
use frontdesk_core::kiosk::{BackEntry, EvacuationSummary, PaperPrint};
use frontdesk_core::kiosk::{CancelOutcome, DeskAlertStatus, RaiseAlert, RaisedAlert};
use frontdesk_core::kiosk::{
    ExportResult, HostImport, Invitation, InvitationCheck, IssuedInvitation, NewInvitation, OverdueList, Photo,
    PurgeReport, ReturningQuery, ReturningVisitor, WatchlistHitView, WatchlistInput,
};
use frontdesk_core::op::HostRecord;
use frontdesk_core::print::{PrintJob, PrintJobId, PrinterInfo};
use frontdesk_core::sync::{SyncError, SyncStatus};
use frontdesk_core::visit::{HostSummary, NewVisit, Visit};
use frontdesk_core::visitors::VisitorSettings;
use frontdesk_core::visitors::watchlist::WatchlistEntry;
use frontdesk_core::{ApiError, CoreError, KioskInfo};

use crate::bindings::{CommandSignature, type_info};
use crate::state::AppState;

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($kiosk:ident $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty $body:block
    )*) => {
        $(
            $(#[doc = $doc])*
            // `async` runs the command off the main thread, so a disk write never stalls the window.
            #[tauri::command(async)]
            pub fn $name(state: tauri::State<'_, AppState>, $($arg: $ty),*) -> Result<$ret, ApiError> {
                // The kiosk (commands call its methods directly) and the app around it.
                let $kiosk = state.ctx()?;
                let run = || -> Result<$ret, CoreError> { $body };
                run().map_err(|err| {
                    if !matches!(err, CoreError::Validation(_)) {
                        eprintln!("frontdesk: {}: {err}", stringify!($name));
                    }
                    ApiError::from(err)
                })
            }
        )*

        /// The invoke handler with every command.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// Every command's name, documentation and types, for the TypeScript client.
        pub fn signatures() -> Vec<CommandSignature> {
            vec![$(CommandSignature {
                name: stringify!($name),
                doc: concat!($($doc, "\n"),*),
                args: vec![$((stringify!($arg), type_info::<$ty>())),*],
                ret: type_info::<$ret>(),
            }),*]
        }
    };
}

commands! {
    /// What the UI needs to draw its frame: site, desk, idle timeout, language.
    fn kiosk_info(kiosk) -> KioskInfo {
        kiosk.info()
    }

    /// Remember the language chosen on this kiosk.
    fn set_language(kiosk, lang: Lang) -> () {
        kiosk.set_language(lang)
    }

    /// Active hosts, for the sign-in form.
    fn list_hosts(kiosk) -> Vec<HostSummary> {
        kiosk.hosts()
    }

    /// Everyone signed in and not yet out, latest first.
    fn on_site(kiosk) -> Vec<Visit> {
        kiosk.on_site()
    }

    /// Sign a visitor in; invalid fields come back as `validation` with one error per field.
    fn sign_in(kiosk, visit: NewVisit) -> Visit {
        kiosk.sign_in(visit)
    }

    /// Sign a visit out; a visit already signed out is refused.
    fn sign_out(kiosk, visit_id: VisitId) -> Visit {
        kiosk.sign_out(visit_id)
    }

    /// Open the admin screen with the admin PIN; a wrong PIN says how many tries are left.
    fn admin_login(kiosk, pin: String) -> AdminLogin {
        kiosk.admin_login(&pin)
    }

    /// Close the admin session.
    fn admin_logout(kiosk, session: String) -> () {
        kiosk.admin_logout(&session);
        Ok(())
    }

    /// Set a new admin PIN (typed twice).
    fn admin_change_pin(kiosk, session: String, new_pin: String, confirm: String) -> () {
        kiosk.change_admin_pin(&session, &new_pin, &confirm)
    }

    /// Recompute the audit log's hash chain and report the first broken entry.
    fn audit_verify(kiosk, session: String) -> AuditVerification {
        kiosk.verify_audit(&session)
    }

    /// The latest audit entries, newest first.
    fn audit_recent(kiosk, session: String, limit: u32) -> Vec<AuditEntry> {
        kiosk.recent_audit(&session, limit)
    }

    /// The emergency-card menu: the kiosk's remembered role and every scenario.
    fn card_menu(kiosk) -> CardMenu {
        kiosk.card_menu()
    }

    /// Remember whose cards this kiosk opens.
    fn set_card_role(kiosk, role: Role) -> () {
        kiosk.set_card_role(role)
    }

    /// The card for a role and scenario, filled with this site's numbers and places.
    fn card_for(kiosk, role: Role, scenario: Scenario, lang: Lang) -> CardView {
        Ok(kiosk.card(role, scenario, lang))
    }

    /// How many cards are loaded, problems with edited card files, cards past their review date.
    fn cards_status(kiosk) -> CardsStatus {
        Ok(kiosk.cards_status())
    }

    /// Print one emergency card (A6) on the document printer.
    fn print_card(kiosk, role: Role, scenario: Scenario, lang: Lang) -> PrintJob {
        kiosk.print_card(role, scenario, lang)
    }

    /// Print every card of a role as a deck of A6 pages on the document printer.
    fn print_card_deck(kiosk, role: Role, lang: Lang) -> PrintJob {
        kiosk.print_card_deck(role, lang)
    }

    /// A print job, brought up to date with the print system.
    fn print_job(kiosk, id: PrintJobId) -> PrintJob {
        kiosk.refresh_print_job(id)
    }

    /// The sync state with the site hub: for the status in the top bar and the hub settings.
    fn hub_status(kiosk) -> SyncStatus {
        kiosk.sync()?.status()
    }

    /// Enrol this kiosk at a site hub with a one-time code (admin only; the address as the hub
    /// shows it, e.g. `hub.example.org:8443`).
    fn hub_enrol(kiosk, session: String, address: String, code: String) -> SyncStatus {
        let engine = kiosk.sync()?;
        // The exchange with the hub is async; run it to completion off the runtime's workers.
        std::thread::scope(|scope| {
            scope
                .spawn(|| tauri::async_runtime::block_on(engine.enrol(&session, &address, &code)))
                .join()
                .unwrap_or_else(|_| Err(SyncError::Protocol("enrolment stopped unexpectedly".into()).into()))
        })
    }

    /// Try the hub now instead of waiting out the retry delay.
    fn hub_sync_now(kiosk) -> SyncStatus {
        let engine = kiosk.sync()?;
        engine.sync_now();
        engine.status()
    }

    /// Printers the operating system knows, the default first.
    fn list_printers(kiosk) -> Vec<PrinterInfo> {
        kiosk.printers()
    }

    /// This kiosk's badge printer and label size.
    fn print_settings(kiosk) -> PrintSettings {
        kiosk.print_settings()
    }

    /// Choose the badge printer and label size.
    fn set_print_settings(kiosk, settings: PrintSettings) -> PrintSettings {
        kiosk.set_print_settings(&settings)
    }

    /// The site's badge public key as this kiosk holds it, and whether it can issue badges.
    fn badge_key(kiosk) -> BadgeKeyInfo {
        Ok(kiosk.badge_key())
    }

    /// A visit's badge drawn at the chosen label size, its token, and its latest print job.
    fn badge_preview(kiosk, visit_id: VisitId, lang: Lang) -> BadgePreview {
        kiosk.badge_preview(visit_id, lang)
    }

    /// Print a visit's badge; asking again while it is still queued returns the same job.
    fn print_badge(kiosk, visit_id: VisitId, lang: Lang) -> PrintJob {
        kiosk.print_badge(visit_id, lang)
    }

    /// Print another copy of a visit's badge; refused while a copy is still queued.
    fn reprint_badge(kiosk, visit_id: VisitId, lang: Lang) -> PrintJob {
        kiosk.reprint_badge(visit_id, lang)
    }

    /// The latest print job of a visit's badge, brought up to date with the print system.
    fn badge_job(kiosk, visit_id: VisitId) -> Option<PrintJob> {
        kiosk.badge_job(visit_id)
    }

    /// The latest print jobs on this kiosk, newest first.
    fn print_jobs(kiosk) -> Vec<PrintJob> {
        kiosk.print_jobs()
    }

    /// Hand a failed or interrupted print job to the printer again.
    fn retry_print_job(kiosk, job_id: PrintJobId) -> PrintJob {
        kiosk.retry_print_job(job_id)
    }

    /// Cancel a print job, withdrawing it from the printer's queue.
    fn cancel_print_job(kiosk, job_id: PrintJobId) -> PrintJob {
        kiosk.cancel_print_job(job_id)
    }

    /// Check a scanned badge offline: signature, site, expiry, sign-out.
    fn check_badge(kiosk, token: String) -> BadgeCheck {
        kiosk.check_badge(&token)
    }

    /// Sign out the visit of a scanned badge, if the badge checks out.
    fn sign_out_by_badge(kiosk, token: String) -> Visit {
        kiosk.sign_out_by_badge(&token)
    }

    /// The roll call of the running evacuation (every device's, merged), or null.
    fn rollcall(kiosk) -> Option<RollCall> {
        kiosk.rollcall()
    }

    /// Start an evacuation (or return the one already running): the on-site list is frozen.
    fn evacuate_start(kiosk, drill: bool) -> RollCall {
        kiosk.start_evacuation(drill)
    }

    /// Mark one person accounted for, missing or in a refuge area.
    fn rollcall_mark(kiosk, visit_id: VisitId, status: RollcallStatus) -> RollcallUpdate {
        kiosk.mark_rollcall(visit_id, status)
    }

    /// End the running evacuation: records who was missing and how long it took.
    fn evacuate_end(kiosk) -> EvacuationSummary {
        kiosk.end_evacuation()
    }

    /// Ended evacuations, latest first.
    fn evacuation_history(kiosk) -> Vec<EvacuationRecord> {
        kiosk.evacuation_history(20)
    }

    /// Print the roll call on the document printer (A4) and the badge printer's roll.
    fn rollcall_print(kiosk, lang: Lang) -> PaperPrint {
        kiosk.print_rollcall(lang)
    }

    /// Print the paper fallback kit on the document printer.
    fn fallback_kit_print(kiosk, lang: Lang) -> PaperPrint {
        kiosk.print_fallback_kit(lang)
    }

    /// The document (A4) printer chosen on this kiosk, if any.
    fn document_printer(kiosk) -> Option<String> {
        kiosk.document_printer()
    }

    /// Choose the document (A4) printer (null: none).
    fn set_document_printer(kiosk, printer: Option<String>) -> () {
        kiosk.set_document_printer(printer.as_deref())
    }

    /// Enter a visit written on paper during an outage, with its real times (admin).
    fn back_enter(kiosk, session: String, entry: BackEntry) -> Visit {
        kiosk.back_enter(&session, entry)
    }

    /// The backups in the backup folder, newest first (admin).
    fn backup_list(kiosk, session: String) -> Vec<BackupInfo> {
        kiosk.backups(&session)
    }

    /// Make a backup now (admin).
    fn backup_now(kiosk, session: String) -> BackupInfo {
        kiosk.backup_now(&session)
    }

    /// Restore a backup and carry on with it; a bad backup is refused and nothing changes (admin).
    fn backup_restore(kiosk, session: String, file_name: String) -> RestoreReport {
        kiosk.restore_backup(&session, &file_name)
    }

    /// The site's visitor types (the default first) and areas, for the sign-in form.
    fn visit_options(kiosk) -> VisitOptions {
        Ok(kiosk.visit_options())
    }

    /// Whether a visit as the sign-in form stands would need an escort, and why.
    fn escort_preview(kiosk, visitor_type: String, areas: Vec<String>, host_id: HostId) -> EscortDecision {
        kiosk.escort_preview(&visitor_type, &areas, &host_id)
    }

    /// Active hosts who may escort visitors.
    fn list_escorts(kiosk) -> Vec<HostSummary> {
        kiosk.escorts()
    }

    /// An escorted visit's reasons, checklist, escort and history, and whether it may start.
    fn escort_status(kiosk, visit_id: VisitId) -> EscortStatus {
        kiosk.escort_status(visit_id)
    }

    /// Tick or untick one checklist item of an escorted visit.
    fn checklist_tick(kiosk, visit_id: VisitId, item_id: String, ticked: bool) -> EscortStatus {
        kiosk.tick_checklist(visit_id, &item_id, ticked)
    }

    /// Name the visit's escort (a later one is a hand-over, recorded with its time).
    fn escort_assign(kiosk, visit_id: VisitId, host_id: HostId) -> EscortStatus {
        kiosk.assign_escort(visit_id, &host_id)
    }

    /// Start an escorted visit once its required items are ticked and an escort is named.
    fn visit_start(kiosk, visit_id: VisitId) -> Visit {
        kiosk.start_visit(visit_id)
    }

    /// A supervisor starts an escorted visit that is not ready, with the PIN and a reason.
    fn escort_override(kiosk, visit_id: VisitId, pin: String, reason: String) -> OverrideOutcome {
        kiosk.override_escort(visit_id, &pin, &reason)
    }

    /// Confirm the escort's hand-back of the visitor, then sign the visit out.
    fn escort_hand_back(kiosk, visit_id: VisitId, by: HandbackBy) -> Visit {
        kiosk.hand_back(visit_id, by)
    }

    /// Why the site file was refused at start (the kiosk runs on its last good copy), if it was.
    fn site_problem(kiosk, session: String) -> Option<String> {
        kiosk.site_problem(&session)
    }

    /// Find a returning visitor by phone or ID number (exact), or exact full name and company:
    /// one visit or none, never a list.
    fn returning_lookup(kiosk, query: ReturningQuery) -> Option<ReturningVisitor> {
        kiosk.returning_lookup(&query)
    }

    /// Check a scanned invitation token or a typed code: what it fills in, or why it is refused.
    fn invitation_check(kiosk, text: String) -> InvitationCheck {
        kiosk.check_invitation(&text)
    }

    /// Create an invitation: a short code and a signed QR token (admin).
    fn invitation_create(kiosk, session: String, invitation: NewInvitation) -> IssuedInvitation {
        kiosk.create_invitation(&session, &invitation)
    }

    /// Recent invitations with their status (admin).
    fn invitation_list(kiosk, session: String) -> Vec<Invitation> {
        kiosk.invitations(&session)
    }

    /// An invitation's token and QR code again (admin).
    fn invitation_show(kiosk, session: String, id: InvitationId) -> IssuedInvitation {
        kiosk.invitation_token(&session, id)
    }

    /// Revoke an invitation on every desk (admin).
    fn invitation_revoke(kiosk, session: String, id: InvitationId) -> Invitation {
        kiosk.revoke_invitation(&session, id)
    }

    /// The watch list (admin).
    fn watchlist_list(kiosk, session: String) -> Vec<WatchlistEntry> {
        kiosk.watchlist(&session)
    }

    /// Add or change a watch-list entry (admin; read-only once a hub manages the site).
    fn watchlist_save(kiosk, session: String, entry: WatchlistInput) -> WatchlistEntry {
        kiosk.save_watchlist_entry(&session, &entry)
    }

    /// Watch-list hits, latest first (admin).
    fn watchlist_hits(kiosk, session: String) -> Vec<WatchlistHitView> {
        kiosk.watchlist_hits(&session)
    }

    /// Mark a watch-list hit a false positive (admin).
    fn watchlist_false_positive(kiosk, session: String, visit_id: VisitId, entry_id: String) -> () {
        kiosk.mark_false_positive(&session, visit_id, &entry_id)
    }

    /// Every host, active or not (admin).
    fn hosts_all(kiosk, session: String) -> Vec<HostRecord> {
        kiosk.all_hosts(&session)
    }

    /// Add or edit a host; hosts are deactivated, never deleted (admin).
    fn host_save(kiosk, session: String, host: HostRecord) -> HostRecord {
        kiosk.save_host(&session, &host)
    }

    /// Import the host directory from CSV text: all or nothing, every bad row reported (admin).
    fn hosts_import(kiosk, session: String, csv: String) -> HostImport {
        kiosk.import_hosts(&session, &csv)
    }

    /// Overdue visits and the visits that never signed out (auto signed out since yesterday).
    fn overdue(kiosk) -> OverdueList {
        kiosk.overdue()
    }

    /// The site's visitor settings: end of day, auto sign-out, retention.
    fn visitor_settings(kiosk) -> VisitorSettings {
        kiosk.visitor_settings()
    }

    /// Change the visitor settings (admin; audited).
    fn set_visitor_settings(kiosk, session: String, settings: VisitorSettings) -> VisitorSettings {
        kiosk.set_visitor_settings(&session, settings)
    }

    /// Search visit history by name, company or host (admin).
    fn visits_search(kiosk, session: String, query: String) -> Vec<Visit> {
        kiosk.search_visits(&session, &query)
    }

    /// Export visits of a date range to CSV with masked numbers (admin; audited).
    fn visits_export(kiosk, session: String, from: String, to: String, lang: Lang) -> ExportResult {
        kiosk.export_visits(&session, &from, &to, lang)
    }

    /// Run the retention purge now (admin; audited).
    fn retention_purge(kiosk, session: String) -> PurgeReport {
        kiosk.purge_now(&session)
    }

    /// The photo taken at a visit's sign-in, if any (this kiosk only).
    fn visit_photo(kiosk, visit_id: VisitId) -> Option<Photo> {
        kiosk.visit_photo(visit_id)
    }

    /// The discreet control: raise a silent duress alert. Nothing on screen changes; it is on
    /// disk when this returns, and the courier delivers it at once.
    fn alert_discreet(kiosk) -> () {
        kiosk.raise_duress(AlertTrigger::Discreet).map(|_| ())
    }

    /// Raise an alert from the alert panel (assistance, medical, fire, suspicious).
    fn alert_raise(kiosk, request: RaiseAlert) -> RaisedAlert {
        kiosk.raise_alert(request)
    }

    /// Withdraw this desk's call for assistance within 10 s, with the PIN and a reason.
    fn alert_cancel(kiosk, alert_id: AlertId, pin: String, reason: CancelReason, note: String) -> CancelOutcome {
        kiosk.cancel_alert(alert_id, &pin, reason, &note)
    }

    /// This desk's alert state: the discreet indicator, its visible alerts, drill and guard mode.
    fn alert_status(kiosk) -> DeskAlertStatus {
        kiosk.desk_alert_status()
    }

    /// Guard mode: the site's open alerts and those closed in the last 24 hours.
    fn guard_alerts(kiosk) -> Vec<AlertView> {
        kiosk.guard_alerts(24)
    }

    /// Guard mode: acknowledge an alert (the first to acknowledge owns it).
    fn alert_acknowledge(kiosk, alert_id: AlertId) -> AlertView {
        kiosk.acknowledge_alert(alert_id)
    }

    /// Guard mode: resolve an acknowledged alert with its outcome and a note.
    fn alert_resolve(kiosk, alert_id: AlertId, outcome: AlertOutcome, note: String) -> AlertView {
        kiosk.resolve_alert(alert_id, outcome, &note)
    }

    /// The emergency card a guard opens on acknowledging an alert of this scenario.
    fn guard_card(kiosk, scenario: Scenario, lang: Lang) -> CardView {
        let (role, scenario) = kiosk.guard_card(scenario)?;
        Ok(kiosk.card(role, scenario, lang))
    }

    /// Switch alert drill mode on for some minutes (0: off) (admin).
    fn alert_drill_mode(kiosk, session: String, minutes: u32) -> DeskAlertStatus {
        kiosk.set_drill_mode(&session, minutes)
    }

    /// Turn guard mode on or off on this desk (admin).
    fn alert_guard_mode(kiosk, session: String, enabled: bool) -> DeskAlertStatus {
        kiosk.set_guard_mode(&session, enabled)
    }

    /// The monthly alert report, `YYYY-MM` (admin).
    fn alert_report(kiosk, session: String, month: String) -> AlertReport {
        kiosk.alert_report(&session, &month)
    }
}
