// The desk's alert state as the core reports it: the discreet indicator, this desk's visible
// alerts, drill and guard mode, and (in guard mode) the site's alerts. The UI decides nothing:
// it asks the core again whenever the app says alerts changed.
import { commands } from "./api";
import type { AlertView } from "./bindings/AlertView";
import type { DeskAlertStatus } from "./bindings/DeskAlertStatus";

class Alerts {
  status = $state<DeskAlertStatus | null>(null);
  /** Guard mode: the site's open alerts, then those closed in the last 24 hours. */
  guard = $state<AlertView[]>([]);

  async refresh(): Promise<void> {
    try {
      this.status = await commands.alertStatus();
      this.guard = this.status.guard_mode ? await commands.guardAlerts() : [];
    } catch {
      // Kept as it was; the next change asks again.
    }
  }

  /** The drill is on now (the core set its end; the clock ends it). */
  drillOn(now: Date): boolean {
    const until = this.status?.drill_until;
    return until !== null && until !== undefined && new Date(until) > now;
  }
}

export const alerts = new Alerts();

/** Open alerts of a guard console that sound the alarm: unacknowledged ones (for a duty
 * manager's desk, once they escalated). */
export function alarming(list: AlertView[], dutyManager: boolean): AlertView[] {
  return list.filter((a) => a.state === "raised" && (!dutyManager || a.escalated > 0));
}

/** Seconds left to cancel a call for assistance raised at `raisedAt` (10 s window). */
export function cancelSecondsLeft(raisedAt: string, now: Date): number {
  return Math.max(0, Math.ceil((new Date(raisedAt).getTime() + 10_000 - now.getTime()) / 1000));
}
