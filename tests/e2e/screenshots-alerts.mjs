// Screenshots of the alert screens (not a test): the kiosk (Call security panel, a call for
// assistance, the acknowledged mark, guard mode) and the guards' web console (phone and
// desktop). Run through
//   npm --prefix ui run build && cargo build -p frontdesk-app -p frontdesk-hub &&
//   TAURI_DRIVER_PORT=4470 xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots-alerts.mjs
// and look at docs/screenshots/alert-*.png and console-*.png before calling a screen done.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { alertCard, openBrowser, openConsole, signIn } from "./lib/console.mjs";
import { startHub } from "./lib/hub.mjs";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });
const only = process.argv[2];

const stop = await startDriver();
const hub = await startHub();
hub.addGuard("wang.lei", "王磊", "correct horse battery");
const browser = await openBrowser();
const kiosk = await openKiosk(freshDataDir());
const shot = (name) => kiosk.screenshot(join(out, `${name}.png`));
const lang = async () => kiosk.session.executeScript("return document.documentElement.lang");
const settle = () => kiosk.session.sleep(400);
const wanted = (name) => !only || name.startsWith(only);
/** The alarm flashes once a second: wait for its visible half before a screenshot. */
async function flashOn(run) {
  for (let i = 0; i < 40; i++) {
    if (await run()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const kioskFlashOn = () =>
  flashOn(() =>
    kiosk.session.executeScript(
      'const f = document.querySelector("[data-testid=alarm-flash]"); return !!f && getComputedStyle(f).opacity === "1";',
    ),
  );
const pageFlashOn = (page) =>
  flashOn(() =>
    page.evaluate(() => {
      const f = document.getElementById("flash");
      return !f.hidden && getComputedStyle(f).opacity === "1";
    }),
  );

try {
  if ((await lang()) !== "en") await kiosk.click("lang-switch");
  // Enrol at the hub (admin, first-run PIN), then sign two visitors in.
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "000000");
  await kiosk.click("pin-submit");
  await kiosk.type("new-pin", "482915");
  await kiosk.type("confirm-pin", "482915");
  await kiosk.click("change-pin-submit");
  await kiosk.click("admin-tab-hub");
  await kiosk.type("hub-address", hub.address);
  await kiosk.type("hub-code", hub.enrol("Lobby desk 1"));
  await kiosk.click("hub-enrol");
  await kiosk.session.wait(async () => (await (await kiosk.find("hub-state")).getAttribute("data-state")) === "synced", 20_000);
  await kiosk.click("admin-close");
  for (const [name, host] of [
    ["王小明", "li-na"],
    ["Sarah Mitchell", "wang-fang"],
  ]) {
    await kiosk.signIn(name, host);
  }
  await kiosk.session.sleep(4500);
  if (wanted("alert-home")) await shot("alert-home-en");

  await kiosk.click("alert-panel-open");
  await kiosk.waitFor("alert-panel");
  await settle();
  if (wanted("alert-panel")) await shot("alert-panel-en");
  await kiosk.click("alert-panel-close");
  await kiosk.click("lang-switch");
  await kiosk.click("alert-panel-open");
  await kiosk.clickItem("alert-raise", "kind", "suspicious");
  await kiosk.type("suspicious-appearance", "灰色连帽衫，背黑色双肩包");
  await kiosk.type("suspicious-place", "B 座电梯厅");
  await kiosk.type("suspicious-direction", "往地下车库方向");
  await settle();
  if (wanted("alert-suspicious")) await shot("alert-suspicious-zh");
  await kiosk.click("alert-panel-close");
  await kiosk.click("lang-switch");

  // A call for assistance: the banner with its 10-second cancel.
  await kiosk.click("alert-panel-open");
  await kiosk.clickItem("alert-raise", "kind", "assistance");
  await kiosk.waitFor("alert-cancel");
  await settle();
  if (wanted("alert-assistance")) await shot("alert-assistance-en");

  // The guards' console on a phone: sign-in page, then the alerts with their context.
  const phone = await openConsole(browser, hub.url, { phone: true, lang: "zh-CN" });
  await phone.getByTestId("console-login-name").waitFor();
  if (wanted("console-login")) await phone.screenshot({ path: join(out, "console-login-zh.png") });
  await signIn(phone, "wang.lei", "correct horse battery");

  // The discreet control: a tap on the clock.
  await kiosk.click("alert-discreet");
  await phone.locator('[data-testid="alert-card"][data-kind="duress"]').waitFor();
  await phone.waitForTimeout(300);
  await pageFlashOn(phone);
  if (wanted("console-phone")) await phone.screenshot({ path: join(out, "console-phone-zh.png") });

  const desk = await openConsole(browser, hub.url, { lang: "en" });
  await signIn(desk, "wang.lei", "correct horse battery");
  const duress = desk.locator('[data-testid="alert-card"][data-kind="duress"]');
  await duress.waitFor();
  const id = await duress.getAttribute("data-alert-id");
  await desk.waitForTimeout(300);
  await pageFlashOn(desk);
  if (wanted("console-alerts")) await desk.screenshot({ path: join(out, "console-alerts-en.png") });
  await alertCard(desk, id).getByTestId("alert-ack").click();
  await desk.getByTestId("guard-card").waitFor();
  await desk.waitForTimeout(300);
  if (wanted("console-card")) await desk.screenshot({ path: join(out, "console-card-en.png") });

  // The desk's mark that a guard has it.
  await kiosk.session.wait(
    async () => (await (await kiosk.find("alert-ack-indicator")).getAttribute("data-state")) === "acknowledged",
    20_000,
  );
  await settle();
  if (wanted("alert-acknowledged")) await shot("alert-acknowledged-en");

  // Resolve, then the monthly report.
  await alertCard(desk, id).getByTestId("alert-outcome").selectOption("false_alarm");
  await alertCard(desk, id).getByTestId("alert-note").fill("Tested the button during training.");
  await alertCard(desk, id).getByTestId("alert-resolve").click();
  await desk.locator(`[data-testid="alert-card"][data-alert-id="${id}"][data-state="resolved"]`).waitFor();
  await desk.getByTestId("nav-report").click();
  await desk.getByTestId("report").waitFor();
  await desk.waitForTimeout(300);
  if (wanted("console-report")) await desk.screenshot({ path: join(out, "console-report-en.png") });

  // Guard mode on this desk: the site's alerts, with the flashing screen.
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "482915");
  await kiosk.click("pin-submit");
  await kiosk.click("admin-tab-alerts");
  await kiosk.waitFor("alerts-admin");
  await settle();
  if (wanted("alert-admin")) await shot("alert-admin-en");
  await kiosk.click("alert-guard-on");
  await kiosk.click("admin-close");
  await kiosk.click("alert-discreet");
  await kiosk.waitFor("alarm-flash", 10_000);
  await kiosk.session.sleep(300);
  await kioskFlashOn();
  if (wanted("alert-guard")) await shot("alert-guard-en");
  console.log(`screenshots in ${out}`);
} finally {
  await kiosk.close();
  await browser.close();
  await hub.stop();
  await stop();
}
