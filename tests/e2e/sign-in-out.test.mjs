// Foundation: a receptionist signs a visitor in, sees them on site, signs them out — through
// the real window — and bad input is refused without storing anything.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { By } from "selenium-webdriver";
import { freshDataDir, openKiosk, startDriver } from "./lib/kiosk.mjs";

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

test("sign a visitor in and out through the window", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", "王小明 Wang Xiaoming");
    await kiosk.type("visitor-company", "滨海物流 Binhai Logistics");
    await kiosk.choose("visitor-host", "li-na");
    await kiosk.type("visitor-purpose", "Quarterly supplier review");
    await kiosk.click("visitor-submit");
    await kiosk.click("badge-done"); // the badge screen follows a sign-in

    await kiosk.waitFor("onsite-list");
    const visitId = await (await kiosk.rowFor("王小明")).getAttribute("data-visit-id");
    assert.match(visitId, /^[0-9a-f-]{36}$/);
    // Look the row up by its id each time: the list may re-render while the test reads it.
    const row = () => kiosk.session.findElement(By.css(`[data-testid="onsite-row"][data-visit-id="${visitId}"]`));
    assert.match(await (await row()).getText(), /李娜/);

    await (await row()).findElement(By.css('[data-testid="sign-out"]')).click();
    await kiosk.click("sign-out-confirm");
    await kiosk.session.wait(
      async () => (await kiosk.session.findElements(By.css(`[data-visit-id="${visitId}"]`))).length === 0,
      5_000,
      "the visit leaves the on-site list",
    );
  } finally {
    await kiosk.close();
  }
});

test("an empty name and no host are refused per field and nothing is stored", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-company", "Acme");
    await kiosk.click("visitor-submit");

    const nameInput = await kiosk.find("visitor-name");
    await kiosk.session.wait(async () => (await nameInput.getAttribute("aria-invalid")) === "true", 5_000);
    assert.equal(await (await kiosk.find("visitor-host")).getAttribute("aria-invalid"), "true");
    const alerts = await kiosk.session.findElements(By.css('[role="alert"]'));
    assert.ok(alerts.length >= 2, "each bad field says what is wrong");

    await kiosk.click("visitor-cancel");
    assert.equal((await kiosk.findAll("onsite-row")).length, 0);
  } finally {
    await kiosk.close();
  }
});

test("the language switch changes every label", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    const before = await kiosk.text("new-visitor");
    await kiosk.click("lang-switch");
    await kiosk.session.wait(async () => (await kiosk.text("new-visitor")) !== before, 5_000);
    const after = await kiosk.text("new-visitor");
    const chinese = /[\u4e00-\u9fff]/;
    assert.notEqual(chinese.test(before), chinese.test(after), `${before} → ${after}`);
  } finally {
    await kiosk.close();
  }
});
