// Generated from src-tauri/src/commands.rs by `cargo test -p frontdesk-app`.
// Do not edit: change the command in Rust and run the tests with UPDATE_BINDINGS=1.
import { invoke } from "@tauri-apps/api/core";
import type { AdminLogin } from "./AdminLogin";
import type { AlertId } from "./AlertId";
import type { AlertOutcome } from "./AlertOutcome";
import type { AlertReport } from "./AlertReport";
import type { AlertView } from "./AlertView";
import type { AuditEntry } from "./AuditEntry";
import type { AuditVerification } from "./AuditVerification";
import type { BackEntry } from "./BackEntry";
import type { BackupInfo } from "./BackupInfo";
import type { BadgeCheck } from "./BadgeCheck";
import type { BadgeKeyInfo } from "./BadgeKeyInfo";
import type { BadgePreview } from "./BadgePreview";
import type { CancelOutcome } from "./CancelOutcome";
import type { CancelReason } from "./CancelReason";
import type { CardMenu } from "./CardMenu";
import type { CardView } from "./CardView";
import type { CardsStatus } from "./CardsStatus";
import type { DeskAlertStatus } from "./DeskAlertStatus";
import type { EscortDecision } from "./EscortDecision";
import type { EscortStatus } from "./EscortStatus";
import type { EvacuationRecord } from "./EvacuationRecord";
import type { EvacuationSummary } from "./EvacuationSummary";
import type { ExportResult } from "./ExportResult";
import type { HandbackBy } from "./HandbackBy";
import type { HostId } from "./HostId";
import type { HostImport } from "./HostImport";
import type { HostRecord } from "./HostRecord";
import type { HostSummary } from "./HostSummary";
import type { Invitation } from "./Invitation";
import type { InvitationCheck } from "./InvitationCheck";
import type { InvitationId } from "./InvitationId";
import type { IssuedInvitation } from "./IssuedInvitation";
import type { KioskInfo } from "./KioskInfo";
import type { Lang } from "./Lang";
import type { NewInvitation } from "./NewInvitation";
import type { NewVisit } from "./NewVisit";
import type { OverdueList } from "./OverdueList";
import type { OverrideOutcome } from "./OverrideOutcome";
import type { PaperPrint } from "./PaperPrint";
import type { Photo } from "./Photo";
import type { PrintJob } from "./PrintJob";
import type { PrintJobId } from "./PrintJobId";
import type { PrintSettings } from "./PrintSettings";
import type { PrinterInfo } from "./PrinterInfo";
import type { PurgeReport } from "./PurgeReport";
import type { RaiseAlert } from "./RaiseAlert";
import type { RaisedAlert } from "./RaisedAlert";
import type { RestoreReport } from "./RestoreReport";
import type { ReturningQuery } from "./ReturningQuery";
import type { ReturningVisitor } from "./ReturningVisitor";
import type { Role } from "./Role";
import type { RollCall } from "./RollCall";
import type { RollcallStatus } from "./RollcallStatus";
import type { RollcallUpdate } from "./RollcallUpdate";
import type { Scenario } from "./Scenario";
import type { SyncStatus } from "./SyncStatus";
import type { Visit } from "./Visit";
import type { VisitId } from "./VisitId";
import type { VisitOptions } from "./VisitOptions";
import type { VisitorSettings } from "./VisitorSettings";
import type { WatchlistEntry } from "./WatchlistEntry";
import type { WatchlistHitView } from "./WatchlistHitView";
import type { WatchlistInput } from "./WatchlistInput";

/** What the UI needs to draw its frame: site, desk, idle timeout, language. */
export function kioskInfo(): Promise<KioskInfo> {
  return invoke<KioskInfo>("kiosk_info");
}

/** Remember the language chosen on this kiosk. */
export function setLanguage(lang: Lang): Promise<null> {
  return invoke<null>("set_language", { lang });
}

/** Active hosts, for the sign-in form. */
export function listHosts(): Promise<Array<HostSummary>> {
  return invoke<Array<HostSummary>>("list_hosts");
}

/** Everyone signed in and not yet out, latest first. */
export function onSite(): Promise<Array<Visit>> {
  return invoke<Array<Visit>>("on_site");
}

/** Sign a visitor in; invalid fields come back as `validation` with one error per field. */
export function signIn(visit: NewVisit): Promise<Visit> {
  return invoke<Visit>("sign_in", { visit });
}

/** Sign a visit out; a visit already signed out is refused. */
export function signOut(visitId: VisitId): Promise<Visit> {
  return invoke<Visit>("sign_out", { visitId });
}

/** Open the admin screen with the admin PIN; a wrong PIN says how many tries are left. */
export function adminLogin(pin: string): Promise<AdminLogin> {
  return invoke<AdminLogin>("admin_login", { pin });
}

/** Close the admin session. */
export function adminLogout(session: string): Promise<null> {
  return invoke<null>("admin_logout", { session });
}

/** Set a new admin PIN (typed twice). */
export function adminChangePin(session: string, newPin: string, confirm: string): Promise<null> {
  return invoke<null>("admin_change_pin", { session, newPin, confirm });
}

/** Recompute the audit log's hash chain and report the first broken entry. */
export function auditVerify(session: string): Promise<AuditVerification> {
  return invoke<AuditVerification>("audit_verify", { session });
}

/** The latest audit entries, newest first. */
export function auditRecent(session: string, limit: number): Promise<Array<AuditEntry>> {
  return invoke<Array<AuditEntry>>("audit_recent", { session, limit });
}

/** The emergency-card menu: the kiosk's remembered role and every scenario. */
export function cardMenu(): Promise<CardMenu> {
  return invoke<CardMenu>("card_menu");
}

/** Remember whose cards this kiosk opens. */
export function setCardRole(role: Role): Promise<null> {
  return invoke<null>("set_card_role", { role });
}

/** The card for a role and scenario, filled with this site's numbers and places. */
export function cardFor(role: Role, scenario: Scenario, lang: Lang): Promise<CardView> {
  return invoke<CardView>("card_for", { role, scenario, lang });
}

/** How many cards are loaded, problems with edited card files, cards past their review date. */
export function cardsStatus(): Promise<CardsStatus> {
  return invoke<CardsStatus>("cards_status");
}

/** Print one emergency card (A6) on the document printer. */
export function printCard(role: Role, scenario: Scenario, lang: Lang): Promise<PrintJob> {
  return invoke<PrintJob>("print_card", { role, scenario, lang });
}

/** Print every card of a role as a deck of A6 pages on the document printer. */
export function printCardDeck(role: Role, lang: Lang): Promise<PrintJob> {
  return invoke<PrintJob>("print_card_deck", { role, lang });
}

/** A print job, brought up to date with the print system. */
export function printJob(id: PrintJobId): Promise<PrintJob> {
  return invoke<PrintJob>("print_job", { id });
}

/** The sync state with the site hub: for the status in the top bar and the hub settings. */
export function hubStatus(): Promise<SyncStatus> {
  return invoke<SyncStatus>("hub_status");
}

/** Enrol this kiosk at a site hub with a one-time code (admin only; the address as the hub shows it, e.g. `hub.example.org:8443`). */
export function hubEnrol(session: string, address: string, code: string): Promise<SyncStatus> {
  return invoke<SyncStatus>("hub_enrol", { session, address, code });
}

/** Try the hub now instead of waiting out the retry delay. */
export function hubSyncNow(): Promise<SyncStatus> {
  return invoke<SyncStatus>("hub_sync_now");
}

/** Printers the operating system knows, the default first. */
export function listPrinters(): Promise<Array<PrinterInfo>> {
  return invoke<Array<PrinterInfo>>("list_printers");
}

/** This kiosk's badge printer and label size. */
export function printSettings(): Promise<PrintSettings> {
  return invoke<PrintSettings>("print_settings");
}

/** Choose the badge printer and label size. */
export function setPrintSettings(settings: PrintSettings): Promise<PrintSettings> {
  return invoke<PrintSettings>("set_print_settings", { settings });
}

/** The site's badge public key as this kiosk holds it, and whether it can issue badges. */
export function badgeKey(): Promise<BadgeKeyInfo> {
  return invoke<BadgeKeyInfo>("badge_key");
}

/** A visit's badge drawn at the chosen label size, its token, and its latest print job. */
export function badgePreview(visitId: VisitId, lang: Lang): Promise<BadgePreview> {
  return invoke<BadgePreview>("badge_preview", { visitId, lang });
}

/** Print a visit's badge; asking again while it is still queued returns the same job. */
export function printBadge(visitId: VisitId, lang: Lang): Promise<PrintJob> {
  return invoke<PrintJob>("print_badge", { visitId, lang });
}

/** Print another copy of a visit's badge; refused while a copy is still queued. */
export function reprintBadge(visitId: VisitId, lang: Lang): Promise<PrintJob> {
  return invoke<PrintJob>("reprint_badge", { visitId, lang });
}

/** The latest print job of a visit's badge, brought up to date with the print system. */
export function badgeJob(visitId: VisitId): Promise<PrintJob | null> {
  return invoke<PrintJob | null>("badge_job", { visitId });
}

/** The latest print jobs on this kiosk, newest first. */
export function printJobs(): Promise<Array<PrintJob>> {
  return invoke<Array<PrintJob>>("print_jobs");
}

/** Hand a failed or interrupted print job to the printer again. */
export function retryPrintJob(jobId: PrintJobId): Promise<PrintJob> {
  return invoke<PrintJob>("retry_print_job", { jobId });
}

/** Cancel a print job, withdrawing it from the printer's queue. */
export function cancelPrintJob(jobId: PrintJobId): Promise<PrintJob> {
  return invoke<PrintJob>("cancel_print_job", { jobId });
}

/** Check a scanned badge offline: signature, site, expiry, sign-out. */
export function checkBadge(token: string): Promise<BadgeCheck> {
  return invoke<BadgeCheck>("check_badge", { token });
}

/** Sign out the visit of a scanned badge, if the badge checks out. */
export function signOutByBadge(token: string): Promise<Visit> {
  return invoke<Visit>("sign_out_by_badge", { token });
}

/** The roll call of the running evacuation (every device's, merged), or null. */
export function rollcall(): Promise<RollCall | null> {
  return invoke<RollCall | null>("rollcall");
}

/** Start an evacuation (or return the one already running): the on-site list is frozen. */
export function evacuateStart(drill: boolean): Promise<RollCall> {
  return invoke<RollCall>("evacuate_start", { drill });
}

/** Mark one person accounted for, missing or in a refuge area. */
export function rollcallMark(visitId: VisitId, status: RollcallStatus): Promise<RollcallUpdate> {
  return invoke<RollcallUpdate>("rollcall_mark", { visitId, status });
}

/** End the running evacuation: records who was missing and how long it took. */
export function evacuateEnd(): Promise<EvacuationSummary> {
  return invoke<EvacuationSummary>("evacuate_end");
}

/** Ended evacuations, latest first. */
export function evacuationHistory(): Promise<Array<EvacuationRecord>> {
  return invoke<Array<EvacuationRecord>>("evacuation_history");
}

/** Print the roll call on the document printer (A4) and the badge printer's roll. */
export function rollcallPrint(lang: Lang): Promise<PaperPrint> {
  return invoke<PaperPrint>("rollcall_print", { lang });
}

/** Print the paper fallback kit on the document printer. */
export function fallbackKitPrint(lang: Lang): Promise<PaperPrint> {
  return invoke<PaperPrint>("fallback_kit_print", { lang });
}

/** The document (A4) printer chosen on this kiosk, if any. */
export function documentPrinter(): Promise<string | null> {
  return invoke<string | null>("document_printer");
}

/** Choose the document (A4) printer (null: none). */
export function setDocumentPrinter(printer: string | null): Promise<null> {
  return invoke<null>("set_document_printer", { printer });
}

/** Enter a visit written on paper during an outage, with its real times (admin). */
export function backEnter(session: string, entry: BackEntry): Promise<Visit> {
  return invoke<Visit>("back_enter", { session, entry });
}

/** The backups in the backup folder, newest first (admin). */
export function backupList(session: string): Promise<Array<BackupInfo>> {
  return invoke<Array<BackupInfo>>("backup_list", { session });
}

/** Make a backup now (admin). */
export function backupNow(session: string): Promise<BackupInfo> {
  return invoke<BackupInfo>("backup_now", { session });
}

/** Restore a backup and carry on with it; a bad backup is refused and nothing changes (admin). */
export function backupRestore(session: string, fileName: string): Promise<RestoreReport> {
  return invoke<RestoreReport>("backup_restore", { session, fileName });
}

/** The site's visitor types (the default first) and areas, for the sign-in form. */
export function visitOptions(): Promise<VisitOptions> {
  return invoke<VisitOptions>("visit_options");
}

/** Whether a visit as the sign-in form stands would need an escort, and why. */
export function escortPreview(visitorType: string, areas: Array<string>, hostId: HostId): Promise<EscortDecision> {
  return invoke<EscortDecision>("escort_preview", { visitorType, areas, hostId });
}

/** Active hosts who may escort visitors. */
export function listEscorts(): Promise<Array<HostSummary>> {
  return invoke<Array<HostSummary>>("list_escorts");
}

/** An escorted visit's reasons, checklist, escort and history, and whether it may start. */
export function escortStatus(visitId: VisitId): Promise<EscortStatus> {
  return invoke<EscortStatus>("escort_status", { visitId });
}

/** Tick or untick one checklist item of an escorted visit. */
export function checklistTick(visitId: VisitId, itemId: string, ticked: boolean): Promise<EscortStatus> {
  return invoke<EscortStatus>("checklist_tick", { visitId, itemId, ticked });
}

/** Name the visit's escort (a later one is a hand-over, recorded with its time). */
export function escortAssign(visitId: VisitId, hostId: HostId): Promise<EscortStatus> {
  return invoke<EscortStatus>("escort_assign", { visitId, hostId });
}

/** Start an escorted visit once its required items are ticked and an escort is named. */
export function visitStart(visitId: VisitId): Promise<Visit> {
  return invoke<Visit>("visit_start", { visitId });
}

/** A supervisor starts an escorted visit that is not ready, with the PIN and a reason. */
export function escortOverride(visitId: VisitId, pin: string, reason: string): Promise<OverrideOutcome> {
  return invoke<OverrideOutcome>("escort_override", { visitId, pin, reason });
}

/** Confirm the escort's hand-back of the visitor, then sign the visit out. */
export function escortHandBack(visitId: VisitId, by: HandbackBy): Promise<Visit> {
  return invoke<Visit>("escort_hand_back", { visitId, by });
}

/** Why the site file was refused at start (the kiosk runs on its last good copy), if it was. */
export function siteProblem(session: string): Promise<string | null> {
  return invoke<string | null>("site_problem", { session });
}

/** Find a returning visitor by phone or ID number (exact), or exact full name and company: one visit or none, never a list. */
export function returningLookup(query: ReturningQuery): Promise<ReturningVisitor | null> {
  return invoke<ReturningVisitor | null>("returning_lookup", { query });
}

/** Check a scanned invitation token or a typed code: what it fills in, or why it is refused. */
export function invitationCheck(text: string): Promise<InvitationCheck> {
  return invoke<InvitationCheck>("invitation_check", { text });
}

/** Create an invitation: a short code and a signed QR token (admin). */
export function invitationCreate(session: string, invitation: NewInvitation): Promise<IssuedInvitation> {
  return invoke<IssuedInvitation>("invitation_create", { session, invitation });
}

/** Recent invitations with their status (admin). */
export function invitationList(session: string): Promise<Array<Invitation>> {
  return invoke<Array<Invitation>>("invitation_list", { session });
}

/** An invitation's token and QR code again (admin). */
export function invitationShow(session: string, id: InvitationId): Promise<IssuedInvitation> {
  return invoke<IssuedInvitation>("invitation_show", { session, id });
}

/** Revoke an invitation on every desk (admin). */
export function invitationRevoke(session: string, id: InvitationId): Promise<Invitation> {
  return invoke<Invitation>("invitation_revoke", { session, id });
}

/** The watch list (admin). */
export function watchlistList(session: string): Promise<Array<WatchlistEntry>> {
  return invoke<Array<WatchlistEntry>>("watchlist_list", { session });
}

/** Add or change a watch-list entry (admin; read-only once a hub manages the site). */
export function watchlistSave(session: string, entry: WatchlistInput): Promise<WatchlistEntry> {
  return invoke<WatchlistEntry>("watchlist_save", { session, entry });
}

/** Watch-list hits, latest first (admin). */
export function watchlistHits(session: string): Promise<Array<WatchlistHitView>> {
  return invoke<Array<WatchlistHitView>>("watchlist_hits", { session });
}

/** Mark a watch-list hit a false positive (admin). */
export function watchlistFalsePositive(session: string, visitId: VisitId, entryId: string): Promise<null> {
  return invoke<null>("watchlist_false_positive", { session, visitId, entryId });
}

/** Every host, active or not (admin). */
export function hostsAll(session: string): Promise<Array<HostRecord>> {
  return invoke<Array<HostRecord>>("hosts_all", { session });
}

/** Add or edit a host; hosts are deactivated, never deleted (admin). */
export function hostSave(session: string, host: HostRecord): Promise<HostRecord> {
  return invoke<HostRecord>("host_save", { session, host });
}

/** Import the host directory from CSV text: all or nothing, every bad row reported (admin). */
export function hostsImport(session: string, csv: string): Promise<HostImport> {
  return invoke<HostImport>("hosts_import", { session, csv });
}

/** Overdue visits and the visits that never signed out (auto signed out since yesterday). */
export function overdue(): Promise<OverdueList> {
  return invoke<OverdueList>("overdue");
}

/** The site's visitor settings: end of day, auto sign-out, retention. */
export function visitorSettings(): Promise<VisitorSettings> {
  return invoke<VisitorSettings>("visitor_settings");
}

/** Change the visitor settings (admin; audited). */
export function setVisitorSettings(session: string, settings: VisitorSettings): Promise<VisitorSettings> {
  return invoke<VisitorSettings>("set_visitor_settings", { session, settings });
}

/** Search visit history by name, company or host (admin). */
export function visitsSearch(session: string, query: string): Promise<Array<Visit>> {
  return invoke<Array<Visit>>("visits_search", { session, query });
}

/** Export visits of a date range to CSV with masked numbers (admin; audited). */
export function visitsExport(session: string, from: string, to: string, lang: Lang): Promise<ExportResult> {
  return invoke<ExportResult>("visits_export", { session, from, to, lang });
}

/** Run the retention purge now (admin; audited). */
export function retentionPurge(session: string): Promise<PurgeReport> {
  return invoke<PurgeReport>("retention_purge", { session });
}

/** The photo taken at a visit's sign-in, if any (this kiosk only). */
export function visitPhoto(visitId: VisitId): Promise<Photo | null> {
  return invoke<Photo | null>("visit_photo", { visitId });
}

/** The discreet control: raise a silent duress alert. Nothing on screen changes; it is on disk when this returns, and the courier delivers it at once. */
export function alertDiscreet(): Promise<null> {
  return invoke<null>("alert_discreet");
}

/** Raise an alert from the alert panel (assistance, medical, fire, suspicious). */
export function alertRaise(request: RaiseAlert): Promise<RaisedAlert> {
  return invoke<RaisedAlert>("alert_raise", { request });
}

/** Withdraw this desk's call for assistance within 10 s, with the PIN and a reason. */
export function alertCancel(alertId: AlertId, pin: string, reason: CancelReason, note: string): Promise<CancelOutcome> {
  return invoke<CancelOutcome>("alert_cancel", { alertId, pin, reason, note });
}

/** This desk's alert state: the discreet indicator, its visible alerts, drill and guard mode. */
export function alertStatus(): Promise<DeskAlertStatus> {
  return invoke<DeskAlertStatus>("alert_status");
}

/** Guard mode: the site's open alerts and those closed in the last 24 hours. */
export function guardAlerts(): Promise<Array<AlertView>> {
  return invoke<Array<AlertView>>("guard_alerts");
}

/** Guard mode: acknowledge an alert (the first to acknowledge owns it). */
export function alertAcknowledge(alertId: AlertId): Promise<AlertView> {
  return invoke<AlertView>("alert_acknowledge", { alertId });
}

/** Guard mode: resolve an acknowledged alert with its outcome and a note. */
export function alertResolve(alertId: AlertId, outcome: AlertOutcome, note: string): Promise<AlertView> {
  return invoke<AlertView>("alert_resolve", { alertId, outcome, note });
}

/** The emergency card a guard opens on acknowledging an alert of this scenario. */
export function guardCard(scenario: Scenario, lang: Lang): Promise<CardView> {
  return invoke<CardView>("guard_card", { scenario, lang });
}

/** Switch alert drill mode on for some minutes (0: off) (admin). */
export function alertDrillMode(session: string, minutes: number): Promise<DeskAlertStatus> {
  return invoke<DeskAlertStatus>("alert_drill_mode", { session, minutes });
}

/** Turn guard mode on or off on this desk (admin). */
export function alertGuardMode(session: string, enabled: boolean): Promise<DeskAlertStatus> {
  return invoke<DeskAlertStatus>("alert_guard_mode", { session, enabled });
}

/** The monthly alert report, `YYYY-MM` (admin). */
export function alertReport(session: string, month: string): Promise<AlertReport> {
  return invoke<AlertReport>("alert_report", { session, month });
}
