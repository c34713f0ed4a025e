// Screenshots of the badge screens in the real window (not a test): run through
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots-badges.mjs
// with the CUPS PDF queue up (scripts/cups-pdf-queue.sh), and look at docs/screenshots/badge-*.png.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { By, Key, until } from "selenium-webdriver";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });
const queue = process.env.FRONTDESK_TEST_PRINTER ?? "PDF";

async function scan(kiosk, text) {
  const input = await kiosk.waitFor("badge-scan");
  await input.clear();
  await input.sendKeys(text, Key.ENTER);
  await kiosk.waitFor("badge-scan-result");
  await kiosk.session.sleep(300);
}

async function lang(kiosk, want) {
  const now = await kiosk.session.executeScript("return document.documentElement.lang");
  if (now !== want) await kiosk.click("lang-switch");
  await kiosk.session.sleep(300);
}

const stop = await startDriver();
const kiosk = await openKiosk(freshDataDir());
try {
  await lang(kiosk, "en");
  // No printer yet: the badge screen says so.
  await kiosk.click("new-visitor");
  await kiosk.type("visitor-name", "Maximilian Alexander von Hohenzollern-Sigmaringen");
  await kiosk.type("visitor-company", "Northwind Audit LLP");
  await kiosk.choose("visitor-host", "wang-fang");
  await kiosk.click("visitor-submit");
  await kiosk.waitFor("badge-preview", 20_000);
  await kiosk.click("badge-print");
  await kiosk.waitFor("badge-error");
  await kiosk.session.sleep(4500); // let the sign-in toast go
  await kiosk.screenshot(join(out, "badge-no-printer-en.png"));

  await kiosk.click("badge-open-settings");
  await kiosk.session.wait(until.elementLocated(By.css(`[data-testid="printer-select"] option[value="${queue}"]`)), 10_000);
  await kiosk.choose("printer-select", queue);
  await kiosk.session.sleep(4500);
  await kiosk.screenshot(join(out, "settings-en.png"));
  await kiosk.click("settings-back");
  await kiosk.waitFor("badge-preview", 20_000);
  await kiosk.click("badge-print");
  await kiosk.session.wait(async () => {
    const [status] = await kiosk.findAll("badge-job-status");
    return status && (await status.getAttribute("data-state")) === "completed";
  }, 20_000);
  await kiosk.screenshot(join(out, "badge-printed-en.png"));
  await kiosk.click("badge-done");

  await lang(kiosk, "zh-CN");
  await kiosk.click("new-visitor");
  await kiosk.type("visitor-name", "欧阳娜娜");
  await kiosk.type("visitor-company", "滨海物流有限公司");
  await kiosk.choose("visitor-host", "li-na");
  await kiosk.click("visitor-submit");
  const preview = await kiosk.waitFor("badge-preview", 20_000);
  const token = await preview.getAttribute("data-token");
  await kiosk.session.sleep(4500);
  await kiosk.screenshot(join(out, "badge-preview-zh.png"));
  await kiosk.click("badge-done");

  await scan(kiosk, token);
  await kiosk.screenshot(join(out, "scan-valid-zh.png"));
  await scan(kiosk, token.slice(0, 40) + (token[40] === "A" ? "B" : "A") + token.slice(41));
  await kiosk.screenshot(join(out, "scan-forged-zh.png"));
  await lang(kiosk, "en");
  await scan(kiosk, token);
  await kiosk.click("badge-scan-sign-out");
  await kiosk.session.sleep(500);
  await scan(kiosk, token);
  await kiosk.screenshot(join(out, "scan-signed-out-en.png"));
  console.log(`screenshots in ${out}`);
} finally {
  await kiosk.close();
  await stop();
}
