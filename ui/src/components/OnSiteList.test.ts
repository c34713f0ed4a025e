import { render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { KioskInfo } from "../lib/bindings/KioskInfo";
import { noVisitorDetails } from "../lib/visitors";
import type { Visit } from "../lib/bindings/Visit";
import { i18n } from "../lib/i18n.svelte";
import OnSiteList from "./OnSiteList.svelte";

const info = { timezone: "Asia/Shanghai" } as KioskInfo;
const visit: Visit = {
  id: "0190f3c4-0000-7000-8000-000000000001",
  name: "王小明",
  company: "Acme",
  purpose: "",
  host: { id: "li-na", name: "李娜", department: "HR", extension: "8021" },
  host_id: "li-na",
  desk_id: "lobby",
  signed_in_at: "2026-11-28T01:42:00Z",
  signed_out_at: null,
  back_entered: false,
  escort: null,
  details: noVisitorDetails(),
};

function show(hidden: boolean, onOverdue = vi.fn()) {
  i18n.lang = "en";
  return render(OnSiteList, {
    info,
    visits: [visit],
    hidden,
    loadFailed: false,
    onShow: vi.fn(),
    onRetry: vi.fn(),
    onSignOut: vi.fn(),
    onBadge: vi.fn(),
    onEscort: vi.fn(),
    onOverdue,
  });
}

describe("OnSiteList", () => {
  it("lists each visit with its id, host and time in the site's zone", () => {
    show(false);
    const row = screen.getByTestId("onsite-row");
    expect(row.getAttribute("data-visit-id")).toBe(visit.id);
    expect(row.textContent).toContain("王小明");
    expect(row.textContent).toContain("李娜");
    expect(row.textContent).toContain("09:42");
  });

  it("shows only a count, no names, while hidden", () => {
    const { container } = show(true);
    expect(container.textContent).not.toContain("王小明");
    expect(screen.getByTestId("onsite-count").textContent).toBe("1 visitor");
  });

  it("opens the overdue list from its header, hidden or not", () => {
    const onOverdue = vi.fn();
    show(true, onOverdue);
    screen.getByTestId("open-overdue").click();
    expect(onOverdue).toHaveBeenCalledTimes(1);
  });
});
