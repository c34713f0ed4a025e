// Chaos with real things: the kiosk window raises a burst of duress alerts (taps on the
// discreet control) while the hub process is killed (SIGKILL) and started again, and while one
// guard console (Chromium) is cut off from the network for a few seconds. Both consoles end up
// showing every alert exactly once: one card each, each card given to the page once.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { enrolAtHub, startRelay, waitAttr } from "./lib/alerts.mjs";
import { openBrowser, openConsole, signIn } from "./lib/console.mjs";
import { startHub } from "./lib/hub.mjs";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const PASSWORD = "correct horse battery";
const BURST = 20;

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

/** What a console page shows: every alert card's id and how often the page was given it. */
async function shown(page) {
  return page.locator('[data-testid="alert-card"][data-kind="duress"]').evaluateAll((cards) =>
    cards.map((c) => ({ id: c.dataset.alertId, updates: Number(c.dataset.updates) })),
  );
}

test("a hub killed and restarted mid-burst, and a console cut off mid-burst: every alert shown exactly once", async () => {
  const hub = await startHub();
  // No escalation during the test: each alert changes once (raised), so each card is given once.
  const site = join(freshDataDir(), "site.toml");
  writeFileSync(site, `${readFileSync(join(repoRoot, "assets/demo-site/site.toml"), "utf8")}\n[alerts]\nescalate_after_seconds = 600\n`);
  hub.publish(site);
  hub.addGuard("wang.lei", "Wang Lei", PASSWORD);
  const relay = await startRelay(new URL(hub.url).host);
  const kiosk = await openKiosk(freshDataDir());
  const browser = await openBrowser();
  try {
    await enrolAtHub(kiosk, hub, "Lobby desk 1");
    const steady = await openConsole(browser, hub.url);
    await signIn(steady, "wang.lei", PASSWORD);
    const cut = await openConsole(browser, relay.url);
    await signIn(cut, "wang.lei", PASSWORD);

    for (let i = 0; i < BURST; i++) {
      await kiosk.click("alert-discreet");
      if (i === 5) relay.setOnline(false); // the guard's phone loses the network…
      if (i === 8) await hub.kill(); // …and the hub dies, maybe mid-write
      if (i === 11) await waitAttr(kiosk, "hub-status", "data-state", "offline"); // the desk says so, discreetly
      if (i === 12) await hub.restart();
      if (i === 15) relay.setOnline(true); // …the phone is back
      await kiosk.session.sleep(150);
    }

    await waitAttr(kiosk, "hub-status", "data-state", "synced", 30_000);
    for (const [name, page] of [
      ["the steady console", steady],
      ["the console cut off mid-burst", cut],
    ]) {
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="alert-card"][data-kind="duress"]').length >= n,
        BURST,
        { timeout: 60_000 },
      );
      const cards = await shown(page);
      assert.equal(cards.length, BURST, `${name}: one card per alert`);
      assert.equal(new Set(cards.map((c) => c.id)).size, BURST, `${name}: no alert twice`);
      assert.deepEqual(
        cards.filter((c) => c.updates !== 1),
        [],
        `${name}: each alert was given to the page once`,
      );
      assert.equal(await page.getByTestId("console-status").getAttribute("data-state"), "live");
    }
  } finally {
    await browser.close();
    await kiosk.close();
    await relay.close();
    await hub.stop();
  }
});
