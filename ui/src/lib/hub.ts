// How the sync state reads in the top bar. The core decides the state; this only words it.
import type { SyncStatus } from "./bindings/SyncStatus";

export interface HubLabel {
  id: string;
  args?: Record<string, string | number>;
}

/** The short top-bar label for a status: a message id and its arguments. */
export function hubLabel(status: SyncStatus, clock: (iso: string) => string): HubLabel {
  const waiting = Number(status.ops_waiting);
  switch (status.state) {
    case "synced":
      return status.last_sync_at
        ? { id: "hub-status-synced-at", args: { time: clock(status.last_sync_at) } }
        : { id: "hub-status-synced" };
    case "syncing":
      return waiting > 0 ? { id: "hub-status-waiting", args: { count: waiting } } : { id: "hub-status-syncing" };
    case "offline":
      return waiting > 0 ? { id: "hub-status-offline-waiting", args: { count: waiting } } : { id: "hub-status-offline" };
    default:
      return { id: `hub-status-${status.state}` };
  }
}

/** Whether the settings screen offers the enrolment form. */
export function canEnrol(status: SyncStatus | null): boolean {
  return status === null || status.state === "not_enrolled" || status.state === "revoked";
}
