// Takes the README's screenshots of the real window (not a test): run through
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots.mjs
// and look at docs/screenshots/*.png before calling a screen done.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });

const visitors = [
  ["王小明", "滨海物流", "li-na", "供应商季度会议"],
  ["Sarah Mitchell", "Northwind Audit LLP", "wang-fang", "Annual audit fieldwork"],
  ["陈思远", "市消防救援支队", "sun-li", "消防安全检查"],
  ["Kenji Watanabe", "Hikari Robotics", "emma-clarke", "Prototype demo"],
];

const stop = await startDriver();
const kiosk = await openKiosk(freshDataDir());
try {
  for (const [name, company, host, purpose] of visitors) {
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", name);
    await kiosk.type("visitor-company", company);
    await kiosk.choose("visitor-host", host);
    await kiosk.type("visitor-purpose", purpose);
    await kiosk.click("visitor-submit");
    await kiosk.click("badge-done"); // the badge screen follows a sign-in
    await kiosk.rowFor(name);
  }
  // The language follows the OS; make sure both are captured.
  const lang = await kiosk.session.executeScript("return document.documentElement.lang");
  if (lang !== "zh-CN") await kiosk.click("lang-switch");
  await kiosk.session.sleep(4500);
  await kiosk.screenshot(join(out, "home-zh.png"));
  await kiosk.click("lang-switch");
  await kiosk.session.sleep(300);
  await kiosk.screenshot(join(out, "home-en.png"));
  await kiosk.click("new-visitor");
  await kiosk.click("visitor-submit");
  await kiosk.session.sleep(300);
  await kiosk.screenshot(join(out, "sign-in-errors-en.png"));
  await kiosk.click("visitor-cancel");
  const rows = await kiosk.findAll("sign-out");
  await rows[0].click();
  await kiosk.session.sleep(300);
  await kiosk.screenshot(join(out, "sign-out-en.png"));
  await kiosk.click("sign-out-cancel");

  // Emergency cards: role chooser, scenario grid, a card in each language.
  await kiosk.click("cards-open");
  await kiosk.session.sleep(300);
  await kiosk.screenshot(join(out, "cards-role-en.png"));
  await (await kiosk.session.findElement({ css: '[data-testid="card-role"][data-role="receptionist"]' })).click();
  await kiosk.session.sleep(300);
  await kiosk.screenshot(join(out, "cards-menu-en.png"));
  await (await kiosk.session.findElement({ css: '[data-testid="card-scenario"][data-scenario="fire"]' })).click();
  await kiosk.waitFor("card-view");
  await kiosk.session.sleep(300);
  await kiosk.screenshot(join(out, "card-fire-en.png"));
  await kiosk.click("lang-switch");
  await kiosk.session.sleep(500);
  await kiosk.screenshot(join(out, "card-fire-zh.png"));
  await kiosk.click("card-back");
  await (await kiosk.session.findElement({ css: '[data-testid="card-scenario"][data-scenario="attacker"]' })).click();
  await kiosk.session.sleep(500);
  await kiosk.screenshot(join(out, "card-attacker-zh.png"));
  await kiosk.click("card-close");
  console.log(`screenshots in ${out}`);
} finally {
  await kiosk.close();
  await stop();
}
