// Generated from src-tauri/src/commands.rs by `cargo test -p frontdesk-app`.
// Do not edit: change the command in Rust and run the tests with UPDATE_BINDINGS=1.
import { invoke } from "@tauri-apps/api/core";
import type { HostSummary } from "./HostSummary";
import type { KioskInfo } from "./KioskInfo";
import type { Lang } from "./Lang";
import type { NewVisit } from "./NewVisit";
import type { Visit } from "./Visit";
import type { VisitId } from "./VisitId";

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
