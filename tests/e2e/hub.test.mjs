// The site hub through the real window: enrol the kiosk from the admin screen with a code the
// real `frontdesk-hub` printed, watch it sync, take up the directory the hub publishes, and show
// that the hub revoked it.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { By } from "selenium-webdriver";
import { startHub } from "./lib/hub.mjs";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

/** Open the admin screen, choosing a PIN on first use, and go to the hub tab. */
async function openHubSettings(kiosk) {
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "000000");
  await kiosk.click("pin-submit");
  await kiosk.type("new-pin", "482915");
  await kiosk.type("confirm-pin", "482915");
  await kiosk.click("change-pin-submit");
  await kiosk.click("admin-tab-hub");
  await kiosk.waitFor("hub-settings");
}

async function waitState(kiosk, testId, state, timeoutMs = 20_000) {
  await kiosk.session.wait(
    async () => {
      const found = await kiosk.findAll(testId);
      return found.length > 0 && (await found[0].getAttribute("data-state")) === state;
    },
    timeoutMs,
    `${testId} becomes ${state}`,
  );
}

test("enrol at a hub, sync, receive its directory, and show revocation", async () => {
  const hub = await startHub();
  const kiosk = await openKiosk(freshDataDir());
  try {
    await waitState(kiosk, "hub-status", "not_enrolled");
    await openHubSettings(kiosk);
    assert.equal(await (await kiosk.find("hub-state")).getAttribute("data-state"), "not_enrolled");

    // A mistyped code is refused with its reason; nothing changes.
    await kiosk.type("hub-address", hub.address);
    await kiosk.type("hub-code", "AAAA-BBBB-CCCC-DDDD");
    await kiosk.click("hub-enrol");
    const refused = await kiosk.waitFor("hub-enrol-error", 15_000);
    assert.equal(await refused.getAttribute("data-code"), "enrolment_code_invalid");

    await kiosk.type("hub-code", hub.enrol("E2E desk"));
    await kiosk.click("hub-enrol");
    await waitState(kiosk, "hub-state", "synced");
    assert.equal(await kiosk.text("hub-fingerprint"), hub.fingerprint, "the kiosk pinned the hub's certificate");
    assert.equal(await kiosk.text("hub-device-name"), "E2E desk");
    assert.equal(await kiosk.text("hub-ops-waiting"), "0");
    await kiosk.click("admin-close");
    await waitState(kiosk, "hub-status", "synced");

    // A visitor signed in here reaches the hub.
    const before = hub.opsHeld("E2E desk");
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", "Hub Test 同步");
    await kiosk.choose("visitor-host", "li-na");
    await kiosk.click("visitor-submit");
    await kiosk.click("badge-done"); // the badge screen follows a sign-in
    await kiosk.rowFor("Hub Test");
    await kiosk.session.wait(async () => hub.opsHeld("E2E desk") > before, 15_000, "the hub holds the sign-in");
    await waitState(kiosk, "hub-status", "synced");

    // The hub publishes the site's directory with a new host: the form offers it.
    const site = readFileSync(join(repoRoot, "assets/demo-site/site.toml"), "utf8");
    const file = join(freshDataDir(), "site.toml");
    writeFileSync(
      file,
      `${site}\n[[hosts]]\nid = "nadia-novak"\nname = "Nadia Novak"\ndepartment = "Security"\nextension = "8999"\nemail = "nadia@riverside.example"\nmay_escort = true\n`,
    );
    hub.publish(file);
    await kiosk.click("new-visitor");
    await kiosk.session.wait(
      async () => (await kiosk.session.findElements(By.css('[data-testid="visitor-host"] option[value="nadia-novak"]'))).length === 1,
      15_000,
      "the new host appears in the form",
    );
    await kiosk.click("visitor-cancel");

    // Revoked at the hub: the kiosk says so, discreetly, and keeps working.
    hub.revoke("E2E desk");
    await waitState(kiosk, "hub-status", "revoked");
  } finally {
    await kiosk.close();
    await hub.stop();
  }
});
