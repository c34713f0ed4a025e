// Screenshots of the site hub screens (not a test): run through
//   cargo build -p frontdesk-app -p frontdesk-hub &&
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots-hub.mjs
// and look at docs/screenshots/hub-*.png before calling a screen done.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startHub } from "./lib/hub.mjs";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });

const stop = await startDriver();
const hub = await startHub();
const kiosk = await openKiosk(freshDataDir());
const shot = (name) => kiosk.screenshot(join(out, `${name}.png`));
const lang = async () => kiosk.session.executeScript("return document.documentElement.lang");
try {
  if ((await lang()) !== "en") await kiosk.click("lang-switch");
  for (const [name, host] of [
    ["王小明", "li-na"],
    ["Sarah Mitchell", "wang-fang"],
  ]) {
    await kiosk.signIn(name, host);
  }
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "000000");
  await kiosk.click("pin-submit");
  await kiosk.type("new-pin", "482915");
  await kiosk.type("confirm-pin", "482915");
  await kiosk.click("change-pin-submit");
  await kiosk.click("admin-tab-hub");
  await kiosk.type("hub-address", hub.address);
  await kiosk.type("hub-code", hub.enrol("Lobby desk 1"));
  await kiosk.session.sleep(300);
  await shot("hub-enrol-en");
  await kiosk.click("hub-enrol");
  await kiosk.session.wait(async () => (await (await kiosk.find("hub-state")).getAttribute("data-state")) === "synced", 20_000);
  await kiosk.session.sleep(300);
  await shot("hub-synced-en");
  await kiosk.click("lang-switch");
  await kiosk.session.sleep(300);
  await shot("hub-synced-zh");
  await kiosk.click("admin-close");
  await kiosk.session.sleep(300);
  await shot("hub-home-synced-zh");
  // The hub goes away: the top bar says so, and how much is waiting.
  await hub.stop();
  await kiosk.signIn("陈思远", "sun-li");
  await kiosk.session.wait(
    async () => (await (await kiosk.find("hub-status")).getAttribute("data-state")) === "offline",
    20_000,
  );
  await kiosk.session.sleep(4500); // let the sign-in message fade
  await shot("hub-home-offline-zh");
  console.log(`screenshots in ${out}`);
} finally {
  await kiosk.close();
  await stop();
}
