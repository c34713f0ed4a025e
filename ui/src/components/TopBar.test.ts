import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { alarming, cancelSecondsLeft } from "../lib/alerts.svelte";
import type { AlertView } from "../lib/bindings/AlertView";
import type { KioskInfo } from "../lib/bindings/KioskInfo";
import { i18n } from "../lib/i18n.svelte";
import TopBar from "./TopBar.svelte";

const info: KioskInfo = {
  app_version: "0.1.0",
  site_name: { "zh-CN": "滨江大厦", en: "Riverside Tower" },
  desk: { id: "lobby", name: { "zh-CN": "一楼大堂前台", en: "Ground-floor lobby desk" } },
  device_id: "0190c2a4-0000-7000-8000-000000000001",
  idle_timeout_seconds: 60,
  timezone: "Asia/Shanghai",
  language: "en",
};

function bar(props: Record<string, unknown> = {}) {
  i18n.lang = "en";
  document.body.innerHTML = "";
  return render(TopBar, { info, onLanguage: () => {}, onCards: () => {}, ...props });
}

describe("the discreet alert control", () => {
  it("is the clock: a tap raises the alert and leaves nothing to see", async () => {
    const onDiscreet = vi.fn();
    bar({ onDiscreet });
    const clock = screen.getByTestId("alert-discreet");
    const before = clock.outerHTML;
    await fireEvent.click(clock);
    expect(onDiscreet).toHaveBeenCalledTimes(1);
    expect(clock.outerHTML).toBe(before);
    expect(document.activeElement).not.toBe(clock);
    // It reads as a clock, nothing more.
    expect(clock.textContent).toMatch(/\d{2}:\d{2}/);
    expect(clock.textContent?.toLowerCase()).not.toMatch(/alert|alarm|duress|security/);
  });

  it("shows the receptionist's mark only once a guard has acknowledged", () => {
    for (const state of ["none", "waiting", "delivered", "resolved", "acknowledged"] as const) {
      bar({ indicator: state });
      expect(screen.getByTestId("alert-ack-indicator").getAttribute("data-state")).toBe(state);
    }
  });

  it("marks drill mode while it lasts", () => {
    bar({ drillUntil: new Date(Date.now() + 60_000).toISOString() });
    expect(screen.getByTestId("drill-badge").textContent).toBe("DRILL");
    bar({ drillUntil: new Date(Date.now() - 60_000).toISOString() });
    expect(screen.queryByTestId("drill-badge")).toBeNull();
  });
});

describe("alert rules as the screens read them", () => {
  const view = (state: AlertView["state"], escalated = 0) => ({ state, escalated }) as AlertView;

  it("sounds for unacknowledged alerts; a duty manager's desk only once they escalate", () => {
    const list = [view("raised"), view("acknowledged"), view("raised", 1), view("resolved")];
    expect(alarming(list, false)).toHaveLength(2);
    expect(alarming(list, true)).toHaveLength(1);
  });

  it("counts down the ten seconds to withdraw a call", () => {
    const raised = "2026-05-04T01:00:00.000Z";
    expect(cancelSecondsLeft(raised, new Date("2026-05-04T01:00:00.200Z"))).toBe(10);
    expect(cancelSecondsLeft(raised, new Date("2026-05-04T01:00:09.500Z"))).toBe(1);
    expect(cancelSecondsLeft(raised, new Date("2026-05-04T01:00:10.000Z"))).toBe(0);
  });
});
