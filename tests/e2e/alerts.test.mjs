// Alerts end to end: the real kiosk window (WebDriver), the real hub, the guards' console in
// Debian's Chromium (playwright-core). A tap on the discreet control reaches the console with
// the visitors at the desk; a guard acknowledges; the desk's mark changes. The duress PIN gives
// the very same screen as the real PIN. The hotkey works while another window has the focus.
// Guard mode flashes, sounds and asks the OS for a notification.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  differingPixels,
  enrolAtHub,
  focusAnotherWindow,
  openAdmin,
  pressKeys,
  rects,
  waitAttr,
  watchNotifications,
} from "./lib/alerts.mjs";
import { alertCard, openBrowser, openConsole, signIn } from "./lib/console.mjs";
import { hubBinary, startHub } from "./lib/hub.mjs";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const DURESS_PIN = "735108";
const PASSWORD = "correct horse battery";

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

/** The demo site with a duress PIN (its hash, as `frontdesk-hub pin-hash` prints it). */
function siteWithDuressPin() {
  const hash = execFileSync(hubBinary, ["pin-hash", "--pin-stdin"], { encoding: "utf8", input: `${DURESS_PIN}\n` }).trim();
  assert.match(hash, /^\$argon2id\$/);
  const demo = readFileSync(join(repoRoot, "assets/demo-site/site.toml"), "utf8");
  return `${demo}\n[alerts]\nduress_pin_hash = "${hash}"\n`;
}

test("a tap on the discreet control reaches the guard's console with the visitors, and the desk learns of the acknowledgement", async () => {
  const hub = await startHub();
  hub.addGuard("wang.lei", "Wang Lei", PASSWORD);
  const kiosk = await openKiosk(freshDataDir());
  const browser = await openBrowser();
  try {
    await enrolAtHub(kiosk, hub, "Lobby desk 1");
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", "E2E 访客 Zhang");
    await kiosk.type("visitor-company", "Binhai Logistics");
    await kiosk.choose("visitor-host", "li-na");
    await kiosk.click("visitor-submit");
    await kiosk.click("badge-done");
    await kiosk.rowFor("E2E 访客 Zhang");
    await kiosk.session.sleep(4500); // the sign-in message fades

    const page = await openConsole(browser, hub.url, { lang: "en" });
    await signIn(page, "wang.lei", PASSWORD);

    // One tap, nothing to see: the screen after the tap is the screen before it.
    const clock = await rects(kiosk, '[data-testid="alert-discreet"]');
    const hubStatus = await rects(kiosk, '[data-testid="hub-status"]');
    const beforeTap = await kiosk.session.takeScreenshot();
    await kiosk.click("alert-discreet");
    await waitAttr(kiosk, "hub-status", "data-state", "synced");
    await kiosk.session.sleep(500);
    const afterTap = await kiosk.session.takeScreenshot();
    // The clock may tick, and the sync status says "synced at" a new time (as after any change).
    assert.equal(differingPixels(beforeTap, afterTap, [...clock, ...hubStatus]), 0, "no visible change");

    const card = page.locator('[data-testid="alert-card"][data-kind="duress"]');
    await card.waitFor({ timeout: 20_000 });
    const id = await card.getAttribute("data-alert-id");
    assert.match(await card.textContent(), /E2E 访客 Zhang/);
    assert.match(await card.textContent(), /Binhai Logistics/);
    assert.match(await card.textContent(), /Lobby desk 1/);
    assert.equal(await page.getByTestId("alarm-flash").isHidden(), false, "the console flashes");
    await waitAttr(kiosk, "alert-ack-indicator", "data-state", "delivered");

    await alertCard(page, id).getByTestId("alert-ack").click();
    await page.getByTestId("guard-card").waitFor();
    assert.equal(await page.getByTestId("guard-card").getAttribute("data-scenario"), "violent_visitor");
    await waitAttr(kiosk, "alert-ack-indicator", "data-state", "acknowledged");
    assert.equal(await page.getByTestId("alarm-flash").isHidden(), true, "acknowledged: the alarm stops");

    await alertCard(page, id).getByTestId("alert-outcome").selectOption("false_alarm");
    await alertCard(page, id).getByTestId("alert-note").fill("e2e");
    await alertCard(page, id).getByTestId("alert-resolve").click();
    await page.locator(`[data-testid="alert-card"][data-alert-id="${id}"][data-state="resolved"]`).waitFor();
    await waitAttr(kiosk, "alert-ack-indicator", "data-state", "resolved");
  } finally {
    await browser.close();
    await kiosk.close();
    await hub.stop();
  }
});

/** Admin screen behind the PIN prompt, after the first-run PIN was changed; returns what the
 * screen looks like once `pin` is typed, and what to mask (the clock, the audit list's times). */
async function adminScreenAfter(pin, site) {
  const kiosk = await openKiosk(freshDataDir(site));
  try {
    if ((await kiosk.session.executeScript("return document.documentElement.lang")) !== "en") {
      await kiosk.click("lang-switch");
    }
    await openAdmin(kiosk, "482915", { first: true });
    await kiosk.click("admin-close");
    await kiosk.waitGone("toast", 10_000);
    await kiosk.click("admin-open");
    await kiosk.type("pin-input", pin);
    await kiosk.click("pin-submit");
    await kiosk.waitFor("audit-list");
    await kiosk.session.sleep(500);
    // The two runs happen at different times: the clock and the audit list's times are the only
    // things allowed to differ, so both are set to the same text before the screenshot (their
    // widths would otherwise move the columns); every other pixel must match.
    await kiosk.session.executeScript(`
      for (const e of document.querySelectorAll('[data-testid="alert-discreet"] span:not([data-testid]), [data-testid="audit-list"] td:nth-child(2)')) {
        e.firstChild.textContent = "--:--";
      }`);
    await kiosk.session.sleep(200);
    const png = await kiosk.session.takeScreenshot();
    const masks = [];
    const text = await kiosk.session.executeScript(
      'return document.querySelector("main").innerText.replace(/\\d{1,2}:\\d{2}/g, "HH:MM");',
    );
    const indicator = await (await kiosk.find("alert-ack-indicator")).getAttribute("data-state");
    return { png, masks, text, indicator };
  } finally {
    await kiosk.close();
  }
}

test("the duress PIN opens admin on exactly the screen the real PIN shows, and raises its alert", async () => {
  const site = siteWithDuressPin();
  const real = await adminScreenAfter("482915", site);
  const duress = await adminScreenAfter(DURESS_PIN, site);
  assert.deepEqual(duress.text.trim().split("\n"), real.text.trim().split("\n"), "the same words on screen");
  assert.equal(differingPixels(real.png, duress.png, [...real.masks, ...duress.masks]), 0, "the same pixels");
  assert.equal(real.indicator, "none");
  assert.equal(duress.indicator, "waiting", "the duress kiosk holds an alert for the hub");
});

test("the hotkey raises a silent alert while another window has the focus", async () => {
  const kiosk = await openKiosk(freshDataDir());
  let closeOther = () => {};
  try {
    await waitAttr(kiosk, "alert-ack-indicator", "data-state", "none");
    closeOther = await focusAnotherWindow();
    assert.equal(await kiosk.session.executeScript("return document.hasFocus()"), false, "Frontdesk is not focused");
    pressKeys("ctrl+shift+F9");
    await waitAttr(kiosk, "alert-ack-indicator", "data-state", "waiting", 10_000);
    assert.equal(await kiosk.session.executeScript("return document.hasFocus()"), false, "and it did not take the focus");
  } finally {
    closeOther();
    await kiosk.close();
  }
});

test("guard mode flashes, sounds and has the OS notify; acknowledging opens the guard's card", async () => {
  const kiosk = await openKiosk(freshDataDir());
  const notifications = watchNotifications();
  try {
    if ((await kiosk.session.executeScript("return document.documentElement.lang")) !== "en") {
      await kiosk.click("lang-switch");
    }
    await openAdmin(kiosk, "482915", { first: true });
    await kiosk.click("admin-tab-alerts");
    await kiosk.click("alert-guard-on");
    await kiosk.waitFor("alert-guard-off");
    await kiosk.click("admin-close");
    await kiosk.waitFor("guard-console");
    await waitAttr(kiosk, "guard-alarm", "data-ringing", "false");

    await kiosk.click("alert-discreet");
    await kiosk.waitFor("alarm-flash", 10_000);
    await waitAttr(kiosk, "guard-alarm", "data-sounding", "true");
    await kiosk.session.wait(async () => notifications.text().includes("Alert: Duress"), 10_000, "the OS is asked to notify");
    const card = await kiosk.waitFor("alert-card");
    assert.equal(await card.getAttribute("data-state"), "raised");

    await kiosk.click("alert-ack");
    await kiosk.waitFor("cards-screen");
    await waitAttr(kiosk, "guard-alarm", "data-ringing", "false");
    assert.equal((await kiosk.findAll("alarm-flash")).length, 0);
  } finally {
    notifications.stop();
    await kiosk.close();
  }
});

test("Call security: medical opens the first-aid card; a call for assistance is withdrawn with the PIN within 10 s", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await openAdmin(kiosk, "482915", { first: true });
    await kiosk.click("admin-close");

    await kiosk.click("alert-panel-open");
    await kiosk.clickItem("alert-raise", "kind", "medical");
    await kiosk.waitFor("cards-screen");
    const card = await kiosk.waitFor("card-view");
    assert.equal(await card.getAttribute("data-scenario"), "medical");
    const medical = await kiosk.waitFor("alert-banner");
    assert.equal(await medical.getAttribute("data-state"), "raised");
    assert.equal((await kiosk.findAll("alert-cancel")).length, 0, "only a call for assistance can be withdrawn");
    await kiosk.click("card-close");

    await kiosk.click("alert-panel-open");
    await kiosk.clickItem("alert-raise", "kind", "assistance");
    await kiosk.click("alert-cancel");
    await kiosk.clickItem("alert-cancel-reason", "reason", "mistake");
    await kiosk.type("alert-cancel-note", "pressed it by accident");
    await kiosk.click("alert-cancel-next");
    await kiosk.type("pin-input", "482915");
    await kiosk.click("pin-submit");
    await kiosk.waitFor("toast");
    // The medical alert stays; the assistance call is gone.
    await kiosk.session.wait(async () => (await kiosk.findAll("alert-banner")).length === 1, 5_000, "one banner left");
  } finally {
    await kiosk.close();
  }
});
