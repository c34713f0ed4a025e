// Screenshots of the evacuation roll call in the guards' web console on a phone (not a test):
//   npm --prefix ui run build && cargo build -p frontdesk-app -p frontdesk-hub &&
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots-console-rollcall.mjs
import { join } from "node:path";
import { enrolAtHub } from "./lib/alerts.mjs";
import { openBrowser, openConsole, signIn } from "./lib/console.mjs";
import { startHub } from "./lib/hub.mjs";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = join(repoRoot, "docs/screenshots");
const stop = await startDriver();
const hub = await startHub();
hub.addGuard("zhao.min", "赵敏", "correct horse battery");
const kiosk = await openKiosk(freshDataDir());
const browser = await openBrowser();
try {
  await enrolAtHub(kiosk, hub, "Lobby desk 1");
  for (const [name, host] of [
    ["王小明", "li-na"],
    ["Sarah Mitchell", "wang-fang"],
    ["欧阳娜娜", "zhang-wei"],
    ["David Chen", "li-na"],
  ]) {
    await kiosk.signIn(name, host);
  }
  for (const lang of ["zh-CN", "en"]) {
    const page = await openConsole(browser, hub.url, { phone: true, lang });
    await signIn(page, "zhao.min", "correct horse battery");
    await page.getByTestId("nav-rollcall").click();
    await page.getByTestId(lang === "en" ? "console-rollcall-list" : "console-rollcall-idle").waitFor();
    if (lang === "zh-CN") {
      await page.screenshot({ path: join(out, "console-rollcall-idle-zh.png") });
      page.once("dialog", (d) => void d.accept());
      await page.getByTestId("console-evacuate-drill").click();
      await page.getByTestId("console-rollcall-list").waitFor();
      const row = page.locator('[data-testid="console-rollcall-row"]', { hasText: "Sarah" });
      await row.locator('[data-testid="console-rollcall-mark"][data-status="accounted"]').click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(out, "console-rollcall-phone-zh.png"), fullPage: true });
    } else {
      await page.getByTestId("console-rollcall-filter-all").click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(out, "console-rollcall-phone-en.png"), fullPage: true });
    }
  }
} finally {
  await browser.close();
  await kiosk.close();
  await hub.stop();
  await stop();
}
