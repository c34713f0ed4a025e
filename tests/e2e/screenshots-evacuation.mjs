// Screenshots of the evacuation, backup and paper screens (not a test): run through
//   npm --prefix ui run build && cargo build -p frontdesk-app &&
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots-evacuation.mjs
// and look at docs/screenshots/evacuation-*.png before calling a screen done.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { By } from "selenium-webdriver";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });

const stop = await startDriver();
const kiosk = await openKiosk(freshDataDir());
const shot = (name) => kiosk.screenshot(join(out, `${name}.png`));
const lang = async () => kiosk.session.executeScript("return document.documentElement.lang");
try {
  if ((await lang()) !== "en") await kiosk.click("lang-switch");
  for (const [name, host] of [
    ["王小明", "li-na"],
    ["Sarah Mitchell", "wang-fang"],
    ["欧阳娜娜", "zhang-wei"],
    ["David Chen", "li-na"],
  ]) {
    await kiosk.signIn(name, host);
  }
  await kiosk.session.sleep(300);
  await shot("evacuation-home-en");
  const button = await kiosk.waitFor("evacuate-start");
  await kiosk.session.actions({ async: true }).move({ origin: button }).press().pause(600).perform();
  await shot("evacuation-holding-en");
  await kiosk.session.actions({ async: true }).pause(1200).release().perform();
  await kiosk.waitFor("rollcall-list", 10_000);
  const row = await kiosk.session.findElement(By.xpath('//*[@data-testid="rollcall-row"][contains(., "Sarah")]'));
  await row.findElement(By.css('[data-testid="rollcall-mark"][data-status="accounted"]')).click();
  await kiosk.session.sleep(300);
  await kiosk.click("rollcall-filter-all");
  await kiosk.session.sleep(300);
  await shot("evacuation-rollcall-en");
  await kiosk.click("lang-switch");
  await kiosk.session.sleep(300);
  await shot("evacuation-rollcall-zh");
  await kiosk.click("evacuate-end");
  await kiosk.session.sleep(300);
  await shot("evacuation-end-zh");
  await kiosk.click("evacuate-end-confirm");
  await kiosk.waitFor("new-visitor", 10_000);
  await kiosk.click("lang-switch");
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "000000");
  await kiosk.click("pin-submit");
  await kiosk.type("new-pin", "482915");
  await kiosk.type("confirm-pin", "482915");
  await kiosk.click("change-pin-submit");
  await kiosk.click("admin-tab-backups");
  await kiosk.click("backup-now");
  await kiosk.waitFor("backup-restore");
  await kiosk.session.sleep(300);
  await shot("evacuation-backups-en");
  await kiosk.click("admin-tab-paper");
  await kiosk.session.sleep(500);
  await shot("evacuation-paper-en");
  await kiosk.click("evacuate-drill");
  await kiosk.waitFor("rollcall-list", 10_000);
  await kiosk.session.sleep(300);
  await shot("evacuation-drill-en");
} finally {
  await kiosk.close();
  await stop();
}
