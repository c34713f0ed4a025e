import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { EscortStatus } from "../../lib/bindings/EscortStatus";
import type { KioskInfo } from "../../lib/bindings/KioskInfo";
import type { Visit } from "../../lib/bindings/Visit";
import { i18n } from "../../lib/i18n.svelte";

const escortStatus = vi.fn();
const checklistTick = vi.fn();
const escortAssign = vi.fn();
const visitStart = vi.fn();
vi.mock("../../lib/bindings/commands", () => ({
  escortStatus: (...a: unknown[]) => escortStatus(...a),
  listEscorts: () =>
    Promise.resolve([
      { id: "chen-jie", name: "陈杰", department: "IT", extension: "8300" },
      { id: "sun-li", name: "孙丽", department: "Security", extension: "8110" },
    ]),
  checklistTick: (...a: unknown[]) => checklistTick(...a),
  escortAssign: (...a: unknown[]) => escortAssign(...a),
  visitStart: (...a: unknown[]) => visitStart(...a),
}));
vi.mock("@tauri-apps/api/event", () => ({ listen: () => Promise.resolve(() => {}) }));

// jsdom has no modal dialogs.
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.open = true;
};

const { default: EscortScreen } = await import("./EscortScreen.svelte");

const info = { timezone: "Asia/Shanghai" } as KioskInfo;
const visit = { id: "v1", name: "王建国" } as Visit;
const text = (en: string) => ({ "zh-CN": en, en });

/** What the core would answer: the start is allowed only when it says so. */
function status(ticked: string[], escort: boolean): EscortStatus {
  const items = [
    { id: "escort-present", required: true },
    { id: "exits", required: true },
    { id: "equipment", required: false },
  ];
  const checklist = items.map((i) => ({
    ...i,
    text: text(`item ${i.id}`),
    ticked: ticked.includes(i.id),
    changed_at: null,
    changed_by: null,
  }));
  const complete = checklist.every((i) => !i.required || i.ticked);
  const contact = { host_id: "chen-jie", name: "陈杰", extension: "8300" };
  return {
    visit_id: "v1",
    visitor_type: { id: "contractor", name: text("Contractor") },
    areas: [],
    required: true,
    reasons: [{ kind: "visitor_type", id: "contractor", name: text("Contractor") }],
    checklist,
    checklist_complete: complete,
    escort: escort ? contact : null,
    history: escort ? [{ escort: contact, at: "2026-03-02T01:00:00Z", desk_id: "lobby" }] : [],
    cleared: null,
    can_start: complete && escort,
    handback: null,
    signed_out: false,
  };
}

describe("EscortScreen", () => {
  beforeEach(() => {
    i18n.lang = "en";
    for (const f of [escortStatus, checklistTick, escortAssign, visitStart]) f.mockReset();
  });

  it("shows the reasons and keeps the start disabled until the core allows it", async () => {
    escortStatus.mockResolvedValue(status([], false));
    checklistTick.mockImplementation((_v: string, id: string) => Promise.resolve(status(["escort-present", id], false)));
    escortAssign.mockResolvedValue(status(["escort-present", "exits"], true));
    visitStart.mockResolvedValue({ ...visit, escort: null });
    const onStarted = vi.fn();
    render(EscortScreen, { info, visit, onStarted, onClose: vi.fn() });

    await waitFor(() => expect(screen.getAllByTestId("checklist-item")).toHaveLength(3));
    expect(screen.getByTestId("escort-reason").textContent).toBe("Contractor: visitors of this type are always escorted");
    expect(screen.getByTestId("checklist-complete").dataset.complete).toBe("false");
    const start = screen.getByTestId("escort-start") as HTMLButtonElement;
    expect(start.disabled).toBe(true);

    const exits = screen.getAllByTestId("checklist-item").find((b) => b.dataset.itemId === "exits")!;
    await fireEvent.click(exits);
    expect(checklistTick).toHaveBeenCalledWith("v1", "exits", true);
    await waitFor(() => expect(screen.getByTestId("checklist-complete").dataset.complete).toBe("true"));
    expect(start.disabled).toBe(true);
    expect(screen.getByText("Choose the escort to start.")).toBeTruthy();

    await fireEvent.change(screen.getByTestId("escort-select"), { target: { value: "chen-jie" } });
    expect(escortAssign).toHaveBeenCalledWith("v1", "chen-jie");
    await waitFor(() => expect(start.disabled).toBe(false));
    await fireEvent.click(start);
    await waitFor(() => expect(onStarted).toHaveBeenCalled());
  });

  it("offers the supervisor override while the visit waits", async () => {
    escortStatus.mockResolvedValue(status([], false));
    render(EscortScreen, { info, visit, onStarted: vi.fn(), onClose: vi.fn() });
    await fireEvent.click(await screen.findByTestId("escort-override"));
    const dialog = await screen.findByTestId("escort-override-dialog");
    expect(dialog.textContent).toContain("No escort chosen");
    expect(dialog.textContent).toContain("item escort-present and item exits");
  });
});
