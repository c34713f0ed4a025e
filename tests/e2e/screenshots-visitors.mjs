// Screenshots of the visitor-management screens (not a test): run through
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots-visitors.mjs
// and look at docs/screenshots/*.png before calling a screen done.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

const stop = await startDriver();
const kiosk = await openKiosk(freshDataDir());
const shot = (name) => kiosk.screenshot(join(out, `${name}.png`));
try {
  const lang = await kiosk.session.executeScript("return document.documentElement.lang");
  if (lang !== "en") await kiosk.click("lang-switch");
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "9999");
  await kiosk.click("pin-submit");
  await kiosk.session.sleep(400);
  if (want("pin-prompt-en")) await shot("pin-prompt-en");
  await kiosk.type("pin-input", "000000");
  await kiosk.click("pin-submit");
  await kiosk.waitFor("change-pin-first");
  if (want("admin-first-pin-en")) await shot("admin-first-pin-en");
  await kiosk.type("new-pin", "482915");
  await kiosk.type("confirm-pin", "482915");
  await kiosk.click("change-pin-submit");
  await kiosk.click("admin-tab-audit");
  await kiosk.click("audit-verify");
  await kiosk.session.sleep(400);
  if (want("admin-audit-en")) await shot("admin-audit-en");
  console.log(`screenshots in ${out}`);
} finally {
  await kiosk.close();
  await stop();
}
