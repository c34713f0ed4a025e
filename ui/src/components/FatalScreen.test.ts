import { render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { UiError } from "../lib/api";
import { i18n } from "../lib/i18n.svelte";
import FatalScreen from "./FatalScreen.svelte";

const keyring: UiError = { code: "keyring_unavailable", message: "Did not receive a reply", fields: [] };

describe("FatalScreen", () => {
  it("offers no retry when only a restart can open the kiosk, and says so", () => {
    i18n.lang = "en";
    render(FatalScreen, { error: keyring });
    expect(screen.queryByTestId("fatal-retry")).toBeNull();
    expect(screen.getByTestId("fatal-restart").textContent).toContain("Restart Frontdesk");
    expect(screen.getByTestId("fatal").getAttribute("data-code")).toBe("keyring_unavailable");
  });

  it("offers a retry that asks again when the kiosk is open", () => {
    i18n.lang = "en";
    const onRetry = vi.fn();
    render(FatalScreen, { error: { code: "storage", message: "disk busy", fields: [] }, onRetry });
    screen.getByTestId("fatal-retry").click();
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("fatal-restart")).toBeNull();
  });
});
