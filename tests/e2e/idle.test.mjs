// After the idle timeout the kiosk goes home and forgets the half-filled form; no visitor's
// name stays on screen.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Key } from "selenium-webdriver";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

// The demo site with the shortest idle timeout the site rules allow.
const quickSite = readFileSync(join(repoRoot, "assets/demo-site/site.toml"), "utf8").replace(
  /idle_timeout_seconds = \d+/,
  "idle_timeout_seconds = 15",
);

test("an idle kiosk clears the form and hides visitor names", async () => {
  const kiosk = await openKiosk(freshDataDir(quickSite));
  try {
    // One visitor on site, so there is a name that must not linger.
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", "Ingrid Idle");
    await kiosk.choose("visitor-host", "zhang-wei");
    await kiosk.click("visitor-submit");
    // The badge screen follows a sign-in; keep its token to scan it like a guard would.
    const token = await (await kiosk.waitFor("badge-preview", 20_000)).getAttribute("data-token");
    await kiosk.click("badge-done");
    await kiosk.rowFor("Ingrid Idle");

    // A badge scanned at the desk shows the visitor's name until the desk goes quiet.
    const scanBox = await kiosk.waitFor("badge-scan");
    await scanBox.sendKeys(token, Key.ENTER);
    await kiosk.session.wait(async () => /Ingrid Idle/.test(await kiosk.text("badge-scan-name")), 20_000);

    // A second visitor is half-way through the form when the desk goes quiet.
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", "Half Typed");
    await kiosk.session.sleep(16_500);

    await kiosk.waitFor("new-visitor");
    const page = await kiosk.session.findElement({ css: "body" }).getText();
    assert.ok(!page.includes("Ingrid Idle"), "no name on the idle screen, neither in the list nor the scan result");
    assert.equal((await kiosk.findAll("badge-scan-result")).length, 0);
    assert.ok(!page.includes("Half Typed"));

    await kiosk.click("new-visitor");
    assert.equal(await (await kiosk.find("visitor-name")).getAttribute("value"), "");
  } finally {
    await kiosk.close();
  }
});
