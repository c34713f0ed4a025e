import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { SyncState } from "../lib/bindings/SyncState";
import type { SyncStatus } from "../lib/bindings/SyncStatus";
import { canEnrol } from "../lib/hub";
import { i18n } from "../lib/i18n.svelte";
import HubStatus from "./HubStatus.svelte";

const STATES: SyncState[] = ["not_enrolled", "connecting", "syncing", "synced", "offline", "refused", "revoked"];

function status(state: SyncState, ops_waiting = 0, last_sync_at: string | null = "2026-11-28T01:42:00Z"): SyncStatus {
  return {
    state,
    hub:
      state === "not_enrolled"
        ? null
        : {
            url: "https://hub:8443",
            fingerprint: "AB:CD",
            site: "riverside-tower",
            device_name: "Lobby",
            enrolled_at: "2026-11-28T01:00:00Z",
          },
    last_sync_at,
    ops_waiting,
    problem: null,
  };
}

function shown(s: SyncStatus, lang: "en" | "zh-CN" = "en"): HTMLElement {
  i18n.lang = lang;
  render(HubStatus, { status: s, timezone: "Asia/Shanghai" });
  return screen.getByTestId("hub-status");
}

describe("HubStatus", () => {
  it("says synced, with the time in the site's zone, only for the synced state", () => {
    expect(shown(status("synced")).textContent).toContain("Synced 09:42");
    for (const state of STATES.filter((s) => s !== "synced")) {
      document.body.innerHTML = "";
      const el = shown(status(state));
      expect(el.getAttribute("data-state")).toBe(state);
      expect(el.textContent?.toLowerCase()).not.toContain("synced");
    }
  });

  it("counts the changes waiting while syncing or offline", () => {
    expect(shown(status("offline", 3)).textContent).toContain("Offline · 3 waiting");
    document.body.innerHTML = "";
    expect(shown(status("syncing", 2), "zh-CN").textContent).toContain("2 条待同步");
  });

  it("offers enrolment when standalone or revoked, not while enrolled", () => {
    expect(canEnrol(null)).toBe(true);
    expect(canEnrol(status("not_enrolled"))).toBe(true);
    expect(canEnrol(status("revoked"))).toBe(true);
    expect(canEnrol(status("offline"))).toBe(false);
    expect(canEnrol(status("synced"))).toBe(false);
  });
});
