import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { HostSummary } from "../lib/bindings/HostSummary";
import type { VisitOptions } from "../lib/bindings/VisitOptions";
import { i18n } from "../lib/i18n.svelte";

const signIn = vi.fn();
const escortPreview = vi.fn();
const invitationCheck = vi.fn();
const options: VisitOptions = {
  visitor_types: [
    { id: "guest", name: { "zh-CN": "访客", en: "Guest" } },
    { id: "contractor", name: { "zh-CN": "施工维修人员", en: "Contractor" } },
  ],
  areas: [
    { id: "meeting-rooms", name: { "zh-CN": "一楼会客区", en: "Ground-floor meeting rooms" }, restricted: false },
    { id: "server-room", name: { "zh-CN": "数据机房", en: "Server room" }, restricted: true },
  ],
};
vi.mock("../lib/bindings/commands", () => ({
  signIn: (...args: unknown[]) => signIn(...args),
  visitOptions: () => Promise.resolve(options),
  escortPreview: (...args: unknown[]) => escortPreview(...args),
  invitationCheck: (...args: unknown[]) => invitationCheck(...args),
}));

const { default: SignInForm } = await import("./SignInForm.svelte");

const hosts: HostSummary[] = [
  { id: "li-na", name: "李娜", department: "HR", extension: "8021" },
  { id: "chen-jie", name: "陈杰", department: "IT", extension: "8300" },
];

describe("SignInForm", () => {
  beforeEach(() => {
    signIn.mockReset();
    escortPreview.mockReset();
    escortPreview.mockResolvedValue({ required: false, reasons: [] });
    i18n.lang = "en";
  });

  it("sends what was typed and hands back the visit", async () => {
    const visit = { id: "v1", name: "Ann Lee" };
    signIn.mockResolvedValue(visit);
    const onDone = vi.fn();
    render(SignInForm, { hosts, onDone, onCancel: vi.fn() });

    await fireEvent.input(screen.getByTestId("visitor-name"), { target: { value: "Ann Lee" } });
    await fireEvent.change(screen.getByTestId("visitor-host"), { target: { value: "chen-jie" } });
    await fireEvent.click(screen.getByTestId("visitor-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalledWith(visit));
    expect(signIn).toHaveBeenCalledWith({
      name: "Ann Lee",
      company: "",
      host_id: "chen-jie",
      purpose: "",
      visitor_type: "guest",
      areas: [],
      details: expect.objectContaining({ id_type: null, id_number: "", phone: "", invitation: "" }),
    });
  });

  it("shows why the core says an escort is required, and sends the type and areas chosen", async () => {
    escortPreview.mockImplementation((type: string, areas: string[]) =>
      Promise.resolve(
        type === "contractor"
          ? {
              required: true,
              reasons: [
                { kind: "visitor_type", id: "contractor", name: options.visitor_types[1].name },
                ...areas.map((id) => ({ kind: "restricted_area", id, name: { "zh-CN": "数据机房", en: "Server room" } })),
              ],
            }
          : { required: false, reasons: [] },
      ),
    );
    signIn.mockResolvedValue({ id: "v2", name: "Sam" });
    render(SignInForm, { hosts, onDone: vi.fn(), onCancel: vi.fn() });
    await waitFor(() => expect(screen.getByTestId("escort-not-required")).toBeTruthy());
    expect(screen.queryByTestId("escort-required")).toBeNull();

    await fireEvent.change(screen.getByTestId("visitor-type"), { target: { value: "contractor" } });
    await waitFor(() => expect(screen.getAllByTestId("escort-reason")).toHaveLength(1));
    expect(screen.getByTestId("escort-required").textContent).toContain("Contractor: visitors of this type are always escorted");

    const server = screen.getAllByTestId("visitor-area").find((b) => b.dataset.areaId === "server-room")!;
    await fireEvent.click(server);
    expect(server.getAttribute("aria-pressed")).toBe("true");
    await waitFor(() => expect(screen.getAllByTestId("escort-reason")).toHaveLength(2));
    expect(escortPreview).toHaveBeenLastCalledWith("contractor", ["server-room"], "");

    await fireEvent.input(screen.getByTestId("visitor-name"), { target: { value: "Sam" } });
    await fireEvent.click(screen.getByTestId("visitor-submit"));
    await waitFor(() => expect(signIn).toHaveBeenCalled());
    expect(signIn.mock.calls[0][0]).toMatchObject({ visitor_type: "contractor", areas: ["server-room"] });
  });

  it("marks each field the core refused, in the kiosk's language", async () => {
    signIn.mockRejectedValue({
      code: "validation",
      message: "invalid input",
      fields: [
        { field: "name", code: "required", limit: null },
        { field: "host_id", code: "unknown_host", limit: null },
      ],
    });
    i18n.lang = "zh-CN";
    render(SignInForm, { hosts, onDone: vi.fn(), onCancel: vi.fn() });
    await fireEvent.click(screen.getByTestId("visitor-submit"));

    await waitFor(() => expect(screen.getByTestId("visitor-name").getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByTestId("visitor-host").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByTestId("visitor-company").getAttribute("aria-invalid")).toBe("false");
    expect(screen.getByText("此项必填。")).toBeTruthy();
    expect(screen.getByText("通讯录中没有此受访人。")).toBeTruthy();
  });

  it("shows a non-field failure as a message instead of dropping it", async () => {
    signIn.mockRejectedValue({ code: "storage", message: "disk full", fields: [] });
    render(SignInForm, { hosts, onDone: vi.fn(), onCancel: vi.fn() });
    await fireEvent.input(screen.getByTestId("visitor-name"), { target: { value: "Ann" } });
    await fireEvent.click(screen.getByTestId("visitor-submit"));
    await waitFor(() => expect(screen.getByTestId("form-error").textContent).toContain("could not read or write"));
  });

  it("fills the form from a scanned invitation and sends its token with the sign-in", async () => {
    invitationCheck.mockResolvedValue({
      refusal: null,
      invitation_id: "i1",
      name: "陈晓",
      company: "滨海物流",
      host_id: "li-na",
      valid_until: null,
    });
    signIn.mockResolvedValue({ id: "v2" });
    render(SignInForm, { hosts, onDone: vi.fn(), onCancel: vi.fn() });
    await fireEvent.input(screen.getByTestId("invite-code"), { target: { value: "FI1TOKEN" } });
    await fireEvent.click(screen.getByTestId("invite-apply"));
    await waitFor(() => expect((screen.getByTestId("visitor-name") as HTMLInputElement).value).toBe("陈晓"));
    expect((screen.getByTestId("visitor-host") as HTMLSelectElement).value).toBe("li-na");
    await fireEvent.click(screen.getByTestId("visitor-submit"));
    await waitFor(() => expect(signIn).toHaveBeenCalled());
    expect(signIn.mock.calls[0][0].details.invitation).toBe("FI1TOKEN");
  });

  it("says why an invitation is refused and fills nothing", async () => {
    invitationCheck.mockResolvedValue({
      refusal: "expired",
      invitation_id: "i1",
      name: "",
      company: "",
      host_id: null,
      valid_until: null,
    });
    render(SignInForm, { hosts, onDone: vi.fn(), onCancel: vi.fn() });
    await fireEvent.input(screen.getByTestId("invite-code"), { target: { value: "ABCD-EFGH" } });
    await fireEvent.click(screen.getByTestId("invite-apply"));
    await waitFor(() => expect(screen.getByTestId("invite-note").textContent).toMatch(/expired/i));
    expect((screen.getByTestId("visitor-name") as HTMLInputElement).value).toBe("");
  });
});
