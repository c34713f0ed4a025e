// The admin screen sits behind the one PIN prompt: a wrong PIN is refused with the tries left,
// the first-run PIN only leads to choosing a new one, and the audit log verifies.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freshDataDir, openKiosk, startDriver } from "./lib/kiosk.mjs";

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

/** Type a PIN into the prompt and press OK. */
async function enterPin(kiosk, pin) {
  await kiosk.type("pin-input", pin);
  await kiosk.click("pin-submit");
}

test("first admin use forces a new PIN; wrong PINs are refused; the audit log verifies", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await kiosk.click("admin-open");
    await enterPin(kiosk, "999999");
    await kiosk.session.wait(async () => (await kiosk.text("pin-error")) !== "", 5_000, "the refusal shows");
    assert.match(await kiosk.text("pin-error"), /4/);

    await enterPin(kiosk, "000000");
    await kiosk.waitFor("change-pin-first");
    // A too-simple PIN is refused with a reason; nothing else of the admin screen is reachable.
    await kiosk.type("new-pin", "123456");
    await kiosk.type("confirm-pin", "123456");
    await kiosk.click("change-pin-submit");
    await kiosk.session.wait(async () => (await (await kiosk.find("new-pin")).getAttribute("aria-invalid")) === "true", 5_000);
    assert.equal((await kiosk.findAll("admin-tab-audit")).length, 0);

    await kiosk.type("new-pin", "482915");
    await kiosk.type("confirm-pin", "482915");
    await kiosk.click("change-pin-submit");
    await kiosk.click("admin-tab-audit");
    await kiosk.click("audit-verify");
    await kiosk.session.wait(async () => (await kiosk.text("audit-result")) !== "", 5_000);
    assert.equal(await (await kiosk.find("audit-result")).getAttribute("class").then((c) => c.includes("ok")), true);

    // Closing admin and coming back needs the new PIN.
    await kiosk.click("admin-close");
    await kiosk.click("admin-open");
    await enterPin(kiosk, "482915");
    await kiosk.waitFor("admin-screen");
  } finally {
    await kiosk.close();
  }
});
